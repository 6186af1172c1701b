from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from articles import caching
from articles.models import Article

from . import cursors, openapi
from .forms import ArticleListForm
from .ninjs import article_to_ninjs, pk_from_uri

JSON_OPTIONS = {"ensure_ascii": False}
# The description changes only with a deploy.
DOCS_SECONDS = 3600


def articles():
    """Live articles with everything `article_to_ninjs` reads, in a fixed number of queries."""
    return Article.objects.live().for_cards().prefetch_related("tags", "corrections").newest_first()


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
    page = list(form.filter(articles())[: form.page_size + 1])
    next_url = None
    if len(page) > form.page_size:
        page = page[: form.page_size]
        query = {name: value for name, value in request.GET.items() if name != "cursor"}
        query["cursor"] = cursors.make(page[-1])
        next_url = request.build_absolute_uri(f"{request.path}?{urlencode(query)}")
    body = {"items": [article_to_ninjs(article, request) for article in page], "next": next_url}
    response = JsonResponse(body, json_dumps_params=JSON_OPTIONS)
    return caching.cacheable(response, form.cache_keys())


@require_safe
def article_detail(request, ident: str):
    """One live article by its id or its ninjs `uri`; anything else, unpublished included, 404."""
    pk = pk_from_uri(ident.rstrip("/"))
    article = articles().filter(pk=pk).first() if pk else None
    if article is None:
        return error(404, "No live article has this id or uri.")
    response = JsonResponse(article_to_ninjs(article, request), json_dumps_params=JSON_OPTIONS)
    keys = {
        caching.article_key(article.pk),
        caching.section_key(article.section_id),
        *(caching.tag_key(tag.pk) for tag in article.tags.all()),
        *(caching.author_key(author.pk) for author in article.byline_authors),
    }
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
