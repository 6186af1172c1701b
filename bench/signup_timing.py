"""Does the signup's response time reveal whether an address is already subscribed?

    .venv/bin/python bench/signup_timing.py [PAIRS]

Uses a throwaway SQLite database in a temporary folder unless DATABASE_URL is set (then that
database must be disposable). Posts the signup form PAIRS times for a new address and PAIRS
times for a confirmed one, interleaved, through the database task queue as in production, and
prints the median and the spread of each. Before issue 11 the medians were 6.4 ms (new) and
3.7 ms (confirmed); now both requests do the same work (store a SignupRequest, queue its id).
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

PAIRS = int(sys.argv[1]) if len(sys.argv) > 1 else 25
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
workdir = tempfile.mkdtemp(prefix="signup-bench-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-" + "x" * 40)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost,testserver")
os.environ.setdefault("NEWSLETTER_RATE_LIMIT_PER_CLIENT", "100000")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from newsletter.models import Subscriber  # noqa: E402


def post(client: Client, email: str) -> float:
    data = {"email": email, "agree": "on", "website": "", "next": "/newsletter/"}
    started = time.perf_counter()
    response = client.post("/newsletter/", data, secure=True)
    elapsed = time.perf_counter() - started
    assert response.status_code == 302, response.status_code
    return elapsed * 1000


def main() -> None:
    call_command("migrate", verbosity=0)
    now = timezone.now()
    Subscriber.objects.bulk_create(
        Subscriber(email=f"confirmed{n}@example.org", status="confirmed", confirmed_at=now)
        for n in range(PAIRS)
    )
    client = Client()
    for n in range(5):  # warm up
        post(client, f"warmup{n}@example.org")
    new, confirmed = [], []
    for n in range(PAIRS):
        new.append(post(client, f"new{n}@example.org"))
        confirmed.append(post(client, f"confirmed{n}@example.org"))
    for label, times in (("new", new), ("confirmed", confirmed)):
        print(
            f"{label:>10}: median {statistics.median(times):.2f} ms, "
            f"quartiles {statistics.quantiles(times, n=4)[0]:.2f}–"
            f"{statistics.quantiles(times, n=4)[2]:.2f} ms ({PAIRS} requests)"
        )


if __name__ == "__main__":
    main()
