"""Publication holds: a stated reason an article may not be published or scheduled, until an
editor lifts it.

Anything may place a hold with its reason (the wire desk does when an agency kills or
withdraws a story); articles knows nothing of who placed it. While it stands, the workflow
refuses to publish or schedule the article whoever asks, naming the reason, and a scheduled
article whose time comes is neither shown to readers (`live()`) nor marked published. A story
already live stays up: taking it down is a decision, the unpublish button's (or the wire
desk's `WIRE_KILL_ACTION`). Placing and lifting a hold are steps in the article's workflow
history; lifting one needs the permission to publish it.
"""

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from . import caching
from .models import Article, ArticleEvent
from .permissions import can_see
from .tasks import publish_scheduled_articles

LIFT_PERMISSION = "articles.publish_article"
REASON_LENGTH = Article._meta.get_field("publication_hold").max_length


class HoldError(Exception):
    """A hold could not be placed or lifted; the message is written for the person who asked."""


class LiftNotAllowed(HoldError):
    """The person may not lift holds on this article."""


def refusal(article: Article) -> str | None:
    """Why `article` may not be published or scheduled now, or None when no hold stops it."""
    if not article.publication_hold:
        return None
    return _(
        "“%(headline)s” is held from publication: %(reason)s. An editor must lift the hold first."
    ) % {"headline": article.headline, "reason": article.publication_hold}


def released(queryset: QuerySet) -> QuerySet:
    """The articles of `queryset` that no hold stops."""
    return queryset.filter(publication_hold="")


def may_lift(user, article: Article) -> bool:
    return user is not None and user.has_perm(LIFT_PERMISSION) and can_see(user, article)


def place(article: Article, *, reason: str, by=None) -> ArticleEvent:
    """Hold `article` from publication for `reason` (`by`: who placed it, None for the
    system). A scheduled story leaves the site at once if its time had already come."""
    reason = " ".join((reason or "").split())[:REASON_LENGTH]
    if not reason:
        raise HoldError(_("Say why the article is held: a reason is required."))
    return _set(article, reason, by, f"Held from publication: {reason}")


def lift(article: Article, *, by) -> ArticleEvent:
    """Lift the hold on `article`: it can be published and scheduled again, and a scheduled
    story whose time has come goes live at once."""
    if not may_lift(by, article):
        raise LiftNotAllowed(
            _("You do not have permission to lift the hold on “%(headline)s”.")
            % {"headline": article.headline}
        )
    event = _set(article, "", by, "Hold lifted")
    if article.status == Article.Status.SCHEDULED and article.publish_at <= timezone.now():
        # Its bookkeeping was skipped while it was held: mark it published now.
        transaction.on_commit(publish_scheduled_articles.enqueue)
    return event


def _set(article: Article, reason: str, by, comment: str) -> ArticleEvent:
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        if not reason and not locked.publication_hold:
            raise HoldError(
                _("“%(headline)s” is not held: there is nothing to lift.")
                % {"headline": locked.headline}
            )
        if locked.publication_hold:
            comment = f"{comment} (was: {locked.publication_hold})"
        Article.objects.filter(pk=locked.pk).update(
            publication_hold=reason, version=F("version") + 1
        )
        if locked.status == Article.Status.SCHEDULED:
            # A due story leaves the site (held) or comes back (lifted); the next publication
            # time may move either way.
            caching.purge_articles([locked.pk], withdraw=bool(reason))
        event = ArticleEvent.objects.create(
            article=locked,
            actor=by if by is not None and by.is_authenticated else None,
            from_status=locked.status,
            to_status=locked.status,
            comment=comment,
        )
    article.refresh_from_db(fields=["publication_hold", "version", "updated_at"])
    return event
