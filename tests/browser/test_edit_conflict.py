"""Two editors in two browsers edit one article; the second save is refused, nothing is lost."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import make_article, make_editor

# The body editor's editable area (its toolbar has another .ProseMirror element, hidden).
EDITOR = ".prose-editor [contenteditable=true]"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in_page(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1280, "height": 1400})
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context.new_page()


def test_second_save_shows_the_conflict_and_keeps_what_was_typed(browser, live_server, artifacts):
    article = make_article(
        headline="Floods close the ring road", body="<p>Water rose overnight.</p>"
    )
    url = live_server.url + reverse("admin:articles_article_change", args=[article.pk])
    alice = signed_in_page(browser, live_server, make_editor("alice", first_name="Alice"))
    bob = signed_in_page(browser, live_server, make_editor("bob", first_name="Bob"))
    for page in (alice, bob):
        page.goto(url)
        page.wait_for_selector(EDITOR)

    alice.fill("#id_headline", "Floods close the ring road for a week")
    bob.fill("#id_headline", "Ring road shut by floods")
    bob.click(EDITOR + " p")
    bob.keyboard.press("End")
    bob.keyboard.type(" Bob typed this sentence.")
    alice.click("input[name=_continue]")
    alice.wait_for_selector(".messagelist .success")
    bob.click("input[name=_continue]")
    bob.wait_for_selector(".errornote")

    bob.screenshot(path=str(artifacts / "edit-conflict.png"), full_page=True)
    errors = bob.inner_text(".errorlist.nonfield")
    assert "Alice saved this article at" in errors
    assert "What changed since you opened the article" in bob.inner_text(".editing-conflict")
    assert "Alice is also editing this article" in bob.inner_text("#presence-notice")
    assert bob.input_value("#id_headline") == "Ring road shut by floods"
    assert "Bob typed this sentence." in bob.inner_text(EDITOR)
    article.refresh_from_db()
    assert article.headline == "Floods close the ring road for a week"
