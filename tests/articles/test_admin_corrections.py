"""The change form's corrections panel: editors add, reporters propose, editors approve,
superusers remove with a reason; every path checks permission and the version seen."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from articles import corrections
from articles.models import Article, Correction, CorrectionRemoval
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db


def add_url(article) -> str:
    return reverse("admin:articles_article_correction_add", args=[article.pk])


def entry_url(name: str, entry) -> str:
    return reverse(f"admin:articles_article_correction_{name}", args=[entry.article_id, entry.pk])


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def own_story(reporter):
    return make_article("Harbour wall repaired", authors=[reporter.author])


def test_editor_adds_an_entry_from_the_change_form(editor_client, editor):
    article = make_article()
    change = editor_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert add_url(article) in change.content.decode()
    assert "Correct, clarify or update this story" in change.content.decode()  # workflow step

    response = editor_client.post(
        add_url(article),
        {"version": article.version, "kind": "correction", "text": "Wrong <em>span</em>."},
    )

    assert response.status_code == 302
    entry = Correction.objects.get()
    assert (entry.status, entry.text, entry.created_by) == (
        "approved",
        "Wrong <em>span</em>.",
        editor,
    )
    assert article.events.filter(comment="Correction added: Wrong <em>span</em>.").exists()
    change = editor_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert "Correction added: Wrong" in change.content.decode()  # the workflow history


def test_an_entry_from_a_stale_page_is_refused_and_nothing_is_added(editor_client, editor):
    article = make_article()
    seen = article.version
    corrections.add(article, by=editor, kind="update", text="Someone else's update.")

    response = editor_client.post(
        add_url(article), {"version": seen, "kind": "correction", "text": "Mine."}
    )

    assert any("changed by someone else" in m for m in messages_of(response))
    assert not Correction.objects.filter(text="Mine.").exists()


def test_an_empty_entry_is_refused_with_a_reason(editor_client):
    article = make_article()
    response = editor_client.post(
        add_url(article), {"version": article.version, "kind": "correction", "text": ""}
    )
    assert messages_of(response) == [
        "No entry added: Write what was corrected, clarified or updated."
    ]
    assert not Correction.objects.exists()


def test_reporter_proposes_and_an_editor_approves_in_the_admin(
    reporter_client, own_story, editor, client
):
    response = reporter_client.post(
        add_url(own_story),
        {"version": own_story.version, "kind": "clarification", "text": "Which harbour."},
    )
    entry = Correction.objects.get()
    assert entry.status == "proposed"
    assert any("proposed" in m for m in messages_of(response))

    client.force_login(editor)
    own_story.refresh_from_db()
    change = client.get(reverse("admin:articles_article_change", args=[own_story.pk]))
    assert entry_url("approve", entry) in change.content.decode()
    client.post(entry_url("approve", entry), {"version": own_story.version})

    entry.refresh_from_db()
    assert (entry.status, entry.approved_by) == ("approved", editor)


def test_reporter_cannot_approve_or_remove(reporter_client, own_story, reporter):
    entry = corrections.propose(own_story, by=reporter, kind="correction", text="Wrong.")
    own_story.refresh_from_db()
    approve = reporter_client.post(entry_url("approve", entry), {"version": own_story.version})
    remove = reporter_client.post(entry_url("remove", entry), {"reason": "Mine."})
    assert (approve.status_code, remove.status_code) == (403, 403)
    assert Correction.objects.get().status == "proposed"


def test_reporter_cannot_propose_on_a_colleagues_article(reporter_client):
    article = make_article()
    response = reporter_client.post(
        add_url(article), {"version": article.version, "kind": "correction", "text": "No."}
    )
    assert response.status_code == 404
    assert not Correction.objects.exists()


def test_editor_cannot_remove_an_entry(editor_client, editor):
    entry = corrections.add(make_article(), by=editor, kind="correction", text="Wrong.")
    response = editor_client.post(entry_url("remove", entry), {"reason": "Oops."})
    assert response.status_code == 403
    assert Correction.objects.filter(pk=entry.pk).exists()


def test_superuser_removes_an_entry_with_a_reason(client, editor):
    entry = corrections.add(make_article(), by=editor, kind="correction", text="Wrong.")
    chief = make_user("chief", is_superuser=True)
    client.force_login(chief)

    refused = client.post(entry_url("remove", entry), {"reason": ""})
    assert any("a reason is required" in m for m in messages_of(refused))
    assert Correction.objects.filter(pk=entry.pk).exists()

    client.post(entry_url("remove", entry), {"reason": "Court order."})
    assert not Correction.objects.filter(pk=entry.pk).exists()
    removal = CorrectionRemoval.objects.get()
    assert (removal.removed_by, removal.reason, removal.text) == (chief, "Court order.", "Wrong.")


def test_the_panel_views_answer_post_only(editor_client):
    article = make_article(status=Article.Status.PUBLISHED)
    assert editor_client.get(add_url(article)).status_code == 405


def test_only_a_superuser_reads_the_removal_log(client, editor_client, editor):
    entry = corrections.add(make_article(), by=editor, kind="correction", text="Wrong.")
    chief = make_user("chief", is_superuser=True)
    removal = corrections.remove(entry, by=chief, reason="Court order.")
    url = reverse("admin:articles_correctionremoval_change", args=[removal.pk])

    assert editor_client.get(url).status_code in (302, 403)
    client.force_login(chief)
    page = client.get(url)
    assert page.status_code == 200 and "Court order." in page.content.decode()
