from django.db import models
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Prefetch,
    Q,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import RowNumber
from django.utils import timezone


class ArticleQuerySet(models.QuerySet):
    def live(self, now=None) -> "ArticleQuerySet":
        """What readers may see: published, or scheduled with a publish time that has passed.

        Every public surface goes through this method; nothing else decides visibility.
        """
        now = now or timezone.now()
        return self.filter(
            Q(status=self.model.Status.PUBLISHED)
            | Q(status=self.model.Status.SCHEDULED, publish_at__lte=now)
        )

    def newest_first(self) -> "ArticleQuerySet":
        return self.order_by("-publish_at", "-pk")

    def for_cards(self) -> "ArticleQuerySet":
        """Everything a story card shows, in a fixed number of queries whatever the count."""
        return self.for_cards_without_prefetch().prefetch_related(*card_prefetches())

    def for_cards_without_prefetch(self) -> "ArticleQuerySet":
        """The rows of `for_cards`; `with_card_data` then fetches the rest for several lists."""
        # The search vector is several kilobytes per article and never read in Python.
        return self.select_related("section", "hero_image").defer("search_vector")

    def latest_per_section(self, per_section: int) -> "ArticleQuerySet":
        """The newest `per_section` articles of every section, in one query."""
        ranked = self.annotate(
            section_rank=models.Window(
                RowNumber(),
                partition_by=F("section_id"),
                order_by=(F("publish_at").desc(), F("pk").desc()),
            )
        )
        return ranked.filter(section_rank__lte=per_section)

    def related_to(self, article, limit: int = 4) -> "ArticleQuerySet":
        """Articles sharing the most tags with `article`; same section breaks ties."""
        tag_ids = [tag.pk for tag in article.tags.all()]
        if not tag_ids:
            return self.none()
        return (
            self.exclude(pk=article.pk)
            .filter(tags__in=tag_ids)
            .annotate(
                shared_tags=Count("tags", distinct=True),
                same_section=Case(
                    When(section_id=article.section_id, then=Value(1)),
                    default=Value(0),
                    output_field=IntegerField(),
                ),
            )
            .order_by("-shared_tags", "-same_section", "-publish_at", "-pk")[:limit]
        )


def card_prefetches() -> tuple:
    from .models import Byline

    return (
        Prefetch("bylines", queryset=Byline.objects.select_related("author").order_by("position")),
        "hero_image__renditions",
    )


def with_card_data(articles: list) -> list:
    """Bylines and photo renditions for articles fetched by separate queries, in one query each
    (an article page and its related stories share them)."""
    prefetch_related_objects(articles, *card_prefetches())
    return articles
