"""Article search: what a reader types, turned into a bounded, ranked database search.

On PostgreSQL every article carries a weighted `search_vector` (headline A, standfirst B, tags
and section C, body text D) behind a GIN index; indexing.py keeps it current.
A query is parsed here, never handed raw to `to_tsquery`: quoted phrases, `-exclusions` and
`or` go through `websearch_to_tsquery` (which cannot fail on any input) and the last word also
matches as a prefix. Results are ranked by relevance damped by age, with `ts_headline`
snippets. Other databases get plain case-insensitive matching behind the same interface.

query.py parses, postgres.py and fallback.py search, indexing.py keeps the vectors current;
this module is the door the views and the admin use.
"""

from collections.abc import Sequence

from django.db import connection
from django.db.models import Q

from ..models import Article, Author, Byline
from . import fallback, postgres
from .indexing import update_search_vectors
from .query import MAX_QUERY_LENGTH, MAX_RESULTS, MAX_TERMS, SearchForm, Term, parse_query

__all__ = [
    "MAX_QUERY_LENGTH",
    "MAX_RESULTS",
    "MAX_TERMS",
    "SearchForm",
    "Term",
    "add_snippets",
    "admin_search",
    "parse_query",
    "search",
    "update_search_vectors",
]


def search(raw: str):
    """Live articles matching `raw`, best first, ready for story cards.

    Something a Paginator takes: on PostgreSQL the matching has been done (once) and the
    ranked page is fetched when sliced; elsewhere a lazy queryset.
    """
    terms = parse_query(raw)
    if not any(not term.excluded for term in terms):
        return Article.objects.none()
    if connection.vendor == "postgresql":
        return postgres.search(terms)
    return fallback.search(terms)


def admin_search(queryset, raw: str):
    """The admin's article search: everything an article says (headline, standfirst, body,
    tags and section, through the search vector and its GIN index on PostgreSQL) or who
    wrote it (a byline's author name). Filters `queryset`, whatever its status."""
    terms = parse_query(raw)
    if not any(not term.excluded for term in terms):
        return queryset
    # A name matches from the start of one of its words: "Lee" and "Ann" find Ann Lee, but
    # "port" does not find every Reporter.
    name = " ".join(raw.split())[:MAX_QUERY_LENGTH]
    authors = Author.objects.filter(
        Q(name__istartswith=name) | Q(name__icontains=f" {name}") | Q(name__icontains=f"-{name}")
    ).values("pk")
    bylined = Byline.objects.filter(author__in=authors).order_by().values("article_id")
    if connection.vendor == "postgresql":
        query = postgres.ts_query(terms)
        if not authors.exists():
            return queryset.filter(search_vector=query)
        says = Article.objects.filter(search_vector=query)
        # A UNION of two index scans: an OR of the two conditions would read every row.
        return queryset.filter(pk__in=says.order_by().values("pk").union(bylined, all=True))
    says = Q()
    for term in terms:
        words = (
            Q(headline__icontains=term.text)
            | Q(standfirst__icontains=term.text)
            | Q(body__icontains=term.text)
            | Q(slug__icontains=term.text)
        )
        says &= ~words if term.excluded else words
    return queryset.filter(says | Q(pk__in=bylined))


def add_snippets(articles: Sequence[Article], raw: str) -> None:
    """Set `search_snippet` (safe HTML, terms in <mark>) on each of a page of results.

    On PostgreSQL the ranked query has already made them with ts_headline (evaluated after
    the sort, so only for the page); elsewhere they are cut from the body here.
    """
    terms = [term for term in parse_query(raw) if not term.excluded]
    for article in articles:
        marked = getattr(article, "marked_snippet", None)
        if marked is not None:
            article.search_snippet = postgres.highlight_markers(marked)
        elif terms:
            article.search_snippet = fallback.snippet(article.body, terms)
