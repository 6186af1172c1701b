"""Slugs: made from the headline, unique, editable; a published article's old URL lives on."""

import pytest
from django.urls import reverse

from articles.models import Article, ArticleSlugRedirect
from tests.factories import change_form_data, make_article, make_editor

pytestmark = pytest.mark.django_db


def test_a_blank_slug_is_made_from_the_headline_and_kept_unique():
    first = make_article("Council approves bridge", slug="")
    second = make_article("Council approves bridge", slug="")

    assert first.slug == "council-approves-bridge"
    assert second.slug == "council-approves-bridge-2"


def test_a_new_slug_does_not_take_an_old_address_that_still_redirects():
    article = make_article("Storm warning")
    article.slug = "storm-warning-update"
    article.save()
    ArticleSlugRedirect.objects.update_or_create(
        old_slug="storm-warning", defaults={"article": article}
    )

    assert make_article("Storm warning", slug="").slug == "storm-warning-2"


def test_changing_a_published_articles_slug_answers_301_from_the_old_url(client):
    article = make_article(slug="old-slug")
    article.slug = "new-slug"
    article.save()

    response = client.get("/articles/old-slug/")

    assert response.status_code == 301
    assert response["Location"] == "/articles/new-slug/"
    assert client.get("/articles/new-slug/").status_code == 200


def test_a_chain_of_slug_changes_all_lead_to_the_current_url(client):
    article = make_article(slug="a")
    for slug in ["b", "c"]:
        article.slug = slug
        article.save()

    assert client.get("/articles/a/")["Location"] == "/articles/c/"
    assert client.get("/articles/b/")["Location"] == "/articles/c/"


def test_a_draft_slug_change_leaves_no_redirect():
    article = make_article(slug="draft-slug", status=Article.Status.DRAFT)
    article.slug = "better-slug"
    article.save()

    assert not ArticleSlugRedirect.objects.exists()


def test_a_new_article_may_take_an_old_slug_and_wins(client):
    moved = make_article(slug="taken")
    moved.slug = "moved"
    moved.save()

    newcomer = make_article(slug="taken")

    assert not ArticleSlugRedirect.objects.filter(old_slug="taken").exists()
    response = client.get("/articles/taken/")
    assert response.status_code == 200
    assert response.context["article"] == newcomer


def test_an_old_url_of_an_unpublished_article_is_404(client):
    article = make_article(slug="was-live")
    article.slug = "now-hidden"
    article.status = Article.Status.DRAFT
    article.save()

    assert client.get("/articles/was-live/").status_code == 404


def test_changing_the_slug_in_the_admin_records_the_redirect(client):
    client.force_login(make_editor())
    article = make_article(slug="first-slug")
    url = reverse("admin:articles_article_change", args=[article.pk])

    client.post(url, change_form_data(client.get(url), slug="second-slug"))

    assert ArticleSlugRedirect.objects.get().old_slug == "first-slug"
    assert client.get("/articles/first-slug/")["Location"] == "/articles/second-slug/"


def test_the_admin_refuses_a_slug_that_still_redirects_to_another_article(client):
    client.force_login(make_editor())
    moved = make_article(slug="taken")
    moved.slug = "moved"
    moved.save()
    newcomer = make_article(slug="newcomer")
    url = reverse("admin:articles_article_change", args=[newcomer.pk])

    response = client.post(url, change_form_data(client.get(url), slug="taken"))

    assert response.status_code == 200
    assert "still redirects there" in str(response.context["adminform"].form.errors["slug"])
    assert client.get("/articles/taken/").url == "/articles/moved/"


def test_a_slug_taken_by_another_article_gets_a_message_a_reporter_understands(client):
    client.force_login(make_editor())
    make_article(slug="budget-passes")
    article = make_article(slug="budget-passes-again")
    url = reverse("admin:articles_article_change", args=[article.pk])

    response = client.post(url, change_form_data(client.get(url), slug="budget-passes"))

    assert response.status_code == 200
    assert "Another article already uses this slug" in str(
        response.context["adminform"].form.errors["slug"]
    )
