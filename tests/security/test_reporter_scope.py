"""A reporter sees in the admin only what they may edit or what is already live: not other
people's unpublished headlines, photos or tags, by any door."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article, Image
from tests.factories import make_article, make_editor, make_image, make_reporter

pytestmark = pytest.mark.django_db

Status = Article.Status


@pytest.fixture
def world():
    reporter = make_reporter("rita")
    secret_photo = make_image(alt_text="Ocelot in the minister's garden", caption="Pangolin")
    scoop = make_article(
        "Minister to resign",
        slug="minister-to-resign",
        status=Status.DRAFT,
        hero_image=secret_photo,
        tags=["Zanzibar merger"],
    )
    live_photo = make_image(alt_text="Harbour at dawn")
    live = make_article("Harbour reopens", hero_image=live_photo, tags=["Harbour"])
    own_photo = make_image(alt_text="Rita's market photo")
    own = make_article(
        status=Status.DRAFT,
        authors=[reporter.author],
        created_by=reporter,
        hero_image=own_photo,
        tags=["Market day"],
    )
    return {
        "reporter": reporter,
        "scoop": scoop,
        "live": live,
        "own": own,
        "secret_photo": secret_photo,
        "live_photo": live_photo,
        "own_photo": own_photo,
    }


def shortcut(obj) -> str:
    return f"/admin/r/{ContentType.objects.get_for_model(obj).pk}/{obj.pk}/"


def test_view_on_site_shortcut_refuses_someone_elses_unpublished_article(client, world):
    client.force_login(world["reporter"])

    response = client.get(shortcut(world["scoop"]))

    assert response.status_code == 404
    assert "minister-to-resign" not in response.get("Location", "")


def test_view_on_site_shortcut_refuses_even_an_editor_an_unpublished_article(client, world):
    client.force_login(make_editor())
    assert client.get(shortcut(world["scoop"])).status_code == 404


def test_view_on_site_shortcut_still_leads_to_a_live_article(client, world):
    client.force_login(world["reporter"])

    response = client.get(shortcut(world["live"]))

    assert response.status_code == 302
    assert response["Location"].endswith(world["live"].get_absolute_url())


def test_view_on_site_shortcut_with_a_huge_id_is_not_found(client, world):
    client.force_login(world["reporter"])
    content_type = ContentType.objects.get_for_model(Article).pk
    assert client.get(f"/admin/r/{content_type}/{'9' * 24}/").status_code == 404


def test_image_list_hides_photos_of_other_peoples_unpublished_articles(client, world):
    client.force_login(world["reporter"])

    page = client.get("/admin/articles/image/").content.decode()

    assert "Ocelot" not in page
    assert "Harbour at dawn" in page and "Rita&#x27;s market photo" in page
    secret = world["secret_photo"]
    assert client.get(f"/admin/articles/image/{secret.pk}/change/").status_code == 302


def test_hero_image_autocomplete_hides_photos_of_other_peoples_unpublished_articles(client, world):
    client.force_login(world["reporter"])
    fresh = make_image(alt_text="Just uploaded")

    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "articles", "model_name": "article", "field_name": "hero_image", "term": ""},
    )

    ids = {int(result["id"]) for result in response.json()["results"]}
    assert world["secret_photo"].pk not in ids
    assert {world["live_photo"].pk, world["own_photo"].pk, fresh.pk} <= ids


def test_tag_list_and_autocomplete_hide_tags_only_other_peoples_drafts_use(client, world):
    client.force_login(world["reporter"])

    page = client.get("/admin/taggit/tag/").content.decode()
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "articles", "model_name": "article", "field_name": "tags", "term": ""},
    )

    assert "Zanzibar" not in page and "Zanzibar" not in response.content.decode()
    assert "Harbour" in page and "Market day" in page
    names = {result["text"] for result in response.json()["results"]}
    assert {"Harbour", "Market day"} <= names


def test_article_list_tag_filter_hides_tags_only_other_peoples_drafts_use(client, world):
    client.force_login(world["reporter"])

    page = client.get("/admin/articles/article/").content.decode()

    assert "Zanzibar" not in page
    assert "Harbour" in page and "Market day" in page


def test_article_list_tag_filter_offers_an_editor_every_tag(client, world):
    client.force_login(make_editor())

    page = client.get("/admin/articles/article/").content.decode()

    assert "Zanzibar merger" in page


def preview_posting(world, **fields) -> dict:
    return {
        "headline": "Market reopens",
        "body": "<p>Stalls are back.</p>",
        "section": world["own"].section_id,
        "hero_image": world["secret_photo"].pk,
        "tags": [str(Tag.objects.get(name="Zanzibar merger").pk)],
        **fields,
    }


def test_unsaved_preview_refuses_other_peoples_unpublished_photo_and_tag(client, world):
    client.force_login(world["reporter"])
    url = reverse("admin:articles_article_preview_unsaved", args=[world["own"].pk])

    page = client.post(url, preview_posting(world)).content.decode()

    assert "Ocelot" not in page and "Pangolin" not in page and "Zanzibar" not in page


def test_reporter_cannot_save_other_peoples_unpublished_photo_or_tag(client, world):
    client.force_login(world["reporter"])
    own = world["own"]
    posting = preview_posting(world, slug=own.slug, expected_version=own.version)
    posting.update({"bylines-TOTAL_FORMS": "0", "bylines-INITIAL_FORMS": "0"})

    response = client.post(f"/admin/articles/article/{own.pk}/change/", posting)

    assert response.status_code == 200  # the form again, with errors
    assert {"hero_image", "tags"} <= set(response.context["adminform"].form.errors)
    own.refresh_from_db()
    assert own.hero_image == world["own_photo"]
    assert list(own.tags.names()) == ["Market day"]


def test_unsaved_preview_shows_an_editor_any_photo_and_tag(client, world):
    client.force_login(make_editor())
    url = reverse("admin:articles_article_preview_unsaved", args=[world["own"].pk])

    page = client.post(url, preview_posting(world)).content.decode()

    assert "Ocelot" in page and "Zanzibar merger" in page


def test_editor_sees_every_image_and_tag(client, world):
    client.force_login(make_editor())
    assert "Ocelot" in client.get("/admin/articles/image/").content.decode()
    assert "Zanzibar" in client.get("/admin/taggit/tag/").content.decode()
    assert Image.objects.count() == 3
