"""Per-key rate limits, counted in Django's cache (Redis in production, so every app server
shares one count): a fixed one-minute window per key."""

import time

from django.core.cache import cache

WINDOW = 60


def seconds_to_wait(key) -> int:
    """Count one request for `key`; 0 if it is allowed, else the seconds until it will be."""
    now = time.time()
    window = int(now // WINDOW)
    name = f"api:rate:{key.pk}:{window}"
    cache.add(name, 0, timeout=WINDOW + 5)
    try:
        count = cache.incr(name)
    except ValueError:
        # The counter expired between add and incr (a window boundary): start it again.
        cache.add(name, 1, timeout=WINDOW + 5)
        count = 1
    if count <= key.requests_per_minute:
        return 0
    return max(1, int((window + 1) * WINDOW - now + 0.999))
