"""What the page cache promises readers, proxies and staff (newsroom/pagecache.py)."""

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import OperationalError, close_old_connections, connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from api.middleware import needs_key_checks
from newsroom import pagecache
from tests.factories import make_article, make_author, make_editor, make_section

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["/", "/section/world/", "/tag/floods/", "/author/ada/", "/feeds/rss/",
                "/sitemap.xml", "/sitemap-articles.xml", "/sitemap-news.xml", "/robots.txt",
                "/search/?q=river"]  # fmt: skip


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE = True
    settings.PAGE_CACHE_CLOCK_MARGIN = 0


@pytest.fixture
def story(db):
    return make_article(
        "River rises in the valley",
        section=make_section("World"),
        authors=[make_author("Ada")],
        tags=["Floods"],
    )


@pytest.mark.parametrize("url", [*PUBLIC_PAGES, "article"])
def test_anonymous_readers_all_get_the_same_bytes_and_no_cookie(story, url):
    url = story.get_absolute_url() if url == "article" else url
    first = Client().get(url)
    # A reader who once visited the admin's login page still holds its CSRF cookie.
    second = Client(HTTP_COOKIE="csrftoken=abc123; theme=dark").get(url)

    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert not first.cookies and not second.cookies
    assert "cookie" not in first.get("Vary", "").lower()
    assert b"csrfmiddlewaretoken" not in first.content
    assert first["X-Page-Cache"] == "miss" and second["X-Page-Cache"] == "hit"


def test_public_page_tells_proxies_how_long_to_keep_it(client, story, settings):
    response = client.get(story.get_absolute_url())

    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {
        "public",
        "max-age=5",
        "stale-while-revalidate=30",
        "stale-if-error=86400",
    } <= directives
    # Ten minutes from when it was rendered, give or take the render.
    assert 590 <= int(response["Cache-Control"].split("s-maxage=")[1].split(",")[0]) <= 600
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"]


def test_public_page_names_what_it_shows_for_surrogate_purges(client, story):
    response = client.get(story.get_absolute_url())

    keys = set(response["Surrogate-Key"].split())
    assert {f"article-{story.pk}", "nav", f"tag-{story.tags.get().pk}"} <= keys
    assert set(response["Cache-Tag"].split(",")) == keys


@pytest.mark.parametrize("cached", [False, True])
def test_conditional_get_with_the_etag_answers_304(client, story, cached):
    url = story.get_absolute_url()
    etag = client.get(url)["ETag"]
    if cached:
        assert client.get(url)["X-Page-Cache"] == "hit"

    response = client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


def test_conditional_get_since_the_last_modification_answers_304(client, story):
    url = story.get_absolute_url()
    client.get(url)
    last_modified = client.get(url)["Last-Modified"]

    response = client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified)

    assert response.status_code == 304


def test_changed_page_answers_200_to_an_old_etag(client, story):
    url = story.get_absolute_url()
    etag = client.get(url)["ETag"]
    story.headline = "River bursts its banks"
    story.save()

    response = client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert b"River bursts its banks" in response.content


def test_signed_in_staff_get_their_own_page_never_stored(client, story):
    editor = make_editor()
    client.force_login(editor)

    first = client.get(story.get_absolute_url())
    second = client.get(story.get_absolute_url())

    assert "X-Page-Cache" not in first and "X-Page-Cache" not in second
    assert "private" in second["Cache-Control"]
    assert "Surrogate-Key" not in second
    assert Client().get(story.get_absolute_url())["X-Page-Cache"] == "miss"


def test_pages_that_are_not_public_are_not_stored(client, story):
    client.get("/newsletter/")
    missing = client.get("/articles/no-such-story/")

    assert "X-Page-Cache" not in client.get("/newsletter/")
    assert missing.status_code == 404 and "X-Page-Cache" not in missing


def test_page_rendered_while_its_keys_were_purged_is_not_stored(client, story, settings):
    """A render that began before a change committed may show the old rows."""
    settings.PAGE_CACHE_CLOCK_MARGIN = 60

    response = client.get(story.get_absolute_url())  # the story was just saved: a purge

    assert response["X-Page-Cache"] == "pass"
    assert client.get(story.get_absolute_url())["X-Page-Cache"] == "pass"


def database_down(execute, sql, params, many, context):
    raise OperationalError("connection refused")


def test_readers_get_the_last_good_copy_while_the_database_is_down(story):
    reader = Client(raise_request_exception=False)
    url = story.get_absolute_url()
    reader.get(url)
    story.headline = "River bursts its banks"
    story.save()  # the copy is stale now: the next reader would render again

    with connection.execute_wrapper(database_down):
        response = reader.get(url)

    assert response.status_code == 200
    assert response["X-Page-Cache"] == "stale"
    assert b"River rises in the valley" in response.content
    assert "s-maxage=0" in response["Cache-Control"]


def test_without_a_good_copy_a_database_outage_is_still_an_error(story):
    reader = Client(raise_request_exception=False)

    with connection.execute_wrapper(database_down):
        response = reader.get(story.get_absolute_url())

    assert response.status_code == 500


def test_fresh_copy_is_served_without_touching_the_database(story, django_assert_num_queries):
    url = story.get_absolute_url()
    Client().get(url)

    with django_assert_num_queries(0):
        response = Client().get(url)

    assert response.status_code == 200


def test_page_cache_can_be_switched_off_keeping_the_headers(client, story, settings):
    settings.PAGE_CACHE = False
    client.get(story.get_absolute_url())

    response = client.get(story.get_absolute_url())

    assert "X-Page-Cache" not in response
    assert "s-maxage" in response["Cache-Control"]
    assert response["Surrogate-Key"]


class CountingDjango:
    """Django's WSGI handler, counting the requests that reach it (and, like the test client,
    leaving the test's database connection open at the end of each)."""

    def __init__(self):
        self.handler, self.calls = WSGIHandler(), 0

    def __call__(self, environ, start_response):
        self.calls += 1
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = self.handler(environ, start_response)
            content = b"".join(response)
            response.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return [content]


@pytest.fixture
def front():
    """The site as gunicorn runs it (newsroom/wsgi.py): the page cache's WSGI layer first."""
    django = CountingDjango()
    application = pagecache.PageCacheApplication(django, skip=needs_key_checks)

    def get(path, method="GET", **headers):
        environ = RequestFactory().generic(method, path, **headers).environ
        answer = {}

        def start_response(status, response_headers, exc_info=None):
            answer.update(
                status=status, headers=dict(response_headers), header_list=response_headers
            )

        answer["content"] = b"".join(application(environ, start_response))
        return answer

    get.django = django
    return get


def test_fresh_copy_is_answered_before_django_with_the_middlewares_headers(front, story):
    url = story.get_absolute_url()
    front(url)  # a miss: Django renders and stores it
    by_middleware = Client().get(url)

    with CaptureQueriesContext(connection) as queries:
        answer = front(url)

    assert front.django.calls == 1 and len(queries) == 0
    assert answer["status"] == "200 OK"
    assert answer["content"] == by_middleware.content
    headers = answer["headers"]
    cache_control = headers.pop("Cache-Control")
    assert headers == {
        name: value for name, value in by_middleware.items() if name != "Cache-Control"
    }
    assert headers["X-Page-Cache"] == "hit"
    # The same directives; s-maxage counts down, so a second may have gone by in between.
    assert without_s_maxage(cache_control) == without_s_maxage(by_middleware["Cache-Control"])


def test_a_hit_sends_each_header_once_even_when_the_view_set_it(front, story):
    # A feed sets its own Last-Modified; the stored copy's validators replace it, as the
    # middleware's do, rather than adding a second one.
    url = reverse("articles:feed_rss")
    front(url)

    answer = front(url)

    assert answer["headers"]["X-Page-Cache"] == "hit"
    names = [name.lower() for name, _ in answer["header_list"]]
    assert sorted(names) == sorted(set(names))
    assert answer["headers"]["Last-Modified"] == Client().get(url)["Last-Modified"]


def test_a_cache_that_fails_sends_the_request_to_django(front, story, monkeypatch):
    url = story.get_absolute_url()
    front(url)

    real_get, failures = pagecache.cache.get, []

    def fails_once(*args, **kwargs):  # the layer's lookup fails; Django's own then works
        if not failures:
            failures.append(args)
            raise ConnectionError("cache server down")
        return real_get(*args, **kwargs)

    monkeypatch.setattr(pagecache.cache, "get", fails_once)
    answer = front(url)

    assert failures and front.django.calls == 2
    assert answer["status"] == "200 OK"


def without_s_maxage(cache_control: str) -> list[str]:
    return [d for d in cache_control.split(", ") if not d.startswith("s-maxage")]


def test_a_purge_sends_the_next_reader_past_the_wsgi_layer(front, story):
    url = story.get_absolute_url()
    front(url)
    story.headline = "River bursts its banks"
    story.save()

    answer = front(url)

    assert front.django.calls == 2
    assert answer["headers"]["X-Page-Cache"] == "miss"
    assert b"River bursts its banks" in answer["content"]


@pytest.mark.parametrize(
    "method, headers",
    [
        ("HEAD", {}),
        ("GET", {"HTTP_IF_NONE_MATCH": '"x"'}),
        ("GET", {"HTTP_IF_MODIFIED_SINCE": "Sun, 29 Nov 2026 20:00:00 GMT"}),
        ("GET", {"HTTP_COOKIE": "sessionid=abc"}),
        ("POST", {}),
    ],
)
def test_only_plain_anonymous_gets_are_answered_by_the_wsgi_layer(front, story, method, headers):
    url = story.get_absolute_url()
    front(url)

    front(url, method, **headers)

    assert front.django.calls == 2


def test_the_wsgi_layer_answers_the_open_api_without_a_key(front, story):
    front("/api/ninjs/articles/")
    answer = front("/api/ninjs/articles/")

    assert front.django.calls == 1
    assert answer["headers"]["X-Page-Cache"] == "hit"


@pytest.mark.parametrize(
    "headers", [{"HTTP_AUTHORIZATION": "Bearer some-key"}, {"HTTP_X_API_KEY": "some-key"}]
)
def test_the_wsgi_layer_leaves_api_requests_with_a_key_to_django(front, story, headers):
    front("/api/ninjs/articles/")
    answer = front("/api/ninjs/articles/", **headers)

    assert front.django.calls == 2
    assert answer["status"].startswith("401")  # checked: no such key


def test_the_wsgi_layer_leaves_the_api_to_django_while_keys_are_required(front, story, settings):
    front("/api/ninjs/articles/")
    settings.API_REQUIRE_KEY = True
    answer = front("/api/ninjs/articles/")

    assert front.django.calls == 2
    assert answer["status"].startswith("401")


def test_a_host_django_refuses_is_never_answered_from_the_cache(front, story):
    url = story.get_absolute_url()
    front(url)

    answer = front(url, HTTP_HOST="evil.example")

    assert front.django.calls == 2 and answer["status"].startswith("400")


class PurgeRecorder(BaseHTTPRequestHandler):
    received: list = []

    def do_PURGE(self):  # noqa: N802 (the HTTP method's name)
        self.received.append(self.headers["Surrogate-Key"])
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def proxy(settings):
    """A stand-in for Varnish on a loopback port that records the PURGE requests it gets."""
    server = HTTPServer(("127.0.0.1", 0), PurgeRecorder)
    PurgeRecorder.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.PAGE_CACHE_PURGE_URLS = [f"http://127.0.0.1:{server.server_port}/"]
    yield PurgeRecorder.received
    server.shutdown()
    server.server_close()


def test_a_change_tells_the_proxies_once_it_commits(
    story, proxy, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        story.headline = "River bursts its banks"
        story.save()
        assert proxy == []  # nothing is purged at the edge before the change commits

    assert callbacks
    purged = set().union(*(header.split() for header in proxy))
    assert {f"article-{story.pk}", f"section-{story.section_id}", "latest"} <= purged


def test_unreachable_proxy_is_logged_not_raised(settings, caplog):
    settings.PAGE_CACHE_PURGE_URLS = ["http://127.0.0.1:9/"]

    pagecache.purge_edge({"article-1"})

    assert "Could not purge article-1" in caplog.text


def test_a_long_purge_reaches_the_proxies_in_requests_of_a_hundred_keys(proxy):
    keys = {f"article-{number}" for number in range(250)}

    pagecache.purge_edge(keys)

    assert [len(header.split()) for header in proxy] == [100, 100, 50]
    assert set().union(*(header.split() for header in proxy)) == keys
