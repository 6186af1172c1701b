"""What an article looks like in ninjs, and that it keeps to the ninjs 3.0 rules."""

from datetime import UTC, datetime

import pytest
from django.test import override_settings

from api.ninjs import article_to_ninjs, pk_from_uri
from articles.models import Article
from tests.factories import make_article, make_correction

from .ninjs_rules import violations

pytestmark = pytest.mark.django_db
BASE = "https://news.example"
DAY_ONE = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DAY_TWO = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def serialise(article):
    loaded = Article.objects.for_cards().prefetch_related("tags").get(pk=article.pk)
    return article_to_ninjs(loaded, BASE)


def test_article_keeps_to_the_ninjs_rules(story):
    assert violations(serialise(story)) == []


def test_rules_catch_what_the_specification_forbids():
    broken = {
        "headlines": [{"role": "main"}],
        "associations": [{"type": "picture", "renditions": [{"href": "https://x.test/a.jpg"}]}],
        "webUrl": "https://x.test/",
    }
    found = violations(broken)
    assert "item: uri is required" in found
    assert "item.headlines[0] has no string value" in found
    assert "item.associations[0]: name is required" in found
    assert "item.associations[0]: uri is required" in found
    assert "item.associations[0].renditions[0]: name is required" in found
    assert "item: webUrl is not a ninjs 3.0 property" in found


@override_settings(SITE_URL="https://www.example.org")
def test_uri_is_stable_across_slug_changes_and_resolves_back(story):
    before = serialise(story)["uri"]
    story.slug = "a-new-slug"
    story.save()
    assert (
        serialise(story)["uri"]
        == before
        == f"https://www.example.org/api/ninjs/articles/{story.pk}"
    )
    assert pk_from_uri(before) == story.pk
    assert pk_from_uri("https://elsewhere.example/api/ninjs/articles/1") is None


@override_settings(API_COPYRIGHT_HOLDER="Example News Ltd", LANGUAGE_CODE="en-gb")
def test_article_fields(story):
    item = serialise(story)
    assert item["standard"]["version"] == "3.0"
    assert item["type"] == "text" and item["pubStatus"] == "usable"
    assert item["version"] == str(story.version)
    assert item["headlines"] == [{"role": "main", "value": "Council approves the river crossing"}]
    assert item["descriptions"] == [
        {"role": "summary", "value": "The vote ends a decade of argument."}
    ]
    assert item["by"] == "Ana Silva and Ben Okafor"
    assert item["copyrightHolder"] == "Example News Ltd"
    assert item["language"] == "en-GB"
    assert item["firstCreated"] == story.first_published_at.isoformat(timespec="seconds")
    assert item["renditions"] == [
        {"name": "web", "href": f"{BASE}/articles/{story.slug}/", "contentType": "text/html"}
    ]
    subjects = {(s["rel"], s["name"]) for s in item["subjects"]}
    assert subjects == {("section", "News"), ("tag", "Transport"), ("tag", "Council")}
    assert "edNote" not in item


def test_bodies_are_xhtml_and_plain_text(story):
    xhtml, text = serialise(story)["bodies"]
    assert xhtml["contentType"] == "application/xhtml+xml"
    assert "&amp; agreed.<br/>Work" in xhtml["value"]
    assert "<blockquote><p>“It is a good day,” the mayor said.</p></blockquote>" in xhtml["value"]
    assert text["contentType"] == "text/plain"
    assert text["value"] == (
        "The council voted on Tuesday & agreed.\nWork starts soon.\n\n"
        "“It is a good day,” the mayor said."
    )
    assert text["wordCount"] == len(text["value"].split())


def test_hero_picture_is_an_association_with_renditions(story):
    [hero] = serialise(story)["associations"]
    assert hero["name"] == "hero" and hero["type"] == "picture"
    assert hero["by"] == "Jane Doe / Agency"
    assert {"role": "alt", "value": "A river at dusk"} in hero["descriptions"]
    assert {"role": "caption", "value": "The bridge at dusk."} in hero["descriptions"]
    original, *resized = hero["renditions"]
    assert original["contentType"] == "image/jpeg" and original["width"] == 1200
    assert resized and all(r["href"].startswith(BASE + "/") for r in hero["renditions"])
    assert {r["contentType"] for r in resized} >= {"image/webp"}
    assert all(r["width"] and r["height"] for r in resized)


def test_corrections_are_the_editorial_note_newest_first():
    article = make_article()
    make_correction(
        article, "An earlier version misspelt the mayor&#x27;s name.", created_at=DAY_ONE
    )
    make_correction(article, "Adds the <em>final</em> count.", kind="update", created_at=DAY_TWO)
    make_correction(article, "Not yet approved.", status="proposed")
    item = serialise(article)
    assert item["edNote"] == (
        "Update (2026-12-02): Adds the final count.\n"
        "Correction (2026-12-01): An earlier version misspelt the mayor's name."
    )
    assert violations(item) == []


def test_article_without_photo_or_tags_is_still_valid():
    item = serialise(make_article(body=""))
    assert "associations" not in item
    assert item["bodies"][1]["value"] == ""
    assert violations(item) == []
