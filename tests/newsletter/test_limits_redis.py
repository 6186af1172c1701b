"""The abuse limits against Django's Redis cache: one count shared by every process.

Needs Redis (TEST_REDIS_URL, else REDIS_URL, else 127.0.0.1:6379): skipped when it is not
running, except in CI, where a missing Redis is a failure (`.ci/run` starts one).
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from newsletter import limits

pytestmark = pytest.mark.django_db

REDIS_URL = (
    os.environ.get("TEST_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
)
LIMIT = 20
# A day-long window, so the processes below all count in the same window whenever they run.
WINDOW = 24 * 60 * 60
ROOT = Path(__file__).resolve().parents[2]

# A second Django process: counts `attempts` signups from `address` against the limit.
OTHER_PROCESS = """
import json, sys
import django
django.setup()
from newsletter import limits
address, attempts = sys.argv[1], int(sys.argv[2])
print(json.dumps([limits.allow_client(address) for _ in range(attempts)]))
"""


@pytest.fixture
def redis_cache():
    """Django's Redis cache under a key prefix of this test's own; its keys are deleted
    afterwards. Never `cache.clear()` here: on Redis that empties the whole database."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        message = f"Redis is not reachable at {REDIS_URL}: {exc}"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message + " (CI must run Redis: .ci/run starts it)")
        pytest.skip(message)
    prefix = f"newsroom-test-limits-{uuid.uuid4().hex[:12]}"
    caches = {
        "default": {
            "BACKEND": "newsroom.cache_backends.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    with override_settings(
        CACHES=caches,
        NEWSLETTER_LIMITS_CACHE="default",
        NEWSLETTER_RATE_LIMIT_PER_CLIENT=LIMIT,
        NEWSLETTER_RATE_LIMIT_CLIENT_WINDOW=WINDOW,
    ):
        yield client, prefix
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    client.close()


def other_process(prefix: str, address: str, attempts: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DJANGO_DEBUG": "1",
        # The same key as this process: the cache keys hold a keyed hash of the address.
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": prefix,
        "NEWSLETTER_RATE_LIMIT_PER_CLIENT": str(LIMIT),
        "NEWSLETTER_RATE_LIMIT_CLIENT_WINDOW": str(WINDOW),
    }
    return subprocess.Popen(
        [sys.executable, "-c", OTHER_PROCESS, address, str(attempts)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def answers(process: subprocess.Popen) -> list[bool]:
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    return json.loads(out)


def test_two_processes_share_one_limit_in_redis(redis_cache, sign_up):
    _, prefix = redis_cache
    # Two app processes counting the same client at the same time, 30 attempts in all.
    first = other_process(prefix, "198.51.100.7", 15)
    second = other_process(prefix, "198.51.100.7", 15)

    allowed = answers(first).count(True) + answers(second).count(True)

    assert allowed == LIMIT
    # And this process, a third one, finds the client already over the limit.
    response = sign_up("reader@example.com", REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 429
    assert "Too many sign-up attempts" in response.content.decode()


def test_other_clients_keep_their_own_count_in_redis(redis_cache, sign_up):
    _, prefix = redis_cache
    answers(other_process(prefix, "198.51.100.7", LIMIT + 1))

    assert sign_up("reader@example.com", REMOTE_ADDR="198.51.100.8").status_code == 302


def test_redis_counters_expire_and_name_no_address(redis_cache):
    client, prefix = redis_cache

    assert limits.allow_client("198.51.100.7")
    assert limits.allow_email("reader@example.com")

    keys = [key.decode() for key in client.scan_iter(match=f"{prefix}:*")]
    assert len(keys) == 2
    assert not any("198.51.100.7" in key or "reader" in key for key in keys)
    assert all(0 < client.ttl(key) <= WINDOW + 5 for key in keys)
