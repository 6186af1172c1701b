"""The crash test: db_worker processes SIGKILLed at random moments in the middle of a send."""

import io
import random
import signal
import time

import pytest
from django.core.management import call_command
from django.utils import timezone

from newsletter import delivery
from newsletter.models import Delivery, Edition
from tests.newsletter.sending import make_edition, make_newsletter, make_recipients, make_sender
from tests.newsletter.workers import smtp_fixture, wait_until, workers_fixture  # noqa: F401

KILLS = 6


def status_of(edition: Edition) -> str:
    return Edition.objects.values_list("status", flat=True).get(pk=edition.pk)


def cron() -> None:
    """What cron runs every minute: start due editions, give stalled sends a worker."""
    call_command("send_editions", stdout=io.StringIO())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_killed_workers_miss_no_one_and_repeat_at_most_one_message_per_kill(smtp, workers):
    newsletter = make_newsletter()
    subscribers = make_recipients(newsletter, 600)
    edition = make_edition(newsletter, articles=3)
    # Slow enough that every kill lands mid-send; a lost worker's lease runs out in 2 s.
    pool = workers(
        2,
        NEWSLETTER_SEND_RATE="100",
        NEWSLETTER_SEND_LEASE="2",
        NEWSLETTER_SEND_BATCH_SIZE="25",
    )
    chance = random.Random()

    last_cron = [time.monotonic()]

    def tick() -> None:
        """Cron, at most once a second: it revives a send whose every worker was killed."""
        if time.monotonic() - last_cron[0] > 1:
            last_cron[0] = time.monotonic()
            cron()

    def holding_a_lease() -> list:
        """The worker processes that are in the middle of a batch right now."""
        tick()
        leased = Delivery.objects.filter(
            status=Delivery.Status.PENDING, leased_until__gt=timezone.now()
        ).values_list("worker", flat=True)
        pids = {worker.split(":")[1] for worker in leased}
        return [process for process in pool.alive() if str(process.pid) in pids]

    delivery.start(edition, by=make_sender())
    kills = 0
    while kills < KILLS:
        # Let some messages go out since the last kill, then strike at a random moment.
        target = len(smtp) + chance.randint(5, 40)
        # Cron runs while we wait: when every worker holding the send was killed, only it
        # can hand the send to a fresh worker.
        wait_until(
            lambda t=target: (tick(), len(smtp) >= t)[1] and holding_a_lease(), what="sending"
        )
        time.sleep(chance.uniform(0, 0.2))
        victims = holding_a_lease()
        if not victims:
            continue
        chance.choice(victims).send_signal(signal.SIGKILL)
        kills += 1
        pool.start(1)
    assert status_of(edition) == Edition.Status.SENDING  # every kill was mid-send

    def finished() -> bool:
        time.sleep(1)
        cron()
        return status_of(edition) == Edition.Status.SENT

    wait_until(finished, timeout=120, what="the send to finish")

    copies = smtp.copies()
    assert set(copies) == {subscriber.email for subscriber in subscribers}  # nobody missed
    assert sum(count - 1 for count in copies.values()) <= kills
    assert not Delivery.objects.exclude(status=Delivery.Status.SENT).exists()
