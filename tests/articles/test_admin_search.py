"""Issue 17, item 7: the admin's article search covers bodies and bylines."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import search
from articles.admin.articles import ArticleAdmin
from articles.models import Article
from articles.pagination import CappedPaginator
from tests.factories import make_article, make_author, make_reporter, make_section

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:articles_article_changelist")


def found(client, q) -> set[str]:
    return {a.headline for a in client.get(CHANGELIST, {"q": q}).context["cl"].result_list}


def test_a_word_of_the_headline_finds_the_article(editor_client):
    make_article(headline="Ferry strike called off", body="<p>Talks ended.</p>")
    make_article(headline="Other story")
    assert found(editor_client, "ferry") == {"Ferry strike called off"}


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


@pytest.fixture
def small_cap(monkeypatch):
    """A list that stops counting at 3 matches, two to a page."""
    monkeypatch.setattr(ArticleAdmin, "count_cap", 3)
    monkeypatch.setattr(ArticleAdmin, "list_per_page", 2)


def test_a_long_list_counts_up_to_the_cap_and_says_so(editor_client, small_cap):
    for _ in range(5):
        make_article(body="<p>Okonkwo spoke.</p>")
    response = editor_client.get(CHANGELIST, {"q": "Okonkwo"})
    cl = response.context["cl"]
    assert (cl.result_count, cl.count_capped, cl.paginator.num_pages) == (3, True, 2)
    page = response.content.decode()
    assert "3+ results" in page
    assert "3+ articles" in page
    assert "Select all matching articles (more than 3)" in page  # not "Select all 3"
    last = editor_client.get(CHANGELIST, {"q": "Okonkwo", "p": "2"}).context["cl"]
    assert len(last.result_list) == 1  # the pages go as far as the count


def test_a_list_within_the_cap_counts_exactly(editor_client, small_cap):
    for _ in range(3):
        make_article(body="<p>Okonkwo spoke.</p>")
    make_article(body="<p>Someone else.</p>")
    response = editor_client.get(CHANGELIST, {"q": "Okonkwo"})
    cl = response.context["cl"]
    assert (cl.result_count, cl.count_capped) == (3, False)
    page = response.content.decode()
    assert "3 results" in page and "3+" not in page
    assert "Select all 3 articles" in page


def test_the_search_counts_its_matches_once_and_never_the_whole_table(editor_client):
    make_article(body="<p>Okonkwo spoke.</p>")
    make_article()
    editor_client.get(CHANGELIST, {"q": "Okonkwo"})  # warms the per-process caches
    with CaptureQueriesContext(connection) as queries:
        editor_client.get(CHANGELIST, {"q": "Okonkwo"})
    sqls = [query["sql"] for query in queries]
    assert not [sql for sql in sqls if "COUNT(" in sql.upper()]
    assert len([sql for sql in sqls if "LIMIT 1001" in sql]) == 1


def test_the_pages_of_a_counted_search_keep_the_lists_order(editor_client, monkeypatch):
    monkeypatch.setattr(ArticleAdmin, "list_per_page", 2)
    start = timezone.now() - timedelta(days=10)
    for day in range(5):
        make_article(f"Okonkwo {day}", publish_at=start + timedelta(days=day))
    make_article("Someone else")
    pages = [
        [
            a.headline
            for a in editor_client.get(CHANGELIST, {"q": "Okonkwo", "p": str(page)})
            .context["cl"]
            .result_list
        ]
        for page in (1, 2, 3)
    ]
    assert pages == [["Okonkwo 4", "Okonkwo 3"], ["Okonkwo 2", "Okonkwo 1"], ["Okonkwo 0"]]


def test_a_name_matches_from_the_start_of_its_words(editor_client):
    make_article(headline="By Ann", authors=[make_author("Ann Lee-Porter")])
    make_article(headline="By the desk", authors=[make_author("Reporter One")])
    assert found(editor_client, "Lee") == {"By Ann"}
    assert found(editor_client, "Porter") == {"By Ann"}
    assert found(editor_client, "port") == {"By Ann"}  # Porter's start; not inside Reporter


def test_searching_shows_the_short_filters_and_any_in_use(editor_client):
    article = make_article(body="<p>Okonkwo spoke.</p>", tags=["Floods"])
    make_article(tags=["Storms"])
    tag = article.tags.get()

    def filters(**params) -> list[str]:
        response = editor_client.get(CHANGELIST, params)
        return [spec.field_path for spec in response.context["cl"].filter_specs]

    assert filters() == ["status", "section", "tags", "authors"]
    assert filters(q="Okonkwo") == ["status", "section"]
    assert filters(q="Okonkwo", tags__id__exact=str(tag.pk)) == ["status", "section", "tags"]


def test_each_row_has_its_action_checkbox_and_version(editor_client):
    article = make_article()
    page = editor_client.get(CHANGELIST).content.decode()
    assert (
        f'<input type="checkbox" name="_selected_action" value="{article.pk}" '
        f'class="action-select" aria-label="Select this object for an action - {article}">'
    ) in page
    assert f'name="version_{article.pk}" value="{article.version}"' in page


@pytest.mark.django_db
@pytest.mark.parametrize("empty", [Article.objects.none(), Article.objects.filter(pk__in=[])])
def test_a_capped_list_that_can_match_nothing_counts_nothing(empty):
    paginator = CappedPaginator(empty, 10, cap=5)

    assert (paginator.count, paginator.num_pages, list(paginator.page(1))) == (0, 1, [])
