import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_author, make_section

pytestmark = pytest.mark.django_db

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://news.example"


def fetch_xml(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200
    assert "xml" in response["Content-Type"]
    return ET.fromstring(response.content)


def locations(client, section: str) -> list[str]:
    url = reverse("articles:sitemap_section", kwargs={"section": section})
    return [loc.text for loc in fetch_xml(client, url).iter(f"{SM}loc")]


def test_sitemap_index_lists_articles_sections_tags_and_authors(client):
    make_article("Live story", tags=["Energy"])

    index = fetch_xml(client, reverse("articles:sitemap"))

    assert index.tag == f"{SM}sitemapindex"
    listed = [sitemap.findtext(f"{SM}loc") for sitemap in index.findall(f"{SM}sitemap")]
    for name in ("articles", "sections", "tags", "authors"):
        assert any(loc.endswith(f"/sitemap-{name}.xml") for loc in listed)
    assert all(sitemap.findtext(f"{SM}lastmod") for sitemap in index.findall(f"{SM}sitemap"))


def test_article_sitemap_has_absolute_locations_and_lastmod(client):
    article = make_article("Live story")

    root = fetch_xml(client, reverse("articles:sitemap_section", kwargs={"section": "articles"}))

    (url,) = root.findall(f"{SM}url")
    assert url.findtext(f"{SM}loc") == f"https://news.example{article.get_absolute_url()}"
    assert url.findtext(f"{SM}lastmod")


def test_sitemaps_never_list_drafts_or_future_scheduled(client):
    live = make_article("Live story", tags=["Energy"])
    draft_section, draft_author = make_section("Drafts only"), make_author("Draft Writer")
    make_article(
        "Draft story",
        status=Article.Status.DRAFT,
        section=draft_section,
        authors=[draft_author],
        tags=["Secret"],
    )
    make_article(
        "Embargoed story",
        status=Article.Status.SCHEDULED,
        publish_at=timezone.now() + timedelta(hours=1),
        section=draft_section,
        authors=[draft_author],
        tags=["Secret"],
    )

    assert locations(client, "articles") == [f"https://news.example{live.get_absolute_url()}"]
    assert locations(client, "sections") == [
        f"https://news.example{live.section.get_absolute_url()}"
    ]
    assert locations(client, "tags") == ["https://news.example/tag/energy/"]
    author_url = live.byline_authors[0].get_absolute_url()
    assert locations(client, "authors") == [f"https://news.example{author_url}"]


def test_news_sitemap_lists_the_last_48_hours_with_publication_details(client):
    recent = make_article("Fresh & new story", publish_at=timezone.now() - timedelta(hours=3))
    make_article("Old story", publish_at=timezone.now() - timedelta(hours=49))
    make_article("Draft story", status=Article.Status.DRAFT)
    make_article(
        "Embargoed story",
        status=Article.Status.SCHEDULED,
        publish_at=timezone.now() + timedelta(hours=1),
    )

    root = fetch_xml(client, reverse("articles:news_sitemap"))

    (url,) = root.findall(f"{SM}url")
    assert url.findtext(f"{SM}loc") == f"https://news.example{recent.get_absolute_url()}"
    news = url.find(f"{NEWS}news")
    assert news.findtext(f"{NEWS}publication/{NEWS}name")
    assert news.findtext(f"{NEWS}publication/{NEWS}language") == "en"
    assert news.findtext(f"{NEWS}publication_date").startswith(f"{recent.publish_at:%Y-}")
    assert news.findtext(f"{NEWS}title") == "Fresh & new story"


def test_robots_txt_points_at_both_sitemaps_and_keeps_crawlers_out_of_admin(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Disallow: /admin/" in lines
    assert "Sitemap: https://news.example/sitemap.xml" in lines
    assert "Sitemap: https://news.example/sitemap-news.xml" in lines


def test_sitemap_queries_do_not_grow_with_articles(client, django_assert_max_num_queries):
    section = make_section("News")
    for number in range(15):
        make_article(f"Story {number}", section=section, tags=["Energy"])

    with django_assert_max_num_queries(10):
        client.get(reverse("articles:sitemap"))
    for name in ("articles", "sections", "tags", "authors"):
        with django_assert_max_num_queries(3):
            client.get(reverse("articles:sitemap_section", kwargs={"section": name}))
    with django_assert_max_num_queries(2):
        client.get(reverse("articles:news_sitemap"))


def test_lastmod_of_an_article_published_after_its_last_edit_is_its_publication(client, clock):
    from datetime import datetime

    from articles import workflow
    from tests.factories import make_editor

    clock.move_to(datetime.fromisoformat("2026-03-10T08:00:00+00:00"))
    draft = make_article("Dam plan approved", status=Article.Status.DRAFT)
    clock.shift(timedelta(days=2))
    workflow.publish(draft, by=make_editor())

    url = reverse("articles:sitemap_section", kwargs={"section": "articles"})
    article_lastmod = fetch_xml(client, url).find(f"{SM}url").findtext(f"{SM}lastmod")
    index = fetch_xml(client, reverse("articles:sitemap"))
    index_lastmod = next(
        sitemap.findtext(f"{SM}lastmod")
        for sitemap in index.findall(f"{SM}sitemap")
        if sitemap.findtext(f"{SM}loc").endswith("/sitemap-articles.xml")
    )

    published = draft.first_published_at
    assert article_lastmod == f"{timezone.localtime(published):%Y-%m-%d}"
    assert datetime.fromisoformat(index_lastmod) == published


def test_news_sitemap_leaves_out_an_old_article_published_again(client, clock):
    from articles import workflow
    from tests.factories import make_editor

    editor = make_editor()
    story = make_article("Old story")
    clock.shift(timedelta(days=5))
    workflow.unpublish(story, by=editor)
    workflow.publish(story, by=editor)

    root = fetch_xml(client, reverse("articles:news_sitemap"))

    assert root.findall(f"{SM}url") == []
