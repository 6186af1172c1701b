"""Measure the admin's streaming CSV export of newsletter subscribers.

    .venv/bin/python bench/newsletter_csv_export.py [ROWS]

Uses a throwaway SQLite database in a temporary folder unless DATABASE_URL is set (then
that database must be empty or disposable: the script creates ROWS subscribers and deletes
them afterwards). Reports the time to the first chunk, the total time, the size and the peak
Python memory while streaming, which stays flat as ROWS grows because rows are read with
QuerySet.iterator(chunk_size=…) and written one line at a time.
"""

import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
workdir = tempfile.mkdtemp(prefix="newsletter-bench-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
# Production settings (no debug query log skewing the figures), with a throwaway key.
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-" + "x" * 40)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from newsletter.models import Subscriber  # noqa: E402


def stream(client) -> tuple[float, float, int, int]:
    """Fetch the export, consuming it piece by piece as a WSGI server would."""
    started = time.perf_counter()
    # Over HTTPS to an allowed host, as production settings insist.
    response = client.get("/admin/newsletter/subscriber/export/", secure=True)
    assert response.status_code == 200, response.status_code
    assert response.streaming, "the export must stream"
    first = None
    size = lines = 0
    for piece in response.streaming_content:
        if first is None:
            first = time.perf_counter() - started
        size += len(piece)
        lines += piece.count(b"\n")
    return first, time.perf_counter() - started, size, lines


def main() -> None:
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}, rows: {ROWS:,}")
    started = time.perf_counter()
    now = timezone.now()
    Subscriber.objects.bulk_create(
        (
            Subscriber(
                email=f"bench.reader{number}@example.com",
                status=("pending", "confirmed", "unsubscribed")[number % 3],
                created_at=now,
                confirmed_at=now if number % 3 else None,
            )
            for number in range(ROWS)
        ),
        batch_size=5000,
    )
    print(f"created in {time.perf_counter() - started:.1f}s")
    User = get_user_model()
    admin, _ = User.objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    try:
        timings = stream(client)
        tracemalloc.start()
        stream(client)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        first, total, size, lines = timings
        assert lines == ROWS + 1, (lines, ROWS)
        print(f"first bytes after {first * 1000:.0f} ms")
        print(f"{lines:,} lines, {size / 1e6:.1f} MB in {total:.2f}s ({ROWS / total:,.0f} rows/s)")
        print(f"peak Python memory while streaming (second run, traced): {peak / 1e6:.1f} MB")
    finally:
        Subscriber.objects.filter(email__startswith="bench.reader").delete()
        admin.delete()


if __name__ == "__main__":
    main()
