"""ArticleAdmin: the article list, the change form and its one save path, the permission hooks,
and the one table of the admin's extra pages. The views behind those pages are in
workflow_views.py (buttons, preview, share links, bulk actions) and revision_views.py
(history, compare, restore, autosave, presence)."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from admin_forms import TamperProofIdsMixin

from .. import permissions, presence, revisions, search, workflow
from ..models import Article, Author, Autosave, Byline
from ..pagination import CappedPaginator
from .correction_views import CorrectionViews
from .forms import ArticleAdminForm
from .images import thumbnail_html
from .revision_views import AUTOSAVE_SECONDS, RevisionViews
from .workflow_views import WorkflowViews


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
    verbose_name = _("byline")
    verbose_name_plural = _("Bylines (in order: lower positions first)")

    # Bylines follow the article: editable exactly when the article is (permissions.can_edit).
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and (
            obj is None or permissions.can_edit(request.user, obj)
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or permissions.can_edit(request.user, obj)
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or permissions.can_edit(request.user, obj)
        )


class VisibleTagsFilter(admin.RelatedFieldListFilter):
    """The tags sidebar: every tag the user may see, by name. Not "only tags in use" (that
    reads every tagging, a second at 100 000 articles), and not every tag either: a tag only
    on someone else's draft names their story."""

    def field_choices(self, field, request, model_admin):
        tags = permissions.tags_visible_to(request.user, Tag.objects.order_by("name"))
        return tags.values_list("pk", "name")


class ArticleAdmin(
    WorkflowViews, CorrectionViews, RevisionViews, TamperProofIdsMixin, admin.ModelAdmin
):
    form = ArticleAdminForm
    # Status straight after the headline, so it stays in view on a phone.
    list_display = [
        "headline",
        "status",
        "byline_names",
        "section",
        "publish_at",
        "embargo_until",
        "updated_at",
        "thumbnail",
    ]
    list_filter = ["status", "section", ("tags", VisibleTagsFilter), "authors"]
    list_select_related = ["section", "hero_image"]
    list_per_page = 50
    # Counting every match of a common word reads thousands of rows at 100 000 articles: the
    # list counts up to `count_cap` and then says "1,000+" (pagination.CappedPaginator), and
    # skips the second count of everything Django makes to show "(100 000 total)".
    count_cap = 1000
    show_full_result_count = False
    # Declared so the admin shows its search box; get_search_results does the searching.
    search_fields = ["headline", "standfirst", "body", "authors__name"]
    search_help_text = _("Searches headlines, standfirsts, bodies, tags and bylines.")
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
        (_("Hero image"), {"fields": ["hero_image", "hero_preview"]}),
        (
            _("Publishing"),
            {
                "fields": [
                    "status",
                    "publish_at",
                    "embargo_until",
                    "first_published_at",
                    "updated_at",
                ]
            },
        ),
        ("Source", {"fields": ["credit_line"]}),
        (
            _("Search engines"),
            {"fields": ["seo_title", "seo_description"], "classes": ["collapse"]},
        ),
    ]
    actions = ["publish_selected", "schedule_selected", "unpublish_selected"]

    # --- saving: the version claim, the revision, then the workflow button's step ----------------

    def save_model(self, request, obj, form, change):
        if change:
            # The atomic version claim: a save based on an older version is refused.
            revisions.claim_version(obj, form.cleaned_data.get("expected_version"))
        elif obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A revision once tags and bylines are saved too.
        revisions.record_revision(form.instance, author=request.user)
        # What was typed is saved now; an older autosave would only offer stale text.
        Autosave.objects.filter(article=form.instance, user=request.user).delete()
        action = form.cleaned_data.get("workflow_action")
        if action:
            form.instance.workflow_outcome = self.apply_workflow_step(
                request, form.instance, action, form.workflow_inputs()
            )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except revisions.EditConflict:
            # Another save committed between our form validation and our version claim (the
            # claim is the real guard). Everything this request wrote was rolled back; validating
            # again now sees the new version and shows the conflict with the input kept.
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        visible_tags = permissions.tags_visible_to(request.user, Tag.objects.all())
        autosave = None
        if change and request.method == "GET" and request.GET.get("restore") == "autosave":
            autosave = Autosave.objects.filter(article=obj, user=request.user).first()

        class ScopedForm(form_class):
            """Offers and accepts only the tags this user may see (the form declares the field,
            so formfield_for_manytomany never sees it). Restoring an autosave, it starts as the
            editor left it and claims the version the typing started from, so if someone saved
            since, saving shows their changes first. Only a superuser may lift an embargo."""

            may_lift_embargo = request.user.is_superuser

            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                if autosave is not None:
                    self.initial.update(autosave.data)
                    self.initial["expected_version"] = autosave.version
                if "tags" in self.fields:
                    self.fields["tags"].queryset = visible_tags

        return ScopedForm

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context["adminform"].form
        context["error_links"] = self.error_links(form, context.get("inline_admin_formsets", []))
        context["expected_version_field"] = form["expected_version"]
        context["edit_conflict"] = getattr(form, "conflict", None)
        context["edit_conflict_revision"] = getattr(form, "conflict_revision", None)
        if obj is not None and obj.pk:
            if request.method == "GET":
                revisions.ensure_baseline(obj)
            context["presence_others"] = presence.check_in(obj.pk, request.user)
            context["presence_url"] = self._url("presence", obj.pk)
            context["presence_interval"] = presence.HEARTBEAT_SECONDS
            context["revisions_url"] = self._url("revisions", obj.pk)
            context["latest_revision"] = revisions.latest_revision(obj)
            if self.has_change_permission(request, obj):
                context["autosave_url"] = self._url("autosave", obj.pk)
                context["autosave_interval"] = AUTOSAVE_SECONDS
                if request.method == "GET" and "restore" not in request.GET:
                    context["autosave"] = Autosave.objects.filter(
                        article=obj, user=request.user
                    ).first()
        return super().render_change_form(request, context, add, change, form_url, obj)

    def error_links(self, form, inline_formsets) -> list[tuple[str, str, str]]:
        """(anchor, label, first error) for every field that failed, the bylines' included,
        for the summary at the top of the form."""
        links = [
            (field.id_for_label, str(field.label), field.errors[0])
            for field in form
            if field.errors
        ]
        for inline in inline_formsets:
            formset = inline.formset
            name = str(formset.model._meta.verbose_name).capitalize()
            if formset.non_form_errors():
                links.append((f"{formset.prefix}-group", name, formset.non_form_errors()[0]))
            for number, row in enumerate(formset.forms, start=1):
                links += [
                    (
                        field.id_for_label,
                        gettext("%(name)s %(number)d, %(field)s")
                        % {"name": name, "number": number, "field": str(field.label).lower()},
                        field.errors[0],
                    )
                    for field in row
                    if field.errors
                ]
        return links

    def _workflow_response(self, request, obj):
        level, text = obj.workflow_outcome
        messages.add_message(request, level, text)
        return redirect(self._url("change", obj.pk))

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

    # --- the list --------------------------------------------------------------------------------

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

            def get_results(self, request):
                super().get_results(request)
                # The templates say "1,000+" and "select all matching" when this is true.
                self.count_capped = self.paginator.capped

        return ArticleChangeList

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        return CappedPaginator(
            queryset, per_page, orphans, allow_empty_first_page, cap=self.count_cap
        )

    def get_list_filter(self, request):
        """While searching, the short filters only: the lists of every tag and every author
        cost more to draw than the search itself, and the search already reads tags and
        bylines. A filter in use stays, so it can be seen and cleared."""
        if not request.GET.get("q", "").strip():
            return self.list_filter
        kept = {"status", "section", *(param.split("__")[0] for param in request.GET)}
        return [
            spec
            for spec in self.list_filter
            if (spec[0] if isinstance(spec, tuple) else spec) in kept
        ]

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return search.admin_search(queryset, search_term), False

    def get_queryset(self, request):
        # Reporters see their own articles only (permissions.visible_to); editors see all.
        queryset = (
            super()
            .get_queryset(request)
            .prefetch_related("hero_image__renditions", "bylines__author")
        )
        return permissions.visible_to(request.user, queryset)

    @admin.display(description=_("Photo"))
    def thumbnail(self, article: Article) -> str:
        return thumbnail_html(article.hero_image, width=64)

    @admin.display(description=_("By"))
    def byline_names(self, article: Article) -> str:
        return ", ".join(author.name for author in article.byline_authors) or "–"

    def action_checkbox(self, obj):
        # Each row posts the version it showed with a bulk action, so an article changed after
        # the list was rendered is refused like a stale change form (see `version_seen`).
        # Django's own checkbox is the same markup through a widget template: 1 ms a row.
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">'
            '<input type="hidden" name="version_{}" value="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            format_html(gettext("Select this object for an action - {}"), str(obj)),
            obj.pk,
            obj.version,
        )

    def versions_seen(self, request) -> dict[str, str]:
        """Every `version_<pk>` a changelist posted, to carry through an intermediate page."""
        return {name: value for name, value in request.POST.items() if name.startswith("version_")}

    def version_seen(self, request, article: Article) -> int | None:
        """The version of `article` the changelist showed, or None for a row it never showed
        ("select all" across pages): those are acted on as they are now, as Django does."""
        try:
            return int(request.POST[f"version_{article.pk}"])
        except (KeyError, ValueError):
            return None

    # --- the form's fields -----------------------------------------------------------------------

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "hero_image":
            # A posted id of someone else's unpublished photo is refused like any bad choice.
            kwargs.setdefault("queryset", permissions.images_visible_to(request.user))
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "hero_image":
            # static/js/article_form.js shows a thumbnail beside each image the chooser offers.
            url = reverse("admin:articles_image_thumbnail", args=[0]).replace("/0/", "/{id}/")
            field.widget.attrs["data-thumbnail-url"] = url
        return field

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

    @admin.display(description=_("Body"))
    def rendered_body(self, article: Article) -> str:
        # Article.save() sanitises the body, so it is safe to render as the site does.
        return format_html('<div class="readonly-body">{}</div>', mark_safe(article.body))

    @admin.display(description=_("Preview"))
    def hero_preview(self, article: Article) -> str:
        if not article.hero_image:
            return "–"
        return format_html(
            '<img src="{}" alt="" style="max-width:320px;height:auto">', article.hero_image.file.url
        )

    # --- who may do what (articles/permissions.py decides) ---------------------------------------

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (
            obj is None or permissions.can_see(request.user, obj)
        )

    def has_change_permission(self, request, obj=None):
        # Reporters edit their own drafts only; once submitted the article is read-only to
        # them until changes are requested. Editors edit everything, live included.
        return super().has_change_permission(request, obj) and (
            obj is None or permissions.can_edit(request.user, obj)
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or request.user.has_perm(permissions.EDIT_ANY)
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

    # --- pages: one URL table, one object loader -------------------------------------------------

    def _url_name(self, view: str) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_{view}"

    def _url(self, view: str, *args) -> str:
        return reverse(f"admin:{self._url_name(view)}", args=args)

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
                "<path:object_id>/lift-hold/",
                wrap(self.lift_hold_view),
                name="articles_article_lift_hold",
            ),
            path(
                "<path:object_id>/corrections/add/",
                wrap(self.correction_add_view),
                name="articles_article_correction_add",
            ),
            path(
                "<path:object_id>/corrections/<int:entry_id>/approve/",
                wrap(self.correction_approve_view),
                name="articles_article_correction_approve",
            ),
            path(
                "<path:object_id>/corrections/<int:entry_id>/remove/",
                wrap(self.correction_remove_view),
                name="articles_article_correction_remove",
            ),
            path(
                "<path:object_id>/share/<int:link_id>/revoke/",
                wrap(self.revoke_share_view),
                name="articles_article_revoke_share",
            ),
            path(
                "<path:object_id>/revisions/",
                wrap(self.revisions_view),
                name=self._url_name("revisions"),
            ),
            path(
                "<path:object_id>/revisions/compare/",
                wrap(self.revision_compare_view),
                name=self._url_name("revision_compare"),
            ),
            path(
                "<path:object_id>/revisions/<int:revision_id>/",
                wrap(self.revision_view),
                name=self._url_name("revision"),
            ),
            path(
                "<path:object_id>/revisions/<int:revision_id>/restore/",
                wrap(self.revision_restore_view),
                name=self._url_name("revision_restore"),
            ),
            path(
                "<path:object_id>/autosave/",
                wrap(self.autosave_view),
                name=self._url_name("autosave"),
            ),
            path(
                "<path:object_id>/presence/",
                wrap(self.presence_view),
                name=self._url_name("presence"),
            ),
            *super().get_urls(),
        ]

    def article_for(self, request, object_id) -> Article:
        """The article a custom view acts on: 404 when it does not exist or this user may not
        know of it (a reporter and a colleague's draft), 403 when they may not open it."""
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404("No such article, or not one of yours.")
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        return article

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
                gettext(
                    "You can't open this article: it is not one of yours. Ask an editor if you "
                    "need to see it."
                ),
            )
            return redirect("admin:index")
        if article is not None and self.has_view_permission(request, article):
            extra_context = {
                **(extra_context or {}),
                **self.workflow_context(request, article),
                **self.corrections_context(request, article),
            }
            if self.has_change_permission(request, article):
                # The buttons are part of the change form: they save what is typed first.
                extra_context["workflow_in_form"] = extra_context["workflow_transitions"]
        return super().change_view(request, object_id, form_url, extra_context)
