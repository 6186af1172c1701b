"""Background work for the newsletter, run by the task worker (`manage.py db_worker`)."""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .emails import confirmation_message
from .models import SignupRequest, Subscriber

logger = logging.getLogger(__name__)


def _services():
    """The sending and digest services, for the entry points below.

    The app's one deferred import: delivery and digests queue these tasks, so they import
    this module at the top, and these tasks run them. The tasks stay registered here (queued
    jobs store their dotted path), so the import of the services waits for the first call.
    """
    from . import delivery, digests

    return delivery, digests


@task()
def record_signup(request_id: int) -> str:
    """Apply a stored signup and queue its confirmation (see models.SignupRequest).

    The request only stored and queued it, whatever the address's state, so a new, pending,
    confirmed or unsubscribed address takes the same time to answer. Here the state decides:
    a confirmed address gets no email.
    """
    with transaction.atomic():
        signup = SignupRequest.objects.select_for_update().filter(pk=request_id).first()
        if signup is None:
            return "skipped: already recorded"
        subscriber, send = Subscriber.sign_up(
            signup.email,
            terms=signup.terms,
            page_url=signup.page_url,
            client_network=signup.client_network,
            source=signup.source,
        )
        signup.delete()
    if not send:
        return "recorded"
    try:
        send_confirmation.enqueue(subscriber.pk)
    except Exception:
        # Let a later signup claim the slot again rather than wait out the resend interval.
        subscriber.release_confirmation_slot()
        raise
    return "recorded, confirmation queued"


@task()
def send_confirmation(subscriber_id: int, attempt: int = 1) -> str:
    """Send the double opt-in email. The task carries only the subscriber's id, so no
    address sits in the queue. A failed send is retried with exponential backoff
    (NEWSLETTER_SEND_RETRY_DELAY × 2ⁿ) up to NEWSLETTER_SEND_MAX_ATTEMPTS; each failed attempt
    is still recorded as a failed task result with its traceback."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or subscriber.status != Subscriber.Status.PENDING:
        return "skipped: no longer pending"
    try:
        confirmation_message(subscriber).send()
    except (smtplib.SMTPException, OSError):
        if attempt >= settings.NEWSLETTER_SEND_MAX_ATTEMPTS:
            logger.exception(
                "Confirmation email to subscriber %s failed; giving up after %s attempts.",
                subscriber_id,
                attempt,
            )
            raise
        delay = settings.NEWSLETTER_SEND_RETRY_DELAY * 2 ** (attempt - 1)
        logger.warning(
            "Confirmation email to subscriber %s failed (attempt %s); retrying in %ss.",
            subscriber_id,
            attempt,
            delay,
            exc_info=True,
        )
        retry = send_confirmation
        if retry.get_backend().supports_defer:
            retry = retry.using(run_after=timezone.now() + timedelta(seconds=delay))
        retry.enqueue(subscriber_id, attempt + 1)
        raise
    return "sent"


def queue_confirmation(subscriber: Subscriber) -> None:
    """Queue the confirmation email for a subscriber who has claimed the slot for it."""
    try:
        send_confirmation.enqueue(subscriber.pk)
    except Exception:
        # The subscriber is already committed; let the next attempt queue the email again.
        logger.exception("Could not queue the confirmation for subscriber %s.", subscriber.pk)
        subscriber.release_confirmation_slot()


@task()
def deliver_edition(edition_id: int) -> str:
    """One worker's share of an edition's send: claim batches, send, record each result.
    Several run at once (NEWSLETTER_SEND_WORKERS), on as many `db_worker` processes."""
    delivery, _ = _services()
    return delivery.run(edition_id, budget=delivery.TASK_BUDGET_SECONDS)


@task()
def start_scheduled_edition(edition_id: int) -> list[int]:
    """Queued for an edition's scheduled time; `manage.py send_editions` is the backstop."""
    delivery, _ = _services()
    return delivery.start_due(edition_ids=[edition_id])


@task()
def build_digests() -> int:
    """Build every digest whose time has come, then queue this task for the next digest
    time. The chain keeps itself going; `manage.py build_digests` from cron is the backstop."""
    _, digests = _services()
    built = digests.build_due()
    schedule_digests()
    return len(built)


def schedule_digests(now=None) -> None:
    """Queue build_digests for the next digest time, once per time (a newsletter saved twice,
    or two chains meeting, queue one run). Backends that cannot defer rely on the cron."""
    _, digests = _services()
    at = digests.next_run(now=now)
    if at is None or not build_digests.get_backend().supports_defer:
        return
    seconds_left = max(int((at - timezone.now()).total_seconds()), 0)
    if not cache.add(f"newsletter:digest-run:{at.isoformat()}", 1, timeout=seconds_left + 60):
        return
    build_digests.using(run_after=at).enqueue()
