"""A reader at the bottom of an article signs up, with and without JavaScript, on the page
as the page cache serves it: the same bytes for everyone, with no per-reader token."""

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from newsletter.models import Subscriber, Terms
from tests.factories import make_article, make_author, make_section

pytestmark = pytest.mark.django_db(transaction=True)

DONE = "Check your inbox to confirm your subscription."
BODY = "".join(
    f"<p>Paragraph {n}: the council's engineers said the barrier would be tested again in the"
    " spring, after the river has fallen back to its usual level.</p>"
    for n in range(8)
)


@pytest.fixture
def story(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PAGE_CACHE = True
    settings.PAGE_CACHE_CLOCK_MARGIN = 0  # the page is cached right after the setup's changes
    # The data migration's terms are gone once an earlier transactional test has flushed.
    Terms.objects.get_or_create(
        version="2025-1", defaults={"body": "The terms.", "published_at": timezone.now()}
    )
    section = make_section("News")
    author = make_author("Amara Okafor")
    make_article(
        "Harbour reopens after the storm", section=section, authors=[author], tags=["Water"]
    )
    return make_article(
        "Flood barrier holds as storm surge tops records",
        section=section,
        authors=[author],
        body=BODY,
        tags=["Water", "Weather"],
    )


@pytest.fixture
def open_article(browser, live_server, story):
    """Open the story in a fresh browser context; contexts are closed when the test ends so
    no page keeps talking to the live server afterwards."""
    contexts = []

    def open_page(width=1280, javascript=True):
        context = browser.new_context(
            viewport={"width": width, "height": 900}, java_script_enabled=javascript
        )
        contexts.append(context)
        page = context.new_page()
        url = live_server.url + story.get_absolute_url()
        page.request.get(url)  # another reader's visit puts the page in the cache
        response = page.goto(url)
        assert response.headers["x-page-cache"] == "hit"
        assert not context.cookies()
        return page

    yield open_page
    for context in contexts:
        context.close()


def fill_in(page, email="reader@example.com"):
    form = page.locator("#signup")
    form.scroll_into_view_if_needed()
    form.get_by_label("Email address").fill(email)
    form.get_by_label("By submitting this form, I agree to the terms.").check()


@pytest.mark.parametrize("width", [390, 1280])
def test_reader_signs_up_in_place_at_the_end_of_the_article(open_article, artifacts, width):
    page = open_article(width)
    signup = page.locator("#signup")
    assert signup.get_by_role("heading").inner_text() == "Sign up to receive our latest news!"
    assert signup.get_by_role("link", name="terms").get_attribute("href") == "/terms/"
    signup.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"newsletter-article-end-{width}.png"))
    signup.screenshot(path=str(artifacts / f"newsletter-form-{width}.png"))
    url = page.url

    fill_in(page)
    signup.get_by_role("button", name="Sign up").click()

    status = signup.get_by_role("status")
    status.get_by_text(DONE).wait_for()
    assert page.url == url
    signup.screenshot(path=str(artifacts / f"newsletter-form-done-{width}.png"))
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING
    assert len(mail.outbox) == 1
    no_horizontal_scroll = page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    assert no_horizontal_scroll, "the page scrolls sideways"


def test_reader_without_javascript_gets_the_message_after_a_reload(open_article, story):
    page = open_article(javascript=False)

    fill_in(page)
    page.locator("#signup").get_by_role("button", name="Sign up").click()

    page.wait_for_url(f"**{story.get_absolute_url()}?signup=done#signup")
    assert page.locator("#signup").get_by_role("status").inner_text().strip() == DONE
    assert Subscriber.objects.get().email == "reader@example.com"


def test_keyboard_alone_can_sign_up(open_article):
    page = open_article()
    page.locator("#signup-email").focus()

    page.keyboard.type("keys@example.com")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # the "terms" link
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Sign up"
    page.keyboard.press("Enter")

    page.locator("#signup").get_by_role("status").get_by_text(DONE).wait_for()
    assert Subscriber.objects.filter(email="keys@example.com").exists()


def test_missing_tick_is_explained_next_to_the_box(open_article, artifacts):
    page = open_article(width=390)
    signup = page.locator("#signup")
    signup.get_by_label("Email address").fill("reader@example.com")

    signup.get_by_role("button", name="Sign up").click()

    error = signup.locator("#signup-agree-error")
    error.wait_for()
    assert error.inner_text() == "Tick the box to agree to the terms before signing up."
    checkbox = signup.get_by_label("By submitting this form, I agree to the terms.")
    assert checkbox.get_attribute("aria-invalid") == "true"
    # Announced: the live region speaks, and the box, now focused, is described by the error.
    assert signup.get_by_role("status").inner_text().strip() == "Please correct the problem below."
    assert page.evaluate("document.activeElement.id") == "signup-agree"
    expect(checkbox).to_have_accessible_description(
        "Tick the box to agree to the terms before signing up."
    )
    signup.screenshot(path=str(artifacts / "newsletter-form-error-390.png"))
    assert not Subscriber.objects.exists()


def test_without_javascript_errors_come_back_with_the_email_kept(open_article, artifacts, story):
    page = open_article(width=390, javascript=False)
    page.locator("#signup").get_by_label("Email address").fill("reader@example")

    page.locator("#signup").get_by_role("button", name="Sign up").click()

    page.wait_for_url("**/newsletter/")
    assert page.title().startswith("Error: ")
    signup = page.locator("#signup")
    assert signup.get_by_label("Email address").input_value() == "reader@example"
    assert "Enter a valid email address" in signup.locator("#signup-email-error").inner_text()
    assert "Tick the box" in signup.locator("#signup-agree-error").inner_text()
    page.screenshot(path=str(artifacts / "newsletter-page-errors-390.png"), full_page=True)

    signup.get_by_label("Email address").fill("reader@example.com")
    signup.get_by_label("By submitting this form, I agree to the terms.").check()
    signup.get_by_role("button", name="Sign up").click()

    page.wait_for_url(f"**{story.get_absolute_url()}?signup=done#signup")
    assert page.locator("#signup").get_by_role("status").inner_text().strip() == DONE
