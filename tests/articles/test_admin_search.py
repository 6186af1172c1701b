"""Issue 17, item 7: the admin's article search covers bodies and bylines."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles import search
from articles.models import Article
from tests.factories import make_article, make_author, make_reporter, make_section

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:articles_article_changelist")


def found(client, q) -> set[str]:
    return {a.headline for a in client.get(CHANGELIST, {"q": q}).context["cl"].result_list}


def test_a_name_in_the_body_finds_the_article(editor_client):
    make_article(headline="Port reopens", body="<p>Said harbourmaster Okonkwo.</p>")
    make_article(headline="Other story")
    assert found(editor_client, "Okonkwo") == {"Port reopens"}


def test_an_authors_name_finds_their_articles(editor_client):
    make_article(headline="By Ann", authors=[make_author("Ann Lee")])
    make_article(headline="By Raj", authors=[make_author("Raj Patel")])
    assert found(editor_client, "Ann Lee") == {"By Ann"}


def test_an_excluded_word_leaves_articles_out(editor_client):
    make_article(headline="Floods and storms", body="<p>Rain.</p>")
    make_article(headline="Floods only", body="<p>Rain.</p>")
    assert found(editor_client, "floods -storms") == {"Floods only"}


def test_a_reporter_still_finds_only_their_own(client):
    rita = make_reporter("rita")
    client.force_login(rita)
    make_article(headline="Rita's", status=Article.Status.DRAFT, authors=[rita.author])
    make_article(headline="Not hers", status=Article.Status.DRAFT, body="<p>Rita said.</p>")
    assert found(client, "Rita") == {"Rita's"}


def test_the_search_costs_the_same_queries_for_more_results(editor_client):
    def queries_for_search() -> int:
        with CaptureQueriesContext(connection) as queries:
            editor_client.get(CHANGELIST, {"q": "Okonkwo"})
        return len(queries)

    section = make_section()
    make_article(body="<p>Okonkwo spoke.</p>", section=section)
    queries_for_search()  # warms the per-process caches (content types)
    few = queries_for_search()
    for _ in range(4):
        make_article(body="<p>Okonkwo spoke.</p>", section=section)
    assert queries_for_search() == few <= 16


@pytest.mark.postgres
def test_on_postgresql_the_body_is_searched_through_the_search_vector(editor_client):
    article = make_article(headline="Port reopens", body="<p>Harbourmasters spoke.</p>")
    search.update_search_vectors(Article.objects.filter(pk=article.pk))
    assert found(editor_client, "harbourmaster") == {"Port reopens"}  # stemmed


def test_searching_leaves_out_the_date_drill_down(editor_client):
    make_article()
    assert editor_client.get(CHANGELIST).context["cl"].date_hierarchy == "publish_at"
    assert editor_client.get(CHANGELIST, {"q": "river"}).context["cl"].date_hierarchy is None
