"""The admin side of editing without loss: version-checked saves, revisions and who else is here.

`ArticleEditingMixin` goes in front of `admin.ModelAdmin` in ArticleAdmin's bases. It hooks in
through ModelAdmin's own doors: `form` (rich-text body and the hidden `expected_version`),
`save_model` (the atomic version claim), `save_related` (a revision once tags and bylines are
saved), `changeform_view` (a lost race re-renders as a conflict, not a 500),
`render_change_form` (presence and conflict details), `action_checkbox` (each changelist row posts
the version it showed) and `get_urls` (history, revision, compare, restore, heartbeat).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString

from admin_forms import is_valid_id

from . import presence, revisions
from .forms import ArticleAdminForm, changed_since
from .models import Article, Autosave, Revision

# How often the change form sends what is typed to the server (static/js/article_form.js).
AUTOSAVE_SECONDS = 30
# The change form's fields an autosave keeps (the bylines table is not among them).
AUTOSAVED_FIELDS = [*ArticleAdminForm.Meta.fields, "new_tags"]


class ArticleEditingMixin:
    form = ArticleAdminForm

    # --- saving ------------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if change:
            revisions.claim_version(obj, form.cleaned_data.get("expected_version"))
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        revisions.record_revision(form.instance, author=request.user)
        # What was typed is saved now; an older autosave would only offer stale text.
        Autosave.objects.filter(article=form.instance, user=request.user).delete()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        if not (change and request.method == "GET" and request.GET.get("restore") == "autosave"):
            return form_class
        autosave = Autosave.objects.filter(article=obj, user=request.user).first()
        if autosave is None:
            return form_class

        class RestoredForm(form_class):
            """The form as the editor left it. It claims the version the typing started
            from, so if someone saved since, saving shows their changes first."""

            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.initial.update(autosave.data)
                self.initial["expected_version"] = autosave.version

        return RestoredForm

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except revisions.EditConflict:
            # Another save committed between our form validation and our version claim (the
            # claim is the real guard). Everything this request wrote was rolled back; validating
            # again now sees the new version and shows the conflict with the input kept.
            return super().changeform_view(request, object_id, form_url, extra_context)

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
                        f"{name} {number}, {str(field.label).lower()}",
                        field.errors[0],
                    )
                    for field in row
                    if field.errors
                ]
        return links

    # --- transitions and bulk actions from a stale page ----------------------------------------

    def action_checkbox(self, obj):
        # Each row posts the version it showed with a bulk action, so an article changed after
        # the list was rendered is refused like a stale change form (see `version_seen`).
        return format_html(
            '{}<input type="hidden" name="version_{}" value="{}">',
            super().action_checkbox(obj),
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

    def _changed_since(self, article: Article, expected: int) -> tuple[str, str]:
        """Who moved the article past `expected` and when, and where to see what changed."""
        latest = revisions.latest_revision(article)
        started = revisions.revision_at(article, expected)
        if latest and started and latest.pk != started.pk:
            query = urlencode({"from": started.pk, "to": latest.pk})
            url = f"{self._url('revision_compare', article.pk)}?{query}"
        else:
            url = self._url("revisions", article.pk)
        return changed_since(article, latest, expected), url

    def stale_transition_message(
        self, article: Article, expected: int, transition, error: Exception
    ) -> SafeString | str:
        article.refresh_from_db(fields=["headline", "version"])
        if expected >= article.version:
            return str(error)  # not an older page: a made-up version names nobody
        changed, url = self._changed_since(article, expected)
        return format_html(
            '{}, after you opened it, so it was not {}. <a href="{}">See what changed</a>, '
            "then try again.",
            changed,
            transition.past,
            url,
        )

    def stale_bulk_message(self, article: Article, expected: int, error: Exception) -> SafeString:
        article.refresh_from_db(fields=["headline", "version"])
        if expected >= article.version:
            return f"Skipped: {error}"
        changed, url = self._changed_since(article, expected)
        return format_html(
            '“{}” was skipped: {}, after the list was shown. <a href="{}">See what changed</a>, '
            "then try again.",
            article.headline,
            changed,
            url,
        )

    # --- extra views -------------------------------------------------------------------------

    def _url_name(self, view: str) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_{view}"

    def _url(self, view: str, *args) -> str:
        return reverse(f"admin:{self._url_name(view)}", args=args)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
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

    def _article_for(self, request, object_id: str) -> Article:
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404("No such article.")
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        return article

    def _context(self, request, article: Article, title: str, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": title,
            "revisions_url": self._url("revisions", article.pk),
            "change_url": self._url("change", article.pk),
            "can_restore": self.has_change_permission(request, article),
            **extra,
        }

    @property
    def _templates(self) -> str:
        return f"admin/{self.opts.app_label}/{self.opts.model_name}"

    def history_view(self, request, object_id, extra_context=None):
        # One history per article: Django's own "History" button leads to the timeline.
        article = self._article_for(request, object_id)
        return HttpResponseRedirect(self._url("revisions", article.pk))

    def revisions_view(self, request, object_id):
        """The article's one timeline: saves (with what each changed), workflow steps and
        share links, newest first; pick two saves to compare."""
        article = self._article_for(request, object_id)
        history = list(
            article.revisions.select_related("author", "restored_from").order_by("-version", "-pk")[
                :200
            ]
        )
        events = list(article.events.select_related("actor")[:200])
        revisions.label_for_readers(history, events)
        for newer, older in zip(history, [*history[1:], None], strict=True):
            newer.summary = revisions.change_summary(older, newer)
        timeline = [("save", r.created_at, r) for r in history]
        timeline += [("step", e.at, e) for e in events]
        timeline += [
            ("share", link.created_at, link)
            for link in article.share_links.select_related("created_by")[:50]
        ]
        timeline.sort(key=lambda row: row[1], reverse=True)
        context = self._context(
            request,
            article,
            f"History of “{article.headline}”",
            revisions=history,
            timeline=timeline,
        )
        return TemplateResponse(request, f"{self._templates}/revisions.html", context)

    def revision_view(self, request, object_id, revision_id):
        article = self._article_for(request, object_id)
        revision = get_object_or_404(
            Revision.objects.select_related("author"), pk=revision_id, article=article
        )
        latest = revisions.latest_revision(article)
        diff = revisions.diff_revisions(revision, latest) if latest else None
        newer = article.revisions.filter(version__gt=revision.version).order_by("version").first()
        revisions.label_for_readers(
            [revision] if newer is None else [newer, revision], article.events.all()
        )
        context = self._context(
            request,
            article,
            f"Version {revision.version} of “{article.headline}”",
            revision=revision,
            latest=latest,
            diff_to_latest=diff,
            current_version=article.version,
        )
        return TemplateResponse(request, f"{self._templates}/revision_detail.html", context)

    def revision_compare_view(self, request, object_id):
        article = self._article_for(request, object_id)
        try:
            ids = int(request.GET["from"]), int(request.GET["to"])
            if not all(is_valid_id(Revision._meta.pk, pk) for pk in ids):
                raise ValueError("Not a revision id.")
        except (KeyError, ValueError):
            messages.error(request, "Choose two revisions to compare.")
            return HttpResponseRedirect(self._url("revisions", article.pk))
        found = {
            r.pk: r
            for r in Revision.objects.select_related("author").filter(pk__in=ids, article=article)
        }
        if len(found) != len(set(ids)):
            raise Http404("No such revision of this article.")
        old, new = sorted((found[ids[0]], found[ids[1]]), key=lambda r: (r.version, r.pk))
        latest = revisions.latest_revision(article)
        context = self._context(
            request,
            article,
            f"Changes from version {old.version} to {new.version}",
            diff=revisions.diff_revisions(old, new),
            restorable=[r for r in (old, new) if latest is None or r.pk != latest.pk],
            current_version=article.version,
        )
        return TemplateResponse(request, f"{self._templates}/revision_compare.html", context)

    def revision_restore_view(self, request, object_id, revision_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._article_for(request, object_id)
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        revision = get_object_or_404(Revision, pk=revision_id, article=article)
        try:
            expected = int(request.POST.get("expected_version", ""))
        except ValueError:
            expected = None
        stale = expected != article.version
        if article.is_live and not stale and request.POST.get("confirmed") != "1":
            # Readers see a restore of a live story at once: say so, show what changes for
            # them, and ask again. Nothing is restored until the editor confirms.
            latest = revisions.latest_revision(article)
            context = self._context(
                request,
                article,
                f"Restore version {revision.version} of a live article?",
                revision=revision,
                expected_version=expected,
                diff=revisions.diff_revisions(latest, revision) if latest else None,
                public_url=article.get_absolute_url(),
            )
            return TemplateResponse(
                request, f"{self._templates}/revision_restore_confirm.html", context
            )
        try:
            restored = revisions.restore_revision(
                revision, by=request.user, expected_version=expected
            )
        except revisions.EditConflict:
            changed = (
                changed_since(article, revisions.latest_revision(article), expected)
                if expected is not None
                else "Someone changed this article"
            )
            messages.error(
                request,
                f"{changed}, after you opened this page, so nothing was restored. Check the "
                "version below against the current one and try again.",
            )
            return HttpResponseRedirect(self._url("revision", article.pk, revision.pk))
        self.log_change(request, article, f"Restored version {revision.version}.")
        messages.success(
            request,
            f"Version {revision.version} was restored; it is now version {restored.version}.",
        )
        return HttpResponseRedirect(self._url("change", article.pk))

    def autosave_view(self, request, object_id):
        """POST from the change form: keep what is typed (or, with `discard`, forget it).
        Nothing on the article changes, so readers and the revision history never see it."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._article_for(request, object_id)
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        if request.POST.get("discard"):
            Autosave.objects.filter(article=article, user=request.user).delete()
            messages.info(request, "The autosaved changes were discarded.")
            return HttpResponseRedirect(self._url("change", article.pk))
        try:
            version = int(request.POST.get("expected_version", ""))
        except ValueError:
            version = article.version
        data = {
            name: request.POST.getlist(name) if name == "tags" else request.POST.get(name, "")
            for name in AUTOSAVED_FIELDS
            if name in request.POST
        }
        autosave, _ = Autosave.objects.update_or_create(
            article=article,
            user=request.user,
            defaults={"version": version, "data": data, "saved_at": timezone.now()},
        )
        return JsonResponse(
            {"saved_at": date_format(timezone.localtime(autosave.saved_at), "H:i:s")}
        )

    def presence_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._article_for(request, object_id)
        if request.POST.get("leave"):
            presence.check_out(article.pk, request.user)
            return JsonResponse({"others": []})
        editors = presence.check_in(article.pk, request.user)
        return JsonResponse(
            {
                "others": [
                    {
                        "name": editor.name,
                        "since": date_format(timezone.localtime(editor.since), "H:i"),
                    }
                    for editor in editors
                ]
            }
        )
