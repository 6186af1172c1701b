"""What a reader types, made safe to search for: at most MAX_TERMS words and "phrases",
`-exclusions` and `or`; punctuation, emoji and operators without a word are dropped."""

import re
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
# Only the newest matches are ranked: a word found in half the archive costs the same as a
# rare one, and nobody reads page 51 of a search.
MAX_RESULTS = 300
SNIPPET_WORDS = 30

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_HAS_WORD = re.compile(r"[^\W_]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ue000\ue001]")
_TRIM = "\"'`.,;:!?()[]{}<>|&*+=~^$#@%\\/-"


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        strip=True,
        max_length=MAX_QUERY_LENGTH,
        error_messages={
            "max_length": _(
                "Searches can be up to %(limit_value)d characters long; try fewer words."
            )
        },
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Search stories")}),
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
