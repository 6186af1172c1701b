"""Automatic digests: at a newsletter's time (daily, or weekly on a day, on the newsroom's
clock, settings.TIME_ZONE) an edition builds itself from the newest live stories, then either
sends by itself or waits as a draft for an editor. Nothing new, no edition.

Each digest is for one slot (Edition.digest_for, unique per newsletter), so running the builder
twice, from the task queue and the cron backstop at once, makes one edition."""

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import delivery, editions
from .models import Edition, Newsletter

logger = logging.getLogger(__name__)

# A slot missed by longer than this (the workers and cron were down) is skipped rather than
# sent late: yesterday's morning briefing is not news at teatime.
GRACE = timedelta(hours=2)


def _at(day, newsletter: Newsletter) -> datetime:
    naive = datetime.combine(day, newsletter.send_time)
    return timezone.make_aware(naive, timezone.get_default_timezone())


def last_slot(newsletter: Newsletter, now: datetime) -> datetime | None:
    """The newsletter's most recent digest time at or before `now`, or None (no cadence)."""
    if newsletter.cadence == Newsletter.Cadence.MANUAL or newsletter.send_time is None:
        return None
    today = timezone.localtime(now, timezone.get_default_timezone()).date()
    if newsletter.cadence == Newsletter.Cadence.WEEKLY:
        if newsletter.weekday is None:
            return None
        day = today - timedelta(days=(today.weekday() - newsletter.weekday) % 7)
        step = timedelta(days=7)
    else:
        day, step = today, timedelta(days=1)
    slot = _at(day, newsletter)
    return slot if slot <= now else _at(day - step, newsletter)


def next_slot(newsletter: Newsletter, now: datetime) -> datetime | None:
    slot = last_slot(newsletter, now)
    if slot is None:
        return None
    step = 7 if newsletter.cadence == Newsletter.Cadence.WEEKLY else 1
    return _at(timezone.localtime(slot).date() + timedelta(days=step), newsletter)


def build_digest(newsletter: Newsletter, *, now: datetime | None = None) -> Edition | None:
    """Build (and, if the newsletter says so, start sending) the digest for the slot that has
    just come. Returns the edition, or None: no slot due, already built, or nothing new."""
    now = now or timezone.now()
    slot = last_slot(newsletter, now)
    if slot is None or now - slot > GRACE or slot < newsletter.created_at:
        return None
    if newsletter.editions.filter(digest_for=slot).exists():
        return None
    try:
        with transaction.atomic():
            # The stories live at the slot's time: a run a few minutes late builds the same.
            edition = editions.build_from_latest(newsletter, now=slot, digest_for=slot)
    except editions.NothingNew:
        logger.info("No digest of %s for %s: nothing new.", newsletter.slug, slot)
        return None
    except IntegrityError:
        return None  # another builder made this slot's digest a moment ago
    if newsletter.digest_auto_send:
        try:
            delivery.start(edition, by=None)
        except delivery.EditionError:
            logger.exception(
                "The digest %s of %s could not start sending; it waits as a draft.",
                edition.pk,
                newsletter.slug,
            )
    return edition


def build_due(*, now: datetime | None = None) -> list[Edition]:
    """Every newsletter's digest whose time has come (the task and the cron command)."""
    now = now or timezone.now()
    built = []
    for newsletter in Newsletter.objects.exclude(cadence=Newsletter.Cadence.MANUAL):
        edition = build_digest(newsletter, now=now)
        if edition is not None:
            built.append(edition)
    return built


def next_run(*, now: datetime | None = None) -> datetime | None:
    """The earliest coming digest time over all newsletters."""
    now = now or timezone.now()
    slots = [
        next_slot(newsletter, now)
        for newsletter in Newsletter.objects.exclude(cadence=Newsletter.Cadence.MANUAL)
    ]
    slots = [slot for slot in slots if slot is not None]
    return min(slots) if slots else None
