import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import querysets, sitemaps
from articles.models import Article
from tests.factories import make_article, make_author, make_editor, make_section

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


def article_sitemap(article: Article) -> str:
    """The article sitemap page that lists `article`."""
    return sitemaps.article_sitemap_url(sitemaps.page_of(article.pk))


def index_entries(client) -> dict[str, str | None]:
    index = fetch_xml(client, reverse("articles:sitemap"))
    return {
        sitemap.findtext(f"{SM}loc"): sitemap.findtext(f"{SM}lastmod")
        for sitemap in index.findall(f"{SM}sitemap")
    }


@pytest.fixture
def three_per_page(monkeypatch):
    """Article sitemap pages of three ids each, so that a few articles fill several."""
    monkeypatch.setattr(querysets, "ARTICLES_PER_SITEMAP", 3)
    monkeypatch.setattr(sitemaps, "ARTICLES_PER_SITEMAP", 3)


def test_sitemap_index_lists_articles_sections_tags_and_authors(client):
    make_article("Live story", tags=["Energy"])

    index = fetch_xml(client, reverse("articles:sitemap"))

    assert index.tag == f"{SM}sitemapindex"
    listed = [sitemap.findtext(f"{SM}loc") for sitemap in index.findall(f"{SM}sitemap")]
    # The article's page is the first or a later one (PostgreSQL's ids go on across tests).
    for name in ("articles", "sections", "tags", "authors"):
        assert any(loc.split("?")[0].endswith(f"/sitemap-{name}.xml") for loc in listed)
    assert all(sitemap.findtext(f"{SM}lastmod") for sitemap in index.findall(f"{SM}sitemap"))


def test_article_sitemap_has_absolute_locations_and_lastmod(client):
    article = make_article("Live story")

    root = fetch_xml(client, article_sitemap(article))

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

    listed = [loc.text for loc in fetch_xml(client, article_sitemap(live)).iter(f"{SM}loc")]
    assert listed == [f"https://news.example{live.get_absolute_url()}"]
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
    from articles import workflow

    clock.move_to(datetime.fromisoformat("2026-03-10T08:00:00+00:00"))
    draft = make_article("Dam plan approved", status=Article.Status.DRAFT)
    clock.shift(timedelta(days=2))
    workflow.publish(draft, by=make_editor())

    article_lastmod = (
        fetch_xml(client, article_sitemap(draft)).find(f"{SM}url").findtext(f"{SM}lastmod")
    )
    index_lastmod = index_entries(client)[f"https://news.example{article_sitemap(draft)}"]

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


def test_index_lists_every_article_page_with_its_newest_change(client, three_per_page, clock):
    stories = []
    for number in range(7):
        clock.shift(timedelta(hours=1))
        stories.append(make_article(f"Story {number}"))
    make_article("Draft story", status=Article.Status.DRAFT)

    entries = index_entries(client)

    pages = {}
    for story in stories:
        pages.setdefault(sitemaps.page_of(story.pk), []).append(story)
    listed = {loc: lastmod for loc, lastmod in entries.items() if "sitemap-articles" in loc}
    # Every page with a story, and no other (an empty site lists its empty first page).
    expected = {f"https://news.example{sitemaps.article_sitemap_url(n)}" for n in pages}
    assert set(listed) == expected
    for number, on_page in pages.items():
        lastmod = listed[f"https://news.example{sitemaps.article_sitemap_url(number)}"]
        assert datetime.fromisoformat(lastmod) == max(story.modified_at for story in on_page)
        page = fetch_xml(client, sitemaps.article_sitemap_url(number))
        assert [loc.text for loc in page.iter(f"{SM}loc")] == [
            f"https://news.example{story.get_absolute_url()}" for story in on_page
        ]


def test_an_edit_moves_the_lastmod_of_its_own_page_only(client, three_per_page, clock):
    stories = [make_article(f"Story {number}") for number in range(7)]
    before = index_entries(client)
    edited = stories[0]

    clock.shift(timedelta(days=3))
    edited.standfirst = "Corrected."
    edited.save()

    after = index_entries(client)
    page = f"https://news.example{article_sitemap(edited)}"
    assert datetime.fromisoformat(after[page]) == edited.updated_at
    changed = {loc for loc in after if after[loc] != before[loc]}
    # The sections, tags and authors move with the newest change of any live article.
    assert {loc for loc in changed if "sitemap-articles" in loc} == {page}


def test_article_sitemap_pages_past_the_end_or_malformed_are_404(client, three_per_page):
    story = make_article("Story")
    last = sitemaps.page_of(story.pk)

    assert client.get(sitemaps.article_sitemap_url(last)).status_code == 200
    for page in (str(last + 1), "0", "-1", "x", "1.5"):
        assert client.get(f"/sitemap-articles.xml?p={page}").status_code == 404, page


def test_an_empty_site_has_an_empty_first_article_sitemap(client):
    root = fetch_xml(client, "/sitemap-articles.xml")

    assert root.tag == f"{SM}urlset"
    assert root.findall(f"{SM}url") == []
    assert "https://news.example/sitemap-articles.xml" in index_entries(client)


def test_article_sitemap_queries_do_not_grow_with_pages(
    client, three_per_page, django_assert_max_num_queries
):
    for number in range(4):
        make_article(f"Story {number}")
    with django_assert_max_num_queries(7) as small:
        client.get(reverse("articles:sitemap"))

    stories = [make_article(f"More {number}") for number in range(12)]

    with django_assert_max_num_queries(len(small)):
        client.get(reverse("articles:sitemap"))
    with django_assert_max_num_queries(2):
        client.get(article_sitemap(stories[-1]))
