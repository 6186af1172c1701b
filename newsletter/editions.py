"""Composing editions: building one from the latest stories, and the rule that an edition only
ever holds live articles. The admin, the digest builder and tests all go through here."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from articles.models import Article

from .models import Edition, EditionArticle, Newsletter


class NothingNew(Exception):
    """No live article was published since the newsletter's last sent edition."""


def last_sent(newsletter: Newsletter) -> Edition | None:
    return (
        newsletter.editions.filter(status=Edition.Status.SENT, started_at__isnull=False)
        .order_by("-started_at")
        .first()
    )


def latest_stories(newsletter: Newsletter, *, now: datetime | None = None) -> list[Article]:
    """The live articles published since the newsletter's last sent edition started (its
    content froze then), newest first, at most `digest_max_articles` of them."""
    now = now or timezone.now()
    stories = Article.objects.live(now).filter(publish_at__lte=now)
    previous = last_sent(newsletter)
    if previous is not None:
        stories = stories.filter(publish_at__gt=previous.started_at)
    limit = newsletter.digest_max_articles or 10
    return list(stories.order_by("-publish_at", "-pk")[:limit])


def default_subject(newsletter: Newsletter, now: datetime) -> str:
    """ "Morning briefing: Monday 30 November 2026", the date in the site's language (the
    subscribers', whoever builds the edition)."""
    with translation.override(settings.LANGUAGE_CODE):
        return f"{newsletter.name}: {date_format(timezone.localtime(now), 'l j F Y')}"


def build_from_latest(
    newsletter: Newsletter,
    *,
    by=None,
    now: datetime | None = None,
    digest_for: datetime | None = None,
) -> Edition:
    """A new draft edition of `newsletter` holding the latest live stories in order.
    Raises NothingNew when nothing was published since the last sent edition."""
    now = now or timezone.now()
    stories = latest_stories(newsletter, now=now)
    if not stories:
        raise NothingNew(
            gettext(
                "Nothing new for “%(newsletter)s”: no story was published since its last "
                "sent edition."
            )
            % {"newsletter": newsletter.name}
        )
    with transaction.atomic():
        edition = Edition.objects.create(
            newsletter=newsletter,
            subject=default_subject(newsletter, now),
            preheader=stories[0].headline[:200],
            created_by=by,
            created_at=now,
            digest_for=digest_for,
        )
        EditionArticle.objects.bulk_create(
            EditionArticle(edition=edition, article=article, position=position)
            for position, article in enumerate(stories, start=1)
        )
    return edition


def stories_of(edition: Edition):
    """The edition's items in order, with what a story card shows."""
    return edition.items.select_related("article__hero_image", "article__section").prefetch_related(
        "article__hero_image__renditions"
    )


def not_live_items(edition: Edition, *, now: datetime | None = None) -> list[EditionArticle]:
    """Items whose article was unpublished (or rescheduled) since it was added."""
    live = Article.objects.live(now).values("pk")
    return list(edition.items.exclude(article__in=live).select_related("article"))


def renumber(edition: Edition) -> None:
    """Positions 1, 2, 3… in the order the editor chose (ties keep the order added)."""
    items = list(edition.items.order_by("position", "pk"))
    for position, item in enumerate(items, start=1):
        item.position = position
    EditionArticle.objects.bulk_update(items, ["position"])


# The edition can be read on the web ("view in your browser") while it goes out and once it
# has: recipients hold the link. A paused send is out of sight until it resumes, and a
# cancelled one for good (the archive lists sent editions only; pk is guessable).
ON_THE_WEB = (Edition.Status.SENDING, Edition.Status.SENT)


def live_stories_of(edition: Edition, *, now: datetime | None = None) -> list[Article]:
    """The edition's articles that readers may still see, in the edition's order."""
    ids = list(edition.items.values_list("article_id", flat=True))
    found = Article.objects.live(now).for_cards().in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


SEND = "newsletter.send_edition"
# Which send controls each state offers to a user with the send permission; delivery.* checks
# the same rules again under a lock, so a stale button is refused with a message.
ACTIONS_BY_STATUS = {
    Edition.Status.DRAFT: ("start", "schedule"),
    Edition.Status.SCHEDULED: ("start", "schedule", "cancel"),
    Edition.Status.SENDING: ("pause", "cancel"),
    Edition.Status.PAUSED: ("resume", "cancel"),
    Edition.Status.SENT: (),
    Edition.Status.CANCELLED: (),
}


def allowed_actions(edition: Edition, user) -> tuple[str, ...]:
    if not user.has_perm(SEND):
        return ()
    return ACTIONS_BY_STATUS[edition.status]
