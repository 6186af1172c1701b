"""Tampered ids and filters in staff forms and URLs get a form error or a 400, never a 500."""

import pytest

from articles.models import Article
from tests.factories import (
    change_form_data,
    make_article,
    make_editor,
    make_subscriber,
    make_user,
)

pytestmark = pytest.mark.django_db

HUGE_ID = "1" * 24


@pytest.fixture
def editor(client):
    user = make_editor()
    client.force_login(user)
    return user


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("tags", "abc"),
        ("tags", "1.5"),
        ("tags", HUGE_ID),
        ("tags", "3000000000"),  # beyond taggit's 32-bit ids on PostgreSQL
        ("hero_image", "abc"),
        ("hero_image", HUGE_ID),
        ("section", "abc"),
        ("section", HUGE_ID),
    ],
)
def test_article_form_with_a_tampered_id_comes_back_with_an_error(client, editor, field, value):
    article = make_article("Harbour reopens", status=Article.Status.DRAFT, tags=["Harbour"])
    url = f"/admin/articles/article/{article.pk}/change/"
    data = change_form_data(client.get(url), headline="Changed headline", **{field: value})

    response = client.post(url, data)

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    article.refresh_from_db()
    assert article.headline == "Harbour reopens"


@pytest.fixture
def exporter(client, terms):
    user = make_user("newsdesk", is_superuser=True)
    client.force_login(user)
    for _ in range(3):
        make_subscriber()
    return user


@pytest.mark.parametrize(
    "query",
    [
        "created_at__year=abc",
        "created_at__year=2024&created_at__month=2&created_at__day=31",
        "no_such_field=1",
    ],
)
def test_subscriber_export_with_a_tampered_filter_is_a_400(client, exporter, query):
    response = client.get(f"/admin/newsletter/subscriber/export/?{query}")
    assert response.status_code == 400


def test_subscriber_export_ignores_the_list_page_number(client, exporter):
    response = client.get("/admin/newsletter/subscriber/export/?p=5")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert len(body.strip().splitlines()) == 4  # header and three subscribers


def test_revision_compare_with_a_huge_id_asks_for_two_revisions(client, editor):
    article = make_article(status=Article.Status.DRAFT)
    url = f"/admin/articles/article/{article.pk}/revisions/compare/?from=1&to={HUGE_ID}"

    response = client.get(url)

    assert response.status_code == 302
    assert response.url.endswith(f"/admin/articles/article/{article.pk}/revisions/")
