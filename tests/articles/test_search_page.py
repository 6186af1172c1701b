"""The search page tells the reader what happened to their query."""

import pytest

from tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_a_search_with_no_matches_says_so(client):
    make_article("Council approves river crossing")

    page = client.get("/search/", {"q": "zzqxj"}).content.decode()

    assert "No stories match <strong>zzqxj</strong>." in page


def test_an_empty_search_shows_the_form_without_a_verdict(client):
    page = client.get("/search/", {"q": ""}).content.decode()

    assert "No stories match" not in page
    assert 'name="q"' in page
