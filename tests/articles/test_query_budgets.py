"""Public pages run a fixed number of queries, whatever the number of articles, tags or authors.

Each test measures a page at a small size, grows the data (more articles, more tags and bylines
per article), measures again, and asserts both counts are the same and within the budget.
"""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.factories import (
    make_article,
    make_author,
    make_correction,
    make_image,
    make_section,
)

pytestmark = pytest.mark.django_db


def populate(count: int, sections, *, authors_per_article: int = 1, tags_per_article: int = 2):
    """`count` live articles spread over `sections`, each newer than any made before."""
    authors = [make_author() for _ in range(authors_per_article + 2)]
    image = make_image(width=640, height=360)
    newest = timezone.now() + timedelta(minutes=count)
    for n in range(count):
        make_article(
            section=sections[n % len(sections)],
            authors=authors[n % 3 : n % 3 + authors_per_article],
            tags=[f"topic-{(n + t) % 13}" for t in range(tags_per_article)],
            publish_at=newest - timedelta(minutes=n),
            hero_image=image,
        )


def article_with_related(section_name: str, tags: int, authors: int, candidates: int):
    """An article with `tags` tags and `authors` bylines; `candidates` live articles share
    between 1 and all of its tags (and have three bylines and a photo each)."""
    section = make_section(section_name)
    tag_names = [f"{section_name} tag {n}" for n in range(tags)]
    writers = [make_author() for _ in range(3)]
    image = make_image(width=640, height=360)
    for n in range(candidates):
        make_article(
            section=section, authors=writers, tags=tag_names[: n % tags + 1], hero_image=image
        )
    return make_article(
        section=section,
        authors=[make_author() for _ in range(authors)],
        tags=tag_names,
        hero_image=image,
    )


def queries_for(client, url: str, budget: int, django_assert_max_num_queries):
    """The number of queries `url` takes with a cold cache (the worst case), within `budget`."""
    cache.clear()
    with django_assert_max_num_queries(budget) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


def test_home_page_query_budget(client, django_assert_max_num_queries):
    sections = [make_section() for _ in range(5)]
    populate(15, sections)
    small, _ = queries_for(client, "/", 10, django_assert_max_num_queries)

    populate(45, sections, authors_per_article=3, tags_per_article=5)
    large, response = queries_for(client, "/", 10, django_assert_max_num_queries)

    assert large == small
    assert len(response.context["latest"]) == 12
    assert [len(articles) for _, articles in response.context["section_blocks"]] == [4] * 5


def test_article_page_query_budget(client, django_assert_max_num_queries):
    article = article_with_related("Focus", tags=5, authors=3, candidates=4)
    small, response = queries_for(
        client, article.get_absolute_url(), 8, django_assert_max_num_queries
    )
    assert len(response.context["related"]) == 4
    assert len(response.context["article"].byline_authors) == 3

    bigger = article_with_related("Wide", tags=9, authors=6, candidates=20)
    large, response = queries_for(
        client, bigger.get_absolute_url(), 8, django_assert_max_num_queries
    )

    assert large == small
    assert len(response.context["related"]) == 4
    assert len(response.context["article"].byline_authors) == 6

    # Corrections cost a query only on an article that has some on the record.
    make_correction(bigger)
    corrected, response = queries_for(
        client, bigger.get_absolute_url(), 8, django_assert_max_num_queries
    )
    assert corrected == large + 1
    assert len(response.context["record"]) == 1


def test_section_page_query_budget(client, django_assert_max_num_queries):
    section = make_section("Desk")
    populate(10, [section])
    small, _ = queries_for(client, "/section/desk/", 6, django_assert_max_num_queries)

    populate(35, [section], authors_per_article=3, tags_per_article=5)
    large, response = queries_for(client, "/section/desk/", 6, django_assert_max_num_queries)

    assert large == small
    assert len(response.context["articles"]) == 20


@pytest.mark.parametrize("url", ["/tag/topic-1/", "/author/{author}/"])
def test_tag_and_author_pages_query_budget(client, django_assert_max_num_queries, url):
    sections = [make_section(), make_section()]
    author = make_author()
    make_article(
        section=sections[0], authors=[author], tags=["topic-1"], hero_image=make_image(64, 36)
    )
    url = url.format(author=author.slug)
    small, _ = queries_for(client, url, 7, django_assert_max_num_queries)

    for n in range(30):
        make_article(
            section=sections[n % 2],
            authors=[author, make_author(), make_author()],
            tags=["topic-1", f"other-{n}", f"more-{n}"],
            hero_image=make_image(width=64, height=36) if n % 3 == 0 else None,
        )
    large, response = queries_for(client, url, 7, django_assert_max_num_queries)

    assert large == small
    assert len(response.context["articles"]) == 20
