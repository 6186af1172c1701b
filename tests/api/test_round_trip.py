"""Our copy goes out in the standard it comes in: an article exported by the content API and
read back by the wire desk's ninjs parser keeps its headline, standfirst, paragraphs, credit
(the byline) and version."""

import json

import pytest
from django.test import override_settings
from django.utils.html import strip_tags

from api.ninjs import article_to_ninjs, article_uri
from articles.models import Article
from tests.factories import make_article, make_author
from wire.formats import ninjs

pytestmark = pytest.mark.django_db

BODY = (
    "<p>The council voted 31 to 12 for the crossing.</p>"
    "<p>“It is a bridge we have waited for,” said the mayor’s office.</p>"
    '<p>Work starts in <em>March</em>; see the <a href="https://example.org/plan">plan</a>.</p>'
)


def paragraphs(html: str) -> list[str]:
    return [strip_tags(part).strip() for part in html.split("</p>") if strip_tags(part).strip()]


@override_settings(API_COPYRIGHT_HOLDER="The Newsroom")
def test_an_exported_article_reads_back_through_the_wire_parser():
    article = make_article(
        "Council approves the river crossing",
        standfirst="A vote after ten years of plans.",
        body=BODY,
        authors=[make_author("Ana Costa"), make_author("Li Wei")],
    )
    Article.objects.filter(pk=article.pk).update(version=7)
    loaded = Article.objects.for_cards().prefetch_related("tags").get(pk=article.pk)

    exported = json.dumps(article_to_ninjs(loaded, "https://news.example")).encode()
    story = ninjs.parse(exported)

    assert story.format == "ninjs 3"
    assert story.headline == "Council approves the river crossing"
    assert story.standfirst == "A vote after ten years of plans."
    assert paragraphs(story.body) == paragraphs(BODY)
    assert "<em>March</em>" in story.body
    assert story.byline == loaded_byline(exported)
    assert "Ana Costa" in story.byline and "Li Wei" in story.byline
    assert story.source == "The Newsroom"
    assert story.version == 7
    assert story.item_id == article_uri(article.pk)
    assert not story.is_kill


def loaded_byline(exported: bytes) -> str:
    by = json.loads(exported)["by"]
    return by if isinstance(by, str) else by["name"]
