"""What a page tells search engines and social sites about itself.

Canonical addresses are built from settings.SITE_URL, never from the request's Host header,
so every copy of a page (another host name, a tracking query string) points at one address.
"""

import html
import json
from dataclasses import dataclass
from mimetypes import guess_type
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.templatetags.static import static
from django.utils.html import format_html, strip_tags
from django.utils.safestring import SafeString, mark_safe

from .pagination import page_number

LOGO_PATH = "img/logo.png"
LOGO_SIZE = (600, 60)
# json.dumps leaves these alone; inside <script> they could close the element or open a comment.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def absolute_url(url: str) -> str:
    """`url` on the public site: paths get SITE_URL in front, full URLs are left alone."""
    if url.startswith(("http://", "https://")):
        return url
    if url.startswith("//"):
        return f"{urlsplit(settings.SITE_URL).scheme}:{url}"
    return settings.SITE_URL + url


def canonical(request) -> dict:
    """Context processor: the page's canonical address, keeping only a page number."""
    url = absolute_url(request.path)
    page = page_number(request.GET.get("page"))
    if page is not None and page > 1:
        url += f"?page={page}"
    return {"canonical_url": url}


@dataclass(frozen=True)
class SharedImage:
    """The one picture of an article that feeds, link previews and search results show."""

    url: str
    width: int
    height: int
    mime_type: str
    file: FieldFile


def largest_rendition(image, format: str):
    """The widest rendition of `image` in `format`; reads prefetched renditions when there."""
    candidates = [r for r in image.rendition_list if r.format == format]
    return max(candidates, key=lambda r: r.width, default=None)


def shared_image(image) -> SharedImage | None:
    """The largest JPEG rendition (every consumer reads JPEG), else the original upload."""
    if image is None:
        return None
    rendition = largest_rendition(image, "jpeg")
    if rendition is not None:
        return SharedImage(
            absolute_url(rendition.file.url),
            rendition.width,
            rendition.height,
            "image/jpeg",
            rendition.file,
        )
    mime_type = guess_type(image.file.name)[0] or "image/jpeg"
    return SharedImage(
        absolute_url(image.file.url), image.width, image.height, mime_type, image.file
    )


def publisher() -> dict:
    width, height = LOGO_SIZE
    return {
        "@type": "NewsMediaOrganization",
        "name": settings.SITE_NAME,
        "url": settings.SITE_URL + "/",
        "logo": {
            "@type": "ImageObject",
            "url": absolute_url(static(LOGO_PATH)),
            "width": width,
            "height": height,
        },
    }


def article_json_ld(article, record=()) -> dict:
    """schema.org NewsArticle for an article page, from prefetched bylines and renditions;
    each correction or clarification in `record` (its approved entries) is a CorrectionComment.
    """
    url = absolute_url(article.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.headline[:110],
        "description": article.description_for_seo,
        "datePublished": (article.first_published_at or article.publish_at).isoformat(),
        "dateModified": article.modified_at.isoformat(),
        "articleSection": article.section.name,
        "keywords": [tag.name for tag in article.tag_list],
        "author": [
            {"@type": "Person", "name": author.name, "url": absolute_url(author.get_absolute_url())}
            for author in article.byline_authors
        ],
        "publisher": publisher(),
    }
    on_the_record = [e for e in record if e.kind in ("correction", "clarification")]
    if on_the_record:
        data["correction"] = [
            {
                "@type": "CorrectionComment",
                "text": html.unescape(strip_tags(entry.text)),
                "datePublished": entry.created_at.isoformat(),
                "url": f"{url}#correction-{entry.pk}",
            }
            for entry in on_the_record
        ]
    if article.hero_image:
        images = []
        for format in ("webp", "jpeg"):
            rendition = largest_rendition(article.hero_image, format)
            if rendition is not None:
                images.append(absolute_url(rendition.file.url))
        data["image"] = images or [shared_image(article.hero_image).url]
    return data


def json_ld_script(data: dict) -> SafeString:
    """`data` as a <script type="application/ld+json"> element that no value can break out of."""
    payload = json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))
