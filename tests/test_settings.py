"""The settings refuse to serve in production without secrets and pass Django's deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def clean_environment(**env: str) -> dict:
    return {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")} | env


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean_environment(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def serve(**env: str) -> subprocess.CompletedProcess:
    """Load the WSGI application the way gunicorn does."""
    return subprocess.run(
        [sys.executable, "-c", "import newsroom.wsgi"],
        cwd=ROOT,
        env=clean_environment(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_serve_without_a_secret_key():
    result = serve(DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="news.example")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_serve_without_allowed_hosts():
    result = serve(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="a-long-random-production-secret-" * 2)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must be set" in result.stderr


def test_forgetting_django_debug_means_production_not_debug():
    result = serve()
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set in production" in result.stderr


def test_production_serves_with_its_secrets():
    result = serve(
        DJANGO_SECRET_KEY="a-long-random-production-secret-" * 2,
        DJANGO_ALLOWED_HOSTS="news.example",
    )
    assert result.returncode == 0, result.stderr


def test_management_commands_run_without_any_configuration():
    result = run_manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stderr


def test_development_runs_with_no_configuration_but_django_debug():
    result = run_manage("check", DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_production_settings_pass_the_deploy_check():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="x" * 20 + "a-long-random-production-secret-key-0123456789",
        DJANGO_ALLOWED_HOSTS="news.example",
        SITE_URL="https://news.example",
        ANYMAIL_WEBHOOK_SECRET="newsroom:a-long-random-webhook-secret",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_warns_while_the_bounce_webhooks_refuse_every_call():
    result = run_manage(
        "check",
        "--deploy",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="x" * 20 + "a-long-random-production-secret-key-0123456789",
        DJANGO_ALLOWED_HOSTS="news.example",
        SITE_URL="https://news.example",
    )
    assert "newsletter.W001" in result.stdout + result.stderr


def test_media_bucket_puts_uploads_on_s3_compatible_storage():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; o = settings.STORAGES['default'];"
        "print(o['BACKEND'], o['OPTIONS']['bucket_name'], o['OPTIONS']['endpoint_url'])",
        DJANGO_DEBUG="1",
        MEDIA_BUCKET="newsroom-media",
        MEDIA_ENDPOINT_URL="https://s3.example",
    )
    assert result.stdout.splitlines()[-1].split() == [
        "storages.backends.s3.S3Storage",
        "newsroom-media",
        "https://s3.example",
    ]


def test_cache_backends_take_any_key_without_a_memcached_warning(settings):
    # Keys with spaces and over memcached's 250 characters: fine on local memory and Redis.
    import warnings

    from django.core.cache import cache

    key = "page key " + "x" * 300
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cache.set(key, "kept")
        assert cache.get(key) == "kept"
