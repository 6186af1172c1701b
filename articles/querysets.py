from django.contrib.contenttypes.models import ContentType
from django.db import connections, models
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from taggit.models import Tag, TaggedItem

# Related stories are picked among the newest this many articles (by id) of each of a story's
# tags, so that a common tag costs no more than a rare one.
RELATED_CANDIDATES_PER_TAG = 100

# Sitemaps list live articles by pages of this many consecutive ids (articles/sitemaps.py), and
# an index on (sitemap_page(), modified_at()) holds each page's changes: changing the number
# changes that index, so it needs a migration.
ARTICLES_PER_SITEMAP = 500


# What `card_columns_only` loads: the card's own fields (templates/articles/_card.html), its
# section (the home page also orders blocks by its position) and its photo.
CARD_COLUMNS = (
    *("id", "slug", "headline", "standfirst", "publish_at", "section_id", "hero_image_id"),
    *("section__id", "section__name", "section__slug", "section__position"),
    *("hero_image__id", "hero_image__file", "hero_image__width", "hero_image__height"),
    "hero_image__alt_text",
)


def modified_at():
    """Article.modified_at in SQL, for aggregates and indexes."""
    return Greatest("updated_at", Coalesce("first_published_at", "publish_at", "updated_at"))


def sitemap_page():
    """The sitemap page an article is listed on, counted from 0 (ids 0 to 499 on the first)."""
    return F("id") / ARTICLES_PER_SITEMAP


class ArticleQuerySet(models.QuerySet):
    def live(self, now=None) -> "ArticleQuerySet":
        """What readers may see: published, or scheduled with a publish time that has passed
        and no publication hold (articles/holds.py); in both cases, only once any embargo
        has ended, however the article got its status.

        Every public surface goes through this method; nothing else decides visibility.
        """
        now = now or timezone.now()
        return self.filter(
            Q(status=self.model.Status.PUBLISHED)
            | Q(status=self.model.Status.SCHEDULED, publish_at__lte=now, publication_hold=""),
            Q(embargo_until__isnull=True) | Q(embargo_until__lte=now),
        )

    def tags(self) -> models.QuerySet:
        """The tags these articles carry: `live().tags()` are the tags readers may see."""
        return Tag.objects.filter(pk__in=self.values("tags"))

    def authors(self) -> models.QuerySet:
        """The authors with a byline on these articles: `live().authors()` for readers."""
        author_model = self.model._meta.get_field("authors").related_model
        return author_model.objects.filter(pk__in=self.values("authors"))

    def newest_first(self) -> "ArticleQuerySet":
        return self.order_by("-publish_at", "-pk")

    def newest_first_by_sorting(self) -> "ArticleQuerySet":
        """`newest_first`, ordered by an expression no index holds: for a few articles picked
        by a join, PostgreSQL then fetches them and sorts them rather than walking every live
        article newest first until enough of them turn up."""
        return self.order_by(Coalesce("publish_at", "publish_at").desc(), "-pk")

    def for_cards(self) -> "ArticleQuerySet":
        """Everything a story card shows, in a fixed number of queries whatever the count."""
        return self.for_cards_without_prefetch().prefetch_related(*card_prefetches(self.model))

    def for_cards_without_prefetch(self) -> "ArticleQuerySet":
        """The rows of `for_cards`; `with_card_data` then fetches the rest for several lists."""
        # The search vector is several kilobytes per article and never read in Python.
        return self.select_related("section", "hero_image").defer("search_vector")

    def card_columns_only(self) -> "ArticleQuerySet":
        """Only the columns a story card shows (and lists sort by): a list of cards reads no
        body, SEO fields or workflow columns, and building the query and the rows of half as
        many columns costs a sixth less."""
        return self.only(*CARD_COLUMNS)

    def newest_ids_per_section(self, per_section: int) -> list[int]:
        """Ids of the newest `per_section` articles of each section, in one query.

        One row per section holding `per_section` correlated subqueries (newest, second
        newest…), each a short walk down the publish-time index: the cost follows the number
        of sections, not of articles (a window over every live article took 170 ms at 100 000).
        """
        sections = self.model._meta.get_field("section").related_model.objects.order_by()
        newest = self.filter(section=OuterRef("pk")).order_by("-publish_at", "-pk").values("pk")
        names = [f"newest_{rank}" for rank in range(per_section)]
        rows = sections.annotate(
            **{name: Subquery(newest[rank : rank + 1]) for rank, name in enumerate(names)}
        ).values_list(*names)
        return [pk for row in rows for pk in row if pk is not None]

    def related_to(self, article, limit: int = 4) -> "ArticleQuerySet":
        """Articles sharing the most tags with `article`; same section breaks ties.

        The candidates are the newest RELATED_CANDIDATES_PER_TAG articles (by id) carrying
        each of its tags, each tag's a short walk down the (tag, article) index of migration
        0014: ranking every article that shares a tag read 5 000 tagged items and joined them
        to 100 000 articles for a story with six common tags (130 ms). Databases that cannot
        limit each part of a UNION (SQLite) rank them all.
        """
        tag_ids = [tag.pk for tag in article.tag_list]
        if not tag_ids:
            return self.none()
        others = self.exclude(pk=article.pk)
        related = others.filter(tags__in=tag_ids)
        if connections[self.db].features.supports_slicing_ordering_in_compound:
            # Each tag's newest candidates among `self` (live articles, for readers), not among
            # every tagged article: drafts tagged by the wire desk must not crowd them out.
            tagged = (
                TaggedItem.objects.filter(
                    Exists(others.filter(pk=OuterRef("object_id"))),
                    content_type=ContentType.objects.get_for_model(self.model),
                )
                .order_by("-object_id")
                .values("object_id")
            )
            newest = [tagged.filter(tag_id=pk)[:RELATED_CANDIDATES_PER_TAG] for pk in tag_ids]
            related = related.filter(pk__in=newest[0].union(*newest[1:], all=True))
        return related.annotate(
            shared_tags=Count("tags", distinct=True),
            same_section=Case(
                When(section_id=article.section_id, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        ).order_by("-shared_tags", "-same_section", "-publish_at", "-pk")[:limit]


def card_querysets(article_model) -> tuple[models.QuerySet, models.QuerySet]:
    """What a story card shows besides the article's own row: its bylines (with their authors,
    in byline order) and its photo's renditions (narrowest first).

    The models are reached through the relations, so this module needs nothing from models.py
    (which imports it).
    """
    byline_model = article_model._meta.get_field("bylines").related_model
    image_model = article_model._meta.get_field("hero_image").related_model
    rendition_model = image_model._meta.get_field("renditions").related_model
    return (
        byline_model.objects.select_related("author").order_by("position"),
        rendition_model.objects.order_by("width"),
    )


def card_prefetches(article_model) -> tuple:
    """`card_querysets` as prefetches into plain lists: `card_bylines` on each article and
    `card_renditions` on each photo (read through `byline_authors` and `rendition_list`).

    Lists, because a prefetch into the relation's own cache builds a filtered queryset per
    object to hold its rows: with twenty cards, that cost more than the two queries.
    """
    bylines, renditions = card_querysets(article_model)
    return (
        Prefetch("bylines", queryset=bylines, to_attr="card_bylines"),
        Prefetch("hero_image__renditions", queryset=renditions, to_attr="card_renditions"),
    )


def _grouped(rows, key: str, keys) -> dict:
    """`rows` in lists by their attribute `key`, one (perhaps empty) list for each of `keys`."""
    groups: dict = {value: [] for value in keys}
    for row in rows:
        groups[getattr(row, key)].append(row)
    return groups


def with_tags(articles: list) -> list:
    """Each article's tags as `fetched_tags` (read through `tag_list`), in the order they were
    added, in one query: a plain join, cheaper than taggit's prefetch."""
    if articles:
        tagged = TaggedItem.objects.filter(
            content_type=ContentType.objects.get_for_model(type(articles[0])),
            object_id__in=[article.pk for article in articles],
        )
        items = _grouped(
            tagged.select_related("tag").order_by("pk"), "object_id", (a.pk for a in articles)
        )
        for article in articles:
            article.fetched_tags = [item.tag for item in items[article.pk]]
    return articles


def with_card_data(articles: list) -> list:
    """What `for_cards()` prefetches (`card_bylines`, `card_renditions`), for articles fetched
    by separate queries (an article page and its related stories share them), in one query
    each: plain filters on the ids, which cost a sixth less than Django's prefetch machinery
    for the same rows. The photos must be loaded (`select_related`, as `for_cards` does)."""
    if not articles:
        return articles
    bylines, renditions = card_querysets(type(articles[0]))
    ids = [article.pk for article in articles]
    by_article = _grouped(bylines.filter(article_id__in=ids), "article_id", ids)
    for article in articles:
        article.card_bylines = by_article[article.pk]
    photos = [article.hero_image for article in articles if article.hero_image_id is not None]
    if photos:
        photo_ids = {photo.pk for photo in photos}
        by_photo = _grouped(renditions.filter(image_id__in=photo_ids), "image_id", photo_ids)
        for photo in photos:
            photo.card_renditions = by_photo[photo.pk]
    return articles
