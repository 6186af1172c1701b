"""The newsletter's public doors: redirects, client addresses, timing, CSRF and signed links."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from articles import sharing
from articles.models import Article
from newsletter.models import SignupRequest, Subscriber
from tests.factories import make_article, make_editor, make_subscriber

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "page",
    [
        "//evil.example/phish",
        "/\\evil.example/phish",
        "/\t/evil.example/phish",
        "https://evil.example/phish",
        "\\\\evil.example",
        "javascript:alert(1)",
        "///evil.example",
    ],
)
def test_signup_never_redirects_off_the_site(client, signup_data, page):
    response = client.post("/newsletter/", signup_data(page=page))

    assert response.status_code == 302
    assert response["Location"] == "/newsletter/?signup=done#signup"


@pytest.mark.parametrize("page", ["/articles/x/\r\nSet-Cookie: a=b", "/articles/x/\nX: y"])
def test_line_breaks_in_the_page_cannot_inject_response_headers(client, signup_data, page):
    response = client.post("/newsletter/", signup_data(page=page))

    assert response.status_code == 302
    assert "\n" not in response["Location"] and "\r" not in response["Location"]
    assert response["Location"].startswith("/articles/x/")
    assert "a" not in response.cookies and "X" not in response


def test_forwarded_for_header_is_not_trusted_by_default(client, signup_data, settings):
    settings.NEWSLETTER_RATE_LIMIT_PER_CLIENT = 2
    for number in range(2):
        client.post(
            "/newsletter/",
            signup_data(f"reader{number}@example.com"),
            HTTP_X_FORWARDED_FOR=f"198.51.100.{number}",
        )

    response = client.post(
        "/newsletter/", signup_data("third@example.com"), HTTP_X_FORWARDED_FOR="198.51.100.99"
    )

    assert response.status_code == 429


@pytest.mark.parametrize("status", ["pending", "confirmed", "unsubscribed"])
def test_known_address_gets_the_same_response_and_the_email_is_only_queued(
    client, signup_data, status, django_capture_on_commit_callbacks
):
    make_subscriber("known@example.com", status=status)
    with django_capture_on_commit_callbacks(execute=True):
        new = client.post(
            "/newsletter/", signup_data("new@example.com"), HTTP_ACCEPT="application/json"
        )
        known = client.post(
            "/newsletter/", signup_data("known@example.com"), HTTP_ACCEPT="application/json"
        )

    assert (new.status_code, new.content) == (known.status_code, known.content)
    assert {k: v for k, v in new.items() if k != "Date"} == {
        k: v for k, v in known.items() if k != "Date"
    }
    # Nothing is sent while the reader waits: the worker sends, later.
    assert mail.outbox == []
    assert DBTaskResult.objects.count() >= 1


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_SEC_FETCH_SITE": "same-site"},
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_REFERER": "https://evil.example/page"},
    ],
)
def test_signup_posted_from_another_site_is_refused(signup_data, headers):
    strict = Client(enforce_csrf_checks=True)

    response = strict.post("/newsletter/", signup_data(), **headers)

    assert response.status_code == 403
    assert "only be sent from our own pages" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_signup_posted_from_another_site_with_javascript_gets_json(signup_data):
    response = Client().post(
        "/newsletter/",
        signup_data(),
        HTTP_ORIGIN="https://evil.example",
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 403
    assert response.json()["ok"] is False
    assert not Subscriber.objects.exists()
    assert not SignupRequest.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"},
        {"HTTP_ORIGIN": "http://testserver"},
        {"HTTP_REFERER": "http://testserver/articles/x/"},
        {"HTTP_ORIGIN": "http://127.0.0.1:8000"},  # CSRF_TRUSTED_ORIGINS, from SITE_URL
    ],
)
def test_signup_from_our_own_pages_needs_no_token(signup_data, headers):
    strict = Client(enforce_csrf_checks=True)

    response = strict.post("/newsletter/", signup_data(), **headers)

    assert response.status_code == 302
    # Accepted and stored for the worker, which records the subscriber (tasks.record_signup).
    assert SignupRequest.objects.get().email == signup_data()["email"]


def test_email_with_a_line_break_is_refused(client, signup_data):
    response = client.post(
        "/newsletter/",
        signup_data("reader@example.com\r\nBcc: everyone@example.com"),
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 400
    assert not Subscriber.objects.exists()


# --- signed links are for one purpose each -----------------------------------------------


def test_confirmation_link_does_not_unsubscribe(client, terms):
    subscriber = make_subscriber(status="confirmed")

    response = client.post(
        reverse("newsletter:unsubscribe", args=[subscriber.confirmation_token()])
    )

    subscriber.refresh_from_db()
    assert response.status_code == 400
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_unsubscribe_link_does_not_confirm(client, terms):
    subscriber = make_subscriber(status="pending")

    response = client.post(reverse("newsletter:confirm", args=[subscriber.unsubscribe_token()]))

    subscriber.refresh_from_db()
    assert response.status_code == 400
    assert subscriber.status == Subscriber.Status.PENDING


def test_share_link_token_does_not_confirm_and_confirmation_token_shows_no_draft(client, terms):
    draft = make_article(headline="Embargoed budget", status=Article.Status.DRAFT)
    _, share = sharing.create_share_link(draft, by=make_editor(), days=2)
    subscriber = make_subscriber(status="pending")

    confirm_with_share = client.get(reverse("newsletter:confirm", args=[share]))
    share_with_confirm = client.get(
        reverse("articles:shared_preview", args=[subscriber.confirmation_token()])
    )

    subscriber.refresh_from_db()
    assert confirm_with_share.status_code == 400
    assert subscriber.status == Subscriber.Status.PENDING
    assert share_with_confirm.status_code == 404
    assert b"Embargoed budget" not in share_with_confirm.content
