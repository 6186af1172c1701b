"""Uploads kept while their image form is corrected (articles.forms.ImageAdminForm): each
waits in storage under `pending/<random>/<name>` until the image is saved, which deletes it.
A form that is abandoned leaves its file behind; `clean_pending_uploads` removes those once
they are older than any token that could still name them."""

import logging
import os
import posixpath
import secrets
from datetime import datetime, timedelta

from django.core.files.storage import Storage, default_storage
from django.utils import timezone

from .models import Image

logger = logging.getLogger(__name__)

PENDING_DIR = "pending"
# How long a form's token for a kept upload is honoured; a file older than this is unreachable.
MAX_AGE = timedelta(hours=24)


def pending_name(filename: str) -> str:
    """Where an upload named `filename` waits: a directory of its own, unguessable."""
    return posixpath.join(PENDING_DIR, secrets.token_urlsafe(16), posixpath.basename(filename))


def clean_pending_uploads(
    older_than: timedelta = MAX_AGE, storage: Storage | None = None, now: datetime | None = None
) -> list[str]:
    """Delete kept uploads last written more than `older_than` ago; returns their names.

    A file an Image row points at is never deleted, whatever its age. Works through the
    storage API, so it cleans S3 as well as the local media folder.
    """
    storage = storage or default_storage
    cutoff = (now or timezone.now()) - older_than
    if not storage.exists(PENDING_DIR):
        return []
    in_use = set(
        Image.objects.filter(file__startswith=f"{PENDING_DIR}/").values_list("file", flat=True)
    )
    deleted = []
    folders, loose = storage.listdir(PENDING_DIR)
    candidates = [posixpath.join(PENDING_DIR, name) for name in loose]
    for folder in folders:
        _, files = storage.listdir(posixpath.join(PENDING_DIR, folder))
        candidates += [posixpath.join(PENDING_DIR, folder, name) for name in files]
    for name in candidates:
        try:
            if name in in_use or storage.get_modified_time(name) >= cutoff:
                continue
        except FileNotFoundError:  # its image was saved meanwhile, or another run took it
            continue
        storage.delete(name)
        deleted.append(name)
    for folder in folders:
        _remove_if_empty(storage, posixpath.join(PENDING_DIR, folder), cutoff)
    return deleted


def _remove_if_empty(storage: Storage, folder: str, cutoff: datetime) -> None:
    """Remove an old, empty local folder (saving an image empties its folder); object stores
    have no folders. A new folder is left alone: an upload may be about to land in it."""
    try:
        path = storage.path(folder)
    except NotImplementedError:
        return
    try:
        if not os.listdir(path) and os.path.getmtime(path) < cutoff.timestamp():
            os.rmdir(path)
    except OSError as exc:  # something landed in it meanwhile: keep it
        logger.info("Kept pending upload folder %s: %s", folder, exc)
