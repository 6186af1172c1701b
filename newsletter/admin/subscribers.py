from functools import partial

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import PAGE_VAR
from django.core.exceptions import BadRequest, PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import StreamingHttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from ..models import ConsentRecord, ErasureLog, Subscriber, Terms
from ..tasks import queue_confirmation

EXPORT_COLUMNS = [
    ("email", "email"),
    ("status", "status"),
    ("source", "source"),
    ("created_at", "signed up"),
    ("confirmed_at", "confirmed"),
    ("unsubscribed_at", "unsubscribed"),
]
EXPORT_CHUNK = 2000


# Spreadsheets run cells starting with these as formulas (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_field(value) -> str:
    """One CSV field. A value a spreadsheet could take for a formula is quoted, never changed:
    an address like "-news@example.com" must come back exactly as it was. (A leading
    apostrophe would defuse it in some programs, but it corrupts the address for any program
    that reads the file as data.)"""
    if value is None:
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    if text.startswith(FORMULA_STARTS) or any(char in text for char in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_line(values) -> str:
    return ",".join(csv_field(value) for value in values) + "\r\n"


def csv_rows(queryset):
    """The header, then the subscribers' CSV lines, EXPORT_CHUNK rows per piece: the rows
    are read with a server-side cursor in chunks, so memory stays flat however many there are."""
    yield csv_line(label for _, label in EXPORT_COLUMNS)
    fields = [name for name, _ in EXPORT_COLUMNS]
    lines = []
    for row in queryset.values_list(*fields).iterator(chunk_size=EXPORT_CHUNK):
        lines.append(csv_line(row))
        if len(lines) >= EXPORT_CHUNK:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


@admin.register(Terms)
class TermsAdmin(admin.ModelAdmin):
    list_display = ["version", "published_at", "created_at", "consent_count"]
    search_fields = ["version", "body"]
    date_hierarchy = "published_at"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_consents=Count("consents"))

    @admin.display(description=_("consents"), ordering="_consents")
    def consent_count(self, obj) -> int:
        return obj._consents

    def get_readonly_fields(self, request, obj=None):
        # Subscribers agreed to this exact text: once a version has consents it is frozen;
        # publish a new version instead.
        if obj is not None and obj.consents.exists():
            return ["version", "body", "published_at"]
        return []


class ConsentInline(admin.TabularInline):
    model = ConsentRecord
    extra = 0
    can_delete = False
    fields = ["given_at", "terms", "page_url", "client_network", "confirmed_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("terms")


class SubscriberAdminForm(forms.ModelForm):
    """Staff may unsubscribe a reader, never confirm one: consent comes only from the reader
    following the link in their confirmation email (double opt-in)."""

    class Meta:
        model = Subscriber
        fields = ["status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "status" in self.fields:
            allowed = {self.instance.status, Subscriber.Status.UNSUBSCRIBED}
            self.fields["status"].choices = [
                (value, label) for value, label in Subscriber.Status.choices if value in allowed
            ]


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    form = SubscriberAdminForm
    list_display = ["email", "status", "source", "created_at", "confirmed_at", "unsubscribed_at"]
    list_filter = ["status", "source", "created_at", "confirmed_at"]
    search_fields = ["email"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "email",
        "source",
        "created_at",
        "status_changed_at",
        "confirmed_at",
        "unsubscribed_at",
        "confirmation_sent_at",
    ]
    fields = ["email", "status", *readonly_fields[1:]]
    inlines = [ConsentInline]
    actions = ["resend_confirmation", "erase_selected"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        # Subscribers come in through double opt-in only; nobody is added by hand.
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(
        permissions=["change"],
        description=_("Send the confirmation email again to selected pending subscribers"),
    )
    def resend_confirmation(self, request, queryset):
        """Within the signup form's limit: at most one confirmation per address every
        NEWSLETTER_RESEND_INTERVAL, however it is asked for (Subscriber.claim_confirmation_slot)."""
        queued, too_soon = 0, 0
        pending = queryset.filter(status=Subscriber.Status.PENDING)
        for subscriber in pending.order_by("pk"):
            if subscriber.claim_confirmation_slot():
                transaction.on_commit(partial(queue_confirmation, subscriber))
                queued += 1
            else:
                too_soon += 1
        not_pending = queryset.count() - queued - too_soon
        if queued:
            messages.success(
                request,
                ngettext(
                    "Confirmation email queued for %(count)d subscriber.",
                    "Confirmation email queued for %(count)d subscribers.",
                    queued,
                )
                % {"count": queued},
            )
        if too_soon:
            minutes = max(settings.NEWSLETTER_RESEND_INTERVAL // 60, 1)
            interval = ngettext("%(minutes)d minute", "%(minutes)d minutes", minutes) % {
                "minutes": minutes
            }
            messages.warning(
                request,
                ngettext(
                    "%(count)d subscriber was sent one less than %(interval)s ago; "
                    "try again later.",
                    "%(count)d subscribers were sent one less than %(interval)s ago; "
                    "try again later.",
                    too_soon,
                )
                % {"count": too_soon, "interval": interval},
            )
        if not_pending:
            messages.info(
                request,
                ngettext(
                    "%(count)d subscriber skipped: only pending subscribers are asked to confirm.",
                    "%(count)d subscribers skipped: only pending subscribers are asked to confirm.",
                    not_pending,
                )
                % {"count": not_pending},
            )

    @admin.action(
        permissions=["delete"],
        description=_("Erase selected subscribers and their consent records (GDPR)"),
    )
    def erase_selected(self, request, queryset):
        # Django's confirmation page, then delete_queryset() below does the erasing.
        return delete_selected(self, request, queryset)

    def save_model(self, request, obj, form, change) -> None:
        if change and "status" in form.changed_data:
            # The only change the form allows; the model method records when it happened.
            obj.unsubscribe()
            return
        super().save_model(request, obj, form, change)

    def delete_queryset(self, request, queryset) -> None:
        queryset.erase(by=request.user, reason="Erased in the admin")

    def delete_model(self, request, obj) -> None:
        Subscriber.objects.filter(pk=obj.pk).erase(by=request.user, reason="Erased in the admin")

    def log_deletions(self, request, queryset):
        # The ErasureLog line is the audit trail; an admin LogEntry would keep the address.
        return []

    # Counts and export.

    def changelist_view(self, request, extra_context=None):
        counts = dict(Subscriber.objects.order_by().values_list("status").annotate(n=Count("pk")))
        status_counts = [
            (label, counts.get(value, 0)) for value, label in Subscriber.Status.choices
        ]
        extra_context = {
            **(extra_context or {}),
            "status_counts": status_counts,
            "total_count": sum(counts.values()),
            "can_export": request.user.has_perm("newsletter.export_subscriber"),
        }
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        export = self.admin_site.admin_view(self.export_view)
        return [
            path("export/", export, name="newsletter_subscriber_export"),
            *super().get_urls(),
        ]

    def export_view(self, request):
        """CSV of the subscribers the changelist shows (same filters and search), streamed."""
        if not (
            self.has_view_permission(request)
            and request.user.has_perm("newsletter.export_subscriber")
        ):
            raise PermissionDenied
        # Every matching row, whatever page the list was on.
        request.GET = request.GET.copy()
        request.GET.pop(PAGE_VAR, None)
        try:
            changelist = self.get_changelist_instance(request)
            queryset = changelist.get_queryset(request).order_by("pk")
        except IncorrectLookupParameters as exc:
            raise BadRequest(gettext("The export's filters are not ones the list offers.")) from exc
        filename = f"subscribers-{timezone.now():%Y%m%d-%H%M}.csv"
        response = StreamingHttpResponse(csv_rows(queryset), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response


@admin.register(ErasureLog)
class ErasureLogAdmin(admin.ModelAdmin):
    list_display = ["subscriber_number", "status", "consent_records", "erased_at", "erased_by"]
    list_filter = ["erased_at"]
    list_select_related = ["erased_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
