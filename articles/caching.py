"""What each public page shows, as cache keys, and what each change purges.

A page names what it lists: `nav` (the section list on every page); `latest` (any list of all
live articles: home, the main feeds, sitemaps, search); `article-<id>` (an article's own page);
`section-<id>`, `tag-<id>`, `author-<id>` (their pages and feeds; for tags also the article
pages that show them and pick related stories by them); `sitemaps` (the lists of every tag and
author). A change to an article purges every key of the lists it is or was on
(`article_keys`); a change to what articles display (an author's name, a photo) purges the keys
of those articles. So a page carries a handful of keys, and a cache hit checks only those.

No cached page outlives the next scheduled publication or embargo end (`next_publish_at`): a
scheduled or embargoed story appears on time with no job, because every page's lifetime ends
at that second.
"""

import functools
import uuid
from collections.abc import Iterable
from datetime import datetime

from django.core.cache import cache
from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone
from taggit.models import TaggedItem

from newsroom import pagecache

from .models import Article, Byline

NAV = "nav"
LATEST = "latest"
SITEMAPS = "sitemaps"
CORRECTIONS = "corrections"  # the corrections archive and its feeds
# Statuses in which an article is, was or is about to be on a public page.
PUBLIC_STATUSES = {Article.Status.PUBLISHED, Article.Status.SCHEDULED}
NEXT_PUBLISH_KEY = "articles:next-publish-at"
SCHEDULE_VERSION_KEY = "articles:schedule-version"


def article_key(pk) -> str:
    return f"article-{pk}"


def section_key(pk) -> str:
    return f"section-{pk}"


def tag_key(pk) -> str:
    return f"tag-{pk}"


def author_key(pk) -> str:
    return f"author-{pk}"


def article_keys(article_ids: Iterable[int]) -> set[str]:
    """Every key whose pages show, or may list, these articles as the database has them now."""
    ids = list(article_ids)
    if not ids:
        return set()
    keys = {LATEST} | {article_key(pk) for pk in ids}
    keys.update(
        section_key(pk)
        for pk in Article.objects.filter(pk__in=ids).values_list("section_id", flat=True)
    )
    keys.update(
        tag_key(pk)
        for pk in TaggedItem.objects.filter(
            content_type__app_label="articles", content_type__model="article", object_id__in=ids
        ).values_list("tag_id", flat=True)
    )
    keys.update(
        author_key(pk)
        for pk in Byline.objects.filter(article_id__in=ids).values_list("author_id", flat=True)
    )
    return keys


def purge_articles(
    article_ids: Iterable[int], *, also: Iterable[str] = (), withdraw: bool = False
) -> None:
    """Purge every page showing these articles (and the `also` keys of their former state).
    `withdraw`: they were taken off the site (unpublished, deleted, moved to a new address), so
    their old pages must never come back, not even as the last good copy on an error."""
    keys = article_keys(article_ids) | set(also)
    schedule_changed()
    pagecache.purge(keys, withdraw=withdraw)


def purge_shown(articles, *, also: Iterable[str] = ()) -> None:
    """Something these articles display changed (a byline's name, a photo): purge their pages."""
    public = articles.filter(status__in=PUBLIC_STATUSES).values_list("pk", flat=True)
    pagecache.purge(article_keys(public) | set(also))


def public_article_ids(article_ids: Iterable[int]) -> list[int]:
    """Those of `article_ids` that are published or scheduled: only they are on public pages."""
    return list(
        Article.objects.filter(pk__in=list(article_ids), status__in=PUBLIC_STATUSES).values_list(
            "pk", flat=True
        )
    )


def schedule_changed() -> None:
    """A publish time or status may have moved: look the next scheduled publication up again,
    now and once the transaction commits (readers then see the committed rows)."""
    if not pagecache.purging():
        return
    _look_up_next_publish(_new_schedule_version())
    transaction.on_commit(lambda: _look_up_next_publish(_new_schedule_version()))


def next_publish_at() -> datetime | None:
    """When an article next becomes visible (None if none will): the next scheduled
    publication or the end of an embargo on a published or scheduled one, from the cache
    while no schedule has changed since it was looked up and that time has not come."""
    known = cache.get_many([NEXT_PUBLISH_KEY, SCHEDULE_VERSION_KEY])
    version = known.get(SCHEDULE_VERSION_KEY)
    if version is None:
        cache.add(SCHEDULE_VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(SCHEDULE_VERSION_KEY)
    looked_up = known.get(NEXT_PUBLISH_KEY)
    if looked_up is not None:
        seen_version, when = looked_up
        if seen_version == version and (when is None or when > timezone.now()):
            return when
    return _look_up_next_publish(version)


def _new_schedule_version() -> str:
    # A lookup made under an older version (perhaps from rows read before this change
    # committed) no longer counts.
    version = uuid.uuid4().hex
    cache.set(SCHEDULE_VERSION_KEY, version, None)
    return version


def _look_up_next_publish(version: str) -> datetime | None:
    now = timezone.now()
    scheduled = Article.objects.filter(
        status=Article.Status.SCHEDULED, publish_at__gt=now, publication_hold=""
    ).order_by("publish_at")
    # A published (or due) article under an embargo appears when the embargo ends.
    embargoed = Article.objects.filter(status__in=PUBLIC_STATUSES, embargo_until__gt=now).order_by(
        "embargo_until"
    )
    # Both in one query (each a walk down an index), beside any one row: no row, no article.
    found = (
        Article.objects.order_by()
        .annotate(
            scheduled=Subquery(scheduled.values("publish_at")[:1]),
            embargo_ends=Subquery(embargoed.values("embargo_until")[:1]),
        )
        .values_list("scheduled", "embargo_ends")
        .first()
    )
    when = min((at for at in found or () if at is not None), default=None)
    cache.set(NEXT_PUBLISH_KEY, (version, when), None)
    return when


def cacheable(response, keys: Iterable[str], *, seconds: int | None = None):
    """Mark a public page for the page cache: it shows `keys` and the navigation, and lives no
    later than the next scheduled publication."""
    return pagecache.cacheable(response, {NAV, *keys}, until=next_publish_at(), seconds=seconds)


def cached_page(keys_for, *, seconds: int | None = None):
    """Decorate a view whose keys do not depend on its data: `keys_for(request, **kwargs)`."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            if response.status_code != 200:
                return response
            return cacheable(response, keys_for(request, **kwargs), seconds=seconds)

        return wrapper

    return decorator
