"""Partner keys: optional by default, required by a setting; revocable; limited per key."""

import pytest
from django.test import Client

from api.models import ApiKey, hash_key
from tests.factories import make_article, make_editor, make_user

pytestmark = pytest.mark.django_db
LIST = "/api/ninjs/articles/"


def make_key(**fields) -> tuple[ApiKey, str]:
    key = ApiKey(partner=fields.pop("partner", "Example News"), **fields)
    raw = key.generate()
    key.save()
    return key, raw


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def keys_required(settings):
    settings.API_REQUIRE_KEY = True
    settings.PAGE_CACHE = True
    settings.PAGE_CACHE_CLOCK_MARGIN = 0


def test_open_api_needs_no_key(client):
    make_article()
    response = client.get(LIST)
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]


def test_key_only_mode_refuses_requests_without_a_key(client, keys_required):
    response = client.get(LIST)
    assert response.status_code == 401
    assert "Bearer" in response.json()["error"]
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response["Cache-Control"] == "no-store"


def test_unknown_key_is_401_and_revoked_key_is_403(client, keys_required):
    key, raw = make_key()
    assert client.get(LIST, **bearer("not-a-key")).status_code == 401
    key.revoke()
    response = client.get(LIST, **bearer(raw))
    assert response.status_code == 403
    assert "revoked" in response.json()["error"]


def test_a_wrong_key_is_refused_even_when_keys_are_optional(client):
    assert client.get(LIST, **bearer("typo")).status_code == 401


def test_key_only_responses_are_private_and_vary_on_the_key(client, keys_required):
    make_article()
    _, raw = make_key()
    for headers in (bearer(raw), {"HTTP_X_API_KEY": raw}):
        response = client.get(LIST, **headers)
        assert response.status_code == 200
        assert response["Cache-Control"].startswith("private")
        assert "s-maxage" not in response["Cache-Control"]
        assert "Authorization" in response["Vary"] and "X-Api-Key" in response["Vary"]
        assert not response.has_header("Surrogate-Key")


def test_a_stored_copy_is_never_served_without_a_key(client, keys_required):
    article = make_article()
    _, raw = make_key()
    url = f"{LIST}{article.pk}"
    client.get(url, **bearer(raw))
    assert client.get(url, **bearer(raw))["X-Page-Cache"] == "hit"
    assert Client().get(url).status_code == 401
    etag = client.get(url, **bearer(raw))["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag, **bearer(raw)).status_code == 304
    assert Client().get(url, HTTP_IF_NONE_MATCH=etag).status_code == 401


def test_a_key_in_the_url_is_not_accepted(client, keys_required):
    _, raw = make_key()
    assert client.get(LIST, {"key": raw}).status_code == 401


def test_each_key_has_its_own_limit(client, keys_required):
    make_article()
    limited, raw = make_key(requests_per_minute=2)
    _, other = make_key(partner="Other Wire")
    assert [client.get(LIST, **bearer(raw)).status_code for _ in range(2)] == [200, 200]
    response = client.get(LIST, **bearer(raw))
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "2 requests a minute" in response.json()["error"]
    assert client.get(LIST, **bearer(other)).status_code == 200


def test_the_limit_lifts_when_the_minute_passes(client, keys_required, clock):
    make_article()
    _, raw = make_key(requests_per_minute=1)
    assert client.get(LIST, **bearer(raw)).status_code == 200
    wait = int(client.get(LIST, **bearer(raw))["Retry-After"])
    clock.shift(wait)
    assert client.get(LIST, **bearer(raw)).status_code == 200


def test_only_the_hash_is_stored(db):
    key, raw = make_key()
    stored = ApiKey.objects.get(pk=key.pk)
    assert stored.key_hash == hash_key(raw) and raw not in stored.key_hash
    assert raw.startswith(stored.prefix) and len(raw) > 40


def test_admin_shows_a_new_key_once(client):
    superuser = make_user("boss", is_superuser=True)
    client.force_login(superuser)
    response = client.post(
        "/admin/api/apikey/add/", {"partner": "Example News", "requests_per_minute": "60"}
    )
    assert response.status_code == 200
    key = ApiKey.objects.get()
    raw = response.context["raw_key"]
    assert raw in response.content.decode() and key.key_hash == hash_key(raw)
    assert "no-store" in response["Cache-Control"]
    assert key.created_by == superuser
    page = client.get(f"/admin/api/apikey/{key.pk}/change/").content.decode()
    assert raw not in page and key.prefix in page
    assert raw not in client.get("/admin/api/apikey/").content.decode()


def test_admin_revokes_keys(client):
    key, raw = make_key()
    client.force_login(make_user("boss", is_superuser=True))
    client.post(
        "/admin/api/apikey/", {"action": "revoke", "_selected_action": [key.pk]}, follow=True
    )
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert client.get(LIST, **bearer(raw)).status_code == 403


def test_editors_without_the_permission_cannot_see_keys(client):
    make_key()
    client.force_login(make_editor())
    assert client.get("/admin/api/apikey/").status_code == 403
    assert client.get("/admin/api/apikey/add/").status_code == 403


def test_superusers_find_the_keys_on_the_admin_index(client):
    client.force_login(make_user("boss", is_superuser=True))
    page = client.get("/admin/").content.decode()
    assert "Content API" in page and "/admin/api/apikey/" in page
