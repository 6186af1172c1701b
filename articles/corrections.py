"""Corrections and updates on the record: each is a dated entry that stays with the article.

An editor adds an entry (approved at once); a reporter proposes one, which an editor
approves. Both check the actor's permission and, when given, the version the caller saw, bump
the article's version and its modified time (JSON-LD and feeds show it), purge its pages and
record an ArticleEvent, so every entry is in the article's workflow history. Once the article
is live an approved entry is fixed (Correction.save/delete refuse); only a superuser removes
one, with a reason, and a CorrectionRemoval keeps what it said.
"""

from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from . import caching
from .models import Article, ArticleEvent, Correction, CorrectionRemoval
from .permissions import can_see
from .sanitizer import sanitize_note
from .workflow import InvalidTransition, StaleArticleError, TransitionNotAllowed

Kind = Correction.Kind
Status = Correction.Status
# Which entries the public archive and the JSON-LD `correction` list: they fix the record.
ON_THE_RECORD = (Kind.CORRECTION, Kind.CLARIFICATION)
ADD_PERMISSION = "articles.publish_article"
PROPOSE_PERMISSION = "articles.submit_article"


def add(article: Article, *, by, kind: str, text: str, expected_version: int | None = None):
    """An editor's entry, approved at once."""
    return _write(article, by, kind, text, expected_version, Status.APPROVED, ADD_PERMISSION)


def propose(article: Article, *, by, kind: str, text: str, expected_version: int | None = None):
    """A reporter's entry: readers see it once an editor approves it."""
    return _write(article, by, kind, text, expected_version, Status.PROPOSED, PROPOSE_PERMISSION)


def approve(entry: Correction, *, by, expected_version: int | None = None) -> Correction:
    article = entry.article
    _check(by, article, ADD_PERMISSION, gettext("approve a correction to"))
    with transaction.atomic():
        locked = _lock(article, expected_version)
        if not Correction.objects.filter(pk=entry.pk, status=Status.PROPOSED).update(
            status=Status.APPROVED, approved_by=by, created_at=timezone.now()
        ):
            raise InvalidTransition(gettext("That entry was already approved or removed."))
        entry.refresh_from_db()
        _record(locked, by, f"{entry.get_kind_display()} approved: {entry.text}", modified=True)
    article.refresh_from_db(fields=["version", "updated_at"])
    return entry


def remove(entry: Correction, *, by, reason: str) -> CorrectionRemoval:
    """A superuser takes an entry off the record; the removal keeps who, when, why and what."""
    reason = (reason or "").strip()
    if by is None or not by.is_superuser:
        raise TransitionNotAllowed(gettext("Only a superuser can remove a correction."))
    if not reason:
        raise InvalidTransition(gettext("Say why this entry is removed: a reason is required."))
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=entry.article_id)
        # A queryset delete: Correction.delete refuses on a live article, and this is the door.
        if not Correction.objects.filter(pk=entry.pk).delete()[0]:
            raise InvalidTransition(gettext("That entry was already removed."))
        removal = CorrectionRemoval.objects.create(
            article=locked,
            kind=entry.kind,
            text=entry.text,
            written_at=entry.created_at,
            removed_by=by,
            reason=reason,
        )
        _record(locked, by, f"{entry.get_kind_display()} removed ({reason}): {entry.text}")
    return removal


def for_page(article: Article) -> list[Correction]:
    """The entries readers see at the foot of the article, newest first; none without a query
    when the article was fetched `with_record_flag()` and has none, as most articles."""
    if getattr(article, "has_record", True) is False:
        return []
    return list(article.corrections.filter(status=Status.APPROVED))


def with_record_flag(articles: QuerySet) -> QuerySet:
    """`articles`, each annotated `has_record`: whether it has an approved entry."""
    return articles.annotate(
        has_record=Exists(Correction.objects.filter(article=OuterRef("pk"), status=Status.APPROVED))
    )


def archive() -> QuerySet:
    """Every approved correction and clarification on a live article, newest first."""
    return (
        Correction.objects.filter(
            status=Status.APPROVED,
            kind__in=ON_THE_RECORD,
            article__in=Article.objects.live(),
        )
        .select_related("article", "article__section")
        .order_by("-created_at", "-pk")
    )


def _check(by, article: Article, permission: str, doing: str) -> None:
    if by is None or not by.has_perm(permission) or not can_see(by, article):
        raise TransitionNotAllowed(
            gettext("You do not have permission to %(action)s “%(headline)s”.")
            % {"action": doing, "headline": article.headline}
        )


def _lock(article: Article, expected_version: int | None) -> Article:
    locked = Article.objects.select_for_update().get(pk=article.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleArticleError(
            gettext(
                "“%(headline)s” was changed by someone else since you opened it. "
                "Reload the page, check the changes, and try again."
            )
            % {"headline": locked.headline}
        )
    return locked


def _write(article, by, kind, text, expected_version, status, permission) -> Correction:
    doing = gettext("correct") if status == Status.APPROVED else gettext("propose a correction to")
    _check(by, article, permission, doing)
    if kind not in Kind.values:
        raise InvalidTransition(
            gettext("Choose a kind of entry: %(kinds)s.")
            % {"kinds": ", ".join(str(label) for label in Kind.labels).lower()}
        )
    text = sanitize_note(text)
    if not text:
        raise InvalidTransition(gettext("Write what was corrected, clarified or updated."))
    with transaction.atomic():
        locked = _lock(article, expected_version)
        entry = Correction.objects.create(
            article=locked,
            kind=kind,
            text=text,
            status=status,
            created_by=by,
            approved_by=by if status == Status.APPROVED else None,
        )
        done = "added" if status == Status.APPROVED else "proposed"
        _record(locked, by, f"{entry.get_kind_display()} {done}: {text}", status == Status.APPROVED)
    article.refresh_from_db(fields=["version", "updated_at"])
    return entry


def _record(locked: Article, by, comment: str, modified: bool = True) -> None:
    """One step in the article's history; a change readers see moves its modified time."""
    changes = {"version": F("version") + 1}
    if modified:
        changes["updated_at"] = timezone.now()
    Article.objects.filter(pk=locked.pk).update(**changes)
    ArticleEvent.objects.create(
        article=locked,
        actor=by,
        from_status=locked.status,
        to_status=locked.status,
        comment=comment,
    )
    if locked.status in caching.PUBLIC_STATUSES:
        caching.purge_articles([locked.pk], also={caching.CORRECTIONS})
