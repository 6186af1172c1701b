"""Issue 17, item 5: pre-publish checks — errors block, warnings only inform."""

import pytest

from articles import checks, workflow
from articles.models import Article
from tests.factories import make_article, make_editor, make_image

pytestmark = pytest.mark.django_db


def messages_for(article) -> list[str]:
    return [c.message for c in checks.prepublish_checks(article)]


def test_a_complete_article_has_no_checks():
    body = "<p>" + "word " * 200 + "</p>"
    article = make_article(
        body=body, tags=["Energy"], hero_image=make_image(credit="Ann Lee"), seo_description="d"
    )
    assert checks.prepublish_checks(article) == []


def test_a_bare_article_lists_every_warning():
    article = make_article(standfirst="", headline="H" * 101, body="<p>Short.</p>")
    assert messages_for(article) == [
        "The body is very short (1 word).",
        "There is no hero image.",
        "The standfirst is missing.",
        "There are no tags.",
        "The headline is over 100 characters.",
        "The SEO description is empty.",
    ]


def test_a_hero_without_credit_is_a_warning():
    article = make_article(hero_image=make_image(credit=""))
    assert "The hero image has no credit." in messages_for(article)


def test_an_empty_body_is_an_error_and_blocks_publishing():
    article = make_article(status=Article.Status.DRAFT, body="<p> </p>")
    [first, *_] = checks.prepublish_checks(article)
    assert first.is_error and first.message == "The body is empty."
    with pytest.raises(workflow.InvalidTransition, match="empty body"):
        workflow.publish(article, by=make_editor())
