"""Files on disk into `ingest()`: the paths given to `import_wire`, and the drop folder
watched by `ingest_wire`.

A drop folder is safe with any number of ingesters: each claims a file by renaming it into
`processing/` (one atomic rename on one filesystem, so exactly one ingester wins it), then
moves it to `done/` or `failed/`, next to a `<name>.reason.txt` saying what happened.
"""

import os
import time
from collections.abc import Iterator
from pathlib import Path

from .ingest import ITEM_EXTENSIONS, PICTURE_EXTENSIONS, Outcome, Resolver, ingest, too_large

SUBFOLDERS = ("processing", "done", "failed")
# A claimed file untouched for this long belongs to an ingester that died: seconds.
STALE_AFTER = 600.0


def item_files(paths: list[Path]) -> Iterator[Path]:
    """The items among `paths`: files as given, and the item files inside folders (pictures
    and reason files beside them are not items)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and _is_item(child):
                    yield child
        else:
            yield path


def _is_item(path: Path) -> bool:
    name = path.name.lower()
    if name.startswith(".") or name.endswith(".reason.txt") or name.endswith(PICTURE_EXTENSIONS):
        return False
    return name.endswith(ITEM_EXTENSIONS) or "." not in name


def beside(folder: Path) -> Resolver:
    """Pictures named by an item, looked up in the folder it came from and nowhere else."""
    root = folder.resolve()

    def resolve(href: str) -> bytes | None:
        candidate = (root / href).resolve()
        if not candidate.is_relative_to(root) or not candidate.is_file():
            return None
        if too_large(candidate.stat().st_size):
            return None
        return candidate.read_bytes()

    return resolve


def ingest_file(
    path: Path, *, by=None, source: str = "", pictures_in: Path | None = None
) -> Outcome:
    """One file from disk; its size is checked before a byte of it is read."""
    try:
        size = path.stat().st_size
    except OSError as error:
        return Outcome(str(path), "refused", f"cannot be read: {error.strerror}")
    if reason := too_large(size):
        return Outcome(str(path), "refused", reason)
    return ingest(
        path.read_bytes(),
        name=str(path),
        by=by,
        source=source,
        resolve=beside(pictures_in or path.parent),
    )


def process_folder(
    folder: Path, *, by=None, source: str = "", stale_after: float = STALE_AFTER
) -> list[Outcome]:
    """Ingest every item now waiting in the drop folder; returns what happened to each."""
    for sub in SUBFOLDERS:
        (folder / sub).mkdir(exist_ok=True)
    reclaim_stale(folder, stale_after)
    outcomes = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and _is_item(p)):
        claimed = folder / "processing" / path.name
        try:
            os.rename(path, claimed)
        except FileNotFoundError:
            continue  # another ingester claimed it first
        outcome = ingest_file(claimed, by=by, source=source, pictures_in=folder)
        outcome.name = path.name
        try:
            _file_away(claimed, folder / ("failed" if outcome.refused else "done"), outcome)
        except FileNotFoundError:
            continue  # we were so slow that another ingester reclaimed it; it files it away
        outcomes.append(outcome)
    return outcomes


def reclaim_stale(folder: Path, stale_after: float) -> None:
    """Put back files an ingester claimed and never finished (it was killed): the rename into
    processing/ set their change time. Importing is idempotent, so if that ingester was only
    slow, the item is stored once all the same."""
    now = time.time()
    for path in (folder / "processing").iterdir():
        try:
            if now - path.stat().st_ctime > stale_after:
                os.rename(path, folder / path.name)
        except FileNotFoundError:
            continue  # finished or reclaimed meanwhile


def _file_away(claimed: Path, target_folder: Path, outcome: Outcome) -> None:
    target = target_folder / claimed.name
    number = 1
    while target.exists():  # the same name sent again: keep both
        number += 1
        target = target_folder / f"{claimed.stem}.{number}{claimed.suffix}"
    os.rename(claimed, target)
    target.with_name(target.name + ".reason.txt").write_text(str(outcome) + "\n")
