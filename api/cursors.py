"""Opaque, signed positions in the newest-first list of articles.

A cursor holds the (publish time, id) of the last article a page showed; the next page starts
strictly after it in that order. Articles published meanwhile sort before it (they are newer),
so paging on neither repeats nor skips anything, unlike an offset. Signed, so a client cannot
forge one to probe the table; it says nothing that the page itself did not.
"""

from datetime import datetime

from django.core import signing

SALT = "api.cursor"


class BadCursor(ValueError):
    pass


def make(publish_at: datetime, pk: int) -> str:
    """The cursor of the article published at `publish_at` with id `pk`."""
    return signing.dumps([publish_at.isoformat(), pk], salt=SALT, compress=True)


def read(cursor: str) -> tuple[datetime, int]:
    try:
        when, pk = signing.loads(cursor, salt=SALT)
        return datetime.fromisoformat(when), int(pk)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise BadCursor("This cursor is not valid: use the `next` link of a page.") from error
