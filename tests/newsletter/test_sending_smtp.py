"""Editions through real SMTP conversations (aiosmtpd) and real `db_worker` processes."""

import email
import email.policy
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from newsletter import delivery
from newsletter.models import (
    UNSUBSCRIBE_SALT,
    Delivery,
    Edition,
    Subscriber,
    Subscription,
    Suppression,
)
from tests.newsletter.sending import make_edition, make_newsletter, make_recipients, make_sender
from tests.newsletter.workers import smtp_fixture, wait_until, workers_fixture  # noqa: F401


@pytest.fixture
def send_now(django_capture_on_commit_callbacks):
    """Start the send and run its worker tasks inline (the tests' task backend is immediate)."""

    def send(edition):
        with django_capture_on_commit_callbacks(execute=True):
            delivery.start(edition, by=make_sender())

    return send


def status_of(edition: Edition) -> str:
    return Edition.objects.values_list("status", flat=True).get(pk=edition.pk)


def sent_count(edition: Edition) -> int:
    return Delivery.objects.filter(edition=edition, status=Delivery.Status.SENT).count()


@pytest.mark.django_db(transaction=True)
def test_edition_reaches_300_subscribers_exactly_once_through_two_workers(smtp, workers):
    newsletter = make_newsletter()
    subscribers = make_recipients(newsletter, 300)
    edition = make_edition(newsletter, articles=5)
    workers(2)

    delivery.start(edition, by=make_sender())
    wait_until(lambda: status_of(edition) == Edition.Status.SENT, what="the send to finish")

    assert smtp.copies() == {subscriber.email: 1 for subscriber in subscribers}
    messages = [
        email.message_from_bytes(raw, policy=email.policy.default) for _, raw in smtp.messages
    ]
    assert len({message["Message-ID"] for message in messages}) == 300
    by_address = {subscriber.email: subscriber for subscriber in subscribers}
    for message in messages:
        one_click = str(message["List-Unsubscribe"]).strip("<>")
        token = urlsplit(one_click).path.rstrip("/").rsplit("/", 1)[1]
        named, newsletter_id = Subscriber.from_token_with_newsletter(token, salt=UNSUBSCRIBE_SALT)
        assert named == by_address[message["To"]]
        assert newsletter_id == newsletter.pk
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message.get_body(preferencelist=("plain",)) is not None
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 300
    assert delivery.progress(edition)["percent"] == 100.0


@pytest.mark.django_db(transaction=True)
def test_one_click_unsubscribe_from_an_edition_leaves_only_that_newsletter(smtp, settings):
    newsletter = make_newsletter()
    other = make_newsletter("Climate Weekly")
    (subscriber,) = make_recipients(newsletter, 1)
    Subscription.objects.create(subscriber=subscriber, newsletter=other)
    edition = make_edition(newsletter, articles=1)
    delivery.start(edition, by=make_sender())  # inline: the tests' task backend is immediate

    ((_, raw),) = smtp.messages
    message = email.message_from_bytes(raw, policy=email.policy.default)
    one_click = str(message["List-Unsubscribe"]).strip("<>")
    mail_provider = Client(enforce_csrf_checks=True)
    response = mail_provider.post(
        urlsplit(one_click).path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    still_on = subscriber.active_newsletter_ids()
    assert other.pk in still_on and newsletter.pk not in still_on
    assert Subscription.objects.get(subscriber=subscriber, newsletter=newsletter).left_at


@pytest.mark.django_db
@pytest.mark.parametrize("pipelining", [True, False], ids=["pipelined", "one-by-one"])
def test_550_answer_suppresses_the_subscriber_and_keeps_the_answer(smtp, send_now, pipelining):
    smtp.pipelining = pipelining
    newsletter = make_newsletter()
    gone, kept = make_recipients(newsletter, 2)
    smtp.answers[gone.email] = ["550 5.1.1 <gone> No such user here"]
    edition = make_edition(newsletter, articles=1)

    send_now(edition)

    assert smtp.copies() == {kept.email: 1}
    failed = Delivery.objects.get(subscriber=gone)
    assert failed.status == Delivery.Status.FAILED
    assert "550 5.1.1 <gone> No such user here" in failed.response
    gone.refresh_from_db()
    assert gone.status == Subscriber.Status.BOUNCED
    evidence = Suppression.objects.get(subscriber=gone)
    assert (evidence.source, evidence.reason) == ("smtp", "bounced")
    assert "No such user here" in evidence.detail
    assert status_of(edition) == Edition.Status.SENT


@pytest.mark.django_db
@pytest.mark.parametrize("pipelining", [True, False], ids=["pipelined", "one-by-one"])
def test_554_rejection_at_data_fails_the_delivery_and_suppresses_nobody(smtp, send_now, pipelining):
    smtp.pipelining = pipelining
    newsletter = make_newsletter()
    rejected, kept = make_recipients(newsletter, 2)
    smtp.data_answers[rejected.email] = ["554 5.7.1 Message rejected as spam"]
    edition = make_edition(newsletter, articles=1)

    send_now(edition)

    assert smtp.copies() == {kept.email: 1}
    failed = Delivery.objects.get(subscriber=rejected)
    assert (failed.status, failed.attempts) == (Delivery.Status.FAILED, 1)
    assert "554 5.7.1 Message rejected as spam" in failed.response
    rejected.refresh_from_db()
    assert rejected.status == Subscriber.Status.CONFIRMED
    assert not Suppression.objects.exists()
    assert status_of(edition) == Edition.Status.SENT


@pytest.mark.django_db
def test_send_pauses_when_the_provider_refuses_message_after_message(smtp, send_now, monkeypatch):
    monkeypatch.setattr(delivery, "REJECTIONS_TO_PAUSE", 3)
    newsletter = make_newsletter()
    recipients = make_recipients(newsletter, 5)
    for subscriber in recipients:
        smtp.data_answers[subscriber.email] = ["554 5.7.1 Rejected by policy"]
    edition = make_edition(newsletter, articles=1)

    send_now(edition)

    assert status_of(edition) == Edition.Status.PAUSED
    numbers = delivery.progress(edition)
    assert (numbers["failed"], numbers["remaining"]) == (3, 2)
    assert not Delivery.objects.filter(leased_until__isnull=False).exists()
    assert not Suppression.objects.exists()


@pytest.mark.django_db
def test_552_size_rejection_at_data_suppresses_nobody(smtp, send_now):
    newsletter = make_newsletter()
    (subscriber,) = make_recipients(newsletter, 1)
    smtp.data_answers[subscriber.email] = ["552 5.3.4 Message size exceeds fixed limit"]
    edition = make_edition(newsletter, articles=1)

    send_now(edition)

    assert Delivery.objects.get().status == Delivery.Status.FAILED
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert not Suppression.objects.exists()


@pytest.mark.django_db
def test_unknown_mailbox_answered_at_data_still_suppresses(smtp, send_now):
    newsletter = make_newsletter()
    (gone,) = make_recipients(newsletter, 1)
    smtp.data_answers[gone.email] = ["550 5.1.1 Mailbox does not exist"]
    edition = make_edition(newsletter, articles=1)

    send_now(edition)

    gone.refresh_from_db()
    assert gone.status == Subscriber.Status.BOUNCED
    assert "5.1.1 Mailbox does not exist" in Suppression.objects.get(subscriber=gone).detail


@pytest.mark.django_db
@pytest.mark.parametrize("pipelining", [True, False], ids=["pipelined", "one-by-one"])
def test_451_answer_is_retried_until_accepted(smtp, send_now, settings, pipelining):
    smtp.pipelining = pipelining
    settings.NEWSLETTER_DELIVERY_RETRY_DELAY = 0  # due again at once, within the same pass
    newsletter = make_newsletter()
    (greylisted,) = make_recipients(newsletter, 1)
    smtp.answers[greylisted.email] = ["451 4.7.1 Greylisted, try again", "451 4.7.1 Again"]
    edition = make_edition(newsletter, articles=1)

    send_now(edition)

    assert smtp.copies() == {greylisted.email: 1}
    sent = Delivery.objects.get()
    assert (sent.status, sent.attempts) == (Delivery.Status.SENT, 3)
    greylisted.refresh_from_db()
    assert greylisted.status == Subscriber.Status.CONFIRMED
    assert status_of(edition) == Edition.Status.SENT


@pytest.mark.django_db
def test_451_waits_for_its_retry_and_the_edition_is_not_marked_sent_meanwhile(
    smtp, send_now, settings
):
    settings.NEWSLETTER_DELIVERY_RETRY_DELAY = 60
    newsletter = make_newsletter()
    greylisted, other = make_recipients(newsletter, 2)
    smtp.answers[greylisted.email] = ["451 4.7.1 Greylisted, try again"]
    edition = make_edition(newsletter, articles=1)

    send_now(edition)

    waiting = Delivery.objects.get(subscriber=greylisted)
    assert (waiting.status, waiting.attempts) == (Delivery.Status.PENDING, 1)
    assert "451 4.7.1 Greylisted" in waiting.response
    assert status_of(edition) == Edition.Status.SENDING
    assert delivery.progress(edition)["remaining"] == 1

    Delivery.objects.filter(pk=waiting.pk).update(
        next_attempt_at=waiting.sent_at or waiting.next_attempt_at.replace(year=2000)
    )
    delivery.run(edition.pk)

    assert smtp.copies() == {greylisted.email: 1, other.email: 1}
    assert status_of(edition) == Edition.Status.SENT


@pytest.mark.django_db
@pytest.mark.parametrize("pipelining", [True, False], ids=["pipelined", "one-by-one"])
def test_refused_sender_is_retried_and_suppresses_nobody(smtp, send_now, settings, pipelining):
    smtp.pipelining = pipelining
    settings.NEWSLETTER_DELIVERY_RETRY_DELAY = 0
    newsletter = make_newsletter()
    (subscriber,) = make_recipients(newsletter, 1)
    smtp.mail_answers = ["550 5.7.1 Sender address rejected"]
    edition = make_edition(newsletter, articles=1)

    send_now(edition)

    assert smtp.copies() == {subscriber.email: 1}
    assert Delivery.objects.get().attempts == 2
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert not Suppression.objects.exists()


@pytest.fixture
def meanwhile(monkeypatch):
    """Run `change` while the server is handling each message: what another worker (or an
    admin) does between our claim and our recording of the answer."""

    def install(change):
        send = delivery.Transport.send

        def send_meanwhile(transport, sender, recipient, raw):
            change()
            return send(transport, sender, recipient, raw)

        monkeypatch.setattr(delivery.Transport, "send", send_meanwhile)

    return install


def taken_over_and_sent(subscriber):
    def change():
        Delivery.objects.filter(subscriber=subscriber).update(
            status=Delivery.Status.SENT, worker="other-host:1:abcd#1", response="250 theirs"
        )

    return change


@pytest.mark.django_db
@pytest.mark.parametrize(
    "answer", ["550 5.1.1 No such user", "554 5.7.1 Spam", "451 4.7.1 Try again", None]
)
def test_late_answer_after_a_lost_lease_never_overwrites_the_other_workers_result(
    smtp, send_now, meanwhile, answer
):
    newsletter = make_newsletter()
    (subscriber,) = make_recipients(newsletter, 1)
    if answer:
        smtp.answers[subscriber.email] = [answer]
    meanwhile(taken_over_and_sent(subscriber))
    edition = make_edition(newsletter, articles=1)

    send_now(edition)

    row = Delivery.objects.get()
    assert (row.status, row.response, row.worker) == (
        Delivery.Status.SENT,
        "250 theirs",
        "other-host:1:abcd#1",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("answer", ["550 5.1.1 No such user", "451 4.7.1 Try again"])
def test_subscriber_erased_mid_send_does_not_stop_the_batch(smtp, send_now, meanwhile, answer):
    newsletter = make_newsletter()
    erased, other = make_recipients(newsletter, 2)
    smtp.answers[erased.email] = [answer]
    meanwhile(lambda: Subscriber.objects.filter(pk=erased.pk).erase())
    edition = make_edition(newsletter, articles=1)

    send_now(edition)

    assert smtp.copies() == {other.email: 1}
    assert list(Delivery.objects.values_list("subscriber", "status")) == [
        (other.pk, Delivery.Status.SENT)
    ]
    assert not Suppression.objects.exists()
    assert status_of(edition) == Edition.Status.SENT


@pytest.mark.django_db
def test_dropped_connection_is_retried_not_lost(smtp, send_now, settings):
    settings.NEWSLETTER_DELIVERY_RETRY_DELAY = 0
    newsletter = make_newsletter()
    (subscriber,) = make_recipients(newsletter, 1)
    smtp.answers[subscriber.email] = ["421 4.3.2 Service shutting down"]
    edition = make_edition(newsletter, articles=1)

    send_now(edition)

    assert smtp.copies() == {subscriber.email: 1}
    assert Delivery.objects.get().attempts == 2


@pytest.mark.django_db(transaction=True)
def test_pause_then_resume_sends_everyone_exactly_once(smtp, workers):
    newsletter = make_newsletter()
    subscribers = make_recipients(newsletter, 200)
    edition = make_edition(newsletter, articles=2)
    editor = make_sender()
    workers(2, NEWSLETTER_SEND_RATE="80", NEWSLETTER_SEND_BATCH_SIZE="20")

    delivery.start(edition, by=editor)
    wait_until(lambda: sent_count(edition) >= 40, what="the first messages")
    delivery.pause(edition, by=editor)
    wait_until(
        lambda: (
            not Delivery.objects.filter(
                edition=edition, status=Delivery.Status.PENDING, leased_until__isnull=False
            ).exists()
        ),
        what="the workers to let go",
    )
    paused_at = len(smtp)

    assert paused_at == sent_count(edition) < 200
    assert status_of(edition) == Edition.Status.PAUSED

    delivery.resume(edition, by=editor)
    wait_until(lambda: status_of(edition) == Edition.Status.SENT, what="the send to finish")

    assert smtp.copies() == {subscriber.email: 1 for subscriber in subscribers}


@pytest.mark.django_db(transaction=True)
def test_cancel_stops_the_send_and_cancels_what_is_left(smtp, workers):
    newsletter = make_newsletter()
    make_recipients(newsletter, 200)
    edition = make_edition(newsletter, articles=2)
    editor = make_sender()
    pool = workers(2, NEWSLETTER_SEND_RATE="80", NEWSLETTER_SEND_BATCH_SIZE="20")

    delivery.start(edition, by=editor)
    wait_until(lambda: sent_count(edition) >= 20, what="the first messages")
    delivery.cancel(edition, by=editor)
    # Each worker notices within half a second, records what it has sent and stops.
    wait_until(
        lambda: not DBTaskResult.objects.filter(status="RUNNING").exists(),
        what="the workers to stop",
    )
    pool.stop()  # nothing queued may send anything more

    numbers = delivery.progress(edition)
    assert numbers["status"] == Edition.Status.CANCELLED
    assert numbers["remaining"] == 0
    assert numbers["sent"] + numbers["cancelled"] == 200
    assert numbers["sent"] == len(smtp) < 200
    assert max(smtp.copies().values()) == 1
    with pytest.raises(delivery.EditionError):
        delivery.resume(edition, by=editor)


@pytest.mark.django_db(transaction=True)
def test_send_rate_holds_across_two_workers(smtp, workers):
    newsletter = make_newsletter()
    make_recipients(newsletter, 60)
    edition = make_edition(newsletter, articles=1)
    workers(2, NEWSLETTER_SEND_RATE="30", NEWSLETTER_SEND_BATCH_SIZE="10")

    delivery.start(edition, by=make_sender())
    wait_until(lambda: status_of(edition) == Edition.Status.SENT, what="the send to finish")

    times = sorted(Delivery.objects.values_list("sent_at", flat=True))
    # 60 messages at 30 a second take at least 57 slots of 1/30 s, whichever worker sent them
    # (each worker reserves blocks of rate/10 slots; the first block can start at once).
    assert (times[-1] - times[0]).total_seconds() >= (60 - 3) / 30 - 0.05
