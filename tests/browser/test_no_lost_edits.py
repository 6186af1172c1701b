"""Issue 17, item 1: the workflow buttons save what is typed first, a refused save comes back
as typed, leaving asks first, and an autosave keeps the typing without touching the story."""

import pytest
from django.urls import reverse

from articles.models import Article, Autosave, Revision
from tests.factories import make_article, make_editor, make_reporter

EDITOR = ".prose-editor [contenteditable=true]"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def change_url(live_server, article) -> str:
    return live_server.url + reverse("admin:articles_article_change", args=[article.pk])


def own_draft(reporter, **fields) -> Article:
    article = make_article(status=Article.Status.DRAFT, created_by=reporter, **fields)
    return article


def test_submit_for_review_sends_the_headline_just_typed(signed_in, live_server):
    rita = make_reporter("rita")
    article = own_draft(rita, headline="Council votes on bridge")
    page = signed_in(rita)
    page.goto(change_url(live_server, article))
    page.fill("#id_headline", "Council approves the river bridge")
    page.click("button:has-text('Submit for review')")
    page.wait_for_selector(".messagelist .success")

    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW
    assert article.headline == "Council approves the river bridge"


def test_publish_refused_by_validation_keeps_everything_typed(signed_in, live_server):
    article = make_article(status=Article.Status.DRAFT, headline="Storm closes the port")
    page = signed_in(make_editor("edna"))
    page.goto(change_url(live_server, article))
    page.fill("#id_headline", "")
    page.fill("#id_standfirst", "Ferries stay in harbour until Friday.")
    page.click(EDITOR + " p")
    page.keyboard.press("End")
    page.keyboard.type(" The harbour master spoke at noon.")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Publish now')")
    page.wait_for_selector(".errornote")

    assert page.input_value("#id_standfirst") == "Ferries stay in harbour until Friday."
    assert "The harbour master spoke at noon." in page.inner_text(EDITOR)
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert article.headline == "Storm closes the port"


def test_leaving_with_unsaved_changes_asks_first(signed_in, live_server):
    article = make_article(status=Article.Status.DRAFT)
    page = signed_in(make_editor("edna"))
    page.goto(change_url(live_server, article))
    page.click("#id_headline")
    page.keyboard.type(" (updated)")
    with page.expect_event("dialog") as asked:
        page.close(run_before_unload=True)
    assert asked.value.type == "beforeunload"
    asked.value.dismiss()


def test_autosave_keeps_typing_without_touching_the_live_story(signed_in, live_server):
    article = make_article(headline="Bridge opens", body="<p>The bridge opened at dawn.</p>")
    editor = make_editor("edna")
    page = signed_in(editor)
    page.clock.install()
    page.goto(change_url(live_server, article))
    page.click(EDITOR + " p")
    page.keyboard.press("End")
    page.keyboard.type(" Traffic was light.")
    with page.expect_response(lambda r: "/autosave/" in r.url):
        page.clock.run_for(31_000)
    page.wait_for_selector("#autosave-status:has-text('kept at')")

    article.refresh_from_db()
    assert article.body == "<p>The bridge opened at dawn.</p>"
    assert Revision.objects.filter(article=article).count() == 1  # the baseline only
    assert Autosave.objects.get(article=article, user=editor).version == article.version

    page.goto(change_url(live_server, article))  # as after a crash: the typing is offered
    page.click("a:has-text('Restore them')")
    page.wait_for_selector(EDITOR)
    assert "Traffic was light." in page.inner_text(EDITOR)
