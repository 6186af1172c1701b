"""One mailbox is one subscriber, however its address is spelt."""

from importlib import import_module

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import timezone

from newsletter.models import ConsentRecord, Subscriber, normalise_email
from tests.factories import make_subscriber

pytestmark = pytest.mark.django_db

VARIANTS = [
    "victim@bücher.de",
    "victim@xn--bcher-kva.de",
    "victim@BÜCHER.DE",
    '"victim"@bücher.de',
    "ｖｉｃｔｉｍ@bücher.de",
    " victim@bücher.de ",
]


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_spelling_of_a_mailbox_normalises_to_one(variant):
    assert normalise_email(variant) == "victim@xn--bcher-kva.de"


@pytest.mark.parametrize(
    "address",
    [
        "victim@exa\u200bmple.org",  # zero-width space
        "victim@exa\u00admple.org",  # soft hyphen
        "vic\u200dtim@example.org",  # zero-width joiner
        "victim\x00@example.org",
        "victim@[127.0.0.1]",
        "victim@localhost",
        "victim@example",
    ],
)
def test_invisible_characters_ip_literals_and_dotless_domains_are_refused(address):
    with pytest.raises(ValidationError):
        normalise_email(address)


def test_seven_spellings_of_one_mailbox_make_one_subscriber_and_one_email(sign_up, mailoutbox):
    for variant in [*VARIANTS, "Victim@bücher.de"]:
        sign_up(variant)

    assert Subscriber.objects.get().email == "victim@xn--bcher-kva.de"
    assert len(mailoutbox) == 1


def test_the_per_address_limit_counts_every_spelling(sign_up, settings):
    settings.NEWSLETTER_RATE_LIMIT_PER_EMAIL = 3
    statuses = [sign_up(variant).status_code for variant in VARIANTS[:4]]
    assert statuses == [302, 302, 302, 429]


def test_a_refused_address_gets_a_clear_error_and_nothing_is_stored(sign_up):
    response = sign_up("victim@exa\u200bmple.org")

    assert response.status_code == 200
    assert "invisible characters" in response.context["signup_form"].errors["email"][0]
    assert not Subscriber.objects.exists()


def merge(apps_registry=apps):
    migration = import_module("newsletter.migrations.0008_normalise_subscriber_emails")
    migration.merge_duplicates(apps_registry, None)


def test_migration_merges_duplicates_keeping_the_earliest_consent(terms):
    first = make_subscriber("victim@bücher.de", status=Subscriber.Status.CONFIRMED)
    later = make_subscriber('"victim"@xn--bcher-kva.de')
    later.created_at = first.created_at + timezone.timedelta(days=1)
    later.save()
    other = make_subscriber("someone@example.org")

    merge()

    assert set(Subscriber.objects.values_list("pk", flat=True)) == {first.pk, other.pk}
    first.refresh_from_db()
    assert first.email == "victim@xn--bcher-kva.de"
    assert first.status == Subscriber.Status.CONFIRMED
    assert ConsentRecord.objects.filter(subscriber=first).count() == 2


def test_migration_keeps_an_unsubscribe_from_any_duplicate(terms):
    first = make_subscriber("victim@bücher.de", status=Subscriber.Status.CONFIRMED)
    later = make_subscriber("victim@xn--bcher-kva.de")
    later.created_at = first.created_at + timezone.timedelta(days=1)
    later.save()
    later.unsubscribe()

    merge()

    assert Subscriber.objects.get().status == Subscriber.Status.UNSUBSCRIBED
