"""The page cache: anonymous public pages kept whole in Django's cache, purged by key.

A view opts in with `cacheable(response, keys, until=…)`: the keys name every thing the page
shows (an article, a section, an author…), `until` is the last moment the page may be served
(the next scheduled publication). `PageCacheMiddleware` stores such responses for anonymous
readers and serves them until `purge(keys)` names one of their keys or `until` passes.

Purging is exact and costs nothing per page: each key has a generation token in the cache;
a stored page remembers the tokens of its keys, and `purge` replaces them, so every page that
named a purged key stops matching at once, on every app server sharing the cache (Redis).
The same responses carry `Cache-Control`, `ETag`/`Last-Modified` and `Surrogate-Key` for a
CDN or Varnish, and `purge` also tells those (PAGE_CACHE_PURGE_URLS) to drop the keys.

A page whose stored copy is no longer fresh is kept a while longer (PAGE_CACHE_STALE_SECONDS)
so that when rendering it fails (the database is down: a 5xx), readers get that last good
copy instead of an error; but never a copy showing something withdrawn since it was stored
(`purge(keys, withdraw=True)`: an unpublished or deleted story).

The same generations keep fragments: a part of many pages, rendered once, kept with the tokens
of the keys it shows (`keep_fragment`) and served (`fragments`) until one of them is purged.
The content API keeps each article's ninjs item this way, so a list of twenty is mostly
twenty lookups instead of twenty renders.

This module knows nothing of articles: `articles/caching.py` names the keys and fires purges.
"""

import contextlib
import contextvars
import hashlib
import logging
import time
import urllib.request
import uuid
from collections.abc import Iterable
from datetime import datetime
from http import HTTPStatus

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.db import transaction
from django.dispatch import Signal
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

logger = logging.getLogger(__name__)

# Sent after `purge(keys)`, once the surrounding transaction commits, with `keys` (a set).
pages_purged = Signal()

ATTRIBUTE = "page_cache"
PAGE_PREFIX = "page:"
GENERATION_PREFIX = "pagegen:"
WITHDRAWN_PREFIX = "pagewithdrawn:"
FRAGMENT_PREFIX = "pagefragment:"
EDGE_KEYS_PER_REQUEST = 100
# Paths that never hold a public page: no cache lookup for them.
SKIPPED_PREFIXES = ("/static/", "/media/", "/admin/")
# Requests PageCacheMiddleware answers with a 304 or 412 after comparing validators.
CONDITIONAL_HEADERS = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
)


# Set while writes that are always rolled back run (a preview): they purge nothing.
_discarding = contextvars.ContextVar("page_cache_discarding", default=False)


@contextlib.contextmanager
def discarded_changes():
    """Run writes that will be rolled back: no reader ever sees them, so no page is purged
    (a purge is applied at once, before the transaction ends, and would empty live pages)."""
    token = _discarding.set(True)
    try:
        yield
    finally:
        _discarding.reset(token)


def purging() -> bool:
    """Whether changes made now purge pages (not inside `discarded_changes`)."""
    return not _discarding.get()


def cacheable(
    response: HttpResponse,
    keys: Iterable[str],
    *,
    until: datetime | None = None,
    seconds: int | None = None,
) -> HttpResponse:
    """Mark `response` as a public page showing `keys`, fresh for at most `seconds`
    (PAGE_CACHE_SECONDS by default) and never past `until`."""
    setattr(response, ATTRIBUTE, (frozenset(keys), until, seconds))
    return response


def purge(keys: Iterable[str], *, withdraw: bool = False) -> None:
    """Every cached page showing any of `keys` is stale from now on, here and at the edge.

    Applied at once (so a test or the same request sees it) and again when the transaction
    commits (so a page rendered from the old rows in between is not kept), then announced to
    the purge URLs and to `pages_purged` receivers.

    `withdraw`: what these pages showed was taken down (unpublished, deleted, moved away), so
    no copy stored before now is ever served again, not even as the last good copy on an error.
    """
    keys = {key for key in keys if key}
    if not keys or not purging():
        return
    _new_generations(keys, withdraw)

    def after_commit() -> None:
        _new_generations(keys, withdraw)
        pages_purged.send(sender=None, keys=keys)

    transaction.on_commit(after_commit)


def _new_generations(keys: set[str], withdraw: bool = False) -> None:
    now = time.time()
    token = f"{now:.6f}-{uuid.uuid4().hex[:8]}"
    cache.set_many({GENERATION_PREFIX + key: token for key in keys}, None)
    if withdraw:
        # Kept an hour longer than any copy stored before it.
        lifetime = settings.PAGE_CACHE_STALE_SECONDS + 3600
        cache.set_many({WITHDRAWN_PREFIX + key: now for key in keys}, lifetime)


def _token_time(token: str) -> float:
    return float(token.split("-", 1)[0])


def _generations_since(keys: Iterable[str], started: float) -> dict[str, str] | None:
    """The generation token of each key, for something rendered from rows read since
    `started`; None when a key was purged meanwhile (it may show the old rows: keep nothing)."""
    names = [GENERATION_PREFIX + name for name in keys]
    generations = cache.get_many(names)
    missing = [name for name in names if name not in generations]
    for name in missing:
        # First sight of a key: a token older than any purge.
        cache.add(name, f"0-{uuid.uuid4().hex[:8]}", None)
    if missing:
        generations = cache.get_many(names)
    if len(generations) != len(names) or any(
        _token_time(token) >= started - settings.PAGE_CACHE_CLOCK_MARGIN
        for token in generations.values()
    ):
        return None
    return generations


def keep_fragment(name: str, content: bytes, keys: Iterable[str], started: float) -> bool:
    """Keep `content`, a part of pages (rendered from rows read since `started`) showing
    `keys`, until one of them is purged; False when one already was since `started`."""
    generations = _generations_since(keys, started)
    if generations is None:
        return False
    cache.set(FRAGMENT_PREFIX + name, (generations, content), settings.PAGE_CACHE_STALE_SECONDS)
    return True


def fragments(names: Iterable[str]) -> dict[str, tuple[frozenset[str], bytes]]:
    """Those of the kept fragments `names` that no purge touched since: {name: (keys,
    content)}, in two cache lookups however many are asked for."""
    kept = cache.get_many([FRAGMENT_PREFIX + name for name in names])
    current = cache.get_many({key for generations, _ in kept.values() for key in generations})
    return {
        name.removeprefix(FRAGMENT_PREFIX): (
            frozenset(key.removeprefix(GENERATION_PREFIX) for key in generations),
            content,
        )
        for name, (generations, content) in kept.items()
        if all(current.get(key) == token for key, token in generations.items())
    }


def purge_edge(keys: Iterable[str]) -> None:
    """Ask each proxy in PAGE_CACHE_PURGE_URLS to drop the pages tagged with `keys`.

    `PURGE` requests with the keys in a `Surrogate-Key` header (deploy/varnish.vcl bans on
    it), a hundred keys at most per request to stay within proxies' header limits. A proxy
    that does not answer is logged, not raised: the page cache here is already purged, and
    the proxy's copies expire after `s-maxage` at the latest.
    """
    ordered = sorted(keys)
    for url in settings.PAGE_CACHE_PURGE_URLS:
        for start in range(0, len(ordered), EDGE_KEYS_PER_REQUEST):
            header = " ".join(ordered[start : start + EDGE_KEYS_PER_REQUEST])
            request = urllib.request.Request(url, method="PURGE", headers={"Surrogate-Key": header})
            try:
                with urllib.request.urlopen(request, timeout=2) as answer:
                    answer.read()
            except OSError:
                logger.warning("Could not purge %s at %s.", header, url, exc_info=True)


def _purge_edge_receiver(sender, keys, **kwargs) -> None:
    purge_edge(keys)


pages_purged.connect(_purge_edge_receiver, dispatch_uid="newsroom.pagecache.purge_edge")


class Entry:
    """A stored page: its bytes and headers, and what decides whether it is still fresh."""

    __slots__ = ("fresh_until", "generations", "status", "headers", "content", "etag", "stored")

    def __init__(self, fresh_until, generations, status, headers, content, etag, stored):
        self.fresh_until = fresh_until
        self.generations = generations
        self.status = status
        self.headers = headers
        self.content = content
        self.etag = etag
        self.stored = stored

    def __getstate__(self):
        return tuple(getattr(self, name) for name in self.__slots__)

    def __setstate__(self, state):
        for name, value in zip(self.__slots__, state, strict=True):
            setattr(self, name, value)

    def is_fresh(self, now: float) -> bool:
        if now >= self.fresh_until:
            return False
        return cache.get_many(list(self.generations)) == self.generations

    def is_withdrawn(self) -> bool:
        """Something this page shows was withdrawn after (or while) it was stored."""
        names = [
            WITHDRAWN_PREFIX + name.removeprefix(GENERATION_PREFIX) for name in self.generations
        ]
        since = self.stored - settings.PAGE_CACHE_CLOCK_MARGIN
        return any(at >= since for at in cache.get_many(names).values())


def cache_directives(fresh_until: float) -> dict:
    """`Cache-Control` of a page fresh until `fresh_until`, as patch_cache_control takes it."""
    remaining = max(0, int(fresh_until - time.time()))
    return {
        "public": True,
        "max_age": min(settings.PAGE_CACHE_BROWSER_SECONDS, remaining),
        "s_maxage": remaining,
        "stale_while_revalidate": settings.PAGE_CACHE_STALE_WHILE_REVALIDATE,
        "stale_if_error": settings.PAGE_CACHE_STALE_SECONDS,
    }


def validator_headers(keys, etag: str, stored: float) -> list[tuple[str, str]]:
    """The surrogate keys, `ETag` and `Last-Modified` of a public page."""
    headers = []
    if keys:
        ordered = sorted(keys)
        headers += [("Surrogate-Key", " ".join(ordered)), ("Cache-Tag", ",".join(ordered))]
    return [*headers, ("ETag", etag), ("Last-Modified", http_date(stored))]


def is_anonymous(request) -> bool:
    """No session cookie: nothing on the page can depend on who is reading."""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


class PageCacheMiddleware:
    """Serves and stores the pages views marked `cacheable`, for anonymous GET and HEAD.

    It comes first in MIDDLEWARE, so a stored page carries every header the other middleware
    added, and a hit skips them all. Signed-in staff (a session cookie) always get a fresh
    page marked private.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method not in ("GET", "HEAD")
            or request.path_info.startswith(SKIPPED_PREFIXES)
            or not is_anonymous(request)
        ):
            return self._private(self.get_response(request))
        if not settings.PAGE_CACHE:
            response = self.get_response(request)
            page = getattr(response, ATTRIBUTE, None)
            if page is None or not self._storable(response):
                return response
            now = time.time()
            fresh_until, etag = self._describe(response, page, now)
            return self._public(request, response, page[0], fresh_until, etag, now)

        key = self._key(request)
        entry = cache.get(key)
        now = time.time()
        if entry is not None and entry.is_fresh(now):
            return self._serve(request, entry, now, "hit")
        response = self.get_response(request)
        if response.status_code >= 500 and entry is not None and not entry.is_withdrawn():
            logger.warning("Serving the last good copy after a %s.", response.status_code)
            return self._serve(request, entry, time.time(), "stale")
        page = getattr(response, ATTRIBUTE, None)
        if page is None or not self._storable(response):
            return response
        fresh_until, etag = self._describe(response, page, now)
        stored = self._store(key, response, page, fresh_until, etag, now)
        response["X-Page-Cache"] = "miss" if stored else "pass"
        return self._public(request, response, page[0], fresh_until, etag, now)

    @staticmethod
    def _key(request) -> str:
        scheme = "https" if request.is_secure() else "http"
        address = f"{scheme}://{request.get_host()}{request.get_full_path()}"
        return PAGE_PREFIX + hashlib.md5(address.encode(), usedforsecurity=False).hexdigest()

    @staticmethod
    def _storable(response) -> bool:
        if response.status_code != 200 or response.streaming:
            return False
        if response.cookies or "cookie" in response.get("Vary", "").lower():
            # Something on the page is per reader: it must never be shared.
            logger.error("A cacheable page set a cookie or varies on it; not caching it.")
            return False
        return True

    @staticmethod
    def _describe(response, page, now: float) -> tuple[float, str]:
        keys, until, seconds = page
        lifetime = settings.PAGE_CACHE_SECONDS if seconds is None else seconds
        fresh_until = now + lifetime
        if until is not None:
            fresh_until = min(fresh_until, until.timestamp())
        etag = '"' + hashlib.md5(response.content, usedforsecurity=False).hexdigest() + '"'
        return fresh_until, etag

    @staticmethod
    def _store(key, response, page, fresh_until, etag, started) -> bool:
        if fresh_until <= started:
            return False
        generations = _generations_since(page[0], started)
        if generations is None:
            return False
        headers = [
            (name, value)
            for name, value in response.items()
            if name.lower() not in {"cache-control", "expires", "x-page-cache"}
        ]
        entry = Entry(
            fresh_until, generations, response.status_code, headers, response.content, etag, started
        )
        cache.set(key, entry, settings.PAGE_CACHE_STALE_SECONDS)
        return True

    def _serve(self, request, entry: Entry, now: float, state: str) -> HttpResponse:
        response = HttpResponse(entry.content, status=entry.status)
        for name, value in entry.headers:
            response[name] = value
        response["X-Page-Cache"] = state
        if state == "stale":
            patch_cache_control(response, public=True, max_age=0, s_maxage=0)
            return response
        keys = [name.removeprefix(GENERATION_PREFIX) for name in entry.generations]
        return self._public(request, response, keys, entry.fresh_until, entry.etag, entry.stored)

    @staticmethod
    def _public(request, response, keys, fresh_until: float, etag: str, stored: float):
        """The headers that let browsers, Varnish and CDNs keep the page and purge it by key."""
        for name, value in validator_headers(keys, etag, stored):
            response[name] = value
        patch_cache_control(response, **cache_directives(fresh_until))
        return get_conditional_response(
            request, etag=etag, last_modified=int(stored), response=response
        )

    @staticmethod
    def _private(response):
        if hasattr(response, ATTRIBUTE):
            # A signed-in editor's view of a public page: theirs alone.
            patch_cache_control(response, private=True, no_cache=True)
        return response


class PageCacheApplication:
    """A WSGI layer in front of Django that answers fresh hits by itself (`newsroom/wsgi.py`).

    After a big story is published nearly every request is a hit. Answered here, a hit costs
    one request parse, the cache lookups of the middleware (the page and its keys' tokens) and
    a list of headers: none of Django's request handling, whose signals look at every database
    connection, nor the middleware chain. Whatever is not a plain fresh hit (a miss, a stale
    copy, HEAD, a conditional GET, a reader with a session, the `skipped_prefixes`, what `skip`
    names, such as an API request with a key, which is checked and counted every time) goes to
    Django unchanged, where `PageCacheMiddleware` serves, stores and revalidates as before.
    """

    def __init__(self, application, *, skipped_prefixes: Iterable[str] = (), skip=None):
        self.application = application
        self.skipped_prefixes = (*SKIPPED_PREFIXES, *skipped_prefixes)
        # `skip(request)`: true for a request that must go through Django's middleware even
        # when its page is stored (an API request carrying a key, whose use is counted).
        self.skip = skip

    def __call__(self, environ, start_response):
        try:
            hit = self.hit(environ) if settings.PAGE_CACHE else None
        except Exception:
            # The cache is unreachable, say: Django handles the request, and its own error
            # handling (the 500 page, error logging) sees whatever else goes wrong.
            logger.exception("Page cache lookup failed; passing the request to Django")
            hit = None
        if hit is None:
            return self.application(environ, start_response)
        status, headers, content = hit
        start_response(status, headers)
        return [content]

    def hit(self, environ) -> tuple[str, list, bytes] | None:
        """Status line, headers and body of a fresh stored copy for this request, or None."""
        if environ.get("REQUEST_METHOD") != "GET" or any(
            name in environ for name in CONDITIONAL_HEADERS
        ):
            return None
        # WSGIRequest writes the decoded path back into its environ: give it a copy, so that
        # Django still gets the request as the server sent it.
        request = WSGIRequest(environ.copy())
        if (
            request.path_info.startswith(self.skipped_prefixes)
            or not is_anonymous(request)
            or (self.skip is not None and self.skip(request))
        ):
            return None
        try:
            key = PageCacheMiddleware._key(request)
        except DisallowedHost:
            return None  # Django answers it with its 400
        entry = cache.get(key)
        if entry is None or not entry.is_fresh(time.time()):
            return None
        keys = [name.removeprefix(GENERATION_PREFIX) for name in entry.generations]
        cache_control = ", ".join(
            name.replace("_", "-") if value is True else f"{name.replace('_', '-')}={value}"
            for name, value in cache_directives(entry.fresh_until).items()
        )
        validators = list(validator_headers(keys, entry.etag, entry.stored))
        # The middleware sets these over what the view stored (a feed's own Last-Modified):
        # one of each, never two.
        replaced = {name.lower() for name, _ in validators} | {"x-page-cache"}
        headers = [
            *((name, value) for name, value in entry.headers if name.lower() not in replaced),
            ("X-Page-Cache", "hit"),
            *validators,
            ("Cache-Control", cache_control),
        ]
        return f"{entry.status} {HTTPStatus(entry.status).phrase}", headers, entry.content
