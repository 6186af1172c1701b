"""Sections, authors and tags: what articles are filed under and written by."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import models
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from admin_forms import TamperProofIdsMixin

from .. import permissions, tags


class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class AuthorAdmin(TamperProofIdsMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "user"]
    list_select_related = ["user"]
    search_fields = ["name", "user__username", "user__email"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["photo", "user"]


class TagAdmin(TamperProofIdsMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "article_count"]
    search_fields = ["name"]
    ordering = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["merge_selected"]

    def get_queryset(self, request):
        # Reporters see only tags that name no one else's unpublished story (workflow).
        queryset = super().get_queryset(request)
        queryset = permissions.tags_visible_to(request.user, queryset)
        return queryset.annotate(article_count=models.Count("taggit_taggeditem_items"))

    @admin.display(description=_("Articles"), ordering="article_count")
    def article_count(self, tag: Tag) -> int:
        return tag.article_count

    @admin.action(description=_("Merge selected tags…"), permissions=["change", "delete"])
    def merge_selected(self, request, queryset):
        """Asks which tag to keep (an intermediate page), then merges the others into it."""
        chosen = list(queryset.order_by("name"))
        if len(chosen) < 2:
            messages.warning(request, gettext("Choose two or more tags to merge."))
            return None
        keep = next((t for t in chosen if str(t.pk) == request.POST.get("keep")), None)
        if "apply" in request.POST and keep is not None:
            others = [t for t in chosen if t.pk != keep.pk]
            moved = tags.merge_tags(keep, others)
            names = ", ".join(f"“{t.name}”" for t in others)
            messages.success(
                request,
                ngettext(
                    "%(names)s merged into “%(keep)s” (%(moved)d article moved); "
                    "their old tag pages now redirect to it.",
                    "%(names)s merged into “%(keep)s” (%(moved)d articles moved); "
                    "their old tag pages now redirect to it.",
                    moved,
                )
                % {"names": names, "keep": keep.name, "moved": moved},
            )
            return None
        return TemplateResponse(
            request,
            "admin/taggit/tag/merge_selected.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("Merge tags"),
                "opts": self.opts,
                "tags": chosen,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )
