"""Search on other databases (SQLite): plain case-insensitive matching of the same terms,
behind the same interface, with snippets cut from the body in Python."""

import html
import re

from django.db.models import (
    Case,
    ExpressionWrapper,
    IntegerField,
    Q,
    Subquery,
    Value,
    When,
)
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

from ..models import Article
from .query import MAX_RESULTS, SNIPPET_WORDS, Term


def search(terms: list[Term]):
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


def snippet(body: str, terms: list[Term]) -> SafeString:
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
