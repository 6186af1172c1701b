"""The probe's small findings: HTTP methods, sign-in redirects, preview links and snippets."""

import pytest
from django.test import Client

from articles import sharing
from articles.models import Article
from articles.search import add_snippets
from newsletter.models import Subscriber
from tests.factories import make_article, make_editor, make_subscriber

pytestmark = pytest.mark.django_db


def test_a_share_preview_page_has_no_signup_form_to_leak_its_secret_address(client, terms):
    article = make_article(status=Article.Status.DRAFT)
    _, token = sharing.create_share_link(article, by=make_editor(), days=3)

    page = client.get(f"/preview/{token}/").content.decode()

    assert token not in page.split("</article>")[1]
    assert "data-signup-form" not in page


def test_head_is_answered_on_the_newsletter_and_unsubscribe_pages(client, terms):
    subscriber = make_subscriber(status=Subscriber.Status.CONFIRMED)

    assert client.head("/newsletter/").status_code == 200
    assert client.head(subscriber.unsubscribe_url().split("8000")[1]).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


@pytest.mark.parametrize("url", ["/", "/terms/", "/privacy/", "/newsletter/", "/search/"])
def test_options_lists_the_methods_without_a_page(client, terms, url):
    response = client.options(url)

    assert response.status_code == 204
    assert response["Allow"] == "GET, HEAD, POST, OPTIONS"
    assert response.content == b""


@pytest.mark.parametrize("method", ["trace", "put", "delete", "patch"])
def test_trace_and_other_methods_are_refused_everywhere(client, terms, method):
    for url in ["/", "/terms/", "/newsletter/", "/admin/login/"]:
        response = getattr(client, method)(url)
        assert response.status_code == 405, url
        assert b"<html" not in response.content


def test_sign_in_with_an_unsafe_next_lands_on_the_admin_index(terms):
    editor = make_editor()
    client = Client()

    response = client.post(
        "/admin/login/?next=https://evil.example/",
        {"username": editor.username, "password": "correct horse battery"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_search_snippets_keep_a_space_between_paragraphs():
    article = make_article(body="<p>The harbour closed.</p><p>Boats waited outside.</p>")

    add_snippets([article], "harbour")

    assert "closed. Boats" in article.search_snippet
