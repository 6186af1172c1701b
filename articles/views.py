from xml.sax.saxutils import escape

from django.conf import settings
from django.contrib.sitemaps.views import x_robots_tag
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext
from django.views.generic import ListView

from . import caching, corrections, search, sharing, sitemaps
from .models import Article, ArticleSlugRedirect, Section, TagRedirect
from .pagination import paginate, requested_page, requested_page_of
from .querysets import with_card_data, with_tags
from .sitemaps import SITEMAPS

PER_PAGE = 20
SEARCH_CACHE_SECONDS = 60
# Stories leave the news sitemap 48 hours after publication; a minute late is harmless there.
NEWS_SITEMAP_CACHE_SECONDS = 60


def home(request):
    live = Article.objects.live()
    latest_ids = list(live.newest_first().values_list("pk", flat=True)[:13])
    block_ids = live.exclude(pk__in=latest_ids).newest_ids_per_section(4)
    cards = live.for_cards().card_columns_only().filter(pk__in=[*latest_ids, *block_ids])
    by_pk = {article.pk: article for article in cards}
    latest = [by_pk[pk] for pk in latest_ids if pk in by_pk]
    lead, latest = (latest[0], latest[1:]) if latest else (None, [])
    in_blocks = sorted(
        (by_pk[pk] for pk in block_ids if pk in by_pk),
        key=lambda a: (a.section.position, a.section.name, -a.publish_at.timestamp(), -a.pk),
    )
    by_section: dict[int, list[Article]] = {}
    for article in in_blocks:
        by_section.setdefault(article.section_id, []).append(article)
    section_blocks = [(articles[0].section, articles) for articles in by_section.values()]
    response = render(
        request,
        "articles/home.html",
        {"lead": lead, "latest": latest, "section_blocks": section_blocks},
    )
    return caching.cacheable(response, {caching.LATEST})


def article_detail(request, slug: str):
    # Fetched by its unique slug and shown only when `is_live` (what `live()` decides, for one
    # article: tests/articles/test_visibility.py holds the two equal): the visibility filter in
    # SQL cost more to build and compile than fetching the row.
    found = corrections.with_record_flag(Article.objects.for_cards_without_prefetch())
    try:
        article = found.get(slug=slug)
    except Article.DoesNotExist:
        article = None
    if article is None or not article.is_live:
        # A published article whose slug was changed: its old address moves for good.
        moved = ArticleSlugRedirect.objects.filter(
            old_slug=slug, article__in=Article.objects.live()
        ).select_related("article")
        if old_address := moved.first():
            return redirect(old_address.article, permanent=True)
        raise Http404("No such article.")
    with_tags([article])
    live = Article.objects.live().for_cards_without_prefetch()
    related = list(live.card_columns_only().related_to(article))
    with_card_data([article, *related])
    record = corrections.for_page(article)
    context = {
        "article": article,
        "related": related,
        "record": record,
        "current_section_slug": article.section.slug,
    }
    response = render(request, "articles/article_detail.html", context)
    # The page lists its tags and picks related stories by them.
    keys = {caching.article_key(article.pk), *(caching.tag_key(t.pk) for t in article.tag_list)}
    return caching.cacheable(response, keys)


class ArticleListView(ListView):
    """Newest-first, paginated list of live articles belonging to one thing (section, tag…)."""

    paginate_by = PER_PAGE
    template_name = "articles/article_list.html"
    context_object_name = "articles"
    kind = ""
    # Lists of up to this many articles (a tag's, an author's, picked by a join) are fetched
    # whole and sorted: walking every live article newest first until a page of them turns up
    # took 18 ms for an author with one story in 200 at 100 000 articles, sorting theirs 3 ms.
    # Longer lists are common enough among the newest for the walk to find a page sooner.
    sort_up_to = 0

    def get_owner(self):
        raise NotImplementedError

    def owner_keys(self) -> set[str]:
        raise NotImplementedError

    def filter_articles(self, queryset):
        raise NotImplementedError

    def get_queryset(self):
        self.owner = self.get_owner()
        articles = Article.objects.live().for_cards().card_columns_only().newest_first()
        return self.filter_articles(articles)

    def paginate_queryset(self, queryset, page_size):
        paginator = Paginator(queryset, page_size)
        if paginator.count <= self.sort_up_to:
            paginator.object_list = queryset.newest_first_by_sorting()
        page = requested_page_of(self.request, paginator)
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        slug = {"slug": self.owner.slug}
        feeds = {
            "rss": reverse(f"articles:{self.kind}_feed_rss", kwargs=slug),
            "atom": reverse(f"articles:{self.kind}_feed_atom", kwargs=slug),
        }
        return super().get_context_data(owner=self.owner, kind=self.kind, feeds=feeds, **kwargs)

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        return caching.cacheable(response, self.owner_keys())


class CorrectionsView(ListView):
    """Every correction and clarification on a live article, newest first."""

    paginate_by = PER_PAGE
    template_name = "articles/corrections.html"
    context_object_name = "entries"

    def get_queryset(self):
        return corrections.archive()

    def paginate_queryset(self, queryset, page_size):
        page = paginate(self.request, queryset, page_size)
        return page.paginator, page, page.object_list, page.has_other_pages()

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        return caching.cacheable(response, {caching.LATEST, caching.CORRECTIONS})


class SectionView(ArticleListView):
    kind = "section"

    def get_owner(self):
        # The navigation already holds every section; reuse it instead of another query.
        for section in Section.objects.navigation():
            if section.slug == self.kwargs["slug"]:
                return section
        raise Http404("No such section.")

    def filter_articles(self, queryset):
        return queryset.filter(section=self.owner)

    def owner_keys(self) -> set[str]:
        return {caching.section_key(self.owner.pk)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(current_section_slug=self.owner.slug, **kwargs)


class TagView(ArticleListView):
    kind = "tag"
    sort_up_to = 2000

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # A tag merged into another (articles/tags.py): its old page moved for good.
            moved = TagRedirect.objects.select_related("tag").filter(old_slug=kwargs["slug"])
            if not moved:
                raise
            return redirect("articles:tag", slug=moved[0].tag.slug, permanent=True)

    def get_owner(self):
        # A tag or author with nothing live has no page: its name could give a story away.
        return get_object_or_404(Article.objects.live().tags(), slug=self.kwargs["slug"])

    def filter_articles(self, queryset):
        return queryset.filter(tags=self.owner)

    def owner_keys(self) -> set[str]:
        return {caching.tag_key(self.owner.pk)}


class AuthorView(ArticleListView):
    kind = "author"
    sort_up_to = 2000
    template_name = "articles/author_detail.html"

    def get_owner(self):
        authors = Article.objects.live().authors().select_related("photo")
        return get_object_or_404(authors, slug=self.kwargs["slug"])

    def filter_articles(self, queryset):
        return queryset.filter(authors=self.owner)

    def owner_keys(self) -> set[str]:
        return {caching.author_key(self.owner.pk)}


def search_results(request):
    """Live articles matching ?q=, best first, with highlighted snippets; empty without q."""
    form = search.SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page_obj = None
    if query:
        page_obj = paginate(request, search.search(query), PER_PAGE)
        page_obj.object_list = list(page_obj.object_list)
        search.add_snippets(page_obj.object_list, query)
    response = render(
        request,
        "articles/search.html",
        {"form": form, "query": query, "page_obj": page_obj, "result_limit": search.MAX_RESULTS},
    )
    # Any live article may match: every change to one purges it, and it lives a minute at most.
    return caching.cacheable(response, {caching.LATEST}, seconds=SEARCH_CACHE_SECONDS)


@caching.cached_page(lambda request: {caching.LATEST}, seconds=NEWS_SITEMAP_CACHE_SECONDS)
def news_sitemap(request):
    """Google News sitemap: what was published in the last 48 hours."""
    head, tail = article_address_parts()
    publication = (
        f"<news:publication><news:name>{escape(settings.SITE_NAME)}</news:name>"
        f"<news:language>{settings.LANGUAGE_CODE.split('-')[0]}</news:language>"
        "</news:publication>"
    )
    zone = timezone.get_current_timezone()
    return sitemap_response(
        "urlset",
        "".join(
            f"<url><loc>{head}{escape(slug)}{tail}</loc><news:news>{publication}"
            f"<news:publication_date>{published.astimezone(zone).isoformat()}"
            f"</news:publication_date><news:title>{escape(headline)}</news:title>"
            "</news:news></url>\n"
            for slug, headline, published in sitemaps.news_articles()
        ),
        namespaces=' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"',
    )


@x_robots_tag
def sitemap_index(request):
    """Every article sitemap page with its own newest change, then the sections, tags and
    authors, whose lists change only when a live article does (so the newest change of any
    is never earlier than theirs)."""
    pages = sitemaps.article_pages()
    newest = max((lastmod for _, lastmod in pages if lastmod), default=None)
    articles = sitemaps.article_sitemap_url(1)  # reversed once: the index names hundreds
    entries = [(sitemaps.paged(articles, number), lastmod) for number, lastmod in pages]
    for name, sitemap in SITEMAPS.items():
        location = reverse("articles:sitemap_section", kwargs={"section": name})
        entries += [
            (sitemaps.paged(location, number), newest)
            for number in range(1, sitemap().page_count() + 1)
        ]
    site, zone = escape(settings.SITE_URL), timezone.get_current_timezone()
    return sitemap_response(
        "sitemapindex",
        "".join(
            f"<sitemap><loc>{site}{escape(location)}</loc>"
            + (f"<lastmod>{lastmod.astimezone(zone).isoformat()}</lastmod>" if lastmod else "")
            + "</sitemap>\n"
            for location, lastmod in entries
        ),
    )


@x_robots_tag
def article_sitemap(request):
    """One page of live articles (?p=, from 1), by id: a page that lists none is a 404, but
    the first, which the index always names."""
    number = requested_page(request, "p")
    rows = sitemaps.article_page(number)
    if not rows and number > 1:
        raise Http404("No such page.")
    head, tail = article_address_parts()
    return sitemap_response(
        "urlset",
        "".join(
            f"<url><loc>{head}{escape(slug)}{tail}</loc>"
            f"<lastmod>{changed.isoformat()}</lastmod></url>\n"
            for slug, changed in rows
        ),
    )


def article_address_parts() -> tuple[str, str]:
    """An article's absolute address, escaped for XML, around its slug: reversed once for a
    sitemap of hundreds of articles, not once per article."""
    head, _, tail = reverse("articles:article", kwargs={"slug": "x"}).rpartition("x")
    return escape(settings.SITE_URL + head), escape(tail)


def sitemap_response(root: str, entries: str, namespaces: str = "") -> HttpResponse:
    """A sitemap or sitemap index holding `entries`. Built without a template: a page holds
    hundreds of entries, and the template language costs more per entry than the database."""
    return HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<{root} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"{namespaces}>\n'
        f"{entries}</{root}>\n",
        content_type="application/xml; charset=utf-8",
    )


def shared_preview(request, token: str):
    """An unpublished article shown to whoever holds a share link (signed, expiring, revocable).

    Never indexed and never cached: the draft may change or the link be withdrawn at any time.
    A tampered link gives 404 and an expired or withdrawn one 410, each with an explanation.
    """
    try:
        link = sharing.resolve_share_token(token)
    except sharing.ShareLinkInvalid:
        response = render(
            request,
            "articles/share_unavailable.html",
            {
                "reason": gettext(
                    "This preview link is not valid. Check that it was copied in full."
                )
            },
            status=404,
        )
    except sharing.ShareLinkGone as gone:
        response = render(
            request, "articles/share_unavailable.html", {"reason": str(gone)}, status=410
        )
    else:
        if Article.objects.live().filter(pk=link.article_id).exists():
            return redirect(link.article)
        return render_preview(request, link.article_id)
    return private_noindex(response)


def render_preview(request, article_id: int) -> HttpResponse:
    """Any article, whatever its status, in the site's own template, marked as a preview.

    Callers decide who may see it (the admin's permission checks, or a valid share link).
    """
    article = Article.objects.for_cards().prefetch_related("tags").get(pk=article_id)
    embargoed = article.embargo_until is not None and article.embargo_until > timezone.now()
    context = {
        "article": article,
        "related": [],
        "record": corrections.for_page(article),
        "preview": True,
        "embargoed": embargoed,
    }
    return private_noindex(render(request, "articles/article_detail.html", context))


def private_noindex(response: HttpResponse) -> HttpResponse:
    """Never indexed, never stored by a cache: the draft may change or the link be withdrawn."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    add_never_cache_headers(response)
    patch_cache_control(response, private=True, no_store=True)
    return response
