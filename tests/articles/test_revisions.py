"""Revisions: history, readable diffs, restore as a new revision, pruning."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from articles import revisions
from articles.models import Revision
from tests.factories import make_article, make_author, make_editor, make_reporter

pytestmark = pytest.mark.django_db


def revision(article, version, **fields):
    fields.setdefault("headline", article.headline)
    fields.setdefault("standfirst", article.standfirst)
    fields.setdefault("slug", article.slug)
    fields.setdefault("status", article.status)
    return Revision.objects.create(article=article, version=version, **fields)


def test_diff_of_a_known_pair_reads_by_paragraph_word_tag_and_byline():
    article = make_article()
    old = revision(
        article,
        1,
        headline="Council delays bridge vote",
        body="<h2>Background</h2><p>The vote was due on Tuesday.</p><p>Residents object.</p>",
        tags=["Bridges", "Council"],
        bylines=[{"id": 1, "name": "Ann Lee"}, {"id": 2, "name": "Raj Patel"}],
        section_name="Local",
    )
    new = revision(
        article,
        2,
        headline="Council approves bridge",
        body="<h2>Background</h2><p>The vote was held on Wednesday.</p>"
        "<p>Residents object.</p><blockquote><p>“A good day,” said the mayor.</p></blockquote>",
        tags=["Bridges", "Transport"],
        bylines=[{"id": 2, "name": "Raj Patel"}, {"id": 3, "name": "Mo Chen"}],
        section_name="Local",
    )

    diff = revisions.diff_revisions(old, new)

    assert [(c.label, c.before, c.after) for c in diff.fields] == [
        ("Headline", "Council delays bridge vote", "Council approves bridge")
    ]
    assert (diff.tags_added, diff.tags_removed) == (["Transport"], ["Council"])
    assert (diff.bylines_added, diff.bylines_removed) == (["Mo Chen"], ["Ann Lee"])
    assert [(c.kind, c.label, str(c.html)) for c in diff.body] == [
        ("same", "Heading", "Background"),
        (
            "changed",
            "",
            "The vote was <del>due </del><ins>held </ins>on <del>Tuesday.</del>"
            "<ins>Wednesday.</ins>",
        ),
        ("same", "", "Residents object."),
        ("added", "Quote", "<ins>“A good day,” said the mayor.</ins>"),
    ]


def test_diff_escapes_everything_it_shows():
    article = make_article()
    old = revision(article, 1, body="<p>a &lt;script&gt;alert(1)&lt;/script&gt; b</p>")
    new = revision(article, 2, body="<p>a &lt;img src=x onerror=alert(1)&gt; b</p>")

    html = "".join(str(c.html) for c in revisions.diff_revisions(old, new).body)

    assert "<script" not in html and "<img" not in html
    assert "&lt;img" in html


def test_history_page_lists_revisions_and_compare_shows_the_diff(client):
    editor = make_editor()
    client.force_login(editor)
    article = make_article(headline="First")
    first = revisions.record_revision(article, author=editor)
    article.headline = "Second"
    article.version = 2
    article.save()
    second = revisions.record_revision(article, author=editor)

    history = client.get(reverse("admin:articles_article_revisions", args=[article.pk]))
    compare = client.get(
        reverse("admin:articles_article_revision_compare", args=[article.pk]),
        {"from": first.pk, "to": second.pk},
    )

    assert history.status_code == 200
    assert [r.version for r in history.context["revisions"]] == [2, 1]
    assert compare.status_code == 200
    assert "<td>First</td><td>Second</td>" in compare.content.decode()


def test_restore_brings_old_content_back_as_a_new_revision(client):
    editor = make_editor()
    client.force_login(editor)
    ann, raj = make_author("Ann Lee"), make_author("Raj Patel")
    article = make_article(
        headline="Original", body="<p>Original body.</p>", tags=["Old"], authors=[ann]
    )
    old = revisions.record_revision(article, author=editor)
    article.headline, article.body, article.version = "Rewritten", "<p>New body.</p>", 2
    article.save()
    article.tags.set(["New"])
    article.bylines.all().delete()
    article.bylines.create(author=raj, position=0)
    revisions.record_revision(article, author=editor)

    response = client.post(
        reverse("admin:articles_article_revision_restore", args=[article.pk, old.pk]),
        {"expected_version": 2},
    )

    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.headline, article.body, article.version) == (
        "Original",
        "<p>Original body.</p>",
        3,
    )
    assert list(article.tags.names()) == ["Old"]
    assert [b.author for b in article.bylines.all()] == [ann]
    latest = revisions.latest_revision(article)
    assert (latest.version, latest.restored_from, latest.author) == (3, old, editor)
    assert article.revisions.count() == 3


def test_restore_from_a_stale_page_is_refused(client):
    editor = make_editor()
    client.force_login(editor)
    article = make_article(headline="Original")
    old = revisions.record_revision(article, author=editor)
    article.headline, article.version = "Newer", 3
    article.save()

    response = client.post(
        reverse("admin:articles_article_revision_restore", args=[article.pk, old.pk]),
        {"expected_version": 2},
        follow=True,
    )

    assert "nothing was restored" in response.content.decode()
    article.refresh_from_db()
    assert (article.headline, article.version) == ("Newer", 3)


def test_restore_needs_change_permission_on_that_article(client):
    reporter = make_reporter()
    client.force_login(reporter)
    # Their own article, but submitted for review: reporters may look, not change.
    article = make_article(status="review", created_by=reporter)
    old = revisions.record_revision(article, author=reporter)

    response = client.post(
        reverse("admin:articles_article_revision_restore", args=[article.pk, old.pk]),
        {"expected_version": article.version},
    )

    assert response.status_code == 403
    assert (
        client.get(reverse("admin:articles_article_revisions", args=[article.pk])).status_code
        == 200
    )


def test_restore_is_post_only(client):
    client.force_login(make_editor())
    article = make_article()
    old = revisions.record_revision(article)

    response = client.get(
        reverse("admin:articles_article_revision_restore", args=[article.pk, old.pk])
    )

    assert response.status_code == 405


def test_history_is_closed_to_users_who_cannot_see_the_article(client):
    client.force_login(make_reporter())
    article = make_article()  # someone else's

    response = client.get(reverse("admin:articles_article_revisions", args=[article.pk]))

    assert response.status_code == 404


def test_prune_keeps_live_revisions_and_the_latest_per_article(clock):
    article = make_article(status="draft")
    long_ago = timezone.now() - timedelta(days=100)
    draft_old = revision(article, 1, created_at=long_ago)
    live_old = revision(article, 2, created_at=long_ago, was_live=True)
    latest_old = revision(article, 3, created_at=long_ago)
    other = make_article(status="draft")
    only_old = revision(other, 1, created_at=long_ago)
    recent = revision(other, 2)
    recent_older_draft = revision(other, 0, created_at=timezone.now() - timedelta(days=1))

    call_command("prune_revisions", "--days", "30")

    remaining = set(Revision.objects.values_list("pk", flat=True))
    assert remaining == {live_old.pk, latest_old.pk, recent.pk, recent_older_draft.pk}
    assert draft_old.pk not in remaining and only_old.pk not in remaining
