"""The editorial workflow: who may move an article from one status to another, and how.

    draft ──submit──▶ review ──request changes (comment required)──▶ draft
    draft/review/archived/scheduled ──publish──▶ published      ("Publish now")
    draft/review/archived/scheduled ──schedule(time)──▶ scheduled ("Reschedule")
    scheduled ──unschedule──▶ draft        published ──unpublish──▶ draft (or archived)

Every transition checks the actor's permission, then locks the article's row, checks its
current status (and the version the caller saw, when given), moves it, bumps `version` and
records an ArticleEvent — so two editors pressing Publish at once publish once. The admin, the
`publish_scheduled` command and the tests all come through here.
"""

import datetime
import secrets
from dataclasses import dataclass

from django import forms
from django.core import signing
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from . import caching, checks, embargo
from .models import Article, ArticleEvent, Author, Byline, Image, ShareLink

Status = Article.Status
EDIT_ANY = "articles.edit_any_article"


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
    label: str
    permission: str
    sources: frozenset[str]
    target: str
    past: str  # "published", for messages: "“Headline” was published."


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "submit",
            "Submit for review",
            "articles.submit_article",
            frozenset({Status.DRAFT}),
            Status.REVIEW,
            "submitted for review",
        ),
        Transition(
            "request_changes",
            "Request changes",
            "articles.request_changes",
            frozenset({Status.REVIEW}),
            Status.DRAFT,
            "sent back with changes requested",
        ),
        Transition(
            "publish",
            "Publish now",
            "articles.publish_article",
            frozenset({Status.DRAFT, Status.REVIEW, Status.ARCHIVED, Status.SCHEDULED}),
            Status.PUBLISHED,
            "published",
        ),
        Transition(
            "schedule",
            "Schedule…",
            "articles.schedule_article",
            frozenset({Status.DRAFT, Status.REVIEW, Status.ARCHIVED, Status.SCHEDULED}),
            Status.SCHEDULED,
            "scheduled",
        ),
        Transition(
            "unschedule",
            "Unschedule",
            "articles.schedule_article",
            frozenset({Status.SCHEDULED}),
            Status.DRAFT,
            "unscheduled",
        ),
        Transition(
            "unpublish",
            "Unpublish",
            "articles.unpublish_article",
            frozenset({Status.PUBLISHED}),
            Status.DRAFT,
            "unpublished",
        ),
    ]
}


# --- who may see and edit what -------------------------------------------------------------


def is_own(user, article: Article) -> bool:
    """The user created the article or writes under one of its bylines."""
    if not user.is_authenticated:
        return False
    if article.created_by_id == user.pk:
        return True
    return Byline.objects.filter(article=article, author__user=user).exists()


def owned_by(user, queryset: QuerySet | None = None) -> QuerySet:
    """The user's own articles: ones they created or write under a byline of."""
    queryset = Article.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    return queryset.filter(
        Q(created_by=user) | Q(pk__in=Byline.objects.filter(author__user=user).values("article_id"))
    )


def visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """Articles a staff user may open in the admin: all for editors, their own for reporters."""
    queryset = Article.objects.all() if queryset is None else queryset
    if user.has_perm(EDIT_ANY):
        return queryset
    return owned_by(user, queryset)


def can_see(user, article: Article) -> bool:
    """The user may open this article in the admin (and preview it)."""
    if not (user.has_perm("articles.view_article") or user.has_perm("articles.change_article")):
        return False
    return user.has_perm(EDIT_ANY) or is_own(user, article)


def can_edit(user, article: Article) -> bool:
    """Editors edit everything, live included; a reporter edits only their own drafts."""
    if not user.has_perm("articles.change_article"):
        return False
    if user.has_perm(EDIT_ANY):
        return True
    return article.status == Status.DRAFT and is_own(user, article)


def can_edit_image(user, image: Image) -> bool:
    """An image changes only with the pages that show it: a reporter may not alter the photo,
    alt text or caption of an article they cannot edit (a live one, someone else's), nor an
    author's portrait; editors may."""
    if not user.has_perm("articles.change_image"):
        return False
    if user.has_perm(EDIT_ANY):
        return True
    if Author.objects.filter(photo=image).exists():
        return False
    return all(can_edit(user, article) for article in Article.objects.filter(hero_image=image))


def _open_to(user, articles: QuerySet) -> QuerySet:
    """Of `articles`, the ones this user may know about: live, or visible to them."""
    return articles.filter(
        Q(pk__in=Article.objects.live().values("pk")) | Q(pk__in=visible_to(user).values("pk"))
    )


def images_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """Images a staff user may see in the admin and its hero-image autocomplete.

    Editors see all. A reporter sees an image only if a live article or one of their own
    shows it, an author's portrait uses it, or nothing uses it yet (just uploaded): the alt
    text and caption of someone else's unpublished photo can give a story away.
    """
    queryset = Image.objects.all() if queryset is None else queryset
    if user.has_perm(EDIT_ANY):
        return queryset
    used = Article.objects.filter(hero_image__isnull=False)
    return queryset.filter(
        Q(pk__in=_open_to(user, used).values("hero_image"))
        | Q(pk__in=Author.objects.filter(photo__isnull=False).values("photo"))
        | ~Q(pk__in=used.values("hero_image"))
    )


def tags_visible_to(user, queryset: QuerySet) -> QuerySet:
    """Tags a staff user may see in the admin: for a reporter, those a live article or one of
    their own uses, or that no article uses; a tag only on someone's draft names its story."""
    if user.has_perm(EDIT_ANY):
        return queryset
    tagged = Article.tags.through.objects.filter(
        content_type__app_label="articles", content_type__model="article"
    )
    open_articles = _open_to(user, Article.objects.all()).values("pk")
    return queryset.filter(
        Q(pk__in=tagged.filter(object_id__in=open_articles).values("tag_id"))
        | ~Q(pk__in=tagged.values("tag_id"))
    )


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
            f"You do not have permission to {transition.label.rstrip('…').lower()} "
            f"“{article.headline}”."
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
                f"“{locked.headline}” was changed by someone else since you opened it. "
                "Reload the page, check the changes, and try again."
            )
        if locked.status not in transition.sources:
            raise InvalidTransition(
                f"“{locked.headline}” is {locked.get_status_display().lower()}; "
                f"it cannot be {transition.past} from there."
            )
        if target in (Status.PUBLISHED, Status.SCHEDULED) and not checks.word_count(locked.body):
            raise InvalidTransition(
                f"“{locked.headline}” has an empty body: write it before it goes live."
            )
        now = timezone.now()
        fields = {"status": target, **(changes(locked, now) if changes else {})}
        going_live = target in (Status.PUBLISHED, Status.SCHEDULED)
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
        raise InvalidTransition("Say what needs to change: a comment is required.")
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
        raise InvalidTransition("Give the publish time with its time zone.")
    if at <= timezone.now():
        raise InvalidTransition("That time has already passed: choose a time in the future.")

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
    due = embargo.lifted(Article.objects.filter(status=Status.SCHEDULED, publish_at__lte=now), now)
    events = []
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            moved = Article.objects.filter(
                pk=pk, status=Status.SCHEDULED, publish_at__lte=now
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
    from .tasks import send_workflow_notification

    # Editors hear of submissions; authors of changes requested and of publication.
    changes_requested = event.from_status == Status.REVIEW and event.to_status == Status.DRAFT
    if event.to_status in (Status.REVIEW, Status.PUBLISHED) or changes_requested:
        transaction.on_commit(lambda: send_workflow_notification.enqueue(event.pk))


def enqueue_bookkeeping(at: datetime.datetime) -> None:
    """Ask the task queue to run the scheduled-publishing bookkeeping when `at` comes.

    The `publish_scheduled` command (run from cron) does the same job; either is enough, and
    running both is harmless.
    """
    from .tasks import publish_scheduled_articles

    if publish_scheduled_articles.get_backend().supports_defer:
        publish_scheduled_articles.using(run_after=at).enqueue()


# --- share links ---------------------------------------------------------------------------

SHARE_SALT = "articles.sharelink"


class ShareLinkInvalid(Exception):
    """The token was tampered with or names no link."""


class ShareLinkGone(Exception):
    """The link was real but has expired or been revoked."""


def create_share_link(article: Article, *, by, days: int) -> tuple[ShareLink, str]:
    """Make a share link valid for `days` days; returns it and the token for its URL."""
    if not by.has_perm("articles.add_sharelink") or not can_see(by, article):
        raise TransitionNotAllowed("You do not have permission to share this article.")
    if article.is_live:
        raise InvalidTransition(
            "This article is already public; share its address instead of a preview link."
        )
    if not 1 <= days <= 30:
        raise InvalidTransition("A share link lasts between 1 and 30 days.")
    now = timezone.now()
    link = ShareLink.objects.create(
        article=article,
        nonce=secrets.token_urlsafe(16),
        created_by=by,
        created_at=now,
        expires_at=now + datetime.timedelta(days=days),
    )
    return link, share_token(link)


def share_token(link: ShareLink) -> str:
    # Not timestamped: the same link always has the same URL; expiry lives in the row.
    return signing.Signer(salt=SHARE_SALT).sign_object([link.pk, link.nonce], compress=True)


def resolve_share_token(token: str) -> ShareLink:
    """The ShareLink a token stands for; raises ShareLinkInvalid or ShareLinkGone."""
    try:
        pk, nonce = signing.Signer(salt=SHARE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise ShareLinkInvalid from exc
    link = ShareLink.objects.filter(pk=pk).first()
    if link is None or not secrets.compare_digest(str(link.nonce), str(nonce)):
        raise ShareLinkInvalid
    if link.revoked_at is not None:
        raise ShareLinkGone("This preview link was withdrawn by the newsroom.")
    if link.expires_at <= timezone.now():
        raise ShareLinkGone("This preview link has expired.")
    return link


def revoke_share_link(link: ShareLink, *, by) -> None:
    if not by.has_perm("articles.change_sharelink"):
        raise TransitionNotAllowed("You do not have permission to withdraw share links.")
    ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


# --- forms for the admin buttons -----------------------------------------------------------


class RequestChangesForm(forms.Form):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        error_messages={"required": "Say what needs to change: a comment is required."},
    )


class ScheduleForm(forms.Form):
    """A date and a time on the newsroom's clock (settings.TIME_ZONE), in the future."""

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        naive = datetime.datetime.combine(cleaned["date"], cleaned["time"])
        at = timezone.make_aware(naive, timezone.get_default_timezone())
        if at <= timezone.now():
            raise forms.ValidationError(
                "That time has already passed: choose a time in the future."
            )
        cleaned["at"] = at
        return cleaned


SCHEDULE_PRESETS = {
    "in_10_minutes": "In 10 minutes",
    "next_hour": "At the next hour",
    "tomorrow_0600": "Tomorrow at 06:00",
}


def preset_time(name: str, now: datetime.datetime | None = None) -> datetime.datetime:
    """The publish time a scheduling preset stands for, on the newsroom's clock."""
    local = timezone.localtime(now or timezone.now(), timezone.get_default_timezone())
    if name == "in_10_minutes":
        return (local + datetime.timedelta(minutes=10)).replace(second=0, microsecond=0)
    if name == "next_hour":
        return local.replace(minute=0, second=0, microsecond=0) + datetime.timedelta(hours=1)
    if name == "tomorrow_0600":
        tomorrow = local.date() + datetime.timedelta(days=1)
        naive = datetime.datetime.combine(tomorrow, datetime.time(6, 0))
        return timezone.make_aware(naive, timezone.get_default_timezone())
    raise ValueError(f"No such scheduling preset: {name}")


class ShareLinkForm(forms.Form):
    days = forms.IntegerField(
        min_value=1,
        max_value=30,
        initial=7,
        error_messages={
            "min_value": "A share link lasts at least 1 day.",
            "max_value": "A share link lasts at most 30 days.",
        },
    )
