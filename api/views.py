import json

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from articles import caching
from articles.models import Article

from . import cursors, openapi
from .forms import ArticleListForm
from .items import JSON_OPTIONS, STAMP_FIELDS, items
from .ninjs import pk_from_uri

# The description changes only with a deploy.
DOCS_SECONDS = 3600


def error(status: int, reason: str, **details) -> JsonResponse:
    # English, untranslated like the OpenAPI description: see middleware.refusal.
    return JsonResponse({"error": reason, **details}, status=status, json_dumps_params=JSON_OPTIONS)


@require_safe
def article_list(request):
    """Live articles, newest first, a page at a time; `next` links the following page."""
    form = ArticleListForm(request.GET)
    if not form.is_valid():
        fields = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
        return error(
            400, " ".join(m for messages in fields.values() for m in messages), fields=fields
        )
    live = form.filter(Article.objects.live().newest_first())
    page = list(live.values_list(*STAMP_FIELDS, "publish_at", named=True)[: form.page_size + 1])
    next_url = None
    if len(page) > form.page_size:
        page = page[: form.page_size]
        query = {name: value for name, value in request.GET.items() if name != "cursor"}
        query["cursor"] = cursors.make(page[-1].publish_at, page[-1].pk)
        next_url = request.build_absolute_uri(f"{request.path}?{urlencode(query)}")
    found = items([row[: len(STAMP_FIELDS)] for row in page], request)
    # The kept items are JSON already: the page is put together around them.
    content = b'{"items": [%s], "next": %s}' % (
        b", ".join(content for _, content in found),
        json.dumps(next_url).encode(),
    )
    response = HttpResponse(content, content_type="application/json")
    return caching.cacheable(response, form.cache_keys())


@require_safe
def article_detail(request, ident: str):
    """One live article by its id or its ninjs `uri`; anything else, unpublished included, 404."""
    pk = pk_from_uri(ident.rstrip("/"))
    live = Article.objects.live().filter(pk=pk) if pk else Article.objects.none()
    found = items(live.values_list(*STAMP_FIELDS), request)
    if not found:
        return error(404, "No live article has this id or uri.")
    keys, content = found[0]
    response = HttpResponse(content, content_type="application/json")
    return caching.cacheable(response, keys)


@require_safe
@caching.cached_page(lambda request: set(), seconds=DOCS_SECONDS)
def openapi_json(request):
    return JsonResponse(openapi.description(request), json_dumps_params=JSON_OPTIONS)


@require_safe
@caching.cached_page(lambda request: set(), seconds=DOCS_SECONDS)
def docs(request):
    """The OpenAPI description as a page, rendered here: no script from anywhere."""
    context = {
        "api": openapi.description(request),
        "openapi_url": reverse("api:openapi"),
    }
    return render(request, "api/docs.html", context)
