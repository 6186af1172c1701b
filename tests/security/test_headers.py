"""Security headers on public and admin pages."""

import pytest

from tests.factories import make_article, make_editor

pytestmark = pytest.mark.django_db


@pytest.fixture
def https(settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True


@pytest.mark.parametrize("url", ["/", "article", "/newsletter/", "/admin/login/", "/admin/"])
def test_every_page_sends_the_security_headers(client, https, terms, url):
    if url == "/admin/":
        client.force_login(make_editor())
    url = make_article().get_absolute_url() if url == "article" else url

    response = client.get(url, secure=True)

    assert response.status_code == 200
    assert response["Content-Security-Policy"]
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())


def test_public_pages_allow_nothing_inline_and_nothing_per_request(client, terms):
    first, second = client.get("/"), client.get("/")

    policy = directives(first)
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert "nonce" not in first["Content-Security-Policy"]
    assert first["Content-Security-Policy"] == second["Content-Security-Policy"]


def test_the_admin_allows_only_the_editors_import_map_inline(client):
    client.force_login(make_editor())

    policy = directives(client.get("/admin/articles/article/add/"))

    script_src = policy["script-src"].split()
    assert script_src[0] == "'self'" and script_src[1].startswith("'sha256-")
    assert len(script_src) == 2
    assert "'unsafe-inline'" in policy["style-src"]
