"""Revisions of an article: snapshots on every save, readable diffs, restore, and the version
counter that makes a lost update impossible. The fields a revision records are declared once
(REVISION_FIELDS); the body's diff is htmldiff.py.

Every editing path bumps `Article.version` with one conditional UPDATE (`claim_version`), so of
two people who opened the same version only the first to save wins; the second is refused with
an `EditConflict` that names who saved in between.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import caching
from .htmldiff import BlockChange, diff_bodies
from .models import Article, Author, Byline, Image, Revision, Section


class EditConflict(Exception):
    """Someone saved the article after `expected_version` was read: refuse, do not overwrite."""

    def __init__(self, article: Article, expected_version: int | None):
        self.article = article
        self.expected_version = expected_version
        super().__init__(
            f"Article {article.pk} is no longer at version {expected_version}; it was saved since."
        )


def claim_version(article: Article, expected_version: int | None) -> int:
    """Move the article's version from `expected_version` to the next, atomically.

    One UPDATE … WHERE version = expected: the database, not a read before the write, decides
    which of two concurrent saves wins (on PostgreSQL the loser waits for the winner's row lock
    and then matches no row). Call it inside the transaction that saves the article.
    """
    if expected_version is None:
        raise EditConflict(article, expected_version)
    claimed = Article.objects.filter(pk=article.pk, version=expected_version).update(
        version=F("version") + 1
    )
    if claimed != 1:
        raise EditConflict(article, expected_version)
    article.version = expected_version + 1
    return article.version


@dataclass(frozen=True)
class RevisionField:
    """A field of Revision: how it is recorded, restored and compared."""

    name: str
    label: str  # in diffs and change summaries; "" for the body, compared block by block
    copied: bool = True  # recorded from the article's field of the same name
    restored: bool = True  # written back to that field by a restore


# Every field a revision records of the article's text, declared once. Tags, bylines and the
# section's and hero image's ids are recorded, restored and compared by their own code below.
REVISION_FIELDS = [
    RevisionField("headline", _("Headline")),
    # A restore changes what the article says, not where it lives or whether readers see it.
    RevisionField("slug", _("Slug"), restored=False),
    RevisionField("standfirst", _("Standfirst")),
    RevisionField("body", ""),
    RevisionField("section_name", _("Section"), copied=False, restored=False),
    RevisionField("hero_image_label", _("Hero image"), copied=False, restored=False),
    RevisionField("seo_title", _("SEO title")),
    RevisionField("seo_description", _("SEO description")),
    # Recorded and compared, never restored: clearing or moving a running embargo is the
    # change form's decision (only a superuser may lift one early), and an old version from
    # before the embargo would otherwise lift it through the back door.
    RevisionField("embargo_until", _("Embargo until"), restored=False),
    RevisionField("credit_line", _("Credit line")),
    RevisionField("status", _("Status"), restored=False),
]


def current_tags(article: Article) -> list[str]:
    # Read through the join table: a `tags` cache prefetched on the instance may predate the save.
    through = Article.tags.through
    names = through.objects.filter(
        content_type=ContentType.objects.get_for_model(Article), object_id=article.pk
    ).values_list("tag__name", flat=True)
    return sorted(names, key=str.casefold)


def current_bylines(article: Article) -> list[dict]:
    bylines = Byline.objects.filter(article=article).select_related("author").order_by("position")
    return [{"id": byline.author_id, "name": byline.author.name} for byline in bylines]


def record_revision(
    article: Article, *, author=None, restored_from: Revision | None = None, created_at=None
) -> Revision:
    """Store what the article holds now (content, tags, bylines) as a new revision."""
    _mark_superseded_if_it_was_live(article)
    hero = Image.objects.filter(pk=article.hero_image_id).first() if article.hero_image_id else None
    return Revision.objects.create(
        article=article,
        created_at=created_at or timezone.now(),
        author=author if author is not None and author.is_authenticated else None,
        version=article.version,
        restored_from=restored_from,
        **{field.name: getattr(article, field.name) for field in REVISION_FIELDS if field.copied},
        tags=current_tags(article),
        bylines=current_bylines(article),
        section_id_at_save=article.section_id,
        section_name=Section.objects.filter(pk=article.section_id)
        .values_list("name", flat=True)
        .first()
        or "",
        hero_image_id_at_save=article.hero_image_id,
        hero_image_label=hero.alt_text if hero else "",
        was_live=article.is_live,
    )


def _mark_superseded_if_it_was_live(article: Article) -> None:
    """The latest revision is about to be superseded: if readers could see the article at any
    time since it was recorded, it was live, and pruning must keep it.

    A revision saved as a draft goes live through a transition, and a scheduled one when its
    time passes, without any save. A content save leaves status and publish time alone, so an
    article live now was live just before; otherwise the transitions since the revision tell.
    (An unscheduling counts as having been live: its old publish time is not kept.)
    """
    previous = article.revisions.order_by("-version", "-pk").first()
    if previous is None or previous.was_live:
        return
    live_since = article.is_live or (
        article.events.filter(at__gte=previous.created_at)
        .filter(
            Q(to_status=Article.Status.PUBLISHED)
            | Q(from_status__in=[Article.Status.PUBLISHED, Article.Status.SCHEDULED])
        )
        .exists()
    )
    if live_since:
        Revision.objects.filter(pk=previous.pk).update(was_live=True)


def ensure_baseline(article: Article) -> None:
    """Record the article as it is if its current version has no revision yet (it was made or
    moved outside the change form: an import, a workflow transition), so that an editor who
    starts from this version can later be shown exactly what changed since."""
    if not article.revisions.filter(version=article.version).exists():
        # A workflow step since the last revision moved the version: credit whoever took it
        # (nobody, for the scheduler) so the history does not show a row of blank names.
        step = article.events.select_related("actor").order_by("-at", "-pk").first()
        last = article.revisions.order_by("-version", "-pk").first()
        moved_by_step = step is not None and (last is None or step.at >= last.created_at)
        # Dated when this version began (the step, or the last content change), not when
        # someone happened to open it.
        record_revision(
            article,
            author=step.actor if moved_by_step else None,
            created_at=step.at if moved_by_step else article.updated_at,
        )


def label_for_readers(history: list[Revision], events) -> None:
    """Give each revision a `reader_label` saying what readers saw of it: "Published"
    (saved while live), "Draft, then published" (it went live later without another save),
    or just its status. Unlike `was_live`, which pruning keeps conservative, this does not
    count a story unscheduled before its time as seen. `history` is newest first."""
    events = sorted(events, key=lambda event: event.at)
    until = None
    for revision in history:  # newest first: each one lasted until the next was saved
        status = revision.get_status_display()
        went_live = any(
            event.to_status == Article.Status.PUBLISHED
            and event.at >= revision.created_at
            and (until is None or event.at < until)
            for event in events
        )
        if revision.status == Article.Status.PUBLISHED:
            revision.reader_label = gettext("Published (live)")
        elif went_live:
            revision.reader_label = gettext("%(status)s, then published") % {"status": status}
        else:
            revision.reader_label = status
        until = revision.created_at


def latest_revision(article: Article) -> Revision | None:
    return article.revisions.select_related("author").order_by("-version", "-pk").first()


def revision_at(article: Article, version: int | None) -> Revision | None:
    """The newest revision recorded at or before `version` (what an editor started from)."""
    if version is None:
        return None
    return (
        article.revisions.filter(version__lte=version)
        .select_related("author")
        .order_by("-version", "-pk")
        .first()
    )


def restore_revision(revision: Revision, *, by, expected_version: int | None) -> Revision:
    """Bring `revision`'s content back as a new version and a new revision.

    The slug and the workflow status are left alone: a restore changes what the article says,
    not where it lives or whether readers can see it. Sections, images and authors deleted
    since the revision was made cannot come back; the article keeps its current ones instead.
    """
    with transaction.atomic():
        claim_version(revision.article, expected_version)
        article = Article.objects.get(pk=revision.article_id)
        for field in REVISION_FIELDS:
            if field.restored:
                setattr(article, field.name, getattr(revision, field.name))
        if Section.objects.filter(pk=revision.section_id_at_save).exists():
            article.section_id = revision.section_id_at_save
        if revision.hero_image_id_at_save is None:
            article.hero_image = None
        elif Image.objects.filter(pk=revision.hero_image_id_at_save).exists():
            article.hero_image_id = revision.hero_image_id_at_save
        article.save()
        article.tags.set(revision.tags)
        existing = set(
            Author.objects.filter(pk__in=[byline["id"] for byline in revision.bylines]).values_list(
                "pk", flat=True
            )
        )
        author_ids = [byline["id"] for byline in revision.bylines if byline["id"] in existing]
        if author_ids:
            Byline.objects.filter(article=article).delete()
            Byline.objects.bulk_create(
                Byline(article=article, author_id=author_id, position=position)
                for position, author_id in enumerate(author_ids)
            )
            # bulk_create sends no post_save: the restored authors' pages are purged here.
            if caching.public_article_ids([article.pk]):
                caching.purge_articles(
                    [article.pk], also={caching.author_key(pk) for pk in author_ids}
                )
        return record_revision(article, author=by, restored_from=revision)


def prune_revisions(older_than) -> int:
    """Delete revisions saved before `older_than`, except every one readers saw (`was_live`:
    saved while live, or live before it was superseded) and each article's latest. Returns how
    many were deleted."""
    latest = (
        Revision.objects.filter(article=OuterRef("article"))
        .order_by("-version", "-pk")
        .values("pk")[:1]
    )
    doomed = Revision.objects.filter(created_at__lt=older_than, was_live=False).exclude(
        pk=Subquery(latest)
    )
    deleted, per_model = doomed.delete()
    return per_model.get(Revision._meta.label, 0)


# --- Diffs ---------------------------------------------------------------------------------


@dataclass
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class RevisionDiff:
    old: Revision
    new: Revision
    fields: list[FieldChange]
    tags_added: list[str]
    tags_removed: list[str]
    bylines_added: list[str]
    bylines_removed: list[str]
    bylines_reordered: bool
    body: list[BlockChange]

    @property
    def body_changes(self) -> list[BlockChange]:
        return [change for change in self.body if change.kind != "same"]

    @property
    def has_changes(self) -> bool:
        return bool(
            self.fields
            or self.tags_added
            or self.tags_removed
            or self.bylines_added
            or self.bylines_removed
            or self.bylines_reordered
            or self.body_changes
        )


def _compared_fields() -> list[tuple[str, str]]:
    """(label, name) of the fields a diff lists one by one, in REVISION_FIELDS' order."""
    return [(field.label, field.name) for field in REVISION_FIELDS if field.label]


def diff_revisions(old: Revision, new: Revision) -> RevisionDiff:
    """What changed from `old` to `new`, in words an editor reads."""
    fields = []
    for label, name in _compared_fields():
        before, after = getattr(old, name), getattr(new, name)
        if name == "hero_image_label":
            before = before if old.hero_image_id_at_save else ""
            after = after if new.hero_image_id_at_save else ""
            if old.hero_image_id_at_save != new.hero_image_id_at_save and before == after:
                before, after = (
                    f"{before} (#{old.hero_image_id_at_save})",
                    f"{after} (#{new.hero_image_id_at_save})",
                )
        if before != after:
            fields.append(FieldChange(label, before, after))
    old_tags, new_tags = set(old.tags), set(new.tags)
    old_authors = {byline["id"]: byline["name"] for byline in old.bylines}
    new_authors = {byline["id"]: byline["name"] for byline in new.bylines}
    kept_old = [byline["id"] for byline in old.bylines if byline["id"] in new_authors]
    kept_new = [byline["id"] for byline in new.bylines if byline["id"] in old_authors]
    return RevisionDiff(
        old=old,
        new=new,
        fields=fields,
        tags_added=sorted(new_tags - old_tags, key=str.casefold),
        tags_removed=sorted(old_tags - new_tags, key=str.casefold),
        bylines_added=[name for pk, name in new_authors.items() if pk not in old_authors],
        bylines_removed=[name for pk, name in old_authors.items() if pk not in new_authors],
        bylines_reordered=kept_old != kept_new,
        body=diff_bodies(old.body, new.body),
    )


def change_summary(old: Revision | None, new: Revision) -> str:
    """One line saying what a save changed: "Headline, Tags; body 412 → 455 words"."""
    if old is None:
        return gettext("First version; body %(words)d words") % {"words": _words(new.body)}
    fields = [
        str(label)
        for label, name in _compared_fields()
        if name != "status" and getattr(old, name) != getattr(new, name)
    ]
    if old.tags != new.tags:
        fields.append(gettext("Tags"))
    if old.bylines != new.bylines:
        fields.append(gettext("Bylines"))
    body = ""
    if old.body != new.body:
        body = gettext("body %(old)d → %(new)d words") % {
            "old": _words(old.body),
            "new": _words(new.body),
        }
    restored = ""
    if new.restored_from_id:
        restored = gettext("Restored version %(version)d") % {"version": new.restored_from.version}
    parts = [restored, ", ".join(fields), body]
    return "; ".join(part for part in parts if part) or gettext("No change to the text")


def _words(html: str) -> int:
    return len(re.findall(r"\S+", re.sub(r"<[^>]+>", " ", html or "")))
