"""Article search: what a reader types, turned into a bounded, ranked database search.

On PostgreSQL every article carries a weighted `search_vector` (headline A, standfirst B, tags
and section C, body text D) behind a GIN index; the receivers at the bottom keep it current.
A query is parsed here, never handed raw to `to_tsquery`: quoted phrases, `-exclusions` and
`or` go through `websearch_to_tsquery` (which cannot fail on any input) and the last word also
matches as a prefix. Results are ranked by relevance damped by age, with `ts_headline`
snippets. Other databases get plain case-insensitive matching behind the same interface.
"""

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import connection, transaction
from django.db.models import (
    Case,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Greatest, Left
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe
from taggit.models import Tag, TaggedItem

from .models import Article, Author, Byline, Section

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
# Only the newest matches are ranked: a word found in half the archive costs the same as a
# rare one, and nobody reads page 51 of a search.
MAX_RESULTS = 300
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
SNIPPET_WORDS = 30

# Private-use characters mark highlights inside ts_headline's output; everything else in the
# snippet is escaped before the markers become <mark> elements.
_START, _STOP = "\ue000", "\ue001"
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_HAS_WORD = re.compile(r"[^\W_]")
_PREFIXABLE = re.compile(r"[^\W_]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ue000\ue001]")
_TRIM = "\"'`.,;:!?()[]{}<>|&*+=~^$#@%\\/-"


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        strip=True,
        max_length=MAX_QUERY_LENGTH,
        error_messages={
            "max_length": "Searches can be up to %(limit_value)d characters long; try fewer words."
        },
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Search stories"}),
    )


@dataclass(frozen=True)
class Term:
    text: str
    phrase: bool = False
    excluded: bool = False
    either: bool = False  # joined to the previous term by "or"


def parse_query(raw: str) -> list[Term]:
    """The words and "phrases" of a reader's query, at most MAX_TERMS of them.

    Punctuation-only tokens, emoji and operators without a word are dropped, so what remains
    is always safe to search for.
    """
    text = _CONTROL.sub(" ", raw[:MAX_QUERY_LENGTH])
    terms: list[Term] = []
    either = False
    for match in _TOKEN.finditer(text):
        excluded_phrase, phrase, word = match.groups()
        if phrase is not None:
            value, is_phrase, excluded = " ".join(phrase.split()), True, bool(excluded_phrase)
        else:
            value, is_phrase, excluded = word.replace('"', "").strip(_TRIM), False, word[0] == "-"
            if value.lower() == "or" and terms and not excluded:
                either = True
                continue
        if _HAS_WORD.search(value):
            # "or" joins two wanted terms; next to an exclusion it is read as "and".
            either = either and not excluded and not terms[-1].excluded
            terms.append(Term(value, phrase=is_phrase, excluded=excluded, either=either))
        either = False
        if len(terms) == MAX_TERMS:
            break
    return terms


def search(raw: str):
    """Live articles matching `raw`, best first, ready for story cards.

    Something a Paginator takes: on PostgreSQL the matching has been done (once) and the
    ranked page is fetched when sliced; elsewhere a lazy queryset.
    """
    terms = parse_query(raw)
    if not any(not term.excluded for term in terms):
        return Article.objects.none()
    if connection.vendor == "postgresql":
        return _postgres_search(terms)
    return _fallback_search(terms)


def admin_search(queryset, raw: str):
    """The admin's article search: everything an article says (headline, standfirst, body,
    tags and section, through the search vector and its GIN index on PostgreSQL) or who
    wrote it (a byline's author name). Filters `queryset`, whatever its status."""
    terms = parse_query(raw)
    if not any(not term.excluded for term in terms):
        return queryset
    name = " ".join(raw.split())[:MAX_QUERY_LENGTH]
    authors = Author.objects.filter(name__icontains=name).values("pk")
    bylined = Byline.objects.filter(author__in=authors).order_by().values("article_id")
    if connection.vendor == "postgresql":
        says = Article.objects.filter(search_vector=_ts_query(terms))
        if not authors.exists():
            return queryset.filter(pk__in=says.order_by().values("pk"))
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
            article.search_snippet = highlight_markers(marked)
        elif terms:
            article.search_snippet = _python_snippet(article.body, terms)


# PostgreSQL


def body_text():
    """The body as plain text, in SQL: tags become spaces and the sanitiser's entities text."""
    text = Func(
        F("body"),
        Value("<[^>]*>"),
        Value(" "),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )
    # The sanitiser (nh3) only ever writes these entities.
    for entity, character in (
        ("&nbsp;", " "),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", '"'),
        ("&#39;", "'"),
        ("&amp;", "&"),
    ):
        text = Func(
            text, Value(entity), Value(character), function="replace", output_field=TextField()
        )
    return text


def vector_expression():
    """The weighted search vector of an article row, for an UPDATE on the articles table."""
    config = settings.SEARCH_CONFIG
    tag_names = (
        TaggedItem.objects.filter(
            content_type_id=ContentType.objects.get_for_model(Article).pk,
            object_id=OuterRef("pk"),
        )
        .order_by()
        .values("object_id")
        .annotate(names=StringAgg("tag__name", delimiter=" "))
        .values("names")
    )
    section_name = Section.objects.filter(pk=OuterRef("section_id")).values("name")
    return (
        SearchVector("headline", weight="A", config=config)
        + SearchVector("standfirst", weight="B", config=config)
        + SearchVector(Subquery(tag_names), Subquery(section_name), weight="C", config=config)
        + SearchVector(body_text(), weight="D", config=config)
    )


def update_search_vectors(articles) -> int:
    """Recompute the vectors of `articles` (a queryset) in one UPDATE; no-op off PostgreSQL."""
    if connection.vendor != "postgresql":
        return 0
    return articles.order_by().update(search_vector=vector_expression())


def _ts_query(terms: list[Term], *, phrases_as_words: bool = False) -> SearchQuery | None:
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


def _postgres_search(terms: list[Term]):
    query = _ts_query(terms)
    live = Article.objects.live()
    relaxed = _ts_query(terms, phrases_as_words=True)
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
                _ts_query(wanted),
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


# Other databases


def _fallback_search(terms: list[Term]):
    """Every term (any of an "or" group) in the headline, standfirst, body, tags or section."""
    matches = Article.objects.live()
    group: Q | None = None
    groups: list[Q] = []
    for term in terms:
        condition = _contains(term.text)
        if term.excluded:
            matches = matches.exclude(condition)
        elif term.either and group is not None:
            group |= condition
        else:
            if group is not None:
                groups.append(group)
            group = condition
    if group is not None:
        groups.append(group)
    for condition in groups:
        matches = matches.filter(condition)
    newest_matches = matches.order_by("-publish_at", "-pk").values("pk")[:MAX_RESULTS]
    wanted = [term.text for term in terms if not term.excluded]
    # The same order as the PostgreSQL weights: headline, standfirst, tags or section, body.
    relevance = sum(
        (
            Case(When(headline__icontains=text, then=Value(4)), default=Value(0))
            + Case(When(standfirst__icontains=text, then=Value(2)), default=Value(0))
            + Case(When(_in_tags_or_section(text), then=Value(1)), default=Value(0))
            for text in wanted
        ),
        Value(0),
    )
    return (
        Article.objects.live()
        .filter(pk__in=Subquery(newest_matches))
        .annotate(rank=ExpressionWrapper(relevance, output_field=IntegerField()))
        .order_by("-rank", "-publish_at", "-pk")
        .for_cards()
    )


def _contains(text: str) -> Q:
    return (
        Q(headline__icontains=text)
        | Q(standfirst__icontains=text)
        | Q(body__icontains=text)
        | _in_tags_or_section(text)
    )


def _in_tags_or_section(text: str) -> Q:
    tagged = Article.objects.filter(tags__name__icontains=text).values("pk")
    return Q(section__name__icontains=text) | Q(pk__in=tagged)


# Where one block of the body ends and the next begins, so their words do not run together.
_BLOCK_END = re.compile(r"(</(?:p|li|h[1-6]|blockquote|figcaption|figure|ul|ol)>|<br\s*/?>)", re.I)


def _python_snippet(body: str, terms: list[Term]) -> SafeString:
    text = " ".join(html.unescape(strip_tags(_BLOCK_END.sub(r"\1 ", body))).split())
    pattern = re.compile("|".join(re.escape(term.text) for term in terms), re.IGNORECASE)
    words = text.split(" ")
    first = pattern.search(text)
    start_word = text[: first.start()].count(" ") if first else 0
    start_word = max(0, start_word - SNIPPET_WORDS // 3)
    window = " ".join(words[start_word : start_word + SNIPPET_WORDS])
    parts, position = [], 0
    for match in pattern.finditer(window):
        parts.append(escape(window[position : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        position = match.end()
    parts.append(escape(window[position:]))
    prefix = "… " if start_word else ""
    suffix = " …" if start_word + SNIPPET_WORDS < len(words) else ""
    return mark_safe(prefix + "".join(parts) + suffix)


# Keeping the vectors current. Each receiver issues one UPDATE in the saving transaction, so
# the vector commits or rolls back with the change that caused it.


@receiver(post_save, sender=Article)
def index_saved_article(sender, instance: Article, **kwargs) -> None:
    update_search_vectors(Article.objects.filter(pk=instance.pk))


@receiver(m2m_changed, sender=TaggedItem)
def index_retagged_article(sender, instance, action: str, **kwargs) -> None:
    if isinstance(instance, Article) and action in {"post_add", "post_remove", "post_clear"}:
        update_search_vectors(Article.objects.filter(pk=instance.pk))


@receiver(post_save, sender=Tag)
def index_renamed_tag(sender, instance: Tag, created: bool = False, **kwargs) -> None:
    if not created:
        update_search_vectors(Article.objects.filter(tags=instance))


@receiver(pre_delete, sender=Tag)
def remember_tagged_articles(sender, instance: Tag, **kwargs) -> None:
    if connection.vendor != "postgresql":
        return
    instance._tagged_article_ids = list(
        Article.objects.filter(tags=instance).values_list("pk", flat=True)
    )


@receiver(post_delete, sender=Tag)
def index_untagged_articles(sender, instance: Tag, **kwargs) -> None:
    article_ids = getattr(instance, "_tagged_article_ids", [])
    if article_ids:
        update_search_vectors(Article.objects.filter(pk__in=article_ids))


@receiver(post_save, sender=Section)
def index_renamed_section(sender, instance: Section, created: bool = False, **kwargs) -> None:
    if not created:
        update_search_vectors(Article.objects.filter(section=instance))
