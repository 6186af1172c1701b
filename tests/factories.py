"""Valid objects in one line: `make_article(tags=["Energy"], authors=[author])`."""

import io
import itertools
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image as PILImage

from articles.models import Article, Author, Byline, Image, Section

_seq = itertools.count(1)


def make_section(name: str | None = None, **fields) -> Section:
    name = name or f"Section {next(_seq)}"
    fields.setdefault("slug", slugify(name))
    return Section.objects.create(name=name, **fields)


def make_author(name: str | None = None, **fields) -> Author:
    name = name or f"Reporter {next(_seq)}"
    fields.setdefault("slug", slugify(name))
    return Author.objects.create(name=name, **fields)


def image_bytes(
    width: int = 1200, height: int = 800, fmt: str = "JPEG", color=(40, 90, 160)
) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), color).save(buffer, fmt)
    return buffer.getvalue()


def make_image(width: int = 1200, height: int = 800, **fields) -> Image:
    fields.setdefault("alt_text", "A river at dusk")
    upload = SimpleUploadedFile("photo.jpg", image_bytes(width, height), "image/jpeg")
    return Image.objects.create(file=upload, **fields)


def make_article(
    headline: str | None = None,
    *,
    status: str = Article.Status.PUBLISHED,
    publish_at: datetime | None = None,
    section: Section | None = None,
    authors: list[Author] | None = None,
    tags: list[str] | None = None,
    **fields,
) -> Article:
    number = next(_seq)
    headline = headline or f"Council approves new river crossing {number}"
    fields.setdefault("slug", slugify(headline)[:190] + f"-{number}")
    fields.setdefault("standfirst", "The vote ends a decade of argument over the bridge.")
    fields.setdefault("body", "<p>The council voted on Tuesday.</p>")
    if publish_at is None and status == Article.Status.PUBLISHED:
        publish_at = timezone.now()
    article = Article.objects.create(
        headline=headline,
        status=status,
        publish_at=publish_at,
        section=section or make_section(),
        **fields,
    )
    for position, author in enumerate(authors if authors is not None else [make_author()]):
        Byline.objects.create(article=article, author=author, position=position)
    if tags:
        article.tags.add(*tags)
    return article


def make_user(username: str = "user", *, groups: tuple[str, ...] = (), **fields):
    User = get_user_model()
    fields.setdefault("email", f"{username}@example.com")
    fields.setdefault("is_staff", True)
    user = User.objects.create_user(username=username, password="correct horse battery", **fields)
    if groups:
        from django.contrib.auth.models import Group

        user.groups.add(*[Group.objects.get_or_create(name=name)[0] for name in groups])
    return user
