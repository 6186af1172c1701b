"""Issue 17: tags as editors expect — commas separate, spaces never; letter case makes no new
tag; a merge combines duplicates and redirects the old tag page."""

import pytest
from django.urls import reverse
from taggit.models import Tag

from articles import tags
from articles.models import Article
from tests.factories import change_form_data, make_article

pytestmark = pytest.mark.django_db


def test_commas_separate_tags_and_spaces_never_do():
    assert tags.parse_tag_names("Flood defences") == ["Flood defences"]
    assert tags.parse_tag_names(" Hong  Kong, flood defences,,") == ["Hong Kong", "flood defences"]


def test_a_repeated_name_in_another_case_is_one_tag():
    assert tags.parse_tag_names("Hong Kong, hong kong") == ["Hong Kong"]


def save_with(client, article, **overrides):
    url = reverse("admin:articles_article_change", args=[article.pk])
    return client.post(url, change_form_data(client.get(url), **overrides))


def test_new_tags_box_keeps_multi_word_tags_whole(editor_client):
    article = make_article(status=Article.Status.DRAFT)
    save_with(editor_client, article, new_tags="Flood defences")
    assert list(article.tags.names()) == ["Flood defences"]
    assert not Tag.objects.filter(name__in=["Flood", "defences"]).exists()


def test_a_new_tag_typed_in_the_picker_is_created_by_name(editor_client):
    article = make_article(status=Article.Status.DRAFT)
    save_with(editor_client, article, tags=["new:Flood defences"])
    assert list(article.tags.names()) == ["Flood defences"]


def test_a_picker_name_in_another_case_reuses_the_existing_tag(editor_client):
    existing = Tag.objects.create(name="Hong Kong", slug="hong-kong")
    article = make_article(status=Article.Status.DRAFT)
    save_with(editor_client, article, tags=["new:hong kong"], new_tags="HONG KONG")
    assert list(article.tags.all()) == [existing]
    assert Tag.objects.count() == 1


def test_a_form_with_a_new_picker_tag_comes_back_with_it_still_chosen(editor_client):
    article = make_article(status=Article.Status.DRAFT)
    response = save_with(editor_client, article, headline="", tags=["new:Flood defences"])
    assert response.status_code == 200
    assert 'value="new:Flood defences" selected' in response.content.decode()


def test_merging_tags_moves_articles_and_redirects_the_old_page(editor_client):
    kept = make_article(tags=["Flood defences"])
    both = make_article(tags=["Flood defences", "flood defence"])
    moved = make_article(tags=["flood defence"])
    keep = Tag.objects.get(name="Flood defences")
    old = Tag.objects.get(name="flood defence")
    response = editor_client.post(
        reverse("admin:taggit_tag_changelist"),
        {
            "action": "merge_selected",
            "_selected_action": [keep.pk, old.pk],
            "keep": keep.pk,
            "apply": "1",
        },
    )
    assert response.status_code == 302
    for article in (kept, both, moved):
        assert list(article.tags.names()) == ["Flood defences"]
    assert not Tag.objects.filter(pk=old.pk).exists()
    page = editor_client.get(reverse("articles:tag", kwargs={"slug": old.slug}))
    assert page.status_code == 301
    assert page["Location"] == reverse("articles:tag", kwargs={"slug": keep.slug})


def test_merge_asks_which_tag_to_keep_first(editor_client):
    a, b = (
        Tag.objects.create(name="Energy", slug="energy"),
        Tag.objects.create(name="energy ", slug="energy-2"),
    )
    response = editor_client.post(
        reverse("admin:taggit_tag_changelist"),
        {"action": "merge_selected", "_selected_action": [a.pk, b.pk]},
    )
    assert response.status_code == 200
    assert "Keep which tag?" in response.content.decode()
    assert Tag.objects.count() == 2


def test_reporters_cannot_merge_tags(client):
    from tests.factories import make_reporter

    client.force_login(make_reporter("rita"))
    a = Tag.objects.create(name="Energy", slug="energy")
    b = Tag.objects.create(name="Power", slug="power")
    client.post(
        reverse("admin:taggit_tag_changelist"),
        {"action": "merge_selected", "_selected_action": [a.pk, b.pk], "keep": a.pk, "apply": "1"},
    )
    assert Tag.objects.count() == 2
