"""Sitemaps of live articles and of the sections, tags and authors that have any, plus a
Google News sitemap of the last 48 hours.

Locations use settings.SITE_URL, like the canonical links in the pages.

Live articles are listed in pages of consecutive ids (`ARTICLES_PER_SITEMAP` ids a page), so that
no response grows with the archive: a page is one walk along the primary key, and the index
finds each page's newest change with one step down an index on (page, change time). An
article never moves to another page, so a crawler re-reads only the pages whose `lastmod`
moved, which for an archive means the newest page and the few holding corrected stories.
Pages by month would not be bounded (a busy month holds thousands of stories) and pages by
position would shift whenever a story is published or withdrawn.
"""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db import connections
from django.db.models import IntegerField, Max, OuterRef, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from .models import Article, Author, Section
from .querysets import ARTICLES_PER_SITEMAP, modified_at, sitemap_page

NEWS_WINDOW = datetime.timedelta(hours=48)
# Google reads at most 1000 URLs from a news sitemap.
NEWS_LIMIT = 1000


class SiteSitemap(Sitemap):
    limit = 5000

    @property
    def protocol(self):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc

    def page_count(self) -> int:
        """The pages the index names: counting the owners with a live article reads every
        live article, so it is done only when there are more owners than fit on one page."""
        owners = self.items().model  # all of them bound the number of pages
        if owners._default_manager.count() <= self.limit:
            return 1
        return self.paginator.num_pages


def article_pages() -> list[tuple[int, datetime.datetime | None]]:
    """Each article sitemap page (numbered from 1) that lists a live article, with its newest
    change; on a site with no live article, the first page (empty, and undated), so that the
    index still names the article sitemap.

    One step down the (page, change time) index per page, in one query: the number of pages
    grows with the archive (200 at 100 000 articles), the work per page does not.
    """
    live = Article.objects.live()
    newest_id = live.aggregate(newest=Max("id"))["newest"] or 0
    newest_change = (
        live.alias(page=sitemap_page())
        .filter(page=RawSQL("pages.number", (), output_field=IntegerField()))
        .annotate(lastmod=modified_at())
        .order_by("-lastmod")
        .values("lastmod")[:1]
    )
    connection = connections[newest_change.db]
    sql, params = newest_change.query.sql_with_params()
    # What the ORM does to the column it reads (SQLite gives text where PostgreSQL gives a
    # datetime), applied to the raw query's.
    lastmod = newest_change.query.annotations["lastmod"]
    converters = connection.ops.get_db_converters(lastmod) + lastmod.get_db_converters(connection)
    with connection.cursor() as cursor:
        # Pages without a row of their own: a recursive CTE counts them, in SQLite too.
        cursor.execute(
            "WITH RECURSIVE pages(number) AS (SELECT 0 UNION ALL SELECT number + 1 FROM pages"
            f" WHERE number < %s) SELECT number, ({sql}) FROM pages",
            [newest_id // ARTICLES_PER_SITEMAP, *params],
        )
        rows = cursor.fetchall()
    pages = []
    for number, changed in rows:
        if changed is not None:
            for convert in converters:
                changed = convert(changed, lastmod, connection)
            pages.append((number + 1, changed))
    return pages or [(1, None)]


def page_of(article_id: int) -> int:
    """The article sitemap page (from 1) that lists the article with this id while it is
    live."""
    return article_id // ARTICLES_PER_SITEMAP + 1


def article_sitemap_url(number: int) -> str:
    """The address (path) of article sitemap page `number`, from 1."""
    return paged(reverse("articles:sitemap_articles"), number)


def paged(path: str, number: int) -> str:
    """The address of page `number` (from 1) of the sitemap at `path`."""
    return path if number == 1 else f"{path}?p={number}"


def article_page(number: int) -> list[tuple[str, datetime.date]]:
    """The slug and the day (in the site's time zone) of the last change of each live article
    on sitemap page `number` (from 1), in id order: one range of the primary key."""
    first_id = (number - 1) * ARTICLES_PER_SITEMAP
    return list(
        Article.objects.live()
        .filter(id__gte=first_id, id__lt=first_id + ARTICLES_PER_SITEMAP)
        .order_by("id")
        .values_list("slug", TruncDate(modified_at(), tzinfo=timezone.get_current_timezone()))
    )


def with_live_article(owners, articles: str):
    """`owners` that have a live article (`articles`: the lookup from an article to its
    owner), each found by its own subquery: a short walk down the owner's index to its first live
    article, so the cost follows the number of owners, not of articles.

    They carry no lastmod: an owner's newest change is the newest of all its articles, and no
    index holds that (the grouped join that found it read every live article: 1 s for the
    tags at 100 000 articles). The sitemap index dates these sitemaps by the newest change of
    any live article instead.
    """
    # A subquery with a LIMIT is run per owner; PostgreSQL turns an EXISTS into one hashed
    # join of every live article with every owner (250 ms for the authors).
    first_live = Article.objects.live().filter(**{articles: OuterRef("pk")}).order_by()
    return owners.alias(first_live=Subquery(first_live.values("pk")[:1])).filter(
        first_live__isnull=False
    )


class SectionSitemap(SiteSitemap):
    def items(self):
        return with_live_article(Section.objects.order_by("position", "pk"), "section")


class TagSitemap(SiteSitemap):
    def items(self):
        return with_live_article(Tag.objects.order_by("pk"), "tags")

    def location(self, item: Tag) -> str:
        return reverse("articles:tag", kwargs={"slug": item.slug})


class AuthorSitemap(SiteSitemap):
    def items(self):
        return with_live_article(Author.objects.order_by("pk"), "authors")


def news_articles() -> list[tuple[str, str, datetime.datetime]]:
    """Slug, headline and first publication of the articles first published in the last 48
    hours, newest first, for Google News (at most NEWS_LIMIT)."""
    since = timezone.now() - NEWS_WINDOW
    # publish_at is never before the first publication: its index narrows the search, and
    # an old story published again is not news.
    return list(
        Article.objects.live()
        .filter(publish_at__gte=since)
        .exclude(first_published_at__lt=since)
        .order_by("-publish_at", "-pk")
        .values_list("slug", "headline", Coalesce("first_published_at", "publish_at"))[:NEWS_LIMIT]
    )


# Articles have sitemaps of their own (`article_pages`, `article_page`).
SITEMAPS = {
    "sections": SectionSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
}
