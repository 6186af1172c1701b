from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from taggit.managers import TaggableManager

from .querysets import ArticleQuerySet
from .sanitizer import sanitize_body


class Section(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Sections are listed in this order, lowest first."
    )

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:section", kwargs={"slug": self.slug})


class Image(models.Model):
    """An uploaded photo with the words a newsroom owes it: alt text, caption and credit."""

    file = models.ImageField(upload_to="images/%Y/%m/", width_field="width", height_field="height")
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    alt_text = models.CharField(
        max_length=250,
        help_text="What the photo shows, for readers who cannot see it. Required.",
    )
    caption = models.CharField(max_length=400, blank=True)
    credit = models.CharField(max_length=200, blank=True, help_text="e.g. “Jane Doe / Agency”")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.alt_text[:80]


class Rendition(models.Model):
    """A resized copy of an Image, made once and served with srcset."""

    image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="renditions")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    format = models.CharField(max_length=8)
    file = models.ImageField(upload_to="renditions/%Y/%m/", width_field=None)

    class Meta:
        ordering = ["width"]
        constraints = [
            models.UniqueConstraint(
                fields=["image", "width", "format"], name="unique_rendition_per_size"
            )
        ]

    def __str__(self) -> str:
        return f"{self.image_id} {self.width}w {self.format}"


class Author(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    bio = models.TextField(blank=True)
    photo = models.ForeignKey(Image, null=True, blank=True, on_delete=models.SET_NULL)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author",
        help_text="The staff login that writes as this author, if any.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:author", kwargs={"slug": self.slug})


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    class NoteKind(models.TextChoices):
        UPDATE = "update", "Update"
        CORRECTION = "correction", "Correction"

    headline = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    standfirst = models.TextField(
        max_length=600, help_text="The one or two sentences under the headline."
    )
    body = models.TextField(blank=True)
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="articles")
    authors = models.ManyToManyField(Author, through="Byline", related_name="articles")
    tags = TaggableManager(blank=True)
    hero_image = models.ForeignKey(
        Image, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    publish_at = models.DateTimeField(
        null=True, blank=True, db_index=True, help_text="When readers first see it."
    )
    first_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    note_kind = models.CharField(
        "note type", max_length=16, choices=NoteKind.choices, default=NoteKind.UPDATE
    )
    note = models.TextField(
        blank=True, help_text="An update or correction, shown to readers above the body."
    )

    seo_title = models.CharField("SEO title", max_length=70, blank=True)
    seo_description = models.CharField("SEO description", max_length=160, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-pk"]
        indexes = [models.Index(fields=["status", "publish_at"], name="article_status_publish")]

    def __str__(self) -> str:
        return self.headline

    def get_absolute_url(self) -> str:
        return reverse("articles:article", kwargs={"slug": self.slug})

    def clean(self) -> None:
        if self.status == self.Status.SCHEDULED and not self.publish_at:
            raise ValidationError({"publish_at": "A scheduled article needs a publish time."})

    def save(self, *args, **kwargs) -> None:
        self.body = sanitize_body(self.body)
        if self.status == self.Status.PUBLISHED and not self.publish_at:
            self.publish_at = timezone.now()
        if self.status == self.Status.PUBLISHED and not self.first_published_at:
            self.first_published_at = self.publish_at
        super().save(*args, **kwargs)

    @property
    def is_live(self) -> bool:
        if self.status == self.Status.PUBLISHED:
            return True
        return (
            self.status == self.Status.SCHEDULED
            and self.publish_at is not None
            and self.publish_at <= timezone.now()
        )

    @cached_property
    def byline_authors(self) -> list[Author]:
        """Authors in byline order; uses the prefetched bylines when they are there."""
        return [byline.author for byline in self.bylines.all()]

    @property
    def title_for_seo(self) -> str:
        return self.seo_title or self.headline

    @property
    def description_for_seo(self) -> str:
        return self.seo_description or self.standfirst[:160]

    @property
    def was_updated(self) -> bool:
        """True when the article changed meaningfully after it first went out."""
        return bool(
            self.first_published_at
            and self.updated_at
            and (self.updated_at - self.first_published_at).total_seconds() > 300
        )


class Byline(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["article", "author"], name="unique_byline")]

    def __str__(self) -> str:
        return f"{self.author} on {self.article}"
