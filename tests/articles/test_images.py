"""Photo uploads: refused with a sentence when unsafe, stored without EXIF, served with srcset."""

import io
import struct
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import ExifTags
from PIL import Image as PILImage

from articles.images import make_renditions
from articles.models import Image
from articles.querysets import with_card_data
from tests.factories import image_bytes, make_article, make_image, make_section, make_user

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:articles_image_add")


@pytest.fixture
def editor_client(client):
    client.force_login(make_user("chief", is_superuser=True))
    return client


def upload(client, name: str, data: bytes, content_type: str = "image/jpeg", **fields):
    fields.setdefault("alt_text", "Flood water on the high street")
    return client.post(ADD_URL, {"file": SimpleUploadedFile(name, data, content_type), **fields})


def photo_with_gps_and_orientation() -> bytes:
    """A 300 × 200 JPEG, red left half and blue right half, tagged "rotate 90° clockwise"
    (Orientation 6) and carrying a GPS position, as a phone camera writes it."""
    picture = PILImage.new("RGB", (300, 200), (0, 0, 255))
    picture.paste((255, 0, 0), (0, 0, 150, 200))
    exif = PILImage.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneCo"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 26.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (0.0, 7.0, 39.0)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def png_header_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge canvas: a decompression bomb's calling card."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def test_valid_upload_through_the_admin_creates_the_image_and_its_renditions(editor_client):
    response = upload(editor_client, "harbour.jpg", image_bytes(2000, 1000), credit="Ana Silva")

    assert response.status_code == 302
    image = Image.objects.get()
    assert (image.width, image.height, image.credit) == (2000, 1000, "Ana Silva")
    assert sorted(image.renditions.values_list("format", "width", "height")) == [
        ("jpeg", 960, 480),
        ("webp", 480, 240),
        ("webp", 960, 480),
        ("webp", 1600, 800),
    ]
    for rendition in image.renditions.all():
        with rendition.file.open("rb") as stored, PILImage.open(stored) as picture:
            assert picture.size == (rendition.width, rendition.height)
            assert picture.format == rendition.format.upper()


def test_the_admin_file_picker_offers_only_accepted_formats(editor_client):
    response = editor_client.get(ADD_URL)

    assert 'accept="image/jpeg,image/png,image/webp,image/gif"' in response.content.decode()


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)


@pytest.mark.parametrize(
    ("name", "data", "content_type", "limits", "message"),
    [
        ("logo.svg", SVG, "image/svg+xml", {}, "SVG files are not accepted"),
        ("logo.png", SVG, "image/png", {}, "SVG files are not accepted"),
        ("notes.jpg", b"Meeting at the bridge, 9pm.\n" * 20, "image/jpeg", {}, "not an image"),
        (
            "cut-off.jpg",
            image_bytes(1200, 800)[:3000],
            "image/jpeg",
            {},
            "damaged or incomplete",
        ),
        (
            "huge.jpg",
            image_bytes(1200, 800),
            "image/jpeg",
            {"IMAGE_MAX_BYTES": 2048},
            "the limit is 2.0\xa0KB",
        ),
        (
            "panorama.png",
            image_bytes(400, 300, fmt="PNG"),
            "image/png",
            {"IMAGE_MAX_PIXELS": 100_000},
            "This image is 400 × 300 pixels (0.1 megapixels); the limit is 0.1 megapixels",
        ),
        ("bomb.png", png_header_claiming(60_000, 60_000), "image/png", {}, "too many pixels"),
        ("scan.tiff", image_bytes(200, 100, fmt="TIFF"), "image/tiff", {}, "This is a TIFF image"),
    ],
    ids=[
        "svg",
        "svg-renamed-png",
        "text-renamed-jpg",
        "truncated",
        "too-large",
        "pixels",
        "bomb",
        "tiff",
    ],
)
def test_bad_upload_is_refused_with_a_form_error_and_nothing_stored(
    editor_client, settings, name, data, content_type, limits, message
):
    for setting, value in limits.items():
        setattr(settings, setting, value)

    response = upload(editor_client, name, data, content_type)

    assert response.status_code == 200
    page = response.content.decode()
    assert "errorlist" in page
    assert message.replace("\xa0", "&nbsp;") in page.replace("\xa0", "&nbsp;")
    assert "Flood water on the high street" in page  # the editor's alt text is kept
    assert not Image.objects.exists()
    assert stored_files(settings) == []


def test_over_size_message_names_both_sizes(settings):
    settings.IMAGE_MAX_BYTES = 20 * 1024 * 1024
    image = Image(alt_text="Crowd", file=SimpleUploadedFile("crowd.jpg", b"0" * 31 * 1024 * 1024))

    with pytest.raises(ValidationError) as refused:
        image.full_clean()

    assert refused.value.message_dict["file"] == [
        "This file is 31.0\xa0MB; the limit is 20.0\xa0MB."
    ]


def test_full_clean_refuses_svg_outside_the_admin():
    image = Image(alt_text="Logo", file=SimpleUploadedFile("logo.svg", SVG, "image/svg+xml"))

    with pytest.raises(ValidationError) as refused:
        image.full_clean()

    assert "SVG files are not accepted" in refused.value.message_dict["file"][0]


def test_upload_is_stored_upright_without_exif(editor_client):
    assert PILImage.open(io.BytesIO(photo_with_gps_and_orientation())).getexif()  # given GPS

    upload(editor_client, "source-home.jpg", photo_with_gps_and_orientation())

    image = Image.objects.get()
    assert (image.width, image.height) == (200, 300)
    with image.file.open("rb") as stored, PILImage.open(stored) as original:
        assert original.size == (200, 300)
        assert not original.getexif()
        assert "exif" not in original.info
        top, bottom = original.getpixel((100, 20)), original.getpixel((100, 280))
    # Rotated clockwise, the red left half of the sensor image is now on top.
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60
    with image.renditions.get(format="webp").file.open("rb") as stored:
        assert not PILImage.open(stored).getexif()


def test_renditions_are_made_once(settings):
    image = make_image(width=1200, height=800)
    files_before = stored_files(settings)
    rows_before = list(image.renditions.values_list("pk", "file"))

    assert make_renditions(image) == []

    assert list(image.renditions.values_list("pk", "file")) == rows_before
    assert stored_files(settings) == files_before
    assert len(files_before) == 1 + 4  # original; WebP 480, 960, 1200; JPEG 960


def test_make_renditions_fills_in_only_what_is_missing():
    image = make_image(width=1200, height=800)
    image.renditions.filter(width=480).delete()

    made = make_renditions(image)

    assert [(r.width, r.format) for r in made] == [(480, "webp")]
    assert image.renditions.count() == 4


def test_an_image_fetched_for_a_card_shows_the_renditions_made_since():
    image = make_image(width=1200, height=800)
    image.renditions.filter(width=480).delete()
    card = with_card_data([make_article("Weir", hero_image=image)])[0].hero_image
    assert 480 not in {r.width for r in card.rendition_list}

    make_renditions(card)

    assert 480 in {r.width for r in card.rendition_list}
    assert "480w" in card.webp_srcset


def test_narrow_image_gets_one_webp_at_its_own_width_and_is_never_upscaled():
    image = make_image(width=300, height=200)

    assert sorted(image.renditions.values_list("format", "width", "height")) == [
        ("jpeg", 300, 200),
        ("webp", 300, 200),
    ]


def test_transparent_png_gets_a_jpeg_fallback_on_white():
    buffer = io.BytesIO()
    PILImage.new("RGBA", (600, 400), (0, 0, 0, 0)).save(buffer, "PNG")
    image = Image.objects.create(
        alt_text="Logo", file=SimpleUploadedFile("logo.png", buffer.getvalue(), "image/png")
    )

    with image.renditions.get(format="jpeg").file.open("rb") as stored:
        assert PILImage.open(stored).getpixel((10, 10)) == (255, 255, 255)
    assert image.file.name.endswith(".png")


def test_replacing_the_original_remakes_its_renditions(editor_client, settings):
    image = make_image(width=1200, height=800)
    change_url = reverse("admin:articles_image_change", args=[image.pk])

    response = editor_client.post(
        change_url,
        {
            "file": SimpleUploadedFile("wider.jpg", image_bytes(2000, 1000)),
            "alt_text": image.alt_text,
        },
    )

    assert response.status_code == 302
    image.refresh_from_db()
    assert sorted(image.renditions.values_list("width", "height", "format")) == [
        (480, 240, "webp"),
        (960, 480, "jpeg"),
        (960, 480, "webp"),
        (1600, 800, "webp"),
    ]
    renditions_on_disk = [p for p in stored_files(settings) if "renditions" in p.parts]
    assert len(renditions_on_disk) == 4


def test_editing_the_words_keeps_the_file_and_renditions(editor_client):
    image = make_image()
    file_name, rendition_ids = image.file.name, set(image.renditions.values_list("pk", flat=True))

    response = editor_client.post(
        reverse("admin:articles_image_change", args=[image.pk]),
        {"alt_text": "A river at dawn", "caption": "Looking east."},
    )

    assert response.status_code == 302
    image.refresh_from_db()
    assert (image.file.name, image.alt_text) == (file_name, "A river at dawn")
    assert set(image.renditions.values_list("pk", flat=True)) == rendition_ids


def test_admin_change_page_lists_the_renditions(editor_client):
    image = make_image(width=1200, height=800)

    page = editor_client.get(reverse("admin:articles_image_change", args=[image.pk])).content
    page = page.decode()

    assert "480 × 320 WEBP" in page
    assert "960 × 640 JPEG" in page


def test_article_page_serves_srcset_sizes_width_and_height(client):
    article = make_article(hero_image=make_image(width=1200, height=800, alt_text="The new bridge"))

    page = client.get(article.get_absolute_url()).content.decode()

    webp = {r.width: r.file.url for r in article.hero_image.renditions.filter(format="webp")}
    jpeg = article.hero_image.renditions.get(format="jpeg")
    assert f'srcset="{webp[480]} 480w, {webp[960]} 960w, {webp[1200]} 1200w"' in page
    assert 'sizes="(min-width: 60rem) 60rem, 100vw"' in page
    assert f'<img src="{jpeg.file.url}" width="960" height="640" alt="The new bridge"' in page
    assert 'loading="lazy"' not in page.split("story__hero")[1].split("</picture>")[0]


def test_picture_falls_back_to_the_original_until_renditions_exist(client):
    image = make_image(width=800, height=600)
    image.renditions.all().delete()
    article = make_article(hero_image=image)

    page = client.get(article.get_absolute_url()).content.decode()

    assert f'<img src="{image.file.url}" width="800" height="600"' in page
    assert "<source" not in page.split("story__hero")[1].split("</picture>")[0]


def test_pictures_on_a_list_page_add_no_queries_per_image(client, django_assert_max_num_queries):
    section = make_section("Weather")
    make_article(section=section, hero_image=make_image(width=640, height=360))
    with CaptureQueriesContext(connection) as one_story:
        client.get(section.get_absolute_url())
    for _ in range(5):
        make_article(section=section, hero_image=make_image(width=640, height=360))

    with django_assert_max_num_queries(len(one_story)):
        page = client.get(section.get_absolute_url()).content.decode()

    assert page.count(".webp 480w,") == 6


def jpeg_with_xmp_and_comment() -> bytes:
    buffer = io.BytesIO()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>Home of the source</rdf:RDF></x:xmpmeta>'
    PILImage.new("RGB", (120, 80), (90, 90, 90)).save(
        buffer, "JPEG", xmp=xmp, comment="Taken at 14 Mill Lane"
    )
    return buffer.getvalue()


def png_with_exif_and_text() -> bytes:
    from PIL.PngImagePlugin import PngInfo

    exif = PILImage.Exif()
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    text = PngInfo()
    text.add_text("Comment", "Taken at 14 Mill Lane")
    buffer = io.BytesIO()
    PILImage.new("RGB", (120, 80), (90, 90, 90)).save(
        buffer, "PNG", exif=exif.tobytes(), pnginfo=text
    )
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data"),
    [("street.jpg", jpeg_with_xmp_and_comment()), ("street.png", png_with_exif_and_text())],
    ids=["jpeg-xmp-comment", "png-exif-text"],
)
def test_other_metadata_is_stripped_as_well(name, data):
    assert b"Mill Lane" in data

    image = Image.objects.create(alt_text="A street", file=SimpleUploadedFile(name, data))

    with image.file.open("rb") as stored:
        saved = stored.read()
    assert b"Mill Lane" not in saved
    assert b"xmpmeta" not in saved
    assert not PILImage.open(io.BytesIO(saved)).getexif()


def test_colour_profile_is_kept_on_the_original_and_renditions():
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = io.BytesIO()
    PILImage.new("RGB", (600, 400), (200, 40, 40)).save(buffer, "JPEG", icc_profile=profile)

    image = Image.objects.create(
        alt_text="A red door", file=SimpleUploadedFile("door.jpg", buffer.getvalue())
    )

    for stored_file in [image.file, *(r.file for r in image.renditions.all())]:
        with stored_file.open("rb") as stored:
            assert PILImage.open(stored).info.get("icc_profile") == profile
