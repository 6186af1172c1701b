"""The workflow through the admin's doors: who sees what, the buttons, bulk actions, the
dashboard, and every path a reporter might try to move an article past the rules."""

import datetime
import zoneinfo

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from articles import workflow
from articles.models import Article, ArticleEvent
from tests.factories import change_form_data, make_article, make_section

pytestmark = pytest.mark.django_db

Status = Article.Status
CHANGELIST = "/admin/articles/article/"
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def own(reporter, status=Status.DRAFT, **fields) -> Article:
    if status == Status.SCHEDULED:
        fields.setdefault("publish_at", timezone.now() + datetime.timedelta(days=1))
    return make_article(status=status, authors=[reporter.author], **fields)


def change_url(article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def transition_url(article, name) -> str:
    return reverse("admin:articles_article_transition", args=[article.pk, name])


def form_data(client, article: Article, **overrides) -> dict:
    """What the change form this client is shown submits with Save, `overrides` applied."""
    return change_form_data(client.get(change_url(article)), _save="Save", **overrides)


def message_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- who sees and edits what ---------------------------------------------------------------


def test_reporter_changelist_shows_only_their_own_articles(reporter_client, reporter):
    mine = own(reporter, headline="Ferry timetable cut")
    theirs = make_article(headline="Mayor resigns", status=Status.DRAFT)
    response = reporter_client.get(CHANGELIST)
    assert response.status_code == 200
    assert mine.headline in response.content.decode()
    assert theirs.headline not in response.content.decode()


def test_reporter_cannot_open_someone_elses_article(reporter_client):
    theirs = make_article(status=Status.DRAFT)
    response = reporter_client.get(change_url(theirs))
    assert response.status_code == 302  # the admin's "does not exist" redirect
    assert response.url == "/admin/"


def test_reporter_edits_own_draft(reporter_client, reporter):
    article = own(reporter)
    response = reporter_client.post(
        change_url(article),
        form_data(reporter_client, article, headline="Ferry timetable restored"),
    )
    assert response.status_code == 302
    assert Article.objects.get(pk=article.pk).headline == "Ferry timetable restored"


@pytest.mark.parametrize("status", [Status.REVIEW, Status.SCHEDULED, Status.PUBLISHED])
def test_reporter_cannot_save_own_article_once_submitted(reporter_client, reporter, status):
    article = own(reporter, status=status)
    response = reporter_client.post(
        change_url(article), form_data(reporter_client, article, headline="X")
    )
    assert response.status_code == 403
    assert Article.objects.get(pk=article.pk).headline != "X"


def test_submitted_article_is_read_only_for_its_reporter(reporter_client, reporter):
    article = own(reporter, status=Status.REVIEW)
    page = reporter_client.get(change_url(article)).content.decode()
    assert 'name="headline"' not in page
    assert 'name="_save"' not in page
    assert "Submitted for review" in page


def test_reporter_can_edit_again_after_changes_are_requested(reporter_client, reporter, editor):
    article = own(reporter, status=Status.REVIEW)
    workflow.request_changes(article, by=editor, comment="Add the council's reply.")
    response = reporter_client.post(
        change_url(article),
        form_data(reporter_client, article, standfirst="With the council's reply."),
    )
    assert response.status_code == 302
    assert Article.objects.get(pk=article.pk).standfirst == "With the council's reply."


def test_editor_edits_a_live_article(editor_client):
    article = make_article(status=Status.PUBLISHED)
    response = editor_client.post(
        change_url(article), form_data(editor_client, article, headline="Corrected headline")
    )
    assert response.status_code == 302
    assert Article.objects.get(pk=article.pk).headline == "Corrected headline"


def test_reporter_cannot_delete_own_draft(reporter_client, reporter):
    article = own(reporter)
    response = reporter_client.post(
        reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Article.objects.filter(pk=article.pk).exists()


def test_new_article_records_who_created_it_and_starts_as_draft(reporter_client, reporter):
    section = make_section("Local")
    response = reporter_client.post(
        reverse("admin:articles_article_add"),
        {
            "headline": "Harbour wall repaired",
            "slug": "harbour-wall-repaired",
            "standfirst": "Work finished a week early.",
            "body": "<p>The wall is fixed.</p>",
            "section": section.pk,
            "tags": [],
            "status": "published",  # tampering: not a form field
            "publish_at_0": "2020-01-01",
            "publish_at_1": "09:00",
            "bylines-TOTAL_FORMS": "1",
            "bylines-INITIAL_FORMS": "0",
            "bylines-MIN_NUM_FORMS": "1",
            "bylines-MAX_NUM_FORMS": "1000",
            "bylines-0-author": reporter.author.pk,
            "bylines-0-position": "0",
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(slug="harbour-wall-repaired")
    assert (article.status, article.publish_at, article.created_by) == (
        Status.DRAFT,
        None,
        reporter,
    )


# --- tampering -------------------------------------------------------------------------------


def test_tampered_status_in_the_change_form_is_ignored(reporter_client, reporter):
    article = own(reporter)
    response = reporter_client.post(
        change_url(article), form_data(reporter_client, article, status="published", version="99")
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Status.DRAFT
    assert not Article.objects.live().filter(pk=article.pk).exists()


def test_tampered_status_from_an_editor_is_ignored_too(editor_client):
    article = make_article(status=Status.REVIEW)
    editor_client.post(
        change_url(article),
        form_data(editor_client, article, status="published", first_published_at="2020-01-01"),
    )
    article.refresh_from_db()
    assert (article.status, article.first_published_at) == (Status.REVIEW, None)
    assert not ArticleEvent.objects.exists()


def test_reporter_bulk_publish_by_direct_post_is_refused(reporter_client, reporter):
    article = own(reporter)
    response = reporter_client.post(
        CHANGELIST, {"action": "publish_selected", "_selected_action": [article.pk], "apply": "1"}
    )
    assert response.status_code in (200, 302)
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT
    assert not ArticleEvent.objects.exists()


@pytest.mark.parametrize("action", ["schedule_selected", "unpublish_selected"])
def test_reporter_other_bulk_actions_are_refused(reporter_client, reporter, action):
    article = own(reporter, status=Status.PUBLISHED)
    reporter_client.post(
        CHANGELIST,
        {
            "action": action,
            "_selected_action": [article.pk],
            "apply": "1",
            "date": "2099-01-01",
            "time": "09:00",
        },
    )
    assert Article.objects.get(pk=article.pk).status == Status.PUBLISHED


def test_reporter_does_not_see_bulk_workflow_actions(reporter_client, reporter):
    own(reporter)
    page = reporter_client.get(CHANGELIST).content.decode()
    assert "publish_selected" not in page
    assert "schedule_selected" not in page


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("publish", Status.DRAFT),
        ("schedule", Status.REVIEW),
        ("request_changes", Status.REVIEW),
        ("unpublish", Status.PUBLISHED),
        ("unschedule", Status.SCHEDULED),
    ],
)
def test_reporter_direct_post_to_a_transition_url_is_forbidden(
    reporter_client, reporter, name, status
):
    article = own(reporter, status=status)
    response = reporter_client.post(
        transition_url(article, name),
        {"version": article.version, "comment": "x", "date": "2099-01-01", "time": "09:00"},
    )
    assert response.status_code == 403
    assert Article.objects.get(pk=article.pk).status == status
    assert not ArticleEvent.objects.exists()


def test_reporter_cannot_submit_someone_elses_article_by_url(reporter_client):
    theirs = make_article(status=Status.DRAFT)
    response = reporter_client.post(transition_url(theirs, "submit"), {"version": theirs.version})
    assert response.status_code == 404
    assert Article.objects.get(pk=theirs.pk).status == Status.DRAFT


def test_transition_url_needs_login(client):
    article = make_article(status=Status.REVIEW)
    response = client.post(transition_url(article, "publish"), {"version": article.version})
    assert response.status_code == 302 and "/login/" in response.url
    assert Article.objects.get(pk=article.pk).status == Status.REVIEW


def test_unknown_transition_is_404(editor_client):
    article = make_article(status=Status.REVIEW)
    response = editor_client.post(transition_url(article, "approve"), {"version": 1})
    assert response.status_code == 404


# --- the buttons -----------------------------------------------------------------------------


def step_button(name: str) -> str:
    """A workflow button inside the change form: it saves what is typed, then takes the step."""
    return f'name="workflow_action" value="{name}"'


def test_reporter_sees_only_submit_on_own_draft(reporter_client, reporter):
    article = own(reporter)
    page = reporter_client.get(change_url(article)).content.decode()
    assert step_button("submit") in page
    for name in ["publish", "schedule", "request_changes", "unpublish", "unschedule"]:
        assert step_button(name) not in page


def test_editor_sees_review_buttons_on_a_submitted_article(editor_client):
    article = make_article(status=Status.REVIEW)
    page = editor_client.get(change_url(article)).content.decode()
    for name in ["publish", "schedule", "request_changes"]:
        assert step_button(name) in page
    for name in ["submit", "unpublish", "unschedule"]:
        assert step_button(name) not in page


def test_editor_sees_unpublish_on_a_live_article(editor_client):
    article = make_article(status=Status.PUBLISHED)
    page = editor_client.get(change_url(article)).content.decode()
    assert step_button("unpublish") in page
    assert step_button("publish") not in page


def test_submit_button_moves_the_article_to_review(reporter_client, reporter):
    article = own(reporter)
    response = reporter_client.post(transition_url(article, "submit"), {"version": article.version})
    assert response.status_code == 302 and response.url == change_url(article)
    assert Article.objects.get(pk=article.pk).status == Status.REVIEW
    assert f"“{article.headline}” was submitted for review." in message_texts(response)


def test_publish_button_publishes(editor_client):
    article = make_article(status=Status.REVIEW)
    editor_client.post(transition_url(article, "publish"), {"version": article.version})
    assert Article.objects.live().filter(pk=article.pk).exists()


def test_button_with_a_stale_version_is_refused(editor_client):
    article = make_article(status=Status.REVIEW)
    response = editor_client.post(
        transition_url(article, "publish"), {"version": article.version - 1 or 99}
    )
    assert Article.objects.get(pk=article.pk).status == Status.REVIEW
    assert any("changed by someone else" in m for m in message_texts(response))


def test_button_without_a_version_is_refused(editor_client):
    article = make_article(status=Status.REVIEW)
    response = editor_client.post(transition_url(article, "publish"), {})
    assert Article.objects.get(pk=article.pk).status == Status.REVIEW
    assert any("out of date" in m for m in message_texts(response))


def test_request_changes_button_needs_a_comment(editor_client):
    article = make_article(status=Status.REVIEW)
    response = editor_client.post(
        transition_url(article, "request_changes"), {"version": article.version, "comment": " "}
    )
    assert Article.objects.get(pk=article.pk).status == Status.REVIEW
    assert any("comment is required" in m for m in message_texts(response))


def test_schedule_button_reads_the_time_on_the_site_clock(editor_client, settings):
    article = make_article(status=Status.REVIEW)
    editor_client.post(
        transition_url(article, "schedule"),
        {"version": article.version, "date": "2099-07-01", "time": "09:30"},
    )
    article.refresh_from_db()
    london = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    assert article.status == Status.SCHEDULED
    assert article.publish_at == datetime.datetime(2099, 7, 1, 9, 30, tzinfo=london)


def test_schedule_button_refuses_the_past(editor_client, clock):
    article = make_article(status=Status.REVIEW)
    past = timezone.localtime() - datetime.timedelta(minutes=1)
    response = editor_client.post(
        transition_url(article, "schedule"),
        {
            "version": article.version,
            "date": past.date().isoformat(),
            "time": past.strftime("%H:%M"),
        },
    )
    assert Article.objects.get(pk=article.pk).status == Status.REVIEW
    assert any("already passed" in m for m in message_texts(response))


def test_unpublish_button_can_archive(editor_client):
    article = make_article(status=Status.PUBLISHED)
    editor_client.post(
        transition_url(article, "unpublish"), {"version": article.version, "archive": "1"}
    )
    assert Article.objects.get(pk=article.pk).status == Status.ARCHIVED


def test_change_form_shows_the_event_history(editor_client, reporter, editor):
    article = own(reporter)
    workflow.submit(article, by=reporter)
    workflow.request_changes(article, by=editor, comment="Where is the second source?")
    page = editor_client.get(change_url(article)).content.decode()
    assert "Workflow history" in page
    assert "Where is the second source?" in page
    assert page.index("Where is the second source?") < page.index(">rita<")  # newest first


def test_change_form_includes_the_editing_panel(editor_client):
    article = make_article(status=Status.DRAFT)
    response = editor_client.get(change_url(article))
    assert "admin/articles/article/_editing_panel.html" in [t.name for t in response.templates]


# --- bulk actions ---------------------------------------------------------------------------


def test_bulk_publish_reports_each_article(editor_client):
    draft = make_article(headline="Draft story", status=Status.DRAFT)
    live = make_article(headline="Live story", status=Status.PUBLISHED)
    response = editor_client.post(
        CHANGELIST,
        {"action": "publish_selected", "_selected_action": [draft.pk, live.pk], "apply": "1"},
        follow=True,
    )
    assert Article.objects.get(pk=draft.pk).status == Status.PUBLISHED
    texts = message_texts(response) or [str(m) for m in response.context["messages"]]
    assert "“Draft story” was published." in texts
    assert any("Live story" in t and "Skipped" in t for t in texts)
    assert ArticleEvent.objects.count() == 1


def test_bulk_schedule_asks_for_a_time_then_schedules(editor_client, settings):
    first = make_article(status=Status.DRAFT)
    second = make_article(status=Status.REVIEW)
    ask = editor_client.post(
        CHANGELIST, {"action": "schedule_selected", "_selected_action": [first.pk, second.pk]}
    )
    assert ask.status_code == 200
    assert 'type="date"' in ask.content.decode()
    assert Article.objects.filter(status=Status.SCHEDULED).count() == 0
    editor_client.post(
        CHANGELIST,
        {
            "action": "schedule_selected",
            "_selected_action": [first.pk, second.pk],
            "apply": "1",
            "date": "2099-03-02",
            "time": "06:00",
        },
    )
    expected = datetime.datetime(2099, 3, 2, 6, 0, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
    assert list(
        Article.objects.filter(status=Status.SCHEDULED).values_list("publish_at", flat=True)
    ) == [expected, expected]


def test_bulk_schedule_in_the_past_shows_the_form_again(editor_client):
    article = make_article(status=Status.DRAFT)
    response = editor_client.post(
        CHANGELIST,
        {
            "action": "schedule_selected",
            "_selected_action": [article.pk],
            "apply": "1",
            "date": "2001-01-01",
            "time": "06:00",
        },
    )
    assert response.status_code == 200
    assert "already passed" in response.content.decode()
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT


def test_bulk_unpublish(editor_client):
    article = make_article(status=Status.PUBLISHED)
    editor_client.post(
        CHANGELIST,
        {"action": "unpublish_selected", "_selected_action": [article.pk], "apply": "1"},
    )
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT


def test_bulk_publish_asks_first_listing_each_articles_checks(editor_client):
    empty = make_article(headline="Empty story", status=Status.DRAFT, body="")
    bare = make_article(headline="Bare story", status=Status.DRAFT, standfirst="")
    response = editor_client.post(
        CHANGELIST, {"action": "publish_selected", "_selected_action": [empty.pk, bare.pk]}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Will be skipped:</strong> The body is empty." in page
    assert "The standfirst is missing." in page and "There is no hero image." in page
    assert "1 article cannot go live and will be skipped." in page
    assert not Article.objects.filter(status=Status.PUBLISHED).exists()


def test_bulk_publish_skips_an_empty_body_and_sums_up(editor_client):
    empty = make_article(headline="Empty story", status=Status.DRAFT, body="")
    ready = make_article(headline="Ready story", status=Status.DRAFT)
    response = editor_client.post(
        CHANGELIST,
        {"action": "publish_selected", "_selected_action": [empty.pk, ready.pk], "apply": "1"},
        follow=True,
    )
    texts = [str(m) for m in response.context["messages"]]
    assert any("“Empty story” has an empty body" in t for t in texts)
    assert "Summary: 1 of 2 selected articles published; 1 skipped." in texts
    assert Article.objects.get(pk=empty.pk).status == Status.DRAFT
    assert Article.objects.get(pk=ready.pk).status == Status.PUBLISHED


# --- the dashboard --------------------------------------------------------------------------


def test_dashboard_lists_review_oldest_first_with_counts(editor_client, reporter, clock):
    older = own(reporter, headline="Older submission")
    newer = own(reporter, headline="Newer submission")
    workflow.submit(older, by=reporter)
    clock.shift(datetime.timedelta(hours=1))
    workflow.submit(newer, by=reporter)
    page = editor_client.get("/admin/").content.decode()
    assert "Awaiting review" in page
    assert page.index("Older submission") < page.index("Newer submission")
    assert 'aria-label="2 articles"' in page
    assert change_url(older) in page


def test_dashboard_shows_scheduled_times_drafts_and_published(editor_client, editor):
    when = timezone.now() + datetime.timedelta(days=2)
    scheduled = make_article(headline="Budget day", status=Status.SCHEDULED, publish_at=when)
    make_article(headline="My own draft", status=Status.DRAFT, authors=[editor.author])
    make_article(headline="Someone else draft", status=Status.DRAFT)
    make_article(headline="Out already", status=Status.PUBLISHED)
    page = editor_client.get("/admin/").content.decode()
    assert "Budget day" in page
    assert timezone.localtime(scheduled.publish_at).strftime("%H:%M") in page
    assert "My own draft" in page
    assert "Someone else draft" in page  # editors see every draft (issue 17)
    assert "Out already" in page
    assert "Site administration" in page or "app-articles" in page  # the app list stays


def test_dashboard_query_count_does_not_grow_with_articles(
    editor_client, django_assert_max_num_queries
):
    for _ in range(12):
        make_article(status=Status.REVIEW)
        make_article(status=Status.PUBLISHED)
    # 16 for the editorial panels, 2 for the wire desk's (its list, and its counts in one).
    with django_assert_max_num_queries(18):
        assert editor_client.get("/admin/").status_code == 200


def test_reporter_dashboard_shows_only_their_articles(reporter_client, reporter):
    own(reporter, headline="Rita draft")
    make_article(headline="Someone else story", status=Status.PUBLISHED)
    page = reporter_client.get("/admin/").content.decode()
    assert "Rita draft" in page
    assert "Someone else story" not in page


def panel_html(page: str, title: str) -> str:
    """The HTML of one dashboard panel, found by its heading."""
    start = page.index(f">{title}</a>")
    end = page.find('<section class="dashboard__panel', start)
    return page[start : end if end != -1 else len(page)]


def test_dashboard_scheduled_panel_lists_soonest_first_with_times_and_count(editor_client):
    now = timezone.now()
    make_article(headline="Friday budget", status=Status.SCHEDULED, publish_at=now + 3 * DAY)
    make_article(headline="Monday verdict", status=Status.SCHEDULED, publish_at=now + DAY)
    panel = panel_html(editor_client.get("/admin/").content.decode(), "Scheduled")
    assert panel.index("Monday verdict") < panel.index("Friday budget")
    assert 'aria-label="2 articles"' in panel
    when = timezone.localtime(now + DAY)
    assert f'datetime="{when.isoformat()}"' in panel


def test_dashboard_recently_published_lists_newest_first(editor_client, clock):
    make_article(headline="Story from yesterday", publish_at=timezone.now() - DAY)
    make_article(headline="Story from this morning", publish_at=timezone.now() - HOUR)
    panel = panel_html(editor_client.get("/admin/").content.decode(), "Recently published")
    assert panel.index("Story from this morning") < panel.index("Story from yesterday")
    assert 'aria-label="2 articles"' in panel


def test_dashboard_drafts_lists_last_saved_first(editor_client, editor, clock):
    make_article(headline="Older draft", status=Status.DRAFT, authors=[editor.author])
    clock.shift(HOUR)
    make_article(headline="Newer draft", status=Status.DRAFT, authors=[editor.author])
    panel = panel_html(editor_client.get("/admin/").content.decode(), "Drafts")
    assert panel.index("Newer draft") < panel.index("Older draft")
    assert 'aria-label="2 articles"' in panel


def test_an_editors_dashboard_shows_everyones_drafts(editor_client, reporter):
    own(reporter, headline="Draft by Rita")
    panel = panel_html(editor_client.get("/admin/").content.decode(), "Drafts")
    assert "Draft by Rita" in panel


def test_a_reporters_dashboard_marks_drafts_sent_back(reporter_client, reporter, editor):
    article = own(reporter, headline="Sent back")
    workflow.submit(article, by=reporter)
    workflow.request_changes(article, by=editor, comment="Add a quote.")
    own(reporter, headline="Untouched")
    panel = panel_html(reporter_client.get("/admin/").content.decode(), "My drafts")
    assert panel.count("Changes requested") == 1
    assert panel.index("Changes requested") > panel.index("Sent back")


def test_the_review_queue_says_who_submitted_and_when(editor_client, reporter, clock):
    workflow.submit(own(reporter, headline="Waiting"), by=reporter)
    panel = panel_html(editor_client.get("/admin/").content.decode(), "Awaiting review")
    assert "Submitted by rita <time" in panel


def test_dashboard_counts_every_article_though_it_lists_the_first_few(editor_client):
    for number in range(11):
        make_article(headline=f"Waiting story {number}", status=Status.REVIEW)
    panel = panel_html(editor_client.get("/admin/").content.decode(), "Awaiting review")
    assert 'aria-label="11 articles"' in panel
    assert panel.count("/change/") == 8
    assert f"{CHANGELIST}?status__exact=review" in panel
    assert "All 11" in panel


def test_reporter_bulk_publish_of_someone_elses_article_is_refused(reporter_client):
    theirs = make_article(status=Status.REVIEW)
    reporter_client.post(
        CHANGELIST, {"action": "publish_selected", "_selected_action": [theirs.pk], "apply": "1"}
    )
    assert Article.objects.get(pk=theirs.pk).status == Status.REVIEW
    assert not ArticleEvent.objects.exists()
