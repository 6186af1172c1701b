"""Content API benchmark: the ninjs list and article against the HTML article page, one run.

Starts gunicorn (2 sync workers) on loopback with the demo content (bench/pages.py's helpers:
same settings, server and load generator), once with the page cache off ("cold": every
request renders) and once with it on ("warm"), and loads each of:
- the HTML article page (the newest article),
- GET /api/ninjs/articles/ (the first page, 20 articles in full),
- GET /api/ninjs/articles/<id> (the same article),
then prints requests/s, p50/p99 latency, non-2xx counts and the API / page ratios.

    .venv/bin/python bench/api.py
    .venv/bin/python bench/api.py --duration 20 --connections 16
    .venv/bin/python bench/api.py --key      # API_REQUIRE_KEY on, every API request with a key
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pages import (  # noqa: E402
    PYTHON,
    ROOT,
    Server,
    measure,
    prepare_site,
    python_load,
    report_table,
    site_environment,
    wrk,
)

TARGETS = ["article page", "api list", "api article"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8732)
    parser.add_argument("--python-load", action="store_true", help="never use wrk")
    parser.add_argument("--key", action="store_true", help="require keys; send one")
    return parser.parse_args()


def target_urls(workdir: Path) -> tuple[dict[str, str], str]:
    """The newest article's page and API addresses, and (made here) a key with no real limit."""
    script = (
        "import django; django.setup()\n"
        "from articles.models import Article\n"
        "from api.models import ApiKey\n"
        "a = Article.objects.live().newest_first().first()\n"
        "key = ApiKey(partner='bench', requests_per_minute=10**9); raw = key.generate()\n"
        "key.save(); print(a.get_absolute_url(), a.pk, raw)\n"
    )
    env = {**site_environment(workdir), "DJANGO_SETTINGS_MODULE": "newsroom.settings"}
    out = subprocess.run(
        [PYTHON, "-c", script], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split()
    page, pk, raw = out[-3:]
    urls = {
        "article page": page,
        "api list": "/api/ninjs/articles/",
        "api article": f"/api/ninjs/articles/{pk}",
    }
    return urls, raw


def main() -> None:
    args = parse_args()
    load = python_load if args.python_load or not shutil.which("wrk") else wrk
    workdir = Path(tempfile.mkdtemp(prefix="newsroom-api-bench-"))
    try:
        print("Preparing the demo site (migrate, load_demo, collectstatic)…", flush=True)
        prepare_site(workdir, ROOT)
        urls, raw_key = target_urls(workdir)
        base = f"http://127.0.0.1:{args.port}"
        print(
            f"Load: {load.__name__}, {args.connections} connections, {args.duration} s each; "
            f"gunicorn {args.workers} sync workers; {os.cpu_count()} CPUs"
            f"{'; API keys required, one sent' if args.key else ''}\n",
            flush=True,
        )
        results = {}
        for state, page_cache in (("cold", "0"), ("warm", "1")):
            extra = {"PAGE_CACHE": page_cache, "API_REQUIRE_KEY": "1" if args.key else "0"}
            env = site_environment(workdir, ROOT, **extra)
            with Server("newsroom.wsgi:application", args.port, args.workers, env, ROOT):
                for target in TARGETS:
                    keyed = args.key and target.startswith("api")
                    run = keyed_load(load, raw_key) if keyed else load
                    results[f"{target} ({state})"] = measure(run, base, urls[target], args)
        report_table(results)
        print("\nRatios (API / HTML article page)")
        for state in ("cold", "warm"):
            page = results[f"article page ({state})"]["rps"]
            for target in TARGETS[1:]:
                print(
                    f"  {target:<12} {state}: {results[f'{target} ({state})']['rps'] / page:6.0%}"
                )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def keyed_load(load, raw_key: str):
    """`load` sending the key header with every request."""

    def run(url: str, duration: int, connections: int) -> dict:
        return load(url, duration, connections, headers={"Authorization": f"Bearer {raw_key}"})

    run.__name__ = load.__name__
    return run


if __name__ == "__main__":
    main()
