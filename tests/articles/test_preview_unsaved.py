"""Issue 17, item 4: preview what is on the screen, before the first save too; nothing kept."""

import pytest
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article, Byline
from tests.factories import make_article, make_author, make_editor, make_reporter, make_section

pytestmark = pytest.mark.django_db
NEW = reverse("admin:articles_article_preview_unsaved_new")


def posted(section, author, **fields) -> dict:
    return {
        "headline": "Harbour wall repaired",
        "standfirst": "Repairs finished early.",
        "body": "<p>The council said the wall would hold.</p>",
        "section": section.pk,
        "tags": ["new:Flood defences"],
        "bylines-TOTAL_FORMS": "1",
        "bylines-INITIAL_FORMS": "0",
        "bylines-0-author": author.pk,
        "bylines-0-position": "0",
        **fields,
    }


def test_a_new_article_previews_in_the_site_template_and_nothing_is_kept(client):
    client.force_login(make_editor("edna"))
    response = client.post(NEW, posted(make_section("Local"), make_author("Ann Lee")))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Harbour wall repaired" in page and "Ann Lee" in page and "Flood defences" in page
    assert "Preview — not published." in page
    assert "no-store" in response["Cache-Control"]
    assert not Article.objects.exists() and not Tag.objects.exists()
    assert not Byline.objects.exists()


def test_an_existing_article_previews_the_typed_text_and_stays_as_saved(client):
    client.force_login(make_editor("edna"))
    article = make_article(headline="Saved headline", status=Article.Status.DRAFT)
    url = reverse("admin:articles_article_preview_unsaved", args=[article.pk])
    response = client.post(url, posted(article.section, make_author(), headline="Typed one"))
    assert "Typed one" in response.content.decode()
    article.refresh_from_db()
    assert (article.headline, article.version) == ("Saved headline", 1)


def test_a_preview_without_a_section_says_what_is_missing(client):
    client.force_login(make_editor("edna"))
    response = client.post(NEW, {"headline": "No section"})
    assert "Choose a section" in response.content.decode()


def test_a_reporter_cannot_preview_into_a_colleagues_article(client):
    client.force_login(make_reporter("rita"))
    article = make_article(status=Article.Status.DRAFT)
    url = reverse("admin:articles_article_preview_unsaved", args=[article.pk])
    response = client.post(url, posted(article.section, make_author(), headline="Mine"))
    assert response.status_code in (403, 404)


def test_preview_of_the_form_is_post_only(client):
    client.force_login(make_editor("edna"))
    assert client.get(NEW).status_code == 405
