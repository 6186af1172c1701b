"""Site-wide middleware."""

import base64
import functools
import hashlib

from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import get_script_prefix, reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django_otp import user_has_device
from django_prose_editor.widgets import importmap as prose_editor_importmap

from . import signin

# Every view of the site answers at most these; a view may narrow them further.
ALLOWED_METHODS = ("GET", "HEAD", "POST")


def is_admin_path(request) -> bool:
    """Whether the request is for a staff page (under the admin's address)."""
    urlconf = getattr(request, "urlconf", None) or settings.ROOT_URLCONF
    return request.path_info.startswith(_admin_root(urlconf))


@functools.lru_cache(maxsize=8)
def _admin_root(urlconf) -> str:
    # Reversed once per URL configuration (three middleware ask on every request), and
    # compared with path_info, which carries no script prefix.
    return "/" + reverse("admin:index", urlconf=urlconf).removeprefix(get_script_prefix())


class HttpMethodsMiddleware:
    """OPTIONS gets the allowed methods and no page; TRACE, PUT, DELETE and the rest get 405.

    Function views without a method decorator would otherwise render their whole page for
    any method, and TRACE must never echo anything back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Allow"] = ", ".join((*ALLOWED_METHODS, "OPTIONS"))
            return response
        if request.method not in ALLOWED_METHODS:
            return HttpResponseNotAllowed([*ALLOWED_METHODS, "OPTIONS"])
        return self.get_response(request)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the admin's policy for the admin.

    Public pages get settings.CONTENT_SECURITY_POLICY as it is. The admin also allows inline
    style attributes (Django's admin and the prose editor set them) and, by its hash, the one
    inline script the prose editor needs: its import map. Scripts still come only from our
    origin; no nonce, so nothing per request.
    """

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and is_admin_path(request):
            parts.replace = {
                "script-src": [SELF, editor_importmap_hash()],
                "style-src": [SELF, UNSAFE_INLINE],
                "img-src": [
                    *settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"],
                    "blob:",
                ],
                **(parts.replace or {}),
            }
        return parts


@functools.cache
def editor_importmap_hash() -> str:
    """The CSP hash source of the prose editor's inline <script type="importmap">."""
    rendered = str(prose_editor_importmap.render())
    content = rendered.split(">", 1)[1].rsplit("</script>", 1)[0]
    digest = base64.b64encode(hashlib.sha256(content.encode()).digest()).decode()
    return f"'sha256-{digest}'"


class AdminLocaleMiddleware:
    """Staff pages speak the staff member's language; public pages the site's.

    Under /admin/ the language is the `django_language` cookie's or the browser's
    (Accept-Language), among settings.LANGUAGES, as Django's LocaleMiddleware picks it; the
    site's own variant of that language when it is the site's (`en-gb` for `en`). Public
    pages always use LANGUAGE_CODE: they are cached once for every reader, so they must not
    vary by request. Admin pages are never cached for readers, so varying them costs nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_admin_path(request):
            return self.get_response(request)
        language = translation.get_language_from_request(request)
        if language.split("-")[0] == settings.LANGUAGE_CODE.split("-")[0]:
            # The site's own variant (en-gb, not en): its date formats and date input formats.
            language = settings.LANGUAGE_CODE
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", language)
        return response


class TwoFactorRequiredMiddleware:
    """Staff who must use two-factor sign-in (signin.two_factor_required) reach no admin page
    until they have set it up and signed in with it: without a device they are sent to set
    one up; with one, but a session that never used it, they are signed out to sign in again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            is_admin_path(request)
            and user.is_authenticated
            and not user.is_verified()
            and signin.two_factor_required(user)
            and request.path_info not in _open_to_unverified()
        ):
            if user_has_device(user):
                logout(request)
                return redirect_to_login(request.get_full_path(), reverse("admin:login"))
            return redirect("two_factor_setup")
        return self.get_response(request)


def _open_to_unverified() -> set[str]:
    return {reverse("two_factor_setup"), reverse("admin:logout"), reverse("admin:jsi18n")}
