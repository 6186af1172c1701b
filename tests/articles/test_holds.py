"""Publication holds (articles/holds.py): while one stands nobody publishes or schedules the
article, by any door, and a scheduled story does not go live at its time; an editor lifts it
from the change form, a reporter cannot."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from articles import holds, workflow
from articles.models import Article, ArticleEvent
from tests.factories import make_article

pytestmark = pytest.mark.django_db

Status = Article.Status
CHANGELIST = "/admin/articles/article/"
REASON = "Agency Example killed this story (wire item urn:1)"


def held(**fields) -> Article:
    article = make_article(**fields)
    holds.place(article, reason=REASON)
    return article


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def lift_url(article) -> str:
    return reverse("admin:articles_article_lift_hold", args=[article.pk])


def test_publish_button_is_refused_naming_the_reason(editor_client):
    article = held(status=Status.DRAFT)
    response = editor_client.post(
        reverse("admin:articles_article_transition", args=[article.pk, "publish"]),
        {"version": article.version},
        follow=True,
    )
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT
    assert any("held from publication" in m and REASON in m for m in messages_of(response))


def test_bulk_publish_is_refused_naming_the_reason(editor_client):
    article = held(status=Status.REVIEW)
    response = editor_client.post(
        CHANGELIST,
        {"action": "publish_selected", "_selected_action": [article.pk], "apply": "1"},
        follow=True,
    )
    assert Article.objects.get(pk=article.pk).status == Status.REVIEW
    assert any(m.startswith("Skipped:") and REASON in m for m in messages_of(response))


def test_schedule_is_refused(editor):
    article = held(status=Status.DRAFT)
    with pytest.raises(workflow.InvalidTransition, match="held from publication"):
        workflow.schedule(article, by=editor, at=timezone.now() + datetime.timedelta(hours=1))
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT


def test_scheduled_story_does_not_go_live_at_its_time_while_held(client, clock):
    article = held(
        status=Status.SCHEDULED, publish_at=timezone.now() + datetime.timedelta(minutes=5)
    )
    clock.shift(301)
    assert not Article.objects.live().filter(pk=article.pk).exists()
    assert client.get(article.get_absolute_url()).status_code == 404
    assert workflow.publish_due() == []
    assert Article.objects.get(pk=article.pk).status == Status.SCHEDULED


def test_hold_on_a_due_scheduled_story_takes_it_off_the_site(client, settings):
    settings.PAGE_CACHE = True
    article = make_article(
        status=Status.SCHEDULED, publish_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    client.get(article.get_absolute_url())
    holds.place(article, reason=REASON)
    assert client.get(article.get_absolute_url()).status_code == 404


def test_lifted_hold_lets_the_editor_publish(editor_client, editor):
    article = held(status=Status.DRAFT)
    response = editor_client.post(lift_url(article), follow=True)
    article.refresh_from_db()
    assert article.publication_hold == ""
    assert any("was lifted" in m for m in messages_of(response))
    workflow.publish(article, by=editor)
    assert Article.objects.get(pk=article.pk).status == Status.PUBLISHED


def test_placing_and_lifting_are_in_the_workflow_history(editor_client, editor):
    article = held(status=Status.DRAFT)
    editor_client.post(lift_url(article))
    steps = list(ArticleEvent.objects.filter(article=article).order_by("at", "pk"))
    assert [(e.actor, e.comment) for e in steps] == [
        (None, f"Held from publication: {REASON}"),
        (editor, f"Hold lifted (was: {REASON})"),
    ]
    page = editor_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert "Hold lifted" in page.content.decode()


def test_change_form_shows_the_hold_and_its_lift_button_to_an_editor(editor_client):
    article = held(status=Status.DRAFT)
    page = editor_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    html = page.content.decode()
    assert "Held from publication:" in html and REASON in html
    assert lift_url(article) in html


def test_reporter_sees_the_hold_but_no_lift_button(reporter_client, reporter):
    article = held(status=Status.DRAFT, authors=[reporter.author])
    page = reporter_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    html = page.content.decode()
    assert REASON in html
    assert lift_url(article) not in html


def test_reporter_cannot_lift_by_direct_post(reporter_client, reporter):
    article = held(status=Status.DRAFT, authors=[reporter.author])
    response = reporter_client.post(lift_url(article))
    assert response.status_code == 403
    assert Article.objects.get(pk=article.pk).publication_hold == REASON


def test_lift_is_post_only(editor_client):
    article = held(status=Status.DRAFT)
    assert editor_client.get(lift_url(article)).status_code == 405
    assert Article.objects.get(pk=article.pk).publication_hold == REASON


def test_lifting_when_nothing_is_held_says_so(editor_client):
    article = make_article(status=Status.DRAFT)
    response = editor_client.post(lift_url(article), follow=True)
    assert any("is not held" in m for m in messages_of(response))
    assert not ArticleEvent.objects.filter(article=article).exists()


def test_a_hold_needs_a_reason():
    article = make_article(status=Status.DRAFT)
    with pytest.raises(holds.HoldError, match="a reason is required"):
        holds.place(article, reason="  ")
    assert Article.objects.get(pk=article.pk).publication_hold == ""


def test_lifting_the_hold_on_a_due_story_puts_it_live(
    editor_client, clock, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    article = held(
        status=Status.SCHEDULED, publish_at=timezone.now() + datetime.timedelta(minutes=5)
    )
    clock.shift(301)
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(lift_url(article))
    assert Article.objects.live().filter(pk=article.pk).exists()
    # The bookkeeping skipped while it was held runs at once.
    assert Article.objects.get(pk=article.pk).status == Status.PUBLISHED
