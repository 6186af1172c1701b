"""Issue 17, item 9: the small things an editor notices on deadline."""

import pytest
from django.urls import reverse

from articles import sharing
from articles.models import Article
from tests.factories import make_article, make_editor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_word_count_shortcuts_and_share_link_copy(signed_in, live_server):
    editor = make_editor("edna")
    article = make_article(status=Article.Status.DRAFT, body="<p>One two three.</p>")
    sharing.create_share_link(article, by=editor, days=3)
    page = signed_in(editor)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(live_server.url + reverse("admin:articles_article_change", args=[article.pk]))

    assert page.inner_text(".body-word-count") == "3 words"
    page.click(".prose-editor [contenteditable=true] p")
    page.keyboard.press("End")
    page.keyboard.type(" Four.")
    assert page.inner_text(".body-word-count") == "4 words"
    bold = page.locator(".prose-editor [title^='bold']").first
    bold.hover()
    assert bold.get_attribute("title") in ("bold (Ctrl+B)", "bold (⌘B)")

    page.click(".workflow__links button:has-text('Copy')")
    page.wait_for_selector(".workflow__links button:has-text('Copied')")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "/preview/" in copied or "/shared/" in copied or copied.startswith("http")


def test_the_hero_image_chooser_shows_thumbnails(signed_in, live_server):
    from tests.factories import make_image

    image = make_image(alt_text="Harbour at dusk")
    article = make_article(status=Article.Status.DRAFT)
    page = signed_in(make_editor("edna"))
    page.goto(live_server.url + reverse("admin:articles_article_change", args=[article.pk]))
    page.click("[aria-labelledby~='select2-id_hero_image-container']")
    page.keyboard.type("Harbour")
    thumbnail = page.wait_for_selector(".select2-results__option img.chooser-thumbnail")
    assert thumbnail.get_attribute("src").endswith(f"/image/{image.pk}/thumbnail/")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbnail)
