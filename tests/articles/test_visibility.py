"""Article.objects.live() is the one gate: drafts and future schedules never leak."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_author, make_section

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    section = make_section("World")
    author = make_author("Amara Okafor")
    live = make_article("Live story", section=section, authors=[author], tags=["Water"])
    draft = make_article(
        "Draft story",
        status=Article.Status.DRAFT,
        section=section,
        authors=[author],
        tags=["Water"],
    )
    in_review = make_article(
        "Review story",
        status=Article.Status.REVIEW,
        section=section,
        authors=[author],
        tags=["Water"],
    )
    future = make_article(
        "Future story",
        status=Article.Status.SCHEDULED,
        publish_at=timezone.now() + timedelta(hours=2),
        section=section,
        authors=[author],
        tags=["Water"],
    )
    return {
        "section": section,
        "author": author,
        "live": live,
        "hidden": [draft, in_review, future],
    }


def public_pages(world) -> list[str]:
    return [
        "/",
        "/section/world/",
        "/tag/water/",
        "/author/amara-okafor/",
        world["live"].get_absolute_url(),
    ]


def test_unpublished_articles_are_absent_from_every_list(client, world):
    for url in public_pages(world):
        html = client.get(url).content.decode()
        for article in world["hidden"]:
            assert article.headline not in html, f"{article.headline} leaked on {url}"


def test_live_article_is_listed_everywhere(client, world):
    for url in public_pages(world)[:4]:
        assert "Live story" in client.get(url).content.decode(), url


def test_unpublished_article_urls_answer_404(client, world):
    for article in world["hidden"]:
        assert client.get(article.get_absolute_url()).status_code == 404


def test_unpublished_articles_are_not_related(client, world):
    response = client.get(world["live"].get_absolute_url())
    assert list(response.context["related"]) == []


def test_scheduled_article_appears_when_its_time_passes(client, world, clock):
    future = world["hidden"][2]
    clock.move_to(future.publish_at - timedelta(seconds=1))
    assert client.get(future.get_absolute_url()).status_code == 404

    clock.move_to(future.publish_at)

    assert client.get(future.get_absolute_url()).status_code == 200
    for url in public_pages(world)[:4]:
        assert "Future story" in client.get(url).content.decode(), url
    assert list(client.get(world["live"].get_absolute_url()).context["related"]) == [future]
    assert Article.objects.get(pk=future.pk).status == Article.Status.SCHEDULED  # no job ran


def test_archived_article_is_not_live(world):
    archived = make_article("Old story", status=Article.Status.ARCHIVED, section=world["section"])
    assert archived not in Article.objects.live()
    assert not archived.is_live


def test_live_queryset_and_is_live_agree(world, clock):
    every = Article.objects.all()
    live = set(Article.objects.live())
    for article in every:
        assert article.is_live == (article in live)
