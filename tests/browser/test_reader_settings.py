"""The reader's own settings are respected: less motion, 200% zoom and 320 px reflow, print."""

import pytest

from tests.factories import make_article, make_author, make_image, make_section

pytestmark = pytest.mark.django_db(transaction=True)

BODY = "".join(
    f"<p>Paragraph {n}: the council's engineers said the barrier would be tested again in the"
    ' spring, <a href="https://example.org/report">according to the report</a>.</p>'
    for n in range(6)
)
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


@pytest.fixture
def story():
    section = make_section("News")
    author = make_author("Amara Okafor")
    make_article("Harbour reopens after the storm", section=section, tags=["Water"])
    return make_article(
        "Flood barrier holds as storm surge tops records after the longest night of the winter",
        section=section,
        authors=[author],
        hero_image=make_image(width=1600, height=900, caption="The harbour.", credit="Jo Lee"),
        body=BODY,
        tags=["Water", "Weather"],
    )


@pytest.mark.parametrize(
    "viewport, zoom",
    [({"width": 320, "height": 640}, 1), ({"width": 640, "height": 450}, 2)],
    ids=["320px", "1280px-at-200%"],
)
def test_pages_reflow_without_sideways_scrolling(browser, live_server, story, viewport, zoom):
    context = browser.new_context(viewport=viewport, device_scale_factor=zoom)
    page = context.new_page()
    paths = [
        "/",
        story.get_absolute_url(),
        story.section.get_absolute_url(),
        "/search/?q=harbour",
        "/newsletter/",
    ]
    scrolling = []
    for path in paths:
        page.goto(live_server.url + path)
        if not page.evaluate(NO_SIDEWAYS_SCROLL):
            scrolling.append(path)
    context.close()

    assert not scrolling, f"these pages scroll sideways at {viewport['width']} CSS px: {scrolling}"


def test_reduced_motion_turns_off_smooth_scrolling_and_transitions(browser, live_server, story):
    context = browser.new_context(reduced_motion="reduce")
    page = context.new_page()
    page.goto(live_server.url + story.get_absolute_url())

    moving = page.evaluate(
        """() => [...document.querySelectorAll("*")].filter(el => {
            const style = getComputedStyle(el);
            return style.scrollBehavior === "smooth"
                || parseFloat(style.transitionDuration) > 0
                || (style.animationName !== "none" && parseFloat(style.animationDuration) > 0);
        }).map(el => el.tagName + "." + el.className)"""
    )
    context.close()

    assert moving == []


def test_printed_article_leaves_out_navigation_and_the_signup_form(browser, live_server, story):
    page = browser.new_page()
    page.emulate_media(media="print")
    page.goto(live_server.url + story.get_absolute_url())

    for hidden in (".masthead", "nav", ".signup", ".site-footer", ".related"):
        assert all(not el.is_visible() for el in page.locator(hidden).all()), hidden
    assert page.get_by_role("heading", level=1).is_visible()
    assert page.locator(".story__body").is_visible()
    assert "(https://example.org/report)" in page.evaluate(
        "getComputedStyle(document.querySelector('.story__body a'), '::after').content"
    )
    page.close()
