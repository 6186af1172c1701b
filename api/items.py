"""Each article's ninjs item as JSON bytes, rendered once and kept until what it shows changes.

A list page is twenty full articles; rendering them (the rows, their tags, bylines, photo and
corrections, then the XHTML and text bodies and the JSON) cost twice an HTML article page.
So the rows a page needs are first read as ids and versions only, and each item is looked up
in the page cache's fragments (`newsroom.pagecache`): its name holds the article's id, version
and last change and everything outside the article that it prints (the base URL, the
copyright holder, the site's address and language, where media is served from); it is kept
with the generation tokens of the keys it shows (the article, its section, tags and authors,
and `nav`, which a section's rename purges). Every change that purges those keys for the
pages (edits, corrections, renamed tags or authors, a photo's new credit) retires the item
too, on every app server sharing the cache. Only the missing items are rendered, in one batch
of queries.

Visibility is not cached: the ids come from `Article.objects.live()` on every request, so an
unpublished article is gone from the list and answers 404 whatever is kept.
"""

import hashlib
import json
import time
from collections.abc import Iterable

from django.conf import settings

from articles import caching
from articles.models import Article
from newsroom import pagecache

from .ninjs import article_to_ninjs, base_url

JSON_OPTIONS = {"ensure_ascii": False}
# What an item is told apart by, besides its context: read with the ids, in the same query.
STAMP_FIELDS = ("pk", "version", "updated_at")


def articles():
    """Live articles with everything `article_to_ninjs` reads, in a fixed number of queries."""
    return Article.objects.live().for_cards().prefetch_related("tags", "corrections").newest_first()


def item_keys(article: Article) -> set[str]:
    """The page cache keys of what an item shows (tags and bylines loaded)."""
    return {
        caching.NAV,
        caching.article_key(article.pk),
        caching.section_key(article.section_id),
        *(caching.tag_key(tag.pk) for tag in article.tags.all()),
        *(caching.author_key(author.pk) for author in article.byline_authors),
    }


def _context(base: str) -> str:
    """A digest of what an item prints that no purge announces: settings and the base URL."""
    shown = (
        base,
        settings.SITE_URL,
        settings.API_COPYRIGHT_HOLDER,
        settings.LANGUAGE_CODE,
        settings.MEDIA_URL,
        # Where media is served from (a bucket's custom domain) is set here too.
        settings.STORAGES,
    )
    return hashlib.md5(repr(shown).encode(), usedforsecurity=False).hexdigest()


def _name(pk: int, version: int, updated_at, context: str) -> str:
    return f"ninjs:{pk}:{version}:{updated_at.timestamp()}:{context}"


def items(stamps: Iterable[tuple], request_or_base_url) -> list[tuple[frozenset[str], bytes]]:
    """The (keys, JSON) of the live articles `stamps` names (`STAMP_FIELDS` rows), in order:
    kept items where no purge touched them, the others rendered in one batch and kept."""
    base = base_url(request_or_base_url)
    context = _context(base)
    names = {stamp[0]: _name(*stamp, context) for stamp in stamps}
    kept = pagecache.fragments(names.values())
    found = {pk: kept[name] for pk, name in names.items() if name in kept}
    missing = [pk for pk in names if pk not in found]
    if missing:
        started = time.time()
        for article in articles().filter(pk__in=missing):
            keys = frozenset(item_keys(article))
            content = json.dumps(article_to_ninjs(article, base), **JSON_OPTIONS).encode()
            found[article.pk] = (keys, content)
            # Kept under the version rendered, which an edit since the ids were read moved on.
            name = _name(article.pk, article.version, article.updated_at, context)
            pagecache.keep_fragment(name, content, keys, started)
    # An article unpublished between the two queries is left out.
    return [found[pk] for pk in names if pk in found]
