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
}
URL_SCHEMES = {"http", "https", "mailto"}
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
    return value


def sanitize_body(html: str) -> str:
    """Return `html` reduced to the tags and attributes an article body may contain."""
    cleaned = nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style", "template", "iframe", "object", "noscript"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return cleaned.strip()
