"""ArticleAdmin's workflow views: the change form's transition buttons, preview (saved and
unsaved), share links and the bulk actions, each checking permission and state again whatever
the buttons showed. Mixed into ArticleAdmin (articles.py), whose `article_for` loads the
article, `_url` names its pages and `version_seen` reads what a changelist showed."""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from newsroom import pagecache

from .. import checks, holds, revisions, sharing, workflow
from ..forms import RequestChangesForm, ScheduleForm, ShareLinkForm
from ..models import Article, Author, Byline
from ..views import private_noindex, render_preview
from .forms import changed_since


class WorkflowViews:
    # --- the panel and the buttons on the change form --------------------------------------

    def workflow_context(self, request, article: Article) -> dict:
        """What the change form's workflow panel shows: buttons, history, share links."""
        user = request.user
        can_share = user.has_perm("articles.add_sharelink") and not article.is_live
        share_links = []
        if user.has_perm("articles.view_sharelink"):
            for link in article.share_links.all()[:10]:
                link.url = request.build_absolute_uri(
                    reverse("articles:shared_preview", args=[sharing.share_token(link)])
                )
                share_links.append(link)
        return {
            "workflow_transitions": [t.name for t in workflow.allowed_transitions(user, article)],
            "may_lift_hold": bool(article.publication_hold) and holds.may_lift(user, article),
            "workflow_events": article.events.select_related("actor")[:50],
            "request_changes_form": RequestChangesForm(auto_id="workflow_%s"),
            "schedule_form": ScheduleForm(auto_id="workflow_%s"),
            "share_form": ShareLinkForm(auto_id="workflow_%s") if can_share else None,
            "share_links": share_links,
            "can_revoke_share": user.has_perm("articles.change_sharelink"),
            "site_time_zone": settings.TIME_ZONE,
        }

    def transition_view(self, request, object_id, name):
        """POST from a change-form button; re-checks permission and state under the lock."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        transition = workflow.TRANSITIONS.get(name)
        if transition is None:
            raise Http404("No such transition.")
        article = self.article_for(request, object_id)
        if not request.user.has_perm(transition.permission):
            raise PermissionDenied
        try:
            version = int(request.POST["version"])
        except (KeyError, ValueError):
            messages.error(request, gettext("This page is out of date: reload it and try again."))
            return redirect(self._url("change", article.pk))
        kwargs = {"by": request.user, "expected_version": version}
        if transition.form_class is not None:
            form = transition.form_class(request.POST)
            if not form.is_valid():
                for errors in form.errors.values():
                    messages.error(request, form.refusal % {"errors": " ".join(errors)})
                return redirect(self._url("change", article.pk))
            kwargs.update(form.transition_kwargs())
        try:
            workflow.ACTIONS[name](article, **kwargs)
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
        return redirect(self._url("change", article.pk))

    def lift_hold_view(self, request, object_id):
        """POST from the hold notice on the change form: lift the publication hold."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self.article_for(request, object_id)
        try:
            holds.lift(article, by=request.user)
        except holds.LiftNotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except holds.HoldError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                gettext("The hold on “%(headline)s” was lifted: it can be published.")
                % {"headline": article.headline},
            )
        return redirect(self._url("change", article.pk))

    def apply_workflow_step(self, request, article: Article, name: str, inputs: dict):
        """The transition a change-form button asked for, with what the form gathered for it
        (ArticleAdminForm.workflow_inputs), applied to the version just saved (so it goes
        through the same version check). Returns (message level, text)."""
        transition = workflow.TRANSITIONS[name]
        try:
            workflow.ACTIONS[name](
                article, by=request.user, expected_version=article.version, **inputs
            )
        except workflow.TransitionError as exc:
            return messages.ERROR, gettext(
                "Your changes were saved, but not %(past)s: %(reason)s"
            ) % {"past": transition.past, "reason": exc}
        done = self._done_message(article, transition)
        return messages.SUCCESS, gettext("Your changes were saved. %(done)s") % {"done": done}

    def _done_message(self, article: Article, transition) -> str:
        if article.status == Article.Status.SCHEDULED:
            when = date_format(timezone.localtime(article.publish_at), "j F Y, H:i T")
            return gettext("“%(headline)s” was scheduled for %(when)s.") % {
                "headline": article.headline,
                "when": when,
            }
        if article.status == Article.Status.ARCHIVED:
            return gettext("“%(headline)s” was unpublished and archived.") % {
                "headline": article.headline
            }
        return gettext("“%(headline)s” was %(past)s.") % {
            "headline": article.headline,
            "past": transition.past,
        }

    # --- refusals of a stale page ---------------------------------------------------------

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
            gettext(
                '{changed}, after you opened it, so it was not {past}. <a href="{url}">See what '
                "changed</a>, then try again."
            ),
            changed=changed,
            past=transition.past,
            url=url,
        )

    def stale_bulk_message(self, article: Article, expected: int, error: Exception) -> SafeString:
        article.refresh_from_db(fields=["headline", "version"])
        if expected >= article.version:
            return gettext("Skipped: %(reason)s") % {"reason": error}
        changed, url = self._changed_since(article, expected)
        return format_html(
            gettext(
                '“{headline}” was skipped: {changed}, after the list was shown. <a href="{url}">'
                "See what changed</a>, then try again."
            ),
            headline=article.headline,
            changed=changed,
            url=url,
        )

    # --- preview and share links ----------------------------------------------------------

    def preview_view(self, request, object_id):
        """The article in the site's own template, whatever its status (staff only)."""
        article = self.article_for(request, object_id)
        return render_preview(request, article.pk)

    def preview_form_view(self, request, object_id=None):
        """POST from the change (or add) form: what is on the screen, unsaved, in the site's
        own template. It is written inside a transaction that is always rolled back, so the
        page renders with real tags and bylines and nothing is kept."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = None
        if object_id is not None:
            article = self.article_for(request, object_id)
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
                        "title": gettext("Nothing to preview yet"),
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
        article = self.article_for(request, object_id)
        if not request.user.has_perm("articles.add_sharelink"):
            raise PermissionDenied
        form = ShareLinkForm(request.POST)
        if not form.is_valid():
            messages.error(
                request,
                gettext("No link made: %(errors)s") % {"errors": " ".join(form.errors["days"])},
            )
            return redirect(self._url("change", article.pk))
        try:
            link, token = sharing.create_share_link(
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
                    gettext('Share link made, valid until {expires}: <a href="{url}">{url}</a>'),
                    expires=expires,
                    url=url,
                ),
            )
        return redirect(self._url("change", article.pk))

    def revoke_share_view(self, request, object_id, link_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self.article_for(request, object_id)
        link = article.share_links.filter(pk=link_id).first()
        if link is None:
            raise Http404("No such share link.")
        try:
            sharing.revoke_share_link(link, by=request.user)
        except workflow.TransitionNotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        messages.success(
            request, gettext("The share link was withdrawn; it no longer shows the draft.")
        )
        return redirect(self._url("change", article.pk))

    # --- bulk actions ---------------------------------------------------------------------

    def _apply_to_each(self, request, queryset, name: str, **kwargs) -> None:
        """Run one transition on every selected article, reporting each one's outcome and,
        for several, a summary."""
        transition = workflow.TRANSITIONS[name]
        done = skipped = 0
        for article in queryset.order_by("pk"):
            # A row changed since the changelist showed it is skipped (version_seen).
            expected = self.version_seen(request, article)
            try:
                workflow.ACTIONS[name](
                    article, by=request.user, expected_version=expected, **kwargs
                )
            except workflow.StaleArticleError as exc:
                skipped += 1
                messages.warning(request, self.stale_bulk_message(article, expected, exc))
            except workflow.TransitionError as exc:
                skipped += 1
                messages.warning(request, gettext("Skipped: %(reason)s") % {"reason": exc})
            else:
                done += 1
                messages.success(request, self._done_message(article, transition))
        if done + skipped > 1:
            numbers = {"done": done, "total": done + skipped, "skipped": skipped}
            if skipped:
                summary = ngettext(
                    "Summary: %(done)d of %(total)d selected article %(past)s; "
                    "%(skipped)d skipped.",
                    "Summary: %(done)d of %(total)d selected articles %(past)s; "
                    "%(skipped)d skipped.",
                    done + skipped,
                )
            else:
                summary = ngettext(
                    "Summary: %(done)d of %(total)d selected article %(past)s.",
                    "Summary: %(done)d of %(total)d selected articles %(past)s.",
                    done + skipped,
                )
            messages.info(request, summary % {**numbers, "past": transition.past})

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

    @admin.action(description=_("Publish selected articles now…"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        if "apply" in request.POST:
            self._apply_to_each(request, queryset, "publish")
            return None
        return self._confirm_selected(
            request,
            queryset,
            "publish",
            gettext("Publish these articles now? Readers see them at once."),
        )

    @admin.action(description=_("Unpublish selected articles…"), permissions=["unpublish"])
    def unpublish_selected(self, request, queryset):
        if "apply" in request.POST:
            self._apply_to_each(request, queryset, "unpublish")
            return None
        return self._confirm_selected(
            request,
            queryset,
            "unpublish",
            gettext("Unpublish these articles? They leave the site, feeds and search at once."),
        )

    @admin.action(description=_("Schedule selected articles…"), permissions=["schedule"])
    def schedule_selected(self, request, queryset):
        """Asks for a date and time first (an intermediate page), then schedules each."""
        form = ScheduleForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._apply_to_each(request, queryset, "schedule", at=form.cleaned_data["at"])
            return None
        return TemplateResponse(
            request,
            "admin/articles/article/schedule_selected.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("Schedule articles"),
                "opts": self.opts,
                "articles": self._checked(queryset),
                "form": form,
                "site_time_zone": settings.TIME_ZONE,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "versions_seen": self.versions_seen(request),
            },
        )
