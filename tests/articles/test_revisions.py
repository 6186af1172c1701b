"""Revisions: history, readable diffs, restore as a new revision, pruning."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from articles import revisions, sharing, workflow
from articles.models import Article, Revision
from tests.factories import (
    make_article,
    make_author,
    make_editor,
    make_image,
    make_reporter,
    make_section,
)

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


def test_change_form_links_to_the_history_page(client):
    client.force_login(make_editor())
    article = make_article()

    page = client.get(reverse("admin:articles_article_change", args=[article.pk]))

    history = reverse("admin:articles_article_revisions", args=[article.pk])
    assert f'<a href="{history}">History and restore</a>' in page.content.decode()


def test_one_revision_shows_its_content_and_what_changed_since(client):
    editor = make_editor()
    client.force_login(editor)
    article = make_article(headline="First", body="<p>Old words.</p>", tags=["Bridges"])
    first = revisions.record_revision(article, author=editor)
    article.headline, article.body, article.version = "Second", "<p>New words.</p>", 2
    article.save()
    revisions.record_revision(article, author=editor)

    response = client.get(reverse("admin:articles_article_revision", args=[article.pk, first.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h2>First</h2>" in html and '<div class="revision-body"><p>Old words.</p></div>' in html
    assert "<dd>Bridges</dd>" in html
    assert "<del>Old </del><ins>New </ins>words." in html  # from this version to the latest
    restore = reverse("admin:articles_article_revision_restore", args=[article.pk, first.pk])
    assert f'action="{restore}"' in html
    assert 'name="expected_version" value="2"' in html


def test_compare_page_shows_tags_and_bylines_added_and_removed(client):
    client.force_login(make_editor())
    article = make_article()
    old = revision(article, 1, tags=["Bridges", "Council"], bylines=[{"id": 1, "name": "Ann Lee"}])
    new = revision(
        article, 2, tags=["Bridges", "Transport"], bylines=[{"id": 2, "name": "Mo Chen"}]
    )

    html = client.get(
        reverse("admin:articles_article_revision_compare", args=[article.pk]),
        {"from": new.pk, "to": old.pk},  # either order reads from older to newer
    ).content.decode()

    assert "<ins>+ Transport</ins> \n    <del>− Council</del>" in html
    assert "<ins>+ Mo Chen</ins> \n    <del>− Ann Lee</del>" in html


def test_restore_brings_old_content_back_as_a_new_revision(client):
    editor = make_editor()
    client.force_login(editor)
    ann, raj = make_author("Ann Lee"), make_author("Raj Patel")
    local, sport = make_section("Local"), make_section("Sport")
    river, stadium = make_image(alt_text="River"), make_image(alt_text="Stadium")
    article = make_article(
        headline="Original",
        standfirst="Original standfirst.",
        body="<p>Original body.</p>",
        section=local,
        hero_image=river,
        seo_title="Original SEO",
        seo_description="Original description.",
        tags=["Old"],
        authors=[ann],
    )
    old = revisions.record_revision(article, author=editor)
    article.headline, article.body, article.version = "Rewritten", "<p>New body.</p>", 2
    article.standfirst, article.section, article.hero_image = "New standfirst.", sport, stadium
    article.seo_title, article.seo_description = "New SEO", "New description."
    article.save()
    article.tags.set(["New"])
    article.bylines.all().delete()
    article.bylines.create(author=raj, position=0)
    revisions.record_revision(article, author=editor)

    response = client.post(
        reverse("admin:articles_article_revision_restore", args=[article.pk, old.pk]),
        {"expected_version": 2, "confirmed": "1"},
    )

    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.headline, article.body, article.version) == (
        "Original",
        "<p>Original body.</p>",
        3,
    )
    assert (article.standfirst, article.section, article.hero_image) == (
        "Original standfirst.",
        local,
        river,
    )
    assert (article.seo_title, article.seo_description) == ("Original SEO", "Original description.")
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


def test_prune_keeps_a_draft_revision_that_went_live_through_the_workflow(clock):
    editor = make_editor()
    article = make_article(status=Article.Status.DRAFT, body="<p>What readers saw.</p>")
    shown = revisions.record_revision(article, author=editor)
    workflow.publish(article, by=editor)
    workflow.unpublish(article, by=editor)
    revisions.ensure_baseline(article)  # an editor opens the change form
    article.body = "<p>Rewritten offline.</p>"
    article.save()
    revisions.record_revision(article, author=editor)
    never_live = make_article(status=Article.Status.DRAFT)
    drafted = revisions.record_revision(never_live, author=editor)
    revisions.record_revision(never_live, author=editor)
    clock.shift(timedelta(days=100))

    call_command("prune_revisions", "--days", "30")

    assert Revision.objects.filter(pk=shown.pk, was_live=True).exists()
    assert not Revision.objects.filter(pk=drafted.pk).exists()


def test_prune_keeps_a_scheduled_revision_readers_saw_before_the_next_edit(clock):
    editor = make_editor()
    article = make_article(status=Article.Status.DRAFT)
    workflow.schedule(article, by=editor, at=timezone.now() + timedelta(hours=1))
    superseded_before_publication = revisions.record_revision(article, author=editor)
    article.body = "<p>Final before publication.</p>"
    article.save()
    shown = revisions.record_revision(article, author=editor)
    clock.shift(timedelta(hours=2))  # live now, before the bookkeeping task has run
    article.body = "<p>Updated after publication.</p>"
    article.save()
    revisions.record_revision(article, author=editor)
    clock.shift(timedelta(days=100))

    call_command("prune_revisions", "--days", "30")

    assert Revision.objects.filter(pk=shown.pk, was_live=True).exists()
    assert not Revision.objects.filter(pk=superseded_before_publication.pk).exists()


def test_restoring_a_live_article_asks_first_and_changes_nothing_until_confirmed(client):
    client.force_login(make_editor())
    article = make_article(headline="Error")
    old = revisions.record_revision(article)
    Article.objects.filter(pk=article.pk).update(headline="Corrected", version=2)
    article.refresh_from_db()
    revisions.record_revision(article)
    response = client.post(
        reverse("admin:articles_article_revision_restore", args=[article.pk, old.pk]),
        {"expected_version": 2},
    )
    assert response.status_code == 200
    assert "at once: readers, feeds and search will show" in response.content.decode()
    assert 'name="confirmed" value="1"' in response.content.decode()
    assert Article.objects.get(pk=article.pk).headline == "Corrected"


def test_history_does_not_call_a_version_unscheduled_before_its_time_live(client):
    article = make_article(
        status=Article.Status.SCHEDULED, publish_at=timezone.now() + timedelta(days=1)
    )
    revisions.record_revision(article)
    editor = make_editor("edna")
    workflow.unschedule(article, by=editor)
    article.refresh_from_db()
    revisions.record_revision(article)
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_revisions", args=[article.pk]))
    assert "(live)" not in page.content.decode()
    assert "then published" not in page.content.decode()


def test_a_baseline_is_dated_when_its_version_began_not_when_it_was_opened(client, clock):
    client.force_login(make_editor())
    article = make_article()
    began = timezone.now() - timedelta(days=2)
    Article.objects.filter(pk=article.pk).update(updated_at=began)
    client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert Revision.objects.get(article=article).created_at == began


def test_the_timeline_shows_saves_with_summaries_steps_and_share_links(client):
    editor = make_editor()
    client.force_login(editor)
    article = make_article(status=Article.Status.DRAFT, body="<p>One two three.</p>")
    revisions.record_revision(article, author=editor)
    Article.objects.filter(pk=article.pk).update(
        headline="New headline", body="<p>One two three four.</p>", version=2
    )
    article.refresh_from_db()
    revisions.record_revision(article, author=editor)
    workflow.submit(article, by=editor)
    sharing.create_share_link(article, by=editor, days=3)
    page = client.get(reverse("admin:articles_article_revisions", args=[article.pk]))
    html = page.content.decode()
    assert "Headline; body 3 → 4 words" in html
    assert "Draft → In review" in html
    assert "Share link made" in html


def test_djangos_history_button_leads_to_the_timeline(client):
    client.force_login(make_editor())
    article = make_article()
    response = client.get(reverse("admin:articles_article_history", args=[article.pk]))
    assert response.status_code == 302
    assert response.url == reverse("admin:articles_article_revisions", args=[article.pk])


def test_the_compare_page_offers_restore(client):
    client.force_login(make_editor())
    article = make_article(status=Article.Status.DRAFT)
    old = revisions.record_revision(article)
    Article.objects.filter(pk=article.pk).update(headline="Changed", version=2)
    article.refresh_from_db()
    new = revisions.record_revision(article)
    page = client.get(
        reverse("admin:articles_article_revision_compare", args=[article.pk]),
        {"from": old.pk, "to": new.pk},
    )
    restore = reverse("admin:articles_article_revision_restore", args=[article.pk, old.pk])
    assert f'action="{restore}"' in page.content.decode()


def test_revisions_record_restore_and_compare_the_embargo_and_credit_line(client):
    editor = make_editor()
    client.force_login(editor)
    embargo = timezone.now() + timedelta(days=1)
    article = make_article(embargo_until=embargo, credit_line="According to Reuters")
    old = revisions.record_revision(article, author=editor)
    article.embargo_until, article.credit_line, article.version = None, "", 2
    article.save()
    new = revisions.record_revision(article, author=editor)

    changes = {c.label: (c.before, c.after) for c in revisions.diff_revisions(old, new).fields}
    assert changes["Embargo until"] == (embargo, None)
    assert changes["Credit line"] == ("According to Reuters", "")
    assert "Embargo until, Credit line" in revisions.change_summary(old, new)
    compare = reverse("admin:articles_article_revision_compare", args=[article.pk])
    page = client.get(compare, {"from": old.pk, "to": new.pk}).content.decode()
    assert "Embargo until" in page and "According to Reuters" in page

    client.post(
        reverse("admin:articles_article_revision_restore", args=[article.pk, old.pk]),
        {"expected_version": 2, "confirmed": "1"},
    )
    article.refresh_from_db()
    # The credit line comes back; the embargo stays as the change form left it.
    assert (article.embargo_until, article.credit_line) == (None, "According to Reuters")


def test_restoring_a_version_from_before_the_embargo_does_not_lift_it(client):
    editor = make_editor()  # not a superuser: the change form won't let them lift an embargo
    client.force_login(editor)
    article = make_article()
    old = revisions.record_revision(article, author=editor)
    embargo = timezone.now() + timedelta(days=2)
    article.embargo_until, article.version = embargo, 2
    article.save()
    revisions.record_revision(article, author=editor)

    client.post(
        reverse("admin:articles_article_revision_restore", args=[article.pk, old.pk]),
        {"expected_version": 2, "confirmed": "1"},
    )

    article.refresh_from_db()
    assert article.version == 3  # the restore happened
    assert article.embargo_until == embargo
