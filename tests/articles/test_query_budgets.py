"""Public pages run a fixed number of queries, whatever the number of articles, tags or authors."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_article, make_author, make_image, make_section

pytestmark = pytest.mark.django_db


def populate(count: int, sections: int = 5, authors_per_article: int = 2):
    section_list = [make_section(f"Desk {n}") for n in range(sections)]
    authors = [make_author(f"Writer {n}") for n in range(authors_per_article + 3)]
    image = make_image(width=640, height=360)
    now = timezone.now()
    for n in range(count):
        make_article(
            f"Story number {n}",
            section=section_list[n % sections],
            authors=authors[n % 3 : n % 3 + authors_per_article],
            tags=[f"topic-{n % 7}", f"topic-{n % 11}"],
            publish_at=now - timedelta(minutes=n),
            hero_image=image,
        )
    return section_list


def article_with_related(tags: int, authors: int, related: int):
    section = make_section("Focus")
    tag_names = [f"tag {n}" for n in range(tags)]
    author_list = [make_author(f"Byline {n}") for n in range(authors)]
    image = make_image(width=640, height=360)
    for n in range(related):
        make_article(f"Related {n}", section=section, tags=tag_names[: n + 1], hero_image=image)
    return make_article(
        "The main story", section=section, authors=author_list, tags=tag_names, hero_image=image
    )


@pytest.mark.parametrize("count", [15, 60])
def test_home_page_query_budget(client, django_assert_max_num_queries, count):
    populate(count)
    with django_assert_max_num_queries(10):
        response = client.get("/")
    assert response.status_code == 200
    assert "Story number 0" in response.content.decode()


@pytest.mark.parametrize(("tags", "authors", "related"), [(5, 3, 4), (6, 1, 8)])
def test_article_page_query_budget(client, django_assert_max_num_queries, tags, authors, related):
    article = article_with_related(tags, authors, related)
    with django_assert_max_num_queries(8):
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert len(response.context["related"]) == 4
    assert len(response.context["article"].byline_authors) == authors


@pytest.mark.parametrize("count", [10, 45])
def test_section_page_query_budget(client, django_assert_max_num_queries, count):
    section = populate(count, sections=1)[0]
    with django_assert_max_num_queries(6):
        response = client.get(section.get_absolute_url())
    assert response.status_code == 200
    assert len(response.context["articles"]) == min(count, 20)


@pytest.mark.parametrize("count", [10, 45])
def test_tag_and_author_pages_query_budget(client, django_assert_max_num_queries, count):
    populate(count, sections=2)
    with django_assert_max_num_queries(7):
        assert client.get("/tag/topic-1/").status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get("/author/writer-1/").status_code == 200
