import pytest
from django.test import Client

from newsletter.models import Newsletter, Subscriber, Subscription
from tests.factories import make_subscriber

pytestmark = pytest.mark.django_db


@pytest.fixture
def daily():
    return Newsletter.objects.get(slug="daily-briefing")


@pytest.fixture
def climate():
    return Newsletter.objects.create(
        name="Climate Weekly", slug="climate", description="Every Friday."
    )


@pytest.fixture
def reader(terms, daily, climate):
    subscriber = make_subscriber("reader@example.com", status=Subscriber.Status.CONFIRMED)
    subscriber.join(daily)
    subscriber.join(climate)
    return subscriber


def manage_path(subscriber) -> str:
    return f"/newsletter/manage/{subscriber.manage_token()}/"


def test_signup_subscribes_to_the_default_newsletter(sign_up, daily):
    sign_up("new@example.com")

    subscriber = Subscriber.objects.get(email="new@example.com")
    assert subscriber.active_newsletter_ids() == {daily.pk}
    assert subscriber.consents.count() == 1


def test_head_request_to_the_manage_page_answers_and_changes_nothing(
    client, reader, daily, climate
):
    response = client.head(manage_path(reader))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.CONFIRMED
    assert reader.active_newsletter_ids() == {daily.pk, climate.pk}


def test_manage_page_shows_the_subscribers_choices_without_login(client, reader, climate):
    response = client.get(manage_path(reader))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Climate Weekly" in page and "Every Friday." in page
    assert page.count("checked") == 2
    assert response["Cache-Control"] == "private, no-store"


def test_choosing_fewer_newsletters_leaves_the_others_and_keeps_the_record(reader, daily, climate):
    response = Client(enforce_csrf_checks=True).post(
        manage_path(reader), {"newsletters": [climate.pk]}
    )

    assert response.status_code == 200
    assert reader.active_newsletter_ids() == {climate.pk}
    left = Subscription.objects.get(subscriber=reader, newsletter=daily)
    assert left.left_at is not None
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.CONFIRMED
    assert reader.consents.count() == 1


def test_leave_all_unsubscribes(client, reader):
    client.post(manage_path(reader), {"leave_all": "1"})

    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.UNSUBSCRIBED
    assert reader.active_newsletter_ids() == set()


def test_unticking_everything_unsubscribes(client, reader):
    client.post(manage_path(reader), {})

    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.UNSUBSCRIBED


def test_tampered_manage_link_is_refused(client, reader):
    response = client.get(manage_path(reader)[:-4] + "zz/")

    assert response.status_code == 400


def test_one_click_unsubscribe_from_a_newsletter_leaves_only_that_one(reader, daily, climate):
    path = f"/newsletter/unsubscribe/{reader.unsubscribe_token(climate)}/"

    Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    reader.refresh_from_db()
    assert reader.active_newsletter_ids() == {daily.pk}
    assert reader.status == Subscriber.Status.CONFIRMED


def test_leaving_the_last_newsletter_unsubscribes(client, reader, daily, climate):
    client.post(f"/newsletter/unsubscribe/{reader.unsubscribe_token(climate)}/")
    client.post(f"/newsletter/unsubscribe/{reader.unsubscribe_token(daily)}/")

    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.UNSUBSCRIBED


def test_reserved_words_cannot_be_newsletter_slugs():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        Newsletter(name="Manage", slug="manage").full_clean()

    assert "slug" in error.value.message_dict
