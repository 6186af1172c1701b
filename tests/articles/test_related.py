from datetime import timedelta

import pytest
from django.utils import timezone

from articles import querysets
from articles.models import Article
from tests.factories import make_article, make_section

pytestmark = pytest.mark.django_db


def related_headlines(article) -> list[str]:
    article = Article.objects.prefetch_related("tags").get(pk=article.pk)
    return [a.headline for a in Article.objects.live().for_cards().related_to(article)]


def test_related_articles_are_ranked_by_shared_tags():
    article = make_article("Main story", tags=["Energy", "Rivers", "Dams"])
    make_article("Shares one tag", tags=["Energy"])
    make_article("Shares three tags", tags=["Energy", "Rivers", "Dams"])
    make_article("Shares two tags", tags=["Rivers", "Dams", "Farming"])
    make_article("Shares nothing", tags=["Farming"])

    assert related_headlines(article) == ["Shares three tags", "Shares two tags", "Shares one tag"]


def test_same_section_breaks_a_tie_in_shared_tags():
    section = make_section("Environment")
    article = make_article("Main story", section=section, tags=["Energy"])
    make_article("Other section", tags=["Energy"], publish_at=timezone.now())
    make_article(
        "Same section",
        section=section,
        tags=["Energy"],
        publish_at=timezone.now() - timedelta(days=1),
    )

    assert related_headlines(article) == ["Same section", "Other section"]


def test_related_articles_never_include_drafts_or_future_scheduled():
    article = make_article("Main story", tags=["Energy"])
    make_article("Live story", tags=["Energy"])
    make_article("Draft story", tags=["Energy"], status=Article.Status.DRAFT)
    make_article(
        "Embargoed story",
        tags=["Energy"],
        status=Article.Status.SCHEDULED,
        publish_at=timezone.now() + timedelta(hours=1),
    )

    assert related_headlines(article) == ["Live story"]


def test_related_articles_are_ranked_in_one_query(django_assert_num_queries):
    article = make_article("Main story", tags=["Energy", "Rivers"])
    for number in range(8):
        make_article(f"Related {number}", tags=["Energy", "Rivers"][: number % 2 + 1])
    article = Article.objects.prefetch_related("tags").get(pk=article.pk)

    with django_assert_num_queries(1):
        ranked = list(Article.objects.live().related_to(article))

    assert len(ranked) == 4
    assert all(a.shared_tags == 2 for a in ranked)


def test_article_page_shows_related_stories(client):
    article = make_article("Main story", tags=["Energy"])
    make_article("Related story", tags=["Energy"])
    make_article("Draft story", tags=["Energy"], status=Article.Status.DRAFT)

    page = client.get(article.get_absolute_url()).content.decode()

    assert "Related story" in page
    assert "Draft story" not in page


@pytest.mark.postgres
def test_related_stories_come_from_the_newest_articles_of_each_tag(monkeypatch):
    monkeypatch.setattr(querysets, "RELATED_CANDIDATES_PER_TAG", 2)
    make_article("Older, shares both tags", tags=["Energy", "Rivers"])
    article = make_article("Main story", tags=["Energy", "Rivers"])
    for number in range(2):
        make_article(f"Newer energy {number}", tags=["Energy"])
        make_article(f"Newer rivers {number}", tags=["Rivers"])

    assert "Older, shares both tags" not in related_headlines(article)
    assert len(related_headlines(article)) == 4


def test_drafts_do_not_crowd_live_stories_out_of_the_candidates(monkeypatch):
    # The wire desk files a tagged draft per item: the newest candidates of a tag are the
    # newest live articles, not the newest tagged rows.
    monkeypatch.setattr(querysets, "RELATED_CANDIDATES_PER_TAG", 3)
    article = make_article("Main story", tags=["Energy"])
    make_article("Older live story", tags=["Energy"])
    for number in range(3):
        make_article(f"Wire draft {number}", tags=["Energy"], status=Article.Status.DRAFT)

    assert related_headlines(article) == ["Older live story"]
