import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEY_BYTES = 32
PREFIX_LENGTH = 8


def hash_key(raw: str) -> str:
    """Keys are 256 random bits, so one SHA-256 is enough: there is nothing to guess from."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiKeyQuerySet(models.QuerySet):
    def matching(self, raw: str) -> "ApiKey | None":
        """The key whose hash is `raw`'s, revoked or not (the caller says which it was)."""
        return self.filter(key_hash=hash_key(raw)).first()


class ApiKey(models.Model):
    """A partner's key to the content API. Only its hash is stored; the key itself is shown
    once, when it is made, and cannot be recovered afterwards (make a new one instead)."""

    partner = models.CharField(
        max_length=120, help_text=_("Who uses this key, e.g. “Example News”.")
    )
    prefix = models.CharField(
        max_length=PREFIX_LENGTH, editable=False, help_text=_("The key's first characters.")
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    requests_per_minute = models.PositiveIntegerField(
        default=120, help_text=_("Requests allowed per minute; more answer 429 until it passes.")
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = _("API keys")
        ordering = ["partner", "-created_at"]
        verbose_name = _("API key")

    def __str__(self) -> str:
        return f"{self.partner} ({self.prefix}…)"

    def generate(self) -> str:
        """Give this key a new secret and return it: the only time anyone sees it."""
        raw = secrets.token_urlsafe(KEY_BYTES)
        self.prefix = raw[:PREFIX_LENGTH]
        self.key_hash = hash_key(raw)
        return raw

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
