"""Every custom admin URL of the articles app, tried by everyone who should not get through.

The buttons are only a convenience: each URL checks who is asking, for which article, in
which status, and with which method, on its own.
"""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import revisions, sharing, workflow
from articles.models import Article, ArticleEvent, Revision, ShareLink
from tests.factories import make_article, make_editor, make_image, make_reporter, make_user

pytestmark = pytest.mark.django_db

Status = Article.Status


@pytest.fixture
def world():
    """A reporter's own draft and review article, someone else's draft, and their links."""
    reporter = make_reporter("rita")
    editor = make_editor("edna")
    other = make_article(headline="Someone else's scoop", status=Status.DRAFT)
    draft = make_article(status=Status.DRAFT, authors=[reporter.author], created_by=reporter)
    review = make_article(status=Status.REVIEW, authors=[reporter.author], created_by=reporter)
    for article in (other, draft, review):
        revisions.record_revision(article, author=editor)
    link, _ = sharing.create_share_link(other, by=editor, days=3)
    return {
        "reporter": reporter,
        "editor": editor,
        "other": other,
        "draft": draft,
        "review": review,
        "link": link,
    }


def urls_for(article: Article, link: ShareLink | None = None) -> dict[str, tuple[str, str]]:
    """Each custom admin URL of an article with the method it expects."""
    revision = Revision.objects.filter(article=article).first()
    pk = article.pk
    urls = {
        "preview": ("get", reverse("admin:articles_article_preview", args=[pk])),
        "revisions": ("get", reverse("admin:articles_article_revisions", args=[pk])),
        "revision": (
            "get",
            reverse("admin:articles_article_revision", args=[pk, revision.pk]),
        ),
        "compare": (
            "get",
            reverse("admin:articles_article_revision_compare", args=[pk])
            + f"?from={revision.pk}&to={revision.pk}",
        ),
        "restore": (
            "post",
            reverse("admin:articles_article_revision_restore", args=[pk, revision.pk]),
        ),
        "presence": ("post", reverse("admin:articles_article_presence", args=[pk])),
        "share": ("post", reverse("admin:articles_article_share", args=[pk])),
        "change": ("get", reverse("admin:articles_article_change", args=[pk])),
        "history": ("get", reverse("admin:articles_article_history", args=[pk])),
        "delete": ("post", reverse("admin:articles_article_delete", args=[pk])),
    }
    for name in workflow.TRANSITIONS:
        urls[f"transition:{name}"] = (
            "post",
            reverse("admin:articles_article_transition", args=[pk, name]),
        )
    if link is not None:
        urls["revoke"] = (
            "post",
            reverse("admin:articles_article_revoke_share", args=[pk, link.pk]),
        )
    return urls


def post_data(article: Article) -> dict:
    return {
        "version": article.version,
        "expected_version": article.version,
        "days": "3",
        "comment": "Tighten the intro.",
        "date": (timezone.localdate() + datetime.timedelta(days=2)).isoformat(),
        "time": "09:00",
        "post": "yes",
    }


def fingerprint(article: Article) -> tuple:
    article.refresh_from_db()
    return (
        article.status,
        article.version,
        article.headline,
        ArticleEvent.objects.filter(article=article).count(),
        ShareLink.objects.filter(article=article).count(),
        ShareLink.objects.filter(article=article, revoked_at__isnull=False).count(),
    )


def request(client: Client, method: str, url: str, article: Article):
    if method == "get":
        return client.get(url)
    return client.post(url, post_data(article))


def view_names() -> list[str]:
    return [
        "preview",
        "revisions",
        "revision",
        "compare",
        "restore",
        "presence",
        "share",
        "change",
        "history",
        "delete",
        "revoke",
        *(f"transition:{name}" for name in workflow.TRANSITIONS),
    ]


@pytest.mark.parametrize("view", view_names())
def test_anonymous_is_sent_to_the_login_page_and_changes_nothing(client, world, view):
    article = world["other"]
    method, url = urls_for(article, world["link"])[view]
    before = fingerprint(article)

    response = request(client, method, url, article)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert fingerprint(article) == before


@pytest.mark.parametrize("view", view_names())
def test_staff_without_a_role_gets_nothing(client, world, view):
    client.force_login(make_user("intern"))
    article = world["other"]
    method, url = urls_for(article, world["link"])[view]
    before = fingerprint(article)

    response = request(client, method, url, article)

    assert refused(response)
    assert fingerprint(article) == before


@pytest.mark.parametrize("view", view_names())
def test_reporter_gets_nothing_on_someone_elses_article(client, world, view):
    client.force_login(world["reporter"])
    article = world["other"]
    method, url = urls_for(article, world["link"])[view]
    before = fingerprint(article)

    response = request(client, method, url, article)

    assert refused(response)
    assert headline_absent(response, article)
    assert fingerprint(article) == before


def refused(response) -> bool:
    """403, 404, or Django's "no such object" bounce to the admin index (history view)."""
    if response.status_code == 302:
        return response["Location"] == reverse("admin:index")
    return response.status_code in (403, 404)


def headline_absent(response, article: Article) -> bool:
    if getattr(response, "streaming", False):
        return True
    return article.headline.encode() not in response.content


# A reporter's own article once it is submitted: they may look, and leave a presence mark,
# but nothing that changes the article, its workflow or its share links.
REVIEW_READ_ONLY_ALLOWED = {"preview", "revisions", "revision", "compare", "change", "history"}


@pytest.mark.parametrize(
    "view",
    [v for v in view_names() if v not in REVIEW_READ_ONLY_ALLOWED | {"presence", "revoke"}],
)
def test_reporter_cannot_change_own_article_in_review_by_any_url(client, world, view):
    client.force_login(world["reporter"])
    article = world["review"]
    method, url = urls_for(article)[view]
    before = fingerprint(article)

    response = request(client, method, url, article)

    # A refused transition from the wrong state comes back as a message on the change form.
    assert response.status_code in (302, 403, 404)
    if response.status_code == 302:
        assert response["Location"] == reverse("admin:articles_article_change", args=[article.pk])
    assert fingerprint(article) == before


@pytest.mark.parametrize("view", sorted(REVIEW_READ_ONLY_ALLOWED))
def test_reporter_may_read_own_article_in_review(client, world, view):
    client.force_login(world["reporter"])
    article = world["review"]
    method, url = urls_for(article)[view]

    response = request(client, method, url, article)
    if view == "history":  # Django's history page leads to the article's one timeline
        response = client.get(response.url)
    assert response.status_code == 200


@pytest.mark.parametrize("status", [Status.REVIEW, Status.PUBLISHED])
def test_reporter_cannot_publish_or_unpublish_own_article(client, world, status):
    reporter = world["reporter"]
    client.force_login(reporter)
    article = make_article(status=status, authors=[reporter.author], created_by=reporter)
    before = fingerprint(article)

    for name in ("publish", "unpublish", "schedule", "unschedule", "request_changes"):
        response = client.post(
            reverse("admin:articles_article_transition", args=[article.pk, name]),
            post_data(article),
        )
        assert response.status_code == 403, name
    assert fingerprint(article) == before


POST_ONLY = ["restore", "presence", "share", "revoke"] + [
    f"transition:{name}" for name in workflow.TRANSITIONS
]


@pytest.mark.parametrize("view", POST_ONLY)
def test_post_only_urls_refuse_get(client, world, view):
    client.force_login(world["editor"])
    article = world["other"]
    method, url = urls_for(article, world["link"])[view]
    before = fingerprint(article)

    response = client.get(url)

    assert response.status_code == 405
    assert fingerprint(article) == before


@pytest.mark.parametrize("view", ["restore", "presence", "share", "revoke", "transition:publish"])
def test_state_changing_admin_urls_need_the_csrf_token(world, view):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world["editor"])
    article = world["other"]
    method, url = urls_for(article, world["link"])[view]
    before = fingerprint(article)

    response = strict.post(url, post_data(article))

    assert response.status_code == 403
    assert fingerprint(article) == before


def test_editor_can_use_every_action(client, world):
    client.force_login(world["editor"])
    article = world["other"]

    response = client.post(
        reverse("admin:articles_article_transition", args=[article.pk, "publish"]),
        post_data(article),
    )

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Status.PUBLISHED


# --- images: a reporter's image rights must not reach what readers already see -----------


def test_reporter_cannot_change_the_hero_image_of_a_live_article(client, world):
    image = make_image(alt_text="Mayor at the podium", caption="The mayor speaks.")
    make_article(status=Status.PUBLISHED, hero_image=image)
    client.force_login(world["reporter"])
    url = reverse("admin:articles_image_change", args=[image.pk])

    response = client.post(
        url,
        {"alt_text": "Defaced", "caption": "Defaced caption", "credit": "x"},
    )

    image.refresh_from_db()
    assert response.status_code == 403
    assert (image.alt_text, image.caption) == ("Mayor at the podium", "The mayor speaks.")


def test_reporter_still_edits_an_image_only_their_drafts_use(client, world):
    reporter = world["reporter"]
    image = make_image(alt_text="Old alt")
    world["draft"].hero_image = image
    world["draft"].save()
    client.force_login(reporter)

    response = client.post(
        reverse("admin:articles_image_change", args=[image.pk]),
        {"alt_text": "Better alt", "caption": "", "credit": ""},
    )

    image.refresh_from_db()
    assert response.status_code == 302
    assert image.alt_text == "Better alt"


def test_editor_changes_the_hero_image_of_a_live_article(client, world):
    image = make_image(alt_text="Mayor at the podium")
    make_article(status=Status.PUBLISHED, hero_image=image)
    client.force_login(world["editor"])

    response = client.post(
        reverse("admin:articles_image_change", args=[image.pk]),
        {"alt_text": "The mayor at the podium", "caption": "", "credit": ""},
    )

    image.refresh_from_db()
    assert response.status_code == 302
    assert image.alt_text == "The mayor at the podium"


# --- the dashboard -----------------------------------------------------------------------


def test_dashboard_shows_a_reporter_nothing_of_other_peoples_articles(client, world):
    client.force_login(world["reporter"])

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert b"Someone else&#x27;s scoop" not in response.content
    assert b"Someone else's scoop" not in response.content


def test_dashboard_is_absent_for_staff_without_a_role(client, world):
    client.force_login(make_user("intern"))

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert b'class="dashboard"' not in response.content
    assert b"scoop" not in response.content


def test_admin_autocomplete_lists_a_reporter_only_their_own_articles(client, world):
    client.force_login(world["reporter"])

    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "articles", "model_name": "byline", "field_name": "article", "term": ""},
    )

    if response.status_code == 200:
        ids = {int(result["id"]) for result in response.json()["results"]}
        assert world["other"].pk not in ids
    else:
        assert response.status_code in (403, 404)
    assert b"scoop" not in response.content
