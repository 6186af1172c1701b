"""The reading site: what each public page shows."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import DatabaseError
from django.utils import timezone

from articles.querysets import ArticleQuerySet
from tests.factories import make_article, make_author, make_correction, make_image, make_section

pytestmark = pytest.mark.django_db


def test_article_page_shows_the_story(client):
    amara, daniel = make_author("Amara Okafor"), make_author("Daniel Reyes")
    image = make_image(
        caption="Crowds at the quay.", credit="Jo Lee / Newsroom", alt_text="A crowd"
    )
    article = make_article(
        "Ferry strike ends after talks",
        standfirst="Crews return on Monday.",
        authors=[daniel, amara],
        hero_image=image,
        tags=["Labour", "Transport"],
        body="<p>First.</p><figure><blockquote><p>“Done.”</p></blockquote>"
        "<figcaption>Ana Silva, union chair</figcaption></figure>",
    )

    make_correction(article, "An earlier version misnamed the union.")
    html = client.get(article.get_absolute_url()).content.decode()

    assert "<h1" in html and "Ferry strike ends after talks" in html
    assert "Crews return on Monday." in html
    assert html.index("Daniel Reyes") < html.index("Amara Okafor")  # byline order
    assert 'href="/author/daniel-reyes/"' in html
    assert f'datetime="{timezone.localtime(article.publish_at).isoformat()}"' in html
    assert "Crowds at the quay." in html and "Jo Lee / Newsroom" in html
    assert 'alt="A crowd"' in html
    assert "<strong>Correction</strong>" in html and "misnamed the union" in html
    assert "<blockquote><p>“Done.”</p></blockquote>" in html
    assert 'href="/tag/labour/"' in html and 'href="/tag/transport/"' in html


def test_related_articles_rank_by_shared_tags_then_section(client):
    home, away = make_section("Home"), make_section("Away")
    article = make_article("Main", section=home, tags=["a", "b", "c"])
    two_tags_away = make_article("Two tags away", section=away, tags=["a", "b"])
    one_tag_home = make_article("One tag home", section=home, tags=["a"])
    one_tag_away = make_article("One tag away", section=away, tags=["c"])
    make_article("No shared tag", section=home, tags=["z"])
    three_tags = make_article("Three tags", section=away, tags=["a", "b", "c", "z"])
    make_article(
        "Fifth candidate", section=away, tags=["b"], publish_at=timezone.now() - timedelta(days=9)
    )

    related = list(client.get(article.get_absolute_url()).context["related"])

    assert related == [three_tags, two_tags_away, one_tag_home, one_tag_away]


def test_related_articles_come_in_one_query(django_assert_num_queries):
    from articles.models import Article

    article = make_article("Main", tags=["a", "b"])
    make_article("Other", tags=["a"])
    article = Article.objects.prefetch_related("tags").get(pk=article.pk)
    list(article.tags.all())
    with django_assert_num_queries(1):
        list(Article.objects.live().related_to(article))


def test_section_page_lists_newest_first_and_paginates(client):
    section = make_section("Business")
    now = timezone.now()
    for n in range(25):
        make_article(
            f"Business story {n:02d}", section=section, publish_at=now - timedelta(hours=n)
        )

    first = client.get("/section/business/")
    second = client.get("/section/business/?page=2")

    headlines = [a.headline for a in first.context["articles"]]
    assert headlines[0] == "Business story 00" and len(headlines) == 20
    assert [a.headline for a in second.context["articles"]][-1] == "Business story 24"
    assert 'rel="next"' in first.content.decode()
    assert client.get("/section/business/?page=9").status_code == 404


@pytest.mark.parametrize("kind", ["tag", "author"])
def test_tag_and_author_pages_list_newest_first_and_paginate(client, kind):
    author = make_author("Amara Okafor")
    now = timezone.now()
    for n in range(23):
        make_article(
            f"Ports story {n:02d}",
            authors=[author],
            tags=["Ports"],
            publish_at=now - timedelta(hours=n),
        )
    make_article("Elsewhere", tags=["Fares"])
    url = {"tag": "/tag/ports/", "author": "/author/amara-okafor/"}[kind]

    first, second = client.get(url), client.get(url + "?page=2")

    assert [a.headline for a in first.context["articles"]] == [
        f"Ports story {n:02d}" for n in range(20)
    ]
    assert [a.headline for a in second.context["articles"]] == [
        f"Ports story {n:02d}" for n in range(20, 23)
    ]
    assert 'rel="next"' in first.content.decode() and 'rel="prev"' in second.content.decode()


def test_updated_article_shows_published_and_updated_times(client, clock):
    clock.move_to(datetime(2026, 7, 1, 9, 30, tzinfo=UTC))  # summer time: not UTC in London
    article = make_article("Ferry strike ends")
    published = article.publish_at
    clock.shift(timedelta(hours=3))
    article.save()
    make_correction(article, "Adds the union's statement.", kind="update")

    html = client.get(article.get_absolute_url()).content.decode()

    published, updated = timezone.localtime(published), timezone.localtime(article.updated_at)
    assert f'Published <time datetime="{published.isoformat()}">' in html
    assert f'Updated <time datetime="{updated.isoformat()}">' in html
    assert "Adds the union" in html


def test_home_page_has_lead_latest_and_section_blocks(client):
    sections = [make_section(name, position=n) for n, name in enumerate(["News", "Arts", "Sport"])]
    now = timezone.now()
    for n in range(30):
        make_article(f"Story {n}", section=sections[n % 3], publish_at=now - timedelta(hours=n))

    response = client.get("/")

    assert response.context["lead"].headline == "Story 0"
    assert len(response.context["latest"]) == 12
    blocks = response.context["section_blocks"]
    assert [section.name for section, _ in blocks] == ["News", "Arts", "Sport"]
    shown = {response.context["lead"].pk} | {a.pk for a in response.context["latest"]}
    for _, articles in blocks:
        assert 0 < len(articles) <= 4 and not shown & {a.pk for a in articles}


def test_lead_photo_loads_at_once_and_the_rest_lazily(client):
    image = make_image(width=1200, height=800)
    for n in range(20):
        make_article(f"Story {n}", hero_image=image)

    page = client.get("/").content.decode()

    lead = page.split('class="front__lead"')[1].split("</picture>")[0]
    assert "<img" in lead and 'loading="lazy"' not in lead
    below = page.split('class="section-block"')[1]
    assert 'loading="lazy"' in below


def test_unknown_pages_answer_404_in_the_site_design(client):
    make_section("News")
    response = client.get("/section/nope/")
    assert response.status_code == 404
    assert "We can’t find that page" in response.content.decode()
    assert 'class="masthead"' in response.content.decode()
    assert client.get("/tag/nope/").status_code == 404
    assert client.get("/author/nope/").status_code == 404
    assert client.get("/articles/nope/").status_code == 404


def test_server_error_answers_500_in_the_site_design(client, monkeypatch):
    def database_down(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(ArticleQuerySet, "live", database_down)
    client.raise_request_exception = False

    response = client.get("/")

    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert 'class="masthead"' in page and "/static/css/site.css" in page


def test_empty_site_home_page_says_so(client):
    assert "Nothing has been published yet." in client.get("/").content.decode()
