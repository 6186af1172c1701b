"""The wire desk in the admin: upload and paste, the list and its filter, the dashboard panel,
and what an editor sees on a wire draft's change form."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles import revisions
from articles.models import Article
from tests.factories import image_bytes, make_reporter
from tests.wire.conftest import fixture_bytes
from wire.ingest import ingest
from wire.models import WireItem

pytestmark = pytest.mark.django_db

IMPORT = "/admin/wire/wireitem/import/"


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_editor_uploads_several_files_with_a_picture(editor_client, section):
    response = editor_client.post(
        IMPORT,
        {
            "files": [
                upload("story.json", fixture_bytes("ninjs2.json")),
                upload("barrier.jpg", image_bytes()),
                upload("fares.xml", fixture_bytes("newsml_nitf.xml")),
                upload("lol.xml", fixture_bytes("billion_laughs.xml")),
            ]
        },
    )
    page = response.content.decode()
    assert page.count("Created</strong>") == 2
    assert "Refused</strong>: lol.xml — The XML declares a DTD" in page
    assert Article.objects.count() == 2
    story = Article.objects.get(headline__startswith="Harbour")
    assert story.hero_image is not None
    assert f'href="/admin/articles/article/{story.pk}/change/"' in page


def test_editor_pastes_a_story(editor_client, section):
    editor_client.post(
        IMPORT,
        {
            "text": fixture_bytes("pasted_email.txt").decode(),
            "headline": "Night ferries to stop",
            "source": "Island Times",
        },
    )
    article = Article.objects.get()
    assert article.headline == "Night ferries to stop"
    assert article.credit_line == "Island Times"
    assert "Sign up" not in article.body


def test_pasting_without_a_source_says_so(editor_client, section):
    response = editor_client.post(IMPORT, {"text": "Some story.", "headline": "H"})
    assert "Say where the pasted story comes from." in response.content.decode()
    assert not Article.objects.exists()


def test_reporter_cannot_import_or_see_the_wire_desk(client, section):
    client.force_login(make_reporter("rita"))
    assert client.get(IMPORT).status_code == 403
    response = client.post(IMPORT, {"files": [upload("s.json", fixture_bytes("ninjs2.json"))]})
    assert response.status_code == 403
    assert client.get("/admin/wire/wireitem/").status_code == 403
    assert not Article.objects.exists()


def test_wire_filter_lists_new_items(editor_client, section, editor):
    ingest(fixture_bytes("ninjs2.json"), name="a.json")
    taken = ingest(fixture_bytes("ninjs3.json"), name="b.json").item.article
    revisions.claim_version(taken, taken.version)
    taken.save()
    page = editor_client.get("/admin/wire/wireitem/?wire=new").content.decode()
    assert "Harbour flood barrier" in page and "Dock workers" not in page
    page = editor_client.get("/admin/wire/wireitem/?wire=taken").content.decode()
    assert "Dock workers" in page and "Harbour flood barrier" not in page


def test_dashboard_panel_lists_new_wire_items(editor_client, section):
    ingest(fixture_bytes("ninjs2.json"), name="a.json")
    page = editor_client.get("/admin/").content.decode()
    assert "New from the wire" in page
    assert "Harbour flood barrier fails its first storm test" in page


def test_change_form_shows_source_credit_and_original(editor_client, section):
    item = ingest(fixture_bytes("ninjs2.json"), name="a.json").item
    page = editor_client.get(reverse("admin:articles_article_change", args=[item.article_id]))
    html = page.content.decode()
    assert "From the wire: Example Agency" in html
    assert "The original, as received" in html
    assert 'value="Example Agency"' in html  # the credit line field


def test_change_form_shows_a_newer_version_with_its_diff(editor_client, section):
    def item(version, body):
        data = {
            "uri": "u",
            "version": version,
            "copyrightholder": "AP",
            "headline": "Storm",
            "body_html": body,
        }
        return json.dumps(data).encode()

    article = ingest(item(1, "<p>Winds of 90mph.</p>"), name="1.json").item.article
    article.body = "<p>Winds of 90mph hit our town.</p>"
    revisions.claim_version(article, article.version)
    article.save()
    ingest(item(2, "<p>Winds of 110mph.</p>"), name="2.json")
    html = editor_client.get(
        reverse("admin:articles_article_change", args=[article.pk])
    ).content.decode()
    assert "A newer version from AP arrived" in html
    assert "<del>90mph.</del>" in html and "<ins>110mph.</ins>" in html
    assert WireItem.objects.with_newer_version().count() == 1
