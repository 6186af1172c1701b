"""ArticleAdmin's views for editing without loss: the article's history (saves, workflow steps
and share links), one revision, a comparison of two, restoring one; the autosave of what is
typed and the heartbeat that shows who else has the article open. Mixed into ArticleAdmin
(articles.py), whose `article_for` loads the article and `_url` names its pages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from admin_forms import is_valid_id

from .. import presence, revisions
from ..models import Article, Autosave, Revision
from .forms import ArticleAdminForm, changed_since

# How often the change form sends what is typed to the server (static/js/article_form.js).
AUTOSAVE_SECONDS = 30
# The change form's fields an autosave keeps (the bylines table is not among them).
AUTOSAVED_FIELDS = [*ArticleAdminForm.Meta.fields, "new_tags"]


class RevisionViews:
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
        article = self.article_for(request, object_id)
        return HttpResponseRedirect(self._url("revisions", article.pk))

    def revisions_view(self, request, object_id):
        """The article's one timeline: saves (with what each changed), workflow steps and
        share links, newest first; pick two saves to compare."""
        article = self.article_for(request, object_id)
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
            gettext("History of “%(headline)s”") % {"headline": article.headline},
            revisions=history,
            timeline=timeline,
        )
        return TemplateResponse(request, f"{self._templates}/revisions.html", context)

    def revision_view(self, request, object_id, revision_id):
        article = self.article_for(request, object_id)
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
            gettext("Version %(version)d of “%(headline)s”")
            % {"version": revision.version, "headline": article.headline},
            revision=revision,
            latest=latest,
            diff_to_latest=diff,
            current_version=article.version,
        )
        return TemplateResponse(request, f"{self._templates}/revision_detail.html", context)

    def revision_compare_view(self, request, object_id):
        article = self.article_for(request, object_id)
        try:
            ids = int(request.GET["from"]), int(request.GET["to"])
            if not all(is_valid_id(Revision._meta.pk, pk) for pk in ids):
                raise ValueError("Not a revision id.")
        except (KeyError, ValueError):
            messages.error(request, gettext("Choose two revisions to compare."))
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
            gettext("Changes from version %(old)d to %(new)d")
            % {"old": old.version, "new": new.version},
            diff=revisions.diff_revisions(old, new),
            restorable=[r for r in (old, new) if latest is None or r.pk != latest.pk],
            current_version=article.version,
        )
        return TemplateResponse(request, f"{self._templates}/revision_compare.html", context)

    def revision_restore_view(self, request, object_id, revision_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self.article_for(request, object_id)
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
                gettext("Restore version %(version)d of a live article?")
                % {"version": revision.version},
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
                else gettext("Someone changed this article")
            )
            messages.error(
                request,
                gettext(
                    "%(changed)s, after you opened this page, so nothing was restored. Check the "
                    "version below against the current one and try again."
                )
                % {"changed": changed},
            )
            return HttpResponseRedirect(self._url("revision", article.pk, revision.pk))
        self.log_change(request, article, f"Restored version {revision.version}.")
        messages.success(
            request,
            gettext("Version %(version)d was restored; it is now version %(now)d.")
            % {"version": revision.version, "now": restored.version},
        )
        return HttpResponseRedirect(self._url("change", article.pk))

    def autosave_view(self, request, object_id):
        """POST from the change form: keep what is typed (or, with `discard`, forget it).
        Nothing on the article changes, so readers and the revision history never see it."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self.article_for(request, object_id)
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        if request.POST.get("discard"):
            Autosave.objects.filter(article=article, user=request.user).delete()
            messages.info(request, gettext("The autosaved changes were discarded."))
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
        article = self.article_for(request, object_id)
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
