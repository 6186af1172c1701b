from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from . import images
from .querysets import ArticleQuerySet, modified_at, sitemap_page
from .sanitizer import sanitize_body


class SearchVectorIndex(GinIndex):
    """A GIN index on PostgreSQL; a plain index elsewhere, where GIN does not exist.

    SQLite rebuilds a table (and every index in Meta.indexes) whenever a migration alters it,
    so the index must produce valid SQL there too; the column is always empty on SQLite.
    """

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        return models.Index.create_sql(self, model, schema_editor, using=using, **kwargs)


class SectionManager(models.Manager):
    NAVIGATION_CACHE_KEY = "articles:nav-sections"

    def navigation(self) -> list["Section"]:
        """Every section in order, cached: every page's navigation shows them.

        The cache is forgotten whenever a section is saved or deleted (articles/signals.py).
        """
        sections = cache.get(self.NAVIGATION_CACHE_KEY)
        if sections is None:
            sections = list(self.all())
            cache.set(self.NAVIGATION_CACHE_KEY, sections, 300)
        return sections

    def forget_navigation(self) -> None:
        cache.delete(self.NAVIGATION_CACHE_KEY)


class Section(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(
        default=0, help_text=_("Sections are listed in this order, lowest first.")
    )

    objects = SectionManager()

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:section", kwargs={"slug": self.slug})


class Image(models.Model):
    """An uploaded photo with the words a newsroom owes it: alt text, caption and credit."""

    file = models.ImageField(
        upload_to="images/%Y/%m/",
        width_field="width",
        height_field="height",
        validators=[images.validate_image_file],
        help_text=_("JPEG, PNG, WebP or GIF. Location data (EXIF) is removed when it is saved."),
    )
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    alt_text = models.CharField(
        max_length=250,
        help_text=_("What the photo shows, for readers who cannot see it. Required."),
    )
    caption = models.CharField(max_length=400, blank=True)
    credit = models.CharField(max_length=200, blank=True, help_text=_("e.g. “Jane Doe / Agency”"))
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.alt_text[:80]

    def save(self, *args, **kwargs) -> None:
        """A new upload is stored upright and without EXIF, then its renditions are made."""
        new_upload = bool(self.file) and not self.file._committed
        replacing = new_upload and not self._state.adding
        if new_upload:
            self.file = images.strip_metadata(self.file)
        super().save(*args, **kwargs)
        if replacing:
            images.delete_renditions(self)
        if new_upload:
            images.make_renditions(self)

    @property
    def rendition_list(self) -> list["Rendition"]:
        """The renditions, narrowest first: those `for_cards()` fetched (`card_renditions`),
        or else any prefetched with `renditions`, or else a query."""
        fetched = self.__dict__.get("card_renditions")
        return list(self.renditions.all()) if fetched is None else fetched

    @cached_property
    def webp_srcset(self) -> str:
        """The WebP renditions as a srcset value."""
        return ", ".join(
            f"{r.file.url} {r.width}w" for r in self.rendition_list if r.format == "webp"
        )

    @cached_property
    def fallback_rendition(self) -> "Rendition | None":
        """The JPEG for browsers without WebP, or None until renditions exist."""
        return next((r for r in self.rendition_list if r.format == "jpeg"), None)


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
        help_text=_("The staff login that writes as this author, if any."),
    )

    class Meta:
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:author", kwargs={"slug": self.slug})


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    headline = models.CharField(max_length=200, verbose_name=_("headline"))
    slug = models.SlugField(max_length=200, unique=True, verbose_name=_("slug"))
    standfirst = models.TextField(
        max_length=600,
        help_text=_("The one or two sentences under the headline."),
        verbose_name=_("standfirst"),
    )
    body = models.TextField(blank=True, verbose_name=_("body"))
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, related_name="articles", verbose_name=_("section")
    )
    authors = models.ManyToManyField(
        Author, through="Byline", related_name="articles", verbose_name=_("authors")
    )
    tags = TaggableManager(blank=True)
    hero_image = models.ForeignKey(
        Image,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("hero image"),
    )

    status = models.CharField(
        max_length=16,
        choices=Status.choices,
        default=Status.DRAFT,
        db_index=True,
        verbose_name=_("status"),
    )
    publish_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text=_("When readers first see it."),
        verbose_name=_("publish at"),
    )
    first_published_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("first published at")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    embargo_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("Nobody can publish or schedule it before this time."),
        verbose_name=_("embargo until"),
    )
    credit_line = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("Shown to readers under the byline, e.g. “According to Reuters”."),
        verbose_name=_("credit line"),
    )
    publication_hold = models.CharField(
        max_length=300,
        blank=True,
        editable=False,
        help_text=_(
            "Why nobody may publish or schedule it until an editor lifts the hold "
            "(articles/holds.py); empty when there is no hold."
        ),
        verbose_name=_("publication hold"),
    )

    seo_title = models.CharField(_("SEO title"), max_length=70, blank=True)
    seo_description = models.CharField(_("SEO description"), max_length=160, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False, verbose_name=_("version"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="articles_created",
        verbose_name=_("created by"),
    )
    # Kept current by articles.search.indexing on every save; PostgreSQL only (empty on SQLite).
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-publish_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "publish_at"], name="article_status_publish"),
            SearchVectorIndex(fields=["search_vector"], name="article_search_vector"),
            # The next embargo to end (caching.next_publish_at): few rows ever have one.
            models.Index(
                fields=["embargo_until"],
                name="article_embargo_until",
                condition=models.Q(embargo_until__isnull=False),
            ),
            # A section's page counts its live articles: with every column live() reads in the
            # index, PostgreSQL counts them without visiting the table (4 ms instead of 10 for
            # 12 000 at 100 000 articles).
            models.Index(
                fields=["section"],
                include=["status", "publish_at", "publication_hold", "embargo_until"],
                name="article_section_live",
            ),
            # Each sitemap page's newest change, one step down it (articles/sitemaps.py).
            models.Index(sitemap_page(), modified_at(), name="article_sitemap_page_change"),
        ]
        permissions = [
            ("submit_article", "Can submit an article for review"),
            ("request_changes", "Can send an article back to its reporter with changes"),
            ("publish_article", "Can publish an article"),
            ("schedule_article", "Can schedule and unschedule an article"),
            ("unpublish_article", "Can unpublish an article"),
            ("edit_any_article", "Can see and edit any article, live ones included"),
        ]

    def __str__(self) -> str:
        return self.headline

    def clean(self) -> None:
        if self.status == self.Status.SCHEDULED and not self.publish_at:
            raise ValidationError(
                {"publish_at": gettext("A scheduled article needs a publish time.")}
            )
        redirect = (
            ArticleSlugRedirect.objects.filter(old_slug=self.slug)
            .exclude(article_id=self.pk)
            .select_related("article")
            .first()
        )
        if self.slug and redirect:
            # Old URLs keep working for good: readers and search engines still follow them.
            raise ValidationError(
                {
                    "slug": gettext(
                        "This address used to belong to “%(headline)s” and still redirects "
                        "there. Choose another slug."
                    )
                    % {"headline": redirect.article.headline}
                }
            )

    def save(self, *args, **kwargs) -> None:
        self.body = sanitize_body(self.body)
        if not self.slug:
            self.slug = self.unique_slug_for(self.headline)
        if self.status == self.Status.PUBLISHED and not self.publish_at:
            self.publish_at = timezone.now()
        if self.status == self.Status.PUBLISHED and not self.first_published_at:
            self.first_published_at = self.publish_at
        previous = None
        if self.pk:
            previous = Article.objects.filter(pk=self.pk).values_list("slug", flat=True).first()
        # The new slug and the redirect from the old one commit together, or neither does.
        with transaction.atomic():
            super().save(*args, **kwargs)
            # The article owns its current slug: an old redirect with that slug (another
            # article's former URL, or this one's) must not shadow it.
            ArticleSlugRedirect.objects.filter(old_slug=self.slug).delete()
            if previous and previous != self.slug and (self.first_published_at or self.is_live):
                # Readers, feeds and search engines have the old URL: keep it working for good.
                ArticleSlugRedirect.objects.update_or_create(
                    old_slug=previous, defaults={"article": self}
                )

    def get_absolute_url(self) -> str:
        return reverse("articles:article", kwargs={"slug": self.slug})

    def renumber_bylines(self) -> None:
        """Positions 0, 1, 2… in the current order (position, then the order they were added),
        so equal or gappy positions typed in the admin still give one clear byline order."""
        for position, byline in enumerate(self.bylines.order_by("position", "pk")):
            if byline.position != position:
                Byline.objects.filter(pk=byline.pk).update(position=position)

    @classmethod
    def unique_slug_for(cls, headline: str) -> str:
        """A slug made from `headline`, suffixed -2, -3… until no article or old URL has it."""
        base = slugify(headline)[:190].strip("-") or "article"
        taken = set(cls.objects.filter(slug__startswith=base).values_list("slug", flat=True)) | set(
            ArticleSlugRedirect.objects.filter(old_slug__startswith=base).values_list(
                "old_slug", flat=True
            )
        )
        slug, number = base, 1
        while slug in taken:
            number += 1
            slug = f"{base}-{number}"
        return slug

    @property
    def is_live(self) -> bool:
        """What `Article.objects.live()` decides, for this one article."""
        now = timezone.now()
        if self.embargo_until is not None and self.embargo_until > now:
            return False
        if self.status == self.Status.PUBLISHED:
            return True
        return (
            self.status == self.Status.SCHEDULED
            and self.publish_at is not None
            and self.publish_at <= now
            and not self.publication_hold
        )

    @cached_property
    def byline_authors(self) -> list[Author]:
        """Authors in byline order: from the bylines `for_cards()` fetched (`card_bylines`), or
        else any prefetched with `bylines`, or else a query."""
        bylines = self.__dict__.get("card_bylines")
        return [byline.author for byline in (self.bylines.all() if bylines is None else bylines)]

    @property
    def tag_list(self) -> list:
        """The tags: those `with_tags()` fetched (`fetched_tags`), or else any prefetched with
        `tags`, or else a query."""
        fetched = self.__dict__.get("fetched_tags")
        return list(self.tags.all()) if fetched is None else fetched

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

    @property
    def modified_at(self):
        """The last change readers saw: the last edit, or the publication if that came later
        (publishing moves the publish time without touching updated_at)."""
        published = self.first_published_at or self.publish_at
        return max(self.updated_at, published) if published else self.updated_at


class Byline(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["article", "author"], name="unique_byline")]

    def __str__(self) -> str:
        # Shown above each row of the admin's byline table, next to the author field itself.
        return gettext("Byline %(number)d") % {"number": self.position + 1}


class ArticleEvent(models.Model):
    """One workflow transition: who moved which article from what to what, when and why."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty when the system acted (scheduled publishing)."),
    )
    from_status = models.CharField(max_length=16, choices=Article.Status.choices)
    to_status = models.CharField(max_length=16, choices=Article.Status.choices)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.from_status} → {self.to_status}"


class Correction(models.Model):
    """One dated entry of an article's record: a correction, clarification or update.

    Once the article is live an approved entry stays as written; only a superuser removes one,
    through articles.corrections.remove, which keeps a CorrectionRemoval. The rules are in
    articles/corrections.py, the one door for adding, approving and removing.
    """

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correction")
        CLARIFICATION = "clarification", _("Clarification")
        UPDATE = "update", pgettext_lazy("correction kind", "Update")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.CORRECTION)
    text = models.TextField(help_text=_("Links and emphasis only."))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.APPROVED)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return gettext("%(kind)s to %(article)s, %(date)s") % {
            "kind": self.get_kind_display(),
            "article": self.article_id,
            "date": f"{self.created_at:%Y-%m-%d}",
        }

    @property
    def is_fixed(self) -> bool:
        """An approved entry on a live article is on the record: it no longer changes."""
        if self.status != self.Status.APPROVED:
            return False
        return Article.objects.live().filter(pk=self.article_id).exists()

    def save(self, *args, **kwargs) -> None:
        stored = Correction.objects.filter(pk=self.pk).first() if self.pk else None
        if stored is not None and stored.is_fixed:
            raise ValidationError(gettext("A correction on a live article cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_fixed:
            raise ValidationError(
                gettext(
                    "A correction on a live article cannot be deleted; a superuser can remove it "
                    "with a reason."
                )
            )
        return super().delete(*args, **kwargs)


class CorrectionRemoval(models.Model):
    """The audit row a superuser's removal of a correction leaves: who, when, why, and what."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Correction.Kind.choices)
    text = models.TextField()
    written_at = models.DateTimeField()
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    removed_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()

    class Meta:
        verbose_name = _("correction removal")
        verbose_name_plural = _("correction removals")
        ordering = ["-removed_at", "-pk"]

    def __str__(self) -> str:
        return gettext("Removal from %(article)s, %(date)s") % {
            "article": self.article_id,
            "date": f"{self.removed_at:%Y-%m-%d}",
        }


class ShareLink(models.Model):
    """A revocable, expiring link that shows an unpublished article to whoever holds it.

    The URL carries a value signed with SECRET_KEY holding this row's id and nonce, so a link
    cannot be forged or guessed; expiry and revocation are decided here, in the database.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="share_links")
    nonce = models.CharField(max_length=32, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return gettext("Share link %(link)s for %(article)s") % {
            "link": self.pk,
            "article": self.article_id,
        }

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class ArticleSlugRedirect(models.Model):
    """A slug a published article used to have; its old URL answers 301 to the current one."""

    old_slug = models.SlugField(max_length=200, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="slug_redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.old_slug} → {self.article.slug}"


class Revision(models.Model):
    """A snapshot of an article's content as one admin save (or a restore) left it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="article_revisions",
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField()
    restored_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    headline = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)
    standfirst = models.TextField()
    body = models.TextField(blank=True)
    tags = models.JSONField(default=list, help_text=_("Tag names, sorted."))
    bylines = models.JSONField(default=list, help_text=_("[{id, name}] in byline order."))
    section_id_at_save = models.BigIntegerField(null=True)
    section_name = models.CharField(max_length=80, blank=True)
    hero_image_id_at_save = models.BigIntegerField(null=True)
    hero_image_label = models.CharField(max_length=250, blank=True)
    note_kind = models.CharField(max_length=16, blank=True)
    note = models.TextField(blank=True)
    seo_title = models.CharField(max_length=70, blank=True)
    seo_description = models.CharField(max_length=160, blank=True)
    embargo_until = models.DateTimeField(null=True, blank=True)
    credit_line = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=Article.Status.choices)
    was_live = models.BooleanField(
        default=False, help_text=_("Readers could see this version; pruning keeps it.")
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["article", "-created_at"], name="revision_article_created")]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.version}"


class Autosave(models.Model):
    """What one editor had typed in an article's change form, kept every half minute so a
    closed tab or a dead battery loses nothing. It is not a revision and never touches the
    article: a live story's public text changes only when someone saves it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="autosaves")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField(
        help_text=_("The article version the typing started from.")
    )
    data = models.JSONField(default=dict, help_text=_("The change form's fields, as typed."))
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="one_autosave_per_editor")
        ]

    def __str__(self) -> str:
        return gettext("Autosave of %(article)s by %(user)s") % {
            "article": self.article_id,
            "user": self.user_id,
        }


class TagRedirect(models.Model):
    """A tag page that no longer exists because its tag was merged into another: its old
    address answers 301 to the tag that absorbed it (articles/tags.py, merge_tags)."""

    old_slug = models.SlugField(max_length=100, unique=True)
    tag = models.ForeignKey("taggit.Tag", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.old_slug} → {self.tag_id}"
