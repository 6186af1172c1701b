"""Uploads kept for an image form that was never saved are cleaned up once no form can use
them (`manage.py clean_pending_uploads`), and nothing else is."""

import re
from io import StringIO

import pytest
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from articles.forms import ImageAdminForm
from articles.models import Image
from tests.factories import image_bytes, make_image

pytestmark = pytest.mark.django_db
HOUR = 3600


def clean(*args: str) -> str:
    out = StringIO()
    call_command("clean_pending_uploads", *args, stdout=out)
    return out.getvalue()


def abandoned_upload(editor_client) -> str:
    """The path of an upload kept when an editor's image form came back without alt text."""
    response = editor_client.post(
        reverse("admin:articles_image_add"),
        {"file": SimpleUploadedFile("harbour.jpg", image_bytes(), "image/jpeg"), "alt_text": ""},
    )
    token = re.search(r'name="pending_upload" value="([^"]+)"', response.content.decode())
    return signing.loads(token.group(1), salt=ImageAdminForm.PENDING_SALT)


def test_an_abandoned_upload_is_deleted_after_a_day(editor_client, clock):
    path = abandoned_upload(editor_client)
    assert default_storage.exists(path)

    clock.shift(25 * HOUR)
    output = clean()

    assert not default_storage.exists(path)
    assert not default_storage.exists(path.rsplit("/", 1)[0])  # its folder too
    assert f"Deleted {path}" in output
    assert "1 pending upload(s) older than 24 hours deleted." in output


def test_an_upload_a_form_may_still_use_is_kept(editor_client, clock):
    path = abandoned_upload(editor_client)

    clock.shift(23 * HOUR)
    output = clean()

    assert default_storage.exists(path)
    assert "0 pending upload(s)" in output


def test_older_than_sets_the_age_in_hours(editor_client, clock):
    path = abandoned_upload(editor_client)
    clock.shift(2 * HOUR)

    clean("--older-than", "3")
    assert default_storage.exists(path)
    clean("--older-than", "1")
    assert not default_storage.exists(path)


def test_a_file_an_image_uses_is_never_deleted(clock):
    path = default_storage.save("pending/restored/photo.jpg", ContentFile(image_bytes()))
    image = make_image()
    Image.objects.filter(pk=image.pk).update(file=path)

    clock.shift(48 * HOUR)
    clean()

    assert default_storage.exists(path)


def test_files_outside_the_pending_folder_are_left_alone(clock):
    image = make_image()
    rendition = image.renditions.first()

    clock.shift(48 * HOUR)
    clean()

    assert default_storage.exists(image.file.name)
    assert default_storage.exists(rendition.file.name)


def test_nothing_pending_is_nothing_to_do():
    assert "0 pending upload(s)" in clean()


def test_an_age_under_an_hour_is_refused():
    with pytest.raises(CommandError, match="at least 1 hour"):
        clean("--older-than", "0")
