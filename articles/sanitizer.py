"""The allowlist for article bodies: what a news story needs and nothing that can run.

Bodies are cleaned with nh3 (the Ammonia sanitiser) on every save, so whatever reaches the
database, through the admin, an import or the shell, is safe to render unescaped.
"""

import re

import nh3
from django.conf import settings

ALLOWED_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "strong",
    "em",
    "b",
    "i",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "figure",
    "figcaption",
    "img",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    # What the admin's editor writes for a numbered list (`<ol type="a" data-type="lower-alpha"
    # start="3">`), so its output survives cleaning unchanged; values are checked below.
    "ol": {"start", "type", "data-type"},
}
URL_SCHEMES = {"http", "https", "mailto"}
_LIST_TYPES = {"1": "decimal", "a": "lower-alpha", "A": "upper-alpha", "i": "lower-roman"}
_LIST_TYPES |= {"I": "upper-roman"}
_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
# Google Docs wraps a whole paste in <b style="font-weight:normal" id="docs-internal-guid-…">,
# and word processors mark "not bold" the same way: such a <b> must not embolden the article.
_NOT_BOLD = re.compile(
    r"<(?:b|strong)\b[^>]*font-weight\s*:\s*(?:normal|[1-5]00)\b[^>]*>", re.IGNORECASE
)
_MEDIA_PATH = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")


def _is_own_media(url: str) -> bool:
    path = url[len(settings.MEDIA_URL) :]
    return (
        url.startswith(settings.MEDIA_URL)
        and bool(_MEDIA_PATH.fullmatch(path))
        and ".." not in path
        and "//" not in path
    )


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    # Images may only come from our own media storage: an external src is a tracking pixel
    # at best and a way to leak readers' addresses at worst.
    if tag == "img" and attribute == "src" and not _is_own_media(value):
        return None
    if tag == "img" and attribute in {"width", "height"} and not value.isdigit():
        return None
    if tag == "ol" and (
        (attribute == "start" and not value.isdigit())
        or (attribute == "type" and value not in _LIST_TYPES)
        or (attribute == "data-type" and value not in _LIST_TYPES.values())
    ):
        return None
    return value


def sanitize_body(html: str) -> str:
    """Return `html` reduced to the tags and attributes an article body may contain."""
    # The opening tag becomes a <span> (dropped below, its content kept); the orphaned </b>
    # is ignored by the HTML parser.
    html = _NOT_BOLD.sub("<span>", html or "")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style", "template", "iframe", "object", "noscript"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    # An image whose src was refused above is an empty box (often a tracking pixel): drop it.
    return _IMG_WITHOUT_SRC.sub("", cleaned).strip()


NOTE_TAGS = {"a", "em", "strong", "i", "b"}


def sanitize_note(html: str) -> str:
    """A correction's text: links and emphasis only, everything else reduced to its text."""
    return nh3.clean(
        html or "",
        tags=NOTE_TAGS,
        clean_content_tags={"script", "style", "template", "iframe", "object", "noscript"},
        attributes={"a": {"href"}},
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()
