"""A reader on a phone and on a desktop: home page → article."""

import pytest

from tests.factories import make_article, make_author, make_image, make_section

pytestmark = pytest.mark.django_db(transaction=True)

BODY = "".join(
    f"<p>Paragraph {n} of the report, with enough words to wrap across several lines on a phone"
    " and show how the body reads.</p>"
    for n in range(6)
) + (
    "<figure><blockquote><p>“We did not expect the water to rise this fast,” she said.</p>"
    "</blockquote><figcaption>Maria Lopes, harbour master</figcaption></figure>"
)


@pytest.fixture
def front_page():
    news = make_section("News", position=1)
    climate = make_section("Climate", position=2)
    author = make_author("Amara Okafor")
    image = make_image(
        width=1600, height=900, caption="The harbour at dawn.", credit="Jo Lee / Newsroom"
    )
    # Enough stories to fill the lead, the latest list and a block for each section.
    for n in range(18):
        make_article(
            f"Harbour story number {n}",
            section=[news, climate][n % 2],
            authors=[author],
            hero_image=image,
            body=BODY,
            tags=["Water", "Ports"],
        )
    return make_article(
        "Flood barrier holds as storm surge tops records",
        section=news,
        authors=[author, make_author("Daniel Reyes")],
        hero_image=image,
        body=BODY,
        tags=["Water"],
    )


@pytest.mark.parametrize("width", [390, 1280])
def test_reader_follows_a_story_from_the_home_page(
    browser, live_server, screenshot, front_page, width
):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + "/")
    screenshot(page, f"home-{width}.png")

    page.get_by_role("link", name=front_page.headline).first.click()

    page.wait_for_url(f"**{front_page.get_absolute_url()}")
    assert page.get_by_role("heading", level=1).inner_text() == front_page.headline
    assert page.locator("article figure img").first.evaluate(
        "img => img.complete && img.naturalWidth > 0"
    )
    quote = page.locator(".story__body figure", has=page.locator("blockquote")).first
    assert quote.evaluate("q => parseFloat(getComputedStyle(q).borderLeftWidth)") > 0  # pull quote
    assert quote.locator("figcaption").is_visible()  # with its attribution
    screenshot(page, f"article-{width}.png")
    no_horizontal_scroll = page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    assert no_horizontal_scroll, "the page scrolls sideways"
    context.close()


def test_reading_needs_no_javascript(browser, live_server, front_page):
    context = browser.new_context(viewport={"width": 390, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/")

    page.get_by_role("link", name=front_page.headline).first.click()

    page.wait_for_url(f"**{front_page.get_absolute_url()}")
    assert page.get_by_role("heading", level=1).inner_text() == front_page.headline
    assert page.get_by_text("Paragraph 5 of the report").is_visible()
    assert page.get_by_role("link", name="Daniel Reyes").is_visible()
    context.close()
