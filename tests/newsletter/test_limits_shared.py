"""Without Redis the limits count in the database, so every worker process shares them."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from newsletter import limits
from newsletter.checks import check_limits_are_shared
from newsletter.models import LimitCounter

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 10

OTHER_PROCESS = """
import json, sys
import django
django.setup()
from newsletter import limits
address, attempts = sys.argv[1], int(sys.argv[2])
print(json.dumps([limits.allow_client(address) for _ in range(attempts)]))
"""


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def worker_process(address: str, attempts: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DJANGO_DEBUG": "1",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DATABASE_URL": database_url(),
        "REDIS_URL": "",
        "NEWSLETTER_RATE_LIMIT_PER_CLIENT": str(LIMIT),
    }
    return subprocess.Popen(
        [sys.executable, "-c", OTHER_PROCESS, address, str(attempts)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_share_one_limit_without_redis(settings):
    settings.NEWSLETTER_RATE_LIMIT_PER_CLIENT = LIMIT
    assert settings.NEWSLETTER_LIMITS_CACHE == ""
    workers = [worker_process("198.51.100.7", 10), worker_process("198.51.100.7", 10)]

    allowed = 0
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        allowed += json.loads(out).count(True)

    assert allowed == LIMIT
    assert not limits.allow_client("198.51.100.7")


@pytest.mark.django_db
def test_database_counts_survive_the_process_cache_and_name_no_address(settings):
    settings.NEWSLETTER_RATE_LIMIT_PER_CLIENT = 2
    assert limits.allow_client("198.51.100.7")
    cache.clear()
    assert limits.allow_client("198.51.100.7")
    assert not limits.allow_client("198.51.100.7")
    assert not LimitCounter.objects.filter(key__contains="198.51").exists()


def test_deploy_check_fails_when_the_limits_would_be_per_process(settings):
    settings.NEWSLETTER_LIMITS_CACHE = "default"
    settings.CACHES = {"default": {"BACKEND": "newsroom.cache_backends.LocMemCache"}}

    errors = check_limits_are_shared(None)

    assert [error.id for error in errors] == ["newsletter.E001"]


def test_deploy_check_passes_with_redis_or_the_database(settings):
    settings.NEWSLETTER_LIMITS_CACHE = ""
    assert check_limits_are_shared(None) == []
    settings.NEWSLETTER_LIMITS_CACHE = "default"
    settings.CACHES = {
        "default": {
            "BACKEND": "newsroom.cache_backends.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/4",
        }
    }
    assert check_limits_are_shared(None) == []
