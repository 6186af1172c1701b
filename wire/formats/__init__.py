"""Agency copy in, one internal form out: every format's `parse(data: bytes, ...)` returns a
WireStory or raises WireFormatError with a reason written for the editor who sent the file."""

import datetime
import html
import re
from dataclasses import dataclass, field

from django.utils.dateparse import parse_datetime
from django.utils.html import strip_tags
from django.utils.translation import gettext

from articles.sanitizer import sanitize_body

KILLED_STATUSES = frozenset({"canceled", "withheld"})
PUB_STATUSES = frozenset({"usable", *KILLED_STATUSES})
ITEM_ID_LIMIT = 255
SOURCE_LIMIT = 120
VERSION_LIMIT = 2**31 - 1
STANDFIRST_LIMIT = 600


class WireFormatError(Exception):
    """The item cannot be read; str(error) says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class WirePicture:
    """A picture the item names; `href` is resolved against the files that came with it."""

    href: str
    alt_text: str = ""
    caption: str = ""
    credit: str = ""


@dataclass
class WireStory:
    format: str
    source: str
    item_id: str
    version: int
    headline: str
    standfirst: str
    body: str  # sanitised HTML
    original: str  # the item as received, decoded, for the editor's read-only copy
    byline: str = ""
    credit: str = ""
    first_created: datetime.datetime | None = None
    version_created: datetime.datetime | None = None
    embargo_until: datetime.datetime | None = None
    subjects: list[str] = field(default_factory=list)
    language: str = ""
    urgency: int | None = None
    pub_status: str = "usable"
    pictures: list[WirePicture] = field(default_factory=list)

    @property
    def is_kill(self) -> bool:
        """The agency withdrew the story (withheld) or killed it (canceled)."""
        return self.pub_status in KILLED_STATUSES

    @property
    def credit_line(self) -> str:
        return self.credit or self.source


def finish(story: WireStory) -> WireStory:
    """Checks every format shares: a headline, a body (unless it is a kill), a source, an id."""
    story.headline = " ".join(story.headline.split())
    if not story.headline:
        raise WireFormatError(gettext("The item has no headline."))
    if len(story.headline) > 200:
        raise WireFormatError(gettext("The headline is longer than 200 characters."))
    story.body = sanitize_body(story.body)
    if not strip_tags(story.body).strip() and not story.is_kill:
        raise WireFormatError(gettext("The item has no body text."))
    if not story.source:
        raise WireFormatError(
            gettext("The item does not say which agency or outlet it comes from.")
        )
    if not story.item_id:
        raise WireFormatError(gettext("The item has no id (ninjs uri, NewsML-G2 guid)."))
    # What the columns hold (WireItem, WireVersion): refused here, with a reason, rather than
    # failing in the database half-way through the batch.
    if len(story.item_id) > ITEM_ID_LIMIT:
        raise WireFormatError(
            gettext("The item id is longer than %(limit)d characters.") % {"limit": ITEM_ID_LIMIT}
        )
    if len(story.source) > SOURCE_LIMIT:
        raise WireFormatError(
            gettext("The source name is longer than %(limit)d characters.")
            % {"limit": SOURCE_LIMIT}
        )
    if story.version > VERSION_LIMIT:
        raise WireFormatError(
            gettext("The version %(version)d is too large.") % {"version": story.version}
        )
    if story.urgency is not None and not 0 <= story.urgency <= 9:
        raise WireFormatError(
            gettext("The urgency must be from 0 to 9, not %(urgency)s.")
            % {"urgency": story.urgency}
        )
    if story.pub_status not in PUB_STATUSES:
        raise WireFormatError(
            gettext("Unknown pubStatus %(status)r: expected usable, withheld or canceled.")
            % {"status": story.pub_status}
        )
    if not story.standfirst:
        story.standfirst = first_paragraph_text(story.body)
    story.standfirst = shorten(" ".join(story.standfirst.split()), STANDFIRST_LIMIT)
    return story


def first_paragraph_text(body: str) -> str:
    match = re.search(r"<p[^>]*>(.*?)</p>", body, re.DOTALL)
    return html.unescape(strip_tags(match.group(1) if match else body)).strip()


def shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def paragraphs_html(paragraphs: list[str]) -> str:
    return "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)


def parse_time(value, what: str) -> datetime.datetime | None:
    """An ISO 8601 time; a time without a zone is read as UTC, as IPTC recommends."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise WireFormatError(_not_a_time(what, value))
    try:
        parsed = parse_datetime(value.strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise WireFormatError(_not_a_time(what, value))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return parsed


def _not_a_time(what: str, value) -> str:
    return gettext("The %(field)s is not a date and time: %(value)r.") % {
        "field": what,
        "value": value,
    }


def parse_version(value) -> int:
    if value in (None, ""):
        return 1
    try:
        version = int(str(value).strip())
    except ValueError:
        raise WireFormatError(
            gettext("The version is not a whole number: %(value)r.") % {"value": value}
        ) from None
    if version < 1:
        raise WireFormatError(
            gettext("The version must be 1 or more, not %(version)d.") % {"version": version}
        )
    return version


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise WireFormatError(
            gettext("The file is not UTF-8 text (byte %(byte)d cannot be read).")
            % {"byte": exc.start}
        ) from None
