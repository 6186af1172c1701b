"""Who else is here: a notice, never a lock."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_article, make_editor, make_reporter

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def article():
    return make_article()


def test_change_form_names_another_editor_who_has_it_open(article, clock):
    clock.move_to(timezone.make_aware(timezone.datetime(2026, 3, 2, 10, 42)))
    alice = logged_in(make_editor("alice", first_name="Alice", last_name="Ng"))
    bob = logged_in(make_editor("bob"))
    url = reverse("admin:articles_article_change", args=[article.pk])
    alice.get(url)
    clock.shift(60)

    page = bob.get(url).content.decode()

    assert "Alice Ng is also editing this article (since 10:42)." in page


def test_nobody_else_means_no_notice(article):
    bob = logged_in(make_editor("bob"))

    page = bob.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()

    assert "is also editing" not in page


def test_heartbeat_reports_the_others_and_expires_silent_ones(article, clock):
    alice = logged_in(make_editor("alice", first_name="Alice"))
    bob = logged_in(make_editor("bob"))
    url = reverse("admin:articles_article_presence", args=[article.pk])
    alice.post(url)

    assert [e["name"] for e in bob.post(url).json()["others"]] == ["Alice"]
    clock.shift(timedelta(seconds=91))
    assert bob.post(url).json()["others"] == []


def test_leaving_removes_the_editor_at_once(article):
    alice = logged_in(make_editor("alice"))
    bob = logged_in(make_editor("bob"))
    url = reverse("admin:articles_article_presence", args=[article.pk])
    alice.post(url)

    alice.post(url, {"leave": "1"})

    assert bob.post(url).json()["others"] == []


def test_heartbeat_is_post_only_and_needs_csrf(article):
    editor = make_editor("alice")
    url = reverse("admin:articles_article_presence", args=[article.pk])
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)

    assert logged_in(editor).get(url).status_code == 405
    assert strict.post(url).status_code == 403


def test_heartbeat_is_closed_to_staff_who_cannot_see_the_article(article):
    reporter = logged_in(make_reporter())

    response = reporter.post(reverse("admin:articles_article_presence", args=[article.pk]))

    assert response.status_code == 404
