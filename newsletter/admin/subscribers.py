import csv

from django import forms
from django.contrib import admin
from django.contrib.admin.actions import delete_selected
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import StreamingHttpResponse
from django.urls import path
from django.utils import timezone

from ..models import ConsentRecord, ErasureLog, Subscriber, Terms

EXPORT_COLUMNS = [
    ("email", "email"),
    ("status", "status"),
    ("source", "source"),
    ("created_at", "signed up"),
    ("confirmed_at", "confirmed"),
    ("unsubscribed_at", "unsubscribed"),
]
EXPORT_CHUNK = 2000


class _Echo:
    """A write-only file for csv.writer: hands each row back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def _cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    # Spreadsheets run cells starting with these as formulas (CSV injection).
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def csv_rows(queryset):
    """The header, then the subscribers' CSV lines, EXPORT_CHUNK rows per piece: the rows
    are read with a server-side cursor in chunks, so memory stays flat however many there are."""
    writer = csv.writer(_Echo())
    yield writer.writerow([label for _, label in EXPORT_COLUMNS])
    fields = [name for name, _ in EXPORT_COLUMNS]
    lines = []
    for row in queryset.values_list(*fields).iterator(chunk_size=EXPORT_CHUNK):
        lines.append(writer.writerow([_cell(value) for value in row]))
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

    @admin.display(description="consents", ordering="_consents")
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
    actions = ["erase_selected"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        # Subscribers come in through double opt-in only; nobody is added by hand.
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(
        permissions=["delete"],
        description="Erase selected subscribers and their consent records (GDPR)",
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
        changelist = self.get_changelist_instance(request)
        queryset = changelist.get_queryset(request).order_by("pk")
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
