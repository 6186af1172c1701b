"""`{% story_card %}`: a story card, rendered once per process for as long as what it shows is
the same.

Cards are most of what the home, section, tag and author pages render, and the same card
appears on many pages and many requests. The memo's key is everything the card displays
(headline, address, standfirst, section, bylines, photo and renditions, publish time) and the
options it is shown with, so an edited article, a renamed author or a new caption makes a new
key: a memoised card can never be out of date, and needs no invalidation. The memo is per
process and bounded; it is not shared through the cache because a lookup there would cost as
much as the render it saves.
"""

from django import template
from django.conf import settings
from django.template.loader import get_template

register = template.Library()

CARD_TEMPLATE = "articles/_card.html"
MEMO_LIMIT = 5000
_memo: dict[tuple, str] = {}


def _image_fingerprint(image) -> tuple:
    if image is None:
        return ()
    renditions = tuple(
        (r.pk, r.file.name, r.width, r.height, r.format) for r in image.renditions.all()
    )
    return (image.pk, image.file.name, image.width, image.height, image.alt_text, renditions)


def _fingerprint(article, options: tuple) -> tuple:
    section = article.section
    return (
        options,
        settings.MEDIA_URL,
        article.pk,
        article.slug,
        article.headline,
        article.standfirst,
        article.publish_at,
        (section.pk, section.slug, section.name),
        tuple((a.pk, a.slug, a.name) for a in article.byline_authors),
        _image_fingerprint(article.hero_image),
    )


@register.simple_tag
def story_card(
    article,
    *,
    is_lead=False,
    show_image=False,
    show_standfirst=False,
    show_section=False,
    image_sizes="",
):
    """The card for `article` (with prefetched bylines and renditions, as `for_cards()` gives)."""
    options = (bool(is_lead), bool(show_image), bool(show_standfirst), bool(show_section))
    key = _fingerprint(article, (*options, image_sizes))
    html = _memo.get(key)
    if html is None:
        context = {
            "article": article,
            "is_lead": is_lead,
            "show_image": show_image,
            "show_standfirst": show_standfirst,
            "show_section": show_section,
            "image_sizes": image_sizes,
        }
        html = get_template(CARD_TEMPLATE).render(context)
        if len(_memo) >= MEMO_LIMIT:
            _memo.clear()
        _memo[key] = html
    return html
