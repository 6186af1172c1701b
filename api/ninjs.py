"""An article as an IPTC ninjs 3.0 news item: a pure function of the article and a base URL.

Where our fields go (ninjs 3.0 has no field for some of them; the nearest is named):
- `uri`: `{SITE_URL}/api/ninjs/articles/{pk}`, the item's API address. The primary key never
  changes, so the identity survives slug and headline changes.
- `version`: our version counter, as a string; `firstCreated`: first publication;
  `versionCreated`: the last change readers saw (`Article.modified_at`).
- `headlines` (role `main`), `descriptions` (the standfirst, role `summary`), `bodies`: the
  sanitised body as XHTML (`application/xhtml+xml`) and as plain text (`text/plain`, one
  paragraph or quotation per block, blocks separated by a blank line, with counts).
- `subjects`: the section (`rel: section`) and each tag (`rel: tag`), with their page URLs.
- `by`: the byline as readers see it. We hold no `people` or `organisations` as data (they are
  named only in the text), so those are left out.
- `associations`: the hero picture (`name: hero`, `type: picture`): `by` its credit,
  `descriptions` its alt text (role `alt`) and caption (role `caption`), `renditions` the
  original and every resized copy with absolute URLs, size and media type.
- ninjs 3 has no `webUrl`: the article page is the item's rendition named `web` (text/html).
- The article's corrections and updates go in `edNote` (`notes`), one line each, newest
  first: the field agencies use to tell receiving desks what changed.
"""

import functools
import html
import mimetypes
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.translation import to_locale

from articles.models import Article, Image

from . import xhtml

MAX_ID_DIGITS = 18
STANDARD = {
    "name": "ninjs",
    "version": "3.0",
    "schema": "https://www.iptc.org/std/ninjs/ninjs-schema_3.0.json",
}


@functools.lru_cache(maxsize=4096)
def path_to(name: str, key: str) -> str:
    """`reverse(name)` of a page taking one slug or id, remembered: a list reverses dozens."""
    return reverse(name, args=[key])


def article_uri(pk: int) -> str:
    """The stable identity of an article in ninjs."""
    return settings.SITE_URL + path_to("api:article", str(pk))


def absolute(base: str, url: str) -> str:
    """A media URL made absolute against `base`, unless storage already gave one (S3)."""
    if url.startswith("//"):
        return base.split("//", 1)[0] + url
    return url if "://" in url else base + url


def pk_from_uri(ident: str) -> int | None:
    """The article id that `ident` names: the id itself or the `uri` we gave it."""
    prefix = article_uri(0)[:-1]
    # Some servers and proxies fold the `//` of a URI carried in a path into one `/`.
    for known in (prefix, prefix.replace("://", ":/", 1)):
        if ident.startswith(known):
            ident = ident.removeprefix(known)
            break
    # Ids are 64-bit: longer digit strings name nothing (and would overflow the query).
    digits = ident.isascii() and ident.isdigit()
    return int(ident) if digits and len(ident) <= MAX_ID_DIGITS else None


def language_tag() -> str:
    """settings.LANGUAGE_CODE as BCP 47 (`en-gb` → `en-GB`)."""
    return to_locale(settings.LANGUAGE_CODE).replace("_", "-")


def base_url(request_or_base_url) -> str:
    """The site's address as the request reached it (or as given), without a final slash."""
    if isinstance(request_or_base_url, str):
        return request_or_base_url.rstrip("/")
    return request_or_base_url.build_absolute_uri("/").rstrip("/")


def _timestamp(value) -> str:
    return value.isoformat(timespec="seconds")


def byline(article: Article) -> str:
    names = [author.name for author in article.byline_authors]
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def notes(article: Article) -> dict[str, Any]:
    """The article's corrections and updates, newest first, in the ninjs field that carries
    them; read from prefetched entries when they are there."""
    record = [e for e in article.corrections.all() if e.status == e.Status.APPROVED]
    if not record:
        return {}
    lines = [
        f"{e.get_kind_display()} ({e.created_at:%Y-%m-%d}): {html.unescape(strip_tags(e.text))}"
        for e in record
    ]
    return {"edNote": "\n".join(lines)}


def picture(image: Image, base: str, name: str = "hero") -> dict[str, Any]:
    original = absolute(base, image.file.url)
    renditions = [
        {
            "name": "original",
            "href": original,
            "contentType": mimetypes.guess_type(image.file.name)[0] or "application/octet-stream",
            "width": image.width,
            "height": image.height,
        }
    ]
    renditions += [
        {
            "name": f"{rendition.format}-{rendition.width}",
            "href": absolute(base, rendition.file.url),
            "contentType": f"image/{rendition.format}",
            "width": rendition.width,
            "height": rendition.height,
        }
        for rendition in image.rendition_list
    ]
    item: dict[str, Any] = {
        "name": name,
        "uri": original,
        "type": "picture",
        "descriptions": [{"role": "alt", "value": image.alt_text}],
        "renditions": renditions,
    }
    if image.caption:
        item["descriptions"].append({"role": "caption", "value": image.caption})
    if image.credit:
        item["by"] = image.credit
    return item


def article_to_ninjs(article: Article, request_or_base_url) -> dict[str, Any]:
    """`article` (with its section, bylines, tags and hero renditions loaded, as
    `api.items.articles()` does) as a ninjs 3.0 item; URLs are absolute against the base
    URL (or the request's own)."""
    base = base_url(request_or_base_url)
    body_xhtml, body_text = xhtml.convert(article.body)
    section = article.section
    item: dict[str, Any] = {
        "standard": STANDARD,
        "uri": article_uri(article.pk),
        "type": "text",
        "representationType": "full",
        "version": str(article.version),
        "firstCreated": _timestamp(article.first_published_at or article.publish_at),
        "versionCreated": _timestamp(article.modified_at),
        "pubStatus": "usable",
        "language": language_tag(),
        "copyrightHolder": settings.API_COPYRIGHT_HOLDER,
        "slugline": article.slug,
        "headlines": [{"role": "main", "value": article.headline}],
        "descriptions": [{"role": "summary", "value": article.standfirst}],
        "bodies": [
            {"role": "main", "contentType": "application/xhtml+xml", "value": body_xhtml},
            {
                "role": "main",
                "contentType": "text/plain",
                "value": body_text,
                "charCount": len(body_text),
                "wordCount": len(body_text.split()),
            },
        ],
        "subjects": [
            {
                "name": section.name,
                "rel": "section",
                "literal": section.slug,
                "uri": base + path_to("articles:section", section.slug),
            },
            *(
                {
                    "name": tag.name,
                    "rel": "tag",
                    "literal": tag.slug,
                    "uri": base + path_to("articles:tag", tag.slug),
                }
                for tag in sorted(article.tags.all(), key=lambda tag: tag.name.lower())
            ),
        ],
        "renditions": [
            {
                "name": "web",
                "href": base + path_to("articles:article", article.slug),
                "contentType": "text/html",
            }
        ],
    }
    if by := byline(article):
        item["by"] = by
    if article.hero_image is not None:
        item["associations"] = [picture(article.hero_image, base)]
    item.update(notes(article))
    return item
