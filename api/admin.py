from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Make a key (shown once, on the page after saving) and revoke it; only its hash is kept."""

    list_display = ["partner", "prefix", "requests_per_minute", "created_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["partner", "prefix"]
    readonly_fields = ["prefix", "created_at", "created_by", "revoked_at"]
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            request._new_api_key = obj.generate()
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        # The key is put on this one page, never in a message, cookie or log.
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("New API key"),
            "opts": self.opts,
            "key": obj,
            "raw_key": request._new_api_key,
        }
        response = TemplateResponse(request, "admin/api/apikey/created.html", context)
        add_never_cache_headers(response)
        patch_cache_control(response, private=True, no_store=True)
        return response

    @admin.action(description=_("Revoke the selected keys"), permissions=["change"])
    def revoke(self, request, queryset):
        revoked = 0
        for key in queryset.filter(revoked_at__isnull=True):
            key.revoke()
            revoked += 1
        self.message_user(
            request,
            ngettext(
                "Revoked %(count)d key: it stops working at once.",
                "Revoked %(count)d keys: they stop working at once.",
                revoked,
            )
            % {"count": revoked},
            messages.SUCCESS,
        )
