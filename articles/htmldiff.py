"""The difference between two article bodies, as an editor reads it: the body's blocks
(paragraphs, headings, list items, quotations) matched up, and inside a changed block the
words taken out and put in."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

BLOCK_LABELS = {"h2": _("Heading"), "h3": _("Subheading"), "h4": _("Minor heading"), "li": "•"}
_BLOCK_TAGS = {"p", "h2", "h3", "h4", "li", "figcaption"}
_CONTAINER_TAGS = {"blockquote", "ul", "ol", "figure"}
_WORDS = re.compile(r"\S+\s*")


@dataclass(frozen=True)
class Block:
    label: str
    text: str


class _BlockReader(HTMLParser):
    """Turns body HTML into its readable blocks: paragraphs, headings, list items, quotes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._parts: list[str] = []
        self._label = ""
        self._containers: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCK_TAGS or tag in _CONTAINER_TAGS:
            self._flush()
            if tag in _CONTAINER_TAGS:
                self._containers.append(tag)
            self._label = BLOCK_LABELS.get(tag, "")
            if tag == "p" and "blockquote" in self._containers:
                self._label = gettext("Quote")
            elif tag == "p" and self._containers and self._containers[-1] in {"ul", "ol"}:
                self._label = "•"
            elif tag == "figcaption":
                self._label = gettext("Caption")
        elif tag == "br":
            self._parts.append(" ")
        elif tag == "img":
            alt = dict(attrs).get("alt") or gettext("no description")
            self._parts.append(gettext("[image: %(alt)s]") % {"alt": alt})

    def handle_endtag(self, tag):
        if tag in _BLOCK_TAGS or tag in _CONTAINER_TAGS:
            self._flush()
            if tag in _CONTAINER_TAGS and tag in self._containers:
                self._containers.pop()

    def handle_data(self, data):
        self._parts.append(data)

    def _flush(self):
        text = " ".join("".join(self._parts).split())
        if text:
            self.blocks.append(Block(self._label, text))
        self._parts = []

    def close(self):
        super().close()
        self._flush()


def body_blocks(html: str) -> list[Block]:
    reader = _BlockReader()
    reader.feed(html or "")
    reader.close()
    return reader.blocks


def _word_diff(before: str, after: str) -> str:
    old, new = _WORDS.findall(before), _WORDS.findall(after)
    out = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(escape("".join(old[i1:i2])))
            continue
        if i2 > i1:
            out.append(f"<del>{escape(''.join(old[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{escape(''.join(new[j1:j2]))}</ins>")
    return "".join(out)


@dataclass
class BlockChange:
    kind: str  # "same", "changed", "added" or "removed"
    label: str
    html: SafeString


def diff_bodies(before: str, after: str) -> list[BlockChange]:
    """Paragraph by paragraph, then word by word inside changed paragraphs; all text escaped."""
    old, new = body_blocks(before), body_blocks(after)
    changes: list[BlockChange] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            changes.extend(BlockChange("same", b.label, escape(b.text)) for b in old[i1:i2])
            continue
        removed, added = old[i1:i2], new[j1:j2]
        paired = min(len(removed), len(added)) if op == "replace" else 0
        for before_block, after_block in zip(removed[:paired], added[:paired], strict=True):
            changes.append(
                BlockChange(
                    "changed",
                    after_block.label,
                    # _word_diff escapes every piece of text it emits.
                    mark_safe(_word_diff(before_block.text, after_block.text)),
                )
            )
        changes.extend(
            BlockChange("removed", b.label, format_html("<del>{}</del>", b.text))
            for b in removed[paired:]
        )
        changes.extend(
            BlockChange("added", b.label, format_html("<ins>{}</ins>", b.text))
            for b in added[paired:]
        )
    return changes
