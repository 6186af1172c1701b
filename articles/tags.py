"""Tags as editors expect them: commas separate, spaces never; letter case does not make a
new tag; duplicates can be merged, and the merged tag's page redirects to the one kept."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from taggit.models import Tag, TaggedItem

from . import caching, search
from .models import Article, TagRedirect


def parse_tag_names(text: str) -> list[str]:
    """ "Flood defences, hong kong" → ["Flood defences", "hong kong"]: only commas separate
    (taggit's own parser splits on spaces when there is no comma). Repeats, in any letter
    case, are dropped."""
    names, seen = [], set()
    for part in (text or "").split(","):
        name = " ".join(part.split())
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return names


def tag_named(name: str) -> Tag | str:
    """The existing tag with this name in any letter case, or the name to create it with."""
    return Tag.objects.filter(name__iexact=name).order_by("pk").first() or name


@transaction.atomic
def merge_tags(keep: Tag, others: list[Tag]) -> int:
    """Move every article tagged with one of `others` to `keep`, delete `others`, and leave a
    redirect from each old tag page. Returns how many articles were moved.

    Taggings are moved row by row, which sends no m2m_changed: the articles' search vectors
    and the pages of the articles and the kept tag are brought up to date here."""
    article_type = ContentType.objects.get_for_model(Article)
    tagged = set(
        TaggedItem.objects.filter(tag=keep, content_type=article_type).values_list(
            "object_id", flat=True
        )
    )
    moved = 0
    retagged = set()
    for other in others:
        if other.pk == keep.pk:
            continue
        for item in TaggedItem.objects.filter(tag=other):
            if item.content_type_id == article_type.pk:
                retagged.add(item.object_id)
            if item.content_type_id == article_type.pk and item.object_id in tagged:
                item.delete()
                continue
            item.tag = keep
            item.save(update_fields=["tag"])
            tagged.add(item.object_id)
            moved += 1
        TagRedirect.objects.filter(tag=other).update(tag=keep)
        TagRedirect.objects.update_or_create(old_slug=other.slug, defaults={"tag": keep})
        other.delete()
    TagRedirect.objects.filter(old_slug=keep.slug).delete()
    search.update_search_vectors(Article.objects.filter(pk__in=retagged))
    caching.purge_articles(
        caching.public_article_ids(retagged), also={caching.tag_key(keep.pk), caching.SITEMAPS}
    )
    return moved
