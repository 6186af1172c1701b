"""The page cache is never wrong: every change readers could see shows on every page it
affects at once, however those pages were cached.

Each test caches a page (and checks the second request is a hit), makes one change the way the
newsroom makes it (workflow, admin-style save, a rename), and reads the page again. The whole
matrix runs on local memory and on Django's Redis cache (TEST_REDIS_URL, else REDIS_URL, else
127.0.0.1:6379/3), and on whichever database the suite runs on.
"""

import os
import uuid
from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.utils import timezone
from taggit.models import Tag

from articles import corrections, revisions, tags, workflow
from articles.models import Article
from articles.sitemaps import article_sitemap_url, page_of
from tests.factories import (
    make_article,
    make_author,
    make_editor,
    make_image,
    make_reporter,
    make_section,
    make_user,
)

pytestmark = pytest.mark.django_db

REDIS_URL = (
    os.environ.get("TEST_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/3"
)


@pytest.fixture(params=["locmem", "redis"])
def page_cache(request, settings):
    """The cache the pages live in: this process's memory, or Redis as app servers share it."""
    settings.PAGE_CACHE = True
    # Tests change data and read pages within microseconds of each other, on one clock.
    settings.PAGE_CACHE_CLOCK_MARGIN = 0
    if request.param == "locmem":
        yield request.param
        return
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        message = f"Redis is not reachable at {REDIS_URL}: {exc}"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message + " (CI must run Redis: .ci/run starts it)")
        pytest.skip(message)
    prefix = f"newsroom-test-pages-{uuid.uuid4().hex[:12]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "newsroom.cache_backends.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield request.param
    # Never FLUSHDB: other processes may use this Redis database.
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def world(page_cache):
    """A live story with a section, an author, a tag and a photo; a related story; and one
    scheduled for ten minutes from now that shares them all."""
    section = make_section("World")
    author = make_author("Ada Reporter")
    photo = make_image(width=640, height=360, alt_text="Sandbags on the quay", credit="Pat Lens")
    story = make_article(
        "River rises in the valley",
        section=section,
        authors=[author],
        tags=["Floods"],
        hero_image=photo,
        publish_at=timezone.now() - timedelta(hours=1),
    )
    related = make_article(
        "Farmers count the cost",
        section=make_section("Business"),
        authors=[make_author()],
        tags=["Floods"],
        publish_at=timezone.now() - timedelta(hours=2),
    )
    upcoming = make_article(
        "Dam report published",
        section=section,
        authors=[author],
        tags=["Floods"],
        status=Article.Status.SCHEDULED,
        publish_at=timezone.now() + timedelta(minutes=10),
    )
    return {
        "section": section,
        "author": author,
        "photo": photo,
        "story": story,
        "related": related,
        "upcoming": upcoming,
        "tag": Tag.objects.get(name="Floods"),
    }


PAGES = {
    "article": lambda w: w["story"].get_absolute_url(),
    "home": lambda w: "/",
    "section": lambda w: "/section/world/",
    "tag": lambda w: "/tag/floods/",
    "author": lambda w: "/author/ada-reporter/",
    "feed": lambda w: "/feeds/rss/",
    "section feed": lambda w: "/section/world/atom/",
    "sitemap": lambda w: article_sitemap_url(page_of(w["story"].pk)),
    "news sitemap": lambda w: "/sitemap-news.xml",
    "corrections": lambda w: "/corrections/",
    "corrections feed": lambda w: "/corrections/atom/",
}


def cached_page(client, url: str) -> str:
    """The page at `url`, once rendered and then served from the page cache."""
    first = client.get(url)
    assert first.status_code == 200, url
    second = client.get(url)
    assert second["X-Page-Cache"] == "hit", url
    return second.content.decode()


def publish_a_draft(w, editor):
    draft = make_article(
        "Evacuation ordered downstream",
        section=w["section"],
        authors=[w["author"]],
        tags=["Floods"],
        status=Article.Status.DRAFT,
        publish_at=None,
    )
    workflow.publish(draft, by=editor)
    return "Evacuation ordered downstream", "evacuation-ordered-downstream"


def edit_the_live_story(w, editor):
    story = w["story"]
    story.headline = "River bursts its banks in the valley"
    story.save()
    return "River bursts its banks in the valley", "River bursts its banks in the valley"


def unpublish_the_story(w, editor):
    workflow.unpublish(w["story"], by=editor)


def change_the_slug(w, editor):
    story = w["story"]
    story.slug = "valley-river-rises"
    story.save()
    return "/articles/valley-river-rises/"


def rename_the_section(w, editor):
    w["section"].name = "Planet"
    w["section"].save()
    return ">Planet<"


def rename_the_tag(w, editor):
    w["tag"].name = "Flooding"
    w["tag"].save()
    return "Flooding"


def rename_the_author(w, editor):
    w["author"].name = "Ada Lovelace-Reporter"
    w["author"].save()
    return "Ada Lovelace-Reporter"


def recaption_the_photo(w, editor):
    w["photo"].alt_text = "Sandbags piled on the flooded quay"
    w["photo"].credit = "Pat Lens / Agency"
    w["photo"].save()
    return "Sandbags piled on the flooded quay"


def correct_the_story(w, editor):
    story = w["story"]
    corrections.add(
        story, by=editor, kind="correction", text="An earlier version misnamed the river."
    )
    return "An earlier version misnamed the river."


def approve_a_proposal(w, editor):
    text = "An earlier version gave the wrong river level."
    reporter = make_reporter("writer")
    w["story"].bylines.create(author=reporter.author, position=1)
    entry = corrections.propose(w["story"], by=reporter, kind="correction", text=text)
    corrections.approve(entry, by=editor)
    return text


# Which pages each change shows on, and what they then say.
SHOWS = {
    "publish": (publish_a_draft, ["article", "home", "section", "tag", "author", "feed",
                                  "section feed", "news sitemap"]),
    "edit live": (edit_the_live_story, ["article", "home", "section", "tag", "author", "feed",
                                        "section feed", "news sitemap"]),
    "slug change": (change_the_slug, ["home", "section", "tag", "author", "feed",
                                      "section feed", "sitemap", "news sitemap"]),
    "section change": (rename_the_section, ["article", "home", "section", "tag", "author"]),
    "tag change": (rename_the_tag, ["article", "tag", "feed", "section feed"]),
    "author change": (rename_the_author, ["article", "home", "section", "tag", "author", "feed",
                                          "section feed"]),
    "image change": (recaption_the_photo, ["article", "home", "section", "tag", "author"]),
    "correction": (correct_the_story, ["article", "corrections", "corrections feed"]),
    "approved proposal": (approve_a_proposal, ["article", "corrections", "corrections feed"]),
}  # fmt: skip


@pytest.mark.parametrize(
    ("event", "page"), [(event, page) for event, (_, pages) in SHOWS.items() for page in pages]
)
def test_change_shows_at_once_on_a_cached_page(client, world, event, page):
    url = PAGES[page](world)
    change, _ = SHOWS[event]
    before = cached_page(client, url)

    shown = change(world, make_editor())
    if isinstance(shown, tuple):  # the words, and what the sitemaps show instead
        shown = shown[1] if "sitemap" in page and "news" not in page else shown[0]

    assert shown not in before
    response = client.get(url)
    assert response.status_code == 200
    assert shown in response.content.decode()


@pytest.mark.parametrize(
    "page", ["home", "section", "tag", "author", "feed", "section feed", "sitemap", "news sitemap"]
)
def test_unpublished_story_leaves_every_cached_list(client, world, page):
    url = PAGES[page](world)
    assert "river-rises-in-the-valley" in cached_page(client, url)

    unpublish_the_story(world, make_editor())

    assert "river-rises-in-the-valley" not in client.get(url).content.decode()


@pytest.mark.parametrize("page", ["article", "corrections", "corrections feed"])
def test_removed_correction_leaves_cached_pages_at_once(client, world, page):
    url = PAGES[page](world)
    text = "An earlier version misnamed the mayor."
    entry = corrections.add(world["story"], by=make_editor(), kind="correction", text=text)
    assert text in cached_page(client, url)

    corrections.remove(entry, by=make_user("chief", is_superuser=True), reason="Legal advice.")

    assert text not in client.get(url).content.decode()


@pytest.mark.parametrize("page", ["corrections", "corrections feed"])
def test_unpublished_story_leaves_the_cached_corrections_archive(client, world, page):
    url, editor = PAGES[page](world), make_editor()
    corrections.add(world["story"], by=editor, kind="correction", text="Wrong date.")
    assert "Wrong date." in cached_page(client, url)

    unpublish_the_story(world, editor)

    assert "Wrong date." not in client.get(url).content.decode()


def test_unpublished_story_page_is_gone_at_once(client, world):
    url = world["story"].get_absolute_url()
    cached_page(client, url)

    unpublish_the_story(world, make_editor())

    assert client.get(url).status_code == 404


def test_unpublished_story_leaves_the_related_stories_of_a_cached_page(client, world):
    url = world["related"].get_absolute_url()
    assert "River rises in the valley" in cached_page(client, url)

    unpublish_the_story(world, make_editor())

    assert "River rises in the valley" not in client.get(url).content.decode()


def test_old_address_of_a_cached_story_moves_at_once(client, world):
    url = world["story"].get_absolute_url()
    cached_page(client, url)

    new_address = change_the_slug(world, make_editor())

    response = client.get(url)
    assert response.status_code == 301
    assert response["Location"] == new_address


def test_new_related_story_shows_on_a_cached_story(client, world):
    url = world["story"].get_absolute_url()
    cached_page(client, url)

    headline, _ = publish_a_draft(world, make_editor())

    assert headline in client.get(url).content.decode()


@pytest.mark.parametrize(
    "page",
    ["article", "home", "section", "tag", "author", "feed", "section feed", "sitemap",
     "news sitemap"],
)  # fmt: skip
def test_scheduled_story_appears_on_cached_pages_when_its_time_comes(client, world, clock, page):
    url = PAGES[page](world)
    clock.shift(1)  # the page is rendered after the setup's purges, as in real life
    before = cached_page(client, url)
    assert "dam-report-published" not in before

    clock.shift(10 * 60 + 1)

    assert "dam-report-published" in client.get(url).content.decode()


def test_no_cached_lifetime_crosses_the_next_scheduled_publication(client, world):
    response = client.get("/section/business/")

    seconds_left = (world["upcoming"].publish_at - timezone.now()).total_seconds()
    s_maxage = int(response["Cache-Control"].split("s-maxage=")[1].split(",")[0])
    assert 0 < s_maxage <= seconds_left


def test_scheduling_an_article_purges_the_pages_it_will_appear_on(client, world):
    """A page cached before the schedule existed would otherwise live past its time."""
    before = client.get("/section/world/")
    assert before["X-Page-Cache"] == "miss"
    draft = make_article("Storm warning", section=world["section"], status=Article.Status.DRAFT)

    workflow.schedule(draft, by=make_editor(), at=timezone.now() + timedelta(minutes=1))

    after = client.get("/section/world/")
    assert after["X-Page-Cache"] == "miss"
    assert int(after["Cache-Control"].split("s-maxage=")[1].split(",")[0]) <= 60


def test_change_to_one_section_leaves_other_cached_pages_alone(client, world):
    cached_page(client, "/section/business/")

    edit_the_live_story(world, make_editor())

    assert client.get("/section/business/")["X-Page-Cache"] == "hit"


def test_new_photo_caption_shows_on_its_authors_cached_page(client, world):
    author = world["author"]
    author.photo = make_image(width=200, height=200, alt_text="Ada at her desk")
    author.save()
    url = PAGES["author"](world)
    cached_page(client, url)

    author.photo.alt_text = "Ada Reporter at the river"
    author.photo.save()

    assert "Ada Reporter at the river" in client.get(url).content.decode()


def database_down(execute, sql, params, many, context):
    raise OperationalError("connection refused")


WITHDRAWALS = {
    "unpublish": unpublish_the_story,
    "delete": lambda w, editor: w["story"].delete(),
    "slug change": change_the_slug,
}


@pytest.mark.parametrize("withdrawal", WITHDRAWALS)
@pytest.mark.parametrize("page", ["article", "home", "section", "tag"])
def test_withdrawn_story_never_comes_back_as_the_last_good_copy(world, withdrawal, page):
    reader = Client(raise_request_exception=False)
    url = PAGES[page](world)
    assert "River rises in the valley" in cached_page(reader, url)

    WITHDRAWALS[withdrawal](world, make_editor())
    with connection.execute_wrapper(database_down):
        response = reader.get(url)

    assert response.status_code >= 500
    assert response.get("X-Page-Cache") != "stale"
    assert "River rises in the valley" not in response.content.decode()


def test_page_stored_after_a_withdrawal_is_still_the_last_good_copy(world):
    reader = Client(raise_request_exception=False)
    cached_page(reader, "/section/world/")
    unpublish_the_story(world, make_editor())
    assert "river-rises-in-the-valley" not in cached_page(reader, "/section/world/")
    world["upcoming"].headline = "Dam report delayed"
    world["upcoming"].save()  # the stored copy is stale now

    with connection.execute_wrapper(database_down):
        response = reader.get("/section/world/")

    assert response.status_code == 200
    assert response["X-Page-Cache"] == "stale"


def test_merged_tag_shows_its_new_articles_on_its_cached_page(client, world):
    make_article("Levee breached", section=world["section"], tags=["Flooding"])
    url = PAGES["tag"](world)
    assert "Levee breached" not in cached_page(client, url)

    tags.merge_tags(world["tag"], [Tag.objects.get(name="Flooding")])

    assert "Levee breached" in client.get(url).content.decode()


def test_restored_byline_shows_on_its_authors_cached_page(client, world):
    story, editor, bo = world["story"], make_editor(), make_author("Bo Writer")
    make_article("Bridge inspected", section=world["section"], authors=[bo])
    story.bylines.all().delete()
    story.bylines.create(author=bo, position=0)
    old = revisions.record_revision(story, author=editor)
    story.bylines.all().delete()
    story.bylines.create(author=world["author"], position=0)
    assert "River rises in the valley" not in cached_page(client, "/author/bo-writer/")

    story.refresh_from_db()
    revisions.restore_revision(old, by=editor, expected_version=story.version)

    assert "River rises in the valley" in client.get("/author/bo-writer/").content.decode()
