"""Who else has an article open in the admin: a heartbeat kept in the cache, never a lock.

Each open change form checks in when it is rendered and then every ~30 seconds (static/js/
presence.js); an editor who has not checked in for PRESENCE_TTL seconds is gone. The cache is
shared by all app servers when REDIS_URL is set; with the local-memory cache presence is per
process, which is what a single development server needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.utils import timezone

PRESENCE_TTL = 90
HEARTBEAT_SECONDS = 30


@dataclass(frozen=True)
class Editor:
    user_id: int
    name: str
    since: datetime


def _key(article_id: int) -> str:
    return f"article-presence:{article_id}"


def _fresh(entries: dict, now: datetime) -> dict:
    cutoff = now - timedelta(seconds=PRESENCE_TTL)
    return {user_id: entry for user_id, entry in entries.items() if entry["seen"] >= cutoff}


def check_in(article_id: int, user) -> list[Editor]:
    """Record that `user` has the article open; return the other editors who have it open."""
    now = timezone.now()
    entries = _fresh(cache.get(_key(article_id)) or {}, now)
    mine = entries.get(user.pk)
    entries[user.pk] = {
        "name": user.get_full_name() or user.get_username(),
        "since": mine["since"] if mine else now,
        "seen": now,
    }
    # Read-modify-write without a lock: two simultaneous heartbeats may drop one entry until
    # its next beat, which is harmless for a notice that never blocks anyone.
    cache.set(_key(article_id), entries, PRESENCE_TTL)
    return others(article_id, user, entries=entries)


def check_out(article_id: int, user) -> None:
    entries = cache.get(_key(article_id)) or {}
    if entries.pop(user.pk, None) is not None:
        cache.set(_key(article_id), entries, PRESENCE_TTL)


def others(article_id: int, user, *, entries: dict | None = None) -> list[Editor]:
    if entries is None:
        entries = cache.get(_key(article_id)) or {}
    entries = _fresh(entries, timezone.now())
    return sorted(
        (
            Editor(user_id, entry["name"], entry["since"])
            for user_id, entry in entries.items()
            if user_id != user.pk
        ),
        key=lambda editor: editor.since,
    )
