"""Objects for the sending tests: a newsletter, its confirmed subscribers, an edition."""

import itertools

from newsletter.models import Edition, EditionArticle, Newsletter, Subscriber, Subscription
from tests.factories import make_article

_seq = itertools.count(1)


def make_newsletter(name: str = "The Daily Briefing", **fields) -> Newsletter:
    fields.setdefault("slug", f"briefing-{next(_seq)}")
    return Newsletter.objects.create(name=name, **fields)


def make_recipients(newsletter: Newsletter, count: int, *, prefix: str = "reader") -> list:
    """`count` confirmed subscribers of `newsletter`, made in two queries."""
    start = next(_seq) * 100_000
    subscribers = Subscriber.objects.bulk_create(
        Subscriber(email=f"{prefix}{start + n}@example.com", status=Subscriber.Status.CONFIRMED)
        for n in range(count)
    )
    Subscription.objects.bulk_create(
        Subscription(subscriber=subscriber, newsletter=newsletter) for subscriber in subscribers
    )
    return subscribers


def make_edition(newsletter: Newsletter, articles: int = 5, **fields) -> Edition:
    fields.setdefault("subject", "Your morning briefing")
    fields.setdefault("preheader", "Floods, a vote and a bridge")
    fields.setdefault("intro", "<p>Good morning. <strong>Five stories</strong> today.</p>")
    edition = Edition.objects.create(newsletter=newsletter, **fields)
    for position in range(articles):
        EditionArticle.objects.create(
            edition=edition,
            article=make_article(f"Story number {position + 1} of the day"),
            position=position,
        )
    return edition
