"""Words typed by staff or readers never become email headers."""

import pytest
from django.core import mail

from articles import workflow
from articles.models import Article
from tests.factories import make_article, make_editor, make_reporter

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def tasks_run_at_once(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_line_break_in_a_headline_cannot_add_headers_or_stop_the_notification(
    django_capture_on_commit_callbacks,
):
    reporter = make_reporter("rita")
    make_editor("edna")
    # A text input cannot type a line break, but a hand-made POST can.
    article = make_article(
        headline="Ferry fares frozen\r\nBcc: leak@example.com",
        status=Article.Status.DRAFT,
        authors=[reporter.author],
    )

    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(article, by=reporter)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "For review: Ferry fares frozen Bcc: leak@example.com"
    assert message.recipients() == ["edna@example.com"]
    assert "\nBcc:" not in message.message().as_string().split("\n\n", 1)[0]


def test_headline_and_names_are_escaped_in_html_notifications(django_capture_on_commit_callbacks):
    reporter = make_reporter("rita", first_name="<b>Rita</b>")
    make_editor("edna")
    article = make_article(
        headline="<script>alert(1)</script>",
        standfirst="<img src=x onerror=alert(2)>",
        status=Article.Status.DRAFT,
        authors=[reporter.author],
    )

    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(article, by=reporter)

    html, _ = mail.outbox[0].alternatives[0]
    assert "<script>" not in html and "<img src=x" not in html and "<b>Rita" not in html
    assert "&lt;script&gt;" in html
