"""Keeping each article's search vector current: the weighted vector (headline A, standfirst
B, tags and section C, body text D) as one SQL expression, and the receivers that recompute
it when an article, its tags or its section change. PostgreSQL only; a no-op elsewhere."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import (
    SearchVector,
)
from django.db import connection
from django.db.models import (
    F,
    Func,
    OuterRef,
    Subquery,
    TextField,
    Value,
)
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from taggit.models import Tag, TaggedItem

from ..models import Article, Section


def body_text():
    """The body as plain text, in SQL: tags become spaces and the sanitiser's entities text."""
    text = Func(
        F("body"),
        Value("<[^>]*>"),
        Value(" "),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )
    # The sanitiser (nh3) only ever writes these entities.
    for entity, character in (
        ("&nbsp;", " "),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", '"'),
        ("&#39;", "'"),
        ("&amp;", "&"),
    ):
        text = Func(
            text, Value(entity), Value(character), function="replace", output_field=TextField()
        )
    return text


def vector_expression():
    """The weighted search vector of an article row, for an UPDATE on the articles table."""
    config = settings.SEARCH_CONFIG
    tag_names = (
        TaggedItem.objects.filter(
            content_type_id=ContentType.objects.get_for_model(Article).pk,
            object_id=OuterRef("pk"),
        )
        .order_by()
        .values("object_id")
        .annotate(names=StringAgg("tag__name", delimiter=" "))
        .values("names")
    )
    section_name = Section.objects.filter(pk=OuterRef("section_id")).values("name")
    return (
        SearchVector("headline", weight="A", config=config)
        + SearchVector("standfirst", weight="B", config=config)
        + SearchVector(Subquery(tag_names), Subquery(section_name), weight="C", config=config)
        + SearchVector(body_text(), weight="D", config=config)
    )


def update_search_vectors(articles) -> int:
    """Recompute the vectors of `articles` (a queryset) in one UPDATE; no-op off PostgreSQL."""
    if connection.vendor != "postgresql":
        return 0
    return articles.order_by().update(search_vector=vector_expression())


# Receivers, connected in ArticlesConfig.ready(). Each issues one UPDATE in the saving
# transaction, so the vector commits or rolls back with the change that caused it.


def index_saved_article(sender, instance: Article, **kwargs) -> None:
    update_search_vectors(Article.objects.filter(pk=instance.pk))


def index_retagged_article(sender, instance, action: str, **kwargs) -> None:
    if isinstance(instance, Article) and action in {"post_add", "post_remove", "post_clear"}:
        update_search_vectors(Article.objects.filter(pk=instance.pk))


def index_renamed_tag(sender, instance: Tag, created: bool = False, **kwargs) -> None:
    if not created:
        update_search_vectors(Article.objects.filter(tags=instance))


def remember_tagged_articles(sender, instance: Tag, **kwargs) -> None:
    if connection.vendor != "postgresql":
        return
    instance._tagged_article_ids = list(
        Article.objects.filter(tags=instance).values_list("pk", flat=True)
    )


def index_untagged_articles(sender, instance: Tag, **kwargs) -> None:
    article_ids = getattr(instance, "_tagged_article_ids", [])
    if article_ids:
        update_search_vectors(Article.objects.filter(pk__in=article_ids))


def index_renamed_section(sender, instance: Section, created: bool = False, **kwargs) -> None:
    if not created:
        update_search_vectors(Article.objects.filter(section=instance))


# Connected by ArticlesConfig.ready(), in this order.
RECEIVERS = [
    (post_save, index_saved_article, Article),
    (m2m_changed, index_retagged_article, TaggedItem),
    (post_save, index_renamed_tag, Tag),
    (pre_delete, remember_tagged_articles, Tag),
    (post_delete, index_untagged_articles, Tag),
    (post_save, index_renamed_section, Section),
]
