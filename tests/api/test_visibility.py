"""No API URL shows anything of an unpublished article, tested like the public site's pages
(tests/security/test_public_visibility.py: the same world of hidden stories and secrets)."""

import pytest

from tests.security.test_public_visibility import SECRETS, world  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def api_urls(world) -> list[str]:  # noqa: F811
    section, author = world["section"].slug, world["author"].slug
    urls = [
        "/api/ninjs/articles/",
        "/api/ninjs/articles/?limit=100",
        f"/api/ninjs/articles/?section={section}",
        "/api/ninjs/articles/?tag=harbour",
        "/api/ninjs/articles/?tag=secret-talks",
        f"/api/ninjs/articles/?author={author}",
        "/api/ninjs/articles/?updated_since=2000-01-01T00:00Z",
        f"/api/ninjs/articles/{world['live'].pk}",
    ]
    urls += [f"/api/ninjs/articles/{article.pk}" for article in world["unpublished"]]
    return urls


def test_no_api_url_shows_an_unpublished_article(client, world):  # noqa: F811
    for url in api_urls(world):
        response = client.get(url)
        assert response.status_code in (200, 400, 404), url
        text = response.content.decode().lower()
        for secret in SECRETS:
            assert secret.lower() not in text, f"{secret!r} leaked on {url}"


def test_lists_hold_only_the_live_article(client, world):  # noqa: F811
    items = client.get("/api/ninjs/articles/?limit=100").json()["items"]
    assert [item["headlines"][0]["value"] for item in items] == ["Harbour reopens"]
    section = world["section"].slug
    assert client.get(f"/api/ninjs/articles/?section={section}").json()["items"] == []
