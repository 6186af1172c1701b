"""API responses are cached like pages: ETag and 304, Cache-Control, and every change a
reader could see shows at once in lists and in the article, however it was cached."""

import pytest
from django.utils import timezone

from articles import workflow
from articles.models import Article
from tests.factories import make_article, make_author, make_editor

pytestmark = pytest.mark.django_db
LIST = "/api/ninjs/articles/"


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE = True
    # Tests change data and read within microseconds, on one clock.
    settings.PAGE_CACHE_CLOCK_MARGIN = 0


def cached(client, url):
    """Read `url` twice: the second answer comes from the page cache."""
    client.get(url)
    response = client.get(url)
    assert response["X-Page-Cache"] == "hit"
    return response


@pytest.mark.parametrize("kind", ["list", "detail"])
def test_etag_answers_304_and_cache_control_follows_pages(client, settings, story, kind):
    url = LIST if kind == "list" else f"{LIST}{story.pk}"
    response = client.get(url)
    assert response.status_code == 200 and response["ETag"]
    cache_control = response["Cache-Control"]
    assert "public" in cache_control
    assert f"max-age={settings.PAGE_CACHE_BROWSER_SECONDS}" in cache_control
    assert "s-maxage=" in cache_control
    assert (
        "latest" in response["Surrogate-Key"] or f"article-{story.pk}" in response["Surrogate-Key"]
    )
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again.content == b""


def test_304_also_without_the_page_cache(client, settings, story):
    settings.PAGE_CACHE = False
    response = client.get(f"{LIST}{story.pk}")
    assert client.get(f"{LIST}{story.pk}", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_edit_shows_in_list_and_detail_at_once(client, story):
    detail = f"{LIST}{story.pk}"
    old_etag = cached(client, detail)["ETag"]
    cached(client, LIST)
    story.headline = "Council approves the crossing, with conditions"
    story.save()
    response = client.get(detail)
    assert response.json()["headlines"][0]["value"] == story.headline
    assert response["ETag"] != old_etag
    assert client.get(detail, HTTP_IF_NONE_MATCH=old_etag).status_code == 200
    assert client.get(LIST).json()["items"][0]["headlines"][0]["value"] == story.headline


def test_publish_shows_in_list_at_once(client):
    make_article("Already out")
    cached(client, LIST)
    draft = make_article("Just in", status=Article.Status.DRAFT)
    workflow.publish(draft, by=make_editor())
    items = client.get(LIST).json()["items"]
    assert [i["headlines"][0]["value"] for i in items] == ["Just in", "Already out"]


def test_unpublish_leaves_the_filtered_list_at_once(client, story):
    url = f"{LIST}?tag=transport"
    assert len(cached(client, url).json()["items"]) == 1
    workflow.unpublish(story, by=make_editor())
    assert client.get(url).status_code == 400  # the tag is no longer on any live article
    assert client.get(LIST).json()["items"] == []


def test_author_rename_shows_in_the_article(client, story):
    detail = f"{LIST}{story.pk}"
    cached(client, detail)
    author = story.byline_authors[0]
    author.name = "Ana Silva-Reyes"
    author.save()
    assert client.get(detail).json()["by"].startswith("Ana Silva-Reyes")


def test_scheduled_article_ends_the_lists_lifetime(client, clock):
    make_article("Out")
    make_article(
        "Later",
        status=Article.Status.SCHEDULED,
        publish_at=timezone.now() + timezone.timedelta(seconds=90),
    )
    clock.shift(1)  # stored only when begun after the last purge
    cached(client, LIST)
    clock.shift(91)
    assert [i["headlines"][0]["value"] for i in client.get(LIST).json()["items"]] == [
        "Later",
        "Out",
    ]


def test_new_byline_shows_in_the_article(client, story):
    detail = f"{LIST}{story.pk}"
    cached(client, detail)
    story.bylines.create(author=make_author("Chloe Martin"), position=2)
    assert client.get(detail).json()["by"] == "Ana Silva, Ben Okafor and Chloe Martin"
