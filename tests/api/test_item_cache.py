"""Each article's ninjs item is rendered once and kept (api/items.py); every change a reader
could see retires it at once, in the list and in the article. The page cache is off here, so
only the kept items could be stale."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag

from api import items
from articles import corrections, workflow
from articles.models import Correction
from newsroom import pagecache
from tests.factories import image_bytes, make_article, make_editor, make_user

pytestmark = pytest.mark.django_db
LIST = "/api/ninjs/articles/"
KINDS = ["list", "detail"]


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    settings.PAGE_CACHE = False
    # Tests change data and read within microseconds, on one clock.
    settings.PAGE_CACHE_CLOCK_MARGIN = 0


def read(client, story, kind: str, **headers) -> dict | None:
    """The story's item as the list or the article answers it (None: not there)."""
    if kind == "detail":
        response = client.get(f"{LIST}{story.pk}", **headers)
        return response.json() if response.status_code == 200 else None
    found = [i for i in client.get(LIST, **headers).json()["items"] if i["slugline"] == story.slug]
    return found[0] if found else None


def kept(client, story, kind: str, django_assert_num_queries) -> dict:
    """Read the item twice: the second answer is the kept item (one query: which ids)."""
    read(client, story, kind)
    with django_assert_num_queries(1):
        return read(client, story, kind)


def picture(item: dict) -> dict:
    return item["associations"][0]


@pytest.mark.parametrize("kind", KINDS)
def test_edit_of_a_live_article_shows_at_once(client, story, kind, django_assert_num_queries):
    kept(client, story, kind, django_assert_num_queries)
    story.headline = "Council approves the crossing, with conditions"
    story.save()
    assert read(client, story, kind)["headlines"][0]["value"] == story.headline


@pytest.mark.parametrize("kind", KINDS)
def test_section_rename_shows_at_once(client, story, kind, django_assert_num_queries):
    kept(client, story, kind, django_assert_num_queries)
    story.section.name = "Local news"
    story.section.save()
    subjects = read(client, story, kind)["subjects"]
    assert [s["name"] for s in subjects if s["rel"] == "section"] == ["Local news"]


@pytest.mark.parametrize("kind", KINDS)
def test_tag_rename_shows_at_once(client, story, kind, django_assert_num_queries):
    kept(client, story, kind, django_assert_num_queries)
    tag = Tag.objects.get(slug="transport")
    tag.name = "Public transport"
    tag.save()
    subjects = read(client, story, kind)["subjects"]
    assert [s["name"] for s in subjects if s["rel"] == "tag"] == ["Council", "Public transport"]


@pytest.mark.parametrize("kind", KINDS)
def test_author_rename_shows_at_once(client, story, kind, django_assert_num_queries):
    kept(client, story, kind, django_assert_num_queries)
    author = story.byline_authors[0]
    author.name = "Ana Silva-Reyes"
    author.save()
    assert read(client, story, kind)["by"] == "Ana Silva-Reyes and Ben Okafor"


@pytest.mark.parametrize("kind", KINDS)
def test_photo_alt_text_and_credit_show_at_once(client, story, kind, django_assert_num_queries):
    kept(client, story, kind, django_assert_num_queries)
    photo = story.hero_image
    photo.alt_text = "The new bridge lit at dusk"
    photo.credit = "John Roe / Agency"
    photo.save()
    shown = picture(read(client, story, kind))
    assert shown["by"] == "John Roe / Agency"
    assert {"role": "alt", "value": "The new bridge lit at dusk"} in shown["descriptions"]


@pytest.mark.parametrize("kind", KINDS)
def test_new_rendition_shows_at_once(client, story, kind, django_assert_num_queries):
    before = len(picture(kept(client, story, kind, django_assert_num_queries))["renditions"])
    story.hero_image.renditions.create(
        file=SimpleUploadedFile("extra.webp", image_bytes(123, 82, "WEBP")),
        width=123,
        height=82,
        format="webp",
    )
    assert len(picture(read(client, story, kind))["renditions"]) == before + 1


@pytest.mark.parametrize("kind", KINDS)
def test_correction_added_shows_at_once(client, story, kind, django_assert_num_queries):
    assert "edNote" not in kept(client, story, kind, django_assert_num_queries)
    corrections.add(story, by=make_editor(), kind=Correction.Kind.CORRECTION, text="A name.")
    assert "A name." in read(client, story, kind)["edNote"]


@pytest.mark.parametrize("kind", KINDS)
def test_proposed_correction_shows_once_approved(client, story, kind, django_assert_num_queries):
    editor = make_editor()
    entry = corrections.propose(story, by=editor, kind=Correction.Kind.UPDATE, text="Vote: 9-2.")
    assert "edNote" not in kept(client, story, kind, django_assert_num_queries)
    corrections.approve(entry, by=editor)
    assert "Vote: 9-2." in read(client, story, kind)["edNote"]


@pytest.mark.parametrize("kind", KINDS)
def test_removed_correction_leaves_at_once(client, story, kind, django_assert_num_queries):
    entry = corrections.add(story, by=make_editor(), kind=Correction.Kind.CORRECTION, text="Oops.")
    assert "Oops." in kept(client, story, kind, django_assert_num_queries)["edNote"]
    boss = make_user("boss", is_superuser=True)
    corrections.remove(entry, by=boss, reason="Written on the wrong article.")
    assert "edNote" not in read(client, story, kind)


@pytest.mark.parametrize("kind", KINDS)
def test_unpublished_article_leaves_at_once(client, story, kind, django_assert_num_queries):
    kept(client, story, kind, django_assert_num_queries)
    workflow.unpublish(story, by=make_editor())
    assert read(client, story, kind) is None
    assert client.get(f"{LIST}{story.pk}").status_code == 404


@pytest.mark.parametrize("kind", KINDS)
def test_copyright_setting_shows_at_once(client, settings, story, kind, django_assert_num_queries):
    kept(client, story, kind, django_assert_num_queries)
    settings.API_COPYRIGHT_HOLDER = "Newsroom Cooperative"
    assert read(client, story, kind)["copyrightHolder"] == "Newsroom Cooperative"


@pytest.mark.parametrize("kind", KINDS)
def test_each_host_gets_its_own_addresses(client, settings, story, kind, django_assert_num_queries):
    settings.ALLOWED_HOSTS = ["testserver", "news.example"]
    kept(client, story, kind, django_assert_num_queries)
    web = read(client, story, kind, HTTP_HOST="news.example")["renditions"][0]["href"]
    assert web.startswith("http://news.example/")


def test_a_page_of_kept_items_costs_one_query_whatever_its_length(
    client, django_assert_num_queries
):
    for number in range(30):
        make_article(f"Story {number}", tags=["Energy"])
    client.get(LIST, {"limit": 25})
    with django_assert_num_queries(1):
        assert len(client.get(LIST, {"limit": 25}).json()["items"]) == 25


def test_item_rendered_while_a_purge_ran_is_not_kept(client, story, monkeypatch):
    """An item rendered from rows read before a purge may show the old rows."""
    render = items.article_to_ninjs

    def render_then_purge(article, base):
        item = render(article, base)
        pagecache.purge([f"article-{article.pk}"])
        return item

    monkeypatch.setattr(items, "article_to_ninjs", render_then_purge)
    client.get(LIST)
    monkeypatch.setattr(items, "article_to_ninjs", render)
    with CaptureQueriesContext(connection) as queries:
        client.get(LIST)
    assert len(queries) > 1  # rendered again, not served as kept
