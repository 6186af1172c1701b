"""Every template's words go through {% translate %} / {% blocktranslate %}.

The check reads each template with Django's own Lexer: the text a reader would see is the text
tokens outside translation blocks, with HTML comments, tags (but not the attributes people read:
alt, title, aria-label, placeholder, a button's value), scripts, styles and entities removed.
What is left must hold no word but the proper nouns of ALLOWED_WORDS.
"""

import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType

TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"
# Not read by people: robots and search engines.
NOT_FOR_PEOPLE = {"robots.txt"}
# Names, not words of a language.
# Fallback values that are data, not text (OpenGraph's og:type).
MACHINE_VALUES = {"website"}
ALLOWED_WORDS = {"Newsroom", "RSS", "Atom", "ninjs", "JSON", "OpenAPI", "IPTC", "NewsML", "HTML"}

PLACEHOLDER = "\x00"
COMMENT = re.compile(r"<!--.*?-->", re.S)
SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.S | re.I)
TAG = re.compile(r"<[^>]*>", re.S)
READ_ATTRIBUTE = re.compile(
    r"""\b(alt|title|aria-label|placeholder|aria-description)\s*=\s*("[^"]*"|'[^']*')""", re.I
)
BUTTON_VALUE = re.compile(r"""\bvalue\s*=\s*("[^"]*"|'[^']*')""", re.I)
WORD = re.compile(r"[^\W\d_]{2,}")
# Filter arguments and tag arguments in quotes that a reader sees: {{ x|default:"None" }},
# {% firstof a b "someone" %}.
QUOTED_FALLBACK = re.compile(r"""(?:default(?:_if_none)?:|firstof\b[^"']*)("[^"]*"|'[^']*')""")


def untranslated_text(source: str) -> tuple[str, list[str]]:
    """The text outside translation tags (tokens of code replaced by PLACEHOLDER), and the
    quoted fallbacks in variables and tags that would be shown as they are."""
    text, fallbacks, depth = [], [], 0
    skip_until = None
    for token in Lexer(source).tokenize():
        content = token.contents
        if token.token_type == TokenType.BLOCK:
            name = content.split(" ", 1)[0] if content else ""
            if skip_until:
                if name == skip_until:
                    skip_until = None
                continue
            if name in ("blocktranslate", "blocktrans"):
                depth += 1
            elif name in ("endblocktranslate", "endblocktrans"):
                depth -= 1
            elif name == "comment":
                skip_until = "endcomment"
            elif content.split()[:2] == ["block", "bodyclass"]:
                # CSS class names, not text.
                skip_until = "endblock"
            elif name not in ("translate", "trans"):
                fallbacks += [m.group(1) for m in QUOTED_FALLBACK.finditer(content)]
            text.append(PLACEHOLDER)
        elif token.token_type == TokenType.VAR:
            if not depth:
                fallbacks += [m.group(1) for m in QUOTED_FALLBACK.finditer(content)]
            text.append(PLACEHOLDER)
        elif token.token_type == TokenType.TEXT and not depth and not skip_until:
            text.append(content)
        else:
            text.append(PLACEHOLDER)
    return "".join(text), fallbacks


def visible_strings(text: str) -> list[str]:
    """What a person reads of the markup: text between tags and the attributes they read."""
    text = SCRIPT_OR_STYLE.sub(" ", COMMENT.sub(" ", text))
    found = []
    for tag in TAG.findall(text):
        found += [value[1:-1] for _, value in READ_ATTRIBUTE.findall(tag)]
        if re.match(r"<input\b", tag, re.I) and re.search(
            r"""type\s*=\s*["']?(submit|button|reset)""", tag, re.I
        ):
            found += [value[1:-1] for value in BUTTON_VALUE.findall(tag)]
    found += TAG.sub(" ", text).split(PLACEHOLDER)
    return found


def untranslated_words(source: str) -> list[str]:
    text, fallbacks = untranslated_text(source)
    words = []
    # A fallback with digits is a size or a format ("(min-width: 60rem) 20rem, 100vw"), not text.
    shown_fallbacks = [
        f[1:-1] for f in fallbacks if not re.search(r"\d", f) and f[1:-1] not in MACHINE_VALUES
    ]
    for string in [*visible_strings(text), *shown_fallbacks]:
        string = html.unescape(string.replace(PLACEHOLDER, " "))
        words += [w for w in WORD.findall(string) if w not in ALLOWED_WORDS]
    return words


def template_names() -> list[str]:
    return sorted(
        str(path.relative_to(TEMPLATES_DIR))
        for path in TEMPLATES_DIR.rglob("*")
        if path.is_file() and str(path.relative_to(TEMPLATES_DIR)) not in NOT_FOR_PEOPLE
    )


@pytest.mark.parametrize("name", template_names())
def test_template_has_no_text_outside_translation_tags(name):
    source = (TEMPLATES_DIR / name).read_text()
    assert untranslated_words(source) == [], f"{name}: wrap these in {{% translate %}}"


def test_check_finds_an_english_sentence_in_text_and_attributes():
    assert untranslated_words("{% load i18n %}<p>{% translate 'Hello' %} Read more</p>") == [
        "Read",
        "more",
    ]
    assert untranslated_words('<img src="{{ x }}" alt="A photo">') == ["photo"]
    assert untranslated_words('<input type="submit" value="Send now">') == ["Send", "now"]
    assert untranslated_words('{{ name|default:"nobody" }}') == ["nobody"]


def test_check_accepts_translated_text_markup_and_proper_nouns():
    source = (
        '{% load i18n %}<!-- a note --><a class="story-link" href="{% url \'home\' %}" '
        "title=\"{% translate 'Home' %}\">"
        "{% blocktranslate %}Read {{ n }} more{% endblocktranslate %}"
        "</a> RSS &middot; <script>var x = 'word';</script>{# comment #}"
    )
    assert untranslated_words(source) == []
