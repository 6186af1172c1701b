"""Abuse limits (the signup form, editors' test sends): fixed-window counters that every
process shares.

With Redis (NEWSLETTER_LIMITS_CACHE names a Redis cache) a counter is a cache key: `cache.add`
creates it only if missing and `cache.incr` is atomic. Without Redis it is a LimitCounter row,
incremented with one conditional UPDATE. Never a per-process cache: with N workers a limit of
10 would let 10×N through. Keys hold a keyed hash, never the address or email in clear.
"""

import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import LimitCounter

# An editor's "send me a test": enough to check a layout, too few to use the site as a relay.
TEST_SENDS_PER_USER = 10
TEST_SEND_WINDOW = 600


def _count_in_cache(alias: str, key: str, window: int) -> int:
    cache = caches[alias]
    cache.add(key, 0, timeout=window + 5)
    try:
        return cache.incr(key)
    except ValueError:
        # The counter expired between add() and incr(): this is the window's first hit.
        cache.add(key, 1, timeout=window + 5)
        return 1


def _count_in_database(key: str, window: int) -> int:
    now = timezone.now()
    with transaction.atomic():
        counter, created = LimitCounter.objects.get_or_create(
            key=key, defaults={"expires_at": now + timedelta(seconds=window + 5)}
        )
        # The UPDATE takes the row lock: concurrent requests count one after another.
        LimitCounter.objects.filter(pk=counter.pk).update(count=F("count") + 1)
        count = LimitCounter.objects.values_list("count", flat=True).get(pk=counter.pk)
    if created:
        # A new window began somewhere: sweep the counters whose windows are over.
        LimitCounter.objects.filter(expires_at__lt=now).delete()
    return count


def _allow(scope: str, identity: str, limit: int, window: int) -> bool:
    bucket = int(time.time() // window)
    digest = salted_hmac("newsletter.limits", identity).hexdigest()[:24]
    key = f"newsletter:limit:{scope}:{digest}:{bucket}"
    alias = settings.NEWSLETTER_LIMITS_CACHE
    count = _count_in_cache(alias, key, window) if alias else _count_in_database(key, window)
    return count <= limit


def allow_client(address: str) -> bool:
    """Count one signup attempt from this client; False once it is over the limit."""
    return _allow(
        "client",
        address,
        settings.NEWSLETTER_RATE_LIMIT_PER_CLIENT,
        settings.NEWSLETTER_RATE_LIMIT_CLIENT_WINDOW,
    )


def allow_email(email: str) -> bool:
    """Count one signup for this (normalised) address; False once it is over the limit."""
    return _allow(
        "email",
        email.lower(),
        settings.NEWSLETTER_RATE_LIMIT_PER_EMAIL,
        settings.NEWSLETTER_RATE_LIMIT_EMAIL_WINDOW,
    )


def allow_test_send(user) -> bool:
    """Count one test send by this staff user; False once they are over the limit."""
    return _allow("test-send", str(user.pk), TEST_SENDS_PER_USER, TEST_SEND_WINDOW)


def client_address(request) -> str:
    """The client's IP address: REMOTE_ADDR, or the header a trusted proxy sets."""
    header = settings.NEWSLETTER_CLIENT_ADDRESS_HEADER
    if header:
        forwarded = request.headers.get(header, "")
        # X-Forwarded-For style lists: the proxy appends the address it saw last.
        address = forwarded.split(",")[-1].strip()
        if address:
            return address
    return request.META.get("REMOTE_ADDR", "")
