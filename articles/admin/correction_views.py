"""ArticleAdmin's corrections panel: an editor adds an entry to the record, a reporter proposes
one on their own article, an editor approves it, a superuser removes one with a reason. Each
view checks permission again, whatever the panel showed, and goes through
articles.corrections. Mixed into ArticleAdmin (articles.py), whose `article_for` loads the
article and `_url` names its pages."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.utils.translation import gettext

from .. import corrections, workflow
from ..forms import CorrectionForm, CorrectionRemovalForm
from ..models import Article, Correction
from ..permissions import can_see


class CorrectionViews:
    def corrections_context(self, request, article: Article) -> dict:
        """What the change form's corrections panel shows to this user."""
        user = request.user
        may_add = user.has_perm(corrections.ADD_PERMISSION) and can_see(user, article)
        may_propose = user.has_perm(corrections.PROPOSE_PERMISSION) and can_see(user, article)
        return {
            "record_entries": article.corrections.select_related("created_by"),
            "record_form": CorrectionForm(auto_id="record_%s") if may_add or may_propose else None,
            "record_may_add": may_add,
            "record_may_remove": user.is_superuser,
        }

    def correction_add_view(self, request, object_id):
        """POST: an editor's entry goes on the record; a reporter's is proposed."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self.article_for(request, object_id)
        user = request.user
        if user.has_perm(corrections.ADD_PERMISSION):
            write, done = corrections.add, gettext("The %(kind)s was added to the record.")
        elif user.has_perm(corrections.PROPOSE_PERMISSION):
            write, done = (
                corrections.propose,
                gettext("The %(kind)s was proposed: an editor will approve it."),
            )
        else:
            raise PermissionDenied
        form = CorrectionForm(request.POST)
        version = self._posted_version(request)
        if version is None or not form.is_valid():
            self._refuse(request, form, version)
            return redirect(self._url("change", article.pk))
        return self._run(
            request,
            article,
            lambda: write(article, by=user, expected_version=version, **form.cleaned_data),
            done % {"kind": Correction.Kind(form.cleaned_data["kind"]).label.lower()},
        )

    def correction_approve_view(self, request, object_id, entry_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self.article_for(request, object_id)
        entry = self._entry(article, entry_id)
        if not request.user.has_perm(corrections.ADD_PERMISSION):
            raise PermissionDenied
        version = self._posted_version(request)
        if version is None:
            self._refuse(request, None, version)
            return redirect(self._url("change", article.pk))
        return self._run(
            request,
            article,
            lambda: corrections.approve(entry, by=request.user, expected_version=version),
            gettext("The %(kind)s was approved and is on the record.")
            % {"kind": entry.get_kind_display().lower()},
        )

    def correction_remove_view(self, request, object_id, entry_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self.article_for(request, object_id)
        entry = self._entry(article, entry_id)
        if not request.user.is_superuser:
            raise PermissionDenied
        form = CorrectionRemovalForm(request.POST)
        if not form.is_valid():
            self._refuse(request, form, 0)
            return redirect(self._url("change", article.pk))
        return self._run(
            request,
            article,
            lambda: corrections.remove(entry, by=request.user, reason=form.cleaned_data["reason"]),
            gettext("The %(kind)s was removed; the removal is logged.")
            % {"kind": entry.get_kind_display().lower()},
        )

    # --- the parts ------------------------------------------------------------------------

    def _entry(self, article: Article, entry_id: int):
        entry = article.corrections.filter(pk=entry_id).first()
        if entry is None:
            raise Http404("No such entry on this article.")
        return entry

    def _posted_version(self, request) -> int | None:
        try:
            return int(request.POST["version"])
        except (KeyError, ValueError):
            return None

    def _refuse(self, request, form, version) -> None:
        if version is None:
            messages.error(request, gettext("This page is out of date: reload it and try again."))
            return
        for errors in form.errors.values():
            messages.error(request, form.refusal % {"errors": " ".join(errors)})

    def _run(self, request, article: Article, action, done: str):
        try:
            action()
        except workflow.TransitionNotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except workflow.TransitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, done)
        return redirect(self._url("change", article.pk))
