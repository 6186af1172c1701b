"""The wire desk in the admin: the list of wire items with their state, and the import page
(upload files or paste text). Editors only: agency copy is the whole newsroom's."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .forms import WireImportForm
from .ingest import Outcome, ingest
from .models import WireItem

EDIT_ANY = "articles.edit_any_article"


class WireStateFilter(admin.SimpleListFilter):
    title = _("wire state")
    parameter_name = "wire"

    def lookups(self, request, model_admin):
        return [
            ("new", gettext("New (nobody has taken it)")),
            ("taken", gettext("Taken by an editor")),
            ("newer", gettext("Newer version waiting")),
            ("killed", gettext("Killed or withdrawn")),
        ]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        return {
            "new": queryset.untouched,
            "taken": queryset.taken,
            "newer": queryset.with_newer_version,
            "killed": queryset.killed,
        }.get(self.value(), queryset.all)()


@admin.register(WireItem)
class WireItemAdmin(admin.ModelAdmin):
    list_display = ["headline", "source", "item_id", "version", "status", "embargo", "received_at"]
    list_filter = [WireStateFilter, "source", "format"]
    list_select_related = ["article", "applied_version"]
    search_fields = ["article__headline", "item_id", "source"]
    date_hierarchy = "received_at"
    readonly_fields = [
        "headline",
        "source",
        "item_id",
        "format",
        "version",
        "received_at",
        "killed_at",
        "kill_note",
    ]
    fields = readonly_fields

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.has_perm(EDIT_ANY)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False  # items come in through the import page, the command or the drop folder

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_import_permission(self, request) -> bool:
        return self.has_view_permission(request) and request.user.has_perm("articles.add_article")

    @admin.display(description=_("Headline"), ordering="article__headline")
    def headline(self, item: WireItem) -> str:
        url = reverse("admin:articles_article_change", args=[item.article_id])
        return format_html('<a href="{}">{}</a>', url, item.article.headline)

    @admin.display(description=_("Version"))
    def version(self, item: WireItem) -> int | None:
        return item.applied_version.version if item.applied_version else None

    @admin.display(description=_("Article status"))
    def status(self, item: WireItem) -> str:
        if item.killed_at:
            return gettext("Killed by the agency")
        return item.article.get_status_display() + ("" if item.is_untouched else " (taken)")

    @admin.display(description=_("Embargo"), ordering="article__embargo_until")
    def embargo(self, item: WireItem):
        return item.article.embargo_until

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="wire_wireitem_import",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra = {"can_import": self.has_import_permission(request), **(extra_context or {})}
        return super().changelist_view(request, extra_context=extra)

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        outcomes: list[Outcome] = []
        form = WireImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            items, pictures = form.items_and_pictures()
            for upload in items:
                outcomes.append(
                    ingest(
                        upload.read(),
                        name=upload.name,
                        by=request.user,
                        source=data["source"],
                        resolve=pictures.get,
                    )
                )
            if data["text"].strip():
                outcomes.append(
                    ingest(
                        data["text"].encode(),
                        name="pasted text.txt",
                        by=request.user,
                        source=data["source"],
                        headline=data["headline"],
                    )
                )
            form = WireImportForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Import wire copy"),
            "form": form,
            "outcomes": outcomes,
        }
        return TemplateResponse(request, "admin/wire/wireitem/import.html", context)
