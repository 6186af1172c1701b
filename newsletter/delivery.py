"""Sending an edition: what the admin, the digests and the cron command call.

The delivery rows are the whole truth of a send. Starting freezes the content and one row per
recipient (unique per edition and subscriber). Workers, any number on any machine, claim
batches of pending rows with a lease (`SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL; on
SQLite every write transaction takes the database's write lock first, `transaction_mode =
IMMEDIATE` in settings, so claims are serialised), send each over one SMTP connection, and
commit each result on its own as soon as the server has answered. So:

- a SIGKILLed worker loses nothing: its unsent rows stay pending and are claimed again when
  its lease runs out; only the one message the server had accepted but we had not yet recorded
  can go out twice (README, "The duplicate window");
- pause and resume never skip or repeat anyone: nothing counts positions, a row is pending
  until its own result is committed, and a sent row is never claimed again;
- nothing marks an edition sent while a row is pending (`_finish` checks under a lock).
"""

import logging
import os
import smtplib
import socket
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.db import connection, transaction
from django.db.models import Count, Exists, F, Min, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext

from articles.models import Article

from . import rendering, tasks
from .models import (
    Delivery,
    Edition,
    EditionArticle,
    SendThrottle,
    Subscriber,
    Subscription,
    Suppression,
)

logger = logging.getLogger(__name__)

SEND_PERMISSION = "newsletter.send_edition"
# A worker task hands over to a fresh task after this long, so other queued work (confirmation
# emails) is not held up behind a big send.
TASK_BUDGET_SECONDS = 300
# How often a worker looks at the edition's status (pause, cancel) while sending a batch.
STATUS_CHECK_SECONDS = 0.5
MAX_RETRY_DELAY = 6 * 3600
# A worker that sees this many messages in a row refused after DATA (554 spam or policy) pauses
# the send: the provider is rejecting the edition itself, and going on would only burn the
# sender's reputation. The editor resumes it once the cause is dealt with.
REJECTIONS_TO_PAUSE = 20


class EditionError(Exception):
    """An action on an edition was refused; the message is written for the editor."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _check_permission(by) -> None:
    """`by=None` is the site itself (a scheduled send or an automatic digest)."""
    if by is not None and not by.has_perm(SEND_PERMISSION):
        raise EditionError(gettext("You don't have permission to send newsletter editions."))


def _locked(edition: Edition) -> Edition:
    return Edition.objects.select_for_update().select_related("newsletter").get(pk=edition.pk)


def _copy_state(edition: Edition, fresh: Edition) -> None:
    for field in (
        "status",
        "scheduled_at",
        "started_at",
        "started_by_id",
        "finished_at",
        "html_template",
        "text_template",
        "recipient_count",
    ):
        setattr(edition, field, getattr(fresh, field))


def _state(edition: Edition) -> str:
    return edition.get_status_display().lower()


def drop_unpublished(edition: Edition) -> list[str]:
    """Remove the edition's articles that readers can no longer see; say which."""
    items = list(edition.items.select_related("article"))
    live = set(
        Article.objects.live()
        .filter(pk__in=[item.article_id for item in items])
        .values_list("pk", flat=True)
    )
    gone = [item for item in items if item.article_id not in live]
    EditionArticle.objects.filter(pk__in=[item.pk for item in gone]).delete()
    return [
        gettext("“%(headline)s” is no longer published, so it was left out.")
        % {"headline": item.article.headline}
        for item in gone
    ]


def schedule(edition: Edition, at: datetime, *, by) -> None:
    """Send the edition at `at` (a draft, or a scheduled edition moved to a new time)."""
    _check_permission(by)
    if at <= timezone.now():
        raise EditionError(gettext("Choose a time in the future, or send the edition now."))
    with transaction.atomic():
        locked = _locked(edition)
        if locked.status not in (Edition.Status.DRAFT, Edition.Status.SCHEDULED):
            raise EditionError(
                gettext("This edition is %(status)s; it can't be scheduled.")
                % {"status": _state(locked)}
            )
        if not rendering.live_items(locked):
            raise EditionError(gettext("The edition has no live articles. Add at least one story."))
        locked.status = Edition.Status.SCHEDULED
        locked.scheduled_at = at
        locked.started_by = by  # who asked for it; the send itself starts at `at`
        locked.save(update_fields=["status", "scheduled_at", "started_by", "updated_at"])
        task = tasks.start_scheduled_edition
        if task.get_backend().supports_defer:
            transaction.on_commit(lambda: task.using(run_after=at).enqueue(edition.pk))
    _copy_state(edition, locked)


def start(edition: Edition, *, by) -> list[str]:
    """Freeze the content and the recipients and queue the workers. Returns notes for the
    editor (articles left out because they are no longer live); refuses with EditionError
    when the edition is not a draft or scheduled, has no live article or no recipient."""
    _check_permission(by)
    now = timezone.now()
    with transaction.atomic():
        locked = _locked(edition)
        if locked.status not in (Edition.Status.DRAFT, Edition.Status.SCHEDULED):
            raise EditionError(
                gettext("This edition is %(status)s; it can't be sent again.")
                % {"status": _state(locked)}
            )
        notes = drop_unpublished(locked)
        articles = rendering.live_items(locked)
        if not articles:
            raise EditionError(
                " ".join(
                    [*notes, gettext("The edition has no live articles. Add at least one story.")]
                )
            )
        rendered = rendering.render(locked, articles)
        recipients = _freeze_recipients(locked, now)
        if not recipients:
            raise EditionError(
                gettext(
                    "Nobody is subscribed to %(newsletter)s yet, so there is no one to send it to."
                )
                % {"newsletter": locked.newsletter.name}
            )
        locked.status = Edition.Status.SENDING
        locked.started_at = now
        locked.started_by = by or locked.started_by
        locked.html_template = rendered.html
        locked.text_template = rendered.text
        locked.subject = rendered.subject
        locked.preheader = rendered.preheader
        locked.recipient_count = recipients
        locked.save()
        transaction.on_commit(lambda: queue_workers(locked.pk))
    _copy_state(edition, locked)
    return notes


def _freeze_recipients(edition: Edition, now: datetime) -> int:
    """One pending delivery per confirmed subscriber of the newsletter, in one statement
    (INSERT … SELECT: a hundred thousand rows in well under a second)."""
    delivery = Delivery._meta.db_table
    subscriber = Subscriber._meta.db_table
    subscription = Subscription._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {delivery}
                (edition_id, subscriber_id, status, attempts, next_attempt_at, worker, response)
            SELECT %s, s.id, %s, 0, %s, '', ''
            FROM {subscriber} s JOIN {subscription} m ON m.subscriber_id = s.id
            WHERE m.newsletter_id = %s AND m.left_at IS NULL AND s.status = %s
            ON CONFLICT (edition_id, subscriber_id) DO NOTHING
            """,
            [
                edition.pk,
                Delivery.Status.PENDING,
                connection.ops.adapt_datetimefield_value(now),
                edition.newsletter_id,
                Subscriber.Status.CONFIRMED,
            ],
        )
    return Delivery.objects.filter(edition=edition).count()


def queue_workers(edition_id: int, count: int | None = None) -> None:
    for _ in range(count or settings.NEWSLETTER_SEND_WORKERS):
        tasks.deliver_edition.enqueue(edition_id)


def pause(edition: Edition, *, by) -> None:
    """Workers stop within a moment (they look every STATUS_CHECK_SECONDS) and give back
    what they had claimed; every row keeps its own state, so resuming skips no one."""
    _check_permission(by)
    with transaction.atomic():
        locked = _locked(edition)
        if locked.status != Edition.Status.SENDING:
            raise EditionError(
                gettext("This edition is %(status)s; only a send can be paused.")
                % {"status": _state(locked)}
            )
        locked.status = Edition.Status.PAUSED
        locked.save(update_fields=["status", "updated_at"])
    _copy_state(edition, locked)


def resume(edition: Edition, *, by) -> None:
    _check_permission(by)
    with transaction.atomic():
        locked = _locked(edition)
        if locked.status != Edition.Status.PAUSED:
            raise EditionError(
                gettext("This edition is %(status)s; only a paused one resumes.")
                % {"status": _state(locked)}
            )
        locked.status = Edition.Status.SENDING
        locked.save(update_fields=["status", "updated_at"])
        transaction.on_commit(lambda: queue_workers(locked.pk))
    _copy_state(edition, locked)


def cancel(edition: Edition, *, by) -> None:
    """A scheduled edition goes back to being a draft; a send (running or paused) stops for
    good, its unsent deliveries marked cancelled."""
    _check_permission(by)
    now = timezone.now()
    with transaction.atomic():
        locked = _locked(edition)
        if locked.status == Edition.Status.SCHEDULED:
            locked.status = Edition.Status.DRAFT
            locked.scheduled_at = None
        elif locked.status in (Edition.Status.SENDING, Edition.Status.PAUSED):
            locked.status = Edition.Status.CANCELLED
            locked.finished_at = now
            Delivery.objects.filter(edition=locked, status=Delivery.Status.PENDING).update(
                status=Delivery.Status.CANCELLED, leased_until=None
            )
        else:
            raise EditionError(
                gettext("This edition is %(status)s; there is nothing to cancel.")
                % {"status": _state(locked)}
            )
        locked.save(update_fields=["status", "scheduled_at", "finished_at", "updated_at"])
    _copy_state(edition, locked)


def progress(edition: Edition, now: datetime | None = None) -> dict:
    """Numbers for the progress panel: counts by status, the recent rate (messages per second
    over the last half minute) and the time left at that rate."""
    now = now or timezone.now()
    fresh = Edition.objects.values("status", "started_at", "finished_at").get(pk=edition.pk)
    deliveries = Delivery.objects.filter(edition_id=edition.pk)
    counts = dict(deliveries.values_list("status").annotate(n=Count("pk")).order_by())
    total = sum(counts.values())
    remaining = counts.get(Delivery.Status.PENDING, 0)
    sent = counts.get(Delivery.Status.SENT, 0)
    rate = 0.0
    started, finished = fresh["started_at"], fresh["finished_at"]
    if fresh["status"] == Edition.Status.SENDING and started:
        window = min(30.0, max((now - started).total_seconds(), 1.0))
        recent = deliveries.filter(
            status=Delivery.Status.SENT, sent_at__gte=now - timedelta(seconds=window)
        ).count()
        rate = recent / window
    elif started and finished and finished > started:
        rate = sent / (finished - started).total_seconds()
    eta = None
    if remaining == 0:
        eta = 0
    elif rate > 0 and fresh["status"] == Edition.Status.SENDING:
        eta = round(remaining / rate)
    if total:
        percent = round(100 * (total - remaining) / total, 1)
    else:
        percent = 100.0 if fresh["status"] == Edition.Status.SENT else 0.0
    return {
        "status": fresh["status"],
        "total": total,
        "sent": sent,
        "failed": counts.get(Delivery.Status.FAILED, 0),
        "skipped": counts.get(Delivery.Status.SKIPPED, 0),
        "cancelled": counts.get(Delivery.Status.CANCELLED, 0),
        "remaining": remaining,
        "rate": round(rate, 1),
        "eta_seconds": eta,
        "percent": percent,
    }


# The backstop (cron `send_editions`, and the task queued for a scheduled time).


def start_due(now: datetime | None = None, *, edition_ids: list[int] | None = None) -> list[int]:
    """Start the scheduled editions whose time has come. One that can no longer be sent (no
    live article, no recipient) goes back to draft, with the reason in the log."""
    now = now or timezone.now()
    due = Edition.objects.filter(status=Edition.Status.SCHEDULED, scheduled_at__lte=now)
    if edition_ids is not None:
        due = due.filter(pk__in=edition_ids)
    started = []
    for edition in due:
        try:
            start(edition, by=None)
        except EditionError as error:
            logger.warning("Scheduled edition %s was not sent: %s", edition.pk, error.message)
            Edition.objects.filter(pk=edition.pk, status=Edition.Status.SCHEDULED).update(
                status=Edition.Status.DRAFT
            )
        else:
            started.append(edition.pk)
    return started


def recover(now: datetime | None = None) -> list[int]:
    """Keep every send going whatever happened to its workers. The task queue cannot tell a
    killed worker's task from a running one (it stays RUNNING), so the deliveries decide: a
    send with rows due and no live lease at all gets a fresh worker task; one with nothing
    pending is finished. (Rows waiting for a retry have a task queued for their time.) An
    extra worker is harmless: claims never overlap."""
    now = now or timezone.now()
    revived = []
    for edition_id in Edition.objects.filter(status=Edition.Status.SENDING).values_list(
        "pk", flat=True
    ):
        pending = Delivery.objects.filter(edition_id=edition_id, status=Delivery.Status.PENDING)
        numbers = pending.aggregate(
            n=Count("pk"),
            leased=Count("pk", filter=Q(leased_until__gt=now)),
            due=Count("pk", filter=Q(next_attempt_at__lte=now)),
        )
        if not numbers["n"]:
            _finish(edition_id)
        elif numbers["due"] and not numbers["leased"]:
            queue_workers(edition_id, 1)
            revived.append(edition_id)
    return revived


def _finish(edition_id: int) -> bool:
    """Mark the send complete if, and only if, no delivery is pending."""
    with transaction.atomic():
        edition = Edition.objects.select_for_update().get(pk=edition_id)
        if edition.status != Edition.Status.SENDING:
            return False
        if Delivery.objects.filter(edition_id=edition_id, status=Delivery.Status.PENDING).exists():
            return False
        edition.status = Edition.Status.SENT
        edition.finished_at = timezone.now()
        edition.save(update_fields=["status", "finished_at", "updated_at"])
    return True


# The worker.


def run(edition_id: int, *, budget: float | None = None) -> str:
    """Send the edition's pending deliveries until none is left to claim (or `budget` seconds
    have passed, when a fresh task takes over). Called by the `deliver_edition` task."""
    return Sender(edition_id).run(budget)


def _real_queue() -> bool:
    """Whether tasks go through a queue that can run them later (not inline)."""
    return tasks.deliver_edition.get_backend().supports_defer


class Refused(Exception):
    """The SMTP server answered a command with an error code; `phase` says which command
    ("mail", "rcpt" or "data": the DATA command or the end of the message)."""

    def __init__(self, code: int, answer: bytes | str, *, phase: str):
        self.code = code
        self.answer = answer.decode(errors="replace") if isinstance(answer, bytes) else answer
        self.phase = phase
        super().__init__(f"{code} {self.answer}")

    @property
    def permanent(self) -> bool:
        """A 5xx about the recipient or the message. A refused sender (MAIL FROM) is our
        configuration's fault, never the subscriber's: it is retried, nobody suppressed."""
        return 500 <= self.code < 600 and self.phase != "mail"

    @property
    def bounce(self) -> bool:
        """A permanent refusal of the address itself: a 5xx to RCPT, or at DATA an enhanced
        status 5.1.x (bad destination mailbox; RFC 3463), which is about our one recipient
        since every transaction has one. Any other 5xx at DATA (554 policy or spam, 552
        size) refuses the message, not the subscriber: suppressing on it would unsubscribe
        everyone at a provider that rejected one edition."""
        if not self.permanent:
            return False
        return self.phase == "rcpt" or self.answer.startswith("5.1.")


class Transport:
    """One connection for a batch: Django's SMTP backend opens it (host, port, TLS, login and
    timeout from the EMAIL_* settings), then each message goes through MAIL, RCPT and DATA so
    that every answer is kept. Any other configured backend (console, file, locmem) gets the
    same bytes through its send_messages."""

    def __init__(self):
        self.backend = get_connection()
        self.smtp = None
        self.pipelining = False

    def open(self) -> None:
        self.backend.open()
        if isinstance(self.backend, SMTPBackend):
            self.smtp = self.backend.connection
            self.smtp.ehlo_or_helo_if_needed()
            self.pipelining = self.smtp.has_extn("pipelining")

    def send(self, sender: str, recipient: str, raw: bytes) -> str:
        if self.smtp is None:
            self.backend.send_messages([rendering.PrebuiltEmail(raw, to=recipient)])
            return f"accepted by {type(self.backend).__module__}"
        if self.pipelining:
            return self._send_pipelined(sender, recipient, raw)
        code, answer = self.smtp.mail(sender)
        if code != 250:
            self._reset()
            raise Refused(code, answer, phase="mail")
        code, answer = self.smtp.rcpt(recipient)
        if code not in (250, 251):
            self._reset()
            raise Refused(code, answer, phase="rcpt")
        try:
            code, answer = self.smtp.data(raw)
        except smtplib.SMTPDataError as error:
            self._reset()
            raise Refused(error.smtp_code, error.smtp_error, phase="data") from error
        if code != 250:
            self._reset()
            raise Refused(code, answer, phase="data")
        return f"{code} {answer.decode(errors='replace')}"

    def _send_pipelined(self, sender: str, recipient: str, raw: bytes) -> str:
        """RFC 2920: MAIL, RCPT and DATA in one write, then the content: two round trips
        per message instead of four."""
        self.smtp.send(f"MAIL FROM:<{sender}>\r\nRCPT TO:<{recipient}>\r\nDATA\r\n".encode("ascii"))
        mail, rcpt, data = self.smtp.getreply(), self.smtp.getreply(), self.smtp.getreply()
        refusal = next(
            (
                (reply, phase)
                for reply, phase, ok in ((mail, "mail", (250,)), (rcpt, "rcpt", (250, 251)))
                if reply[0] not in ok
            ),
            None,
        )
        if refusal is not None or data[0] != 354:
            if data[0] == 354:  # a server that took DATA anyway: end it empty
                self.smtp.send(b".\r\n")
                self.smtp.getreply()
            self._reset()
            reply, phase = refusal or (data, "data")
            raise Refused(*reply, phase=phase)
        # Dot-stuffing (RFC 5321 4.5.2); the message ends with CRLF already.
        self.smtp.send(raw.replace(b"\r\n.", b"\r\n..") + b".\r\n")
        code, answer = self.smtp.getreply()
        if code != 250:
            self._reset()
            raise Refused(code, answer, phase="data")
        return f"{code} {answer.decode(errors='replace')}"

    def _reset(self) -> None:
        self.smtp.rset()

    def close(self) -> None:
        try:
            self.backend.close()
        except (smtplib.SMTPException, OSError):
            logger.info("Closing the SMTP connection failed", exc_info=True)


class Throttle:
    """NEWSLETTER_SEND_RATE for the whole site. Workers reserve blocks of consecutive sending
    slots from one database row (under its lock), then send each message in its own slot:
    reserved blocks never overlap, so the rate holds across workers and machines."""

    def __init__(self, rate: int):
        self.rate = rate
        self.left = 0
        self.next_at = 0.0

    def wait(self) -> None:
        if self.rate <= 0:
            return
        interval = 1 / self.rate
        if self.left and self.next_at < time.time() - interval:
            self.left = 0  # the slots passed while we were not sending
        if not self.left:
            self.left = max(1, min(self.rate // 10, 100))
            self.next_at = self._reserve(self.left, interval)
        delay = self.next_at - time.time()
        if delay > 0:
            time.sleep(delay)
        self.next_at += interval
        self.left -= 1

    @staticmethod
    def _reserve(count: int, interval: float) -> float:
        with transaction.atomic():
            clock = SendThrottle.objects.select_for_update().filter(name="site").first()
            if clock is None:
                SendThrottle.objects.get_or_create(name="site")
                clock = SendThrottle.objects.select_for_update().get(name="site")
            begin = max(clock.next_slot, time.time())
            SendThrottle.objects.filter(pk=clock.pk).update(next_slot=begin + count * interval)
        return begin


@contextmanager
def _cheap_commits():
    """On PostgreSQL, commit each result without waiting for the WAL to reach the disk. A
    killed worker loses nothing by it (the commit is already in the server's memory); only a
    crash of the database server itself could forget the last fraction of a second of results,
    which would then be sent again (README, "The duplicate window")."""
    if connection.vendor != "postgresql" or not settings.NEWSLETTER_ASYNC_COMMIT:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


class Sender:
    """One worker's pass over an edition."""

    def __init__(self, edition_id: int):
        self.edition_id = edition_id
        self.name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:90]
        self.claims = 0
        self.template: rendering.MessageTemplate | None = None
        self.throttle = Throttle(settings.NEWSLETTER_SEND_RATE)
        self.newsletter_id = None
        self.sent = 0
        self.rejected_in_a_row = 0
        self.next_status_check = 0.0
        table = Delivery._meta.db_table
        # Only while our claim holds the row (see _mine); a row cancelled while the server
        # was taking the message did go out, so it is recorded as sent.
        self.sent_sql = (
            f"UPDATE {table} SET status = %s, sent_at = %s, attempts = attempts + 1, "
            f"response = %s, leased_until = NULL "
            f"WHERE id = %s AND worker = %s AND status IN (%s, %s)"
        )

    def run(self, budget: float | None = None) -> str:
        deadline = time.monotonic() + budget if budget and _real_queue() else None
        with _cheap_commits():
            while True:
                status = self._status()
                if status != Edition.Status.SENDING:
                    return f"stopped: the edition is {status} ({self.sent} sent)"
                batch = self._claim()
                if not batch:
                    break
                self._send(batch)
                if deadline is not None and time.monotonic() > deadline:
                    queue_workers(self.edition_id, 1)
                    return f"handed over ({self.sent} sent)"
        if _finish(self.edition_id):
            return f"finished ({self.sent} sent)"
        self._queue_successor()
        return f"nothing to claim now ({self.sent} sent)"

    def _status(self) -> str | None:
        self.next_status_check = time.monotonic() + STATUS_CHECK_SECONDS
        return Edition.objects.filter(pk=self.edition_id).values_list("status", flat=True).first()

    def _claim(self) -> list[tuple]:
        """Lease up to a batch of due, unleased rows (or rows whose lease ran out)."""
        self.claims += 1
        self.token = f"{self.name}#{self.claims}"
        now = timezone.now()
        free = Q(leased_until__isnull=True) | Q(leased_until__lt=now)
        with transaction.atomic():
            candidates = list(
                Delivery.objects.select_for_update(skip_locked=True)
                .filter(free, edition_id=self.edition_id, status=Delivery.Status.PENDING)
                .filter(next_attempt_at__lte=now)
                .order_by("pk")
                .values_list("pk", "leased_until")[: settings.NEWSLETTER_SEND_BATCH_SIZE]
            )
            if not candidates:
                return []
            ids = [pk for pk, _ in candidates]
            Delivery.objects.filter(free, pk__in=ids).update(
                worker=self.token,
                leased_until=now + timedelta(seconds=settings.NEWSLETTER_SEND_LEASE),
            )
        self.renew_at = time.monotonic() + settings.NEWSLETTER_SEND_LEASE / 3
        if any(leased for _, leased in candidates) and _real_queue():
            # These rows were held by a worker that died (or stalled past its lease): replace
            # it, so the send keeps its parallelism.
            logger.warning("Edition %s: took over deliveries of a lost worker", self.edition_id)
            queue_workers(self.edition_id, 1)
        if self.newsletter_id is None:
            self.newsletter_id = Edition.objects.values_list("newsletter_id", flat=True).get(
                pk=self.edition_id
            )
        subscribed = Subscription.objects.filter(
            subscriber_id=OuterRef("subscriber_id"),
            newsletter_id=self.newsletter_id,
            left_at__isnull=True,
        )
        rows = list(
            Delivery.objects.filter(pk__in=ids, worker=self.token, status=Delivery.Status.PENDING)
            .annotate(subscribed=Exists(subscribed))
            .order_by("pk")
            .values_list(
                "pk", "subscriber_id", "subscriber__email", "subscriber__status", "subscribed"
            )
        )
        gone = [row[0] for row in rows if row[3] != Subscriber.Status.CONFIRMED or not row[4]]
        if gone:
            Delivery.objects.filter(pk__in=gone).update(
                status=Delivery.Status.SKIPPED,
                leased_until=None,
                response="Unsubscribed, left the newsletter or suppressed before their turn.",
            )
        return [row[:3] for row in rows if row[0] not in gone]

    def _template(self) -> rendering.MessageTemplate:
        if self.template is None:
            edition = Edition.objects.select_related("newsletter").get(pk=self.edition_id)
            self.template = rendering.MessageTemplate(edition)
        return self.template

    def _send(self, rows: list[tuple]) -> None:
        template = self._template()
        transport = Transport()
        try:
            transport.open()
        except (smtplib.SMTPException, OSError) as error:
            logger.warning("Edition %s: cannot connect to send: %s", self.edition_id, error)
            self._delay([pk for pk, _, _ in rows], f"Could not connect: {error}")
            return
        owned = None
        try:
            with connection.cursor() as cursor:
                for index, (pk, subscriber_id, address) in enumerate(rows):
                    if (
                        time.monotonic() >= self.next_status_check
                        and self._status() != Edition.Status.SENDING
                    ):
                        self._release([row[0] for row in rows[index:]])
                        return
                    if time.monotonic() >= self.renew_at:
                        owned = self._renew([row[0] for row in rows[index:]])
                    if owned is not None and pk not in owned:
                        continue  # our lease ran out and another worker has it now
                    self.throttle.wait()
                    try:
                        recipient = (
                            address if address.isascii() else sanitize_address(address, "utf-8")
                        )
                        raw = template.build(pk, subscriber_id, address)
                    except (ValueError, UnicodeError) as error:
                        self._failed(pk, f"Address cannot be used: {error}")
                        continue
                    try:
                        answer = transport.send(template.envelope_from, recipient, raw)
                    except Refused as refused:
                        if refused.bounce:
                            self._bounced(pk, subscriber_id, address, str(refused))
                            continue
                        if refused.permanent:
                            self._failed(pk, f"Message refused: {refused}", attempted=True)
                            self.rejected_in_a_row += 1
                            if self.rejected_in_a_row >= REJECTIONS_TO_PAUSE:
                                self._pause_for_rejections(refused)
                                self._release([row[0] for row in rows[index + 1 :]])
                                return
                            continue
                        self._retry(pk, str(refused))
                        if refused.code == 421:  # the server is closing the connection
                            self._release([row[0] for row in rows[index + 1 :]])
                            return
                        continue
                    except (smtplib.SMTPException, OSError) as error:
                        # The connection dropped: whether the server kept this message is
                        # unknown, so it is retried (the duplicate window); the rest of the
                        # batch goes back to the pool for a fresh connection.
                        self._retry(pk, f"Connection lost: {error!r}")
                        self._release([row[0] for row in rows[index + 1 :]])
                        return
                    cursor.execute(
                        self.sent_sql,
                        [
                            Delivery.Status.SENT,
                            connection.ops.adapt_datetimefield_value(timezone.now()),
                            answer[:500],
                            pk,
                            self.token,
                            Delivery.Status.PENDING,
                            Delivery.Status.CANCELLED,
                        ],
                    )
                    self.sent += 1
                    self.rejected_in_a_row = 0
        finally:
            transport.close()

    def _pause_for_rejections(self, refused: Refused) -> None:
        paused = Edition.objects.filter(pk=self.edition_id, status=Edition.Status.SENDING).update(
            status=Edition.Status.PAUSED, updated_at=timezone.now()
        )
        if paused:
            logger.warning(
                "Edition %s paused: %s messages in a row refused after DATA, the last with %s",
                self.edition_id,
                self.rejected_in_a_row,
                refused,
            )

    def _renew(self, ids: list[int]) -> set[int]:
        now = timezone.now()
        mine = Delivery.objects.filter(
            pk__in=ids, worker=self.token, status=Delivery.Status.PENDING
        )
        mine.update(leased_until=now + timedelta(seconds=settings.NEWSLETTER_SEND_LEASE))
        self.renew_at = time.monotonic() + settings.NEWSLETTER_SEND_LEASE / 3
        return set(mine.values_list("pk", flat=True))

    def _release(self, ids: list[int]) -> None:
        Delivery.objects.filter(
            pk__in=ids, worker=self.token, status=Delivery.Status.PENDING
        ).update(leased_until=None)

    def _delay(self, ids: list[int], response: str) -> None:
        """Nothing was attempted (no connection): try these again later without counting."""
        Delivery.objects.filter(
            pk__in=ids, worker=self.token, status=Delivery.Status.PENDING
        ).update(
            leased_until=None,
            next_attempt_at=timezone.now()
            + timedelta(seconds=settings.NEWSLETTER_DELIVERY_RETRY_DELAY),
            response=response[:4000],
        )

    def _retry(self, pk: int, response: str) -> None:
        """A transient failure (4xx, dropped connection): back off exponentially; after
        NEWSLETTER_DELIVERY_MAX_ATTEMPTS it is recorded as failed, never silently dropped."""
        delivery = self._mine(pk).first()
        if delivery is None:
            return  # erased meanwhile, or another worker took it over after our lease ran out
        attempts = delivery.attempts + 1
        if attempts >= settings.NEWSLETTER_DELIVERY_MAX_ATTEMPTS:
            self._mine(pk).update(
                status=Delivery.Status.FAILED,
                attempts=attempts,
                leased_until=None,
                response=f"Gave up after {attempts} attempts. Last answer: {response}"[:4000],
            )
            return
        delay = min(settings.NEWSLETTER_DELIVERY_RETRY_DELAY * 2 ** (attempts - 1), MAX_RETRY_DELAY)
        self._mine(pk).update(
            attempts=attempts,
            leased_until=None,
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
            response=response[:4000],
        )

    def _failed(self, pk: int, response: str, *, attempted: bool = False) -> None:
        """A failure that is not the subscriber's (a message refused at DATA, an unusable
        address): recorded with the answer, nobody suppressed."""
        self._mine(pk).update(
            status=Delivery.Status.FAILED,
            attempts=F("attempts") + int(attempted),
            leased_until=None,
            response=response[:4000],
        )

    def _bounced(self, pk: int, subscriber_id: int, address: str, response: str) -> None:
        """A permanent refusal (5xx): the delivery fails and the subscriber is suppressed as
        bounced, the server's answer kept as the evidence."""
        with transaction.atomic():
            self._mine(pk).update(
                status=Delivery.Status.FAILED,
                attempts=F("attempts") + 1,
                leased_until=None,
                response=response[:4000],
            )
            subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
            if subscriber is not None:  # not erased meanwhile
                subscriber.suppress(Suppression.Reason.BOUNCED, source="smtp", detail=response)

    def _mine(self, pk: int):
        """The row, only while this claim still holds it: after a lost lease another worker
        may have recorded it (sent, say), and a late answer of ours must not overwrite that."""
        return Delivery.objects.filter(pk=pk, worker=self.token, status=Delivery.Status.PENDING)

    def _queue_successor(self) -> None:
        """Pending rows remain but none can be claimed now (another worker holds them, or
        they wait for a retry): come back when the first of them frees up."""
        if not _real_queue():
            return
        now = timezone.now()
        numbers = Delivery.objects.filter(
            edition_id=self.edition_id, status=Delivery.Status.PENDING
        ).aggregate(
            leased=Min("leased_until", filter=Q(leased_until__gte=now)),
            waiting=Min(
                "next_attempt_at", filter=Q(leased_until__isnull=True) | Q(leased_until__lt=now)
            ),
        )
        times = [value for value in numbers.values() if value is not None]
        if not times:
            return
        at = max(min(times), now + timedelta(seconds=1))
        tasks.deliver_edition.using(run_after=at).enqueue(self.edition_id)
