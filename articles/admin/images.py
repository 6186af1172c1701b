"""The photo library: uploads checked and stripped, renditions listed, and a reporter kept
from altering a photo that pages they cannot edit show."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from admin_forms import TamperProofIdsMixin

from .. import permissions
from ..forms import ImageAdminForm
from ..models import Image


def thumbnail_html(image: Image | None, width: int) -> str:
    """A small preview for admin lists: the smallest WebP rendition (uses prefetched
    renditions), not the original, which may be a 20 MB photo on every row."""
    if image is None or not image.file:
        return "–"
    smallest = next((r for r in image.renditions.all() if r.format == "webp"), None)
    return format_html(
        '<img src="{}" alt="" style="width:{}px;height:auto;border-radius:3px">',
        smallest.file.url if smallest else image.file.url,
        width,
    )


class ImageAdmin(TamperProofIdsMixin, admin.ModelAdmin):
    list_display = ["thumbnail", "alt_text", "credit", "dimensions", "uploaded_at"]
    list_display_links = ["thumbnail", "alt_text"]
    search_fields = ["alt_text", "caption", "credit"]
    readonly_fields = ["preview", "dimensions", "rendition_list"]
    fields = [
        "file",
        "preview",
        "dimensions",
        "alt_text",
        "caption",
        "credit",
        "rendition_list",
        "pending_upload",
    ]
    date_hierarchy = "uploaded_at"
    form = ImageAdminForm

    def get_queryset(self, request):
        # Reporters see only images that give no unpublished story away (workflow).
        queryset = super().get_queryset(request).prefetch_related("renditions")
        return permissions.images_visible_to(request.user, queryset)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.pending_path:  # the kept upload is in the image now; its copy can go
            transaction.on_commit(lambda: default_storage.delete(form.pending_path))

    def has_change_permission(self, request, obj=None):
        # Reporters may add and fix images, but not one that a live article, someone else's
        # article or an author's page already shows (permissions.can_edit_image).
        return super().has_change_permission(request, obj) and (
            obj is None or permissions.can_edit_image(request.user, obj)
        )

    @admin.display(description=_("Photo"))
    def thumbnail(self, image: Image) -> str:
        return thumbnail_html(image, width=80)

    def get_urls(self):
        return [
            path(
                "<int:image_id>/thumbnail/",
                self.admin_site.admin_view(self.thumbnail_view),
                name="articles_image_thumbnail",
            ),
            *super().get_urls(),
        ]

    def thumbnail_view(self, request, image_id):
        """The smallest rendition of an image, for the hero image chooser's results."""
        image = Image.objects.prefetch_related("renditions").filter(pk=image_id).first()
        if image is None or not image.file:
            raise Http404("No such image.")
        if not self.has_view_permission(request, image):
            raise PermissionDenied
        smallest = next((r for r in image.renditions.all() if r.format == "webp"), None)
        return redirect(smallest.file.url if smallest else image.file.url)

    @admin.display(description=_("Renditions"))
    def rendition_list(self, image: Image) -> str:
        renditions = image.renditions.all() if image.pk else []
        if not renditions:
            return gettext("Made when the image is saved.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{} × {} {}</a></li>',
                ((r.file.url, r.width, r.height, r.format.upper()) for r in renditions),
            ),
        )

    @admin.display(description=_("Preview"))
    def preview(self, image: Image) -> str:
        if not image.pk or not image.file:
            return "–"
        return format_html(
            '<img src="{}" alt="" style="max-width:480px;height:auto">', image.file.url
        )

    @admin.display(description=_("Size"))
    def dimensions(self, image: Image) -> str:
        return f"{image.width} × {image.height}" if image.width else "–"
