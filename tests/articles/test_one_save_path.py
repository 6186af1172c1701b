"""Issue 17: the change form's workflow buttons save what is typed, through the version check,
then take their step; a refused save takes no step; autosaves never touch the article."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Autosave, Revision
from tests.factories import change_form_data, make_article, make_editor, make_reporter

pytestmark = pytest.mark.django_db
Status = Article.Status


def change_url(article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def post_form(client, article, **overrides):
    data = change_form_data(client.get(change_url(article)), **overrides)
    return client.post(change_url(article), data)


def test_publish_button_saves_the_typed_headline_then_publishes(editor_client):
    article = make_article(status=Status.DRAFT, headline="Old headline")
    response = post_form(editor_client, article, headline="New headline", workflow_action="publish")
    assert response.status_code == 302 and response.url == change_url(article)
    article.refresh_from_db()
    assert (article.headline, article.status) == ("New headline", Status.PUBLISHED)
    assert Revision.objects.filter(article=article, headline="New headline").exists()


def test_a_refused_save_takes_no_step_and_keeps_the_input(editor_client):
    article = make_article(status=Status.DRAFT, headline="Old headline")
    response = post_form(
        editor_client, article, headline="", standfirst="Typed", workflow_action="publish"
    )
    assert response.status_code == 200
    assert response.context["adminform"].form["standfirst"].value() == "Typed"
    article.refresh_from_db()
    assert (article.headline, article.status) == ("Old headline", Status.DRAFT)


def test_publish_button_refuses_an_empty_body(editor_client):
    article = make_article(status=Status.DRAFT)
    response = post_form(editor_client, article, body="<p></p>", workflow_action="publish")
    assert "A story needs a body before it goes live." in response.content.decode()
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT


def test_request_changes_button_needs_a_comment(editor_client):
    article = make_article(status=Status.REVIEW)
    response = post_form(editor_client, article, workflow_action="request_changes")
    assert "a comment is required" in response.content.decode()
    assert Article.objects.get(pk=article.pk).status == Status.REVIEW


def test_schedule_button_saves_and_schedules_at_the_time_given(editor_client):
    article = make_article(status=Status.DRAFT)
    at = timezone.localtime() + datetime.timedelta(days=1)
    post_form(
        editor_client,
        article,
        headline="Scheduled story",
        workflow_action="schedule",
        schedule_date=at.date().isoformat(),
        schedule_time="09:00",
    )
    article.refresh_from_db()
    assert (article.headline, article.status) == ("Scheduled story", Status.SCHEDULED)
    assert timezone.localtime(article.publish_at).hour == 9


def test_schedule_button_with_a_past_time_saves_nothing(editor_client):
    article = make_article(status=Status.DRAFT, headline="Old headline")
    response = post_form(
        editor_client,
        article,
        headline="New headline",
        workflow_action="schedule",
        schedule_date="2020-01-01",
        schedule_time="09:00",
    )
    assert "Not scheduled: That time has already passed" in response.content.decode()
    assert Article.objects.get(pk=article.pk).headline == "Old headline"


def test_a_stale_form_with_a_workflow_button_neither_saves_nor_moves(editor_client):
    article = make_article(status=Status.REVIEW, headline="Old headline")
    data = change_form_data(editor_client.get(change_url(article)), headline="Mine")
    Article.objects.filter(pk=article.pk).update(version=article.version + 1)
    response = editor_client.post(change_url(article), {**data, "workflow_action": "publish"})
    assert response.status_code == 200
    article.refresh_from_db()
    assert (article.headline, article.status) == ("Old headline", Status.REVIEW)


def test_reporter_submit_button_on_a_new_article_saves_and_submits(client):
    reporter = make_reporter("rita")
    client.force_login(reporter)
    page = client.get(reverse("admin:articles_article_add"))
    assert 'name="workflow_action" value="submit"' in page.content.decode()
    assert 'value="publish"' not in page.content.decode()


def test_autosave_keeps_typing_but_leaves_a_live_article_alone(client):
    editor = make_editor("edna")
    client.force_login(editor)
    article = make_article(body="<p>Public text.</p>")
    url = reverse("admin:articles_article_autosave", args=[article.pk])
    response = client.post(
        url, {"headline": "Typed", "body": "<p>Half a sentence</p>", "expected_version": 1}
    )
    assert response.status_code == 200
    article.refresh_from_db()
    assert (article.body, article.version) == ("<p>Public text.</p>", 1)
    assert not Revision.objects.filter(article=article).exists()
    assert Autosave.objects.get(article=article, user=editor).data["body"] == (
        "<p>Half a sentence</p>"
    )


def test_reporter_cannot_autosave_into_someone_elses_article(client):
    client.force_login(make_reporter("rita"))
    article = make_article(status=Status.DRAFT)
    url = reverse("admin:articles_article_autosave", args=[article.pk])
    response = client.post(url, {"headline": "Mine now"})
    assert response.status_code in (302, 403, 404)
    assert not Autosave.objects.exists()


def test_saving_the_form_forgets_the_editors_autosave(editor_client):
    article = make_article(status=Status.DRAFT)
    editor = Autosave._meta.get_field("user").related_model.objects.get(username="edna")
    Autosave.objects.create(article=article, user=editor, version=1, data={"headline": "x"})
    post_form(editor_client, article, headline="Saved")
    assert not Autosave.objects.exists()


def test_restoring_an_autosave_refills_the_form(editor_client):
    article = make_article(status=Status.DRAFT, headline="Saved headline")
    editor = Autosave._meta.get_field("user").related_model.objects.get(username="edna")
    Autosave.objects.create(
        article=article, user=editor, version=article.version, data={"headline": "Typed one"}
    )
    page = editor_client.get(change_url(article))
    assert "Restore them" in page.content.decode()
    restored = editor_client.get(change_url(article) + "?restore=autosave")
    assert restored.context["adminform"].form["headline"].value() == "Typed one"


def test_reporter_opening_a_colleagues_article_is_told_they_cannot(client):
    make_reporter("rita")
    colleague = make_reporter("carl")
    article = make_article(
        status=Status.DRAFT, headline="Secret merger talks", authors=[colleague.author]
    )
    client.force_login(Autosave._meta.get_field("user").related_model.objects.get(username="rita"))
    response = client.get(change_url(article), follow=True)
    page = response.content.decode()
    assert "You can&#x27;t open this article" in page
    assert "Perhaps it was deleted" not in page
    assert "Secret merger talks" not in page


def test_a_scheduling_preset_schedules_for_tomorrow_at_six(editor_client):
    article = make_article(status=Status.DRAFT)
    post_form(editor_client, article, schedule_preset="tomorrow_0600")
    article.refresh_from_db()
    local = timezone.localtime(article.publish_at)
    assert article.status == Status.SCHEDULED
    assert (local.date(), local.hour, local.minute) == (
        timezone.localdate() + datetime.timedelta(days=1),
        6,
        0,
    )


def test_a_scheduled_story_can_be_published_now_without_unscheduling(editor_client):
    article = make_article(
        status=Status.SCHEDULED, publish_at=timezone.now() + datetime.timedelta(days=2)
    )
    page = editor_client.get(change_url(article)).content.decode()
    assert 'value="publish"' in page and "Reschedule" in page
    post_form(editor_client, article, workflow_action="publish")
    article.refresh_from_db()
    assert article.status == Status.PUBLISHED and article.publish_at <= timezone.now()


def test_a_scheduled_story_can_be_rescheduled_directly(editor_client):
    article = make_article(
        status=Status.SCHEDULED, publish_at=timezone.now() + datetime.timedelta(days=2)
    )
    post_form(editor_client, article, schedule_preset="next_hour")
    article.refresh_from_db()
    assert article.status == Status.SCHEDULED
    assert article.publish_at <= timezone.now() + datetime.timedelta(hours=1)


def test_the_schedule_date_starts_at_today(editor_client):
    article = make_article(status=Status.DRAFT)
    form = editor_client.get(change_url(article)).context["adminform"].form
    assert form["schedule_date"].value() == timezone.localdate()


def test_a_new_article_starts_with_the_reporters_own_byline(client):
    reporter = make_reporter("rita")
    client.force_login(reporter)
    page = client.get(reverse("admin:articles_article_add"))
    formset = page.context["inline_admin_formsets"][0].formset
    assert formset.forms[0]["author"].value() == reporter.author.pk


def test_the_prefilled_byline_is_saved_when_left_as_it_is(client):
    from articles.models import Section

    reporter = make_reporter("rita")
    client.force_login(reporter)
    section = Section.objects.create(name="Local", slug="local")
    page = client.get(reverse("admin:articles_article_add"))
    data = change_form_data(
        page, headline="Harbour wall", standfirst="Repaired.", section=section.pk
    )
    response = client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 302
    assert list(Article.objects.get().authors.all()) == [reporter.author]


def test_a_refused_save_lists_the_fields_to_correct_with_links(editor_client):
    article = make_article(status=Status.DRAFT)
    response = post_form(editor_client, article, headline="", section="")
    page = response.content.decode()
    assert 'class="error-summary"' in page
    assert '<a href="#id_headline">Headline</a>: This field is required.' in page
    assert '<a href="#id_section">Section</a>' in page
