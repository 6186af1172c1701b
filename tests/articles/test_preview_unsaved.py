"""Issue 17, item 4: preview what is on the screen, before the first save too; nothing kept."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles import caching
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


def test_a_preview_purges_no_cached_page(client, settings):
    settings.PAGE_CACHE = True
    settings.PAGE_CACHE_CLOCK_MARGIN = 0
    article = make_article(headline="Live headline")
    reader = Client()
    reader.get(article.get_absolute_url())
    assert reader.get(article.get_absolute_url())["X-Page-Cache"] == "hit"
    client.force_login(make_editor("edna"))

    url = reverse("admin:articles_article_preview_unsaved", args=[article.pk])
    client.post(url, posted(article.section, make_author(), headline="Typed one"))

    assert reader.get(article.get_absolute_url())["X-Page-Cache"] == "hit"


def test_a_preview_leaves_the_next_publication_time_alone(client):
    later = timezone.now() + timedelta(hours=1)
    scheduled = make_article(status=Article.Status.SCHEDULED, publish_at=later)
    caching.next_publish_at()
    known = cache.get_many([caching.NEXT_PUBLISH_KEY, caching.SCHEDULE_VERSION_KEY])
    client.force_login(make_editor("edna"))

    url = reverse("admin:articles_article_preview_unsaved", args=[scheduled.pk])
    client.post(url, posted(scheduled.section, make_author(), headline="Typed one"))

    assert cache.get_many([caching.NEXT_PUBLISH_KEY, caching.SCHEDULE_VERSION_KEY]) == known


def test_a_preview_with_another_articles_slug_says_so(client):
    client.force_login(make_editor("edna"))
    taken = make_article(slug="harbour-wall-repaired")

    response = client.post(NEW, posted(taken.section, make_author(), slug=taken.slug))

    assert response.status_code == 200
    assert "Another article already uses this slug" in response.content.decode()
    assert Article.objects.count() == 1


def test_a_preview_with_the_same_author_twice_shows_one_byline(client):
    client.force_login(make_editor("edna"))
    author = make_author("Ann Lee")
    twice = {"bylines-TOTAL_FORMS": "2", "bylines-1-author": author.pk, "bylines-1-position": "1"}

    response = client.post(NEW, posted(make_section("Local"), author, **twice))

    assert response.status_code == 200
    assert response.content.decode().count("Ann Lee") >= 1
