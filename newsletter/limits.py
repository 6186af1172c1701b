"""Abuse limits for the signup form: fixed-window counters in Django's cache.

`cache.add` creates a window's counter only if it is missing and `cache.incr` is atomic on
Redis and memcached, so the counts hold across processes and machines when the cache is
shared. Keys hold a keyed hash, never the address or email in clear.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac


def _allow(scope: str, identity: str, limit: int, window: int) -> bool:
    bucket = int(time.time() // window)
    digest = salted_hmac("newsletter.limits", identity).hexdigest()[:24]
    key = f"newsletter:limit:{scope}:{digest}:{bucket}"
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key)
    except ValueError:
        # The counter expired between add() and incr(): this is the window's first hit.
        cache.add(key, 1, timeout=window + 5)
        count = 1
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
