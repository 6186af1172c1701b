"""Where a cache miss on the article page spends its time, in one process (no HTTP, no load).

Prints, for the demo's newest article on a fresh SQLite demo site (page cache off, production
settings), the CPU time of:
- the whole request through the WSGI application (middleware, view, template);
- the same SQL the view ran, re-run through the database driver alone;
- the same request with the view's queries already done: the page rendered from the objects
  one request loaded, through the same middleware.

The whole request less the other two is what the ORM and our code around the queries cost
(building and compiling each query, turning rows into objects, grouping them for the cards):
the part a faster cold page has to cut.
Times are the minimum of --rounds, after a warm-up, so that the figures repeat on a noisy VM.

    .venv/bin/python bench/cold_article.py
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.pages import PYTHON, ROOT, prepare_site, site_environment  # noqa: E402

MEASURE = """
import io, sys, time, django
django.setup()
from django.db import connection
from django.shortcuts import render
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver
import articles.views
from articles import caching
from articles.models import Article
from newsroom.wsgi import application

ROUNDS = int(sys.argv[1])
path = Article.objects.live().newest_first().first().get_absolute_url()


def request():
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1", "wsgi.input": io.BytesIO(),
        "wsgi.url_scheme": "http",
    }
    return b"".join(application(environ, lambda status, headers: None))


def fastest(call):
    for _ in range(50):
        call()
    times = []
    for _ in range(ROUNDS):
        started = time.process_time()
        call()
        times.append(time.process_time() - started)
    return min(times) * 1000


whole = fastest(request)
with CaptureQueriesContext(connection) as queries:
    request()
cursor = connection.cursor()
sql = [query["sql"] for query in queries.captured_queries]
driver = sum(fastest(lambda s=s: (cursor.execute(s), cursor.fetchall())) for s in sql)

# The view's template and context, kept from one request, rendered by a stand-in view.
kept = {}
def keep(request, template, context):
    kept.update(template=template, context=context)
    return render(request, template, context)
articles.views.render = keep
request()
articles.views.render = render


def rendered_only(request, slug):
    article = kept["context"]["article"]
    keys = {caching.article_key(article.pk), *(caching.tag_key(t.pk) for t in article.tag_list)}
    return caching.cacheable(render(request, kept["template"], kept["context"]), keys)


def swap(patterns):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            swap(pattern.url_patterns)
        elif getattr(pattern, "callback", None) is articles.views.article_detail:
            pattern.callback = rendered_only


swap(get_resolver().url_patterns)
with CaptureQueriesContext(connection) as none:
    request()
assert not none.captured_queries, none.captured_queries
without_queries = fastest(request)

orm = whole - without_queries - driver
rows = [
    (f"whole request ({len(sql)} queries)", whole),
    ("its SQL through the driver alone", driver),
    ("the request with its queries done", without_queries),
    ("the ORM (and our code) around the SQL", orm),
]
print(f"article page {path}, minimum of {ROUNDS} requests, CPU ms")
for label, ms in rows:
    print(f"  {label:<40}{ms:7.3f}  {ms / whole:4.0%}")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cold-article-") as directory:
        workdir = Path(directory)
        print("Preparing the demo site (migrate, load_demo, collectstatic)…", flush=True)
        prepare_site(workdir, ROOT)
        env = site_environment(workdir, PAGE_CACHE="0", DJANGO_SETTINGS_MODULE="newsroom.settings")
        subprocess.run([PYTHON, "-c", MEASURE, str(args.rounds)], env=env, cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
