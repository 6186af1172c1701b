"""Two people editing one article: the second save, based on an old version, is refused with
everything they typed kept and a note of who saved in between; the database decides."""

import re
import threading
from datetime import datetime

import pytest
from django.contrib.messages import get_messages
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles import revisions
from articles.admin.forms import ArticleAdminForm
from articles.models import Article, Revision
from tests.factories import (
    change_form_data,
    make_article,
    make_author,
    make_editor,
    make_image,
    make_section,
)

pytestmark = pytest.mark.django_db


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


@pytest.fixture
def two_editors(client, django_user_model):
    from django.test import Client

    alice = make_editor("alice", first_name="Alice", last_name="Ng")
    bob = make_editor("bob", first_name="Bob", last_name="Ray")
    alice_client, bob_client = Client(), Client()
    alice_client.force_login(alice)
    bob_client.force_login(bob)
    return alice_client, bob_client


def test_each_admin_save_stores_a_revision_and_bumps_the_version(two_editors):
    alice, _ = two_editors
    article = make_article(headline="Bridge vote", tags=["Transport"])
    page = alice.get(change_url(article))
    data = change_form_data(page, headline="Bridge vote passes", _continue="1")

    response = alice.post(change_url(article), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    article.refresh_from_db()
    assert article.headline == "Bridge vote passes"
    assert article.version == 2
    baseline, revision = article.revisions.order_by("version")
    assert (baseline.version, baseline.headline, baseline.author) == (1, "Bridge vote", None)
    assert (revision.version, revision.headline, revision.author.username) == (
        2,
        "Bridge vote passes",
        "alice",
    )
    assert revision.tags == ["Transport"]
    assert revision.bylines == [
        {"id": b.author_id, "name": b.author.name} for b in article.bylines.all()
    ]
    assert revision.was_live


def test_a_revision_stores_who_when_and_everything_the_save_left(two_editors, clock):
    alice, _ = two_editors
    clock.move_to(timezone.make_aware(datetime(2026, 3, 2, 10, 42)))
    ann, raj = make_author("Ann Lee"), make_author("Raj Patel")
    article = make_article(authors=[ann], tags=["Transport"])
    sport, photo = make_section("Sport"), make_image(alt_text="Fans on the terrace")
    data = change_form_data(
        alice.get(change_url(article)),
        headline="Cup final moves",
        standfirst="The match is off until May.",
        body="<h2>Why</h2><p>The pitch flooded.</p>",
        section=str(sport.pk),
        tags=[str(Tag.objects.get(name="Transport").pk)],
        new_tags="Football",
        hero_image=str(photo.pk),
        seo_title="Cup final postponed",
        seo_description="Flooding forces a new date.",
        **{"bylines-1-author": str(raj.pk), "bylines-1-position": "1"},
    )

    response = alice.post(change_url(article), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    revision = revisions.latest_revision(article)
    assert (revision.author.username, revision.created_at) == ("alice", timezone.now())
    assert (revision.headline, revision.standfirst, revision.body) == (
        "Cup final moves",
        "The match is off until May.",
        "<h2>Why</h2><p>The pitch flooded.</p>",
    )
    assert revision.tags == ["Football", "Transport"]
    assert revision.bylines == [
        {"id": ann.pk, "name": "Ann Lee"},
        {"id": raj.pk, "name": "Raj Patel"},
    ]
    assert (revision.section_id_at_save, revision.section_name) == (sport.pk, "Sport")
    assert (revision.hero_image_id_at_save, revision.hero_image_label) == (
        photo.pk,
        "Fans on the terrace",
    )
    assert (revision.seo_title, revision.seo_description) == (
        "Cup final postponed",
        "Flooding forces a new date.",
    )


def test_second_save_from_a_stale_page_is_refused_and_keeps_the_input(two_editors, clock):
    alice, bob = two_editors
    clock.move_to(timezone.make_aware(datetime(2026, 3, 2, 10, 42)))
    article = make_article(
        headline="Original headline", body="<p>One.</p><p>Two.</p>", tags=["Transport"]
    )
    extra_author = make_author("Second Reporter")
    existing_tag = Tag.objects.create(name="Flooding")
    alice_page, bob_page = alice.get(change_url(article)), bob.get(change_url(article))
    alice.post(
        change_url(article),
        change_form_data(
            alice_page,
            headline="Alice's headline",
            body="<p>One.</p><p>Two, amended.</p>",
            new_tags="Council",
        ),
    )
    clock.shift(120)
    bob_data = change_form_data(
        bob_page,
        headline="Bob's headline",
        standfirst="Bob's standfirst",
        body="<p>Bob typed this.</p>",
        tags=[str(existing_tag.pk)],
        new_tags="Road closures",
        **{"bylines-1-author": str(extra_author.pk), "bylines-1-position": "1"},
    )

    response = bob.post(change_url(article), bob_data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Alice Ng saved this article at 10:42, 2 Mar 2026, after you opened it." in html
    assert "Bob&#x27;s headline" in html and "Bob&#x27;s standfirst" in html
    assert "Bob typed this." in html
    assert "Second Reporter" in html  # the byline Bob added in the inline is still there
    form = response.context["adminform"].form
    assert form["tags"].value() == [str(existing_tag.pk)]  # the tag Bob picked
    assert f'<option value="{existing_tag.pk}" selected>Flooding</option>' in html
    assert form["new_tags"].value() == "Road closures"  # the tag Bob typed
    assert 'value="Road closures"' in html
    assert "<del>Two.</del><ins>Two, amended.</ins>" in html  # what Alice changed
    assert "<ins>+ Council</ins>" in html  # and the tag she added
    article.refresh_from_db()
    assert article.headline == "Alice's headline"
    assert article.version == 2
    assert list(Revision.objects.filter(article=article).values_list("version", flat=True)) == [
        2,
        1,
    ]


def test_saving_again_after_seeing_the_conflict_replaces_their_version(two_editors):
    alice, bob = two_editors
    article = make_article()
    alice_page, bob_page = alice.get(change_url(article)), bob.get(change_url(article))
    alice.post(change_url(article), change_form_data(alice_page, headline="Alice's"))
    refused = bob.post(change_url(article), change_form_data(bob_page, headline="Bob's"))

    retry = bob.post(change_url(article), change_form_data(refused, headline="Bob's"))

    assert retry.status_code == 302
    article.refresh_from_db()
    assert (article.headline, article.version) == ("Bob's", 3)


def test_a_save_without_the_version_it_started_from_is_refused(two_editors):
    alice, _ = two_editors
    article = make_article(headline="Kept")
    data = change_form_data(alice.get(change_url(article)), headline="Changed")
    del data["expected_version"]

    response = alice.post(change_url(article), data)

    assert response.status_code == 200
    assert "did not say which version" in response.content.decode()
    article.refresh_from_db()
    assert article.headline == "Kept"


def test_losing_the_race_after_validation_shows_the_conflict_not_an_error(two_editors, monkeypatch):
    alice, _ = two_editors
    article = make_article(headline="Before")
    data = change_form_data(alice.get(change_url(article)), headline="Mine")
    # Someone else's save commits; our validation ran just before it, so only the version
    # claim at save time can notice.
    Article.objects.filter(pk=article.pk).update(headline="Theirs", version=2)
    original_check = ArticleAdminForm.check_version
    calls = []

    def validation_that_ran_before_their_commit(form, expected):
        calls.append(expected)
        if len(calls) > 1:
            original_check(form, expected)

    monkeypatch.setattr(ArticleAdminForm, "check_version", validation_that_ran_before_their_commit)

    response = alice.post(change_url(article), data)

    assert response.status_code == 200
    assert "after you opened it" in response.content.decode()
    assert calls == [1, 1]  # validated, lost the claim, validated again
    article.refresh_from_db()
    assert (article.headline, article.version) == ("Theirs", 2)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_only_one_of_two_concurrent_saves_wins_on_postgresql():
    article = make_article()
    results: dict[str, str] = {}
    first_claimed = threading.Event()
    second_waiting = threading.Event()

    def first():
        try:
            with transaction.atomic():
                revisions.claim_version(Article.objects.get(pk=article.pk), 1)
                first_claimed.set()
                # Hold the row lock until the second connection is blocked on it.
                second_waiting.wait(timeout=30)
            results["first"] = "won"
        finally:
            connection.close()

    def second():
        try:
            first_claimed.wait(timeout=30)
            with transaction.atomic():
                revisions.claim_version(Article.objects.get(pk=article.pk), 1)
            results["second"] = "won"
        except revisions.EditConflict:
            results["second"] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_claimed.wait(timeout=30)
    second_blocked = False
    with connection.cursor() as cursor:
        for _ in range(100_000):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                second_blocked = True
                break
    second_waiting.set()
    for thread in threads:
        thread.join(timeout=30)

    assert second_blocked  # the two saves really overlapped: the second waited on the row lock
    assert results == {"first": "won", "second": "refused"}
    article.refresh_from_db()
    assert article.version == 2


def test_a_save_from_before_a_workflow_transition_is_refused_naming_who_moved_it(two_editors):
    from articles import workflow

    alice, bob = two_editors
    article = make_article(status=Article.Status.DRAFT)
    page = bob.get(change_url(article))
    publisher = make_editor("carol", first_name="Carol")
    workflow.publish(article, by=publisher, expected_version=article.version)

    response = bob.post(change_url(article), change_form_data(page, headline="Bob's"))

    assert response.status_code == 200
    assert "Carol changed this article at" in response.content.decode()
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED and article.headline != "Bob's"


# --- transitions and bulk actions from a stale page ----------------------------------------


def test_a_transition_button_from_a_stale_page_is_refused_naming_who_saved_and_when(
    two_editors, clock
):
    alice, bob = two_editors
    clock.move_to(timezone.make_aware(datetime(2026, 3, 2, 10, 42)))
    article = make_article(status=Article.Status.REVIEW, headline="Floods")
    seen = article.version  # what Bob's page showed
    alice.post(
        change_url(article),
        change_form_data(alice.get(change_url(article)), headline="Floods close the road"),
    )

    response = bob.post(
        reverse("admin:articles_article_transition", args=[article.pk, "publish"]),
        {"version": seen},
    )

    assert response.status_code == 302
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "Alice Ng saved this article at 10:42, 2 Mar 2026, after you opened it" in message
    assert "so it was not published" in message
    assert reverse("admin:articles_article_revision_compare", args=[article.pk]) in message
    article.refresh_from_db()
    assert (article.status, article.headline) == (Article.Status.REVIEW, "Floods close the road")


def changelist_versions(page) -> dict[str, str]:
    """The version of each row that a rendered changelist posts with a bulk action."""
    return dict(re.findall(r'name="(version_\d+)" value="(\d+)"', page.content.decode()))


def test_a_bulk_action_from_a_stale_changelist_skips_the_article_changed_since(two_editors, clock):
    alice, bob = two_editors
    clock.move_to(timezone.make_aware(datetime(2026, 3, 2, 10, 42)))
    changed = make_article(status=Article.Status.REVIEW, headline="Floods")
    untouched = make_article(status=Article.Status.REVIEW, headline="Fire")
    changelist = reverse("admin:articles_article_changelist")
    seen = changelist_versions(bob.get(changelist))
    alice.post(
        change_url(changed),
        change_form_data(alice.get(change_url(changed)), headline="Floods close the road"),
    )

    response = bob.post(
        changelist,
        {
            "action": "publish_selected",
            "_selected_action": [changed.pk, untouched.pk],
            "apply": "1",
            **seen,
        },
    )

    assert seen == {f"version_{changed.pk}": "1", f"version_{untouched.pk}": "1"}
    assert response.status_code == 302
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(
        "“Floods close the road” was skipped: Alice Ng saved this article at 10:42, 2 Mar 2026, "
        "after the list was shown" in text
        for text in texts
    ), texts
    assert "“Fire” was published." in texts
    changed.refresh_from_db()
    untouched.refresh_from_db()
    assert (changed.status, untouched.status) == (Article.Status.REVIEW, Article.Status.PUBLISHED)


def test_bulk_schedule_carries_the_versions_seen_through_its_confirmation_page(two_editors):
    alice, bob = two_editors
    article = make_article(status=Article.Status.REVIEW, headline="Floods")
    changelist = reverse("admin:articles_article_changelist")
    seen = changelist_versions(bob.get(changelist))
    confirm = bob.post(
        changelist, {"action": "schedule_selected", "_selected_action": [article.pk], **seen}
    )
    alice.post(
        change_url(article),
        change_form_data(alice.get(change_url(article)), headline="Floods close the road"),
    )
    posted = dict(
        re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', confirm.content.decode())
    )

    response = bob.post(
        changelist,
        {**posted, "_selected_action": [article.pk], "date": "2099-07-01", "time": "09:30"},
    )

    assert posted[f"version_{article.pk}"] == "1"
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("was skipped: Alice Ng saved this article" in text for text in texts), texts
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW
