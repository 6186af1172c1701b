"""Admin article search benchmark: the changelist's search box at 100 000 articles.

Uses the search benchmark's database (bench/search_bench.py loads it: 100 000 generated
articles, 200 bylined reporters, tags, search vectors and the GIN index) and times the whole
admin changelist request for a search, as an editor sees it: permission checks, the search
(search vector or byline), the counts, the first page of 100 rows rendered. Reports p50/p95 and
EXPLAIN ANALYZE of the search's main query. The target is under 300 ms.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench \\
        .venv/bin/python bench/admin_search_bench.py --queries 60
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.search_bench import (  # noqa: E402
    DEFAULT_DATABASE_URL,
    NEWS_WORDS,
    ensure_database,
    load,
    percentile,
    vocabulary,
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--seed", type=int, default=6)
    return parser.parse_args()


def make_queries(count: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed + 2)
    words = vocabulary(random.Random(seed))
    common = list(dict.fromkeys(NEWS_WORDS))
    rare = words[15_000:]
    makers = [
        ("common word", lambda: rng.choice(common)),
        ("rare word (a name in the body)", lambda: rng.choice(rare)),
        ("two words", lambda: f"{rng.choice(common)} {rng.choice(common)}"),
        ("author name", lambda: f"Reporter {rng.randrange(200)}"),
        ("prefix", lambda: rng.choice(common)[:4]),
    ]
    return [(makers[n % len(makers)][0], makers[n % len(makers)][1]()) for n in range(count)]


def main() -> None:
    args = parse_args()
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-" + "x" * 40)
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost")
    # Production settings, but the bench's editor signs in without an authenticator app: this
    # measures the search, not the sign-in (which would otherwise send it to enrol first).
    os.environ.setdefault("STAFF_TWO_FACTOR_REQUIRED", "0")
    if not os.environ["DATABASE_URL"].startswith("postgres"):
        sys.exit("The admin search benchmark needs PostgreSQL: set DATABASE_URL=postgres://…")
    ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.conf import settings

    # Pages render without collectstatic having run: plain static file names, no manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from articles import search
    from articles.models import Article

    call_command("migrate", verbosity=0)
    if Article.objects.count() != args.articles:
        print(f"Loading {args.articles} articles into {connection.settings_dict['NAME']}…")
        load(args.articles, args.seed)
    editor, _ = get_user_model().objects.get_or_create(
        username="bench-editor", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(editor)
    url = "/admin/articles/article/"

    queries = make_queries(args.queries, args.seed)
    client.get(url, {"q": "council"}, secure=True)  # warm up: imports, caches, connection
    timings: dict[str, list[float]] = {}
    everything = []
    for kind, query in queries:
        started = time.perf_counter()
        response = client.get(url, {"q": query}, secure=True)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            sys.exit(f"{query!r}: HTTP {response.status_code}")
        timings.setdefault(kind, []).append(elapsed)
        everything.append(elapsed)

    print(f"Admin changelist search, {Article.objects.count()} articles, {len(queries)} queries")
    p50, p95 = statistics.median(everything), percentile(everything, 0.95)
    print(f"  all: p50 {p50:.0f} ms, p95 {p95:.0f} ms")
    for kind, values in timings.items():
        print(f"  {kind:32} p50 {statistics.median(values):6.0f} ms   max {max(values):6.0f} ms")
    matches = search.admin_search(Article.objects.all(), "council").order_by("-pk")[:100]
    sql, params = matches.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN ANALYZE {sql}", params)
        print("\nEXPLAIN ANALYZE (first page of 'council'):")
        print("\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
