import base64

import pytest
from django.test import Client

from newsletter.models import Subscriber
from tests.factories import make_subscriber

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscriber(terms):
    return make_subscriber("reader@example.com", status=Subscriber.Status.CONFIRMED)


def unsubscribe_path(subscriber) -> str:
    return f"/newsletter/unsubscribe/{subscriber.unsubscribe_token()}/"


def test_one_click_post_unsubscribes_at_once_without_csrf_token(subscriber):
    mail_provider = Client(enforce_csrf_checks=True)

    response = mail_provider.post(
        unsubscribe_path(subscriber),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert subscriber.unsubscribed_at is not None


def test_get_shows_a_page_with_one_button_and_changes_nothing(client, subscriber, clock):
    # The clock stands still: the signed token carries a timestamp, and the page's form must
    # post to the same token the test computes.
    response = client.get(unsubscribe_path(subscriber))

    main = response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    assert response.status_code == 200
    assert main.count('type="submit"') == 1
    assert f'<form method="post" action="{unsubscribe_path(subscriber)}">' in main
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_unsubscribing_twice_is_harmless(client, subscriber):
    client.post(unsubscribe_path(subscriber))
    first = Subscriber.objects.get().unsubscribed_at

    response = client.post(unsubscribe_path(subscriber))

    assert response.status_code == 200
    assert Subscriber.objects.get().unsubscribed_at == first


def test_tampered_unsubscribe_link_is_refused(client, subscriber):
    response = client.post(unsubscribe_path(subscriber)[:-4] + "zz/")

    assert response.status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_unsubscribe_link_names_no_address(subscriber):
    token = subscriber.unsubscribe_token().split(":")[0].lstrip(".")
    decoded = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert b"reader" not in decoded
