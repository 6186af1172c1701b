"""Who is emailed when, and what the message says (sent by a task after the commit)."""

import pytest
from django.core import mail
from django.utils import timezone

from articles import workflow
from articles.models import Article
from tests.factories import make_article, make_author, make_editor, make_reporter, make_user

pytestmark = pytest.mark.django_db

Status = Article.Status


@pytest.fixture(autouse=True)
def tasks_run_at_once(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.SITE_URL = "https://news.example"


@pytest.fixture
def reporter():
    return make_reporter("rita", first_name="Rita", last_name="Reyes")


@pytest.fixture
def editor():
    return make_editor("edna", first_name="Edna", last_name="Ekwueme")


@pytest.fixture
def article(reporter):
    co_author = make_author("Colin", user=make_user("colin", email="colin@example.com"))
    no_login = make_author("Wire Desk")
    return make_article(
        headline="Ferry fares frozen",
        status=Status.DRAFT,
        authors=[reporter.author, co_author, no_login],
    )


def sent_to() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_submission_emails_every_editor_but_no_one_else(
    article, reporter, editor, django_capture_on_commit_callbacks
):
    make_editor("ed2")
    make_editor("no_mail", email="")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(article, by=reporter)
    assert sent_to() == ["ed2@example.com", "edna@example.com"]
    message = mail.outbox[0]
    assert message.subject == "For review: Ferry fares frozen"
    assert "Rita Reyes submitted" in message.body
    assert f"https://news.example/admin/articles/article/{article.pk}/change/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="https://news.example/admin/articles/article/{article.pk}/change/"' in html


def test_editor_submitting_is_not_emailed_about_it(
    article, editor, django_capture_on_commit_callbacks
):
    make_editor("ed2")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(article, by=editor)
    assert sent_to() == ["ed2@example.com"]


def test_changes_requested_emails_the_authors_with_the_comment(
    article, reporter, editor, django_capture_on_commit_callbacks
):
    workflow.submit(article, by=reporter)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.request_changes(
            article, by=editor, comment="Who said the fares would rise?\nName them."
        )
    assert sent_to() == ["colin@example.com", "rita@example.com"]
    message = mail.outbox[0]
    assert message.subject == "Changes requested: Ferry fares frozen"
    assert "Who said the fares would rise?\nName them." in message.body
    assert "Edna Ekwueme" in message.body
    assert "Who said the fares would rise?" in message.alternatives[0][0]


def test_comment_is_escaped_in_the_html_email(
    article, reporter, editor, django_capture_on_commit_callbacks
):
    workflow.submit(article, by=reporter)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.request_changes(article, by=editor, comment="<script>alert(1)</script>")
    html = mail.outbox[0].alternatives[0][0]
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_publication_emails_the_authors_with_the_public_link(
    article, editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(article, by=editor)
    assert sent_to() == ["colin@example.com", "rita@example.com"]
    message = mail.outbox[0]
    assert message.subject == "Published: Ferry fares frozen"
    assert f"https://news.example{article.get_absolute_url()}" in message.body


@pytest.mark.parametrize("name", ["schedule", "unpublish", "unschedule"])
def test_other_transitions_send_nothing(editor, name, django_capture_on_commit_callbacks):
    status = {
        "schedule": Status.DRAFT,
        "unpublish": Status.PUBLISHED,
        "unschedule": Status.SCHEDULED,
    }[name]
    article = make_article(
        status=status,
        publish_at=timezone.now() + timezone.timedelta(days=1) if name == "unschedule" else None,
        authors=[make_reporter("rita").author],
    )
    kwargs = {"at": timezone.now() + timezone.timedelta(days=1)} if name == "schedule" else {}
    with django_capture_on_commit_callbacks(execute=True):
        workflow.ACTIONS[name](article, by=editor, **kwargs)
    assert mail.outbox == []


def test_nothing_is_sent_when_the_transition_is_refused(article, reporter):
    with pytest.raises(Exception):  # noqa: B017 - any refusal
        workflow.publish(article, by=reporter)
    assert mail.outbox == []


def test_notification_waits_for_the_commit(article, reporter, django_capture_on_commit_callbacks):
    make_editor("edna")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.submit(article, by=reporter)
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_notification_is_queued_as_a_task_by_default(
    article, reporter, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    make_editor("edna")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(article, by=reporter)
    assert mail.outbox == []
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "articles.tasks.send_workflow_notification"


@pytest.mark.django_db(transaction=True)
def test_publish_button_in_the_admin_emails_the_bylined_authors_through_the_queue(client, settings):
    """The path a person takes: the admin's Publish now, the database queue, a worker."""
    from django.core.management import call_command
    from django.urls import reverse

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    editor = make_editor("edna")
    reporter = make_reporter("rita")
    article = make_article(
        headline="Ferry fares frozen",
        status=Status.REVIEW,
        authors=[reporter.author, make_author("Wire Desk")],
        created_by=reporter,
    )
    client.force_login(editor)
    client.post(
        reverse("admin:articles_article_transition", args=[article.pk, "publish"]),
        {"version": article.version},
    )
    assert Article.objects.get(pk=article.pk).status == Status.PUBLISHED
    assert mail.outbox == []  # queued, not sent inside the request
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--queue-name", "*")
    assert [m.to for m in mail.outbox] == [["rita@example.com"]]
    assert mail.outbox[0].subject == "Published: Ferry fares frozen"
    assert "Published by edna." in mail.outbox[0].body
