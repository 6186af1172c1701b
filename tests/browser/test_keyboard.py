"""The reporter's and the editor's main flows with the keyboard alone: Tab to a control, type,
press Enter or Space. Every stop on the way must show where focus is, and Tab must always move
on (no trap: the body editor, Select2 widgets and the workflow panel all let focus go)."""

import pytest
from playwright.sync_api import expect

from articles.models import Article, ArticleEvent
from tests.factories import make_article, make_author, make_editor, make_reporter, make_section

pytestmark = pytest.mark.django_db(transaction=True)

HEADLINE = "Harbour wall repaired after winter storms"
MAX_TABS = 200

FOCUS_STATE = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    const shadowed = style.boxShadow && style.boxShadow !== "none";
    const box = el.getBoundingClientRect();
    window.focusStops = window.focusStops || new Map();
    if (!window.focusStops.has(el)) window.focusStops.set(el, window.focusStops.size + 1);
    return {
        key: el === document.body ? "BODY" : window.focusStops.get(el),
        html: el.outerHTML.slice(0, 120),
        visible: el === document.body || outlined || shadowed,
        onScreen: el === document.body || (box.width > 0 && box.height > 0),
    };
}"""


def tab_to(page, selector: str, *, backwards: bool = False) -> None:
    """Press Tab until `selector` has focus, checking each stop shows its focus ring and that
    focus moves on every press."""
    previous = None
    for _ in range(MAX_TABS):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        state = page.evaluate(FOCUS_STATE)
        assert state["visible"], f"focus is not visible on {state['html']}"
        assert state["onScreen"], f"focus went to something not on screen: {state['html']}"
        assert state["key"] != previous or state["key"] == "BODY", (
            f"focus is stuck on {state['html']}"
        )
        previous = state["key"]
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never got focus in {MAX_TABS} presses of Tab")


def choose(page, select_id: str, text: str) -> None:
    """Pick `text` in a Select2 autocomplete from the keyboard: open, type, Enter."""
    tab_to(page, f"#{select_id} + .select2 .select2-selection")
    page.keyboard.press("Enter")
    page.keyboard.type(text)
    page.wait_for_selector(f".select2-results__option--highlighted:has-text('{text}')")
    page.keyboard.press("Enter")


def test_reporter_writes_and_submits_with_the_keyboard(signed_in, live_server):
    make_section("Local")
    reporter = make_reporter("rita", first_name="Rita", last_name="Reyes")
    page = signed_in(reporter)
    page.goto(f"{live_server.url}/admin/articles/article/add/")
    page.wait_for_selector(".ProseMirror", state="attached")

    tab_to(page, "#id_headline")
    page.keyboard.type(HEADLINE)
    tab_to(page, "#id_standfirst")
    page.keyboard.type("Repairs finished a week early.")
    tab_to(page, ".ProseMirror")
    page.keyboard.type("The council said the wall would hold.")
    choose(page, "id_section", "Local")
    choose(page, "id_bylines-0-author", "Rita")
    # What a screen reader announces for the chosen section: the field, then its value.
    expect(page.locator("#id_section + .select2 .select2-selection")).to_have_accessible_name(
        "Section: Local"
    )
    tab_to(page, "button[value=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector(".messagelist .success")

    article = Article.objects.get(headline=HEADLINE)
    assert article.status == Article.Status.REVIEW
    assert "The council said the wall would hold." in article.body
    assert list(article.authors.values_list("name", flat=True)) == ["Rita"]


def test_editor_requests_changes_schedules_and_publishes_with_the_keyboard(signed_in, live_server):
    editor = make_editor("edna", first_name="Edna")
    section, author = make_section("Local"), make_author("Rita")
    sent_back, scheduled, published = (
        make_article(headline, status=Article.Status.REVIEW, section=section, authors=[author])
        for headline in ("Tram depot plans", "Ferry timetable cut", "Library reopens")
    )
    page = signed_in(editor)
    page.on("dialog", lambda dialog: dialog.accept())  # "Publish now?" – Enter in a person's hands

    page.goto(f"{live_server.url}/admin/articles/article/{sent_back.pk}/change/")
    tab_to(page, "#id_workflow_comment")
    page.keyboard.type("Quote the depot's neighbours.")
    tab_to(page, "button[value=request_changes]")
    page.keyboard.press("Enter")
    page.wait_for_selector(".messagelist .success")

    page.goto(f"{live_server.url}/admin/articles/article/{scheduled.pk}/change/")
    tab_to(page, "button[name=schedule_preset]")
    page.keyboard.press("Space")
    page.wait_for_selector(".messagelist .success")

    page.goto(f"{live_server.url}/admin/articles/article/{published.pk}/change/")
    tab_to(page, "button[value=publish]")
    page.keyboard.press("Enter")
    page.wait_for_selector(".messagelist .success")

    assert ArticleEvent.objects.get(article=sent_back).comment == "Quote the depot's neighbours."
    statuses = {a.pk: a.status for a in Article.objects.all()}
    assert statuses[sent_back.pk] == Article.Status.DRAFT
    assert statuses[scheduled.pk] == Article.Status.SCHEDULED
    assert statuses[published.pk] == Article.Status.PUBLISHED
