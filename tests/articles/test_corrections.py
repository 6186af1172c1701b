"""Corrections on the record: dated entries that stay, an archive of them, and who may write."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from articles import corrections, workflow
from articles.metadata import absolute_url
from articles.models import Article, ArticleEvent, Correction, CorrectionRemoval
from tests.factories import (
    make_article,
    make_correction,
    make_editor,
    make_reporter,
    make_user,
)

pytestmark = pytest.mark.django_db

DAY_ONE = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def editor():
    return make_editor()


@pytest.fixture
def reporter_story():
    """A live story written by a reporter, with that reporter."""
    reporter = make_reporter()
    return make_article("Harbour wall repaired", authors=[reporter.author]), reporter


def json_ld(client, article) -> dict:
    html = client.get(article.get_absolute_url()).content.decode()
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    return json.loads(found.group(1))


# --- entries -----------------------------------------------------------------------------


def test_entry_text_keeps_links_and_emphasis_only(editor):
    article = make_article()
    entry = corrections.add(
        article,
        by=editor,
        kind="correction",
        text='<h2>Fixed</h2> <em>Bridge</em> <a href="https://x.example/" onclick="evil()">'
        'link</a><script>alert(1)</script><img src="/media/a.jpg"> <a href="javascript:x">y</a>',
    )
    assert entry.text == (
        'Fixed <em>Bridge</em> <a href="https://x.example/" rel="noopener noreferrer">link</a>'
        ' <a rel="noopener noreferrer">y</a>'
    )


def test_empty_or_unknown_entry_is_refused_with_a_reason(editor):
    article = make_article()
    with pytest.raises(workflow.InvalidTransition, match="Write what was corrected"):
        corrections.add(article, by=editor, kind="correction", text="<p> </p>")
    with pytest.raises(workflow.InvalidTransition, match="Choose a kind"):
        corrections.add(article, by=editor, kind="erratum", text="Wrong.")
    assert not Correction.objects.exists()


def test_entries_show_at_the_foot_newest_first_with_a_notice_at_the_top(client, clock, editor):
    clock.move_to(DAY_ONE)
    article = make_article(body="<p>The story.</p>")
    corrections.add(article, by=editor, kind="update", text="Adds a reply from the mayor.")
    clock.move_to(DAY_ONE + timedelta(days=1))
    corrections.add(article, by=editor, kind="correction", text="Misnamed the bridge.")

    html = client.get(article.get_absolute_url()).content.decode()

    notice = html.index("This article was corrected on")
    assert 'datetime="2026-12-02' in html[notice : notice + 200]
    assert "2 December 2026" in html[notice : notice + 200]
    assert html[notice:].index('href="#corrections"') < 300
    assert notice < html.index("The story.") < html.index('id="corrections"')
    assert html.index("Misnamed the bridge.") < html.index("Adds a reply from the mayor.")


def test_approved_entry_on_a_live_article_cannot_be_edited_or_deleted(editor):
    entry = corrections.add(make_article(), by=editor, kind="correction", text="Wrong date.")
    entry.text = "Something else."
    with pytest.raises(ValidationError, match="cannot be changed"):
        entry.save()
    with pytest.raises(ValidationError, match="cannot be deleted"):
        entry.delete()
    assert Correction.objects.get().text == "Wrong date."


def test_entry_on_an_unpublished_article_can_still_be_edited_and_deleted():
    entry = make_correction(make_article(status=Article.Status.DRAFT), "Draft note.")
    entry.text = "Better note."
    entry.save()
    entry.delete()
    assert not Correction.objects.exists()


def test_superuser_removes_an_entry_with_a_reason_and_the_removal_is_kept(client, editor):
    article = make_article()
    entry = corrections.add(article, by=editor, kind="correction", text="Libellous claim.")
    chief = make_user("chief", is_superuser=True)

    removal = corrections.remove(entry, by=chief, reason="Legal advice, ref 12.")

    assert not Correction.objects.exists()
    kept = CorrectionRemoval.objects.get()
    assert (kept, kept.removed_by, kept.reason) == (removal, chief, "Legal advice, ref 12.")
    assert (kept.kind, kept.text, kept.written_at) == (
        "correction",
        "Libellous claim.",
        entry.created_at,
    )
    assert article.events.filter(actor=chief, comment__contains="removed (Legal advice").exists()
    assert "Libellous claim." not in client.get(article.get_absolute_url()).content.decode()


def test_only_a_superuser_removes_an_entry_and_only_with_a_reason(editor):
    entry = corrections.add(make_article(), by=editor, kind="correction", text="Wrong.")
    with pytest.raises(workflow.TransitionNotAllowed):
        corrections.remove(entry, by=editor, reason="I changed my mind.")
    with pytest.raises(workflow.InvalidTransition, match="reason is required"):
        corrections.remove(entry, by=make_user("chief", is_superuser=True), reason="  ")
    assert Correction.objects.filter(pk=entry.pk).exists()
    assert not CorrectionRemoval.objects.exists()


def test_an_entry_is_removed_once_and_logged_once(editor):
    entry = corrections.add(make_article(), by=editor, kind="correction", text="Wrong.")
    chief = make_user("chief", is_superuser=True)
    corrections.remove(entry, by=chief, reason="Court order.")
    with pytest.raises(workflow.InvalidTransition, match="already removed"):
        corrections.remove(entry, by=chief, reason="Again.")
    assert CorrectionRemoval.objects.count() == 1


# --- what search engines and feed readers see --------------------------------------------


def test_json_ld_has_a_correction_comment_per_correction(client, editor):
    article = make_article()
    corrections.add(article, by=editor, kind="update", text="Adds a quote.")
    fix = corrections.add(article, by=editor, kind="correction", text="<em>Wrong</em> & late.")

    data = json_ld(client, article)

    assert data["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": "Wrong & late.",
            "datePublished": fix.created_at.isoformat(),
            "url": f"{absolute_url(article.get_absolute_url())}#correction-{fix.pk}",
        }
    ]


def test_article_without_corrections_has_no_correction_in_json_ld(client):
    assert "correction" not in json_ld(client, make_article())


def test_adding_an_entry_moves_date_modified_in_json_ld_and_feeds(client, clock, editor):
    clock.move_to(DAY_ONE)
    article = make_article()
    clock.move_to(DAY_ONE + timedelta(days=1))

    corrections.add(article, by=editor, kind="correction", text="Wrong figure.")

    assert json_ld(client, article)["dateModified"] == "2026-12-02T09:00:00+00:00"
    atom = client.get("/feeds/atom/").content.decode()
    assert "<updated>2026-12-02T09:00:00+00:00</updated>" in atom


# --- the archive -------------------------------------------------------------------------


def test_archive_lists_corrections_and_clarifications_newest_first(client, clock, editor):
    clock.move_to(DAY_ONE)
    first, second = make_article("Bridge opens"), make_article("Port closes")
    corrections.add(first, by=editor, kind="correction", text="Wrong span.")
    clock.shift(3600)
    corrections.add(second, by=editor, kind="clarification", text="Which port.")
    corrections.add(second, by=editor, kind="update", text="Adds a reply.")

    response = client.get("/corrections/")

    assert [e.text for e in response.context["entries"]] == ["Which port.", "Wrong span."]
    assert "Adds a reply." not in response.content.decode()
    assert f'href="{first.get_absolute_url()}#correction-' in response.content.decode()


@pytest.mark.parametrize(
    "status", [Article.Status.DRAFT, Article.Status.REVIEW, Article.Status.ARCHIVED]
)
def test_archive_and_its_feeds_never_show_unpublished_articles(client, status):
    hidden = make_article("Secret story", status=status, publish_at=timezone.now())
    make_correction(hidden, "Hidden correction.")
    future = make_article(
        "Future story",
        status=Article.Status.SCHEDULED,
        publish_at=timezone.now() + timedelta(hours=1),
    )
    make_correction(future, "Future correction.")
    make_correction(make_article("Live story"), "Live correction.")

    for url in ["/corrections/", "/corrections/rss/", "/corrections/atom/"]:
        page = client.get(url).content.decode()
        assert "Live correction." in page, url
        assert "Hidden correction." not in page and "Secret story" not in page, url
        assert "Future correction." not in page and "Future story" not in page, url


def test_unpublishing_takes_its_corrections_off_the_archive(client, editor):
    article = make_article()
    corrections.add(article, by=editor, kind="correction", text="Wrong date.")
    workflow.unpublish(article, by=editor)
    assert "Wrong date." not in client.get("/corrections/").content.decode()


def test_archive_is_paginated(client):
    article = make_article()
    for n in range(22):
        make_correction(article, f"Fix {n:02d}.", created_at=DAY_ONE + timedelta(minutes=n))

    first, second = client.get("/corrections/"), client.get("/corrections/?page=2")

    assert [e.text for e in first.context["entries"]][:2] == ["Fix 21.", "Fix 20."]
    assert [e.text for e in second.context["entries"]] == ["Fix 01.", "Fix 00."]
    assert client.get("/corrections/?page=3").status_code == 404
    assert client.get("/corrections/?page=x").status_code == 404


def test_archive_queries_do_not_grow_with_its_entries(client, django_assert_max_num_queries):
    for n in range(3):
        make_correction(make_article(), f"Fix {n}.")
    with django_assert_max_num_queries(4):
        client.get("/corrections/")
    for n in range(10):
        make_correction(make_article(), f"More {n}.")
    with django_assert_max_num_queries(4):
        client.get("/corrections/")


def test_archive_feeds_carry_each_entry(client):
    article = make_article("Bridge opens")
    entry = make_correction(article, "Wrong <em>span</em>.", kind="clarification")

    rss = client.get("/corrections/rss/")
    atom = client.get("/corrections/atom/")

    assert rss["Content-Type"].startswith("application/rss+xml")
    assert atom["Content-Type"].startswith("application/atom+xml")
    for feed in (rss.content.decode(), atom.content.decode()):
        assert "Clarification: Bridge opens" in feed
        assert "Wrong &lt;em&gt;span&lt;/em&gt;." in feed
        assert f"#correction-{entry.pk}" in feed


# --- who writes, and the history ---------------------------------------------------------


def test_reporter_proposes_and_an_editor_approves(client, editor, reporter_story):
    article, reporter = reporter_story
    entry = corrections.propose(article, by=reporter, kind="correction", text="Wrong tide.")
    assert entry.status == Correction.Status.PROPOSED
    assert "Wrong tide." not in client.get(article.get_absolute_url()).content.decode()
    assert "Wrong tide." not in client.get("/corrections/").content.decode()

    corrections.approve(entry, by=editor)

    entry.refresh_from_db()
    assert (entry.status, entry.created_by, entry.approved_by) == ("approved", reporter, editor)
    assert "Wrong tide." in client.get(article.get_absolute_url()).content.decode()
    assert "Wrong tide." in client.get("/corrections/").content.decode()


def test_reporter_cannot_add_or_approve_an_entry(reporter_story):
    article, reporter = reporter_story
    with pytest.raises(workflow.TransitionNotAllowed):
        corrections.add(article, by=reporter, kind="correction", text="Wrong.")
    entry = corrections.propose(article, by=reporter, kind="correction", text="Wrong.")
    with pytest.raises(workflow.TransitionNotAllowed):
        corrections.approve(entry, by=reporter)
    assert Correction.objects.get().status == Correction.Status.PROPOSED


def test_reporter_cannot_propose_on_someone_elses_article():
    with pytest.raises(workflow.TransitionNotAllowed):
        corrections.propose(make_article(), by=make_reporter(), kind="correction", text="No.")


def test_an_entry_is_refused_on_a_stale_version(editor):
    article = make_article()
    seen = article.version
    corrections.add(article, by=editor, kind="update", text="First.", expected_version=seen)
    with pytest.raises(workflow.StaleArticleError):
        corrections.add(article, by=editor, kind="update", text="Second.", expected_version=seen)
    assert Correction.objects.count() == 1


def test_an_approval_is_refused_twice(editor, reporter_story):
    article, reporter = reporter_story
    entry = corrections.propose(article, by=reporter, kind="correction", text="Wrong.")
    corrections.approve(entry, by=editor)
    with pytest.raises(workflow.InvalidTransition, match="already approved"):
        corrections.approve(entry, by=editor)


def test_every_entry_is_in_the_workflow_history(editor, reporter_story):
    article, reporter = reporter_story
    entry = corrections.propose(article, by=reporter, kind="correction", text="Wrong tide.")
    corrections.approve(entry, by=editor)
    corrections.add(article, by=editor, kind="update", text="Adds a reply.")

    history = list(ArticleEvent.objects.filter(article=article).order_by("pk"))

    assert [(e.actor, e.comment) for e in history] == [
        (reporter, "Correction proposed: Wrong tide."),
        (editor, "Correction approved: Wrong tide."),
        (editor, "Update added: Adds a reply."),
    ]
    assert all(e.from_status == e.to_status == "published" for e in history)
