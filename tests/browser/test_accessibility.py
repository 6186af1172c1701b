"""axe-core over every kind of public page and the admin pages editors use.

One browser, one axe run per page; each test walks its pages and reports every failing page
at once, so one run shows the whole picture. What may be allowed is in a11y_allowlist.py.
"""

from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from articles import sharing
from articles.models import Article, Author
from articles.revisions import record_revision
from newsletter.models import Edition, EditionArticle, Newsletter, Subscriber, Terms
from tests.factories import (
    make_article,
    make_author,
    make_correction,
    make_editor,
    make_image,
    make_reporter,
    make_section,
    make_subscriber,
)

pytestmark = pytest.mark.django_db(transaction=True)

BODY = "".join(
    f"<p>Paragraph {n}: the council's engineers said the barrier would be tested again in the"
    " spring, after the river has fallen back to its usual level.</p>"
    for n in range(6)
)
QUOTE = (
    "<figure><blockquote><p>“We did not expect the water to rise this fast,” she said.</p>"
    "</blockquote><figcaption>Maria Lopes, harbour master</figcaption></figure>"
)


@pytest.fixture
def newsroom(settings):
    """A small newsroom: stories with and without a hero, one with a quotation and a
    correction, a reporter's draft and one in review, a sent edition and a subscriber."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Transactional tests flush what the data migrations made; put it back.
    Terms.objects.get_or_create(
        version="2025-1", defaults={"body": "The terms.", "published_at": timezone.now()}
    )
    import_module("newsletter.migrations.0004_default_newsletter").forwards(apps, None)
    import_module("newsletter.migrations.0007_newsletter_roles").create_group(apps, None)
    reporter = make_reporter("rita", first_name="Rita", last_name="Reyes")
    editor = make_editor("edna", first_name="Edna", last_name="Ekwueme")
    editor.groups.add(Group.objects.get(name="Newsletter manager"))
    news = make_section("News", position=1)
    make_section("Climate", position=2)
    author = make_author("Amara Okafor", bio="Amara covers the harbour and the river.")
    hero = make_image(width=1600, height=900, caption="The harbour at dawn.", credit="Jo Lee")
    for n in range(4):
        make_article(f"Harbour story {n}", section=news, authors=[author], tags=["Water"])
    with_hero = make_article(
        "Flood barrier holds as storm surge tops records",
        section=news,
        authors=[author],
        hero_image=hero,
        body=BODY,
        tags=["Water", "Weather"],
    )
    plain = make_article("Council delays vote on bus lanes", section=news, authors=[author])
    corrected = make_article(
        "Harbour master warns of higher tides",
        section=news,
        authors=[author],
        body=BODY + QUOTE,
        tags=["Water"],
    )
    make_correction(corrected, "An earlier version misspelt the harbour master&#x27;s name.")
    reporter_author = Author.objects.get(user=reporter)
    draft = make_article(
        "Tram depot plans go to consultation",
        status=Article.Status.DRAFT,
        section=news,
        authors=[reporter_author],
        created_by=reporter,
    )
    record_revision(draft, author=reporter)
    draft.standfirst = "Residents have six weeks to respond to the depot plans."
    draft.body = BODY
    draft.version += 1
    draft.save()
    record_revision(draft, author=reporter)
    in_review = make_article(
        "Ferry timetable cut for the winter",
        status=Article.Status.REVIEW,
        section=news,
        authors=[reporter_author],
        created_by=reporter,
    )
    _, share_token = sharing.create_share_link(draft, by=editor, days=3)
    daily = Newsletter.objects.get(slug="daily-briefing")
    edition = Edition.objects.create(
        newsletter=daily,
        subject="Morning briefing",
        intro="<p>Good morning. Here is the news.</p>",
        status=Edition.Status.SENT,
        started_at=timezone.now() - timedelta(hours=1),
    )
    for position, article in enumerate([with_hero, plain], start=1):
        EditionArticle.objects.create(edition=edition, article=article, position=position)
    draft_edition = Edition.objects.create(newsletter=daily, subject="Evening briefing")
    EditionArticle.objects.create(edition=draft_edition, article=corrected, position=1)
    subscriber = make_subscriber("reader@example.com", status=Subscriber.Status.CONFIRMED)
    return {
        "reporter": reporter,
        "editor": editor,
        "with_hero": with_hero,
        "plain": plain,
        "corrected": corrected,
        "draft": draft,
        "in_review": in_review,
        "share_token": share_token,
        "edition": edition,
        "draft_edition": draft_edition,
        "subscriber": subscriber,
        "author": author,
        "section": news,
    }


def audit_all(page, base_url: str, pages, audit, *, errors=False) -> dict[str, list[str]]:
    """Open each (name, path or callable) in turn and audit it; returns the failing pages.
    Unless `errors` (pages meant to answer 400 or 404), each must answer 200."""
    failures = {}
    for name, target in pages:
        if callable(target):
            target(page)
        else:
            response = page.goto(base_url + target)
            expected = response.status < 500 if errors else response.ok
            assert expected, f"{name}: {target} answered {response.status}"
        found = audit(page)
        if found:
            failures[f"{name} ({page.url.removeprefix(base_url)})"] = found
    return failures


def report(failures: dict[str, list[str]]) -> str:
    return "\n".join(
        f"{page}:\n" + "\n".join(f"  - {line}" for line in lines)
        for page, lines in failures.items()
    )


def test_public_pages_have_no_accessibility_violations(
    browser, live_server, newsroom, audit, settings
):
    n = newsroom
    subscriber = n["subscriber"]
    edition = n["edition"]

    def signup_with_errors(page):
        page.goto(live_server.url + "/newsletter/")
        form = page.locator("main form").first
        form.locator("input[type=email]").fill("not an address")
        form.locator("input[type=email]").evaluate("input => input.type = 'text'")
        form.locator("[type=submit]").click()
        page.wait_for_selector("#signup-email-error:not([hidden])")

    def submit_without_script(email):
        # form.submit() fires no submit event: the page posts as it does with JavaScript off.
        def run(page):
            page.goto(live_server.url + "/newsletter/")
            form = page.locator("main form").first
            form.locator("input[type=email]").fill(email)
            form.locator("input[type=checkbox]").check()
            with page.expect_navigation():
                form.evaluate("form => form.submit()")

        return run

    def rate_limited(page):
        settings.NEWSLETTER_RATE_LIMIT_PER_CLIENT = 0
        submit_without_script("new.reader@example.com")(page)

    pages = [
        ("home", "/"),
        ("article with a hero", n["with_hero"].get_absolute_url()),
        ("article without a hero", n["plain"].get_absolute_url()),
        ("article with a quotation and a correction", n["corrected"].get_absolute_url()),
        ("section", reverse("articles:section", args=[n["section"].slug])),
        ("tag", reverse("articles:tag", args=["water"])),
        ("author", reverse("articles:author", args=[n["author"].slug])),
        ("search with results", "/search/?q=harbour"),
        ("search without results", "/search/?q=zeppelin"),
        ("search with no query", "/search/"),
        ("newsletter signup", "/newsletter/"),
        ("newsletter signup with errors", signup_with_errors),
        ("newsletter signup with errors, no script", submit_without_script("not an address")),
        ("newsletter signup done, no script", submit_without_script("new.reader@example.com")),
        ("newsletter signup rate-limited", rate_limited),
        (
            "newsletter confirm",
            reverse("newsletter:confirm", args=[subscriber.confirmation_token()]),
        ),
        ("newsletter confirm, bad link", "/newsletter/confirm/not-a-token/"),
        ("newsletter manage", reverse("newsletter:manage", args=[subscriber.manage_token()])),
        (
            "newsletter unsubscribe",
            reverse("newsletter:unsubscribe", args=[subscriber.unsubscribe_token()]),
        ),
        ("newsletter unsubscribe, bad link", "/newsletter/unsubscribe/not-a-token/"),
        ("newsletter archive", reverse("newsletter:archive", args=[edition.newsletter.slug])),
        ("newsletter edition", edition.get_absolute_url()),
        ("terms", "/terms/"),
        ("privacy", "/privacy/"),
        ("404", "/no-such-page/"),
        ("share preview", reverse("articles:shared_preview", args=[n["share_token"]])),
        ("share preview, bad link", "/preview/not-a-token/"),
        ("admin sign-in", "/admin/login/"),
    ]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    failures = audit_all(context.new_page(), live_server.url, pages, audit, errors=True)
    context.close()

    assert not failures, "axe-core found violations:\n" + report(failures)


def test_reporter_admin_pages_have_no_accessibility_violations(
    signed_in, live_server, newsroom, audit
):
    draft = newsroom["draft"]
    revisions = list(draft.revisions.order_by("pk").values_list("pk", flat=True))
    article_admin = "/admin/articles/article/"
    pages = [
        ("dashboard", "/admin/"),
        ("article list", article_admin),
        ("add form", article_admin + "add/"),
        ("change form, own draft", f"{article_admin}{draft.pk}/change/"),
        ("change form, in review", f"{article_admin}{newsroom['in_review'].pk}/change/"),
        ("revision history", f"{article_admin}{draft.pk}/revisions/"),
        (
            "revision diff",
            f"{article_admin}{draft.pk}/revisions/compare/?from={revisions[0]}&to={revisions[1]}",
        ),
    ]
    failures = audit_all(signed_in(newsroom["reporter"]), live_server.url, pages, audit)

    assert not failures, "axe-core found violations:\n" + report(failures)


def test_editor_admin_pages_have_no_accessibility_violations(
    signed_in, live_server, newsroom, audit
):
    draft, in_review = newsroom["draft"], newsroom["in_review"]
    revisions = list(draft.revisions.order_by("pk").values_list("pk", flat=True))
    article_admin = "/admin/articles/article/"

    def bulk_action(action):
        def run(page):
            page.goto(live_server.url + article_admin)
            page.locator(f"input[name=_selected_action][value='{in_review.pk}']").check()
            page.select_option("select[name=action]", action)
            page.click("button[name=index]")
            page.wait_for_load_state()

        return run

    edition_admin = "/admin/newsletter/edition/"
    draft_edition = newsroom["draft_edition"]
    pages = [
        ("dashboard", "/admin/"),
        ("article list", article_admin),
        ("add form", article_admin + "add/"),
        ("change form, in review", f"{article_admin}{in_review.pk}/change/"),
        ("change form, published", f"{article_admin}{newsroom['corrected'].pk}/change/"),
        ("change form, draft with a share link", f"{article_admin}{draft.pk}/change/"),
        ("publish dialog", bulk_action("publish_selected")),
        ("schedule dialog", bulk_action("schedule_selected")),
        ("revision history", f"{article_admin}{draft.pk}/revisions/"),
        ("revision", f"{article_admin}{draft.pk}/revisions/{revisions[0]}/"),
        (
            "revision diff",
            f"{article_admin}{draft.pk}/revisions/compare/?from={revisions[0]}&to={revisions[1]}",
        ),
        ("article preview", f"{article_admin}{draft.pk}/preview/"),
        ("subscriber list", "/admin/newsletter/subscriber/"),
        ("subscriber", f"/admin/newsletter/subscriber/{newsroom['subscriber'].pk}/change/"),
        ("edition list", edition_admin),
        ("edition add form", edition_admin + "add/"),
        ("edition change form", f"{edition_admin}{draft_edition.pk}/change/"),
        ("sent edition", f"{edition_admin}{newsroom['edition'].pk}/change/"),
        ("edition email preview", f"{edition_admin}{draft_edition.pk}/preview/html/"),
    ]
    failures = audit_all(signed_in(newsroom["editor"]), live_server.url, pages, audit)

    assert not failures, "axe-core found violations:\n" + report(failures)
