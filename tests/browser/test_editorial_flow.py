"""The editorial round trip in a real browser: a reporter writes and submits, an editor sends it
back, the reporter fixes and resubmits, the editor schedules it, the clock passes, and a reader
finds it on the front page."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from articles.models import Article, ArticleEvent
from tests.factories import make_editor, make_reporter, make_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADLINE = "Harbour wall repaired after winter storms"
PASSWORD = "correct horse battery"


def log_in(browser, live_server, username):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    return page


def choose(page, select_id: str, text: str) -> None:
    """Pick `text` in one of the admin's autocomplete (select2) widgets."""
    page.click(f"[aria-labelledby~='select2-{select_id}-container']")
    page.fill(".select2-container--open .select2-search__field", text)
    page.click(f".select2-results__option:has-text('{text}')")


def status_of(page) -> str:
    return page.locator(".workflow__status strong").inner_text()


def test_reporter_to_reader_through_review_and_schedule(browser, live_server, artifacts):
    make_section("Local")
    make_reporter("rita", first_name="Rita", last_name="Reyes")
    make_editor("edna", first_name="Edna", last_name="Ekwueme")

    # The reporter writes a draft and submits it.
    reporter = log_in(browser, live_server, "rita")
    reporter.goto(f"{live_server.url}/admin/articles/article/add/")
    reporter.fill("#id_headline", HEADLINE)
    reporter.fill("#id_standfirst", "Repairs finished a week early.")
    reporter.locator(".ProseMirror:visible").first.click()
    reporter.keyboard.type("The council said the wall would hold.")
    choose(reporter, "id_section", "Local")
    choose(reporter, "id_bylines-0-author", "Rita")
    reporter.click("input[name=_continue]")
    reporter.wait_for_selector(".workflow")
    assert status_of(reporter) == "Draft"
    change_url = reporter.url
    reporter.click("button:has-text('Submit for review')")
    reporter.wait_for_selector(".messagelist .success")
    assert status_of(reporter) == "In review"
    assert reporter.locator("#id_headline").count() == 0  # read-only while in review

    # The editor finds it on the dashboard and asks for changes.
    editor = log_in(browser, live_server, "edna")
    assert (
        editor.locator(".dashboard__panel", has_text="Awaiting review")
        .locator(f"a:has-text('{HEADLINE}')")
        .is_visible()
    )
    editor.screenshot(path=str(artifacts / "editorial-dashboard.png"), full_page=True)
    editor.click(f".dashboard a:has-text('{HEADLINE}')")
    editor.fill("#id_workflow_comment", "Quote the harbour master by name.")
    editor.click("button:has-text('Request changes')")
    editor.wait_for_selector(".messagelist .success")
    assert status_of(editor) == "Draft"

    # The reporter sees the comment, edits and resubmits.
    reporter.goto(change_url)
    assert "Quote the harbour master by name." in reporter.content()
    reporter.fill("#id_standfirst", "Repairs finished a week early, the harbour master said.")
    reporter.click("input[name=_continue]")
    reporter.wait_for_selector(".messagelist .success")
    reporter.click("button:has-text('Submit for review')")
    reporter.wait_for_selector(".messagelist .success")
    assert status_of(reporter) == "In review"

    # The editor schedules it for tomorrow morning, site time.
    at = (timezone.localtime() + datetime.timedelta(days=1)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    editor.goto(change_url)
    editor.fill("#id_schedule_date", at.date().isoformat())
    editor.fill("#id_schedule_time", "09:00")
    editor.once("dialog", lambda dialog: dialog.accept())
    editor.click(".workflow__schedule button:has-text('Schedule')")
    editor.wait_for_selector(".messagelist .success")
    assert status_of(editor) == "Scheduled"
    editor.screenshot(path=str(artifacts / "editorial-change-form.png"), full_page=True)
    article = Article.objects.get(headline=HEADLINE)
    assert article.publish_at == at
    assert list(
        ArticleEvent.objects.filter(article=article)
        .order_by("pk")
        .values_list("to_status", flat=True)
    ) == ["review", "draft", "review", "scheduled"]

    # A reader does not see it yet; once the clock passes nine, it is on the front page.
    reader = browser.new_context().new_page()
    reader.goto(f"{live_server.url}/")
    assert HEADLINE not in reader.content()
    with time_machine.travel(at + datetime.timedelta(minutes=1), tick=True):
        # Browsers may keep a page for a few seconds (max-age), and Chromium's clock did not
        # travel with the server's: a reader arriving at nine opens the page afresh.
        reader.context.close()
        reader = browser.new_context().new_page()
        reader.goto(f"{live_server.url}/")
        assert reader.locator(f"a:has-text('{HEADLINE}')").first.is_visible()
        # Wait for the article page itself: content() read mid-navigation is empty.
        with reader.expect_navigation(url="**/articles/**"):
            reader.click(f"a:has-text('{HEADLINE}')")
        assert "the harbour master said" in reader.locator("main").inner_text()
        reader.screenshot(path=str(artifacts / "editorial-reader-sees-it.png"), full_page=True)
    for page in (reporter, editor, reader):
        page.context.close()
