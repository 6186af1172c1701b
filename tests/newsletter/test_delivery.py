"""The delivery engine in one process: freezing, claiming, recording, pause, cancel."""

import email
import email.policy
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks import default_task_backend

from articles.models import Article
from newsletter import delivery, rendering
from newsletter.models import Delivery, Edition, Subscriber
from tests.factories import make_reporter
from tests.newsletter.sending import make_edition, make_newsletter, make_recipients, make_sender

pytestmark = pytest.mark.django_db


@pytest.fixture
def newsletter():
    return make_newsletter()


@pytest.fixture
def editor():
    return make_sender()


@pytest.fixture
def django_capture_on_commit_callbacks_executing(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_start_freezes_one_delivery_per_confirmed_subscriber(newsletter, editor, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    make_recipients(newsletter, 3)
    Subscriber.objects.create(email="pending@example.com")  # not confirmed: not a recipient
    edition = make_edition(newsletter)

    notes = delivery.start(edition, by=editor)

    assert notes == []
    assert edition.status == Edition.Status.SENDING
    assert edition.recipient_count == 3
    assert Delivery.objects.filter(edition=edition, status="pending").count() == 3
    assert "Story number 5 of the day" in edition.html_template
    assert rendering.UNSUBSCRIBE_URL in edition.html_template


def test_reporter_cannot_start_a_send(newsletter):
    edition = make_edition(newsletter)
    make_recipients(newsletter, 1)

    with pytest.raises(delivery.EditionError, match="permission"):
        delivery.start(edition, by=make_reporter())

    assert Edition.objects.get().status == Edition.Status.DRAFT
    assert not Delivery.objects.exists()


def test_unpublished_article_drops_out_with_a_note(newsletter, editor, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    make_recipients(newsletter, 1)
    edition = make_edition(newsletter, articles=2)
    gone = edition.items.first().article
    Article.objects.filter(pk=gone.pk).update(status=Article.Status.DRAFT)

    notes = delivery.start(edition, by=editor)

    assert notes == [f"“{gone.headline}” is no longer published, so it was left out."]
    assert gone.headline not in edition.html_template
    assert edition.items.count() == 1


def test_edition_without_live_articles_is_refused(newsletter, editor):
    make_recipients(newsletter, 1)
    edition = make_edition(newsletter, articles=1)
    Article.objects.update(status=Article.Status.DRAFT)

    with pytest.raises(delivery.EditionError, match="no live articles"):
        delivery.start(edition, by=editor)

    assert Edition.objects.get().status == Edition.Status.DRAFT


def test_edition_cannot_be_sent_twice(
    newsletter, editor, locmem_email, django_capture_on_commit_callbacks
):
    make_recipients(newsletter, 2)
    edition = make_edition(newsletter)
    with django_capture_on_commit_callbacks(execute=True):
        delivery.start(edition, by=editor)

    with pytest.raises(delivery.EditionError, match="can't be sent again"):
        delivery.start(edition, by=editor)

    assert len(mail.outbox) == 2


def test_send_delivers_each_subscriber_once_and_marks_the_edition_sent(
    newsletter, editor, locmem_email, django_capture_on_commit_callbacks
):
    subscribers = make_recipients(newsletter, 5)
    edition = make_edition(newsletter)

    with django_capture_on_commit_callbacks(execute=True):
        delivery.start(edition, by=editor)

    assert sorted(message.to[0] for message in mail.outbox) == sorted(s.email for s in subscribers)
    edition.refresh_from_db()
    assert edition.status == Edition.Status.SENT
    assert delivery.progress(edition) | {"rate": 0} == {
        "status": "sent",
        "total": 5,
        "sent": 5,
        "failed": 0,
        "skipped": 0,
        "cancelled": 0,
        "remaining": 0,
        "rate": 0,
        "eta_seconds": 0,
        "percent": 100.0,
    }


def test_message_has_text_part_web_link_and_headers_for_its_newsletter(
    newsletter, editor, locmem_email, django_capture_on_commit_callbacks, settings, clock
):
    # Signed links carry a timestamp: the clock stands still so the test's link and the
    # email's are signed in the same second.
    (subscriber,) = make_recipients(newsletter, 1)
    edition = make_edition(newsletter)
    with django_capture_on_commit_callbacks(execute=True):
        delivery.start(edition, by=editor)

    message = email.message_from_bytes(mail.outbox[0].raw, policy=email.policy.default)
    unsubscribe = str(message["List-Unsubscribe"]).strip("<>")
    assert unsubscribe == subscriber.unsubscribe_url(newsletter)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["To"] == subscriber.email
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    web_url = settings.SITE_URL + edition.get_absolute_url()
    assert web_url in text and web_url in html
    assert unsubscribe in text and unsubscribe in html
    assert subscriber.manage_url() in html
    assert "%%" not in text + html
    assert "Story number 1 of the day" in text


def test_progress_of_a_paused_send_counts_what_remains(newsletter, editor, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    make_recipients(newsletter, 4)
    edition = make_edition(newsletter)
    delivery.start(edition, by=editor)
    Delivery.objects.filter(pk=Delivery.objects.first().pk).update(
        status="sent", sent_at=timezone.now()
    )

    delivery.pause(edition, by=editor)

    numbers = delivery.progress(edition)
    assert (numbers["status"], numbers["sent"], numbers["remaining"]) == ("paused", 1, 3)
    assert numbers["percent"] == 25.0


def test_preview_fills_links_with_harmless_ones(newsletter):
    edition = make_edition(newsletter, articles=2)

    preview = rendering.render_preview(edition)

    assert preview.subject == "Your morning briefing"
    assert "Story number 2 of the day" in preview.html
    assert "Story number 2 of the day" in preview.text
    assert "%%" not in preview.html + preview.text
    assert "/unsubscribe/" not in preview.html


def test_send_test_goes_to_the_editor_only_marked_as_a_test(newsletter, locmem_email):
    make_recipients(newsletter, 3)
    edition = make_edition(newsletter)

    rendering.send_test(edition, "editor@example.com")

    (message,) = mail.outbox
    assert message.to == ["editor@example.com"]
    assert message.subject == "[Test] Your morning briefing"
    assert message.extra_headers["X-Newsroom-Test"] == "yes"
    assert not Delivery.objects.exists()


def test_scheduled_edition_is_started_by_send_editions_when_its_time_comes(
    newsletter, editor, locmem_email, clock, django_capture_on_commit_callbacks_executing
):
    make_recipients(newsletter, 2)
    edition = make_edition(newsletter)
    delivery.schedule(edition, timezone.now() + timedelta(hours=1), by=editor)

    call_command("send_editions", stdout=io.StringIO())
    assert Edition.objects.get().status == Edition.Status.SCHEDULED
    assert mail.outbox == []

    clock.shift(3601)
    with django_capture_on_commit_callbacks_executing():
        call_command("send_editions", stdout=io.StringIO())

    assert Edition.objects.get().status == Edition.Status.SENT
    assert len(mail.outbox) == 2


def test_cancelling_a_scheduled_edition_makes_it_a_draft_again(newsletter, editor):
    edition = make_edition(newsletter)
    delivery.schedule(edition, timezone.now() + timedelta(hours=1), by=editor)

    delivery.cancel(edition, by=editor)

    edition.refresh_from_db()
    assert (edition.status, edition.scheduled_at) == (Edition.Status.DRAFT, None)


def test_schedule_in_the_past_is_refused(newsletter, editor):
    edition = make_edition(newsletter)

    with pytest.raises(delivery.EditionError, match="future"):
        delivery.schedule(edition, timezone.now() - timedelta(minutes=1), by=editor)


def test_send_editions_finishes_a_send_whose_last_worker_died_after_the_last_message(
    newsletter, editor, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    make_recipients(newsletter, 2)
    edition = make_edition(newsletter)
    delivery.start(edition, by=editor)
    Delivery.objects.update(status=Delivery.Status.SENT, sent_at=timezone.now())

    call_command("send_editions", stdout=io.StringIO())

    assert Edition.objects.get().status == Edition.Status.SENT


def test_send_editions_gives_a_stalled_send_a_new_worker(newsletter, editor, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    make_recipients(newsletter, 2)
    edition = make_edition(newsletter)
    delivery.start(edition, by=editor)
    # The worker that had claimed them was killed; its lease has run out.
    Delivery.objects.update(leased_until=timezone.now() - timedelta(seconds=1), worker="gone")
    queued = default_task_backend.results
    queued.clear()

    call_command("send_editions", stdout=io.StringIO())

    assert [result.task.name for result in queued] == ["deliver_edition"]
    assert queued[0].args == [edition.pk]


def test_non_smtp_backends_get_the_same_message(
    newsletter, editor, locmem_email, django_capture_on_commit_callbacks_executing, clock
):
    # Signed links carry a timestamp: the clock stands still (see above).
    (subscriber,) = make_recipients(newsletter, 1)
    edition = make_edition(newsletter)
    with django_capture_on_commit_callbacks_executing():
        delivery.start(edition, by=editor)

    (message,) = mail.outbox
    assert message.to == [subscriber.email]
    assert message.subject == "Your morning briefing"
    assert subscriber.unsubscribe_url(newsletter) in message.body
    assert message.extra_headers["List-Unsubscribe"] == (
        f"<{subscriber.unsubscribe_url(newsletter)}>"
    )
    assert subscriber.manage_url() in message.alternatives[0][0]
