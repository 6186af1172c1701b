"""Two people editing one article: the second save, based on an old version, is refused with
everything they typed kept and a note of who saved in between; the database decides."""

import threading

import pytest
from django.db import connection, transaction
from django.urls import reverse

from articles import revisions
from articles.forms import ArticleAdminForm
from articles.models import Article, Revision
from tests.factories import change_form_data, make_article, make_author, make_editor

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


def test_second_save_from_a_stale_page_is_refused_and_keeps_the_input(two_editors):
    alice, bob = two_editors
    article = make_article(headline="Original headline", body="<p>One.</p><p>Two.</p>")
    extra_author = make_author("Second Reporter")
    alice_page, bob_page = alice.get(change_url(article)), bob.get(change_url(article))
    alice.post(
        change_url(article),
        change_form_data(
            alice_page, headline="Alice's headline", body="<p>One.</p><p>Two, amended.</p>"
        ),
    )
    bob_data = change_form_data(
        bob_page,
        headline="Bob's headline",
        standfirst="Bob's standfirst",
        body="<p>Bob typed this.</p>",
        **{"bylines-1-author": str(extra_author.pk), "bylines-1-position": "1"},
    )

    response = bob.post(change_url(article), bob_data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Alice Ng saved this article at" in html
    assert "Bob&#x27;s headline" in html and "Bob&#x27;s standfirst" in html
    assert "Bob typed this." in html
    assert "Second Reporter" in html  # the byline Bob added in the inline is still there
    assert "<del>Two.</del><ins>Two, amended.</ins>" in html  # what Alice changed
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
