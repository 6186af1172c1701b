"""An editor's edition, start to finish, in a real browser: build it from the latest stories,
reorder, preview it in a new tab, send a test to themselves, send it, and watch the progress
panel reach 100% while a task worker delivers it."""

import signal
from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from articles.models import Article
from newsletter.models import Delivery, Edition, Newsletter, Subscriber, Subscription
from tests.factories import make_article, make_editor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"
RECIPIENTS = 40


@pytest.fixture
def newsroom(settings):
    """What the migrations make, put back after transactional tests flushed it: the default
    newsletter and the Editor group's right to send, plus confirmed subscribers."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    editor = make_editor("edna", first_name="Edna")
    import_module("newsletter.migrations.0004_default_newsletter").forwards(apps, None)
    daily = Newsletter.objects.get(slug="daily-briefing")
    readers = Subscriber.objects.bulk_create(
        Subscriber(email=f"reader{n}@example.com", status=Subscriber.Status.CONFIRMED)
        for n in range(RECIPIENTS)
    )
    Subscription.objects.bulk_create(Subscription(subscriber=r, newsletter=daily) for r in readers)
    return editor


def run_worker():
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    finally:
        for sig, handler in handlers.items():  # the worker installs its own
            signal.signal(sig, handler)


def test_editor_builds_previews_tests_and_sends_an_edition(
    browser, live_server, newsroom, screenshot
):
    now = timezone.now()
    make_article("Harbour wall repaired", publish_at=now - timedelta(hours=3))
    make_article("Tram line extended", publish_at=now - timedelta(hours=2))
    make_article("Library reopens", publish_at=now - timedelta(hours=1))
    make_article("Unfinished draft", status=Article.Status.DRAFT)

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "Send to every subscriber now?"
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "edna")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")

    # Build from the latest stories: newest first, drafts left out.
    page.goto(f"{live_server.url}/admin/newsletter/edition/")
    page.click("button:has-text('New edition from latest stories')")
    page.wait_for_selector(".edition-send")
    stories = page.locator(".edition-story strong").all_inner_texts()
    assert stories == ["Library reopens", "Tram line extended", "Harbour wall repaired"]

    # Put the harbour story first and save.
    page.fill("#id_items-2-position", "0")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    stories = page.locator(".edition-story strong").all_inner_texts()
    assert stories[0] == "Harbour wall repaired"

    # The HTML preview opens in a new tab.
    with context.expect_page() as new_tab:
        page.click("a:has-text('Preview email')")
    preview = new_tab.value
    preview.wait_for_load_state()
    # (The preheader, hidden at the top, repeats the first headline the edition was built with.)
    body = preview.locator("body").inner_text()
    assert body.index("Harbour wall repaired") < body.index("Library reopens")
    assert "Unfinished draft" not in body
    preview.close()

    # A test to the editor's own address; nobody else gets anything.
    page.click("button:has-text('Send me a test')")
    page.wait_for_selector(".messagelist .success")
    assert [message.to for message in mail.outbox] == [["edna@example.com"]]

    # Send now: the panel shows the send under way, then 100% once the worker has run.
    page.click("button:has-text('Send now')")
    page.wait_for_selector(".edition-progress")
    assert Edition.objects.get().status == Edition.Status.SENDING
    run_worker()
    page.wait_for_selector(".edition-progress__percent:has-text('100%')", timeout=15_000)
    page.wait_for_selector(".status-badge--sent")
    screenshot(page, "edition-sent.png")

    assert page.locator("[data-progress-field=sent]").inner_text() == str(RECIPIENTS)
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == RECIPIENTS
    assert len(mail.outbox) == 1 + RECIPIENTS
    # Sent editions are read-only.
    assert page.locator("input[name=_save]").count() == 0
