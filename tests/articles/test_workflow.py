"""The transitions as model methods: every role, allowed and refused, and what each records."""

import datetime

import pytest
from django.utils import timezone

from articles import workflow
from articles.forms import preset_time
from articles.models import Article, ArticleEvent
from articles.workflow import (
    InvalidTransition,
    StaleArticleError,
    TransitionError,
    TransitionNotAllowed,
)
from tests.factories import (
    ensure_editorial_groups,
    make_article,
    make_editor,
    make_reporter,
    make_user,
)

pytestmark = pytest.mark.django_db

Status = Article.Status
LATER = datetime.timedelta(days=1)


@pytest.fixture
def other_reporter():
    return make_reporter("oscar")


def article_in(status: str, *, by=None, **fields) -> Article:
    publish_at = fields.pop("publish_at", None)
    if status == Status.SCHEDULED and publish_at is None:
        publish_at = timezone.now() + LATER
    authors = [by.author] if by is not None else None
    return make_article(status=status, publish_at=publish_at, authors=authors, **fields)


def run(article: Article, name: str, user, **kwargs):
    if name == "request_changes":
        kwargs.setdefault("comment", "Source the second quote.")
    if name == "schedule":
        kwargs.setdefault("at", timezone.now() + LATER)
    return workflow.ACTIONS[name](article, by=user, **kwargs)


# name, a status it starts from, the status it leads to
EDITOR_TRANSITIONS = [
    ("submit", Status.DRAFT, Status.REVIEW),
    ("request_changes", Status.REVIEW, Status.DRAFT),
    ("publish", Status.DRAFT, Status.PUBLISHED),
    ("publish", Status.REVIEW, Status.PUBLISHED),
    ("publish", Status.ARCHIVED, Status.PUBLISHED),
    ("schedule", Status.DRAFT, Status.SCHEDULED),
    ("schedule", Status.REVIEW, Status.SCHEDULED),
    ("unschedule", Status.SCHEDULED, Status.DRAFT),
    ("unpublish", Status.PUBLISHED, Status.DRAFT),
]


@pytest.mark.parametrize(("name", "source", "target"), EDITOR_TRANSITIONS)
def test_editor_can_make_every_transition_from_its_sources(editor, name, source, target):
    article = article_in(source)
    event = run(article, name, editor)
    article.refresh_from_db()
    assert article.status == target
    assert (event.actor, event.from_status, event.to_status) == (editor, source, target)


@pytest.mark.parametrize(("name", "source", "target"), EDITOR_TRANSITIONS)
def test_superuser_can_make_every_transition(name, source, target):
    boss = make_user("boss", is_superuser=True)
    article = article_in(source)
    run(article, name, boss)
    assert Article.objects.get(pk=article.pk).status == target


def test_reporter_can_submit_own_draft(reporter):
    article = article_in(Status.DRAFT, by=reporter)
    workflow.submit(article, by=reporter)
    assert Article.objects.get(pk=article.pk).status == Status.REVIEW


def test_reporter_who_created_an_article_without_a_byline_can_submit_it(reporter):
    article = article_in(Status.DRAFT, created_by=reporter)
    workflow.submit(article, by=reporter)
    assert Article.objects.get(pk=article.pk).status == Status.REVIEW


def test_reporter_cannot_submit_someone_elses_draft(reporter, other_reporter):
    article = article_in(Status.DRAFT, by=other_reporter)
    with pytest.raises(TransitionNotAllowed):
        workflow.submit(article, by=reporter)
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("request_changes", Status.REVIEW),
        ("publish", Status.DRAFT),
        ("publish", Status.REVIEW),
        ("schedule", Status.DRAFT),
        ("schedule", Status.REVIEW),
        ("unschedule", Status.SCHEDULED),
        ("unpublish", Status.PUBLISHED),
    ],
)
def test_reporter_cannot_make_editor_transitions_even_on_own_article(reporter, name, source):
    article = article_in(source, by=reporter)
    with pytest.raises(TransitionNotAllowed):
        run(article, name, reporter)
    assert Article.objects.get(pk=article.pk).status == source
    assert not ArticleEvent.objects.exists()


@pytest.mark.parametrize(("name", "source"), [(n, s) for n, s, _ in EDITOR_TRANSITIONS])
def test_staff_user_without_a_role_cannot_make_any_transition(name, source):
    nobody = make_user("nobody")
    article = article_in(source)
    with pytest.raises(TransitionNotAllowed):
        run(article, name, nobody)
    assert Article.objects.get(pk=article.pk).status == source


def test_inactive_editor_cannot_publish(editor):
    editor.is_active = False
    editor.save()
    with pytest.raises(TransitionNotAllowed):
        workflow.publish(article_in(Status.DRAFT), by=editor)


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("submit", Status.REVIEW),
        ("submit", Status.PUBLISHED),
        ("request_changes", Status.DRAFT),
        ("request_changes", Status.PUBLISHED),
        ("publish", Status.PUBLISHED),
        ("schedule", Status.PUBLISHED),
        ("unschedule", Status.DRAFT),
        ("unschedule", Status.PUBLISHED),
        ("unpublish", Status.DRAFT),
        ("unpublish", Status.SCHEDULED),
    ],
)
def test_transition_from_the_wrong_status_is_refused(editor, name, source):
    article = article_in(source)
    with pytest.raises(InvalidTransition, match="cannot be"):
        run(article, name, editor)
    assert Article.objects.get(pk=article.pk).status == source
    assert not ArticleEvent.objects.exists()


@pytest.mark.parametrize("comment", ["", "   \n "])
def test_request_changes_needs_a_comment(editor, comment):
    article = article_in(Status.REVIEW)
    with pytest.raises(InvalidTransition, match="comment is required"):
        workflow.request_changes(article, by=editor, comment=comment)
    assert Article.objects.get(pk=article.pk).status == Status.REVIEW


def test_request_changes_records_the_comment(editor):
    article = article_in(Status.REVIEW)
    event = workflow.request_changes(article, by=editor, comment="  Check the council's figures.  ")
    assert event.comment == "Check the council's figures."


def test_schedule_refuses_a_time_in_the_past(editor, clock):
    article = article_in(Status.DRAFT)
    with pytest.raises(InvalidTransition, match="already passed"):
        workflow.schedule(article, by=editor, at=timezone.now())
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT


def test_schedule_refuses_a_naive_time(editor):
    article = article_in(Status.DRAFT)
    with pytest.raises(InvalidTransition, match="time zone"):
        workflow.schedule(article, by=editor, at=datetime.datetime(2099, 1, 1, 9, 0))


def test_schedule_sets_the_publish_time(editor):
    at = timezone.now() + datetime.timedelta(hours=3)
    article = article_in(Status.DRAFT)
    workflow.schedule(article, by=editor, at=at)
    assert Article.objects.get(pk=article.pk).publish_at == at
    assert article.publish_at == at  # the caller's instance follows


def test_unschedule_clears_the_publish_time(editor):
    article = article_in(Status.SCHEDULED)
    workflow.unschedule(article, by=editor)
    assert Article.objects.get(pk=article.pk).publish_at is None


def test_publish_sets_publish_and_first_published_times(editor, clock):
    article = article_in(Status.REVIEW)
    workflow.publish(article, by=editor)
    article.refresh_from_db()
    assert article.publish_at == timezone.now()
    assert article.first_published_at == timezone.now()


def test_republishing_keeps_the_first_published_time(editor, clock):
    article = article_in(Status.DRAFT)
    workflow.publish(article, by=editor)
    first = Article.objects.get(pk=article.pk).first_published_at
    clock.shift(datetime.timedelta(hours=2))
    workflow.unpublish(article, by=editor)
    workflow.publish(article, by=editor)
    article.refresh_from_db()
    assert article.first_published_at == first
    assert article.publish_at == timezone.now()


def test_unpublish_can_archive(editor):
    article = article_in(Status.PUBLISHED)
    event = workflow.unpublish(article, by=editor, archive=True)
    assert Article.objects.get(pk=article.pk).status == Status.ARCHIVED
    assert event.to_status == Status.ARCHIVED


def test_unpublished_article_leaves_the_public_site(editor):
    article = article_in(Status.PUBLISHED)
    workflow.unpublish(article, by=editor)
    assert not Article.objects.live().filter(pk=article.pk).exists()


def test_every_transition_bumps_the_version_by_one(editor, reporter):
    article = article_in(Status.DRAFT, by=reporter)
    versions = [article.version]
    workflow.submit(article, by=reporter)
    versions.append(Article.objects.get(pk=article.pk).version)
    workflow.request_changes(article, by=editor, comment="Shorter, please.")
    versions.append(Article.objects.get(pk=article.pk).version)
    workflow.schedule(article, by=editor, at=timezone.now() + LATER)
    versions.append(Article.objects.get(pk=article.pk).version)
    workflow.unschedule(article, by=editor)
    versions.append(Article.objects.get(pk=article.pk).version)
    workflow.publish(article, by=editor)
    versions.append(Article.objects.get(pk=article.pk).version)
    workflow.unpublish(article, by=editor)
    versions.append(Article.objects.get(pk=article.pk).version)
    assert versions == list(range(versions[0], versions[0] + 7))
    assert article.version == versions[-1]


def test_every_transition_records_one_event(editor, reporter, clock):
    article = article_in(Status.DRAFT, by=reporter)
    workflow.submit(article, by=reporter)
    workflow.request_changes(article, by=editor, comment="Shorter, please.")
    workflow.submit(article, by=reporter)
    workflow.publish(article, by=editor)
    history = list(
        ArticleEvent.objects.filter(article=article)
        .order_by("pk")
        .values_list("actor__username", "from_status", "to_status", "comment")
    )
    assert history == [
        ("rita", "draft", "review", ""),
        ("edna", "review", "draft", "Shorter, please."),
        ("rita", "draft", "review", ""),
        ("edna", "review", "published", ""),
    ]
    assert all(event.at == timezone.now() for event in ArticleEvent.objects.all())


def test_stale_version_is_refused(editor):
    article = article_in(Status.REVIEW)
    seen = article.version
    Article.objects.filter(pk=article.pk).update(version=seen + 1)  # someone saved meanwhile
    with pytest.raises(StaleArticleError, match="changed by someone else"):
        workflow.publish(article, by=editor, expected_version=seen)
    assert Article.objects.get(pk=article.pk).status == Status.REVIEW
    assert issubclass(StaleArticleError, TransitionError)


def test_matching_version_is_accepted(editor):
    article = article_in(Status.REVIEW)
    workflow.publish(article, by=editor, expected_version=article.version)
    assert Article.objects.get(pk=article.pk).status == Status.PUBLISHED


def test_second_publish_of_the_same_article_is_refused(editor):
    """Two editors with the same page open: the second press finds it already published."""
    article = article_in(Status.REVIEW)
    stale_copy = Article.objects.get(pk=article.pk)
    workflow.publish(article, by=editor)
    with pytest.raises(TransitionError):
        workflow.publish(stale_copy, by=make_editor("ed2"))
    assert ArticleEvent.objects.filter(to_status=Status.PUBLISHED).count() == 1


def test_migration_gives_reporters_only_submit_and_editors_every_transition():
    from django.contrib.auth.models import Group

    ensure_editorial_groups()  # a transactional test may have flushed them: rerun the migration

    def codenames(group_name: str) -> set[str]:
        group = Group.objects.get(name=group_name)
        return set(group.permissions.values_list("codename", flat=True))

    transitions = {
        "submit_article",
        "request_changes",
        "publish_article",
        "schedule_article",
        "unpublish_article",
        "edit_any_article",
    }
    assert codenames("Reporter") & transitions == {"submit_article"}
    assert transitions <= codenames("Editor")


def test_preset_times_are_on_the_newsrooms_clock():
    now = timezone.make_aware(datetime.datetime(2026, 3, 2, 10, 42, 30))
    assert timezone.localtime(preset_time("in_10_minutes", now)).strftime("%H:%M") == "10:52"
    assert timezone.localtime(preset_time("next_hour", now)).strftime("%H:%M") == "11:00"
    assert timezone.localtime(preset_time("tomorrow_0600", now)).strftime("%d %H:%M") == "03 06:00"
