"""GET /api/ninjs/articles/: live articles only, newest first, a cursor that holds while
stories are published, filters that refuse what they cannot mean."""

from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_author, make_section

pytestmark = pytest.mark.django_db
URL = "/api/ninjs/articles/"


def headlines(response) -> list[str]:
    return [item["headlines"][0]["value"] for item in response.json()["items"]]


def walk(client, url) -> list[str]:
    """Every headline, page by page, following `next`."""
    seen = []
    while url:
        body = client.get(url).json()
        seen += [item["headlines"][0]["value"] for item in body["items"]]
        url = body["next"]
    return seen


def test_lists_only_live_articles_newest_first(client):
    now = timezone.now()
    make_article("Older", publish_at=now - timedelta(hours=2))
    make_article("Newer", publish_at=now - timedelta(hours=1))
    make_article("Due", status=Article.Status.SCHEDULED, publish_at=now - timedelta(minutes=1))
    make_article("Draft", status=Article.Status.DRAFT)
    make_article("In review", status=Article.Status.REVIEW)
    make_article("Future", status=Article.Status.SCHEDULED, publish_at=now + timedelta(hours=1))
    make_article("Archived", status=Article.Status.ARCHIVED, publish_at=now - timedelta(days=1))
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert headlines(response) == ["Due", "Newer", "Older"]
    assert response.json()["next"] is None


def test_publishing_between_pages_neither_repeats_nor_skips(client):
    now = timezone.now()
    for number in range(5):
        make_article(f"Story {number}", publish_at=now - timedelta(minutes=10 - number))
    first = client.get(URL, {"limit": 2}).json()
    assert [i["headlines"][0]["value"] for i in first["items"]] == ["Story 4", "Story 3"]
    make_article("Breaking", publish_at=timezone.now())
    rest = walk(client, first["next"])
    assert rest == ["Story 2", "Story 1", "Story 0"]


def test_articles_published_at_the_same_second_page_by_id(client):
    when = timezone.now() - timedelta(minutes=5)
    made = [make_article(f"Same time {n}", publish_at=when).headline for n in range(5)]
    assert walk(client, f"{URL}?limit=2") == list(reversed(made))


def test_next_link_keeps_the_filters(client):
    section = make_section("Sport")
    for _ in range(3):
        make_article(section=section)
    make_article(headline="Elsewhere")
    first = client.get(URL, {"section": "sport", "limit": 2}).json()
    assert "section=sport" in first["next"] and first["next"].startswith("http://testserver/")
    assert "Elsewhere" not in walk(client, first["next"])


def test_filters_by_section_tag_and_author(client):
    sport, author = make_section("Sport"), make_author("Ana Silva")
    make_article("Match report", section=sport, tags=["Football"], authors=[author])
    make_article("Budget", tags=["Economy"])
    assert headlines(client.get(URL, {"section": "sport"})) == ["Match report"]
    assert headlines(client.get(URL, {"tag": "football"})) == ["Match report"]
    assert headlines(client.get(URL, {"author": "ana-silva"})) == ["Match report"]
    assert headlines(client.get(URL, {"tag": "economy", "author": "ana-silva"})) == []


def test_updated_since_keeps_recently_changed_and_published(client, clock):
    old = make_article("Old", publish_at=timezone.now() - timedelta(days=3))
    make_article("Quiet", publish_at=timezone.now() - timedelta(days=1))
    clock.shift(3600)
    since = timezone.now()
    clock.shift(60)
    make_article("Fresh")
    old.headline = "Old, edited"
    old.save()
    found = headlines(client.get(URL, {"updated_since": since.isoformat()}))
    assert found == ["Fresh", "Old, edited"]
    utc = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert headlines(client.get(URL, {"updated_since": utc})) == found


@pytest.mark.parametrize(
    "query, field",
    [
        ({"section": "nowhere"}, "section"),
        ({"tag": "nothing"}, "tag"),
        ({"author": "nobody"}, "author"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"updated_since": "0001-01-01T00:00+01:00"}, "updated_since"),
        ({"updated_since": "9999-12-31T23:59-01:00"}, "updated_since"),
        ({"limit": "0"}, "limit"),
        ({"limit": "500"}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"cursor": "forged"}, "cursor"),
        ({"api_key": "secret"}, "__all__"),
    ],
)
def test_bad_parameters_answer_400_with_a_reason(client, query, field):
    make_article()
    response = client.get(URL, query)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] and field in body["fields"]


def test_tag_only_on_drafts_is_refused_like_an_unknown_one(client):
    make_article(status=Article.Status.DRAFT, tags=["Secret merger"])
    hidden = client.get(URL, {"tag": "secret-merger"})
    unknown = client.get(URL, {"tag": "never-used"})
    assert hidden.status_code == unknown.status_code == 400
    assert hidden.json()["error"] == unknown.json()["error"].replace("never-used", "secret-merger")


def test_queries_do_not_grow_with_the_page(client, django_assert_max_num_queries):
    from tests.factories import make_image

    def count(number: int) -> int:
        for _ in range(number):
            make_article(
                tags=["Energy", "Climate"], hero_image=make_image(), authors=[make_author()]
            )
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, {"limit": 100}).status_code == 200
        return len(queries)

    small = count(2)
    assert count(8) == small
    with django_assert_max_num_queries(12):
        client.get(URL, {"limit": 100, "tag": "energy"})
