from django.contrib import admin
from django.utils.html import format_html

from .models import Article, Author, Byline, Image, Section


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "user"]
    list_select_related = ["user"]
    search_fields = ["name", "user__username", "user__email"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["photo", "user"]


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ["thumbnail", "alt_text", "credit", "dimensions", "uploaded_at"]
    list_display_links = ["thumbnail", "alt_text"]
    search_fields = ["alt_text", "caption", "credit"]
    readonly_fields = ["preview", "dimensions"]
    fields = ["file", "preview", "dimensions", "alt_text", "caption", "credit"]
    date_hierarchy = "uploaded_at"

    @admin.display(description="")
    def thumbnail(self, image: Image) -> str:
        if not image.file:
            return "–"
        return format_html(
            '<img src="{}" alt="" style="width:80px;height:auto;border-radius:3px">', image.file.url
        )

    @admin.display(description="Preview")
    def preview(self, image: Image) -> str:
        if not image.pk or not image.file:
            return "–"
        return format_html(
            '<img src="{}" alt="" style="max-width:480px;height:auto">', image.file.url
        )

    @admin.display(description="Size")
    def dimensions(self, image: Image) -> str:
        return f"{image.width} × {image.height}" if image.width else "–"


class BylineInline(admin.TabularInline):
    model = Byline
    extra = 1
    min_num = 1
    autocomplete_fields = ["author"]
    verbose_name = "byline"
    verbose_name_plural = "Bylines (in order)"


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["headline", "thumbnail", "section", "status", "publish_at", "updated_at"]
    list_filter = ["status", "section", ("tags", admin.RelatedOnlyFieldListFilter), "authors"]
    list_select_related = ["section", "hero_image"]
    search_fields = ["headline", "standfirst", "slug"]
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["section", "hero_image"]
    inlines = [BylineInline]
    readonly_fields = ["first_published_at", "created_at", "updated_at", "version", "hero_preview"]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "standfirst", "body", "section", "tags"]}),
        ("Hero image", {"fields": ["hero_image", "hero_preview"]}),
        ("Publishing", {"fields": ["status", "publish_at", "first_published_at", "updated_at"]}),
        ("Update or correction", {"fields": ["note_kind", "note"], "classes": ["collapse"]}),
        ("Search engines", {"fields": ["seo_title", "seo_description"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    @admin.display(description="")
    def thumbnail(self, article: Article) -> str:
        if not article.hero_image:
            return "–"
        return format_html(
            '<img src="{}" alt="" style="width:64px;height:auto;border-radius:3px">',
            article.hero_image.file.url,
        )

    @admin.display(description="Preview")
    def hero_preview(self, article: Article) -> str:
        if not article.hero_image:
            return "–"
        return format_html(
            '<img src="{}" alt="" style="max-width:320px;height:auto">', article.hero_image.file.url
        )
