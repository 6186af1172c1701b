"""Objects for the sending tests: a newsletter, its confirmed subscribers, an edition."""

import itertools
from importlib import import_module

from django.apps import apps

from newsletter.models import Edition, EditionArticle, Newsletter, Subscriber, Subscription
from tests.factories import make_article, make_editor

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


def make_sender(username: str = "editor"):
    """An editor allowed to send editions. Transactional tests flush the database, the
    Editor group's newsletter permissions included; the migration's own function puts them
    back (and the default newsletter with them)."""
    user = make_editor(username)
    import_module("newsletter.migrations.0004_default_newsletter").forwards(apps, None)
    return user
