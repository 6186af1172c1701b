"""Reading-page benchmark: our pages against bare Django, side by side, in one run.

Starts gunicorn (2 sync workers) on loopback for, one after the other:
- our site with production settings and the page cache off ("cold": every request renders),
- our site with the page cache on ("warm"),
- a bare Django "ok" view and a bare Django view rendering a 13 KB template (bench/bare_site.py),
and loads each with wrk (Debian's `wrk`; without it, a small Python load generator in this
file), then prints requests/s, p50/p99 latency, non-2xx counts and the ratios. The bare views
are measured before our pages and again after them, and the ratios use the mean of the two.

    .venv/bin/python bench/pages.py                      # demo content on SQLite, 16 connections
    .venv/bin/python bench/pages.py --duration 20 --connections 16
    .venv/bin/python bench/pages.py --stress             # also 200 connections for 60 s, warm
    .venv/bin/python bench/pages.py --outage             # also the database gone for 5 s
    .venv/bin/python bench/pages.py --restart-postgres   # also PostgreSQL restarted under load
    .venv/bin/python bench/pages.py --site ../before     # another checkout of the site
    .venv/bin/python bench/pages.py --baseline ../before # also that checkout's pages, cold
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_pages_bench \\
        .venv/bin/python bench/pages.py --articles 100000

Without --articles the site runs on a fresh SQLite file with the demo content (`load_demo`,
40 stories). With --articles N (PostgreSQL), it only measures each public page's cold render
time in one process at 40 articles and at N, and prints the ratio: N in DATABASE_URL (loaded
by bench/search_bench.py unless it already holds exactly N, as a copy of newsroom_bench does),
40 in a database beside it named `<name>_40`. Every request goes to 127.0.0.1 only, and every
load lasts --duration.

--baseline measures another checkout's pages cold in the same run (its own SQLite file and
demo content) and prints each of our cold pages as a multiple of its: `git worktree add
../before 38b9d0d` is the site as it was when issue 10 measured 158 requests/s for the article.

--restart-postgres runs the site on a PostgreSQL cluster of the bench's own (`initdb` from
PG_BIN, default /usr/lib/postgresql/15/bin, as the `postgres` user when run as root, on a free
loopback port, in a temporary directory), loads the demo into it, and loads the article page
for 12 s while that cluster is stopped (fast shutdown: open connections are cut) and started
again 3 s later, with the page cache on; it counts the non-2xx answers. The shared server on
port 5432 is never touched.
"""

import argparse
import http.client
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PAGES = ["article", "home", "section"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument("--stress", action="store_true", help="also 200 connections for 60 s")
    parser.add_argument("--articles", type=int, default=0, help="PostgreSQL size to compare")
    parser.add_argument(
        "--outage", action="store_true", help="also take the database away during a load run"
    )
    parser.add_argument(
        "--restart-postgres",
        action="store_true",
        help="also restart a private PostgreSQL cluster during a load run",
    )
    parser.add_argument(
        "--baseline", type=Path, help="another checkout whose pages to measure cold beside ours"
    )
    parser.add_argument("--python-load", action="store_true", help="never use wrk")
    parser.add_argument(
        "--site", type=Path, default=ROOT, help="checkout of the site to measure (default: this)"
    )
    return parser.parse_args()


def site_environment(workdir: Path, site: Path = ROOT, **extra) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PAGE_CACHE")) and key != "REDIS_URL"
    }
    env.update(
        DJANGO_SECRET_KEY="bench-only-secret-key-not-for-production-0123456789",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_HSTS_SECONDS="0",
        MEDIA_ROOT=str(workdir / "media"),
        STATIC_ROOT=str(workdir / "static"),
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(site),
    )
    env.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'db.sqlite3'}")
    env.update(extra)
    return env


def prepare_site(workdir: Path, site: Path, **extra) -> None:
    env = site_environment(workdir, site, **extra)
    manage = [PYTHON, str(site / "manage.py")]
    for command in (["migrate", "--noinput"], ["load_demo"], ["collectstatic", "--noinput"]):
        subprocess.run([*manage, *command], env=env, cwd=site, check=True, capture_output=True)


def page_urls(workdir: Path, site: Path, **extra) -> dict[str, str]:
    """An article, the home page and a section of the demo, as readers reach them."""
    script = (
        "import django; django.setup()\n"
        "from articles.models import Article, Section\n"
        "a = Article.objects.live().newest_first().first()\n"
        "print(a.get_absolute_url()); print(Section.objects.first().get_absolute_url())\n"
    )
    out = subprocess.run(
        [PYTHON, "-c", script],
        env={
            **site_environment(workdir, site, **extra),
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        },
        cwd=site,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return {"article": out[0], "home": "/", "section": out[1]}


class Server:
    """gunicorn on a loopback port, stopped (by its own process id) when the block ends."""

    def __init__(self, app: str, port: int, workers: int, env: dict, root: Path = ROOT):
        self.command = [
            PYTHON, "-m", "gunicorn", app, "--workers", str(workers), "--bind",
            f"127.0.0.1:{port}", "--log-level", "warning", "--chdir", str(root),
        ]  # fmt: skip
        self.port, self.env, self.root = port, env, root

    def __enter__(self):
        # The app's own log (errors during --outage among it) goes to a file, not the report.
        self.log = open(Path(self.env["MEDIA_ROOT"]).parent / "gunicorn.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            self.command, env=self.env, cwd=self.root, stdout=self.log, stderr=self.log
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/robots.txt", timeout=1)
                return self
            except urllib.error.HTTPError:
                return self  # it answers: the bare site has no robots.txt
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not start on port {self.port}")

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def wrk(url: str, duration: int, connections: int, headers: dict | None = None) -> dict:
    header_args = [
        arg for name, value in (headers or {}).items() for arg in ("-H", f"{name}: {value}")
    ]
    # One client thread: it keeps 200 connections busy on its own, and a second one only takes
    # a core from the server it measures (the p99 under 200 connections was 110-124 ms with
    # two threads, 95 ms with one, at the same throughput).
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s"]
    out = subprocess.run(
        [*command, *header_args, url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout

    def latency(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": latency("50%"),
        "p99": latency("99%"),
        "bad": int(non_2xx.group(1)) if non_2xx else 0,
        "errors": errors.group(1) if errors else "",
    }


def python_load(url: str, duration: int, connections: int, headers: dict | None = None) -> dict:
    """Keep-alive GETs from `connections` threads for `duration` seconds (slower than wrk:
    the generator shares the two cores with gunicorn, so treat its figures as a floor)."""
    match = re.match(r"http://([^/:]+):(\d+)(/.*)", url)
    host, port, path = match.group(1), int(match.group(2)), match.group(3)
    latencies, bad, lock = [], [0], threading.Lock()
    stop = time.monotonic() + duration

    def run():
        connection = http.client.HTTPConnection(host, port, timeout=5)
        mine, failures = [], 0
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers or {})
                response = connection.getresponse()
                response.read()
                if not 200 <= response.status < 400:
                    failures += 1
            except OSError:
                failures += 1
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=5)
            mine.append((time.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(mine)
            bad[0] += failures

    threads = [threading.Thread(target=run) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    return {
        "rps": len(latencies) / duration,
        "p50": statistics.median(latencies),
        "p99": latencies[int(len(latencies) * 0.99) - 1],
        "bad": bad[0],
        "errors": "",
    }


def measure(load, base: str, path: str, args, connections=None, duration=None) -> dict:
    url = base + path
    load(url, 2, 4)  # warm up: imports, connections, and for the warm site its cache
    return load(url, duration or args.duration, connections or args.connections)


def render_times(
    workdir: Path, urls: dict[str, str], rounds: int = 20, **extra_env
) -> dict[str, float]:
    """Median cold render time (ms) of each public page, in one Django process: page cache
    off, and Django's cache and every fragment memo emptied before every request."""
    script = f"""
import statistics, time, django
django.setup()
from django.test import Client
from django.core.cache import cache
from newsroom import fragments
client = Client()
for name, url in {urls!r}.items():
    times = []
    for _ in range({rounds}):
        cache.clear()
        fragments.clear_all()
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    print(name, statistics.median(times))
"""
    env = site_environment(
        workdir,
        PAGE_CACHE="0",
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DJANGO_ALLOWED_HOSTS="testserver",
        **extra_env,
    )
    out = subprocess.run(
        [PYTHON, "-c", script], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    return {line.split()[0]: float(line.split()[1]) for line in out.splitlines()}


def scale_report(workdir: Path, articles: int) -> None:
    """Cold render time of every public page at the demo's size and at `articles`.

    The large size is measured in DATABASE_URL (loaded by bench/search_bench.py, and loaded
    here only if it does not hold exactly `articles` stories), the demo's 40 in a database of
    its own beside it (`<name>_40`), so the large one is never truncated and reloaded.
    """
    sys.path.insert(0, str(ROOT))
    from bench import search_bench

    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/newsroom_pages_bench")
    results = {}
    for size, database in ((40, f"{url}_40"), (articles, url)):
        search_bench.ensure_database(database)
        env = site_environment(workdir, DATABASE_URL=database)
        for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
            subprocess.run(
                [PYTHON, str(ROOT / "manage.py"), *command],
                env=env,
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
        django_env = {**env, "DJANGO_SETTINGS_MODULE": "newsroom.settings"}
        name = database.rsplit("/", 1)[-1]
        loader = (
            "import sys, django; sys.path.insert(0, '.'); django.setup()\n"
            "from articles.models import Article\n"
            f"if Article.objects.count() != {size}:\n"
            f"    print('Loading {size} articles into {name}…', flush=True)\n"
            "    from bench import search_bench\n"
            f"    search_bench.load({size}, 7)\n"
        )
        subprocess.run([PYTHON, "-c", loader], env=django_env, cwd=ROOT, check=True)
        tag, author = owner_slugs(env)
        urls = {
            "home": "/",
            "article": "/articles/bench-1/",
            "section": "/section/news/",
            "tag": f"/tag/{tag}/",
            "author": f"/author/{author}/",
            "feed": "/feeds/rss/",
            "sitemap-index": "/sitemap.xml",
            "sitemap": "/sitemap-articles.xml",
            "news-sitemap": "/sitemap-news.xml",
        }
        results[size] = render_times(workdir, urls, DATABASE_URL=database)
    print("\nCold render time, one process, page cache off (median of 20), PostgreSQL")
    print(f"{'page':<10}{'40 articles':>14}{f'{articles} articles':>20}{'ratio':>8}")
    for name, small in results[40].items():
        large = results[articles][name]
        print(f"{name:<10}{small:>11.1f} ms{large:>17.1f} ms{large / small:>8.2f}")


def owner_slugs(env: dict) -> tuple[str, str]:
    """A tag and an author of the measured article, so that their pages list something at
    either size."""
    script = (
        "import django; django.setup()\n"
        "from articles.models import Article\n"
        "a = Article.objects.get(slug='bench-1')\n"
        "print(a.tags.order_by('pk').first().slug, a.authors.order_by('pk').first().slug)\n"
    )
    return tuple(
        subprocess.run(
            [PYTHON, "-c", script],
            env={**env, "DJANGO_SETTINGS_MODULE": "newsroom.settings"},
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
    )


def outage(workdir: Path, site: Path, args, load, base: str, url: str) -> dict:
    """Load `url` while the database disappears for 5 s (the SQLite file is moved away, and
    connections are not kept between requests, so every new one fails), with the page cache on
    (pages live 2 s, so most requests during the outage find only a stale copy) and off.
    Counts the non-2xx answers."""
    results = {}
    database = workdir / "db.sqlite3"
    files = [database.with_name(database.name + suffix) for suffix in ("", "-wal", "-shm")]
    for label, page_cache in (("page cache on", "1"), ("page cache off", "0")):
        env = site_environment(
            workdir, site, PAGE_CACHE=page_cache, PAGE_CACHE_SECONDS="2", DATABASE_CONN_MAX_AGE="0"
        )
        with Server("newsroom.wsgi:application", args.port, args.workers, env, site):
            load(base + url, 2, 4)
            outcome: dict = {}
            runner = threading.Thread(
                target=lambda found=outcome: found.update(load(base + url, 12, args.connections))
            )
            runner.start()
            time.sleep(3)
            for file in files:
                if file.exists():
                    file.rename(file.with_name(file.name + ".away"))
            time.sleep(5)
            for file in files:
                file.unlink(missing_ok=True)  # what a connection created meanwhile
                away = file.with_name(file.name + ".away")
                if away.exists():
                    away.rename(file)
            runner.join()
            results[f"article, database gone 5 s of 12, {label}"] = outcome
    return results


PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


class PrivatePostgres:
    """A PostgreSQL cluster of the bench's own, in a temporary directory on a loopback port,
    so that stopping it under load disturbs no one else's database."""

    def __init__(self, port: int):
        self.port = port
        self.directory = Path(tempfile.mkdtemp(prefix="newsroom-bench-pg-"))
        self.data = self.directory / "data"
        self.url = f"postgres://postgres@127.0.0.1:{port}/newsroom"

    def run(self, program: str, *arguments: str) -> None:
        # initdb refuses to run as root.
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(
            [*as_postgres, str(PG_BIN / program), *arguments], check=True, capture_output=True
        )

    def __enter__(self):
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres")
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "newsroom")
        return self

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1"
        log = str(self.directory / "postgres.log")
        self.run("pg_ctl", "-D", str(self.data), "-l", log, "-w", "-o", options, "start")

    def stop(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def __exit__(self, *exc):
        try:
            self.stop()
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)


def postgres_restart(workdir: Path, site: Path, args, load, base: str) -> dict:
    """Load the article page while the site's PostgreSQL is stopped for 3 s and started again,
    with pages fresh for the default 10 minutes (every request a hit) and for 2 s (most
    requests during the restart find only a stale copy). Counts the non-2xx answers."""
    results = {}
    with PrivatePostgres(args.port + 1) as postgres:
        database = {"DATABASE_URL": postgres.url}
        prepare_site(workdir, site, **database)
        url = base + page_urls(workdir, site, **database)["article"]
        for label, seconds in (("pages fresh 600 s", "600"), ("pages fresh 2 s", "2")):
            env = site_environment(
                workdir, site, PAGE_CACHE="1", PAGE_CACHE_SECONDS=seconds, **database
            )
            with Server("newsroom.wsgi:application", args.port, args.workers, env, site):
                load(url, 2, 4)
                outcome: dict = {}
                runner = threading.Thread(
                    target=lambda found=outcome: found.update(load(url, 12, args.connections))
                )
                runner.start()
                time.sleep(3)
                postgres.stop()
                time.sleep(3)
                postgres.start()
                runner.join()
                results[f"article, PostgreSQL restarted, {label}"] = outcome
    return results


def main() -> None:
    args = parse_args()
    load = python_load if args.python_load or not shutil.which("wrk") else wrk
    workdir = Path(tempfile.mkdtemp(prefix="newsroom-pages-bench-"))
    try:
        if args.articles:
            scale_report(workdir, args.articles)
            return
        print("Preparing the demo site (migrate, load_demo, collectstatic)…", flush=True)
        site = args.site.resolve()
        prepare_site(workdir, site)
        urls = page_urls(workdir, site)
        base = f"http://127.0.0.1:{args.port}"
        print(
            f"Load: {load.__name__}, {args.connections} connections, {args.duration} s each; "
            f"gunicorn {args.workers} sync workers; {os.cpu_count()} CPUs\n",
            flush=True,
        )
        results = {}
        bare_env = {**site_environment(workdir), "PYTHONPATH": str(ROOT)}
        measure_bare(results, "before", load, base, args, bare_env)
        for state, page_cache in (("cold", "0"), ("warm", "1")):
            env = site_environment(workdir, site, PAGE_CACHE=page_cache)
            with Server("newsroom.wsgi:application", args.port, args.workers, env, site):
                for page in PAGES:
                    results[f"{page} ({state})"] = measure(load, base, urls[page], args)
                if state == "warm" and args.stress:
                    results["article (warm, 200 conn, 60 s)"] = measure(
                        load, base, urls["article"], args, connections=200, duration=60
                    )
        if args.baseline:
            before = args.baseline.resolve()
            results.update(baseline(workdir / "baseline", before, args, load, base))
        if args.outage:
            results.update(outage(workdir, site, args, load, base, urls["article"]))
        if args.restart_postgres:
            results.update(postgres_restart(workdir, site, args, load, base))
        measure_bare(results, "after", load, base, args, bare_env)
        report(results)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def baseline(workdir: Path, site: Path, args, load, base: str) -> dict:
    """Another checkout's pages, cold, on a demo site of its own."""
    workdir.mkdir()
    prepare_site(workdir, site)
    urls = page_urls(workdir, site)
    env = site_environment(workdir, site, PAGE_CACHE="0")
    with Server("newsroom.wsgi:application", args.port, args.workers, env, site):
        return {f"{page} (baseline, cold)": measure(load, base, urls[page], args) for page in PAGES}


def measure_bare(results: dict, when: str, load, base: str, args, env: dict) -> None:
    """The yardsticks, measured before our pages and again after them: the ratios use the
    mean of the two, so that a machine getting faster or slower during the run (a shared
    virtual machine does) moves both sides alike."""
    with Server("bench.bare_site:application", args.port, args.workers, env):
        results[f"bare ok view ({when})"] = measure(load, base, "/ok", args)
        results[f"bare 13 KB template ({when})"] = measure(load, base, "/page", args)


def report_table(results: dict) -> None:
    print(f"{'':<32}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}")
    for name, r in results.items():
        print(f"{name:<32}{r['rps']:>9.0f}{r['p50']:>9.1f}{r['p99']:>9.1f}{r['bad']:>9}"
              f"{'  socket errors: ' + r['errors'] if r['errors'] else ''}")  # fmt: skip


def report(results: dict) -> None:
    report_table(results)
    ok = statistics.mean(results[f"bare ok view ({when})"]["rps"] for when in ("before", "after"))
    template = statistics.mean(
        results[f"bare 13 KB template ({when})"]["rps"] for when in ("before", "after")
    )
    print("\nRatios")
    for page in PAGES:
        warm, cold = results[f"{page} (warm)"]["rps"], results[f"{page} (cold)"]["rps"]
        print(f"  {page:<8} warm / bare ok: {warm / ok:5.0%}   "
              f"cold / bare 13 KB template: {cold / template:5.0%}")  # fmt: skip
        if f"{page} (baseline, cold)" in results:
            before = results[f"{page} (baseline, cold)"]["rps"]
            print(f"  {'':<8} cold / baseline cold: {cold / before:5.1f}×")


if __name__ == "__main__":
    main()
