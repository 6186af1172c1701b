"""Subscribers, the consent they gave, the terms they agreed to, and erasures (GDPR);
newsletters, their editions, and one delivery row per (edition, subscriber)."""

import ipaddress
import unicodedata
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from email_validator import EmailNotValidError, validate_email

from articles.sanitizer import sanitize_body

CONFIRM_SALT = "newsletter.confirm"
UNSUBSCRIBE_SALT = "newsletter.unsubscribe"
MANAGE_SALT = "newsletter.manage"
# Newsletter slugs share /newsletter/<slug>/ with these pages (newsletter/urls.py).
RESERVED_SLUGS = {"confirm", "unsubscribe", "manage", "webhooks", "signup", "archive"}


# Characters nobody can see or type on purpose: controls, format characters (zero-width
# spaces, soft hyphens, direction marks), private-use, surrogates, unassigned, line separators.
_INVISIBLE = {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"}


def normalise_email(email: str) -> str:
    """The one spelling of a mailbox that the unique constraint and the limits count.

    NFKC, then email-validator: the domain IDNA-encoded and lowercased (`bücher.de` and
    `xn--bcher-kva.de` are one domain), a quoted local part that needs no quotes unquoted.
    Refuses (ValidationError) invisible and control characters, IP-literal and dotless domains,
    so other spellings of one inbox cannot each count as a new subscriber.
    The local part keeps its case (RFC 5321); comparisons are case-insensitive anyway.
    """
    email = email.strip()
    if any(unicodedata.category(character) in _INVISIBLE for character in email):
        raise ValidationError(
            gettext("That address contains invisible characters. Please type it again."),
            code="invalid",
        )
    try:
        valid = validate_email(
            unicodedata.normalize("NFKC", email),
            check_deliverability=False,
            allow_quoted_local=True,
            allow_domain_literal=False,
        )
    except EmailNotValidError as exc:
        raise ValidationError(str(exc), code="invalid") from exc
    normalised = f"{valid.local_part}@{valid.ascii_domain}"
    if len(normalised) > 254:
        raise ValidationError(gettext("That address is too long: use at most 254 characters."))
    return normalised


def client_network(address: str) -> str:
    """The client's network rather than its address: IPv4 cut to /24, IPv6 to /48.

    Enough to spot a flood of signups from one place, not enough to identify a household.
    """
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return ""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


class LimitCounter(models.Model):
    """One fixed-window count of the signup limits (newsletter/limits.py) when there is no
    Redis: in the database, so every worker process adds to the same count."""

    key = models.CharField(max_length=100, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class SignupRequest(models.Model):
    """A signup that passed the form and the limits, waiting for the task worker.

    The request always stores one of these and queues its id, whatever state the address is
    in, so the response time does not reveal whether an address is already subscribed; the
    worker (tasks.record_signup) applies it with Subscriber.sign_up and deletes it. The queue
    holds only the id, never the address.
    """

    email = models.EmailField(max_length=254)
    terms = models.ForeignKey("Terms", on_delete=models.CASCADE, related_name="+")
    page_url = models.CharField(max_length=500, blank=True)
    client_network = models.CharField(max_length=64, blank=True)
    source = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return gettext("Signup request #%(number)s") % {"number": self.pk}


class TermsQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__lte=timezone.now())

    def current(self) -> "Terms | None":
        return self.published().order_by("-published_at", "-pk").first()


class Terms(models.Model):
    """One version of the newsletter's terms. Published versions are never edited away:
    consent records point at the exact text a subscriber agreed to."""

    version = models.CharField(max_length=40, unique=True, help_text=_("e.g. “2025-1”."))
    body = models.TextField(help_text=_("Plain text; blank lines separate paragraphs."))
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_(
            "From this time on the version is shown at /terms/ and signups agree to it. "
            "Leave empty while drafting."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TermsQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("terms version")
        verbose_name_plural = _("terms")

    def __str__(self) -> str:
        return gettext("Terms %(version)s") % {"version": self.version}


class SubscriberQuerySet(models.QuerySet):
    def with_email(self, email: str):
        """Case-insensitive match that the unique index on lower(email) can answer."""
        try:
            email = normalise_email(email)
        except ValidationError:
            return self.none()
        return self.alias(email_lower=Lower("email")).filter(email_lower=email.lower())

    def erase(self, *, by=None, reason: str = "") -> int:
        """Delete these subscribers and their consent records, leaving an audit line each
        that holds no address. Admin log entries that named them are scrubbed too."""
        content_type = ContentType.objects.get_for_model(Subscriber)
        with transaction.atomic():
            rows = list(
                self.annotate(consent_count=models.Count("consents")).values_list(
                    "pk", "status", "consent_count"
                )
            )
            ErasureLog.objects.bulk_create(
                ErasureLog(
                    subscriber_number=pk,
                    status=status,
                    consent_records=consents,
                    erased_by=by,
                    reason=reason,
                )
                for pk, status, consents in rows
            )
            ids = [pk for pk, _, _ in rows]
            LogEntry.objects.filter(
                content_type=content_type, object_id__in=[str(pk) for pk in ids]
            ).update(object_repr="(erased subscriber)", change_message="")
            # Consent records go with their subscriber (on_delete=CASCADE).
            Subscriber.objects.filter(pk__in=ids).delete()
        return len(ids)


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        # Suppressed: never mailed again until they sign up and confirm afresh.
        BOUNCED = "bounced", _("Bounced")
        COMPLAINED = "complained", _("Complained (spam report)")

    class Source(models.TextChoices):
        ARTICLE = "article", _("Article page")
        SIGNUP_PAGE = "signup_page", _("Newsletter page")
        OTHER = "other", _("Other page")

    email = models.EmailField(max_length=254)
    status = models.CharField(max_length=12, choices=Status, default=Status.PENDING)
    source = models.CharField(
        max_length=12,
        choices=Source,
        default=Source.OTHER,
        help_text=_("Where the first signup came from."),
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the last confirmation email was queued.")
    )

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="newsletter_subscriber_email_ci_unique")
        ]
        indexes = [models.Index(fields=["status", "created_at"])]
        permissions = [("export_subscriber", "Can export subscribers as CSV")]

    def __str__(self) -> str:
        return self.email

    # Sign-up, confirmation and unsubscription: every path (views, admin, tests) uses these.

    @classmethod
    def sign_up(
        cls, email: str, *, terms: "Terms", page_url: str, client_network: str, source: str
    ) -> tuple["Subscriber", bool]:
        """Record a signup and its consent. Returns the subscriber and whether a confirmation
        email should be queued (at most one per address per NEWSLETTER_RESEND_INTERVAL).

        A confirmed address stays confirmed and gets no email; an unsubscribed one starts
        double opt-in again. The caller answers the reader the same way in every case.
        """
        email = normalise_email(email)
        now = timezone.now()
        with transaction.atomic():
            subscriber = cls.objects.with_email(email).select_for_update().first()
            if subscriber is None:
                try:
                    with transaction.atomic():
                        subscriber = cls.objects.create(
                            email=email, source=source, created_at=now, status_changed_at=now
                        )
                except IntegrityError:
                    # Another request created the same address a moment ago.
                    subscriber = cls.objects.with_email(email).select_for_update().get()
            if subscriber.status == cls.Status.CONFIRMED:
                return subscriber, False
            if subscriber.status != cls.Status.PENDING:
                # Unsubscribed or suppressed: a new signup starts double opt-in afresh.
                subscriber.status = cls.Status.PENDING
                subscriber.status_changed_at = now
                subscriber.save(update_fields=["status", "status_changed_at"])
            default = Newsletter.objects.default()
            if default is not None:
                subscriber.join(default, now=now)
            ConsentRecord.objects.create(
                subscriber=subscriber,
                terms=terms,
                given_at=now,
                page_url=page_url[:500],
                client_network=client_network,
            )
            return subscriber, subscriber.claim_confirmation_slot(now)

    def claim_confirmation_slot(self, now=None) -> bool:
        """Atomically take the right to send a confirmation email now. A conditional UPDATE,
        so two processes racing for the same address cannot both win."""
        now = now or timezone.now()
        since = now - timedelta(seconds=settings.NEWSLETTER_RESEND_INTERVAL)
        claimed = (
            Subscriber.objects.filter(pk=self.pk)
            .filter(Q(confirmation_sent_at__isnull=True) | Q(confirmation_sent_at__lte=since))
            .update(confirmation_sent_at=now)
        )
        if claimed:
            self.confirmation_sent_at = now
        return bool(claimed)

    def release_confirmation_slot(self) -> None:
        """Undo a claim when the email could not even be queued, so the reader can retry."""
        Subscriber.objects.filter(
            pk=self.pk, confirmation_sent_at=self.confirmation_sent_at
        ).update(confirmation_sent_at=None)
        self.confirmation_sent_at = None

    def confirm(self) -> bool:
        """Pending → confirmed. Returns False if the subscriber was not pending (already
        confirmed, or unsubscribed since the link was sent): following a link twice is harmless."""
        now = timezone.now()
        with transaction.atomic():
            changed = Subscriber.objects.filter(pk=self.pk, status=self.Status.PENDING).update(
                status=self.Status.CONFIRMED, status_changed_at=now, confirmed_at=now
            )
            if changed:
                latest = (
                    self.consents.filter(confirmed_at__isnull=True).order_by("-given_at").first()
                )
                if latest is not None:
                    latest.confirmed_at = now
                    latest.save(update_fields=["confirmed_at"])
        self.refresh_from_db(fields=["status", "status_changed_at", "confirmed_at"])
        return bool(changed)

    def unsubscribe(self) -> bool:
        """Any status → unsubscribed, at once. Returns False if already unsubscribed."""
        now = timezone.now()
        changed = (
            Subscriber.objects.filter(pk=self.pk)
            .exclude(status=self.Status.UNSUBSCRIBED)
            .update(status=self.Status.UNSUBSCRIBED, status_changed_at=now, unsubscribed_at=now)
        )
        self.refresh_from_db(fields=["status", "status_changed_at", "unsubscribed_at"])
        return bool(changed)

    # Newsletters: a Subscription row per choice; leaving keeps the row with left_at.

    def active_newsletter_ids(self) -> set[int]:
        return set(
            self.subscriptions.filter(left_at__isnull=True).values_list("newsletter_id", flat=True)
        )

    def join(self, newsletter: "Newsletter", *, now=None) -> None:
        now = now or timezone.now()
        subscription, created = Subscription.objects.get_or_create(
            subscriber=self, newsletter=newsletter, defaults={"created_at": now}
        )
        if not created and subscription.left_at is not None:
            subscription.left_at = None
            subscription.created_at = now
            subscription.save(update_fields=["left_at", "created_at"])

    def leave(self, newsletter: "Newsletter | None" = None) -> bool:
        """Leave one newsletter, or all of them when none is named. Leaving the last one
        unsubscribes the address. Returns True when the subscriber is now unsubscribed."""
        now = timezone.now()
        with transaction.atomic():
            active = self.subscriptions.filter(left_at__isnull=True)
            if newsletter is not None:
                active.filter(newsletter=newsletter).update(left_at=now)
            else:
                active.update(left_at=now)
            if self.subscriptions.filter(left_at__isnull=True).exists():
                return False
            self.unsubscribe()
        return True

    def choose_newsletters(self, newsletters) -> bool:
        """Keep exactly these newsletters (the manage page). Choosing none unsubscribes.
        Returns True when the subscriber is now unsubscribed."""
        chosen = {newsletter.pk for newsletter in newsletters}
        now = timezone.now()
        with transaction.atomic():
            self.subscriptions.filter(left_at__isnull=True).exclude(
                newsletter_id__in=chosen
            ).update(left_at=now)
            for newsletter in newsletters:
                self.join(newsletter, now=now)
            if not chosen:
                self.unsubscribe()
                return True
        return False

    # Signed links. The payload carries the id and a keyed fingerprint of the address, never
    # the address itself (signed values are only base64, and URLs end up in logs).

    def _fingerprint(self) -> str:
        return salted_hmac("newsletter.address", self.email.lower()).hexdigest()[:16]

    def confirmation_token(self) -> str:
        return signing.dumps([self.pk, self._fingerprint()], salt=CONFIRM_SALT, compress=True)

    def unsubscribe_token(self, newsletter: "Newsletter | None" = None) -> str:
        """A link that leaves one newsletter (the one that sent the email), or every
        newsletter when none is named (the confirmation email's link)."""
        payload = [self.pk, self._fingerprint()]
        if newsletter is not None:
            payload.append(newsletter.pk)
        return signing.dumps(payload, salt=UNSUBSCRIBE_SALT, compress=True)

    def manage_token(self) -> str:
        return signing.dumps([self.pk, self._fingerprint()], salt=MANAGE_SALT, compress=True)

    @classmethod
    def from_token(cls, token: str, *, salt: str, max_age: int | None = None) -> "Subscriber":
        """The subscriber a signed link names. Raises signing.SignatureExpired for an old link
        and signing.BadSignature for a tampered one or one whose subscriber is gone."""
        return cls.from_token_with_newsletter(token, salt=salt, max_age=max_age)[0]

    @classmethod
    def from_token_with_newsletter(
        cls, token: str, *, salt: str, max_age: int | None = None
    ) -> tuple["Subscriber", int | None]:
        """Like from_token, plus the id of the newsletter the link was made for (or None)."""
        payload = signing.loads(token, salt=salt, max_age=max_age)
        try:
            pk, fingerprint, *rest = payload
            newsletter_id = int(rest[0]) if rest else None
            subscriber = cls.objects.get(pk=pk)
        except (TypeError, ValueError, cls.DoesNotExist) as exc:
            raise signing.BadSignature("No such subscriber.") from exc
        if not constant_time_compare(fingerprint, subscriber._fingerprint()):
            raise signing.BadSignature("The link does not match this subscriber.")
        return subscriber, newsletter_id

    def confirmation_url(self) -> str:
        path = reverse("newsletter:confirm", args=[self.confirmation_token()])
        return settings.SITE_URL + path

    def unsubscribe_url(self, newsletter: "Newsletter | None" = None) -> str:
        path = reverse("newsletter:unsubscribe", args=[self.unsubscribe_token(newsletter)])
        return settings.SITE_URL + path

    def manage_url(self) -> str:
        path = reverse("newsletter:manage", args=[self.manage_token()])
        return settings.SITE_URL + path

    @property
    def is_suppressed(self) -> bool:
        return self.status in (self.Status.BOUNCED, self.Status.COMPLAINED)

    def suppress(self, reason: str, *, source: str, detail: str = "", event_id: str = "") -> bool:
        """Stop all mail to this address at once (a hard bounce or a spam complaint) and keep
        the evidence. Returns False when it was already suppressed for the same reason; an
        event seen before (same source and event_id) is recorded only once."""
        status = {
            Suppression.Reason.BOUNCED: self.Status.BOUNCED,
            Suppression.Reason.COMPLAINED: self.Status.COMPLAINED,
            Suppression.Reason.UNSUBSCRIBED: self.Status.UNSUBSCRIBED,
        }[reason]
        now = timezone.now()
        with transaction.atomic():
            if event_id and Suppression.objects.filter(source=source, event_id=event_id).exists():
                return False
            Suppression.objects.create(
                subscriber=self,
                reason=reason,
                source=source[:40],
                detail=detail[:4000],
                event_id=event_id[:200],
                created_at=now,
            )
            changed = (
                Subscriber.objects.filter(pk=self.pk)
                .exclude(status=status)
                .update(status=status, status_changed_at=now)
            )
        self.refresh_from_db(fields=["status", "status_changed_at"])
        return bool(changed)


class ConsentRecord(models.Model):
    """Proof of consent: who agreed, when, to which terms, on which page, from which network.
    The client is kept as its network (IPv4 /24, IPv6 /48), never the full address."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="consents")
    terms = models.ForeignKey(Terms, on_delete=models.PROTECT, related_name="consents")
    given_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the subscriber followed the confirmation link.")
    )
    page_url = models.CharField(_("page"), max_length=500, blank=True)
    client_network = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-given_at"]

    def __str__(self) -> str:
        return gettext("Consent to %(terms)s on %(when)s") % {
            "terms": self.terms,
            "when": f"{self.given_at:%Y-%m-%d %H:%M}",
        }


class ErasureLog(models.Model):
    """One line per erased subscriber, without the address: what was removed, by whom, when."""

    subscriber_number = models.BigIntegerField(help_text=_("The erased subscriber's id."))
    status = models.CharField(max_length=12, choices=Subscriber.Status)
    consent_records = models.PositiveIntegerField(default=0)
    erased_at = models.DateTimeField(default=timezone.now)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("erasure log")
        verbose_name_plural = _("erasure logs")
        ordering = ["-erased_at"]

    def __str__(self) -> str:
        return gettext("Subscriber #%(number)s erased %(when)s") % {
            "number": self.subscriber_number,
            "when": f"{self.erased_at:%Y-%m-%d %H:%M}",
        }


class Suppression(models.Model):
    """Why a subscriber stopped getting mail when they did not ask through our own links: the
    evidence of a bounce or complaint (the SMTP server's answer or the provider's event)."""

    class Reason(models.TextChoices):
        BOUNCED = "bounced", _("Bounced")
        COMPLAINED = "complained", _("Complained")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed at the provider")

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="suppressions"
    )
    reason = models.CharField(max_length=12, choices=Reason)
    source = models.CharField(max_length=40, help_text=_("“smtp”, or the provider's webhook."))
    detail = models.TextField(blank=True, help_text=_("The server's answer or the event's text."))
    event_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["source", "event_id"])]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.source}) {self.created_at:%Y-%m-%d %H:%M}"


class NewsletterQuerySet(models.QuerySet):
    def default(self) -> "Newsletter | None":
        """The newsletter the signup form at the end of every article subscribes to."""
        return self.filter(is_default=True).first()


class Newsletter(models.Model):
    """A list subscribers can choose: the daily briefing, a weekly climate letter, …"""

    class Cadence(models.TextChoices):
        MANUAL = "manual", _("No automatic digest")
        DAILY = "daily", _("Daily digest")
        WEEKLY = "weekly", _("Weekly digest")

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    sender_name = models.CharField(
        max_length=100, blank=True, help_text=_("The name in the From line; the site's by default.")
    )
    is_default = models.BooleanField(
        default=False, help_text=_("The signup form at the end of every article subscribes to it.")
    )
    position = models.PositiveSmallIntegerField(default=0)
    cadence = models.CharField(max_length=8, choices=Cadence, default=Cadence.MANUAL)
    send_time = models.TimeField(
        null=True, blank=True, help_text=_("For digests: the time of day, in the site's time zone.")
    )
    weekday = models.PositiveSmallIntegerField(
        choices=Weekday, null=True, blank=True, help_text=_("For weekly digests.")
    )
    digest_auto_send = models.BooleanField(
        _("send digests by themselves"),
        default=False,
        help_text=_("Otherwise a digest waits as a draft for an editor to send."),
    )
    digest_max_articles = models.PositiveSmallIntegerField(default=10)
    created_at = models.DateTimeField(default=timezone.now)

    objects = NewsletterQuerySet.as_manager()

    class Meta:
        verbose_name = _("newsletter")
        verbose_name_plural = _("newsletters")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="newsletter_one_default",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("newsletter:archive", args=[self.slug])

    def clean(self) -> None:
        errors = {}
        if self.slug in RESERVED_SLUGS:
            errors["slug"] = gettext(
                "“%(slug)s” is the address of another newsletter page; pick another."
            ) % {"slug": self.slug}
        if self.cadence != self.Cadence.MANUAL and self.send_time is None:
            errors["send_time"] = gettext("A digest needs a time of day to go out.")
        if self.cadence == self.Cadence.WEEKLY and self.weekday is None:
            errors["weekday"] = gettext("A weekly digest needs a day of the week.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs) -> None:
        # One default at a time (a constraint holds it): choosing this one unsets the other.
        with transaction.atomic():
            if self.is_default:
                Newsletter.objects.filter(is_default=True).exclude(pk=self.pk).update(
                    is_default=False
                )
            super().save(*args, **kwargs)

    @property
    def from_name(self) -> str:
        return self.sender_name or settings.SITE_NAME


class Subscription(models.Model):
    """A subscriber's choice of one newsletter. Leaving keeps the row (left_at) as a record."""

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions"
    )
    newsletter = models.ForeignKey(
        Newsletter, on_delete=models.CASCADE, related_name="subscriptions"
    )
    created_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "newsletter"], name="newsletter_subscription_unique"
            )
        ]
        indexes = [models.Index(fields=["newsletter", "left_at"])]

    def __str__(self) -> str:
        return f"{self.subscriber} → {self.newsletter}"


class Edition(models.Model):
    """One issue of a newsletter: subject, preheader, intro and an ordered list of live
    articles. Its content freezes when sending starts (rendered once into the *_template
    fields, with per-recipient placeholders)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        PAUSED = "paused", _("Paused")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    newsletter = models.ForeignKey(Newsletter, on_delete=models.PROTECT, related_name="editions")
    subject = models.CharField(max_length=200)
    preheader = models.CharField(
        max_length=200, blank=True, help_text=_("The line mail programs show after the subject.")
    )
    intro = models.TextField(blank=True, help_text=_("A short introduction (rich text)."))
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    digest_for = models.DateTimeField(
        null=True, blank=True, help_text=_("For automatic digests: the slot this edition is for.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Frozen when sending starts: the rendered message with per-recipient placeholders.
    html_template = models.TextField(blank=True, editable=False)
    text_template = models.TextField(blank=True, editable=False)
    recipient_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        ordering = ["-created_at"]
        permissions = [("send_edition", "Can send newsletter editions")]
        constraints = [
            models.UniqueConstraint(
                fields=["newsletter", "digest_for"], name="newsletter_one_digest_per_slot"
            )
        ]
        indexes = [models.Index(fields=["status", "scheduled_at"])]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("newsletter:edition", args=[self.newsletter.slug, self.pk])

    def save(self, *args, **kwargs) -> None:
        # The intro is shown unescaped on the web and in the email: cleaned on every save,
        # with the same allowlist as article bodies.
        self.intro = sanitize_body(self.intro)
        if self.intro in {"<p></p>", "<p><br></p>"}:
            self.intro = ""
        super().save(*args, **kwargs)

    @property
    def is_frozen(self) -> bool:
        """Once sending has started, nothing about the content may change."""
        return self.status not in (self.Status.DRAFT, self.Status.SCHEDULED)


def live_articles() -> Q:
    """What an edition may hold: live articles only (Article.objects.live(), evaluated at the
    moment of asking). Limits the admin's choices, its autocomplete and any POSTed id."""
    Article = apps.get_model("articles", "Article")
    return Q(pk__in=Article.objects.live().values("pk"))


class EditionArticle(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="items")
    article = models.ForeignKey(
        "articles.Article",
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to=live_articles,
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "article"], name="newsletter_edition_article_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.edition} #{self.position}"


class Delivery(models.Model):
    """One recipient of one edition, frozen when sending starts. Workers claim pending rows
    in batches (a lease), send, and record each result as they go."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed (permanent)")
        SKIPPED = "skipped", _("Skipped (left or suppressed before their turn)")
        CANCELLED = "cancelled", _("Cancelled")

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    leased_until = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=100, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(blank=True, help_text=_("The SMTP server's last answer."))

    class Meta:
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "subscriber"], name="newsletter_one_delivery_per_recipient"
            )
        ]
        indexes = [models.Index(fields=["edition", "status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.edition_id}/{self.subscriber_id}: {self.status}"


class SendThrottle(models.Model):
    """The site-wide send rate, shared by every worker on every machine: the time (Unix
    seconds) of the next free sending slot. Workers reserve slots under a row lock."""

    name = models.CharField(max_length=40, unique=True)
    next_slot = models.FloatField(default=0)

    def __str__(self) -> str:
        return self.name
