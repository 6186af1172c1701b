import importlib
from datetime import timedelta

import pytest
from django.utils import timezone

from newsletter.models import Terms

pytestmark = pytest.mark.django_db


def test_terms_page_shows_the_latest_published_version(client, terms):
    Terms.objects.create(
        version="2099-1", body="Not yet.", published_at=timezone.now() + timedelta(days=1)
    )
    Terms.objects.create(version="draft", body="Draft text.")
    Terms.objects.create(
        version="newest", body="First paragraph.\n\nSecond paragraph.", published_at=timezone.now()
    )

    html = client.get("/terms/").content.decode()

    assert "Version newest" in html
    assert "<p>First paragraph.</p>" in html
    assert "Not yet." not in html and "Draft text." not in html


def test_signup_agrees_to_the_version_shown(client, sign_up, terms):
    newest = Terms.objects.create(version="newest", body="New.", published_at=timezone.now())

    sign_up("reader@example.com")

    from newsletter.models import ConsentRecord

    assert ConsentRecord.objects.get().terms == newest


def test_terms_page_is_not_found_before_any_terms_are_published(client, terms):
    Terms.objects.update(published_at=None)

    assert client.get("/terms/").status_code == 404


def test_first_terms_are_published_by_the_data_migration(client, db):
    from django.apps import apps

    migration = importlib.import_module("newsletter.migrations.0002_first_terms")
    Terms.objects.all().delete()

    migration.publish_first_terms(apps, None)

    assert Terms.objects.current().version == "2025-1"
    assert "Double opt-in" in client.get("/terms/").content.decode()
    migration.remove_first_terms(apps, None)
    assert not Terms.objects.exists()


def test_privacy_page_says_what_we_store_and_why(client, settings):
    html = client.get("/privacy/").content.decode()

    assert "consent record" in html
    assert "/24" in html and "48 bits" in html
    assert "expires after 3 days" in html


def test_footer_links_to_newsletter_corrections_terms_and_privacy(client, terms):
    html = client.get("/privacy/").content.decode()

    footer = html[html.index("<footer") :]
    hrefs = ('href="/newsletter/"', 'href="/corrections/"', 'href="/terms/"', 'href="/privacy/"')
    for href in hrefs:
        assert href in footer
