"""The admin's lists: columns, filters, search, autocomplete and thumbnails editors rely on."""

import pytest
from django.urls import reverse

from articles.models import Article
from tests.factories import make_article, make_author, make_image, make_section

pytestmark = pytest.mark.django_db

ARTICLES = reverse("admin:articles_article_changelist")


@pytest.fixture
def desk():
    """Four articles that differ in exactly one of status, section, tag and author."""
    news, arts = make_section("News"), make_section("Arts")
    amara, daniel = make_author("Amara Okafor"), make_author("Daniel Reyes")
    return {
        "news": news,
        "arts": arts,
        "amara": amara,
        "daniel": daniel,
        "published": make_article(
            "Ferry strike ends", section=news, authors=[amara], tags=["Ports"]
        ),
        "draft": make_article(
            "Budget leak",
            status=Article.Status.DRAFT,
            section=news,
            authors=[amara],
            tags=["Ports"],
        ),
        "gallery": make_article("Gallery reopens", section=arts, authors=[amara], tags=["Ports"]),
        "other_tag": make_article("Tram fares rise", section=news, authors=[amara], tags=["Fares"]),
        "other_author": make_article(
            "Harbour dredging", section=news, authors=[daniel], tags=["Ports"]
        ),
    }


def headlines(response) -> set[str]:
    assert response.status_code == 200
    return {article.headline for article in response.context["cl"].result_list}


def test_article_list_shows_thumbnail_section_status_and_publish_time(editor_client):
    image = make_image(width=640, height=360)
    make_article("Ferry strike ends", section=make_section("News"), hero_image=image)

    page = editor_client.get(ARTICLES).content.decode()

    for column in ["column-headline", "column-section", "column-status", "column-publish_at"]:
        assert column in page
    # The smallest rendition, not the original (which may be a 20 MB photo per row).
    smallest = image.renditions.get(format="webp", width=480)
    assert f'<img src="{smallest.file.url}" alt=""' in page
    assert ">News<" in page and ">Published<" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status__exact": "draft"}, {"Budget leak"}),
        ({"section__id__exact": "{arts}"}, {"Gallery reopens"}),
        ({"tags__id__exact": "{fares}"}, {"Tram fares rise"}),
        ({"authors__id__exact": "{daniel}"}, {"Harbour dredging"}),
    ],
    ids=["status", "section", "tag", "author"],
)
def test_article_list_filters_by_status_section_tag_and_author(
    editor_client, desk, query, expected
):
    fares = desk["other_tag"].tags.get().pk
    ids = {"arts": desk["arts"].pk, "fares": fares, "daniel": desk["daniel"].pk}
    query = {key: value.format(**ids) for key, value in query.items()}

    assert headlines(editor_client.get(ARTICLES, query)) == expected


def test_article_list_offers_every_filter(editor_client, desk):
    page = editor_client.get(ARTICLES).content.decode()

    for choice in ["?status__exact=draft", "?section__id__exact=", "?tags__id__exact="]:
        assert choice in page
    assert f"?authors__id__exact={desk['daniel'].pk}" in page


def test_article_list_search_finds_headline_and_standfirst(editor_client, desk):
    make_article("Council vote", standfirst="The dredging contract is approved.")

    assert headlines(editor_client.get(ARTICLES, {"q": "dredging"})) == {
        "Harbour dredging",
        "Council vote",
    }


def test_article_list_query_count_does_not_grow_with_rows(
    editor_client, django_assert_max_num_queries
):
    image = make_image(width=64, height=36)
    make_article(hero_image=image, tags=["One"])
    with django_assert_max_num_queries(100) as one_row:
        editor_client.get(ARTICLES)
    for n in range(15):
        make_article(section=make_section(), hero_image=make_image(64, 36), tags=[f"T{n}"])

    with django_assert_max_num_queries(len(one_row)):
        response = editor_client.get(ARTICLES)

    assert len(response.context["cl"].result_list) == 16


def autocomplete(client, model_name: str, field_name: str, term: str):
    return client.get(
        reverse("admin:autocomplete"),
        {
            "term": term,
            "app_label": "articles",
            "model_name": model_name,
            "field_name": field_name,
        },
    )


def test_byline_author_is_chosen_by_autocomplete(editor_client):
    make_author("Amara Okafor")
    make_author("Daniel Reyes")

    response = autocomplete(editor_client, "byline", "author", "okaf")

    assert response.status_code == 200
    assert [item["text"] for item in response.json()["results"]] == ["Amara Okafor"]


def test_article_form_uses_autocomplete_for_bylines_and_tags(editor_client):
    page = editor_client.get(reverse("admin:articles_article_add")).content.decode()

    assert 'data-field-name="author"' in page and 'data-model-name="byline"' in page
    assert 'data-field-name="tags"' in page and "admin-autocomplete" in page


def test_image_list_shows_thumbnails_from_the_smallest_rendition(editor_client):
    image = make_image(width=1200, height=800, credit="Jo Lee")
    smallest = image.renditions.get(format="webp", width=480)

    page = editor_client.get(reverse("admin:articles_image_changelist")).content.decode()

    assert f'<img src="{smallest.file.url}" alt=""' in page
    assert "1200 × 800" in page and "Jo Lee" in page


@pytest.mark.parametrize(
    ("url", "search", "shown", "hidden"),
    [
        ("admin:articles_section_changelist", "Arts", "Arts", "News"),
        ("admin:articles_author_changelist", "Okafor", "Amara Okafor", "Daniel Reyes"),
    ],
    ids=["sections", "authors"],
)
def test_section_and_author_lists_search_by_name(editor_client, desk, url, search, shown, hidden):
    found = {
        str(obj) for obj in editor_client.get(reverse(url), {"q": search}).context["cl"].result_list
    }

    assert shown in found and hidden not in found
