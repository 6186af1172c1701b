"""Tags in the article admin: autocomplete for existing tags, a field for new ones."""

import pytest
from django.urls import reverse
from taggit.models import Tag

from tests.factories import change_form_data, make_article, make_editor, make_reporter

pytestmark = pytest.mark.django_db


def autocomplete(client, term: str):
    return client.get(
        reverse("admin:autocomplete"),
        {"term": term, "app_label": "articles", "model_name": "article", "field_name": "tags"},
    )


@pytest.mark.parametrize("make_staff", [make_editor, make_reporter])
def test_staff_find_existing_tags_by_autocomplete(client, make_staff, django_user_model):
    Tag.objects.create(name="Elections", slug="elections")
    Tag.objects.create(name="Energy", slug="energy")
    client.force_login(make_staff())

    response = autocomplete(client, "elec")

    assert response.status_code == 200
    assert [item["text"] for item in response.json()["results"]] == ["Elections"]


def test_anonymous_cannot_use_tag_autocomplete(client):
    assert autocomplete(client, "e").status_code == 302


def test_editor_saves_chosen_and_new_tags(client):
    editor = make_editor()
    client.force_login(editor)
    elections = Tag.objects.create(name="Elections", slug="elections")
    Tag.objects.create(name="Water", slug="water")
    article = make_article(tags=["Housing"])
    url = reverse("admin:articles_article_change", args=[article.pk])

    data = change_form_data(client.get(url), tags=[elections.pk], new_tags="Recounts, water")
    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert sorted(article.tags.names()) == ["Elections", "Recounts", "Water"]
    assert Tag.objects.filter(name__iexact="water").count() == 1  # reused, not duplicated


def test_unknown_tag_id_is_a_form_error_not_a_crash(client):
    client.force_login(make_editor())
    article = make_article()
    url = reverse("admin:articles_article_change", args=[article.pk])

    response = client.post(url, change_form_data(client.get(url), tags=[999999]))

    assert response.status_code == 200
    assert "tags" in response.context["adminform"].form.errors
