"""How fast the wire desk takes agency copy in, and how fast it refuses hostile XML.

    .venv/bin/python bench/wire_ingest.py [ITEMS]

Uses a throwaway SQLite database in a temporary folder unless DATABASE_URL is set (then that
database must be disposable). Drops ITEMS ninjs items (six paragraphs each) into a folder and
times one `ingest_wire --once` pass over it (parse, sanitise, store article, revision, item and
version, move the file), then the same pass over the same items again (all unchanged), then
parses a 9 MB NewsML-G2 item and refuses a billion-laughs file.
"""

import json
import os
import sys
import tempfile
import time
from pathlib import Path

ITEMS = int(sys.argv[1]) if len(sys.argv) > 1 else 200
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
workdir = Path(tempfile.mkdtemp(prefix="wire-bench-"))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-" + "x" * 40)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost,testserver")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from articles.models import Section  # noqa: E402
from wire.dropfolder import process_folder  # noqa: E402
from wire.formats import WireFormatError, newsml  # noqa: E402

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "wire" / "fixtures"
PARAGRAPH = "The council said on Tuesday that the harbour wall would be rebuilt by spring. " * 3


def drop(folder: Path, start: int) -> None:
    for number in range(start, start + ITEMS):
        item = {
            "uri": f"urn:bench:{number}",
            "version": "1",
            "copyrightholder": "Bench Agency",
            "headline": f"Harbour wall to be rebuilt, story {number}",
            "body_html": "".join(f"<p>{PARAGRAPH}</p>" for _ in range(6)),
            "subject": [{"name": "Harbours"}],
        }
        (folder / f"{number:05d}.json").write_text(json.dumps(item))


def timed_pass(folder: Path, label: str) -> None:
    started = time.perf_counter()
    outcomes = process_folder(folder)
    elapsed = time.perf_counter() - started
    results = {o.result for o in outcomes}
    print(
        f"{label:>22}: {len(outcomes)} items in {elapsed:.2f} s, "
        f"{elapsed / len(outcomes) * 1000:.1f} ms each ({', '.join(sorted(results))})"
    )


def main() -> None:
    call_command("migrate", verbosity=0)
    Section.objects.get_or_create(slug="news", defaults={"name": "News"})
    folder = workdir / "drop"
    folder.mkdir()
    drop(folder, 0)
    timed_pass(folder, "new items")
    drop(folder, 0)
    timed_pass(folder, "same items again")

    nitf = (FIXTURES / "newsml_nitf.xml").read_text()
    big = nitf.replace("<p>The rise", f"<p>{PARAGRAPH}</p>" * 35_000 + "<p>The rise")
    started = time.perf_counter()
    story = newsml.parse(big.encode())
    print(
        f"{'9 MB NewsML-G2 parse':>22}: {len(big) / 1e6:.1f} MB in "
        f"{time.perf_counter() - started:.2f} s ({len(story.body) / 1e6:.1f} MB body)"
    )
    started = time.perf_counter()
    try:
        newsml.parse((FIXTURES / "billion_laughs.xml").read_bytes())
    except WireFormatError:
        refused = True
    else:
        refused = False
    assert refused, "the billion-laughs file was accepted"
    print(f"{'billion laughs refused':>22}: in {(time.perf_counter() - started) * 1000:.2f} ms")


if __name__ == "__main__":
    main()
