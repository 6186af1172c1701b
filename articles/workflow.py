"""The editorial workflow: who may move an article from one status to another, and how.

    draft ──submit──▶ review ──request changes (comment required)──▶ draft
    draft/review/archived/scheduled ──publish──▶ published      ("Publish now")
    draft/review/archived/scheduled ──schedule(time)──▶ scheduled ("Reschedule")
    scheduled ──unschedule──▶ draft        published ──unpublish──▶ draft (or archived)

Every transition checks the actor's permission, then locks the article's row, checks its
current status (and the version the caller saw, when given), refuses to publish or schedule
while a hold (holds.py) or an embargo (embargo.py) stands, moves it, bumps `version` and
records an ArticleEvent — so two editors pressing Publish at once publish once. The admin, the
`publish_scheduled` command and the tests all come through here.

Who may see and edit what is permissions.py; share links are sharing.py; the input a
transition asks for is a form in forms.py, named by its Transition; who is emailed is
notifications.py, run by a task.
"""

import datetime
from dataclasses import dataclass

from django import forms
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from . import caching, checks, embargo, holds
from .forms import RequestChangesForm, ScheduleForm, UnpublishForm
from .models import Article, ArticleEvent
from .permissions import can_see
from .tasks import publish_scheduled_articles, send_workflow_notification

Status = Article.Status


class TransitionError(Exception):
    """A transition was refused; the message is written for the person who asked."""


class TransitionNotAllowed(TransitionError):
    """The actor lacks the permission for this transition on this article."""


class InvalidTransition(TransitionError):
    """The article is not in a status this transition starts from, or the input is wrong."""


class StaleArticleError(TransitionError):
    """The article changed since the caller loaded it (its version moved on)."""


@dataclass(frozen=True)
class Transition:
    name: str
    label: str  # a button's name (lazily translated)
    permission: str
    sources: frozenset[str]
    target: str
    # "published", for messages: "“Headline” was published." (lazily translated; the
    # messages around it are whole sentences with a %(past)s placeholder).
    past: str
    # What the transition asks for besides the article (a comment, a time), when it asks:
    # the admin's button posts this form, and its transition_kwargs() go to the function.
    form_class: type[forms.Form] | None = None


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "submit",
            _("Submit for review"),
            "articles.submit_article",
            frozenset({Status.DRAFT}),
            Status.REVIEW,
            pgettext_lazy("article was …", "submitted for review"),
        ),
        Transition(
            "request_changes",
            _("Request changes"),
            "articles.request_changes",
            frozenset({Status.REVIEW}),
            Status.DRAFT,
            pgettext_lazy("article was …", "sent back with changes requested"),
            RequestChangesForm,
        ),
        Transition(
            "publish",
            _("Publish now"),
            "articles.publish_article",
            frozenset({Status.DRAFT, Status.REVIEW, Status.ARCHIVED, Status.SCHEDULED}),
            Status.PUBLISHED,
            pgettext_lazy("article was …", "published"),
        ),
        Transition(
            "schedule",
            _("Schedule…"),
            "articles.schedule_article",
            frozenset({Status.DRAFT, Status.REVIEW, Status.ARCHIVED, Status.SCHEDULED}),
            Status.SCHEDULED,
            pgettext_lazy("article was …", "scheduled"),
            ScheduleForm,
        ),
        Transition(
            "unschedule",
            _("Unschedule"),
            "articles.schedule_article",
            frozenset({Status.SCHEDULED}),
            Status.DRAFT,
            pgettext_lazy("article was …", "unscheduled"),
        ),
        Transition(
            "unpublish",
            _("Unpublish"),
            "articles.unpublish_article",
            frozenset({Status.PUBLISHED}),
            Status.DRAFT,
            pgettext_lazy("article was …", "unpublished"),
            UnpublishForm,
        ),
    ]
}


def allowed_transitions(user, article: Article) -> list[Transition]:
    """The transitions this user may apply to the article as it is now (for buttons)."""
    if not can_see(user, article):
        return []
    return [
        t
        for t in TRANSITIONS.values()
        if article.status in t.sources and user.has_perm(t.permission)
    ]


# --- the transitions -----------------------------------------------------------------------


def _check_permission(transition: Transition, article: Article, by) -> None:
    if by is None or not by.has_perm(transition.permission) or not can_see(by, article):
        raise TransitionNotAllowed(
            gettext("You do not have permission to %(action)s “%(headline)s”.")
            % {"action": str(transition.label).rstrip("…").lower(), "headline": article.headline}
        )


def _apply(
    article: Article,
    name: str,
    *,
    by,
    expected_version: int | None,
    comment: str = "",
    target: str | None = None,
    changes=None,
) -> ArticleEvent:
    transition = TRANSITIONS[name]
    _check_permission(transition, article, by)
    target = target or transition.target
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        if expected_version is not None and locked.version != expected_version:
            raise StaleArticleError(
                gettext(
                    "“%(headline)s” was changed by someone else since you opened it. "
                    "Reload the page, check the changes, and try again."
                )
                % {"headline": locked.headline}
            )
        if locked.status not in transition.sources:
            raise InvalidTransition(
                gettext("“%(headline)s” is %(status)s; it cannot be %(past)s from there.")
                % {
                    "headline": locked.headline,
                    "status": locked.get_status_display().lower(),
                    "past": transition.past,
                }
            )
        if target in (Status.PUBLISHED, Status.SCHEDULED) and not checks.word_count(locked.body):
            raise InvalidTransition(
                gettext("“%(headline)s” has an empty body: write it before it goes live.")
                % {"headline": locked.headline}
            )
        now = timezone.now()
        fields = {"status": target, **(changes(locked, now) if changes else {})}
        going_live = target in (Status.PUBLISHED, Status.SCHEDULED)
        if going_live and (refused := holds.refusal(locked)):
            raise InvalidTransition(refused)
        if going_live and (refused := embargo.refusal(locked, fields.get("publish_at") or now)):
            raise InvalidTransition(refused)
        Article.objects.filter(pk=locked.pk).update(version=F("version") + 1, **fields)
        if {locked.status, target} & caching.PUBLIC_STATUSES:
            # Leaving the site (unpublished, archived, back to draft, rescheduled): withdrawn.
            withdrawn = locked.status in caching.PUBLIC_STATUSES and target != Status.PUBLISHED
            caching.purge_articles([locked.pk], withdraw=withdrawn)
        event = ArticleEvent.objects.create(
            article=locked,
            actor=by,
            from_status=locked.status,
            to_status=target,
            at=now,
            comment=comment,
        )
        _notify_on_commit(event)
    article.refresh_from_db(
        fields=["status", "publish_at", "first_published_at", "version", "updated_at"]
    )
    return event


def submit(article: Article, *, by, expected_version: int | None = None) -> ArticleEvent:
    return _apply(article, "submit", by=by, expected_version=expected_version)


def request_changes(
    article: Article, *, by, comment: str, expected_version: int | None = None
) -> ArticleEvent:
    comment = (comment or "").strip()
    if not comment:
        raise InvalidTransition(gettext("Say what needs to change: a comment is required."))
    return _apply(
        article, "request_changes", by=by, expected_version=expected_version, comment=comment
    )


def publish(article: Article, *, by, expected_version: int | None = None) -> ArticleEvent:
    def changes(locked: Article, now: datetime.datetime) -> dict:
        return {"publish_at": now, "first_published_at": locked.first_published_at or now}

    return _apply(article, "publish", by=by, expected_version=expected_version, changes=changes)


def schedule(
    article: Article, *, by, at: datetime.datetime, expected_version: int | None = None
) -> ArticleEvent:
    if at is None or timezone.is_naive(at):
        raise InvalidTransition(gettext("Give the publish time with its time zone."))
    if at <= timezone.now():
        raise InvalidTransition(
            gettext("That time has already passed: choose a time in the future.")
        )

    def changes(locked: Article, now: datetime.datetime) -> dict:
        return {"publish_at": at}

    event = _apply(article, "schedule", by=by, expected_version=expected_version, changes=changes)
    transaction.on_commit(lambda: enqueue_bookkeeping(at))
    return event


def unschedule(article: Article, *, by, expected_version: int | None = None) -> ArticleEvent:
    def changes(locked: Article, now: datetime.datetime) -> dict:
        return {"publish_at": None}

    return _apply(article, "unschedule", by=by, expected_version=expected_version, changes=changes)


def unpublish(
    article: Article, *, by, archive: bool = False, expected_version: int | None = None
) -> ArticleEvent:
    return _apply(
        article,
        "unpublish",
        by=by,
        expected_version=expected_version,
        target=Status.ARCHIVED if archive else Status.DRAFT,
    )


def publish_due(now: datetime.datetime | None = None) -> list[ArticleEvent]:
    """Bookkeeping for scheduled articles whose time has come: mark them published.

    Readers already see them (live() follows the clock); this flips the status, sets the
    first-published time, records the event and notifies. Each article is moved by a
    conditional UPDATE, so when two copies run at once only one wins the row and records the
    event; the other updates nothing.
    """
    now = now or timezone.now()
    due = Article.objects.filter(status=Status.SCHEDULED, publish_at__lte=now)
    # A held story waits: readers do not see it either (live()).
    due = holds.released(embargo.lifted(due, now))
    events = []
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            moved = holds.released(
                Article.objects.filter(pk=pk, status=Status.SCHEDULED, publish_at__lte=now)
            ).update(
                status=Status.PUBLISHED,
                version=F("version") + 1,
                first_published_at=Coalesce("first_published_at", "publish_at"),
            )
            if not moved:
                continue
            caching.purge_articles([pk])
            event = ArticleEvent.objects.create(
                article_id=pk,
                actor=None,
                from_status=Status.SCHEDULED,
                to_status=Status.PUBLISHED,
                at=now,
                comment="Published on schedule.",
            )
            _notify_on_commit(event)
        events.append(event)
    return events


def _notify_on_commit(event: ArticleEvent) -> None:
    # Editors hear of submissions; authors of changes requested and of publication.
    changes_requested = event.from_status == Status.REVIEW and event.to_status == Status.DRAFT
    if event.to_status in (Status.REVIEW, Status.PUBLISHED) or changes_requested:
        transaction.on_commit(lambda: send_workflow_notification.enqueue(event.pk))


def enqueue_bookkeeping(at: datetime.datetime) -> None:
    """Ask the task queue to run the scheduled-publishing bookkeeping when `at` comes.

    The `publish_scheduled` command (run from cron) does the same job; either is enough, and
    running both is harmless.
    """
    if publish_scheduled_articles.get_backend().supports_defer:
        publish_scheduled_articles.using(run_after=at).enqueue()


# The transitions by name, for callers that dispatch on one (the admin's buttons and bulk
# actions): `workflow.ACTIONS[name](article, by=user, …)`.
ACTIONS = {
    "submit": submit,
    "request_changes": request_changes,
    "publish": publish,
    "schedule": schedule,
    "unschedule": unschedule,
    "unpublish": unpublish,
}
