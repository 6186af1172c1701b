"""Every public page and the article editor load under the Content-Security-Policy without
the browser refusing anything: no inline script or style on public pages, scripts only from
our origin, and the admin's relaxations enough for the editor."""

import pytest
from django.urls import reverse

from articles.models import Article
from newsletter.models import Terms
from tests.factories import (
    make_article,
    make_author,
    make_editor,
    make_image,
    make_section,
    make_subscriber,
)

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"
# The body editor's editable area (its toolbar has another .ProseMirror element, hidden).
EDITOR = ".prose-editor [contenteditable=true]"


@pytest.fixture
def site():
    from django.utils import timezone

    Terms.objects.get_or_create(
        version="csp-1", defaults={"body": "Terms.", "published_at": timezone.now()}
    )
    section = make_section("News")
    author = make_author("Amara Okafor")
    story = make_article(
        "Harbour reopens after the storm",
        section=section,
        authors=[author],
        hero_image=make_image(caption="The harbour.", credit="Jo Lee"),
        tags=["Harbour"],
        body="<p>The harbour reopened.</p><figure><blockquote><p>“Good.”</p></blockquote>"
        "<figcaption>A sailor</figcaption></figure>",
    )
    draft = make_article("Draft story", status=Article.Status.DRAFT, section=section)
    subscriber = make_subscriber("reader@example.com")
    return {"story": story, "draft": draft, "subscriber": subscriber}


def watch_for_violations(page) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return violations


def test_public_pages_load_without_a_csp_violation(browser, live_server, site):
    story = site["story"]
    subscriber = site["subscriber"]
    urls = [
        "/",
        story.get_absolute_url(),
        "/section/news/",
        "/tag/harbour/",
        "/author/amara-okafor/",
        "/search/?q=harbour",
        "/newsletter/",
        "/terms/",
        "/privacy/",
        reverse("newsletter:confirm", args=[subscriber.confirmation_token()]),
        reverse("newsletter:unsubscribe", args=[subscriber.unsubscribe_token()]),
        "/no-such-page/",
    ]
    page = browser.new_page()
    violations = watch_for_violations(page)

    for url in urls:
        response = page.goto(live_server.url + url)
        assert "script-src 'self'" in response.headers["content-security-policy"], url
        assert "unsafe-inline" not in response.headers["content-security-policy"], url
        page.wait_for_load_state("networkidle")

    # The signup form's script still works under the policy: it submits in place.
    page.goto(live_server.url + story.get_absolute_url())
    page.fill("#signup-email", "new-reader@example.com")
    page.check("#signup-agree")
    page.click(".signup__button")
    page.wait_for_selector(".signup__done")
    assert violations == []
    page.close()


def test_the_article_editor_loads_without_a_csp_violation(browser, live_server, site):
    make_editor("edna")
    page = browser.new_page()
    violations = watch_for_violations(page)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "edna")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")

    for url in [
        f"/admin/articles/article/{site['draft'].pk}/change/",
        "/admin/articles/article/add/",
        "/admin/articles/article/",
        "/admin/articles/image/",
    ]:
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
    assert violations == []

    page.goto(f"{live_server.url}/admin/articles/article/{site['draft'].pk}/change/")
    page.click(EDITOR)
    page.keyboard.type(" More words.")
    assert "More words." in page.locator(EDITOR).inner_text()
    assert violations == []
    page.close()
