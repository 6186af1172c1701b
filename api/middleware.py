"""Keys and limits for the content API, checked before the page cache answers.

It sits above `PageCacheMiddleware`: a stored copy of an API response is served only to a
request that passed these checks, and each request, hit or miss, counts against its key.
"""

from django.conf import settings
from django.http import JsonResponse
from django.utils.cache import patch_vary_headers

from . import limits
from .models import ApiKey

API_PREFIX = "/api/ninjs/"
KEY_HEADERS = ("Authorization", "X-Api-Key")
# What a browser may keep of a key-only response; everything for shared caches goes.
PRIVATE_DIRECTIVES = {"max-age", "no-cache", "no-store", "must-revalidate"}


def presented_key(request) -> str | None:
    """The key sent as `Authorization: Bearer <key>` or `X-Api-Key: <key>` (never in the URL,
    where logs and Referer headers would keep it)."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.headers.get("X-Api-Key", "").strip() or None


def refusal(status: int, reason: str, **headers) -> JsonResponse:
    # The reasons stay English, untranslated (issue 16): API clients are programs that may
    # match them, and the API speaks one language whatever the site's LANGUAGE_CODE.
    response = JsonResponse({"error": reason}, status=status)
    response["Cache-Control"] = "no-store"
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def make_private(response) -> None:
    """A response only key holders may have: no shared cache (CDN, Varnish) may keep it, or it
    would hand it to anyone; the reader's own browser still may, and revalidate by ETag."""
    directives = [d.strip() for d in response.get("Cache-Control", "").split(",") if d.strip()]
    kept = [d for d in directives if d.split("=", 1)[0].lower() in PRIVATE_DIRECTIVES]
    response["Cache-Control"] = ", ".join(["private", *kept])
    for header in ("Surrogate-Key", "Cache-Tag"):
        if header in response:
            del response[header]
    patch_vary_headers(response, KEY_HEADERS)


def needs_key_checks(request) -> bool:
    """Whether this request must pass ApiKeyMiddleware before any stored copy is served: an
    API request that carries a key (checked and counted) or any API request while keys are
    required. The page cache's WSGI layer (newsroom/wsgi.py) answers the others itself, as
    this middleware would let them through unchanged."""
    return request.path_info.startswith(API_PREFIX) and (
        settings.API_REQUIRE_KEY or presented_key(request) is not None
    )


class ApiKeyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        raw = presented_key(request)
        if raw is not None:
            key = ApiKey.objects.matching(raw)
            if key is None:
                return refusal(401, "This API key is not valid. Check that it was copied in full.")
            if not key.is_active:
                return refusal(403, "This API key was revoked. Ask us for a new one.")
            wait = limits.seconds_to_wait(key)
            if wait:
                return refusal(
                    429,
                    f"This key may make {key.requests_per_minute} requests a minute. "
                    f"Try again in {wait} s.",
                    Retry_After=str(wait),
                )
        elif settings.API_REQUIRE_KEY:
            return refusal(401, "This API needs a key: send it as `Authorization: Bearer <key>`.")
        response = self.get_response(request)
        if settings.API_REQUIRE_KEY:
            make_private(response)
        return response
