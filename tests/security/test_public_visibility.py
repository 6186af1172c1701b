"""No public URL shows anything of an unpublished article: not its headline, standfirst,
photo, a snippet of its body, nor a count that betrays it exists."""

import datetime
from urllib.parse import unquote_plus

import pytest
from django.utils import timezone

from articles.models import Article, ArticleSlugRedirect
from tests.factories import make_article, make_author, make_image, make_section

pytestmark = pytest.mark.django_db

Status = Article.Status
SECRETS = [
    "Zanzibar merger",  # headline
    "Quokka standfirst",  # standfirst
    "Wombatbody",  # a body word
    "Ocelot alt text",  # hero alt
    "Pangolin caption",  # hero caption
]


@pytest.fixture
def world():
    """Unpublished articles in every state, by an author, under a tag and in a section that
    have nothing live; and one live article sharing a tag with them (for related lists)."""
    author = make_author("Hidden Hand")
    section = make_section("Embargoed")
    image = make_image(alt_text="Ocelot alt text", caption="Pangolin caption")
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    unpublished = [
        make_article(
            f"Zanzibar merger {status}",
            status=status,
            publish_at=tomorrow if status == Status.SCHEDULED else None,
            section=section,
            authors=[author],
            tags=["Secret talks", "Harbour"],
            standfirst="Quokka standfirst",
            body="<p>Wombatbody wombatbody harbour.</p>",
            hero_image=image,
        )
        for status in (Status.DRAFT, Status.REVIEW, Status.SCHEDULED, Status.ARCHIVED)
    ]
    live = make_article("Harbour reopens", tags=["Harbour"], body="<p>Harbour news.</p>")
    return {
        "author": author,
        "section": section,
        "unpublished": unpublished,
        "live": live,
        "image": image,
    }


def public_urls(world) -> list[str]:
    author, section = world["author"].slug, world["section"].slug
    urls = [
        "/",
        world["live"].get_absolute_url(),
        f"/section/{section}/",
        "/tag/secret-talks/",
        "/tag/harbour/",
        f"/author/{author}/",
        "/search/?q=zanzibar",
        "/search/?q=wombatbody",
        "/search/?q=quokka",
        "/search/?q=harbour",
        "/feeds/rss/",
        "/feeds/atom/",
        f"/section/{section}/rss/",
        f"/section/{section}/atom/",
        "/tag/secret-talks/rss/",
        "/tag/secret-talks/atom/",
        "/tag/harbour/rss/",
        f"/author/{author}/rss/",
        f"/author/{author}/atom/",
        "/sitemap.xml",
        "/sitemap-articles.xml",
        "/sitemap-sections.xml",
        "/sitemap-tags.xml",
        "/sitemap-authors.xml",
        "/sitemap-news.xml",
        "/no-such-page/",
    ]
    urls += [article.get_absolute_url() for article in world["unpublished"]]
    return urls


def assert_nothing_leaks(client, url) -> None:
    response = client.get(url)
    assert response.status_code in (200, 404), url
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode().lower()
    query = unquote_plus(url.partition("?q=")[2]).lower()
    if query:
        # The reader's own words are echoed back; what matters is what was found.
        assert response.context["page_obj"].paginator.count == (1 if query == "harbour" else 0)
        text = text.replace(query, "")
    for secret in SECRETS:
        assert secret.lower() not in text, f"{secret!r} leaked on {url}"


def test_no_public_url_shows_an_unpublished_article(client, world):
    for url in public_urls(world):
        assert_nothing_leaks(client, url)


@pytest.mark.postgres
def test_search_on_postgres_shows_no_unpublished_article(client, world):
    from articles.search import update_search_vectors

    update_search_vectors(Article.objects.all())
    for query in ("zanzibar", "wombatbody", "quokka", "zanzibar+merger", "zanz", "harbour"):
        assert_nothing_leaks(client, f"/search/?q={query}")


def test_pages_of_owners_with_only_unpublished_articles_list_nothing(client, world):
    for url in (
        f"/section/{world['section'].slug}/",
        "/tag/secret-talks/",
        f"/author/{world['author'].slug}/",
    ):
        response = client.get(url)
        assert response.status_code in (200, 404)
        if response.status_code == 200:
            assert list(response.context["articles"]) == []
            assert response.context["paginator"].count == 0


def test_old_slug_of_an_unpublished_article_does_not_redirect(client, world):
    article = make_article("Ferry strike called off")
    old = article.get_absolute_url()
    article.slug = "ferry-strike-off"
    article.save()
    assert ArticleSlugRedirect.objects.filter(article=article).exists()
    assert client.get(old).status_code == 301

    Article.objects.filter(pk=article.pk).update(status=Status.DRAFT)

    response = client.get(old)
    assert response.status_code == 404
    assert b"ferry-strike-off" not in response.content


def test_scheduled_article_stays_hidden_until_its_minute(client, world, clock):
    scheduled = world["unpublished"][2]
    clock.move_to(scheduled.publish_at - datetime.timedelta(seconds=1))

    assert client.get(scheduled.get_absolute_url()).status_code == 404
    assert b"Zanzibar" not in client.get("/feeds/rss/").content
    assert b"Zanzibar" not in client.get("/sitemap-news.xml").content


# --- what a live article says about itself cannot break out of its markup ----------------


HOSTILE = "</script><script>alert(1)</script><!--\"'&"


def test_hostile_words_are_escaped_in_page_metadata_and_feeds(client):
    image = make_image(alt_text=HOSTILE, caption=HOSTILE, credit=HOSTILE)
    article = make_article(
        headline="Quiet night " + HOSTILE,
        standfirst=HOSTILE,
        tags=["Tag " + HOSTILE],
        authors=[make_author("Name " + HOSTILE, slug="hostile-name")],
        hero_image=image,
        seo_title="SEO " + HOSTILE[:40],
    )

    page = client.get(article.get_absolute_url()).content.decode()
    rss = client.get("/feeds/rss/").content.decode()
    atom = client.get("/feeds/atom/").content.decode()
    news = client.get("/sitemap-news.xml").content.decode()

    assert "<script>alert(1)" not in page
    assert page.count("</script>") == page.count("<script")
    for feed in (rss, atom, news):
        assert "<script>" not in feed
        assert "</script>" not in feed
    from xml.dom.minidom import parseString

    for feed in (rss, atom, news):
        parseString(feed.encode())  # still well-formed XML


def test_feed_summaries_carry_the_standfirst_as_text_not_markup(client):
    make_article(standfirst='Rates rise <img src=x onerror="alert(1)"> & fall')
    from xml.etree import ElementTree

    atom = ElementTree.fromstring(client.get("/feeds/atom/").content)
    rss = ElementTree.fromstring(client.get("/feeds/rss/").content)
    ns = {"atom": "http://www.w3.org/2005/Atom"}
    summary = atom.find("atom:entry/atom:summary", ns)
    description = rss.find("channel/item/description")

    # Both elements hold HTML (Atom says type="html"; RSS readers assume it): once the XML
    # is decoded, the reader's words must still be escaped, not become an <img> element.
    assert summary.get("type") == "html"
    for element in (summary, description):
        assert "<img" not in element.text
        assert "&lt;img" in element.text


@pytest.mark.parametrize(
    "url",
    [
        "/tag/lonely-tag/",
        "/tag/lonely-tag/rss/",
        "/tag/lonely-tag/atom/",
        "/author/quiet-writer/",
        "/author/quiet-writer/rss/",
        "/author/quiet-writer/atom/",
    ],
)
def test_tag_and_author_with_only_unpublished_articles_have_no_page_or_feed(client, url):
    author = make_author("Quiet Writer")
    make_article("Lonely draft", status=Status.DRAFT, authors=[author], tags=["Lonely tag"])

    response = client.get(url)

    assert response.status_code == 404
    assert "Lonely" not in response.content.decode()
    assert "Quiet Writer" not in response.content.decode()


def test_tag_and_author_pages_appear_once_an_article_is_live(client):
    author = make_author("Quiet Writer")
    make_article("Lonely story", authors=[author], tags=["Lonely tag"])

    assert client.get("/tag/lonely-tag/").status_code == 200
    assert client.get("/author/quiet-writer/rss/").status_code == 200
