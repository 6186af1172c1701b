"""GET /api/ninjs/articles/<id or uri>: one live article; anything else answers 404."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from articles import workflow
from articles.models import Article
from tests.factories import make_article, make_editor

pytestmark = pytest.mark.django_db


def test_article_by_id(client, story):
    response = client.get(f"/api/ninjs/articles/{story.pk}")
    assert response.status_code == 200
    assert response.json()["headlines"][0]["value"] == story.headline


@override_settings(SITE_URL="https://www.example.org")
def test_article_by_its_uri(client, story):
    uri = client.get(f"/api/ninjs/articles/{story.pk}").json()["uri"]
    response = client.get(f"/api/ninjs/articles/{uri}")
    assert response.status_code == 200
    assert response.json()["uri"] == uri
    folded = uri.replace("://", ":/")  # as some proxies pass it on
    assert client.get(f"/api/ninjs/articles/{folded}").status_code == 200


@pytest.mark.parametrize(
    "status, minutes",
    [
        (Article.Status.DRAFT, None),
        (Article.Status.REVIEW, None),
        (Article.Status.SCHEDULED, 30),
        (Article.Status.ARCHIVED, -60),
    ],
)
def test_article_readers_cannot_see_is_404(client, status, minutes):
    publish_at = timezone.now() + timedelta(minutes=minutes) if minutes is not None else None
    article = make_article(status=status, publish_at=publish_at)
    for ident in (str(article.pk), f"http://127.0.0.1:8000/api/ninjs/articles/{article.pk}"):
        response = client.get(f"/api/ninjs/articles/{ident}")
        assert response.status_code == 404
        assert response.json() == {"error": "No live article has this id or uri."}
    assert client.get("/api/ninjs/articles/").json()["items"] == []


def test_scheduled_article_appears_when_its_time_passes(client, clock):
    article = make_article(
        status=Article.Status.SCHEDULED, publish_at=timezone.now() + timedelta(minutes=5)
    )
    assert client.get(f"/api/ninjs/articles/{article.pk}").status_code == 404
    clock.shift(301)
    assert client.get(f"/api/ninjs/articles/{article.pk}").status_code == 200


def test_unpublished_article_is_404_at_once(client, settings):
    settings.PAGE_CACHE_CLOCK_MARGIN = 0
    article = make_article()
    url = f"/api/ninjs/articles/{article.pk}"
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    workflow.unpublish(article, by=make_editor())
    assert client.get(url).status_code == 404
    assert client.get("/api/ninjs/articles/").json()["items"] == []


def test_unknown_and_malformed_ids_are_404(client):
    idents = ("999999", "not-an-id", "https://elsewhere.example/api/ninjs/articles/1", "0",
              "9" * 40, "-1", "1.5", "²")  # fmt: skip
    for ident in idents:
        assert client.get(f"/api/ninjs/articles/{ident}").status_code == 404


def test_the_api_is_read_only(client, story):
    for url in ("/api/ninjs/articles/", f"/api/ninjs/articles/{story.pk}"):
        assert client.post(url).status_code == 405
