"""Issue 17, "Broken (reproduced)" items 2-7, each as the editor met it in a browser (item 1 is
tests/browser/test_no_lost_edits.py)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import dateformat, timezone
from taggit.models import Tag

from articles import revisions
from articles.models import Article, Image
from tests.factories import image_bytes, make_article, make_editor, make_reporter

EDITOR = ".prose-editor [contenteditable=true]"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def change_url(live_server, article) -> str:
    return live_server.url + reverse("admin:articles_article_change", args=[article.pk])


def test_a_multi_word_tag_typed_in_the_picker_is_one_new_tag(signed_in, live_server):
    article = make_article(status=Article.Status.DRAFT)
    page = signed_in(make_editor("edna"))
    page.goto(change_url(live_server, article))
    page.click(".field-tags .select2-selection")
    page.keyboard.type("Flood defences")
    page.wait_for_selector(".select2-results__option:has-text('Flood defences')")
    page.keyboard.press("Enter")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")

    assert list(article.tags.names()) == ["Flood defences"]
    assert not Tag.objects.filter(name__in=["Flood", "defences"]).exists()


def test_a_quote_credited_with_a_hyphen_stays_a_quote_with_a_credit(signed_in, live_server):
    article = make_article(status=Article.Status.DRAFT, body="<p>The council met.</p>")
    page = signed_in(make_editor("edna"))
    page.goto(change_url(live_server, article))
    page.click(EDITOR + " p")
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.type("> “We will rebuild.”")
    page.keyboard.press("Enter")
    page.keyboard.type("- Ana Ruiz, the mayor")
    assert page.locator(EDITOR + " blockquote ul").count() == 0
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.type("The meeting ended at noon.")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")

    article.refresh_from_db()
    assert "<figcaption>Ana Ruiz, the mayor</figcaption>" in article.body
    assert "<ul>" not in article.body and "<li>" not in article.body
    assert article.body.endswith("<p>The meeting ended at noon.</p>")


def test_restoring_a_version_of_a_live_story_warns_before_the_page_changes(signed_in, live_server):
    article = make_article(headline="Mayor resigns", body="<p>The mayor is 52.</p>")
    wrong = revisions.record_revision(article)
    Article.objects.filter(pk=article.pk).update(body="<p>The mayor is 62.</p>", version=2)
    article.refresh_from_db()
    revisions.record_revision(article)
    page = signed_in(make_editor("edna"))
    page.goto(
        live_server.url + reverse("admin:articles_article_revision", args=[article.pk, wrong.pk])
    )
    page.click("button:has-text('Restore this version')")

    assert "This article is live" in page.inner_text(".errornote")
    assert Article.objects.get(pk=article.pk).body == "<p>The mayor is 62.</p>"
    page.click("button:has-text('Restore and update the live page')")
    page.wait_for_selector(".messagelist .success")
    assert Article.objects.get(pk=article.pk).body == "<p>The mayor is 52.</p>"


def test_history_does_not_call_an_unscheduled_version_live(signed_in, live_server):
    editor = make_editor("edna")
    article = make_article(
        status=Article.Status.SCHEDULED,
        publish_at=timezone.now() + datetime.timedelta(days=1),
    )
    page = signed_in(editor)
    page.goto(change_url(live_server, article))  # the baseline, scheduled
    page.click("button:has-text('Unschedule')")
    page.wait_for_selector(".messagelist .success")
    page.goto(live_server.url + reverse("admin:articles_article_revisions", args=[article.pk]))
    statuses = page.locator("#revision-list tbody td:nth-child(7)").all_inner_texts()
    assert statuses and not any("live" in status for status in statuses)


def test_a_stories_first_version_is_dated_when_it_began_not_when_it_was_opened(
    signed_in, live_server
):
    published = timezone.now() - datetime.timedelta(days=2)
    article = make_article(publish_at=published)  # as the demo loader makes them: no revision
    Article.objects.filter(pk=article.pk).update(updated_at=published)
    page = signed_in(make_editor("edna"))
    page.goto(change_url(live_server, article))  # opening it records the baseline
    page.goto(live_server.url + reverse("admin:articles_article_revisions", args=[article.pk]))
    row = page.locator("#revision-list tbody tr").last
    cells = row.locator("td").all_inner_texts()
    assert cells[2] == dateformat.format(timezone.localtime(published), "j M Y, H:i")
    assert "someone" not in cells[3]
    assert cells[6] == "Published (live)"


def test_the_image_popup_keeps_the_chosen_file_when_alt_text_is_missing(
    signed_in, live_server, tmp_path
):
    article = make_article(status=Article.Status.DRAFT)
    photo = tmp_path / "harbour.jpg"
    photo.write_bytes(image_bytes())
    page = signed_in(make_editor("edna"))
    page.goto(change_url(live_server, article))
    with page.expect_popup() as opened:
        page.click("#add_id_hero_image")
    popup = opened.value
    popup.set_input_files("#id_file", str(photo))
    popup.click("input[name=_save]")
    popup.wait_for_selector(".errornote")
    assert "harbour.jpg" in popup.inner_text(".field-file")
    popup.fill("#id_alt_text", "The harbour wall at high tide")
    with popup.expect_event("close"):
        popup.click("input[name=_save]")

    image = Image.objects.get()
    assert image.alt_text == "The harbour wall at high tide" and image.width == 1200
    assert page.input_value("#id_hero_image") == str(image.pk)


def test_a_reporter_following_a_colleagues_link_is_told_they_cannot_open_it(signed_in, live_server):
    make_reporter("rita")
    carl = make_reporter("carl")
    article = make_article(
        status=Article.Status.DRAFT, headline="Secret merger talks", authors=[carl.author]
    )
    page = signed_in(
        Article._meta.get_field("created_by").related_model.objects.get(username="rita")
    )
    page.goto(change_url(live_server, article))

    message = page.inner_text(".messagelist")
    assert "You can't open this article" in message
    assert "Perhaps it was deleted" not in page.content()
    assert "Secret merger talks" not in page.content()
