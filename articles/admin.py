from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from taggit.models import Tag

from newsroom import pagecache
from newsroom.admin_forms import TamperProofIdsMixin

from . import checks, search, tags, workflow
from .editing import ArticleEditingMixin
from .forms import ImageAdminForm
from .models import Article, Author, Byline, Image, Section
from .views import private_noindex, render_preview


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


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Author)
class AuthorAdmin(TamperProofIdsMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "user"]
    list_select_related = ["user"]
    search_fields = ["name", "user__username", "user__email"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["photo", "user"]


@admin.register(Image)
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
        return workflow.images_visible_to(request.user, queryset)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.pending_path:  # the kept upload is in the image now; its copy can go
            transaction.on_commit(lambda: default_storage.delete(form.pending_path))

    def has_change_permission(self, request, obj=None):
        # Reporters may add and fix images, but not one that a live article, someone else's
        # article or an author's page already shows (workflow.can_edit_image).
        return super().has_change_permission(request, obj) and (
            obj is None or workflow.can_edit_image(request.user, obj)
        )

    @admin.display(description="Photo")
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

    @admin.display(description="Renditions")
    def rendition_list(self, image: Image) -> str:
        renditions = image.renditions.all() if image.pk else []
        if not renditions:
            return "Made when the image is saved."
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{} × {} {}</a></li>',
                ((r.file.url, r.width, r.height, r.format.upper()) for r in renditions),
            ),
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


if admin.site.is_registered(Tag):
    admin.site.unregister(Tag)  # taggit's own admin merges without redirecting old pages


@admin.register(Tag)
class TagAdmin(TamperProofIdsMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "article_count"]
    search_fields = ["name"]
    ordering = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["merge_selected"]

    def get_queryset(self, request):
        # Reporters see only tags that name no one else's unpublished story (workflow).
        queryset = super().get_queryset(request)
        queryset = workflow.tags_visible_to(request.user, queryset)
        return queryset.annotate(article_count=models.Count("taggit_taggeditem_items"))

    @admin.display(description="Articles", ordering="article_count")
    def article_count(self, tag: Tag) -> int:
        return tag.article_count

    @admin.action(description="Merge selected tags…", permissions=["change", "delete"])
    def merge_selected(self, request, queryset):
        """Asks which tag to keep (an intermediate page), then merges the others into it."""
        chosen = list(queryset.order_by("name"))
        if len(chosen) < 2:
            messages.warning(request, "Choose two or more tags to merge.")
            return None
        keep = next((t for t in chosen if str(t.pk) == request.POST.get("keep")), None)
        if "apply" in request.POST and keep is not None:
            others = [t for t in chosen if t.pk != keep.pk]
            moved = tags.merge_tags(keep, others)
            names = ", ".join(f"“{t.name}”" for t in others)
            messages.success(
                request,
                f"{names} merged into “{keep.name}” ({moved} articles moved); "
                "their old tag pages now redirect to it.",
            )
            return None
        return TemplateResponse(
            request,
            "admin/taggit/tag/merge_selected.html",
            {
                **self.admin_site.each_context(request),
                "title": "Merge tags",
                "opts": self.opts,
                "tags": chosen,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )


class BylineForm(forms.ModelForm):
    """A byline row. The first row of a new article starts with the writer's own author page;
    kept as it is, it still counts as filled in (Django would drop an unchanged extra row)."""

    def has_changed(self):
        prefilled = not self.instance.pk and bool(self.initial.get("author"))
        return prefilled or super().has_changed()


class BylineInline(TamperProofIdsMixin, admin.TabularInline):
    model = Byline
    form = BylineForm
    extra = 1
    min_num = 1
    autocomplete_fields = ["author"]
    verbose_name = "byline"
    verbose_name_plural = "Bylines (in order: lower positions first)"

    # Bylines follow the article: editable exactly when the article is (workflow.can_edit).
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and (
            obj is None or workflow.can_edit(request.user, obj)
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or workflow.can_edit(request.user, obj)
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or workflow.can_edit(request.user, obj)
        )


class VisibleTagsFilter(admin.RelatedFieldListFilter):
    """The tags sidebar: every tag the user may see, by name. Not "only tags in use" (that
    reads every tagging, a second at 100 000 articles), and not every tag either: a tag only
    on someone else's draft names their story."""

    def field_choices(self, field, request, model_admin):
        tags = workflow.tags_visible_to(request.user, Tag.objects.order_by("name"))
        return tags.values_list("pk", "name")


@admin.register(Article)
class ArticleAdmin(ArticleEditingMixin, TamperProofIdsMixin, admin.ModelAdmin):
    # Status straight after the headline, so it stays in view on a phone.
    list_display = [
        "headline",
        "status",
        "byline_names",
        "section",
        "publish_at",
        "updated_at",
        "thumbnail",
    ]
    list_filter = ["status", "section", ("tags", VisibleTagsFilter), "authors"]
    list_select_related = ["section", "hero_image"]
    list_per_page = 50
    # Declared so the admin shows its search box; get_search_results does the searching.
    search_fields = ["headline", "standfirst", "body", "authors__name"]
    search_help_text = "Searches headlines, standfirsts, bodies, tags and bylines."
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["section", "hero_image"]
    inlines = [BylineInline]
    # Status and publish time move only through the workflow's transitions, never the form.
    readonly_fields = [
        "status",
        "publish_at",
        "first_published_at",
        "created_at",
        "updated_at",
        "version",
        "hero_preview",
        "rendered_body",
    ]
    fieldsets = [
        (
            None,
            {"fields": ["headline", "slug", "standfirst", "body", "section", "tags", "new_tags"]},
        ),
        ("Hero image", {"fields": ["hero_image", "hero_preview"]}),
        ("Publishing", {"fields": ["status", "publish_at", "first_published_at", "updated_at"]}),
        ("Update or correction", {"fields": ["note_kind", "note"], "classes": ["collapse"]}),
        ("Search engines", {"fields": ["seo_title", "seo_description"], "classes": ["collapse"]}),
    ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        action = form.cleaned_data.get("workflow_action")
        if action:
            form.instance.workflow_outcome = self.apply_workflow_step(
                request, form.instance, action, form.cleaned_data
            )

    def apply_workflow_step(self, request, article: Article, name: str, data: dict):
        """The transition a change-form button asked for, applied to the version just saved
        (so it goes through the same version check). Returns (message level, text)."""
        transition = workflow.TRANSITIONS[name]
        kwargs = {"by": request.user, "expected_version": article.version}
        if name == "request_changes":
            kwargs["comment"] = data["workflow_comment"]
        elif name == "schedule":
            kwargs["at"] = data["schedule_at"]
        elif name == "unpublish":
            kwargs["archive"] = bool(data.get("unpublish_archive"))
        try:
            getattr(article, name)(**kwargs)
        except workflow.TransitionError as exc:
            return messages.ERROR, f"Your changes were saved, but not {transition.past}: {exc}"
        done = self._done_message(article, transition)
        return messages.SUCCESS, f"Your changes were saved. {done}"

    def _workflow_response(self, request, obj):
        level, text = obj.workflow_outcome
        messages.add_message(request, level, text)
        return redirect(self._change_url(obj))

    def response_add(self, request, obj, post_url_continue=None):
        if getattr(obj, "workflow_outcome", None) and "_popup" not in request.POST:
            return self._workflow_response(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if getattr(obj, "workflow_outcome", None) and "_popup" not in request.POST:
            return self._workflow_response(request, obj)
        return super().response_change(request, obj)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, BylineInline) and obj.pk is None:
            own = Author.objects.filter(user=request.user).values_list("pk", flat=True).first()
            if own is not None:
                kwargs["initial"] = [{"author": own, "position": 0}]
        return kwargs

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Byline:
            form.instance.renumber_bylines()

    def get_changelist(self, request, **kwargs):
        changelist = super().get_changelist(request, **kwargs)
        searching = bool(request.GET.get("q", "").strip())

        class ArticleChangeList(changelist):
            """Rows without their bodies and search vectors (the list shows neither), and
            while searching no date drill-down: it re-reads every match twice."""

            def get_filters(self, request):
                if searching:
                    self.date_hierarchy = None
                return super().get_filters(request)

            def get_queryset(self, request, exclude_parameters=None):
                queryset = super().get_queryset(request, exclude_parameters)
                return queryset.defer("body", "search_vector")

        return ArticleChangeList

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return search.admin_search(queryset, search_term), False

    def get_queryset(self, request):
        # Reporters see their own articles only (workflow.visible_to); editors see all.
        queryset = (
            super()
            .get_queryset(request)
            .prefetch_related("hero_image__renditions", "bylines__author")
        )
        return workflow.visible_to(request.user, queryset)

    @admin.display(description="Photo")
    def thumbnail(self, article: Article) -> str:
        return thumbnail_html(article.hero_image, width=64)

    @admin.display(description="By")
    def byline_names(self, article: Article) -> str:
        return ", ".join(author.name for author in article.byline_authors) or "–"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "hero_image":
            # A posted id of someone else's unpublished photo is refused like any bad choice.
            kwargs.setdefault("queryset", workflow.images_visible_to(request.user))
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "hero_image":
            # static/js/article_form.js shows a thumbnail beside each image the chooser offers.
            url = reverse("admin:articles_image_thumbnail", args=[0]).replace("/0/", "/{id}/")
            field.widget.attrs["data-thumbnail-url"] = url
        return field

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        visible_tags = workflow.tags_visible_to(request.user, Tag.objects.all())

        class ScopedForm(form_class):
            """Offers and accepts only the tags this user may see (the form declares the field,
            so formfield_for_manytomany never sees it)."""

            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                if "tags" in self.fields:
                    self.fields["tags"].queryset = visible_tags

        return ScopedForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        # Read-only (a reporter's submitted story): the body as readers see it, not its HTML, and
        # no empty "New tags" box.
        shown = {"body": "rendered_body"}
        return [
            (
                name,
                {
                    **options,
                    "fields": [shown.get(f, f) for f in options["fields"] if f != "new_tags"],
                },
            )
            for name, options in fieldsets
        ]

    @admin.display(description="Body")
    def rendered_body(self, article: Article) -> str:
        # Article.save() sanitises the body, so it is safe to render as the site does.
        return format_html('<div class="readonly-body">{}</div>', mark_safe(article.body))

    @admin.display(description="Preview")
    def hero_preview(self, article: Article) -> str:
        if not article.hero_image:
            return "–"
        return format_html(
            '<img src="{}" alt="" style="max-width:320px;height:auto">', article.hero_image.file.url
        )

    # --- editorial workflow: permissions, buttons, bulk actions, preview, share links -------

    actions = ["publish_selected", "schedule_selected", "unpublish_selected"]

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (
            obj is None or workflow.can_see(request.user, obj)
        )

    def has_change_permission(self, request, obj=None):
        # Reporters edit their own drafts only; once submitted the article is read-only to
        # them until changes are requested. Editors edit everything, live included.
        return super().has_change_permission(request, obj) and (
            obj is None or workflow.can_edit(request.user, obj)
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or request.user.has_perm(workflow.EDIT_ANY)
        )

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm("articles.publish_article")

    def has_schedule_permission(self, request) -> bool:
        return request.user.has_perm("articles.schedule_article")

    def has_unpublish_permission(self, request) -> bool:
        return request.user.has_perm("articles.unpublish_article")

    def get_view_on_site_url(self, obj=None):
        # Readers get a 404 for anything not yet live; the Preview button shows it instead.
        if obj is None or not obj.is_live:
            return None
        return super().get_view_on_site_url(obj)

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/transition/<slug:name>/",
                wrap(self.transition_view),
                name="articles_article_transition",
            ),
            path(
                "preview-unsaved/",
                wrap(self.preview_form_view),
                name="articles_article_preview_unsaved_new",
            ),
            path(
                "<path:object_id>/preview/",
                wrap(self.preview_view),
                name="articles_article_preview",
            ),
            path(
                "<path:object_id>/preview-unsaved/",
                wrap(self.preview_form_view),
                name="articles_article_preview_unsaved",
            ),
            path("<path:object_id>/share/", wrap(self.share_view), name="articles_article_share"),
            path(
                "<path:object_id>/share/<int:link_id>/revoke/",
                wrap(self.revoke_share_view),
                name="articles_article_revoke_share",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        # A new article is a draft: its buttons save it and take the first step at once.
        steps = [
            t.name
            for t in workflow.TRANSITIONS.values()
            if Article.Status.DRAFT in t.sources and request.user.has_perm(t.permission)
        ]
        extra_context = {
            **(extra_context or {}),
            "workflow_in_form": steps,
            "site_time_zone": settings.TIME_ZONE,
        }
        return super().add_view(request, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article = self.get_object(request, unquote(object_id))
        pk = unquote(object_id)
        if article is None and pk.isdigit() and self.model.objects.filter(pk=pk).exists():
            # A colleague's link: say it cannot be opened, not that it was deleted, and give
            # nothing of it away (not even the headline).
            messages.error(
                request,
                "You can't open this article: it is not one of yours. Ask an editor if you "
                "need to see it.",
            )
            return redirect("admin:index")
        if article is not None and self.has_view_permission(request, article):
            extra_context = {**(extra_context or {}), **self.workflow_context(request, article)}
            if self.has_change_permission(request, article):
                # The buttons are part of the change form: they save what is typed first.
                extra_context["workflow_in_form"] = extra_context["workflow_transitions"]
        return super().change_view(request, object_id, form_url, extra_context)

    def workflow_context(self, request, article: Article) -> dict:
        """What the change form's workflow panel shows: buttons, history, share links."""
        user = request.user
        can_share = user.has_perm("articles.add_sharelink") and not article.is_live
        share_links = []
        if user.has_perm("articles.view_sharelink"):
            for link in article.share_links.all()[:10]:
                link.url = request.build_absolute_uri(
                    reverse("articles:shared_preview", args=[workflow.share_token(link)])
                )
                share_links.append(link)
        return {
            "workflow_transitions": [t.name for t in workflow.allowed_transitions(user, article)],
            "workflow_events": article.events.select_related("actor")[:50],
            "request_changes_form": workflow.RequestChangesForm(auto_id="workflow_%s"),
            "schedule_form": workflow.ScheduleForm(auto_id="workflow_%s"),
            "share_form": workflow.ShareLinkForm(auto_id="workflow_%s") if can_share else None,
            "share_links": share_links,
            "can_revoke_share": user.has_perm("articles.change_sharelink"),
            "site_time_zone": settings.TIME_ZONE,
        }

    def _workflow_article(self, request, object_id) -> Article:
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404("No such article, or not one of yours.")
        if not self.has_view_permission(request, article):
            raise PermissionDenied
        return article

    def _change_url(self, article: Article) -> str:
        return reverse("admin:articles_article_change", args=[article.pk])

    def transition_view(self, request, object_id, name):
        """POST from a change-form button; re-checks permission and state under the lock."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        transition = workflow.TRANSITIONS.get(name)
        if transition is None:
            raise Http404("No such transition.")
        article = self._workflow_article(request, object_id)
        if not request.user.has_perm(transition.permission):
            raise PermissionDenied
        try:
            version = int(request.POST["version"])
        except (KeyError, ValueError):
            messages.error(request, "This page is out of date: reload it and try again.")
            return redirect(self._change_url(article))
        kwargs = {"by": request.user, "expected_version": version}
        if name == "request_changes":
            form = workflow.RequestChangesForm(request.POST)
            if not form.is_valid():
                messages.error(request, " ".join(form.errors["comment"]))
                return redirect(self._change_url(article))
            kwargs["comment"] = form.cleaned_data["comment"]
        elif name == "schedule":
            form = workflow.ScheduleForm(request.POST)
            if not form.is_valid():
                for errors in form.errors.values():
                    messages.error(request, "Not scheduled: " + " ".join(errors))
                return redirect(self._change_url(article))
            kwargs["at"] = form.cleaned_data["at"]
        elif name == "unpublish":
            kwargs["archive"] = request.POST.get("archive") == "1"
        try:
            getattr(article, name)(**kwargs)
        except workflow.TransitionNotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except workflow.StaleArticleError as exc:
            messages.error(
                request, self.stale_transition_message(article, version, transition, exc)
            )
        except workflow.TransitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, self._done_message(article, transition))
        return redirect(self._change_url(article))

    def _done_message(self, article: Article, transition) -> str:
        if article.status == Article.Status.SCHEDULED:
            when = date_format(timezone.localtime(article.publish_at), "j F Y, H:i T")
            return f"“{article.headline}” was scheduled for {when}."
        if article.status == Article.Status.ARCHIVED:
            return f"“{article.headline}” was unpublished and archived."
        return f"“{article.headline}” was {transition.past}."

    def preview_view(self, request, object_id):
        """The article in the site's own template, whatever its status (staff only)."""
        article = self._workflow_article(request, object_id)
        return render_preview(request, article.pk)

    def preview_form_view(self, request, object_id=None):
        """POST from the change (or add) form: what is on the screen, unsaved, in the site's
        own template. It is written inside a transaction that is always rolled back, so the
        page renders with real tags and bylines and nothing is kept."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = None
        if object_id is not None:
            article = self._workflow_article(request, object_id)
            if not self.has_change_permission(request, article):
                raise PermissionDenied
        elif not self.has_add_permission(request):
            raise PermissionDenied
        form_class = self.get_form(request, article, change=article is not None)
        form = form_class(request.POST, request.FILES, instance=article)
        # A preview shows what it can; only a missing section or a slug the rows cannot take
        # (another article's) stops it.
        form.is_valid()
        unsaved = form.instance
        problems = [(form["slug"].label, error) for error in form.errors.get("slug", [])]
        if problems or not unsaved.section_id:
            return private_noindex(
                TemplateResponse(
                    request,
                    "admin/articles/article/preview_unavailable.html",
                    {
                        **self.admin_site.each_context(request),
                        "title": "Nothing to preview yet",
                        "needs_section": not unsaved.section_id,
                        "problems": problems,
                    },
                )
            )
        # Rolled back: no cached page or publication time may change because of it.
        with pagecache.discarded_changes(), transaction.atomic():
            if not unsaved.pk and unsaved.created_by_id is None:
                unsaved.created_by = request.user
            unsaved.save()
            unsaved.tags.set(form.cleaned_data.get("tags") or [])
            Byline.objects.filter(article=unsaved).delete()
            Byline.objects.bulk_create(
                Byline(article=unsaved, author=author, position=position)
                for position, author in enumerate(self._posted_byline_authors(request))
            )
            response = render_preview(request, unsaved.pk)
            transaction.set_rollback(True)
        return response

    def _posted_byline_authors(self, request) -> list[Author]:
        """The byline rows of the posted form, in position order, deleted rows left out."""
        rows = []
        for index in range(int(request.POST.get("bylines-TOTAL_FORMS") or 0)):
            prefix = f"bylines-{index}-"
            author_id = request.POST.get(prefix + "author", "")
            if not author_id.isdigit() or request.POST.get(prefix + "DELETE"):
                continue
            position = request.POST.get(prefix + "position", "")
            rows.append((int(position) if position.isdigit() else index, index, int(author_id)))
        authors = Author.objects.in_bulk([author_id for *_, author_id in rows])
        # An author twice is one byline (the table allows each author once).
        ordered = dict.fromkeys(a for *_, a in sorted(rows) if a in authors)
        return [authors[a] for a in ordered]

    def share_view(self, request, object_id):
        """POST: make a share link for an unpublished article, valid for 1–30 days."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._workflow_article(request, object_id)
        if not request.user.has_perm("articles.add_sharelink"):
            raise PermissionDenied
        form = workflow.ShareLinkForm(request.POST)
        if not form.is_valid():
            messages.error(request, "No link made: " + " ".join(form.errors["days"]))
            return redirect(self._change_url(article))
        try:
            link, token = workflow.create_share_link(
                article, by=request.user, days=form.cleaned_data["days"]
            )
        except workflow.TransitionNotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except workflow.TransitionError as exc:
            messages.error(request, str(exc))
        else:
            url = request.build_absolute_uri(reverse("articles:shared_preview", args=[token]))
            expires = date_format(timezone.localtime(link.expires_at), "j F Y, H:i T")
            messages.success(
                request,
                format_html(
                    'Share link made, valid until {}: <a href="{}">{}</a>', expires, url, url
                ),
            )
        return redirect(self._change_url(article))

    def revoke_share_view(self, request, object_id, link_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._workflow_article(request, object_id)
        link = article.share_links.filter(pk=link_id).first()
        if link is None:
            raise Http404("No such share link.")
        try:
            workflow.revoke_share_link(link, by=request.user)
        except workflow.TransitionNotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        messages.success(request, "The share link was withdrawn; it no longer shows the draft.")
        return redirect(self._change_url(article))

    def _apply_to_each(self, request, queryset, name: str, **kwargs) -> None:
        """Run one transition on every selected article, reporting each one's outcome and,
        for several, a summary."""
        transition = workflow.TRANSITIONS[name]
        done = skipped = 0
        for article in queryset.order_by("pk"):
            # A row changed since the changelist showed it is skipped (ArticleEditingMixin).
            expected = self.version_seen(request, article)
            try:
                getattr(article, name)(by=request.user, expected_version=expected, **kwargs)
            except workflow.StaleArticleError as exc:
                skipped += 1
                messages.warning(request, self.stale_bulk_message(article, expected, exc))
            except workflow.TransitionError as exc:
                skipped += 1
                messages.warning(request, f"Skipped: {exc}")
            else:
                done += 1
                messages.success(request, self._done_message(article, transition))
        if done + skipped > 1:
            messages.info(
                request,
                f"Summary: {done} of {done + skipped} selected articles {transition.past}"
                + (f"; {skipped} skipped." if skipped else "."),
            )

    def _checked(self, queryset) -> list[Article]:
        """The selected articles, each with its pre-publish checks (articles/checks.py)."""
        articles = list(queryset.select_related("section", "hero_image").prefetch_related("tags"))
        for article in articles:
            article.prepublish_checks = checks.prepublish_checks(article)
        return articles

    def _confirm_selected(self, request, queryset, name: str, question: str):
        """The intermediate page of a bulk publish or unpublish: what will happen to which
        articles, with their pre-publish checks, and one button to go ahead."""
        articles = self._checked(queryset) if name == "publish" else list(queryset)
        return TemplateResponse(
            request,
            "admin/articles/article/confirm_selected.html",
            {
                **self.admin_site.each_context(request),
                "title": question,
                "opts": self.opts,
                "articles": articles,
                "action_name": f"{name}_selected",
                "button": workflow.TRANSITIONS[name].label,
                "errors": sum(
                    any(c.is_error for c in getattr(a, "prepublish_checks", [])) for a in articles
                ),
                "warned": sum(
                    any(not c.is_error for c in getattr(a, "prepublish_checks", []))
                    for a in articles
                ),
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "versions_seen": self.versions_seen(request),
            },
        )

    @admin.action(description="Publish selected articles now…", permissions=["publish"])
    def publish_selected(self, request, queryset):
        if "apply" in request.POST:
            self._apply_to_each(request, queryset, "publish")
            return None
        return self._confirm_selected(
            request, queryset, "publish", "Publish these articles now? Readers see them at once."
        )

    @admin.action(description="Unpublish selected articles…", permissions=["unpublish"])
    def unpublish_selected(self, request, queryset):
        if "apply" in request.POST:
            self._apply_to_each(request, queryset, "unpublish")
            return None
        return self._confirm_selected(
            request,
            queryset,
            "unpublish",
            "Unpublish these articles? They leave the site, feeds and search at once.",
        )

    @admin.action(description="Schedule selected articles…", permissions=["schedule"])
    def schedule_selected(self, request, queryset):
        """Asks for a date and time first (an intermediate page), then schedules each."""
        form = workflow.ScheduleForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._apply_to_each(request, queryset, "schedule", at=form.cleaned_data["at"])
            return None
        return TemplateResponse(
            request,
            "admin/articles/article/schedule_selected.html",
            {
                **self.admin_site.each_context(request),
                "title": "Schedule articles",
                "opts": self.opts,
                "articles": self._checked(queryset),
                "form": form,
                "site_time_zone": settings.TIME_ZONE,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "versions_seen": self.versions_seen(request),
            },
        )
