"""Checks before going live: what an editor should know before an article is published or
scheduled. Errors block (nothing to publish); warnings are shown and do not.

The change form runs the same list in the browser on the unsaved text
(static/js/article_form.js); bulk actions run this one on each selected article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.html import strip_tags
from django.utils.translation import gettext, ngettext

from .models import Article

SHORT_BODY_WORDS = 150
LONG_HEADLINE = 100


@dataclass(frozen=True)
class Check:
    level: str  # "error" or "warning"
    message: str

    @property
    def is_error(self) -> bool:
        return self.level == "error"


def word_count(html: str) -> int:
    return len(re.findall(r"\S+", strip_tags(html or "")))


def prepublish_checks(article: Article) -> list[Check]:
    """Errors first, then warnings. Uses the article's tags and hero image (prefetch them)."""
    found = []
    words = word_count(article.body)
    if words == 0:
        found.append(Check("error", gettext("The body is empty.")))
    elif words < SHORT_BODY_WORDS:
        short = ngettext(
            "The body is very short (%(words)d word).",
            "The body is very short (%(words)d words).",
            words,
        )
        found.append(Check("warning", short % {"words": words}))
    if article.hero_image_id is None:
        found.append(Check("warning", gettext("There is no hero image.")))
    elif not article.hero_image.credit:
        found.append(Check("warning", gettext("The hero image has no credit.")))
    if not article.standfirst.strip():
        found.append(Check("warning", gettext("The standfirst is missing.")))
    if not article.tags.all():
        found.append(Check("warning", gettext("There are no tags.")))
    if len(article.headline) > LONG_HEADLINE:
        found.append(
            Check(
                "warning",
                gettext("The headline is over %(limit)d characters.") % {"limit": LONG_HEADLINE},
            )
        )
    if not article.seo_description.strip():
        found.append(Check("warning", gettext("The SEO description is empty.")))
    return found
