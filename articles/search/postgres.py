"""Search on PostgreSQL: the weighted `search_vector` behind its GIN index, queried through
`websearch_to_tsquery` (which cannot fail on any input) with the last word also matched as a
prefix, ranked by relevance damped by age, with `ts_headline` snippets."""

import html
import re
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
)
from django.db import connection, transaction
from django.db.models import (
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Value,
)
from django.db.models.functions import Greatest, Left
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ..models import Article
from .indexing import body_text
from .query import MAX_RESULTS, SNIPPET_WORDS, Term

# A phrase is verified on at most this many of the newest articles containing its words.
MAX_PHRASE_CANDIDATES = 1000
# Matches are looked for in the last month, then the last half-year, then everywhere.
SEARCH_WINDOWS_DAYS = (30, 180)
# ts_headline parses its whole input: the snippet is taken from the start of long bodies.
SNIPPET_SOURCE_CHARS = 6000
# A prefix shorter than this would expand to most of the dictionary.
MIN_PREFIX_LENGTH = 3
# Relevance is divided by (1 + age / RECENCY_DAYS): a story this old counts half as much.
RECENCY_DAYS = 90.0

# Private-use characters mark highlights inside ts_headline's output; everything else in the
# snippet is escaped before the markers become <mark> elements.
_START, _STOP = "\ue000", "\ue001"
_PREFIXABLE = re.compile(r"[^\W_]+")


def ts_query(terms: list[Term], *, phrases_as_words: bool = False) -> SearchQuery | None:
    """websearch_to_tsquery for the terms, with the last plain word also matched as a prefix.

    The prefix goes through to_tsquery, so only a word of letters and digits is given to it.
    With `phrases_as_words` the query matches a superset: a phrase's words anywhere, in any
    order, and no excluded phrases; unlike a phrase, that can be answered from the index alone.
    """
    config = settings.SEARCH_CONFIG
    if phrases_as_words:
        # Each word is quoted on its own, so none of them can read as an operator.
        terms = [
            Term(" ".join(f'"{word}"' for word in term.text.split()), either=term.either)
            if term.phrase
            else term
            for term in terms
            if not (term.phrase and term.excluded)
        ]
        if not terms:
            return None
    *rest, last = terms
    prefix = (
        not last.phrase
        and not last.excluded
        and not last.either
        and len(last.text) >= MIN_PREFIX_LENGTH
        and _PREFIXABLE.fullmatch(last.text)
    )
    if not prefix:
        return SearchQuery(_websearch_text(terms), search_type="websearch", config=config)
    prefix_query = SearchQuery(f"{last.text}:*", search_type="raw", config=config)
    if not rest:
        return prefix_query
    return SearchQuery(_websearch_text(rest), search_type="websearch", config=config) & prefix_query


def _websearch_text(terms: Iterable[Term]) -> str:
    parts = []
    for term in terms:
        if term.either:
            parts.append("or")
        text = f'"{term.text}"' if term.phrase else term.text
        parts.append(f"-{text}" if term.excluded else text)
    return " ".join(parts)


def search(terms: list[Term]):
    """Live articles matching `terms`, best first: the newest MAX_RESULTS matches, ranked."""
    query = ts_query(terms)
    live = Article.objects.live()
    relaxed = ts_query(terms, phrases_as_words=True)
    if any(term.phrase for term in terms) and relaxed is not None:
        # The GIN index cannot see word positions, so a phrase is checked by reading each
        # candidate's vector; the candidates are bounded to the newest articles that have
        # all the words (which the index does answer).
        candidates = _newest(live.filter(search_vector=relaxed), MAX_PHRASE_CANDIDATES)
        phrase_matches = live.filter(pk__in=candidates, search_vector=query)
        newest_matches = list(_pks(phrase_matches.order_by("-publish_at", "-pk"), MAX_RESULTS))
    else:
        newest_matches = _newest(live.filter(search_vector=query), MAX_RESULTS)
    age_in_days = Greatest(
        Func(
            ExpressionWrapper(
                Value(timezone.now()) - F("publish_at"), output_field=DurationField()
            ),
            template="EXTRACT(EPOCH FROM %(expressions)s) / 86400.0",
            output_field=FloatField(),
        ),
        Value(0.0),
    )
    wanted = [term for term in terms if not term.excluded]
    ranked = (
        live.filter(pk__in=newest_matches)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .annotate(score=F("rank") / (Value(1.0) + age_in_days / Value(RECENCY_DAYS)))
        .annotate(
            marked_snippet=SearchHeadline(
                Left(body_text(), SNIPPET_SOURCE_CHARS),
                ts_query(wanted),
                config=settings.SEARCH_CONFIG,
                start_sel=_START,
                stop_sel=_STOP,
                max_words=SNIPPET_WORDS,
                min_words=SNIPPET_WORDS // 2,
                max_fragments=2,
                fragment_delimiter=" … ",
            )
        )
        .order_by("-score", "-publish_at", "-pk")
        .for_cards()
    )
    return CountedResults(ranked, len(newest_matches))


class CountedResults:
    """Ranked results whose number is already known, so the paginator need not count them."""

    def __init__(self, ranked, count: int):
        self.ranked = ranked
        self._count = count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __iter__(self):
        return iter(self.ranked)

    def __getitem__(self, key):
        return self.ranked[key]


def _newest(matches, limit: int) -> list[int]:
    """Ids of the newest `limit` of `matches` (a full-text filtered queryset), newest first.

    Two things keep this cheap on a large archive. The planner is steered to the GIN index:
    left alone it often walks the publish_at index instead and tests every article on the way,
    reading each vector back from TOAST, a cost it does not model. And the search looks at
    recent articles first, widening the window only while it has found fewer than `limit`.
    """
    now = timezone.now()
    newest_first = matches.order_by("-publish_at", "-pk")
    # SET LOCAL is a no-op outside a transaction and ends with it, so the settings cannot
    # reach another query on a pooled connection. A failure rolls them back with the
    # transaction (or the savepoint inside a request's); success resets them explicitly.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_indexscan = off; SET LOCAL enable_seqscan = off")
        for days in SEARCH_WINDOWS_DAYS:
            window = newest_first.filter(publish_at__gte=now - timedelta(days=days))
            pks = list(_pks(window, limit))
            if len(pks) >= limit:
                break
        else:
            pks = list(_pks(newest_first, limit))
        cursor.execute("RESET enable_indexscan; RESET enable_seqscan")
    return pks


def _pks(articles, limit: int):
    return articles.values_list("pk", flat=True)[:limit]


def highlight_markers(snippet: str) -> SafeString:
    """ts_headline output with the highlight markers as <mark> and everything else escaped."""
    parts = []
    open_mark = False
    for piece in re.split(f"([{_START}{_STOP}])", snippet):
        if piece == _START and not open_mark:
            parts.append("<mark>")
            open_mark = True
        elif piece == _STOP and open_mark:
            parts.append("</mark>")
            open_mark = False
        elif piece not in (_START, _STOP):
            parts.append(escape(html.unescape(piece)))
    if open_mark:
        parts.append("</mark>")
    return mark_safe("".join(parts))
