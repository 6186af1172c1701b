"""The wire desk in a real browser: an editor uploads an agency file, opens the draft, sees the
credit and the original, rewrites a paragraph, schedules it for the end of the embargo, and a
reader sees it at that time with the credit line."""

import datetime
import json

import pytest
import time_machine
from django.utils import timezone

from articles.models import Article
from tests.factories import make_editor, make_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADLINE = "Dock workers walk out over automation plan"
PASSWORD = "correct horse battery"


def ninjs_item(embargo: datetime.datetime) -> bytes:
    return json.dumps(
        {
            "uri": "https://news.example.org/items/port-strike",
            "version": "1",
            "embargoedUntil": embargo.isoformat(),
            "pubStatus": "usable",
            "copyrightHolder": {"name": "South China Morning Post"},
            "headlines": [{"value": HEADLINE}],
            "descriptions": [{"value": "The strike is the port's first in twenty years."}],
            "bodies": [
                {
                    "contentType": "text/html",
                    "value": "<p>Hundreds of dock workers walked out at dawn.</p>"
                    "<p>Union leaders said the plan would cost 2,000 jobs.</p>",
                }
            ],
        }
    ).encode()


def test_editor_takes_a_wire_story_to_readers_after_its_embargo(
    browser, live_server, tmp_path, artifacts
):
    make_section("World")
    make_editor("edna", first_name="Edna", last_name="Ekwueme")
    embargo = (timezone.localtime() + datetime.timedelta(days=1)).replace(
        hour=6, minute=0, second=0, microsecond=0
    )
    item = tmp_path / "port-strike.json"
    item.write_bytes(ninjs_item(embargo))

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    editor = context.new_page()
    editor.goto(f"{live_server.url}/admin/login/")
    editor.fill("#id_username", "edna")
    editor.fill("#id_password", PASSWORD)
    editor.click("input[type=submit]")
    editor.wait_for_url(f"{live_server.url}/admin/")

    # Upload from the dashboard's wire panel.
    editor.click(".dashboard a:has-text('Import wire copy')")
    editor.set_input_files("#id_files", str(item))
    editor.click("input[value=Import]")
    editor.wait_for_selector(".wire-outcome--created")
    editor.click(f"a:has-text('Open the draft “{HEADLINE}”')")

    # The draft shows its source, credit and the original as received.
    editor.wait_for_selector(".wire-panel")
    assert "From the wire: South China Morning Post" in editor.inner_text(".wire-panel")
    assert editor.input_value("#id_credit_line") == "South China Morning Post"
    editor.click("summary:has-text('The original, as received')")
    original = editor.locator(".wire-panel__original .readonly-body")
    assert original.is_visible()
    assert original.inner_text().startswith("Hundreds of dock workers walked out at dawn.")

    # Rewrite the first paragraph with local detail, and credit the paper in the text.
    editor.fill("#id_credit_line", "According to the South China Morning Post")
    paragraph = editor.locator(".ProseMirror:visible p").first
    paragraph.click()
    editor.keyboard.press("End")
    editor.keyboard.type(" Ferries to the islands were not affected.")
    editor.click("input[name=_continue]")
    editor.wait_for_selector(".messagelist .success")
    article = Article.objects.get(headline=HEADLINE)
    assert "Ferries to the islands were not affected." in article.body

    # Scheduling before the embargo is refused; at the embargo it works.
    editor.fill("#id_schedule_date", embargo.date().isoformat())
    editor.fill("#id_schedule_time", "05:30")
    editor.once("dialog", lambda dialog: dialog.accept())
    editor.click(".workflow__schedule button:has-text('Schedule')")
    editor.wait_for_selector(".messagelist .error, .errornote, .errorlist")
    assert "embargoed until" in editor.content()
    assert Article.objects.get(pk=article.pk).status == Article.Status.DRAFT
    editor.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    editor.fill("#id_schedule_date", embargo.date().isoformat())
    editor.fill("#id_schedule_time", "06:00")
    editor.once("dialog", lambda dialog: dialog.accept())
    editor.click(".workflow__schedule button:has-text('Schedule')")
    editor.wait_for_selector(".messagelist .success")
    assert Article.objects.get(pk=article.pk).publish_at == embargo
    editor.screenshot(path=str(artifacts / "wire-draft-scheduled.png"), full_page=True)

    # A reader sees nothing before six, and the story with its credit line after.
    reader = browser.new_context().new_page()
    reader.goto(f"{live_server.url}{article.get_absolute_url()}")
    assert HEADLINE not in reader.content()
    with time_machine.travel(embargo + datetime.timedelta(minutes=1), tick=True):
        reader.context.close()
        reader = browser.new_context().new_page()
        reader.goto(f"{live_server.url}{article.get_absolute_url()}")
        assert reader.locator("h1").inner_text() == HEADLINE
        assert reader.locator(".story__credit").inner_text() == (
            "According to the South China Morning Post"
        )
        assert "Ferries to the islands were not affected." in reader.content()
    context.close()
    reader.context.close()
