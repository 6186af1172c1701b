"""Automatic digests at their time on the newsroom's clock, with the clock moved."""

import datetime
import zoneinfo

import pytest
from django.core.management import call_command

from newsletter import digests
from newsletter.models import Edition, Newsletter, Subscriber
from tests.factories import make_article, make_subscriber

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A time in November 2026 on the newsroom's clock (Europe/London in the settings)."""
    return datetime.datetime(2026, 11, day, hour, minute, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def london(settings):
    settings.TIME_ZONE = "Europe/London"


@pytest.fixture
def morning(clock):
    clock.move_to(at(1, 12))
    return Newsletter.objects.create(
        name="Morning Digest",
        slug="morning",
        cadence=Newsletter.Cadence.DAILY,
        send_time=datetime.time(7, 0),
        created_at=at(1, 12),
    )


@pytest.fixture
def readers(terms, morning):
    readers = [make_subscriber(status=Subscriber.Status.CONFIRMED) for _ in range(2)]
    for reader in readers:
        reader.join(morning)
    return readers


def test_daily_digest_builds_itself_at_its_time_as_a_draft(clock, morning):
    clock.move_to(at(2, 6))
    story = make_article("Overnight storm")

    clock.move_to(at(2, 6, 59))
    assert digests.build_due() == []
    clock.move_to(at(2, 7, 1))
    built = digests.build_due()

    assert [edition.digest_for for edition in built] == [at(2, 7)]
    edition = built[0]
    assert edition.status == Edition.Status.DRAFT
    assert [item.article for item in edition.items.all()] == [story]


def test_no_digest_when_nothing_new_was_published(clock, morning):
    clock.move_to(at(2, 7, 5))

    assert digests.build_due() == []
    assert not Edition.objects.exists()


def test_running_twice_builds_one_digest_per_slot(clock, morning):
    clock.move_to(at(2, 6))
    make_article()
    clock.move_to(at(2, 7, 1))

    digests.build_due()
    call_command("build_digests", verbosity=0)

    assert Edition.objects.count() == 1


def test_story_published_after_the_digest_time_waits_for_the_next_one(clock, morning):
    clock.move_to(at(2, 7, 2))
    make_article("Late story")
    clock.move_to(at(2, 7, 10))

    assert digests.build_due() == []


def test_weekly_digest_goes_out_on_its_day_only(clock, morning):
    morning.cadence, morning.weekday = Newsletter.Cadence.WEEKLY, Newsletter.Weekday.FRIDAY
    morning.save()
    clock.move_to(at(4, 6))  # Wednesday 4 November 2026
    make_article()

    clock.move_to(at(5, 7, 1))  # Thursday
    assert digests.build_due() == []
    clock.move_to(at(6, 7, 1))  # Friday
    assert [edition.digest_for for edition in digests.build_due()] == [at(6, 7)]


def test_a_slot_missed_for_hours_is_skipped_not_sent_late(clock, morning):
    clock.move_to(at(2, 6))
    make_article()

    clock.move_to(at(2, 15))

    assert digests.build_due() == []


def test_auto_send_digest_starts_sending_by_itself(clock, morning, readers):
    morning.digest_auto_send = True
    morning.save()
    clock.move_to(at(2, 6))
    make_article()
    clock.move_to(at(2, 7, 1))

    [edition] = digests.build_due()

    edition.refresh_from_db()
    assert edition.status in (Edition.Status.SENDING, Edition.Status.SENT)
    assert edition.recipient_count == 2


def test_digest_time_follows_the_newsrooms_clock_across_the_clock_change(morning):
    # 25 October 2026: British Summer Time ends; 07:00 stays 07:00 local.
    slot = digests.last_slot(morning, datetime.datetime(2026, 10, 26, 12, tzinfo=datetime.UTC))

    assert slot == datetime.datetime(2026, 10, 26, 7, tzinfo=LONDON)
    assert slot.utcoffset() == datetime.timedelta(0)


def test_next_digest_time_is_tomorrow_after_todays(morning):
    assert digests.next_slot(morning, at(2, 8)) == at(3, 7)


def test_the_builder_queues_itself_once_for_the_next_digest_time(clock, morning, settings):
    from django_tasks_db.models import DBTaskResult

    from newsletter.tasks import schedule_digests

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    clock.move_to(at(2, 8))

    schedule_digests()
    schedule_digests()

    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "newsletter.tasks.build_digests"
    assert queued.run_after == at(3, 7)
