"""Malformed page numbers and request bodies get a 4xx in the site's design, never a 500."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from articles.pagination import page_number
from newsroom import errors
from tests.factories import make_article, make_section

pytestmark = pytest.mark.django_db

UTF16_FORM = "application/x-www-form-urlencoded; charset=utf-16"


@pytest.fixture
def story():
    section = make_section("News")
    return make_article("Harbour reopens", section=section, tags=["Harbour"])


@pytest.mark.parametrize("value", ["²", "٣", "１", "1.5", "-1", "0", "9" * 30, "1\x00", " 2"])
def test_page_number_accepts_only_plain_ascii_numbers(value):
    assert page_number(value) is None


def test_page_number_reads_plain_numbers():
    assert page_number(None) == 1
    assert page_number("") == 1
    assert page_number("12") == 12


@pytest.mark.parametrize("value", ["²", "٣", "9" * 5000])
def test_every_html_page_answers_a_unicode_or_huge_page_number_without_error(client, story, value):
    client.raise_request_exception = False
    for url in ["/", "/terms/", "/newsletter/", story.get_absolute_url(), "/search/?q=harbour&"]:
        separator = "&" if "?" in url else "?"
        response = client.get(f"{url}{separator}page={value}")
        assert response.status_code < 500, url


@pytest.mark.parametrize("value", ["²", "٣", "abc", "9" * 30, "2"])
def test_list_pages_answer_404_for_a_page_that_is_not_there(client, story, value):
    for url in ["/section/news/", "/tag/harbour/", f"/author/{story.authors.get().slug}/"]:
        assert client.get(url, {"page": value}).status_code == 404, url
    assert client.get("/search/", {"q": "harbour", "page": value}).status_code == 404


def test_canonical_link_keeps_only_a_real_page_number(client, story):
    page = client.get("/", {"page": "٣"}).content.decode()
    assert 'rel="canonical" href="http://127.0.0.1:8000/"' in page


@pytest.mark.parametrize("url", ["/", "/search/", "/newsletter/", "/admin/login/", "article"])
def test_a_utf16_form_body_is_a_400_page_not_a_500(story, url):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.get("/admin/login/")
    token = client.cookies["csrftoken"].value
    url = story.get_absolute_url() if url == "article" else url

    response = client.post(url, data=b"e\x00m\x00", content_type=UTF16_FORM, HTTP_X_CSRFTOKEN=token)

    assert response.status_code == 400
    assert "We couldn’t read that request" in response.content.decode()


class ExplodingBody:
    """A request whose body, POST data and session must not be read by an error page."""

    method = "POST"
    path = "/"
    META: dict = {}

    def __getattr__(self, name):
        raise AssertionError(f"the error page read request.{name}")


@pytest.mark.parametrize(
    ("view", "status"),
    [
        (lambda r: errors.bad_request(r, Exception()), 400),
        (lambda r: errors.permission_denied(r, Exception()), 403),
        (lambda r: errors.page_not_found(r, Exception()), 404),
        (errors.server_error, 500),
        (lambda r: errors.csrf_failure(r, reason="CSRF cookie not set."), 403),
    ],
)
def test_error_pages_render_without_the_request_body_or_the_database(view, status):
    with CaptureQueriesContext(connection) as queries:
        response = view(ExplodingBody())
    assert response.status_code == status
    assert len(queries) == 0
    assert b'class="masthead"' in response.content


def test_a_post_without_its_csrf_token_gets_the_sites_page(story):
    # The signup form needs no token (it is checked by origin, see newsletter.views.signup);
    # the staff sign-in does.
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "editor", "password": "x"})
    assert response.status_code == 403
    assert "That form has expired" in response.content.decode()
