"""The settings refuse to run in production without secrets and pass Django's deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="news.example")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_forgetting_django_debug_means_production_not_debug():
    result = run_manage("check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set in production" in result.stderr


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
    )
    assert result.returncode == 0, result.stdout + result.stderr


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
