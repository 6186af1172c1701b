"""Issue 17, "Done when": an editor publishes from a phone, through the confirmation."""

import pytest
from django.urls import reverse

from articles.models import Article
from tests.factories import make_article, make_editor, make_reporter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def test_editor_publishes_from_a_phone_after_confirming(signed_in, live_server, screenshot):
    article = make_article(status=Article.Status.REVIEW, headline="Ferry strike called off")
    page = signed_in(make_editor("edna"), viewport=PHONE)
    page.goto(live_server.url + reverse("admin:articles_article_change", args=[article.pk]))
    publish = page.locator("button:has-text('Publish now')")
    box = publish.bounding_box()
    assert box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    screenshot(page, "phone-change-form.png")

    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", answer)
    publish.click()
    page.wait_for_selector(".messagelist .success")

    assert "“Ferry strike called off” will be public at once" in asked[0]
    assert "There is no hero image." in asked[0]
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED


def test_cancelling_the_confirmation_on_a_phone_publishes_nothing(signed_in, live_server):
    article = make_article(status=Article.Status.REVIEW)
    page = signed_in(make_editor("edna"), viewport=PHONE)
    page.goto(live_server.url + reverse("admin:articles_article_change", args=[article.pk]))
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("button:has-text('Publish now')")  # waits for any navigation it starts
    assert page.url.endswith(f"/{article.pk}/change/")
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW


def test_a_reporter_reaches_every_byline_column_on_a_phone(signed_in, live_server):
    """The bylines table reflows to the screen: no column of it is off to the right."""
    page = signed_in(make_reporter("rita"), viewport=PHONE)
    page.goto(live_server.url + reverse("admin:articles_article_add"))
    row = page.locator("#bylines-0")
    for control in (row.locator(".select2-container"), page.locator("#id_bylines-0-position")):
        box = control.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
