"""Scheduled publishing: visibility follows the clock; the command and task do the bookkeeping,
once, even when two copies (or two editors) act at the same moment."""

import datetime
import io
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from articles import workflow
from articles.models import Article, ArticleEvent
from articles.tasks import publish_scheduled_articles
from articles.workflow import TransitionError, publish_due
from tests.factories import make_article, make_author, make_editor, make_reporter, make_user

Status = Article.Status
HOUR = datetime.timedelta(hours=1)


def scheduled(at, **fields) -> Article:
    return make_article(status=Status.SCHEDULED, publish_at=at, **fields)


@pytest.mark.django_db
def test_scheduled_article_appears_at_its_exact_time(client, clock):
    at = timezone.now() + HOUR
    article = scheduled(at, headline="Embargoed results")
    clock.move_to(at - datetime.timedelta(microseconds=1))
    assert not Article.objects.live().filter(pk=article.pk).exists()
    assert client.get(article.get_absolute_url()).status_code == 404
    assert "Embargoed results" not in client.get("/").content.decode()
    clock.move_to(at)
    assert Article.objects.live().filter(pk=article.pk).exists()
    assert client.get(article.get_absolute_url()).status_code == 200
    assert "Embargoed results" in client.get("/").content.decode()


@pytest.mark.django_db
def test_command_marks_due_articles_published(clock, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    at = timezone.now() + HOUR
    due = scheduled(at, authors=[make_reporter("rita").author])
    not_yet = scheduled(at + HOUR)
    clock.move_to(at + datetime.timedelta(minutes=3))
    out = io.StringIO()
    call_command("publish_scheduled", stdout=out)
    assert "1 scheduled article(s) published." in out.getvalue()
    due.refresh_from_db()
    assert due.status == Status.PUBLISHED
    assert due.first_published_at == at  # when readers first saw it, not when cron ran
    assert Article.objects.get(pk=not_yet.pk).status == Status.SCHEDULED
    event = ArticleEvent.objects.get()
    assert (event.article, event.actor, event.from_status, event.to_status) == (
        due,
        None,
        Status.SCHEDULED,
        Status.PUBLISHED,
    )


@pytest.mark.django_db(transaction=True)
def test_command_notifies_the_authors(clock, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    at = timezone.now() + HOUR
    scheduled(at, headline="Harbour reopens", authors=[make_reporter("rita").author])
    clock.move_to(at)
    call_command("publish_scheduled", stdout=io.StringIO())
    assert [m.to for m in mail.outbox] == [["rita@example.com"]]
    assert mail.outbox[0].subject == "Published: Harbour reopens"
    assert "The newsroom's scheduler" in mail.outbox[0].body


@pytest.mark.django_db
def test_running_the_bookkeeping_twice_publishes_once(clock):
    at = timezone.now() + HOUR
    scheduled(at)
    clock.move_to(at + HOUR)
    assert len(publish_due()) == 1
    assert publish_due() == []
    assert ArticleEvent.objects.count() == 1


@pytest.mark.django_db
def test_first_published_time_is_kept_for_a_rescheduled_article(clock):
    earlier = timezone.now() - datetime.timedelta(days=3)
    article = scheduled(timezone.now() + HOUR, first_published_at=earlier)
    clock.move_to(timezone.now() + 2 * HOUR)
    publish_due()
    assert Article.objects.get(pk=article.pk).first_published_at == earlier


@pytest.mark.django_db
def test_bookkeeping_bumps_the_version(clock):
    article = scheduled(timezone.now() + HOUR)
    clock.move_to(timezone.now() + 2 * HOUR)
    publish_due()
    assert Article.objects.get(pk=article.pk).version == article.version + 1


@pytest.mark.django_db
def test_periodic_task_runs_the_bookkeeping(clock):
    scheduled(timezone.now() + HOUR)
    clock.move_to(timezone.now() + 2 * HOUR)
    assert publish_scheduled_articles.call() == 1


@pytest.mark.django_db
def test_scheduling_queues_the_bookkeeping_for_the_publish_time(
    settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    at = timezone.now() + 5 * HOUR
    article = make_article(status=Status.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.schedule(article, by=make_editor("edna"), at=at)
    queued = DBTaskResult.objects.get(task_path="articles.tasks.publish_scheduled_articles")
    assert queued.run_after == at


# --- two at once, on PostgreSQL with real row locks --------------------------------------


def run_in_threads(*targets) -> list:
    """Start each target in its own thread (own DB connection) at the same moment."""
    barrier = threading.Barrier(len(targets))
    results: list = [None] * len(targets)

    def runner(index, target):
        try:
            barrier.wait()
            results[index] = target()
        except Exception as exc:  # collected and asserted on by the caller
            results[index] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=runner, args=(i, target)) for i, target in enumerate(targets)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_editors_publishing_at_once_publish_once():
    first, second = make_editor("edna"), make_editor("eddie")
    article = make_article(status=Status.REVIEW)
    # Both pages were loaded while the article was in review.
    copies = [Article.objects.get(pk=article.pk), Article.objects.get(pk=article.pk)]
    results = run_in_threads(
        lambda: workflow.publish(copies[0], by=first),
        lambda: workflow.publish(copies[1], by=second),
    )
    refused = [r for r in results if isinstance(r, TransitionError)]
    published = [r for r in results if isinstance(r, ArticleEvent)]
    assert len(published) == 1 and len(refused) == 1, results
    assert ArticleEvent.objects.filter(article=article).count() == 1
    assert Article.objects.get(pk=article.pk).version == article.version + 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_copies_of_the_bookkeeping_record_one_event_each_article():
    at = timezone.now() - datetime.timedelta(minutes=1)
    articles = [scheduled(at) for _ in range(5)]
    results = run_in_threads(publish_due, publish_due)
    assert not any(isinstance(r, Exception) for r in results), results
    assert sum(len(events) for events in results) == 5
    assert ArticleEvent.objects.count() == 5
    assert set(Article.objects.values_list("status", flat=True)) == {Status.PUBLISHED}
    for article in articles:
        assert Article.objects.get(pk=article.pk).version == article.version + 1


# --- the deferred bookkeeping task, run by a real db_worker -------------------------------


def run_worker() -> None:
    """What `manage.py db_worker` does, once: run every task that is due now, then stop."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--queue-name", "*")


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
def test_stale_bookkeeping_task_does_not_publish_a_rescheduled_article_early(database_queue, clock):
    editor = make_editor("edna")
    article = make_article(status=Status.DRAFT, authors=[make_reporter("rita").author])
    first_time = timezone.now() + HOUR
    later_time = timezone.now() + 5 * HOUR
    workflow.schedule(article, by=editor, at=first_time)
    workflow.unschedule(article, by=editor)
    workflow.schedule(article, by=editor, at=later_time)

    clock.move_to(first_time + datetime.timedelta(minutes=1))
    run_worker()  # the task queued for the first time runs, and finds nothing due
    article.refresh_from_db()
    assert (article.status, article.publish_at) == (Status.SCHEDULED, later_time)
    assert not Article.objects.live().filter(pk=article.pk).exists()
    assert not ArticleEvent.objects.filter(to_status=Status.PUBLISHED).exists()
    assert mail.outbox == []

    clock.move_to(later_time)
    run_worker()
    article.refresh_from_db()
    assert (article.status, article.first_published_at) == (Status.PUBLISHED, later_time)
    assert ArticleEvent.objects.filter(to_status=Status.PUBLISHED).count() == 1
    assert [m.to for m in mail.outbox] == [["rita@example.com"]]


@pytest.mark.django_db(transaction=True)
def test_stale_bookkeeping_task_leaves_an_unscheduled_article_in_drafts(database_queue, clock):
    editor = make_editor("edna")
    article = make_article(status=Status.DRAFT)
    at = timezone.now() + HOUR
    workflow.schedule(article, by=editor, at=at)
    workflow.unschedule(article, by=editor)
    clock.move_to(at + HOUR)
    run_worker()
    article.refresh_from_db()
    assert (article.status, article.publish_at) == (Status.DRAFT, None)
    assert not Article.objects.live().filter(pk=article.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_rescheduling_earlier_is_published_at_the_earlier_time(database_queue, clock):
    editor = make_editor("edna")
    article = make_article(status=Status.DRAFT)
    workflow.schedule(article, by=editor, at=timezone.now() + 5 * HOUR)
    workflow.unschedule(article, by=editor)
    earlier = timezone.now() + HOUR
    workflow.schedule(article, by=editor, at=earlier)
    clock.move_to(earlier)
    run_worker()
    article.refresh_from_db()
    assert (article.status, article.first_published_at) == (Status.PUBLISHED, earlier)


@pytest.mark.django_db(transaction=True)
def test_scheduled_publishing_through_the_queue_emails_the_bylined_authors(
    database_queue, clock, settings
):
    settings.SITE_URL = "https://news.example"
    editor = make_editor("edna")
    colin = make_author("Colin", user=make_user("colin", email="colin@example.com"))
    no_email = make_author("Nina", user=make_user("nina", email=""))
    article = make_article(
        headline="Ferry fares frozen",
        status=Status.DRAFT,
        authors=[make_reporter("rita").author, colin, no_email, make_author("Wire Desk")],
    )
    at = timezone.now() + HOUR
    workflow.schedule(article, by=editor, at=at)
    clock.move_to(at)
    run_worker()  # the bookkeeping task, then the notification task it queued
    assert sorted(address for m in mail.outbox for address in m.to) == [
        "colin@example.com",
        "rita@example.com",
    ]
    message = mail.outbox[0]
    assert message.subject == "Published: Ferry fares frozen"
    assert f"https://news.example{article.get_absolute_url()}" in message.body
    assert "The newsroom's scheduler" in message.body
