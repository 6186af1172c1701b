import json
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from PIL import Image as PILImage

from articles.metadata import LOGO_PATH, LOGO_SIZE
from articles.models import Article
from tests.factories import make_article, make_author, make_image, make_section

pytestmark = pytest.mark.django_db


class Head(HTMLParser):
    """The <head> facts a crawler reads: meta tags, link rels and JSON-LD blocks."""

    def __init__(self, html: str):
        super().__init__()
        self.meta: dict[str, list[str]] = {}
        self.links: dict[str, list[str]] = {}
        self.title = ""
        self.json_ld: list[str] = []
        self._in = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and ("property" in attrs or "name" in attrs):
            key = attrs.get("property") or attrs["name"]
            self.meta.setdefault(key, []).append(attrs.get("content", ""))
        elif tag == "link":
            self.links.setdefault(attrs.get("rel"), []).append(attrs.get("href"))
        elif tag == "title":
            self._in = "title"
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in = "json_ld"
            self.json_ld.append("")

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "title":
            self.title += data
        elif self._in == "json_ld":
            self.json_ld[-1] += data


def head_of(client, url: str, **params) -> Head:
    response = client.get(url, params)
    assert response.status_code == 200
    return Head(response.content.decode())


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://news.example"


@pytest.fixture
def story():
    return make_article(
        "Dam plan approved after decade of argument",
        standfirst="The reservoir will flood the valley by 2030.",
        section=make_section("Environment"),
        authors=[make_author("Ada Reporter"), make_author("Ben Writer")],
        tags=["Energy", "Rivers"],
        hero_image=make_image(1600, 900, alt_text="The valley at dawn"),
    )


def test_canonical_is_absolute_and_drops_the_query_string(client, story):
    head = head_of(client, story.get_absolute_url(), utm_source="x")

    assert head.links["canonical"] == [f"https://news.example{story.get_absolute_url()}"]


def test_canonical_of_a_later_list_page_keeps_the_page_number(client):
    section = make_section("News")
    for number in range(21):
        make_article(f"Story {number}", section=section)

    head = head_of(client, section.get_absolute_url(), page=2, ref="x")

    assert head.links["canonical"] == ["https://news.example/section/news/?page=2"]


def test_title_and_description_fall_back_from_seo_fields(client, story):
    head = head_of(client, story.get_absolute_url())
    assert head.title.startswith("Dam plan approved after decade of argument")
    assert head.meta["description"] == ["The reservoir will flood the valley by 2030."]

    story.seo_title = "Valley dam approved"
    story.seo_description = "Councillors back the reservoir."
    story.save()

    head = head_of(client, story.get_absolute_url())
    assert head.title.startswith("Valley dam approved")
    assert head.meta["description"] == ["Councillors back the reservoir."]
    assert head.meta["og:title"] == ["Valley dam approved"]
    assert head.meta["og:description"] == ["Councillors back the reservoir."]


def test_article_page_has_opengraph_and_twitter_card_with_hero_rendition(client, story):
    head = head_of(client, story.get_absolute_url())

    assert head.meta["og:type"] == ["article"]
    assert head.meta["og:url"] == [f"https://news.example{story.get_absolute_url()}"]
    assert head.meta["og:site_name"] == [django_settings.SITE_NAME]
    (image,) = head.meta["og:image"]
    assert image.startswith("https://news.example/media/") and image.endswith(".jpg")
    assert int(head.meta["og:image:width"][0]) > 0 and int(head.meta["og:image:height"][0]) > 0
    assert head.meta["og:image:alt"] == ["The valley at dawn"]
    assert head.meta["twitter:card"] == ["summary_large_image"]
    assert head.meta["twitter:image"] == [image]
    assert head.meta["article:section"] == ["Environment"]
    assert sorted(head.meta["article:tag"]) == ["Energy", "Rivers"]
    assert head.meta["article:published_time"][0].startswith(f"{story.publish_at:%Y-%m-%d}")


def test_article_json_ld_is_a_news_article_with_the_required_fields(client, story):
    head = head_of(client, story.get_absolute_url())

    (raw,) = head.json_ld
    data = json.loads(raw)
    url = f"https://news.example{story.get_absolute_url()}"
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Dam plan approved after decade of argument"
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
    assert data["datePublished"].startswith(f"{story.publish_at:%Y-%m-%d}")
    assert data["dateModified"]
    assert data["image"] and all(u.startswith("https://news.example/media/") for u in data["image"])
    assert [(a["@type"], a["name"]) for a in data["author"]] == [
        ("Person", "Ada Reporter"),
        ("Person", "Ben Writer"),
    ]
    assert data["author"][0]["url"].startswith("https://news.example/author/")
    logo = data["publisher"]["logo"]
    assert data["publisher"]["name"] == django_settings.SITE_NAME
    assert logo["@type"] == "ImageObject" and logo["url"].endswith("/static/img/logo.png")
    assert data["description"] == "The reservoir will flood the valley by 2030."


def test_json_ld_cannot_be_broken_out_of(client):
    article = make_article(
        "Editors </script><script>alert(1)</script> & <!-- friends",
        standfirst="</SCRIPT><img src=x onerror=alert(2)>",
    )

    page = client.get(article.get_absolute_url()).content.decode()

    assert "<script>alert(1)" not in page and "<img src=x" not in page
    (raw,) = Head(page).json_ld
    assert json.loads(raw)["headline"].startswith("Editors </script><script>alert(1)")


def test_list_and_home_pages_have_canonical_and_website_opengraph(client, story):
    for url in (reverse("articles:home"), story.section.get_absolute_url(), "/tag/energy/"):
        head = head_of(client, url)
        assert head.links["canonical"] == [f"https://news.example{url}"]
        assert head.meta["og:type"] == ["website"]
        assert head.meta["twitter:card"] == ["summary"]
        assert head.json_ld == []


def test_search_page_is_not_indexed(client):
    head = head_of(client, reverse("articles:search"), q="dam")

    assert head.meta["robots"] == ["noindex, follow"]
    assert head.links["canonical"] == ["https://news.example/search/"]


def test_publisher_logo_is_a_png_of_the_declared_size():
    logo = django_settings.BASE_DIR / "static" / LOGO_PATH

    with PILImage.open(logo) as image:
        assert image.format == "PNG"
        assert image.size == LOGO_SIZE


def test_a_page_not_found_has_metadata_but_no_canonical_link(client):
    response = client.get("/articles/no-such-story/")

    assert response.status_code == 404
    head = Head(response.content.decode())
    assert "canonical" not in head.links
    assert "og:url" not in head.meta
    assert head.title.startswith("Page not found")
    assert head.meta["og:title"] == ["Page not found"]
    assert head.meta["description"][0] and head.meta["twitter:card"] == ["summary"]


def every_public_page(story) -> list[str]:
    from newsletter.models import Terms

    if Terms.objects.current() is None:
        Terms.objects.create(version="test-1", body="Test terms.", published_at=story.publish_at)
    author = story.byline_authors[0]
    return [
        reverse("articles:home"),
        story.get_absolute_url(),
        story.section.get_absolute_url(),
        reverse("articles:tag", kwargs={"slug": "energy"}),
        author.get_absolute_url(),
        reverse("articles:search"),
        reverse("newsletter:signup"),
        reverse("terms"),
        reverse("privacy"),
    ]


def test_every_public_page_has_canonical_title_description_opengraph_and_twitter(client, story):
    for url in every_public_page(story):
        head = head_of(client, url, q="dam") if "search" in url else head_of(client, url)

        assert head.links["canonical"] == [f"https://news.example{url}"], url
        assert head.meta["og:url"] == head.links["canonical"], url
        (og_title,) = head.meta["og:title"]
        assert head.title.startswith(og_title), url
        assert head.meta["twitter:title"] == [og_title], url
        assert head.meta["description"][0].strip(), url
        assert head.meta["og:description"][0].strip(), url
        assert head.meta["twitter:description"] == head.meta["og:description"], url
        assert head.meta["og:type"][0] in {"website", "article", "profile"}, url
        assert head.meta["og:site_name"] == [django_settings.SITE_NAME], url
        assert head.meta["twitter:card"][0] in {"summary", "summary_large_image"}, url


def test_json_ld_and_opengraph_modified_time_is_never_before_publication(client, clock):
    from articles import workflow
    from tests.factories import make_editor

    draft = make_article("Dam plan approved", status=Article.Status.DRAFT)
    clock.shift(timedelta(hours=2))
    workflow.publish(draft, by=make_editor())

    head = head_of(client, draft.get_absolute_url())

    data = json.loads(head.json_ld[0])
    assert data["datePublished"] == draft.first_published_at.isoformat()
    assert data["dateModified"] == data["datePublished"]
    assert head.meta["article:modified_time"] == head.meta["article:published_time"]


def test_json_ld_modified_time_follows_a_later_edit(client, story, clock):
    clock.shift(timedelta(hours=3))
    story.standfirst = "Corrected standfirst."
    story.save()

    data = json.loads(head_of(client, story.get_absolute_url()).json_ld[0])

    assert data["dateModified"] == story.updated_at.isoformat()
    assert data["datePublished"] == story.first_published_at.isoformat()
