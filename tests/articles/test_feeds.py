import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_author, make_image, make_section

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"


def fetch_xml(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200
    return ET.fromstring(response.content)


@pytest.fixture
def story(settings):
    settings.SITE_URL = "https://news.example"
    section = make_section("Environment", description="Climate, energy and nature.")
    return make_article(
        "Dam plan approved",
        standfirst="The reservoir will flood the valley by 2030.",
        section=section,
        authors=[make_author("Ada Reporter"), make_author("Ben Writer")],
        tags=["Energy", "Rivers"],
        hero_image=make_image(1600, 900),
    )


def test_rss_feed_item_carries_standfirst_bylines_tags_and_hero_image(client, story):
    channel = fetch_xml(client, reverse("articles:feed_rss")).find("channel")

    assert channel.findtext("title") and channel.findtext("description")
    assert channel.findtext("link") == "https://news.example/"
    (item,) = channel.findall("item")
    assert item.findtext("title") == "Dam plan approved"
    assert item.findtext("link") == f"https://news.example{story.get_absolute_url()}"
    assert item.findtext("description") == "The reservoir will flood the valley by 2030."
    assert item.findtext("guid").startswith("tag:news.example,")
    assert item.findtext("pubDate")
    assert [e.text for e in item.findall(f"{DC}creator")] == ["Ada Reporter", "Ben Writer"]
    assert sorted(e.text for e in item.findall("category")) == ["Energy", "Rivers"]
    enclosure = item.find("enclosure")
    assert enclosure.get("url").startswith("https://news.example/media/")
    assert enclosure.get("type") == "image/jpeg"
    assert int(enclosure.get("length")) > 0


def test_atom_feed_entry_carries_authors_categories_times_and_enclosure(client, story):
    feed = fetch_xml(client, reverse("articles:feed_atom"))

    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}id") and feed.findtext(f"{ATOM}updated")
    (entry,) = feed.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Dam plan approved"
    assert entry.findtext(f"{ATOM}summary") == "The reservoir will flood the valley by 2030."
    assert entry.findtext(f"{ATOM}id").startswith("tag:news.example,")
    assert entry.findtext(f"{ATOM}published") and entry.findtext(f"{ATOM}updated")
    names = [a.findtext(f"{ATOM}name") for a in entry.findall(f"{ATOM}author")]
    assert names == ["Ada Reporter", "Ben Writer"]
    assert sorted(c.get("term") for c in entry.findall(f"{ATOM}category")) == ["Energy", "Rivers"]
    links = {link.get("rel"): link for link in entry.findall(f"{ATOM}link")}
    assert links["alternate"].get("href") == f"https://news.example{story.get_absolute_url()}"
    assert links["enclosure"].get("type") == "image/jpeg"


def test_atom_updated_time_follows_the_article_update(client, story, clock):
    clock.shift(timedelta(hours=3))
    story.standfirst = "Corrected standfirst."
    story.save()

    entry = fetch_xml(client, reverse("articles:feed_atom")).find(f"{ATOM}entry")

    assert entry.findtext(f"{ATOM}updated") != entry.findtext(f"{ATOM}published")


@pytest.mark.parametrize(
    ("name", "owner"),
    [
        ("section_feed", lambda story: story.section.slug),
        ("tag_feed", lambda story: "energy"),
        ("author_feed", lambda story: story.byline_authors[0].slug),
    ],
)
@pytest.mark.parametrize("flavour", ["rss", "atom"])
def test_section_tag_and_author_feeds_hold_only_their_articles(client, story, name, owner, flavour):
    make_article("Unrelated story", tags=["Sport"])
    root = fetch_xml(client, reverse(f"articles:{name}_{flavour}", kwargs={"slug": owner(story)}))

    titles = [e.text for e in root.iter() if e.tag in {"title", f"{ATOM}title"}]

    assert "Dam plan approved" in titles
    assert "Unrelated story" not in titles


def test_feed_of_an_unknown_section_is_404(client):
    response = client.get(reverse("articles:section_feed_rss", kwargs={"slug": "nope"}))

    assert response.status_code == 404


def test_feeds_never_include_drafts_or_future_scheduled(client):
    make_article("Live story")
    make_article("Draft story", status=Article.Status.DRAFT)
    make_article(
        "Embargoed story",
        status=Article.Status.SCHEDULED,
        publish_at=timezone.now() + timedelta(hours=1),
    )

    channel = fetch_xml(client, reverse("articles:feed_rss")).find("channel")

    assert [item.findtext("title") for item in channel.findall("item")] == ["Live story"]


def test_feed_queries_do_not_grow_with_articles(client, django_assert_max_num_queries):
    section = make_section("News")
    for number in range(10):
        make_article(
            f"Story {number}", section=section, tags=["A", "B"], hero_image=make_image(600, 400)
        )

    with django_assert_max_num_queries(5):
        response = client.get(reverse("articles:section_feed_atom", kwargs={"slug": "news"}))

    assert response.content.count(b"<entry>") == 10


def test_pages_link_to_their_feeds(client, story):
    home = client.get(reverse("articles:home")).content.decode()
    section_page = client.get(story.section.get_absolute_url()).content.decode()

    assert 'type="application/rss+xml"' in home and reverse("articles:feed_rss") in home
    section_feed = reverse("articles:section_feed_rss", kwargs={"slug": story.section.slug})
    assert f'href="{section_feed}"' in section_page


def alternate_links(html: str) -> dict[str, str]:
    from html.parser import HTMLParser

    links = {}

    class Links(HTMLParser):
        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "link" and attrs.get("rel") == "alternate":
                links[attrs["href"]] = attrs["type"]

    Links().feed(html)
    return links


@pytest.mark.parametrize(
    ("page", "feed", "owner"),
    [
        ("section", "section_feed", lambda story: story.section.slug),
        ("tag", "tag_feed", lambda story: "energy"),
        ("author", "author_feed", lambda story: story.byline_authors[0].slug),
    ],
)
def test_section_tag_and_author_pages_link_their_own_rss_and_atom_feeds(
    client, story, page, feed, owner
):
    slug = {"slug": owner(story)}

    links = alternate_links(client.get(reverse(f"articles:{page}", kwargs=slug)).content.decode())

    assert links[reverse(f"articles:{feed}_rss", kwargs=slug)] == "application/rss+xml"
    assert links[reverse(f"articles:{feed}_atom", kwargs=slug)] == "application/atom+xml"
    # The whole site's feeds stay linked too.
    assert links[reverse("articles:feed_atom")] == "application/atom+xml"


def test_atom_times_are_the_first_publication_and_the_last_change(client, story, clock):
    published = story.publish_at
    clock.shift(timedelta(hours=3))
    story.standfirst = "Corrected standfirst."
    story.save()

    feed = fetch_xml(client, reverse("articles:feed_atom"))
    entry = feed.find(f"{ATOM}entry")

    assert entry.findtext(f"{ATOM}published") == published.isoformat()
    assert entry.findtext(f"{ATOM}updated") == story.updated_at.isoformat()
    assert feed.findtext(f"{ATOM}updated") == story.updated_at.isoformat()


def test_an_article_published_after_its_last_edit_is_not_updated_before_it_was_published(
    client, settings, clock
):
    from articles import workflow
    from tests.factories import make_editor

    draft = make_article("Dam plan approved", status=Article.Status.DRAFT)
    clock.shift(timedelta(hours=2))
    workflow.publish(draft, by=make_editor())

    entry = fetch_xml(client, reverse("articles:feed_atom")).find(f"{ATOM}entry")
    channel = fetch_xml(client, reverse("articles:feed_rss")).find("channel")

    assert entry.findtext(f"{ATOM}published") == draft.first_published_at.isoformat()
    assert entry.findtext(f"{ATOM}updated") == draft.first_published_at.isoformat()
    assert channel.findtext("lastBuildDate") == channel.find("item").findtext("pubDate")
