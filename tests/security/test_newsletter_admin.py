"""The subscriber admin: consent comes only from the subscriber, exports only to the allowed."""

import pytest
from django.contrib.auth.models import Permission

from newsletter.models import Subscriber
from tests.factories import change_form_data, make_subscriber, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, terms):
    user = make_user("newsdesk")
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="newsletter",
            codename__in=["view_subscriber", "change_subscriber"],
        )
    )
    client.force_login(user)
    return user


def change_url(subscriber) -> str:
    return f"/admin/newsletter/subscriber/{subscriber.pk}/change/"


@pytest.mark.parametrize("status", ["pending", "unsubscribed"])
def test_staff_cannot_confirm_a_subscriber_by_hand(client, staff, status):
    subscriber = make_subscriber(status=status)
    form = client.get(change_url(subscriber))

    response = client.post(change_url(subscriber), change_form_data(form, status="confirmed"))

    subscriber.refresh_from_db()
    assert response.status_code == 200  # the form again, with the reason
    assert subscriber.status == status
    assert subscriber.confirmed_at is None


def test_staff_cannot_put_an_unsubscribed_reader_back_to_pending(client, staff):
    subscriber = make_subscriber(status="unsubscribed")
    form = client.get(change_url(subscriber))

    client.post(change_url(subscriber), change_form_data(form, status="pending"))

    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed"


def test_staff_unsubscribes_a_reader_by_hand_and_the_time_is_recorded(client, staff):
    subscriber = make_subscriber(status="confirmed")
    form = client.get(change_url(subscriber))

    response = client.post(change_url(subscriber), change_form_data(form, status="unsubscribed"))

    subscriber.refresh_from_db()
    assert response.status_code == 302
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert subscriber.unsubscribed_at is not None


def test_export_and_changelist_are_closed_to_staff_without_permissions(client, terms):
    make_subscriber("private@example.com")
    client.force_login(make_user("intern"))

    for url in ("/admin/newsletter/subscriber/", "/admin/newsletter/subscriber/export/"):
        response = client.get(url)
        assert response.status_code == 403
        assert b"private@example.com" not in response.content
