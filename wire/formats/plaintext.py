"""Plain text, as a story pasted from an email: paragraphs are split on blank lines, quotes
kept as they are, and trailing sign-offs and boilerplate left out. The editor gives the
headline and the source; without a headline the first line, if short, is taken as one."""

import hashlib
import re

from django.utils.translation import gettext

from . import WireFormatError, WireStory, decode, finish, paragraphs_html

# Lines an email or a partner's page ends with that are no part of the story.
BOILERPLATE = re.compile(
    r"^(sign up (to|for)|subscribe( to|$)|click here|follow us|read more( at|:)|sent from my|"
    r"unsubscribe|copyright\b|©|\(c\) ?\d{4}|all rights reserved|this (e-?mail|message) "
    r"(is|was|and)|--+$|_{3,}$)",
    re.IGNORECASE,
)
HEADLINE_LIMIT = 200


def parse(data: bytes, *, source: str = "", headline: str = "") -> WireStory:
    text = decode(data).replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise WireFormatError(gettext("The file holds binary data, not text."))
    paragraphs = [" ".join(block.split()) for block in re.split(r"\n\s*\n", text)]
    paragraphs = [p for p in paragraphs if p]
    while paragraphs and BOILERPLATE.match(paragraphs[-1]):
        paragraphs.pop()
    if not headline.strip() and paragraphs and len(paragraphs[0]) <= HEADLINE_LIMIT:
        first_block = re.split(r"\n\s*\n", text.strip(), maxsplit=1)[0]
        if "\n" not in first_block.strip():
            headline = paragraphs.pop(0)
    if not source.strip():
        raise WireFormatError(
            gettext("Plain text does not say where it comes from: give the source.")
        )
    # Plain text has no agency id: the text itself identifies it, so a second paste of the
    # same story is recognised and changes nothing.
    digest = hashlib.sha256("\n\n".join(paragraphs).encode()).hexdigest()[:32]
    return finish(
        WireStory(
            format="plain text",
            source=source.strip(),
            item_id=f"text:{digest}",
            version=1,
            headline=headline,
            standfirst="",
            body=paragraphs_html(paragraphs),
            original=text,
        )
    )
