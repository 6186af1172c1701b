"""Newsletters and their editions in the admin. Reporters see neither (no permission); editors
compose, preview and send. A frozen edition (sending started) is read-only on every path."""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import editions
from ..forms import EditionAdminForm, EditionArticleForm, EditionScheduleForm, NewEditionForm
from ..models import Edition, EditionArticle, Newsletter, Subscriber
from ..tasks import schedule_digests
from .edition_views import EditionViewsMixin


@admin.register(Newsletter)
class NewsletterAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_default", "cadence", "digest_time", "subscriber_count"]
    list_filter = ["cadence", "is_default"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (
            None,
            {"fields": ["name", "slug", "description", "sender_name", "is_default", "position"]},
        ),
        (
            _("Automatic digest"),
            {
                "fields": [
                    "cadence",
                    "send_time",
                    "weekday",
                    "digest_auto_send",
                    "digest_max_articles",
                ],
                "description": format_lazy(
                    _("Times are on the newsroom's clock ({zone})."), zone=settings.TIME_ZONE
                ),
            },
        ),
    ]

    def get_queryset(self, request):
        confirmed = Q(
            subscriptions__left_at__isnull=True,
            subscriptions__subscriber__status=Subscriber.Status.CONFIRMED,
        )
        return (
            super().get_queryset(request).annotate(_subscribers=Count("subscriptions", confirmed))
        )

    def get_readonly_fields(self, request, obj=None):
        # Sent editions' web versions live under the slug, linked from every email.
        if obj is not None and obj.editions.filter(started_at__isnull=False).exists():
            return ["slug"]
        return []

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj is not None else self.prepopulated_fields

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.cadence != Newsletter.Cadence.MANUAL:
            transaction.on_commit(schedule_digests)

    @admin.display(description=_("confirmed subscribers"), ordering="_subscribers")
    def subscriber_count(self, newsletter: Newsletter) -> int:
        return newsletter._subscribers

    @admin.display(description=_("digest at"))
    def digest_time(self, newsletter: Newsletter) -> str:
        if newsletter.cadence == Newsletter.Cadence.MANUAL or newsletter.send_time is None:
            return "–"
        day = newsletter.get_weekday_display() if newsletter.weekday is not None else "Daily"
        if newsletter.cadence == Newsletter.Cadence.DAILY:
            day = "Daily"
        return f"{day} {newsletter.send_time:%H:%M}"


class EditionArticleInline(admin.TabularInline):
    model = EditionArticle
    form = EditionArticleForm
    extra = 0
    classes = ["edition-stories"]
    autocomplete_fields = ["article"]
    fields = ["position", "article", "story"]
    readonly_fields = ["story"]
    verbose_name = _("story")
    verbose_name_plural = _("Stories (in order: lower positions first; only live stories)")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "article":
            # Pick a story here; editing or adding articles happens on their own pages.
            field.widget.can_add_related = False
            field.widget.can_change_related = False
            field.widget.can_view_related = False
        return field

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("article__hero_image", "article__section")
            .prefetch_related("article__hero_image__renditions")
        )

    @admin.display(description=_("As readers see it"))
    def story(self, item: EditionArticle) -> str:
        if not item.pk:
            return "–"
        article = item.article
        image = article.hero_image
        thumb = ""
        if image is not None and image.file:
            smallest = next((r for r in image.renditions.all() if r.format == "webp"), None)
            thumb = format_html(
                '<img src="{}" alt="" class="edition-story__thumb">',
                smallest.file.url if smallest else image.file.url,
            )
        warning = (
            ""
            if article.is_live
            else format_html(
                '<strong class="edition-story__gone">{}</strong> ',
                gettext("No longer live: it will be left out."),
            )
        )
        return format_html(
            '<div class="edition-story">{}<div>{}<strong>{}</strong>'
            '<span class="edition-story__standfirst">{}</span></div></div>',
            thumb,
            warning,
            article.headline,
            article.standfirst,
        )

    # The stories follow the edition: editable exactly while its content is.
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and (obj is None or not obj.is_frozen)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or not obj.is_frozen)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or not obj.is_frozen)


class SendingStarted(Exception):
    """The edition froze (sending started) between the change form's read and its save."""


@admin.register(Edition)
class EditionAdmin(EditionViewsMixin, admin.ModelAdmin):
    form = EditionAdminForm
    inlines = [EditionArticleInline]
    list_display = ["subject", "newsletter", "status_badge", "when", "recipients"]
    list_filter = ["status", "newsletter"]
    list_select_related = ["newsletter"]
    search_fields = ["subject", "preheader"]
    date_hierarchy = "created_at"
    readonly_fields = ["rendered_intro", "status", "scheduled_at", "started_at", "finished_at"]

    def get_fieldsets(self, request, obj=None):
        content = ["newsletter", "subject", "preheader", "intro"]
        if obj is not None and not self.has_change_permission(request, obj):
            content = ["newsletter", "subject", "preheader", "rendered_intro"]
        fieldsets = [(None, {"fields": content})]
        if obj is not None and obj.status != Edition.Status.DRAFT:
            fieldsets.append(
                ("Sending", {"fields": ["status", "scheduled_at", "started_at", "finished_at"]})
            )
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.pk and obj.status != Edition.Status.DRAFT:
            # A scheduled edition may still be edited, but not moved to another newsletter.
            return [*self.readonly_fields, "newsletter"]
        return self.readonly_fields

    def get_changeform_initial_data(self, request):
        default = Newsletter.objects.default()
        return {
            "newsletter": default.pk if default else None,
            **super().get_changeform_initial_data(request),
        }

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "newsletter" and field is not None:
            # Newsletters are set up on their own page, not from inside an edition.
            field.widget.can_add_related = False
            field.widget.can_change_related = False
            field.widget.can_view_related = False
        return field

    def get_actions(self, request):
        # The bulk delete asks no edition whether it may go: a sent one (and its delivery
        # record) must not. Drafts are deleted one at a time from their page.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_view_on_site_url(self, obj=None):
        # Readers can read an edition on the web only while and once it goes out.
        if obj is None or obj.started_at is None or obj.status not in editions.ON_THE_WEB:
            return None
        return super().get_view_on_site_url(obj)

    def has_change_permission(self, request, obj=None):
        # Once sending has started the content is frozen, for everyone, on every path.
        return super().has_change_permission(request, obj) and (obj is None or not obj.is_frozen)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or not obj.is_frozen)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except SendingStarted:
            # Raised inside the admin's transaction: nothing of the POST was saved.
            messages.error(
                request,
                gettext(
                    "Sending started while you were editing, so the edition's content is frozen "
                    "and your changes were not saved."
                ),
            )
            return redirect(request.path)

    def save_model(self, request, obj, form, change):
        if change:
            # The form was checked against a copy read without a lock: a send may have started
            # (or the edition been scheduled or unscheduled) since. Decide on the locked row,
            # and keep its sending state: a full save from the stale copy would put a sending
            # edition back to draft with no rendered content, and its workers would stop.
            current = Edition.objects.select_for_update().filter(pk=obj.pk).first()
            if current is None or current.is_frozen:
                raise SendingStarted
            obj.status, obj.scheduled_at = current.status, current.scheduled_at
            obj.started_by_id = current.started_by_id
        elif obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        if obj.digest_for is None:
            return super().delete_model(request, obj)
        # A digest's row holds its slot: deleted, the next builder run (cron, minutes later)
        # would make it again. Cancelled, it stays out of the way.
        Edition.objects.filter(pk=obj.pk).update(
            status=Edition.Status.CANCELLED, finished_at=timezone.now()
        )
        request.digest_cancelled = True

    def response_delete(self, request, obj_display, obj_id):
        if getattr(request, "digest_cancelled", False):
            messages.info(
                request,
                gettext(
                    "The digest “%(edition)s” was cancelled rather than deleted, so the digest "
                    "builder does not make it again."
                )
                % {"edition": obj_display},
            )
            return redirect("admin:newsletter_edition_changelist")
        return super().response_delete(request, obj_display, obj_id)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        editions.renumber(form.instance)

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, edition: Edition) -> str:
        return format_html(
            '<span class="status-badge status-badge--{}">{}</span>',
            edition.status,
            edition.get_status_display(),
        )

    @admin.display(description=_("when"))
    def when(self, edition: Edition):
        if edition.started_at:
            return edition.started_at
        return edition.scheduled_at or "–"

    @admin.display(description=_("recipients"), ordering="recipient_count")
    def recipients(self, edition: Edition):
        return edition.recipient_count if edition.started_at else "–"

    @admin.display(description=_("Intro"))
    def rendered_intro(self, edition: Edition) -> str:
        # Edition.save() sanitises the intro, so it is safe to render as the email does.
        return format_html('<div class="readonly-body">{}</div>', mark_safe(edition.intro))

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "new_edition_form": NewEditionForm(
                auto_id="new_edition_%s", initial={"newsletter": Newsletter.objects.default()}
            )
            if self.has_add_permission(request)
            else None,
        }
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        edition = self.get_object(request, unquote(object_id))
        if edition is not None and self.has_view_permission(request, edition):
            extra_context = {**(extra_context or {}), **self.send_context(request, edition)}
        return super().change_view(request, object_id, form_url, extra_context)

    def send_context(self, request, edition: Edition) -> dict:
        """What the change form's send panel shows: state, buttons, progress, warnings."""
        gone = editions.not_live_items(edition) if not edition.is_frozen else []
        return {
            "send_actions": editions.allowed_actions(edition, request.user),
            "schedule_form": EditionScheduleForm(auto_id="schedule_%s"),
            "can_test": self.can_send_test(request, edition) and bool(request.user.email),
            "not_live": [item.article.headline for item in gone],
            "story_count": edition.items.count(),
            "progress": self.progress_of(edition),
            "site_time_zone": settings.TIME_ZONE,
        }
