"""`{% story_card %}`, `{% story %}` and `{% story_head %}`: a story card, and an article page's
story and metadata, each rendered once per process for as long as what it shows is the same
(newsroom/fragments.py).

Cards are most of what the home, section, tag and author pages render, and the same card
appears on many pages and many requests. A card's key is everything it displays (headline,
address, standfirst, section, bylines, photo and renditions, publish time) and the options it
is shown with; the story's adds the body, the credit line, the dates, the photo's caption, the
corrections and the tags.
"""

from django import template
from django.conf import settings
from django.template.loader import get_template

from newsroom import fragments

from .. import metadata

register = template.Library()

CARD_TEMPLATE = "articles/_card.html"
STORY_TEMPLATE = "articles/_story.html"
STORY_HEAD_TEMPLATE = "articles/_story_head.html"
CARDS = fragments.memo()
STORIES = fragments.memo(limit=1000)  # a story holds its whole body; a head, the JSON-LD


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


def _story_fingerprint(article, record) -> tuple:
    image = article.hero_image
    return (
        _fingerprint(article, ()),
        article.body,
        article.credit_line,
        article.first_published_at,
        article.updated_at,
        (image.caption, image.credit) if image else (),
        tuple((e.pk, e.kind, e.text, e.created_at) for e in record),
        tuple((t.pk, t.slug, t.name) for t in article.tag_list),
    )


@register.simple_tag
def story(article, record):
    """The article page's story: headline, byline, dates, photo, body, corrections and tags.

    `article` comes with its tags and card data prefetched; `record` is its corrections
    (articles/corrections.py `for_page`).
    """
    context = {"article": article, "record": record}
    return STORIES.render(
        ("story", _story_fingerprint(article, record)),
        lambda: get_template(STORY_TEMPLATE).render(context),
    )


@register.simple_tag(takes_context=True)
def story_head(context, article, record, *, preview=False):
    """The article page's metadata: OpenGraph and article tags, and schema.org JSON-LD.

    A preview (an article perhaps never published) gets the tags without a shared photo or
    JSON-LD, and is never memoised.
    """
    values = {
        "article": article,
        "canonical_url": context.get("canonical_url"),
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
    }

    def render() -> str:
        if not preview:
            values["share_image"] = metadata.shared_image(article.hero_image)
            values["json_ld"] = metadata.json_ld_script(metadata.article_json_ld(article, record))
        return get_template(STORY_HEAD_TEMPLATE).render(values)

    if preview:
        return render()
    key = (
        "head",
        _story_fingerprint(article, record),
        article.seo_title,
        article.seo_description,
        values["canonical_url"],
        settings.SITE_NAME,
        settings.SITE_URL,
        settings.STATIC_URL,
    )
    return STORIES.render(key, render)
