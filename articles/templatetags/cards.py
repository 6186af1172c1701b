"""`{% story_card %}` and `{% story %}`: a story card, and an article page's story, each
rendered once per process for as long as what it shows is the same (newsroom/fragments.py).

Cards are most of what the home, section, tag and author pages render, and the same card
appears on many pages and many requests. A card's key is everything it displays (headline,
address, standfirst, section, bylines, photo and renditions, publish time) and the options it
is shown with; the story's adds the body, the credit line, the dates, the photo's caption, the
corrections and the tags.
"""

from django import template
from django.template.loader import get_template

from newsroom import fragments

register = template.Library()

CARD_TEMPLATE = "articles/_card.html"
STORY_TEMPLATE = "articles/_story.html"
CARDS = fragments.memo()
STORIES = fragments.memo(limit=500)  # a story holds its whole body


def _image_fingerprint(image) -> tuple:
    if image is None:
        return ()
    renditions = tuple(
        (r.pk, r.file.name, r.width, r.height, r.format) for r in image.rendition_list
    )
    return (image.pk, image.file.name, image.width, image.height, image.alt_text, renditions)


def _fingerprint(article, options: tuple) -> tuple:
    section = article.section
    return (
        options,
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
    context = {
        "article": article,
        "is_lead": is_lead,
        "show_image": show_image,
        "show_standfirst": show_standfirst,
        "show_section": show_section,
        "image_sizes": image_sizes,
    }
    return CARDS.render(
        _fingerprint(article, (*options, image_sizes)),
        lambda: get_template(CARD_TEMPLATE).render(context),
    )


@register.simple_tag
def story(article, record):
    """The article page's story: headline, byline, dates, photo, body, corrections and tags.

    `article` comes with its tags and card data prefetched; `record` is its corrections
    (articles/corrections.py `for_page`).
    """
    image = article.hero_image
    key = (
        _fingerprint(article, ("story",)),
        article.body,
        article.credit_line,
        article.first_published_at,
        article.updated_at,
        (image.caption, image.credit) if image else (),
        tuple((e.pk, e.kind, e.text, e.created_at) for e in record),
        tuple((t.pk, t.slug, t.name) for t in article.tags.all()),
    )
    context = {"article": article, "record": record}
    return STORIES.render(key, lambda: get_template(STORY_TEMPLATE).render(context))
