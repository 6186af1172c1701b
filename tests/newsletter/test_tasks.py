import smtplib
from datetime import timedelta

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from newsletter.models import SignupRequest, Subscriber
from newsletter.tasks import record_signup, send_confirmation
from tests.factories import make_subscriber

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class RefusingBackend(BaseEmailBackend):
    """An SMTP server that is down."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def database_queue(settings):
    settings.TASKS = DATABASE_QUEUE


def test_signup_is_committed_and_its_email_queued_for_the_worker(sign_up, database_queue):
    sign_up("reader@example.com")
    signup = SignupRequest.objects.get()
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "newsletter.tasks.record_signup"
    assert queued.args_kwargs == {"args": [signup.pk], "kwargs": {}}

    record_signup.call(signup.pk)

    subscriber = Subscriber.objects.get()
    assert not SignupRequest.objects.exists()
    queued = DBTaskResult.objects.get(task_path="newsletter.tasks.send_confirmation")
    assert queued.args_kwargs == {"args": [subscriber.pk], "kwargs": {}}
    assert queued.status == "READY"


def test_queue_holds_no_address(sign_up, database_queue):
    sign_up("reader@example.com")
    record_signup.call(SignupRequest.objects.get().pk)

    assert "reader@example.com" not in str(list(DBTaskResult.objects.values()))


def test_failed_send_is_retried_later_with_backoff(terms, database_queue, settings, clock):
    settings.EMAIL_BACKEND = "tests.newsletter.test_tasks.RefusingBackend"
    settings.NEWSLETTER_SEND_RETRY_DELAY = 60
    subscriber = make_subscriber()

    with pytest.raises(smtplib.SMTPServerDisconnected):
        send_confirmation.call(subscriber.pk, 2)

    retry = DBTaskResult.objects.get()
    assert retry.args_kwargs == {"args": [subscriber.pk, 3], "kwargs": {}}
    assert retry.run_after == timezone.now() + timedelta(seconds=120)
    assert Subscriber.objects.filter(pk=subscriber.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_worker_retries_a_failed_send_after_the_delay_and_it_arrives(
    sign_up, run_worker, settings, clock, mailoutbox
):
    settings.EMAIL_BACKEND = "tests.newsletter.test_tasks.RefusingBackend"
    settings.NEWSLETTER_SEND_RETRY_DELAY = 60
    sign_up("reader@example.com")

    run_worker()  # the first attempt fails and queues the second a minute later
    run_worker()  # too early: nothing is due yet

    failed = DBTaskResult.objects.get(status="FAILED")
    retry = DBTaskResult.objects.get(status="READY")
    assert failed.exception_class_path == "smtplib.SMTPServerDisconnected"
    assert retry.args_kwargs["args"][1] == 2
    assert retry.run_after == timezone.now() + timedelta(seconds=60)
    assert mailoutbox == []

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    clock.shift(timedelta(seconds=61))
    run_worker()

    retry.refresh_from_db()
    assert retry.status == "SUCCESSFUL"
    (message,) = mailoutbox
    assert message.to == ["reader@example.com"]
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_retries_stop_after_the_last_attempt(terms, database_queue, settings, caplog):
    settings.EMAIL_BACKEND = "tests.newsletter.test_tasks.RefusingBackend"
    settings.NEWSLETTER_SEND_MAX_ATTEMPTS = 3
    subscriber = make_subscriber()

    with pytest.raises(smtplib.SMTPServerDisconnected):
        send_confirmation.call(subscriber.pk, 3)

    assert DBTaskResult.objects.count() == 0
    assert "giving up after 3 attempts" in caplog.text
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_retry_succeeds_once_the_server_is_back(terms, settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.newsletter.test_tasks.RefusingBackend"
    subscriber = make_subscriber()
    settings.NEWSLETTER_SEND_MAX_ATTEMPTS = 2

    result = send_confirmation.enqueue(subscriber.pk)  # inline: fails, retries, fails

    assert result.status == "FAILED"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_confirmation.enqueue(subscriber.pk).return_value == "sent"
    assert len(mailoutbox) == 1


def test_no_email_for_a_subscriber_who_confirmed_or_left_meanwhile(terms, mailoutbox):
    subscriber = make_subscriber(status=Subscriber.Status.UNSUBSCRIBED)

    assert send_confirmation.enqueue(subscriber.pk).return_value == "skipped: no longer pending"
    assert mailoutbox == []


def test_queue_failure_keeps_the_subscriber_and_lets_them_retry(
    sign_up, settings, mailoutbox, monkeypatch
):
    def broken_enqueue(*args, **kwargs):
        raise ConnectionError("queue is down")

    monkeypatch.setattr(type(send_confirmation), "enqueue", broken_enqueue)
    assert sign_up("reader@example.com").status_code == 302
    assert Subscriber.objects.get().confirmation_sent_at is None
    monkeypatch.undo()

    sign_up("reader@example.com")

    assert len(mailoutbox) == 1
