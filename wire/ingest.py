"""The one way agency copy comes in: the admin's upload and paste, `import_wire` and
`ingest_wire` all call `ingest()`.

An item is read, its pictures checked, then stored in one transaction: a new item becomes a
wire draft; the same (source, item id, version) again changes nothing; a higher version
updates a draft nobody has touched, or waits beside an edited one; a kill marks the item, holds the
article from publication (articles/holds.py) and alerts editors at once (and unpublishes a
live story when WIRE_KILL_ACTION = "unpublish").
"""

import io
import logging
import posixpath
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext

from articles import holds, images, revisions, tags, workflow
from articles.models import Article, Byline, Image, Section

from .formats import WireFormatError, WirePicture, WireStory, newsml, ninjs, plaintext
from .models import WireItem, WireVersion
from .tasks import send_kill_alert

logger = logging.getLogger(__name__)

PICTURE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".gif")
ITEM_EXTENSIONS = (".json", ".xml", ".txt", ".zip")

# What a resolver gives for a picture's href: the file's bytes, or None if it did not come.
Resolver = Callable[[str], bytes | None]


@dataclass
class Outcome:
    name: str
    result: str  # created, updated, unchanged, killed or refused
    reason: str = ""
    item: WireItem | None = None

    @property
    def refused(self) -> bool:
        return self.result == "refused"

    def __str__(self) -> str:
        return f"{self.result}: {self.name}" + (f" ({self.reason})" if self.reason else "")


def too_large(size: int) -> str | None:
    if size > settings.WIRE_MAX_BYTES:
        return gettext("the file is %(size)s; wire items may be at most %(limit)s") % {
            "size": filesizeformat(size),
            "limit": filesizeformat(settings.WIRE_MAX_BYTES),
        }
    return None


def ingest(
    data: bytes,
    *,
    name: str,
    by=None,
    source: str = "",
    headline: str = "",
    resolve: Resolver | None = None,
) -> Outcome:
    """Read one item (a file's bytes, or a zip of an item with its pictures) and store it."""
    if reason := too_large(len(data)):
        return Outcome(name, "refused", reason)
    try:
        story, resolve = read(data, name=name, source=source, headline=headline, resolve=resolve)
        pictures = checked_pictures(story, resolve)
    except WireFormatError as error:
        return Outcome(name, "refused", error.reason)
    except Exception:
        # A parser bug must not stop the rest of a batch: this item is refused, and logged.
        logger.exception("Wire item %s could not be read", name)
        return Outcome(
            name, "refused", gettext("it could not be read (an unexpected error, logged)")
        )
    # Two ingesters with the same item: the loser's insert hits a unique constraint and its
    # transaction rolls back whole; the retry finds what the winner stored.
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                return store(story, pictures, name=name, by=by)
        except WireFormatError as error:
            return Outcome(name, "refused", error.reason)
        except IntegrityError:
            if attempt == 2:
                logger.exception("Wire item %s could not be stored", name)
                return Outcome(name, "refused", gettext("the database refused it (logged)"))
            logger.info("Wire item %s %s stored meanwhile; retrying", story.source, story.item_id)
        except DatabaseError:
            logger.exception("Wire item %s could not be stored", name)
            return Outcome(name, "refused", gettext("the database refused it (logged)"))
    raise AssertionError("unreachable")


def read(
    data: bytes, *, name: str, source: str, headline: str, resolve: Resolver | None
) -> tuple[WireStory, Resolver]:
    """The story in `data`, and where its pictures are to be found."""
    if data[:4] == b"PK\x03\x04":
        return _read_zip(data, name=name, source=source, headline=headline)
    start = data.lstrip()[:1]
    # Said to be text (a pasted story is too): read as text, whatever it starts with.
    if name.lower().endswith(".txt"):
        story = plaintext.parse(data, source=source, headline=headline)
    elif start == b"{":
        story = ninjs.parse(data, source=source)
    elif start == b"<":
        story = newsml.parse(data, source=source)
    elif name.lower().endswith((".json", ".xml")):
        raise WireFormatError(gettext("The file is empty or does not start like JSON or XML."))
    elif not posixpath.splitext(name)[1]:
        story = plaintext.parse(data, source=source, headline=headline)
    else:
        raise WireFormatError(
            gettext(
                "Unknown format “%(extension)s”: send ninjs (.json), NewsML-G2 (.xml), plain "
                "text (.txt) or a zip of one item with its pictures."
            )
            % {"extension": posixpath.splitext(name)[1]}
        )
    return story, resolve or (lambda href: None)


def _read_zip(data: bytes, *, name: str, source: str, headline: str):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = {info.filename: info for info in archive.infolist() if not info.is_dir()}
    except zipfile.BadZipFile as exc:
        raise WireFormatError(
            gettext("The zip file is damaged: %(reason)s.") % {"reason": exc}
        ) from None
    items = [m for m in members if m.lower().endswith((".json", ".xml", ".txt"))]
    if len(items) != 1:
        raise WireFormatError(
            gettext(
                "A zip must hold exactly one item (.json, .xml or .txt) and its pictures; "
                "this one holds %(count)d."
            )
            % {"count": len(items)}
        )
    # Sizes as the archive declares them are checked before anything is unpacked (zip bombs).
    if reason := too_large(sum(info.file_size for info in members.values())):
        raise WireFormatError(gettext("Unpacked, %(reason)s.") % {"reason": reason})

    def resolve(href: str) -> bytes | None:
        wanted = posixpath.normpath(posixpath.join(posixpath.dirname(items[0]), href))
        info = members.get(wanted)
        return archive.read(info) if info else None

    story, _ = read(
        archive.read(members[items[0]]),
        name=items[0],
        source=source,
        headline=headline,
        resolve=None,
    )
    return story, resolve


def checked_pictures(story: WireStory, resolve: Resolver) -> list[tuple[WirePicture, bytes]]:
    """The pictures that came with the item, each through our image checks; a bad one refuses
    the whole item, before anything is stored. Pictures named but not sent are left out: we
    never fetch from an agency's server."""
    checked = []
    for picture in story.pictures:
        if "://" in picture.href:
            continue
        content = resolve(picture.href)
        if content is None:
            continue
        upload = ContentFile(content, name=posixpath.basename(picture.href))
        try:
            images.validate_image_file(upload)
        except ValidationError as error:
            raise WireFormatError(
                gettext("Picture %(name)s: %(reason)s")
                % {"name": picture.href, "reason": " ".join(error.messages)}
            ) from None
        checked.append((picture, content))
    return checked


def store(story: WireStory, pictures, *, name: str, by=None) -> Outcome:
    item = (
        WireItem.objects.select_for_update()
        .filter(source=story.source, item_id=story.item_id)
        .first()
    )
    if item is None:
        if story.is_kill:
            return Outcome(
                name,
                "refused",
                gettext("a %(status)s notice for an item never received")
                % {"status": story.pub_status},
            )
        return Outcome(name, "created", story.format, _create(story, pictures, by))
    newest = item.newest_version()
    if newest and story.version <= newest.version:
        if story.version == newest.version:
            reason = gettext("version %(version)d already here") % {"version": story.version}
        else:
            reason = gettext("version %(version)d older than version %(newest)d, already here") % {
                "version": story.version,
                "newest": newest.version,
            }
        return Outcome(name, "unchanged", reason, item)
    version = _record_version(item, story)
    if story.is_kill:
        return Outcome(name, "killed", _kill(item, version, by), item)
    article = Article.objects.select_for_update().get(pk=item.article_id)
    if article.version != item.article_version or article.status != Article.Status.DRAFT:
        return Outcome(
            name,
            "updated",
            gettext("version %(version)d waits beside the draft: an editor has taken it")
            % {"version": story.version},
            item,
        )
    _apply(article, story, by)
    revisions.claim_version(article, article.version)
    article.save()
    revisions.record_revision(article, author=by)
    WireItem.objects.filter(pk=item.pk).update(
        applied_version=version, article_version=article.version
    )
    return Outcome(
        name,
        "updated",
        gettext("draft now at version %(version)d") % {"version": story.version},
        item,
    )


def _section() -> Section:
    sections = Section.objects.all()
    if settings.WIRE_SECTION:
        sections = sections.filter(slug=settings.WIRE_SECTION)
    section = sections.first()
    if section is None:
        raise WireFormatError(
            gettext("There is no section to file wire drafts in: create one (or set WIRE_SECTION).")
        )
    return section


def _apply(article: Article, story: WireStory, by) -> None:
    article.headline = story.headline
    article.standfirst = story.standfirst
    article.body = story.body
    article.credit_line = story.credit_line[:200]
    article.embargo_until = story.embargo_until


def _create(story: WireStory, pictures, by) -> WireItem:
    article = Article(section=_section(), status=Article.Status.DRAFT)
    if by is not None and by.is_authenticated:
        article.created_by = by
    _apply(article, story, by)
    article.slug = Article.unique_slug_for(story.headline)
    if pictures:
        article.hero_image = _save_picture(*pictures[0], story)
    article.save()
    if story.subjects:
        article.tags.add(*[tags.tag_named(s[:100]) for s in story.subjects])
    author = getattr(by, "author", None) if by is not None and by.is_authenticated else None
    if author is not None:
        Byline.objects.create(article=article, author=author, position=0)
    revisions.record_revision(article, author=by)
    item = WireItem.objects.create(
        article=article,
        source=story.source,
        item_id=story.item_id,
        format=story.format,
        article_version=article.version,
    )
    item.applied_version = _record_version(item, story)
    item.save(update_fields=["applied_version"])
    return item


def _save_picture(picture: WirePicture, content: bytes, story: WireStory) -> Image:
    image = Image(
        alt_text=(picture.alt_text or picture.caption or story.headline)[:250],
        caption=picture.caption[:400],
        credit=(picture.credit or story.credit_line)[:200],
    )
    image.file = ContentFile(content, name=posixpath.basename(picture.href))
    image.save()
    return image


def _record_version(item: WireItem, story: WireStory) -> WireVersion:
    return WireVersion.objects.create(
        item=item,
        version=story.version,
        pub_status=story.pub_status,
        headline=story.headline,
        standfirst=story.standfirst,
        body=story.body,
        byline=story.byline[:200],
        credit_line=story.credit_line[:200],
        embargo_until=story.embargo_until,
        version_created=story.version_created,
        subjects=story.subjects,
        language=story.language[:35],
        urgency=story.urgency,
        original=story.original,
    )


def _kill(item: WireItem, version: WireVersion, by) -> str:
    """Mark the item killed. A live or scheduled story is never silently kept: editors hear at
    once, and with WIRE_KILL_ACTION = "unpublish" it is taken down (or unscheduled) too."""
    article = Article.objects.get(pk=item.article_id)
    note = (
        f"{item.source} {'withdrew' if version.pub_status == 'withheld' else 'killed'} this story"
    )
    # Whatever happens to it now, nobody publishes it again until an editor lifts the hold.
    holds.place(article, reason=f"{note} (wire item {item.item_id})", by=by)
    # By status: a scheduled story whose time has come is live, but only unscheduling moves it.
    scheduled = article.status == Article.Status.SCHEDULED
    at_risk = article.is_live or scheduled
    if at_risk and settings.WIRE_KILL_ACTION == "unpublish":
        take_down = workflow.unschedule if scheduled else workflow.unpublish
        try:
            take_down(article, by=by)
            note += "; it was " + ("unscheduled" if scheduled else "unpublished") + " automatically"
        except workflow.TransitionError as error:
            note += f"; it could not be taken down automatically ({error})"
            note += " and is still scheduled" if scheduled else " and is still live"
    elif at_risk:
        note += "; it is still scheduled" if scheduled else "; it is still live"
    WireItem.objects.filter(pk=item.pk).update(killed_at=timezone.now(), kill_note=note)
    if at_risk:
        transaction.on_commit(lambda: send_kill_alert.enqueue(item.pk))
    return note
