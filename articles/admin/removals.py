"""The log of corrections a superuser removed from the record: read-only, for superusers."""

from django.contrib import admin


class CorrectionRemovalAdmin(admin.ModelAdmin):
    list_display = ["removed_at", "article", "kind", "removed_by", "reason"]
    list_select_related = ["article", "removed_by"]
    list_filter = ["kind"]
    search_fields = ["article__headline", "text", "reason"]
    readonly_fields = [
        "article",
        "kind",
        "text",
        "written_at",
        "removed_by",
        "removed_at",
        "reason",
    ]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
