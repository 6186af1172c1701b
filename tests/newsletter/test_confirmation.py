from datetime import timedelta

import pytest

from newsletter.models import ConsentRecord, Subscriber
from tests.factories import make_subscriber
from tests.newsletter.conftest import link_in

pytestmark = pytest.mark.django_db


def html_of(message) -> str:
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    return html


def test_confirmation_email_is_html_and_text_with_one_button(sign_up, mailoutbox, settings):
    sign_up("reader@example.com")

    (message,) = mailoutbox
    html = html_of(message)
    assert message.to == ["reader@example.com"]
    assert settings.SITE_NAME in message.subject
    assert settings.SITE_NAME in message.body and settings.SITE_NAME in html
    assert html.count("Confirm my subscription</a>") == 1
    assert link_in(message.body, "confirm") == link_in(html, "confirm")
    assert settings.SITE_URL + link_in(message.body, "confirm") in message.body


def test_every_email_carries_one_click_unsubscribe_headers(sign_up, mailoutbox, settings):
    sign_up("reader@example.com")

    (message,) = mailoutbox
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith(f"<{settings.SITE_URL}/newsletter/unsubscribe/")
    assert header.endswith(">")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link_in(message.body, "unsubscribe") in header
    assert link_in(html_of(message), "unsubscribe") in header


def test_following_the_link_confirms_and_thanks(client, sign_up, mailoutbox):
    sign_up("reader@example.com")

    response = client.post(link_in(mailoutbox[0].body, "confirm"))

    assert response.status_code == 200
    assert "you’re subscribed" in response.content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert subscriber.confirmed_at is not None
    assert ConsentRecord.objects.get().confirmed_at == subscriber.confirmed_at


def test_following_the_link_twice_is_harmless(client, sign_up, mailoutbox):
    sign_up("reader@example.com")
    link = link_in(mailoutbox[0].body, "confirm")
    client.post(link)
    first_confirmed_at = Subscriber.objects.get().confirmed_at

    response = client.post(link)

    assert response.status_code == 200
    assert Subscriber.objects.get().confirmed_at == first_confirmed_at


def test_link_expires_after_three_days(client, sign_up, mailoutbox, clock):
    sign_up("reader@example.com")
    clock.shift(timedelta(days=3, minutes=1))

    response = client.post(link_in(mailoutbox[0].body, "confirm"))

    html = response.content.decode()
    assert response.status_code == 410
    assert "This confirmation link has expired" in html
    assert "Sign up to receive our latest news!" in html
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_link_still_works_just_before_it_expires(client, sign_up, mailoutbox, clock):
    sign_up("reader@example.com")
    clock.shift(timedelta(days=2, hours=23))

    client.post(link_in(mailoutbox[0].body, "confirm"))

    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED


def test_tampered_link_gives_a_clear_page_with_the_form(client, sign_up, mailoutbox):
    sign_up("reader@example.com")
    link = link_in(mailoutbox[0].body, "confirm")

    response = client.post(link[:-3] + "xx/")

    html = response.content.decode()
    assert response.status_code == 400
    assert "This confirmation link doesn’t work" in html
    assert "Sign up to receive our latest news!" in html
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_link_for_another_subscriber_id_is_refused(client, sign_up, mailoutbox):
    victim = make_subscriber("victim@example.com")
    sign_up("reader@example.com")
    from django.core import signing

    forged = signing.dumps([victim.pk, "0" * 16], salt="newsletter.confirm", compress=True)

    response = client.post(f"/newsletter/confirm/{forged}/")

    assert response.status_code == 400
    victim.refresh_from_db()
    assert victim.status == Subscriber.Status.PENDING


def test_at_most_one_confirmation_per_address_per_ten_minutes(sign_up, mailoutbox, clock, settings):
    settings.NEWSLETTER_RATE_LIMIT_PER_EMAIL = 100  # the resend rule alone, not the rate limit
    for _ in range(4):
        sign_up("reader@example.com")
    clock.shift(timedelta(minutes=9))
    sign_up("READER@example.com")
    assert len(mailoutbox) == 1

    clock.shift(timedelta(minutes=2))
    sign_up("reader@example.com")

    assert len(mailoutbox) == 2


def test_two_processes_racing_for_one_address_claim_one_confirmation(terms):
    subscriber = make_subscriber("reader@example.com")
    # Both requests read the row before either claims: the claim is decided by the database.
    first = Subscriber.objects.get(pk=subscriber.pk)
    second = Subscriber.objects.get(pk=subscriber.pk)

    assert first.claim_confirmation_slot() is True
    assert second.claim_confirmation_slot() is False
    subscriber.refresh_from_db()
    assert subscriber.confirmation_sent_at == first.confirmation_sent_at


def test_confirmed_address_gets_no_new_email(sign_up, mailoutbox):
    make_subscriber("reader@example.com", status=Subscriber.Status.CONFIRMED)

    sign_up("reader@example.com")

    assert mailoutbox == []
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED


def test_signing_up_after_unsubscribing_needs_confirming_again(client, sign_up, mailoutbox):
    subscriber = make_subscriber("reader@example.com", status=Subscriber.Status.UNSUBSCRIBED)

    sign_up("reader@example.com")

    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING
    client.post(link_in(mailoutbox[0].body, "confirm"))
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_old_confirmation_link_does_not_undo_an_unsubscribe(client, sign_up, mailoutbox):
    sign_up("reader@example.com")
    client.post(link_in(mailoutbox[0].body, "unsubscribe"))

    response = client.post(link_in(mailoutbox[0].body, "confirm"))

    assert response.status_code == 410
    assert Subscriber.objects.get().status == Subscriber.Status.UNSUBSCRIBED


def test_opening_the_link_shows_a_confirm_button_and_changes_nothing(client, sign_up, mailoutbox):
    sign_up("reader@example.com")
    link = link_in(mailoutbox[0].body, "confirm")

    response = client.get(link)

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<form method="post" action="{link}">' in html
    assert ">Confirm</button>" in html
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_a_mail_scanner_fetching_the_link_with_head_confirms_nothing(client, sign_up, mailoutbox):
    sign_up("reader@example.com")

    response = client.head(link_in(mailoutbox[0].body, "confirm"))

    assert response.status_code == 200
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING
    assert ConsentRecord.objects.get().confirmed_at is None


def test_the_confirm_button_works_without_a_csrf_cookie(sign_up, mailoutbox):
    from django.test import Client

    sign_up("reader@example.com")

    response = Client(enforce_csrf_checks=True).post(link_in(mailoutbox[0].body, "confirm"))

    assert response.status_code == 200
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED
