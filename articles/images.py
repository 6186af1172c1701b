"""Photos from upload to page: refuse what is not a safe raster image, strip what could
identify a source, and make the resized copies the reading site serves with srcset."""

from __future__ import annotations

import io
import logging
from pathlib import PurePath
from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from PIL import Image as PILImage
from PIL import ImageOps, JpegImagePlugin

if TYPE_CHECKING:
    from .models import Image, Rendition

logger = logging.getLogger(__name__)

# Pillow's format names; MPO is the multi-picture JPEG many phones write. Anything else
# (SVG, TIFF, BMP, HEIC…) is refused.
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "GIF"}
ACCEPTED_TYPES = "image/jpeg,image/png,image/webp,image/gif"
# The <img> fallback for browsers without WebP; wide enough for an article column.
FALLBACK_WIDTH = 960

WEBP_OPTIONS = {"quality": 80, "method": 4}
JPEG_OPTIONS = {"quality": 82, "optimize": True, "progressive": True}

# Pillow keeps these in Image.info; they change how the picture looks, not who took it where.
APPEARANCE_INFO = ("transparency", "background", "icc_profile")


def validate_image_file(file: File) -> None:
    """Refuse anything but a complete JPEG, PNG, WebP or GIF within the size and pixel limits.

    Used as the validator of Image.file, so the admin, any ModelForm and full_clean() all
    give the editor a sentence instead of a server error.
    """
    if getattr(file, "_committed", False):
        return  # Already in storage: it was checked when it was uploaded.

    if file.size > settings.IMAGE_MAX_BYTES:
        raise ValidationError(
            gettext("This file is %(size)s; the limit is %(limit)s."),
            code="file_too_large",
            params={
                "size": filesizeformat(file.size),
                "limit": filesizeformat(settings.IMAGE_MAX_BYTES),
            },
        )

    file.seek(0)
    head = file.read(2048)
    if _looks_like_svg(file.name or "", head):
        raise ValidationError(
            gettext(
                "SVG files are not accepted: they can carry scripts. "
                "Upload a JPEG, PNG, WebP or GIF instead."
            ),
            code="svg",
        )

    try:
        file.seek(0)
        with PILImage.open(file) as picture:
            _check_format_and_pixels(picture)
            picture.verify()
        # verify() leaves the image unusable and skips the pixel data of some formats
        # (a JPEG cut off mid-upload passes it), so decode the picture once as well.
        file.seek(0)
        with PILImage.open(file) as picture:
            if picture.format in ("JPEG", "MPO"):
                # Decoding at 1/8 scale still reads every byte, for a fraction of the work.
                picture.draft(picture.mode, (picture.width // 8, picture.height // 8))
            picture.load()
    except ValidationError:
        raise
    except PILImage.DecompressionBombError as exc:
        raise ValidationError(
            gettext(
                "This image has too many pixels to open safely; the limit is %(limit)s megapixels."
            ),
            code="too_many_pixels",
            params={"limit": _megapixels(settings.IMAGE_MAX_PIXELS)},
        ) from exc
    except PILImage.UnidentifiedImageError as exc:
        raise ValidationError(
            gettext("This file is not an image. Upload a JPEG, PNG, WebP or GIF instead."),
            code="not_an_image",
        ) from exc
    except Exception as exc:
        # Pillow reports damaged data with many exception types (OSError, SyntaxError,
        # struct.error, IndexError…); for an upload they all mean the same thing.
        raise ValidationError(
            gettext(
                "This image is damaged or incomplete (the upload may have been cut off). "
                "Export it again and upload the new file."
            ),
            code="damaged_image",
        ) from exc
    finally:
        file.seek(0)


def _looks_like_svg(name: str, head: bytes) -> bool:
    if PurePath(name).suffix.lower() in (".svg", ".svgz"):
        return True
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith((b"<?xml", b"<svg", b"<!doctype svg")) and b"<svg" in text


def _check_format_and_pixels(picture: PILImage.Image) -> None:
    if picture.format not in ACCEPTED_FORMATS:
        raise ValidationError(
            gettext(
                "This is a %(format)s image, which browsers cannot all show. "
                "Upload a JPEG, PNG, WebP or GIF instead."
            ),
            code="format_not_accepted",
            params={"format": picture.format or "unknown"},
        )
    width, height = picture.size
    if width * height > settings.IMAGE_MAX_PIXELS:
        raise ValidationError(
            gettext(
                "This image is %(width)s × %(height)s pixels (%(pixels)s megapixels); "
                "the limit is %(limit)s megapixels. Resize it and upload it again."
            ),
            code="too_many_pixels",
            params={
                "width": width,
                "height": height,
                "pixels": _megapixels(width * height),
                "limit": _megapixels(settings.IMAGE_MAX_PIXELS),
            },
        )


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:.1f}".removesuffix(".0")


class ImageUploadField(forms.FileField):
    """The upload field for photos: refuses bad files with validate_image_file's messages.

    forms.ImageField would answer SVG or text with Django's generic "Upload a valid image";
    this field says what was wrong, and only offers the accepted formats in the file picker.
    """

    def to_python(self, data):
        file = super().to_python(data)
        if file is not None:
            validate_image_file(file)
        return file

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.FileInput) and "accept" not in widget.attrs:
            attrs["accept"] = ACCEPTED_TYPES
        return attrs


def strip_metadata(file: File) -> ContentFile:
    """The upload re-encoded upright and without EXIF, XMP, IPTC or comments.

    A photo's EXIF can hold the GPS position and time it was taken, and so where a source
    lives. The orientation tag is applied to the pixels first, so the picture stays upright.
    """
    file.seek(0)
    with PILImage.open(file) as source:
        file_format = "JPEG" if source.format == "MPO" else source.format
        options = _keep_jpeg_quality(source) if file_format == "JPEG" else {}
        try:
            upright = ImageOps.exif_transpose(source)
        except Exception:
            # Unreadable EXIF has no orientation to apply, and is dropped below all the same.
            logger.warning(
                "Could not read the EXIF of %s; storing it unrotated", file.name, exc_info=True
            )
            upright = source.copy()
    upright.info = {key: upright.info[key] for key in APPEARANCE_INFO if key in upright.info}
    if file_format == "WEBP":
        options = {"quality": 90, "method": 4}
    if "icc_profile" in upright.info:
        options["icc_profile"] = upright.info["icc_profile"]
    buffer = io.BytesIO()
    upright.save(buffer, file_format, **options)
    file.seek(0)
    return ContentFile(buffer.getvalue(), name=_name_for_format(file.name, file_format))


def _keep_jpeg_quality(source: PILImage.Image) -> dict:
    """Re-encode with the photo's own quantization tables, so re-saving costs little quality."""
    options: dict = {"qtables": source.quantization} if source.quantization else {"quality": 90}
    sampling = JpegImagePlugin.get_sampling(source)
    if sampling != -1:
        options["subsampling"] = sampling
    return options


def _name_for_format(name: str, file_format: str) -> str:
    """Keep the editor's file name, with an extension that matches what is inside."""
    path = PurePath(name or "image")
    extensions = {
        ext for ext, fmt in PILImage.registered_extensions().items() if fmt == file_format
    }
    if path.suffix.lower() in extensions:
        return path.name
    return path.stem + {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}[file_format]


def rendition_plan(width: int, height: int) -> list[tuple[int, int, str]]:
    """(width, height, format) of every rendition an image of this size should have.

    WebP at each configured width, capped at the original's width (never upscaled), and one
    JPEG for browsers without WebP.
    """
    webp_widths = sorted({min(target, width) for target in settings.IMAGE_RENDITION_WIDTHS})
    plan = [(w, _height_for(w, width, height), "webp") for w in webp_widths]
    jpeg_width = min(FALLBACK_WIDTH, width)
    plan.append((jpeg_width, _height_for(jpeg_width, width, height), "jpeg"))
    return plan


def _height_for(target_width: int, width: int, height: int) -> int:
    return max(1, round(height * target_width / width))


def make_renditions(image: Image) -> list[Rendition]:
    """Make the renditions `image` is missing and return the new ones; existing ones are kept.

    Calling it again makes nothing new, so it is safe to run twice or from a task. Files go
    through the Rendition field's storage (Django's default storage, so S3 works as well).
    """
    # Asked of the database, not a prefetch cache that may predate a replaced original.
    have = set(image.renditions.values_list("width", "format"))
    missing = [spec for spec in rendition_plan(image.width, image.height) if spec[::2] not in have]
    if not missing:
        return []

    created = []
    stem = PurePath(image.file.name).stem
    with image.file.open("rb") as stored, PILImage.open(stored) as opened:
        has_alpha = opened.has_transparency_data
        # Keep the colour profile: without it, wide-gamut photos look washed out.
        profile = (
            {"icc_profile": opened.info["icc_profile"]} if "icc_profile" in opened.info else {}
        )
        # Resize in RGB(A): palette and 16-bit modes would otherwise resize crudely.
        source = opened.convert("RGBA" if has_alpha else "RGB")
    for width, height, file_format in missing:
        extension = "jpg" if file_format == "jpeg" else file_format
        rendition = image.renditions.model(
            image=image, width=width, height=height, format=file_format
        )
        data = _encode(source, width, height, file_format, **profile)
        rendition.file.save(f"{stem}-{width}w.{extension}", ContentFile(data), save=False)
        try:
            with transaction.atomic():
                rendition.save()
        except IntegrityError:
            # Another process made this rendition in the meantime; keep theirs.
            rendition.file.delete(save=False)
            continue
        created.append(rendition)
    if created:
        _forget_prefetched_renditions(image)
    return created


def _forget_prefetched_renditions(image: Image) -> None:
    getattr(image, "_prefetched_objects_cache", {}).pop("renditions", None)
    image.__dict__.pop("card_renditions", None)  # for_cards() / with_card_data()
    image.__dict__.pop("webp_srcset", None)
    image.__dict__.pop("fallback_rendition", None)


def _encode(source: PILImage.Image, width: int, height: int, file_format: str, **options) -> bytes:
    picture = source
    if picture.size != (width, height):
        picture = picture.resize((width, height), PILImage.Resampling.LANCZOS, reducing_gap=3.0)
    buffer = io.BytesIO()
    if file_format == "webp":
        picture.save(buffer, "WEBP", **WEBP_OPTIONS, **options)
        return buffer.getvalue()
    if picture.mode == "RGBA":
        # JPEG has no transparency: lay the picture on white, as the page background is.
        background = PILImage.new("RGB", picture.size, (255, 255, 255))
        background.paste(picture, mask=picture.getchannel("A"))
        picture = background
    picture.save(buffer, "JPEG", **JPEG_OPTIONS, **options)
    return buffer.getvalue()


def delete_renditions(image: Image) -> None:
    """Remove an image's renditions and their files (when the original is replaced)."""
    # The model's own manager, not image.renditions: that may answer from a prefetch cache.
    for rendition in image.renditions.model.objects.filter(image=image):
        rendition.file.delete(save=False)
        rendition.delete()
    _forget_prefetched_renditions(image)
