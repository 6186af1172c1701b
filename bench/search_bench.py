"""Search benchmark: 100 000 generated articles in PostgreSQL, 100 varied queries.

Reports p50/p95 latency of everything the search page asks the database for its first page
(finding the newest matches, ranking them with the page's snippets, the bylines) and EXPLAIN
ANALYZE of both queries for a typical search. The target is p95 under 50 ms on a 2-core
machine.

Run it against a database of its own (it is created when missing; its articles are replaced
when their number differs from --articles):

    .venv/bin/python bench/search_bench.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench \\
        .venv/bin/python bench/search_bench.py --articles 100000 --queries 100

Loading takes a few minutes: rows go in with COPY, then every search vector is computed by
one UPDATE (the same expression the site uses) and the GIN index is built afterwards.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/newsroom_bench"

# Real words so stemming and stop words behave as they do on the site; a long tail of made-up
# words gives rare terms. Frequencies follow Zipf's law over stop words, then news words,
# then the made-up words, roughly as in English news copy.
STOP_WORDS = """
the of and to a in that is was for on it with as he said at by from his be have an
has are they but not this had were which their been would will who she there her one
""".split()  # noqa: SIM905
NEWS_WORDS = """
said government minister council police people year years city court report health
school hospital police officers plans week people workers union strike election vote
party leader economy prices energy bills water river bridge transport rail ferry
harbour storm flood climate weather farmers housing homes rent budget tax taxes
business company companies shares market bank interest rates inflation jobs wages
children parents teachers students university research scientists study data
investigation inquiry judge trial jury evidence witness prison sentence charges
football match team season club players coach goals league cup final stadium
theatre music festival film artist gallery museum book author award prize
hospital patients doctors nurses waiting treatment cancer vaccine virus outbreak
roads traffic crash drivers cyclists airport flights passengers airline delays
environment pollution wildlife forest coast beach fishing boats port harbour
technology internet phone software security hackers privacy online platform
protest campaign residents neighbours community village town county region
mayor parliament committee law legislation policy reform funding cuts spending
""".split()  # noqa: SIM905
SYLLABLES = [a + b for a in "bdfgklmnprstvz" for b in "aeiou"]
SECTIONS = ["News", "Politics", "Business", "Sport", "Culture", "Science", "World", "Opinion"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument(
        "--reload", action="store_true", help="replace the articles even if present"
    )
    parser.add_argument("--seed", type=int, default=6)
    return parser.parse_args()


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def vocabulary(rng: random.Random) -> list[str]:
    made_up = set()
    while len(made_up) < 30_000:
        made_up.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    made_up = sorted(made_up)
    rng.shuffle(made_up)
    # Topic words sit where they do in real news copy: each is in roughly 2-20% of stories,
    # below a band of everyday words (made up here) that are in 20-60% of them.
    words = list(dict.fromkeys(STOP_WORDS)) + made_up[:150]
    filler = iter(made_up[150:])
    for news_word in dict.fromkeys(NEWS_WORDS):
        words.append(news_word)
        words.extend(next(filler) for _ in range(14))
    return words + list(filler)


class Writer:
    """Draws words with Zipf-like frequencies from the vocabulary."""

    def __init__(self, rng: random.Random, words: list[str]):
        self.rng = rng
        self.words = words
        weights = [1 / (rank + 1) for rank in range(len(words))]
        total = 0.0
        self.cumulative = []
        for weight in weights:
            total += weight
            self.cumulative.append(total)

    def words_(self, count: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cumulative, k=count)

    def sentence(self, low: int, high: int) -> str:
        words = self.words_(self.rng.randint(low, high))
        return " ".join(words).capitalize() + "."

    def body(self) -> str:
        paragraphs = []
        for _ in range(self.rng.randint(12, 18)):
            text = " ".join(self.sentence(8, 16) for _ in range(self.rng.randint(2, 4)))
            if self.rng.random() < 0.15:
                paragraphs.append(f"<blockquote><p>“{text}”</p></blockquote>")
            else:
                paragraphs.append(f"<p>{text}</p>")
        return "\n".join(paragraphs)


def copy_rows(cursor, table: str, columns: list[str], rows) -> None:
    with cursor.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


def load(count: int, seed: int) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone
    from taggit.models import Tag, TaggedItem

    from articles.models import Article, Author, Byline, Section
    from articles.search import update_search_vectors

    rng = random.Random(seed)
    words = vocabulary(rng)
    writer = Writer(rng, words)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE articles_article, articles_byline, articles_author, taggit_taggeditem,"
            " taggit_tag RESTART IDENTITY CASCADE"
        )
    sections = []
    for position, name in enumerate(SECTIONS):
        section, _ = Section.objects.get_or_create(
            slug=name.lower(), defaults={"name": name, "position": position}
        )
        sections.append(section)
    authors = Author.objects.bulk_create(
        Author(name=f"Reporter {n}", slug=f"reporter-{n}") for n in range(200)
    )
    tags = Tag.objects.bulk_create(
        Tag(name=f"{a.title()} {b}", slug=f"{a}-{b}-{n}")
        for n, (a, b) in enumerate(zip(words[60:560], words[560:1060], strict=True))
    )
    now = timezone.now()
    fields = [
        field
        for field in Article._meta.concrete_fields
        if not field.primary_key and field.name != "search_vector"
    ]
    columns = [f'"{field.column}"' for field in fields]

    def articles():
        for number in range(count):
            publish_at = now - timedelta(minutes=rng.randint(0, 5 * 365 * 24 * 60))
            article = Article(
                headline=writer.sentence(6, 11)[:-1],
                slug=f"bench-{number}",
                standfirst=writer.sentence(18, 30),
                body=writer.body(),
                section_id=rng.choice(sections).pk,
                status=Article.Status.PUBLISHED if rng.random() < 0.97 else Article.Status.DRAFT,
                publish_at=publish_at,
                first_published_at=publish_at,
                created_at=publish_at,
                updated_at=publish_at,
            )
            yield [
                field.get_db_prep_save(getattr(article, field.attname), connection)
                for field in fields
            ]

    article_type = ContentType.objects.get_for_model(Article).pk
    with transaction.atomic(), connection.cursor() as cursor:
        copy_rows(cursor.cursor, Article._meta.db_table, columns, articles())
        print(f"  {count} articles copied in {time.perf_counter() - started:.0f} s")
        copy_rows(
            cursor.cursor,
            Byline._meta.db_table,
            ["article_id", "author_id", "position"],
            ((n + 1, rng.choice(authors).pk, 0) for n in range(count)),
        )
        copy_rows(
            cursor.cursor,
            TaggedItem._meta.db_table,
            ["object_id", "content_type_id", "tag_id"],
            (
                (n + 1, article_type, tag.pk)
                for n in range(count)
                for tag in rng.sample(tags, rng.randint(3, 6))
            ),
        )
    print(f"  bylines and tags copied after {time.perf_counter() - started:.0f} s")

    index = next(i for i in Article._meta.indexes if i.name == "article_search_vector")
    with connection.schema_editor() as editor:
        editor.remove_index(Article, index)
    with transaction.atomic():
        update_search_vectors(Article.objects.all())
    print(f"  vectors computed (one UPDATE) after {time.perf_counter() - started:.0f} s")
    with connection.schema_editor() as editor:
        editor.add_index(Article, index)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE articles_article")
        cursor.execute("VACUUM ANALYZE taggit_taggeditem")
    print(f"  GIN index built and tables analysed after {time.perf_counter() - started:.0f} s")


def make_queries(count: int, seed: int) -> list[tuple[str, str]]:
    """(kind, query) pairs: common and rare words, pairs, phrases, prefixes, operators."""
    rng = random.Random(seed + 1)
    words = vocabulary(random.Random(seed))
    everyday = words[len(set(STOP_WORDS)) : len(set(STOP_WORDS)) + 150]
    common = list(dict.fromkeys(NEWS_WORDS))
    middle = words[3000:8000]
    rare = words[15_000:]
    makers = [
        ("everyday word", lambda: rng.choice(everyday)),
        ("common word", lambda: rng.choice(common)),
        ("rare word", lambda: rng.choice(rare)),
        ("mid word", lambda: rng.choice(middle)),
        ("two common words", lambda: f"{rng.choice(common)} {rng.choice(common)}"),
        ("common + rare", lambda: f"{rng.choice(common)} {rng.choice(rare)}"),
        ("phrase", lambda: f'"{rng.choice(common)} {rng.choice(common)}"'),
        ("prefix", lambda: rng.choice(common)[:4]),
        ("word + prefix", lambda: f"{rng.choice(common)} {rng.choice(middle)[:4]}"),
        ("exclusion", lambda: f"{rng.choice(common)} -{rng.choice(common)}"),
        ("or", lambda: f"{rng.choice(middle)} or {rng.choice(rare)}"),
    ]
    queries = []
    for number in range(count):
        kind, make = makers[number % len(makers)]
        queries.append((kind, make()))
    return queries


def run_view_queries(query: str) -> int:
    """What the search view asks the database for the first page of `query`."""
    from django.core.paginator import Paginator

    from articles import search

    page = Paginator(search.search(query), 20).get_page(1)
    articles = list(page.object_list)
    search.add_snippets(articles, query)
    return page.paginator.count


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> None:
    args = parse_args()
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    # Production settings (no debug query log skewing the figures), with a throwaway key.
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-" + "x" * 40)
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost")
    if not os.environ["DATABASE_URL"].startswith("postgres"):
        sys.exit("The search benchmark needs PostgreSQL: set DATABASE_URL=postgres://…")
    ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from articles import search
    from articles.models import Article

    call_command("migrate", verbosity=0)
    if args.reload or Article.objects.count() != args.articles:
        print(f"Loading {args.articles} articles into {connection.settings_dict['NAME']}…")
        load(args.articles, args.seed)

    queries = make_queries(args.queries, args.seed)
    for _, query in queries[:10]:  # warm the caches the way a running site has them
        run_view_queries(query)

    timings: list[tuple[float, str, str, int]] = []
    for kind, query in queries:
        started = time.perf_counter()
        total = run_view_queries(query)
        timings.append(((time.perf_counter() - started) * 1000, kind, query, total))

    latencies = [t[0] for t in timings]
    print(f"\n{len(timings)} queries over {Article.objects.count()} articles")
    print(
        f"first page (matching, ranked page with snippets, bylines): "
        f"p50 {statistics.median(latencies):.1f} ms, p95 {percentile(latencies, 0.95):.1f} ms, "
        f"max {max(latencies):.1f} ms"
    )
    by_kind: dict[str, list[float]] = {}
    for ms, kind, _, _ in timings:
        by_kind.setdefault(kind, []).append(ms)
    for kind, values in by_kind.items():
        print(f"  {kind:<18} median {statistics.median(values):6.1f} ms  max {max(values):6.1f} ms")
    print("slowest:")
    for ms, kind, query, total in sorted(timings, reverse=True)[:5]:
        print(f"  {ms:6.1f} ms  {kind:<18} {query!r} ({total} matches)")

    typical = "council budget"
    print(f"\nEXPLAIN ANALYZE of the match query for {typical!r} (last month's window):")
    print(explain_match(typical))
    plan = search.search(typical)[:20].explain(analyze=True, buffers=True)
    print(f"\nEXPLAIN ANALYZE of the ranked first page for {typical!r}:\n{plan}")


def explain_match(query: str) -> str:
    """The plan of the first step of articles.search.postgres._newest, under its planner
    settings."""
    from datetime import timedelta

    from django.db import connection, transaction
    from django.utils import timezone

    from articles import search
    from articles.models import Article
    from articles.search import postgres

    since = timezone.now() - timedelta(days=postgres.SEARCH_WINDOWS_DAYS[0])
    matches = (
        Article.objects.live()
        .filter(search_vector=postgres.ts_query(search.parse_query(query)), publish_at__gte=since)
        .order_by("-publish_at", "-pk")
        .values_list("pk", flat=True)[: search.MAX_RESULTS]
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_indexscan = off; SET LOCAL enable_seqscan = off")
        return matches.explain(analyze=True, buffers=True)


if __name__ == "__main__":
    main()
