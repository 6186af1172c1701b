"""Issue 17: an image form that comes back with an error keeps the chosen file."""

import re

import pytest
from django.core import signing
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles.forms import ImageAdminForm
from articles.models import Image
from tests.factories import image_bytes, make_editor

pytestmark = pytest.mark.django_db(transaction=True)
ADD = reverse("admin:articles_image_add")


def upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("harbour.jpg", image_bytes(), "image/jpeg")


def test_an_upload_without_alt_text_is_kept_for_the_next_try(client):
    client.force_login(make_editor())
    first = client.post(ADD + "?_popup=1", {"file": upload(), "alt_text": "", "_popup": "1"})
    assert first.status_code == 200
    page = first.content.decode()
    assert "“harbour.jpg”, is kept" in page
    token = re.search(r'name="pending_upload" value="([^"]+)"', page).group(1)

    second = client.post(
        ADD + "?_popup=1", {"pending_upload": token, "alt_text": "The harbour", "_popup": "1"}
    )
    assert second.status_code == 200  # the popup's closing page
    image = Image.objects.get()
    assert (image.alt_text, image.width) == ("The harbour", 1200)
    kept = signing.loads(token, salt=ImageAdminForm.PENDING_SALT)
    assert not default_storage.exists(kept)  # the waiting copy is gone


def test_a_forged_pending_token_keeps_nothing(client):
    client.force_login(make_editor())
    response = client.post(ADD, {"pending_upload": "pending/x/y.jpg", "alt_text": "A photo"})
    assert response.status_code == 200
    assert not Image.objects.exists()


def test_the_chooser_thumbnail_is_the_smallest_rendition(client):
    from tests.factories import make_image

    client.force_login(make_editor())
    image = make_image()
    response = client.get(reverse("admin:articles_image_thumbnail", args=[image.pk]))
    assert response.status_code == 302
    assert response.url == image.renditions.get(format="webp", width=480).file.url
    missing = client.get(reverse("admin:articles_image_thumbnail", args=[image.pk + 1]))
    assert missing.status_code == 404


def test_the_chooser_thumbnail_is_for_staff_only(client):
    from tests.factories import make_image

    image = make_image()
    response = client.get(reverse("admin:articles_image_thumbnail", args=[image.pk]))
    assert response.status_code == 302 and "/login/" in response.url
