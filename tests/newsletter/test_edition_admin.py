"""Editions through the admin's doors: who sees them, building from the latest stories, the
live-only rule whatever is POSTed, previews, the send controls, and frozen editions."""

import copy
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from newsletter import limits
from newsletter.admin.editions import EditionAdmin
from newsletter.models import Edition, EditionArticle, Newsletter, Subscriber
from tests.factories import (
    change_form_data,
    make_article,
    make_subscriber,
    make_user,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/newsletter/edition/"
NEW_FROM_LATEST = "/admin/newsletter/edition/new-from-latest/"


@pytest.fixture
def daily():
    return Newsletter.objects.get(slug="daily-briefing")


@pytest.fixture
def readers(terms, daily):
    readers = [make_subscriber(status=Subscriber.Status.CONFIRMED) for _ in range(3)]
    for reader in readers:
        reader.join(daily)
    return readers


def make_edition(newsletter, articles, *, status=Edition.Status.DRAFT, **fields):
    fields.setdefault("subject", "Morning news")
    if status not in (Edition.Status.DRAFT, Edition.Status.SCHEDULED):
        fields.setdefault("started_at", timezone.now())
    edition = Edition.objects.create(newsletter=newsletter, status=status, **fields)
    for position, article in enumerate(articles, start=1):
        EditionArticle.objects.create(edition=edition, article=article, position=position)
    return edition


def change_url(edition) -> str:
    return reverse("admin:newsletter_edition_change", args=[edition.pk])


def action_url(edition, action) -> str:
    return reverse("admin:newsletter_edition_action", args=[edition.pk, action])


# Who sees editions.


def test_reporter_sees_no_editions_or_newsletters(reporter_client, daily):
    edition = make_edition(daily, [make_article()])

    assert reporter_client.get(CHANGELIST).status_code == 403
    assert reporter_client.get(change_url(edition)).status_code == 403
    assert reporter_client.get("/admin/newsletter/newsletter/").status_code == 403
    assert "Editions" not in reporter_client.get("/admin/").content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/newsletter/edition/{pk}/preview/html/",
        "/admin/newsletter/edition/{pk}/progress/",
    ],
)
def test_reporter_cannot_reach_the_edition_views_directly(reporter_client, daily, url):
    edition = make_edition(daily, [make_article()])

    assert reporter_client.get(url.format(pk=edition.pk)).status_code == 403


def test_reporter_cannot_send_by_posting(reporter_client, daily, readers):
    edition = make_edition(daily, [make_article()])

    response = reporter_client.post(action_url(edition, "start"))

    assert response.status_code == 403
    edition.refresh_from_db()
    assert edition.status == Edition.Status.DRAFT


def test_editor_without_the_send_permission_sees_no_send_button_and_cannot_send(
    client, daily, readers
):
    user = make_user("composer")
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_edition", "change_edition", "view_article"])
    )
    client.force_login(user)
    edition = make_edition(daily, [make_article()])

    page = client.get(change_url(edition)).content.decode()
    response = client.post(action_url(edition, "start"))

    assert "Send now" not in page
    assert response.status_code == 403


# Building and composing.


def test_new_edition_from_latest_stories_takes_live_ones_since_the_last_sent_edition(
    editor_client, daily
):
    old = make_article("Old news", publish_at=timezone.now() - timedelta(days=2))
    make_edition(
        daily, [old], status=Edition.Status.SENT, started_at=timezone.now() - timedelta(days=1)
    )
    first = make_article("Bridge opens", publish_at=timezone.now() - timedelta(hours=2))
    second = make_article("Dam repaired", publish_at=timezone.now() - timedelta(hours=1))
    make_article("Draft story", status=Article.Status.DRAFT)
    make_article(
        "Embargoed story",
        status=Article.Status.SCHEDULED,
        publish_at=timezone.now() + timedelta(hours=1),
    )

    response = editor_client.post(NEW_FROM_LATEST, {"newsletter": daily.pk})

    edition = Edition.objects.get(status=Edition.Status.DRAFT)
    assert response.status_code == 302 and response["Location"] == change_url(edition)
    assert [item.article for item in edition.items.all()] == [second, first]


def test_new_edition_when_nothing_is_new_says_so(editor_client, daily):
    response = editor_client.post(NEW_FROM_LATEST, {"newsletter": daily.pk}, follow=True)

    assert "Nothing new" in response.content.decode()
    assert not Edition.objects.exists()


def test_unpublished_article_cannot_be_posted_into_an_edition(editor_client, daily):
    live, draft = make_article("Live story"), make_article("Secret", status=Article.Status.DRAFT)
    edition = make_edition(daily, [live])
    data = change_form_data(editor_client.get(change_url(edition)))
    data |= {"items-TOTAL_FORMS": "2", "items-1-article": draft.pk, "items-1-position": "2"}

    response = editor_client.post(change_url(edition), data)

    assert response.status_code == 200
    assert "so it can&#x27;t be in an edition" in response.content.decode()
    assert list(edition.items.values_list("article_id", flat=True)) == [live.pk]


def test_editor_reorders_stories_by_position(editor_client, daily):
    first, second = make_article("First"), make_article("Second")
    edition = make_edition(daily, [first, second])
    data = change_form_data(editor_client.get(change_url(edition)))
    data |= {"items-0-position": "5", "items-1-position": "1"}

    response = editor_client.post(change_url(edition), data)

    assert response.status_code == 302
    assert [item.article for item in edition.items.all()] == [second, first]
    assert [item.position for item in edition.items.all()] == [1, 2]


def test_intro_is_sanitised_like_an_article_body(editor_client, daily):
    edition = make_edition(daily, [make_article()])
    data = change_form_data(
        editor_client.get(change_url(edition)),
        intro='<p onclick="x()">Hello <script>alert(1)</script><img src="https://t.example/p.gif"></p>',
    )

    editor_client.post(change_url(edition), data)

    edition.refresh_from_db()
    assert edition.intro == "<p>Hello </p>"


def test_change_form_warns_about_stories_unpublished_since_they_were_added(editor_client, daily):
    pulled = make_article("Retracted claim")
    edition = make_edition(daily, [make_article(), pulled])
    Article.objects.filter(pk=pulled.pk).update(status=Article.Status.DRAFT)

    page = editor_client.get(change_url(edition)).content.decode()

    assert "no longer live" in page and "Retracted claim" in page


def test_change_form_queries_do_not_grow_with_stories(
    editor_client, daily, django_assert_max_num_queries
):
    edition = make_edition(daily, [make_article() for _ in range(10)])

    with django_assert_max_num_queries(40):
        response = editor_client.get(change_url(edition))

    assert response.status_code == 200


# Previews and the test send.


def test_previews_show_the_live_stories_only(editor_client, daily):
    pulled = make_article("Retracted claim")
    edition = make_edition(daily, [make_article("Bridge opens"), pulled])
    Article.objects.filter(pk=pulled.pk).update(status=Article.Status.DRAFT)

    html = editor_client.get(f"/admin/newsletter/edition/{edition.pk}/preview/html/")
    text = editor_client.get(f"/admin/newsletter/edition/{edition.pk}/preview/text/")

    assert "Bridge opens" in html.content.decode() and "Retracted" not in html.content.decode()
    assert "script-src" not in html["Content-Security-Policy"]
    assert text["Content-Type"] == "text/plain; charset=utf-8"
    assert "Bridge opens" in text.content.decode() and "Retracted" not in text.content.decode()


def test_send_me_a_test_goes_to_the_editors_own_address(editor_client, daily):
    edition = make_edition(daily, [make_article("Bridge opens")])

    editor_client.post(f"/admin/newsletter/edition/{edition.pk}/test/")

    assert [message.to for message in mail.outbox] == [["edna@example.com"]]
    edition.refresh_from_db()
    assert edition.status == Edition.Status.DRAFT


def test_user_who_may_only_view_editions_cannot_send_a_test(client, daily):
    viewer = make_user("vera")
    viewer.user_permissions.add(Permission.objects.get(codename="view_edition"))
    client.force_login(viewer)
    edition = make_edition(daily, [make_article("Bridge opens")])

    response = client.post(f"/admin/newsletter/edition/{edition.pk}/test/")

    assert response.status_code == 403
    assert mail.outbox == []
    page = client.get(change_url(edition))
    assert page.status_code == 200
    assert "Send me a test" not in page.content.decode()


def test_test_sends_are_limited_per_user(editor_client, daily):
    edition = make_edition(daily, [make_article("Bridge opens")])
    url = f"/admin/newsletter/edition/{edition.pk}/test/"
    for _ in range(limits.TEST_SENDS_PER_USER):
        editor_client.post(url)

    response = editor_client.post(url, follow=True)

    assert "wait a few minutes" in response.content.decode()
    assert len(mail.outbox) == limits.TEST_SENDS_PER_USER


# Sending and frozen editions.


def test_editor_sends_now_and_the_content_freezes(editor_client, daily, readers):
    edition = make_edition(daily, [make_article("Bridge opens")])

    response = editor_client.post(action_url(edition, "start"))

    assert response.status_code == 302
    edition.refresh_from_db()
    assert edition.status in (Edition.Status.SENDING, Edition.Status.SENT)
    assert edition.recipient_count == 3


def test_schedule_in_the_past_is_refused_with_a_message(editor_client, daily, readers):
    edition = make_edition(daily, [make_article()])
    past = timezone.localtime() - timedelta(hours=1)

    response = editor_client.post(
        action_url(edition, "schedule"),
        {"date": past.strftime("%Y-%m-%d"), "time": past.strftime("%H:%M")},
        follow=True,
    )

    assert "already passed" in response.content.decode()
    edition.refresh_from_db()
    assert edition.status == Edition.Status.DRAFT


def test_schedule_then_unschedule(editor_client, daily, readers):
    edition = make_edition(daily, [make_article()])
    later = timezone.localtime() + timedelta(days=1)

    editor_client.post(
        action_url(edition, "schedule"),
        {"date": later.strftime("%Y-%m-%d"), "time": "07:00"},
    )
    edition.refresh_from_db()
    assert edition.status == Edition.Status.SCHEDULED
    assert "Unschedule" in editor_client.get(change_url(edition)).content.decode()

    editor_client.post(action_url(edition, "cancel"))
    edition.refresh_from_db()
    assert edition.status == Edition.Status.DRAFT


@pytest.mark.parametrize("status", [Edition.Status.SENT, Edition.Status.SENDING])
def test_nobody_can_edit_a_frozen_edition_even_by_posting(admin_client, daily, status):
    story = make_article("Bridge opens")
    edition = make_edition(daily, [story], status=status, subject="As sent")
    page = admin_client.get(change_url(edition))
    data = {
        "newsletter": daily.pk,
        "subject": "Changed after sending",
        "preheader": "",
        "intro": "",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "1",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        "items-0-id": edition.items.get().pk,
        "items-0-edition": edition.pk,
        "items-0-article": story.pk,
        "items-0-DELETE": "on",
    }

    response = admin_client.post(change_url(edition), data)

    assert 'name="_save"' not in page.content.decode()
    assert response.status_code == 403
    edition.refresh_from_db()
    assert edition.subject == "As sent"
    assert edition.items.count() == 1
    assert (
        admin_client.post(
            reverse("admin:newsletter_edition_delete", args=[edition.pk]), {"post": "yes"}
        ).status_code
        == 403
    )


@pytest.fixture
def read_before(monkeypatch):
    """The admin reads the edition, then `change` commits (delivery.start, schedule), then
    the admin saves: the race a row lock in save_model must settle."""

    def race(edition, **change):
        stale = Edition.objects.get(pk=edition.pk)
        Edition.objects.filter(pk=edition.pk).update(**change)
        monkeypatch.setattr(EditionAdmin, "get_object", lambda *args, **kwargs: copy.copy(stale))

    return race


def test_change_form_saved_after_sending_started_changes_nothing(editor_client, daily, read_before):
    edition = make_edition(daily, [make_article("Bridge opens")], subject="Before")
    data = change_form_data(editor_client.get(change_url(edition)), subject="Edited")
    read_before(edition, status=Edition.Status.SENDING, html_template="<p>frozen</p>")

    response = editor_client.post(change_url(edition), data, follow=True)

    assert "your changes were not saved" in response.content.decode()
    edition.refresh_from_db()
    assert (edition.status, edition.html_template) == (Edition.Status.SENDING, "<p>frozen</p>")
    assert edition.subject == "Before"


def test_change_form_saved_after_scheduling_keeps_the_schedule(editor_client, daily, read_before):
    edition = make_edition(daily, [make_article("Bridge opens")], subject="Before")
    data = change_form_data(editor_client.get(change_url(edition)), subject="Edited")
    at = timezone.now() + timedelta(days=1)
    read_before(edition, status=Edition.Status.SCHEDULED, scheduled_at=at)

    editor_client.post(change_url(edition), data)

    edition.refresh_from_db()
    assert (edition.status, edition.scheduled_at, edition.subject) == (
        Edition.Status.SCHEDULED,
        at,
        "Edited",
    )


def test_progress_is_json_for_the_live_panel(editor_client, daily):
    edition = make_edition(daily, [make_article()], status=Edition.Status.SENT)

    data = editor_client.get(f"/admin/newsletter/edition/{edition.pk}/progress/").json()

    assert {"status", "total", "sent", "failed", "remaining", "rate", "eta_seconds"} <= set(data)
    assert data["status_display"] == "Sent"


def test_sent_editions_cannot_be_deleted_by_bulk_action(admin_client, daily):
    sent = make_edition(daily, [make_article()], status=Edition.Status.SENT)

    response = admin_client.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [sent.pk], "post": "yes"}
    )

    assert response.status_code in (200, 302)
    assert Edition.objects.filter(pk=sent.pk).exists()


def test_editor_sets_a_newsletters_digest_and_a_missing_time_is_explained(editor_client, daily):
    url = reverse("admin:newsletter_newsletter_change", args=[daily.pk])
    data = change_form_data(editor_client.get(url), cadence="weekly", send_time="")

    refused = editor_client.post(url, data)
    data |= {"send_time": "07:30", "weekday": "4"}
    saved = editor_client.post(url, data)

    assert "A digest needs a time of day" in refused.content.decode()
    assert "A weekly digest needs a day" in refused.content.decode()
    assert saved.status_code == 302
    daily.refresh_from_db()
    assert (daily.cadence, daily.weekday, str(daily.send_time)) == ("weekly", 4, "07:30:00")


def test_a_newsletter_that_has_sent_editions_keeps_its_slug(editor_client, daily):
    make_edition(daily, [make_article()], status=Edition.Status.SENT)
    url = reverse("admin:newsletter_newsletter_change", args=[daily.pk])
    data = change_form_data(editor_client.get(url), slug="renamed", name="Renamed")

    editor_client.post(url, data)

    daily.refresh_from_db()
    assert (daily.name, daily.slug) == ("Renamed", "daily-briefing")


def test_a_story_unpublished_since_is_removed_by_ticking_delete(editor_client, daily):
    kept, pulled = make_article("Kept"), make_article("Retracted claim")
    edition = make_edition(daily, [kept, pulled])
    Article.objects.filter(pk=pulled.pk).update(status=Article.Status.DRAFT)
    data = change_form_data(editor_client.get(change_url(edition)), **{"items-1-DELETE": "on"})

    response = editor_client.post(change_url(edition), data)

    assert response.status_code == 302
    assert [item.article for item in edition.items.all()] == [kept]


def test_edition_list_queries_do_not_grow_with_rows(
    editor_client, daily, django_assert_max_num_queries
):
    for _ in range(3):
        make_edition(daily, [], status=Edition.Status.SENT)
    with django_assert_max_num_queries(20) as small:
        editor_client.get(CHANGELIST)
    for _ in range(12):
        make_edition(daily, [], status=Edition.Status.SENT)

    with django_assert_max_num_queries(len(small.captured_queries)):
        response = editor_client.get(CHANGELIST)

    assert response.status_code == 200


def test_deleting_a_digest_draft_cancels_it_so_it_is_not_built_again(editor_client, daily):
    slot = timezone.now().replace(microsecond=0)
    digest = make_edition(daily, [make_article()], digest_for=slot)

    editor_client.post(
        reverse("admin:newsletter_edition_delete", args=[digest.pk]), {"post": "yes"}
    )

    digest.refresh_from_db()
    assert digest.status == Edition.Status.CANCELLED
    assert daily.editions.filter(digest_for=slot).count() == 1


def test_story_search_offers_live_articles_only(editor_client):
    make_article("Flood barrier opens")
    make_article("Flood report draft", status=Article.Status.DRAFT)
    make_article(
        "Flood inquiry embargoed",
        status=Article.Status.SCHEDULED,
        publish_at=timezone.now() + timedelta(hours=2),
    )

    response = editor_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "newsletter",
            "model_name": "editionarticle",
            "field_name": "article",
            "term": "Flood",
        },
    )

    assert [result["text"] for result in response.json()["results"]] == ["Flood barrier opens"]


def test_admin_index_shows_editors_what_is_going_out_and_digests_waiting(editor_client, daily):
    make_edition(daily, [], subject="Friday digest", digest_for=timezone.now())
    make_edition(
        daily,
        [],
        subject="Weekend special",
        status=Edition.Status.SCHEDULED,
        scheduled_at=timezone.now() + timedelta(days=1),
    )

    page = editor_client.get("/admin/").content.decode()

    assert "Friday digest" in page and "automatic digest" in page
    assert "Weekend special" in page


def test_admin_index_shows_reporters_no_newsletter_panel(reporter_client, daily):
    make_edition(daily, [], subject="Friday digest")

    page = reporter_client.get("/admin/").content.decode()

    assert "Friday digest" not in page
    assert "newsletter-dashboard-title" not in page
