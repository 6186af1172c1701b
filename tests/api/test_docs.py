"""The OpenAPI description, as JSON and as our own readable page without outside scripts."""

import json

import pytest

pytestmark = pytest.mark.django_db


def test_openapi_json_describes_both_endpoints(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    description = json.loads(response.content)
    assert description["openapi"].startswith("3.1")
    assert set(description["paths"]) == {"/api/ninjs/articles/", "/api/ninjs/articles/{id}"}
    parameters = description["paths"]["/api/ninjs/articles/"]["get"]["parameters"]
    assert {p["name"] for p in parameters} == {
        "section", "tag", "author", "updated_since", "limit", "cursor"
    }  # fmt: skip
    assert {} in description["security"]  # keys optional by default


def test_openapi_says_when_keys_are_required(client, settings):
    settings.API_REQUIRE_KEY = True
    assert {} not in client.get("/api/openapi.json").json()["security"]


def test_docs_page_renders_the_description_without_scripts(client):
    response = client.get("/api/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "GET /api/ninjs/articles/{id}" in page
    assert "updated_since" in page and 'href="/api/openapi.json"' in page
    assert "<script" not in page
    assert "<code>If-None-Match</code>" in page and "`" not in page
    assert response.has_header("Content-Security-Policy")
