"""Agency copy: the item an article was made from, and every version of it received."""

from django.db import models
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from articles.revisions import BlockChange, diff_bodies


class WireItemQuerySet(models.QuerySet):
    def untouched(self) -> "WireItemQuerySet":
        """Items whose draft nobody has edited or moved since the wire last wrote it."""
        return self.filter(article__version=F("article_version"), killed_at__isnull=True)

    def taken(self) -> "WireItemQuerySet":
        return self.exclude(article__version=F("article_version"))

    def with_newer_version(self) -> "WireItemQuerySet":
        newer = WireVersion.objects.filter(
            item=OuterRef("pk"), version__gt=OuterRef("applied_version__version")
        )
        return self.filter(Exists(newer))

    def killed(self) -> "WireItemQuerySet":
        return self.filter(killed_at__isnull=False)


class WireItem(models.Model):
    """One agency story (source + item id) and the article it became."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="wire_item")
    source = models.CharField(max_length=120, help_text=_("The agency or outlet that sent it."))
    item_id = models.CharField(_("item id"), max_length=255)
    format = models.CharField(max_length=20)
    received_at = models.DateTimeField(default=timezone.now)
    applied_version = models.ForeignKey(
        "WireVersion",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The version the draft holds: what the editor started from."),
    )
    article_version = models.PositiveIntegerField(
        help_text=_(
            "The article's version when the wire last wrote it; if it moved on since, "
            "an editor has taken the story and newer versions no longer overwrite it."
        )
    )
    killed_at = models.DateTimeField(null=True, blank=True)
    kill_note = models.TextField(blank=True)

    objects = WireItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("wire item")
        verbose_name_plural = _("wire items")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["source", "item_id"], name="unique_wire_item")
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.item_id}"

    @property
    def is_untouched(self) -> bool:
        return self.article.version == self.article_version

    def newest_version(self) -> "WireVersion | None":
        return self.versions.order_by("-version").first()

    def waiting_version(self) -> "WireVersion | None":
        """A version newer than the one the draft holds, kept because an editor had taken it."""
        newest = self.newest_version()
        applied = self.applied_version
        if newest is None or applied is None or newest.version <= applied.version:
            return None
        return None if newest.is_kill else newest

    def changes_since_start(self) -> list[BlockChange]:
        """The waiting version's body against the one the editor started from, paragraph by
        paragraph (the revisions diff)."""
        waiting = self.waiting_version()
        if waiting is None or self.applied_version is None:
            return []
        return diff_bodies(self.applied_version.body, waiting.body)


class WireVersion(models.Model):
    """One version of an item as received, kept whole: the editor's read-only original."""

    item = models.ForeignKey(WireItem, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    received_at = models.DateTimeField(default=timezone.now)
    pub_status = models.CharField(max_length=16, default="usable")
    headline = models.CharField(max_length=200)
    standfirst = models.TextField(blank=True)
    body = models.TextField(blank=True)
    byline = models.CharField(max_length=200, blank=True)
    credit_line = models.CharField(max_length=200, blank=True)
    embargo_until = models.DateTimeField(null=True, blank=True)
    version_created = models.DateTimeField(null=True, blank=True)
    subjects = models.JSONField(default=list)
    language = models.CharField(max_length=35, blank=True)
    urgency = models.PositiveSmallIntegerField(null=True, blank=True)
    original = models.TextField(help_text=_("The item exactly as it arrived."))

    class Meta:
        ordering = ["-version"]
        # With unique_wire_item this makes (source, item id, version) unique: importing the
        # same version twice, even from two ingesters at once, stores it once.
        constraints = [
            models.UniqueConstraint(fields=["item", "version"], name="unique_wire_version")
        ]

    def __str__(self) -> str:
        return f"{self.item} v{self.version}"

    @property
    def is_kill(self) -> bool:
        return self.pub_status in ("canceled", "withheld")
