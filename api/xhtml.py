"""An article body (sanitised HTML) as well-formed XHTML and as plain text, for ninjs bodies.

The body already went through articles' sanitizer, so tags are known and well nested; this
only re-serialises them: void elements closed (`<br/>`), every attribute quoted, text escaped
for XML; and, for plain text, one paragraph or quotation per block, separated by a blank line.
"""

import functools
from html.parser import HTMLParser
from xml.sax.saxutils import escape, quoteattr

VOID = {"br", "hr", "img", "wbr", "col", "source"}
BLOCKS = {"p", "blockquote", "h2", "h3", "h4", "h5", "h6", "li", "figcaption", "pre", "div"}


class _Converter(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.xhtml: list[str] = []
        self.blocks: list[str] = []
        self.text: list[str] = []
        self.open: list[str] = []

    def _attrs(self, attrs) -> str:
        return "".join(f" {name}={quoteattr(value or '')}" for name, value in attrs)

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            self.xhtml.append(f"<{tag}{self._attrs(attrs)}/>")
            if tag == "br":
                self.text.append("\n")
            return
        if tag in BLOCKS:
            self._end_block()
        self.open.append(tag)
        self.xhtml.append(f"<{tag}{self._attrs(attrs)}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in VOID or tag not in self.open:
            return
        # Close anything left open inside it, as an HTML parser would.
        while self.open:
            closing = self.open.pop()
            self.xhtml.append(f"</{closing}>")
            if closing == tag:
                break
        if tag in BLOCKS:
            self._end_block()

    def handle_data(self, data):
        self.xhtml.append(escape(data))
        self.text.append(data)

    def _end_block(self):
        lines = "".join(self.text).split("\n")
        block = "\n".join(" ".join(line.split()) for line in lines).strip()
        if block:
            self.blocks.append(block)
        self.text = []

    def close(self):
        super().close()
        while self.open:
            self.xhtml.append(f"</{self.open.pop()}>")
        self._end_block()


@functools.lru_cache(maxsize=128)
def convert(body: str) -> tuple[str, str]:
    """(XHTML, plain text) of a sanitised HTML body; the latest bodies are remembered, as a
    list page converts the same twenty again and again."""
    converter = _Converter()
    converter.feed(body)
    converter.close()
    return "".join(converter.xhtml), "\n\n".join(converter.blocks)
