"""Valid objects in one line: `make_article(tags=["Energy"], authors=[author])`."""

import io
import itertools
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image as PILImage

from articles.models import Article, Author, Byline, Correction, Image, Section

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


def make_correction(
    article: Article, text: str = "An earlier version misnamed the bridge.", **fields
) -> Correction:
    """An approved entry on the record, written straight to the table (no history, no purge):
    for arranging a test. The rules are tested through articles.corrections."""
    fields.setdefault("kind", Correction.Kind.CORRECTION)
    return Correction.objects.create(article=article, text=text, **fields)


def make_user(username: str = "user", *, groups: tuple[str, ...] = (), **fields):
    User = get_user_model()
    fields.setdefault("email", f"{username}@example.com")
    fields.setdefault("is_staff", True)
    user = User.objects.create_user(username=username, password="correct horse battery", **fields)
    if groups:
        from django.contrib.auth.models import Group

        user.groups.add(*[Group.objects.get_or_create(name=name)[0] for name in groups])
    return user


def make_subscriber(email: str | None = None, *, status: str = "pending", consent: bool = True):
    """A subscriber (pending by default) with one consent record to the current terms."""
    from newsletter.models import ConsentRecord, Subscriber, Terms

    subscriber = Subscriber.objects.create(
        email=email or f"reader{next(_seq)}@example.com", status=status
    )
    if status == Subscriber.Status.CONFIRMED:
        subscriber.confirmed_at = timezone.now()
        subscriber.save(update_fields=["confirmed_at"])
    if consent:
        ConsentRecord.objects.create(
            subscriber=subscriber,
            terms=Terms.objects.current(),
            page_url="/newsletter/",
            client_network="203.0.113.0/24",
        )
    return subscriber


def ensure_editorial_groups() -> None:
    """The Reporter and Editor groups as the data migration makes them.

    Transactional tests flush the database, groups included; this puts them back by running
    the migration's own function against the current models.
    """
    from importlib import import_module

    from django.apps import apps

    import_module("articles.migrations.0006_editorial_groups").create_groups(apps, None)


def make_reporter(username: str = "reporter", **fields):
    """A staff user in the Reporter group who writes as an Author of the same name."""
    ensure_editorial_groups()
    user = make_user(username, groups=("Reporter",), **fields)
    make_author(username.title(), user=user)
    return user


def make_editor(username: str = "editor", **fields):
    ensure_editorial_groups()
    user = make_user(username, groups=("Editor",), **fields)
    make_author(username.title(), user=user)
    return user


def change_form_data(response, **overrides) -> dict:
    """What the admin change form rendered in `response` submits when nothing is edited
    (main form, inline formsets and their management forms), with `overrides` applied."""

    def fields_of(form) -> dict:
        data = {}
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            if name == "tags":
                value = [getattr(tag, "pk", tag) for tag in value]
            data[form.add_prefix(name)] = value
        return data

    data = fields_of(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        data |= fields_of(inline.formset.management_form)
        for form in inline.formset.forms:
            data |= fields_of(form)
    return data | overrides
