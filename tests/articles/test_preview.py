"""Staff preview of drafts in the site's own template, and share links for outsiders."""

import datetime

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from articles import sharing, workflow
from articles.models import Article, ShareLink
from tests.factories import make_article, make_reporter

pytestmark = pytest.mark.django_db

Status = Article.Status


@pytest.fixture
def draft():
    return make_article(headline="Secret budget leak", status=Status.DRAFT, tags=["Budget"])


def preview_url(article) -> str:
    return reverse("admin:articles_article_preview", args=[article.pk])


def assert_private(response) -> None:
    assert response["X-Robots-Tag"].startswith("noindex")
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


# --- staff preview ---------------------------------------------------------------------------


def test_editor_previews_a_draft_in_the_article_template(client, editor, draft):
    client.force_login(editor)
    response = client.get(preview_url(draft))
    assert response.status_code == 200
    assert "articles/article_detail.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert "Secret budget leak" in page
    assert "Preview — not published" in page
    assert_private(response)


def test_preview_query_count_is_fixed(client, editor, draft, django_assert_max_num_queries):
    client.force_login(editor)
    with django_assert_max_num_queries(14):
        client.get(preview_url(draft))


def test_reporter_previews_own_draft(client):
    reporter = make_reporter("rita")
    article = make_article(status=Status.DRAFT, authors=[reporter.author])
    client.force_login(reporter)
    assert client.get(preview_url(article)).status_code == 200


def test_reporter_cannot_preview_someone_elses_draft(client, draft):
    client.force_login(make_reporter("rita"))
    response = client.get(preview_url(draft))
    assert response.status_code == 404
    assert "Secret budget leak" not in response.content.decode()


def test_anonymous_preview_redirects_to_login(client, draft):
    response = client.get(preview_url(draft))
    assert response.status_code == 302 and "/login/" in response.url


def test_public_article_page_still_hides_the_draft(client, draft):
    assert client.get(draft.get_absolute_url()).status_code == 404


# --- share links -----------------------------------------------------------------------------


def make_link(article, editor, days=3) -> str:
    _, token = sharing.create_share_link(article, by=editor, days=days)
    return reverse("articles:shared_preview", args=[token])


def test_editor_makes_a_share_link_from_the_change_form(client, editor, draft):
    client.force_login(editor)
    response = client.post(
        reverse("admin:articles_article_share", args=[draft.pk]), {"days": "5"}, follow=True
    )
    link = ShareLink.objects.get(article=draft)
    assert link.expires_at - link.created_at == datetime.timedelta(days=5)
    assert link.created_by == editor
    assert reverse("articles:shared_preview", args=[sharing.share_token(link)]) in (
        response.content.decode()
    )


@pytest.mark.parametrize("days", ["0", "31", "x"])
def test_share_link_days_must_be_between_1_and_30(client, editor, draft, days):
    client.force_login(editor)
    client.post(reverse("admin:articles_article_share", args=[draft.pk]), {"days": days})
    assert not ShareLink.objects.exists()


def test_reporter_cannot_make_a_share_link(client):
    reporter = make_reporter("rita")
    article = make_article(status=Status.DRAFT, authors=[reporter.author])
    client.force_login(reporter)
    response = client.post(reverse("admin:articles_article_share", args=[article.pk]), {"days": 3})
    assert response.status_code == 403
    assert not ShareLink.objects.exists()


def test_no_share_link_for_a_live_article(editor):
    article = make_article(status=Status.PUBLISHED)
    with pytest.raises(workflow.InvalidTransition, match="already public"):
        sharing.create_share_link(article, by=editor, days=3)


def test_share_link_shows_the_draft_to_anyone(client, editor, draft):
    response = client.get(make_link(draft, editor))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Secret budget leak" in page
    assert "Preview — not published" in page
    assert_private(response)


def test_tampered_share_link_is_refused(client, editor, draft):
    url = make_link(draft, editor)
    tampered = url[:-3] + ("a" if url[-3] != "a" else "b") + url[-2:]
    response = client.get(tampered)
    assert response.status_code == 404
    page = response.content.decode()
    assert "not valid" in page
    assert "Secret budget leak" not in page
    assert_private(response)


def test_forged_share_link_for_another_id_is_refused(client, editor, draft):
    make_link(draft, editor)
    forged = signing.dumps([ShareLink.objects.get().pk, "guessed-nonce"], salt="wrong")
    response = client.get(reverse("articles:shared_preview", args=[forged]))
    assert response.status_code == 404
    assert "Secret budget leak" not in response.content.decode()


def test_share_link_with_a_wrong_nonce_is_refused(client, editor, draft):
    make_link(draft, editor)
    link = ShareLink.objects.get()
    forged = signing.Signer(salt=sharing.SHARE_SALT).sign_object([link.pk, "guessed"])
    response = client.get(reverse("articles:shared_preview", args=[forged]))
    assert response.status_code == 404


def test_expired_share_link_is_gone(client, editor, draft, clock):
    url = make_link(draft, editor, days=2)
    clock.shift(datetime.timedelta(days=2, seconds=1))
    response = client.get(url)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert "Secret budget leak" not in response.content.decode()


def test_share_link_works_until_its_last_second(client, editor, draft, clock):
    url = make_link(draft, editor, days=2)
    clock.shift(datetime.timedelta(days=2, seconds=-1))
    assert client.get(url).status_code == 200


def test_revoked_share_link_is_gone(client, editor, draft):
    url = make_link(draft, editor)
    link = ShareLink.objects.get()
    client.force_login(editor)
    client.post(reverse("admin:articles_article_revoke_share", args=[draft.pk, link.pk]))
    client.logout()
    assert ShareLink.objects.get().revoked_at is not None
    response = client.get(url)
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()
    assert "Secret budget leak" not in response.content.decode()


def test_reporter_cannot_revoke_a_share_link(client, editor):
    reporter = make_reporter("rita")
    article = make_article(status=Status.DRAFT, authors=[reporter.author])
    make_link(article, editor)
    link = ShareLink.objects.get()
    client.force_login(reporter)
    response = client.post(
        reverse("admin:articles_article_revoke_share", args=[article.pk, link.pk])
    )
    assert response.status_code == 403
    assert ShareLink.objects.get().revoked_at is None


def test_share_link_of_a_published_article_goes_to_the_public_page(client, editor, draft):
    url = make_link(draft, editor)
    workflow.publish(draft, by=editor)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == draft.get_absolute_url()


def test_change_form_lists_share_links_for_editors(client, editor, draft):
    make_link(draft, editor)
    link = ShareLink.objects.get()
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_change", args=[draft.pk])).content.decode()
    assert sharing.share_token(link) in page
    assert reverse("admin:articles_article_revoke_share", args=[draft.pk, link.pk]) in page


def test_share_link_expiry_is_checked_in_the_database_not_only_the_signature(editor, draft):
    make_link(draft, editor)
    link = ShareLink.objects.get()
    ShareLink.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(sharing.ShareLinkGone):
        sharing.resolve_share_token(sharing.share_token(link))
