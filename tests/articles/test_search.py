import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles import tags
from articles.models import Article
from articles.search import MAX_TERMS, parse_query, search
from tests.factories import make_article, make_section

pytestmark = pytest.mark.django_db

SEARCH = reverse("articles:search")


def found(query: str) -> list[str]:
    return [article.headline for article in search(query)]


def results_page(client, query: str, **params):
    response = client.get(SEARCH, {"q": query, **params})
    assert response.status_code == 200
    return response


def test_empty_query_shows_the_search_form_and_no_results(client):
    make_article("Harbour reopens after storm")

    response = client.get(SEARCH)

    assert response.status_code == 200
    assert response.context["page_obj"] is None
    assert b'name="q"' in response.content
    assert b"Harbour reopens" not in response.content


def test_search_finds_a_live_article_by_a_headline_word(client):
    make_article("Harbour reopens after storm")
    make_article("Council sets budget")

    response = results_page(client, "harbour")

    assert [a.headline for a in response.context["page_obj"]] == ["Harbour reopens after storm"]


def test_drafts_and_future_scheduled_articles_are_never_found(client):
    make_article("Harbour reopens after storm")
    make_article("Harbour draft story", status=Article.Status.DRAFT)
    make_article("Harbour in review", status=Article.Status.REVIEW)
    make_article(
        "Harbour embargoed story",
        status=Article.Status.SCHEDULED,
        publish_at=timezone.now() + timedelta(hours=1),
    )

    response = results_page(client, "harbour")

    assert [a.headline for a in response.context["page_obj"]] == ["Harbour reopens after storm"]
    assert b"embargoed" not in response.content and b"draft story" not in response.content


def test_scheduled_article_is_found_once_its_time_has_passed(clock):
    make_article(
        "Harbour embargoed story",
        status=Article.Status.SCHEDULED,
        publish_at=timezone.now() + timedelta(hours=1),
    )
    assert found("harbour") == []

    clock.shift(timedelta(hours=2))

    assert found("harbour") == ["Harbour embargoed story"]


def test_headline_match_outranks_a_newer_body_match():
    now = timezone.now()
    make_article(
        "Lighthouse keeper retires",
        body="<p>After forty years the keeper hands over the keys.</p>",
        publish_at=now - timedelta(days=2),
    )
    make_article(
        "Coastal towns count the cost",
        body="<p>The old lighthouse was damaged in the storm.</p>",
        publish_at=now - timedelta(days=1),
    )

    assert found("lighthouse") == ["Lighthouse keeper retires", "Coastal towns count the cost"]


def test_standfirst_match_outranks_a_tag_match_which_outranks_a_body_match():
    now = timezone.now()
    make_article(
        "Council meets",
        standfirst="The lighthouse vote is today.",
        publish_at=now - timedelta(days=3),
    )
    make_article("Budget day", tags=["Lighthouse"], publish_at=now - timedelta(days=2))
    make_article(
        "Storm report",
        body="<p>Waves reached the old lighthouse.</p>",
        publish_at=now - timedelta(days=1),
    )

    assert found("lighthouse") == ["Council meets", "Budget day", "Storm report"]


def test_at_equal_relevance_the_newer_article_comes_first():
    now = timezone.now()
    for days, headline in [
        (3, "Ferry strike older"),
        (1, "Ferry strike newest"),
        (2, "Ferry strike middle"),
    ]:
        make_article(headline, publish_at=now - timedelta(days=days))

    assert found("ferry strike") == [
        "Ferry strike newest",
        "Ferry strike middle",
        "Ferry strike older",
    ]


def test_quoted_phrase_matches_only_the_words_together():
    make_article("Council approves river crossing")
    make_article("Crossing the river by ferry")

    assert found('"river crossing"') == ["Council approves river crossing"]


def test_the_last_word_matches_as_a_prefix():
    make_article("Parliament debates climate legislation")

    assert found("climate legisl") == ["Parliament debates climate legislation"]


def test_a_minus_sign_leaves_a_word_out():
    make_article("Ferry strike ends")
    make_article("Rail strike continues")

    assert found("strike -rail") == ["Ferry strike ends"]


def test_or_matches_either_word():
    make_article("Ferry strike ends")
    make_article("Rail delays continue")
    make_article("Budget day")

    assert sorted(found("ferry or rail")) == ["Ferry strike ends", "Rail delays continue"]


def test_an_excluded_phrase_leaves_out_only_the_words_together():
    make_article("Council approves river crossing")
    make_article("Crossing the river by council ferry")

    assert found('council -"river crossing"') == ["Crossing the river by council ferry"]


def test_or_next_to_an_exclusion_reads_as_and():
    assert [t.either for t in parse_query("ferry or -rail")] == [False, False]


def test_search_matches_tags_and_standfirst():
    make_article("Budget day", tags=["Taxation"])
    make_article("Another story", standfirst="Taxation is the theme of the week.")
    make_article("Unrelated story")

    assert sorted(found("taxation")) == ["Another story", "Budget day"]


def test_snippet_marks_the_terms(client):
    make_article(
        "Storm update",
        body="<p>Engineers inspected the <em>breakwater</em> on Monday morning.</p>",
    )

    response = results_page(client, "breakwater")

    assert "<mark>breakwater</mark>" in response.content.decode().lower()


def test_snippet_cannot_inject_html_from_the_body(client):
    make_article(
        "Storm update",
        body="<p>The sign read &lt;script&gt;alert(1)&lt;/script&gt; near the breakwater.</p>",
    )

    page = results_page(client, "breakwater").content.decode()

    assert "<script>" not in page
    assert "alert(1)" in page and "<mark>breakwater</mark>" in page


def test_snippet_shows_entities_as_text_once_escaped(client):
    make_article(
        "Retail results", body="<p>Shares in Marks &amp; Spencer rose at the breakwater.</p>"
    )

    page = results_page(client, "breakwater").content.decode()

    assert "Marks &amp; Spencer" in page
    assert "&amp;amp;" not in page


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"unclosed phrase',
        '""',
        "& | ! :*",
        "harbour:*",
        "harbour & !storm | (x",
        "-",
        "or",
        "harbour or",
        "-harbour",
        "😀🔥",
        "harbour 😀",
        "!!!???...",
        "\\'; DROP TABLE articles_article; --",
        "a" * 10_000,
        "word " * 200,
        "the and of",
        "<script>alert(1)</script>",
        "ünïcödé straße",
        "harbour\x00storm",
    ],
)
def test_odd_queries_never_error(client, query):
    make_article("Harbour reopens after storm")

    response = client.get(SEARCH, {"q": query})

    assert response.status_code == 200
    assert b"<script>alert(1)</script>" not in response.content


def test_a_too_long_query_is_refused_with_a_clear_message(client):
    response = client.get(SEARCH, {"q": "a" * 10_000})

    assert response.context["page_obj"] is None
    assert "up to 200 characters" in response.content.decode()


def test_parse_query_bounds_the_number_of_terms():
    assert len(parse_query("word " * 100)) == MAX_TERMS


def test_parse_query_drops_operators_and_punctuation():
    assert parse_query("& | ! :* 😀") == []


def test_results_are_paginated_and_page_links_keep_the_query(client):
    now = timezone.now()
    for number in range(23):
        make_article(f"Harbour story {number}", publish_at=now - timedelta(hours=number))

    first = results_page(client, "harbour")
    second = results_page(client, "harbour", page=2)

    assert len(first.context["page_obj"]) == 20
    assert len(second.context["page_obj"]) == 3
    assert "?q=harbour&amp;page=2" in first.content.decode()


@pytest.mark.parametrize("page", ["99999", "abc", "-1", "²"])
def test_an_out_of_range_or_odd_page_number_is_not_found(client, page):
    for number in range(23):
        make_article(f"Harbour story {number}")

    response = client.get(reverse("articles:search"), {"q": "harbour", "page": page})

    assert response.status_code == 404


def test_an_empty_page_number_shows_the_first_page(client):
    make_article("Harbour story")
    assert results_page(client, "harbour", page="").context["page_obj"].number == 1


def test_search_page_queries_do_not_grow_with_results(client, django_assert_max_num_queries):
    section = make_section("News")
    for number in range(12):
        make_article(f"Harbour story {number}", section=section, tags=["Ports"])
    results_page(client, "harbour")  # warm the navigation cache

    # On PostgreSQL: a savepoint, two planner settings and their reset, up to three widening
    # windows, the ranked page, bylines, renditions and snippets. Fewer elsewhere.
    with django_assert_max_num_queries(14):
        response = results_page(client, "harbour")

    assert len(response.context["page_obj"]) == 12


# PostgreSQL: the search vector is kept current.


@pytest.mark.postgres
def test_vector_follows_an_edited_article():
    article = make_article("Harbour reopens")

    article.headline = "Quayside reopens"
    article.save()

    assert found("quayside") == ["Quayside reopens"]
    assert found("harbour") == []


@pytest.mark.postgres
def test_vector_follows_tags_added_and_removed():
    article = make_article("Budget day")

    article.tags.add("Zeppelins")
    assert found("zeppelins") == ["Budget day"]

    article.tags.remove("Zeppelins")
    assert found("zeppelins") == []


@pytest.mark.postgres
def test_vector_follows_tags_merged_into_another():
    make_article("Budget day", tags=["Zeppelins"])
    zeppelins = Tag.objects.get(name="Zeppelins")

    tags.merge_tags(Tag.objects.create(name="Airships", slug="airships"), [zeppelins])

    assert found("airships") == ["Budget day"]
    assert found("zeppelins") == []


@pytest.mark.postgres
def test_vector_follows_a_renamed_tag():
    from taggit.models import Tag

    make_article("Budget day", tags=["Zeppelins"])
    tag = Tag.objects.get(name="Zeppelins")

    tag.name = "Airships"
    tag.save()

    assert found("airships") == ["Budget day"]
    assert found("zeppelins") == []


@pytest.mark.postgres
def test_vector_follows_a_renamed_section():
    section = make_section("Maritime")
    make_article("Budget day", section=section)
    assert found("maritime") == ["Budget day"]

    section.name = "Shipping"
    section.save()

    assert found("shipping") == ["Budget day"]
    assert found("maritime") == []


@pytest.mark.postgres
def test_vector_follows_an_article_moved_to_another_section():
    article = make_article("Budget day", section=make_section("Maritime"))

    article.section = make_section("Aviation")
    article.save()

    assert found("aviation") == ["Budget day"]
    assert found("maritime") == []


@pytest.mark.postgres
def test_vector_follows_a_deleted_tag():
    from taggit.models import Tag

    make_article("Budget day", tags=["Zeppelins"])

    Tag.objects.get(name="Zeppelins").delete()

    assert found("zeppelins") == []


@pytest.mark.postgres
def test_vector_follows_the_body_and_standfirst():
    article = make_article("Budget day", standfirst="Ports.", body="<p>Harbour fees rise.</p>")

    article.standfirst = "Quayside fees rise."
    article.body = "<p>Nothing else changes.</p>"
    article.save()

    assert found("quayside") == ["Budget day"]
    assert found("harbour") == []


@pytest.mark.postgres
def test_search_uses_stemming():
    make_article("New bridges for the city")

    assert found("bridge") == ["New bridges for the city"]


@pytest.mark.postgres
def test_the_text_search_language_is_a_setting(settings):
    settings.SEARCH_CONFIG = "simple"  # no stemming, no stop words
    make_article("New bridges for the city", standfirst="Work starts in spring.")

    assert found("bridge city") == []
    assert found("bridges city") == ["New bridges for the city"]
    assert found("the city") == ["New bridges for the city"]


def planner_settings() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_indexscan")
        (indexscan,) = cursor.fetchone()
        cursor.execute("SHOW enable_seqscan")
        (seqscan,) = cursor.fetchone()
    return indexscan, seqscan


@pytest.mark.postgres
def test_planner_settings_end_with_the_search_inside_a_transaction():
    # The test itself runs in a transaction, as a request with ATOMIC_REQUESTS would.
    make_article("Harbour reopens")

    assert found("harbour") == ["Harbour reopens"]

    assert planner_settings() == ("on", "on")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_planner_settings_apply_during_the_search_and_end_with_it_in_autocommit(monkeypatch):
    from articles.search import postgres as search_module

    seen = []

    def recording_pks(articles, limit):
        seen.append(planner_settings())
        return original_pks(articles, limit)

    original_pks = search_module._pks
    monkeypatch.setattr(search_module, "_pks", recording_pks)
    make_article("Harbour reopens")

    assert found("harbour") == ["Harbour reopens"]

    assert seen and set(seen) == {("off", "off")}
    assert connection.get_autocommit() and not connection.in_atomic_block
    assert planner_settings() == ("on", "on")


@pytest.mark.postgres
def test_a_failing_search_reports_its_own_error_and_leaves_the_planner_alone(monkeypatch):
    from django.db import DataError

    from articles.search import postgres as search_module

    def failing_pks(articles, limit):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 / 0")
        return []

    monkeypatch.setattr(search_module, "_pks", failing_pks)
    make_article("Harbour reopens")

    with pytest.raises(DataError, match="division by zero"):
        search("harbour")

    assert planner_settings() == ("on", "on")


@pytest.mark.postgres
def test_rebuild_search_index_fills_missing_vectors():
    make_article("Harbour reopens")
    Article.objects.update(search_vector=None)
    assert found("harbour") == []

    call_command("rebuild_search_index", stdout=io.StringIO())

    assert found("harbour") == ["Harbour reopens"]


def test_rebuild_search_index_explains_itself_without_postgresql(capsys):
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL rebuilds; covered above")

    call_command("rebuild_search_index")

    assert "PostgreSQL-only" in capsys.readouterr().out
