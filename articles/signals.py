"""Cache invalidation only: every change a reader could see purges the pages that show it.

The keys each change purges are named in articles/caching.py. Workflow transitions update
rows without `save()`, so articles/workflow.py calls `caching.purge_articles` itself.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from taggit.models import Tag

from newsroom import pagecache

from . import caching
from .models import Article, Author, Byline, Image, Rendition, Section


def forget_nav_sections(**kwargs) -> None:
    Section.objects.forget_navigation()
    # Every page lists the sections.
    pagecache.purge([caching.NAV])


def remember_article_keys(sender, instance: Article, raw=False, **kwargs) -> None:
    """What the article's pages were before this save: a new section, slug or status must
    purge the old ones too."""
    instance._keys_before = set()
    instance._public_slug_before = None
    if raw or instance.pk is None:
        return
    public = Article.objects.filter(pk=instance.pk, status__in=caching.PUBLIC_STATUSES)
    instance._public_slug_before = public.values_list("slug", flat=True).first()
    if instance._public_slug_before is not None:
        instance._keys_before = caching.article_keys([instance.pk])


def purge_saved_article(sender, instance: Article, raw=False, **kwargs) -> None:
    before = getattr(instance, "_keys_before", set())
    if before or instance.status in caching.PUBLIC_STATUSES:
        slug_before = getattr(instance, "_public_slug_before", None)
        withdrawn = slug_before is not None and (
            instance.status not in caching.PUBLIC_STATUSES or instance.slug != slug_before
        )
        caching.purge_articles([instance.pk], also=before, withdraw=withdrawn)


def purge_deleted_article(sender, instance: Article, **kwargs) -> None:
    if caching.public_article_ids([instance.pk]):
        caching.purge_articles([instance.pk], withdraw=True)


def purge_retagged_article(sender, instance, action, pk_set=None, **kwargs) -> None:
    if not isinstance(instance, Article) or action not in {"post_add", "post_remove", "pre_clear"}:
        return
    if caching.public_article_ids([instance.pk]):
        caching.purge_articles([instance.pk], also={caching.tag_key(pk) for pk in pk_set or ()})


def purge_rebylined_article(sender, instance: Byline, raw=False, **kwargs) -> None:
    if not raw and caching.public_article_ids([instance.article_id]):
        caching.purge_articles([instance.article_id], also={caching.author_key(instance.author_id)})


def purge_tag(sender, instance: Tag, **kwargs) -> None:
    pagecache.purge([caching.tag_key(instance.pk), caching.SITEMAPS])


def purge_author(sender, instance: Author, raw=False, **kwargs) -> None:
    if not raw:
        caching.purge_shown(
            Article.objects.filter(bylines__author=instance),
            also={caching.author_key(instance.pk), caching.SITEMAPS},
        )


def purge_photo(image_id: int) -> None:
    """Pages show a photo on its articles' cards and pages and on its author's page."""
    authors = Author.objects.filter(photo_id=image_id).values_list("pk", flat=True)
    caching.purge_shown(
        Article.objects.filter(hero_image_id=image_id),
        also={caching.author_key(pk) for pk in authors},
    )


def purge_image(sender, instance: Image, raw=False, **kwargs) -> None:
    if not raw:
        purge_photo(instance.pk)


def purge_rendition(sender, instance: Rendition, raw=False, **kwargs) -> None:
    if not raw:
        purge_photo(instance.image_id)


# Connected by ArticlesConfig.ready(), in this order.
RECEIVERS = [
    (post_save, forget_nav_sections, Section),
    (post_delete, forget_nav_sections, Section),
    (pre_save, remember_article_keys, Article),
    (post_save, purge_saved_article, Article),
    (pre_delete, purge_deleted_article, Article),
    (m2m_changed, purge_retagged_article, Article.tags.through),
    (post_save, purge_rebylined_article, Byline),
    (post_delete, purge_rebylined_article, Byline),
    (post_save, purge_tag, Tag),
    (post_delete, purge_tag, Tag),
    (post_save, purge_author, Author),
    (pre_delete, purge_author, Author),
    (post_save, purge_image, Image),
    (pre_delete, purge_image, Image),
    (post_save, purge_rendition, Rendition),
    (post_delete, purge_rendition, Rendition),
]
