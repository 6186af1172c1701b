"""What editors and reporters see in the admin, beyond the rules: links that lead somewhere,
the editor's comment where the author will read it, a readable read-only story, and a history
that names who moved each version."""

import pytest
from django.urls import reverse

from articles import revisions, workflow
from articles.models import Article, Byline
from tests.factories import (
    change_form_data,
    make_article,
    make_author,
    make_editor,
    make_reporter,
)

pytestmark = pytest.mark.django_db

Status = Article.Status


def change_url(article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


@pytest.fixture
def reporter():
    return make_reporter("rita", first_name="Rita", last_name="Reyes")


@pytest.fixture
def editor():
    return make_editor("edna", first_name="Edna", last_name="Ellis")


def test_view_on_site_is_offered_only_once_readers_can_see_the_article(client, editor):
    draft = make_article(status=Status.DRAFT)
    live = make_article(status=Status.PUBLISHED)
    client.force_login(editor)

    draft_page = client.get(change_url(draft)).content.decode()
    live_page = client.get(change_url(live)).content.decode()

    assert "View on site" not in draft_page
    assert "View on site" in live_page


def test_author_finds_the_requested_changes_at_the_top_of_the_draft(client, reporter, editor):
    article = make_article(status=Status.REVIEW, authors=[reporter.author])
    workflow.request_changes(article, by=editor, comment="Add the operator's response.")
    client.force_login(reporter)

    page = client.get(change_url(article)).content.decode()

    notice = page.split('class="workflow__feedback"', 1)[1].split("</div>", 1)[0]
    assert "Changes requested" in notice and "Edna Ellis" in notice
    assert "Add the operator&#x27;s response." in notice


def test_no_changes_requested_notice_once_the_draft_is_resubmitted(client, reporter, editor):
    article = make_article(status=Status.REVIEW, authors=[reporter.author])
    workflow.request_changes(article, by=editor, comment="Add the operator's response.")
    workflow.submit(article, by=reporter)
    client.force_login(reporter)

    page = client.get(change_url(article)).content.decode()

    assert "workflow__feedback" not in page


def test_submitted_story_reads_as_text_for_its_reporter_not_as_html_source(client, reporter):
    article = make_article(
        status=Status.REVIEW,
        authors=[reporter.author],
        body="<h2>Why it matters</h2><p>The ferry is the only link.</p>",
    )
    client.force_login(reporter)

    page = client.get(change_url(article)).content.decode()

    assert '<div class="readonly-body"><h2>Why it matters</h2><p>The ferry' in page
    assert "&lt;h2&gt;" not in page
    assert 'name="new_tags"' not in page and "New tags" not in page


def test_history_names_who_moved_the_version_through_the_workflow(client, reporter, editor):
    article = make_article(status=Status.DRAFT, authors=[reporter.author])
    workflow.submit(article, by=reporter)
    client.force_login(editor)

    page = client.get(change_url(article)).content.decode()

    assert revisions.latest_revision(article).author == reporter
    assert f"Version {article.version}, last changed by Rita Reyes on" in page
    assert "someone" not in page


def test_bulk_schedule_page_speaks_of_one_article_in_the_singular(client, editor):
    article = make_article(status=Status.DRAFT)
    client.force_login(editor)

    response = client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "schedule_selected", "_selected_action": [article.pk]},
    )

    page = response.content.decode()
    assert "Schedule this article to go live" in page
    assert "these 1 article" not in page


def test_admin_pages_carry_the_site_name(client, editor, settings):
    client.force_login(editor)

    page = client.get(reverse("admin:index")).content.decode()

    assert f">{settings.SITE_NAME}<" in page
    assert "Django administration" not in page


def test_bylines_saved_with_equal_positions_are_numbered_in_the_order_given(client):
    client.force_login(make_editor())
    first, second = make_author("First Writer"), make_author("Second Writer")
    article = make_article(authors=[first])
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = change_form_data(client.get(url))
    data |= {"bylines-1-author": second.pk, "bylines-1-position": 0}

    response = client.post(url, data)

    assert response.status_code == 302
    assert [(b.author.name, b.position) for b in Byline.objects.filter(article=article)] == [
        ("First Writer", 0),
        ("Second Writer", 1),
    ]
