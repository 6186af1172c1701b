"""The edition change form's own views: new from latest stories, previews, a test send, the
send controls (schedule, send now, pause, resume, cancel) and the live progress (JSON)."""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .. import delivery, editions, limits, rendering
from ..forms import EditionScheduleForm, NewEditionForm
from ..models import Edition

# The email's HTML shown as a page: nothing in it may run, and it only loads images.
PREVIEW_CSP = "default-src 'none'; img-src * data:; style-src 'unsafe-inline'; form-action 'none'"
DONE = {
    "start": _("Sending has started."),
    "pause": _("Sending is paused. Nobody else gets it until you resume."),
    "resume": _("Sending has resumed."),
    "cancel": _("The edition was cancelled. Nobody else will get it."),
    "unschedule": _("The edition is no longer scheduled; it is a draft again."),
}


def _when(at) -> str:
    return date_format(timezone.localtime(at), "j F Y, H:i T")


class EditionViewsMixin:
    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "new-from-latest/",
                wrap(self.new_from_latest_view),
                name="newsletter_edition_new_from_latest",
            ),
            path(
                "<path:object_id>/preview/<slug:kind>/",
                wrap(self.preview_view),
                name="newsletter_edition_preview",
            ),
            path("<path:object_id>/test/", wrap(self.test_view), name="newsletter_edition_test"),
            path(
                "<path:object_id>/send/<slug:action>/",
                wrap(self.action_view),
                name="newsletter_edition_action",
            ),
            path(
                "<path:object_id>/progress/",
                wrap(self.progress_view),
                name="newsletter_edition_progress",
            ),
            *super().get_urls(),
        ]

    def _edition(self, request, object_id) -> Edition:
        edition = self.get_object(request, unquote(object_id))
        if edition is None:
            raise Http404("No such edition.")
        if not self.has_view_permission(request, edition):
            raise PermissionDenied
        return edition

    def _change_url(self, edition: Edition) -> str:
        return reverse("admin:newsletter_edition_change", args=[edition.pk])

    def new_from_latest_view(self, request):
        """POST: a draft filled with the live stories published since the last sent one."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = NewEditionForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(form.errors["newsletter"]))
            return redirect("admin:newsletter_edition_changelist")
        try:
            edition = editions.build_from_latest(form.cleaned_data["newsletter"], by=request.user)
        except editions.NothingNew as exc:
            messages.warning(request, str(exc))
            return redirect("admin:newsletter_edition_changelist")
        count = edition.items.count()
        messages.success(
            request,
            ngettext(
                "A new edition with the %(count)d latest story: "
                "reorder, remove or add stories, then preview it.",
                "A new edition with the %(count)d latest stories: "
                "reorder, remove or add stories, then preview it.",
                count,
            )
            % {"count": count},
        )
        return redirect(self._change_url(edition))

    def preview_view(self, request, object_id, kind):
        """The email as it will be sent (live stories only), as HTML or plain text."""
        edition = self._edition(request, object_id)
        if kind not in ("html", "text"):
            raise Http404("No such preview.")
        preview = rendering.render_preview(edition)
        if kind == "text":
            heading = gettext("Subject: %(subject)s\nPreheader: %(preheader)s") % {
                "subject": preview.subject,
                "preheader": preview.preheader,
            }
            heading += "\n\n"
            response = HttpResponse(
                heading + preview.text, content_type="text/plain; charset=utf-8"
            )
        else:
            response = HttpResponse(preview.html)
            response["Content-Security-Policy"] = PREVIEW_CSP
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex"
        return response

    def test_view(self, request, object_id):
        """POST: send the edition once to the editor's own address."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        edition = self._edition(request, object_id)
        if not self.can_send_test(request, edition):
            raise PermissionDenied
        if not request.user.email:
            messages.error(
                request, gettext("Your account has no email address: add one to get a test.")
            )
            return redirect(self._change_url(edition))
        if not limits.allow_test_send(request.user):
            messages.error(
                request,
                gettext(
                    "You have sent %(tests)d tests in the last %(minutes)d minutes; wait a few "
                    "minutes before the next."
                )
                % {"tests": limits.TEST_SENDS_PER_USER, "minutes": limits.TEST_SEND_WINDOW // 60},
            )
            return redirect(self._change_url(edition))
        try:
            rendering.send_test(edition, request.user.email)
        except delivery.EditionError as exc:
            messages.error(request, str(exc))
        except OSError as exc:
            messages.error(
                request,
                gettext("The test could not be sent: the mail server said %(reason)s.")
                % {"reason": exc},
            )
        else:
            messages.success(
                request, gettext("A test was sent to %(email)s.") % {"email": request.user.email}
            )
        return redirect(self._change_url(edition))

    def can_send_test(self, request, edition: Edition) -> bool:
        """Those who may edit the edition, or send it; viewing alone is not enough."""
        return self.has_change_permission(request, edition) or request.user.has_perm(editions.SEND)

    def action_view(self, request, object_id, action):
        """POST from a send-panel button; delivery.* re-checks permission and state."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if action not in ("start", "schedule", "pause", "resume", "cancel"):
            raise Http404("No such action.")
        edition = self._edition(request, object_id)
        if not request.user.has_perm(editions.SEND):
            raise PermissionDenied
        try:
            if action == "schedule":
                form = EditionScheduleForm(request.POST)
                if not form.is_valid():
                    for errors in form.errors.values():
                        messages.error(
                            request,
                            gettext("Not scheduled: %(errors)s") % {"errors": " ".join(errors)},
                        )
                    return redirect(self._change_url(edition))
                outcome = delivery.schedule(edition, form.cleaned_data["at"], by=request.user)
                done = gettext("The edition will be sent %(when)s.") % {
                    "when": _when(form.cleaned_data["at"])
                }
            else:
                was_scheduled = edition.status == Edition.Status.SCHEDULED
                outcome = getattr(delivery, action)(edition, by=request.user)
                done = DONE["unschedule" if action == "cancel" and was_scheduled else action]
        except delivery.EditionError as exc:
            messages.error(request, str(exc))
            return redirect(self._change_url(edition))
        # start() reports the stories it dropped because they were unpublished meanwhile.
        for note in outcome if isinstance(outcome, list | tuple) else ():
            messages.warning(request, str(note))
        messages.success(request, done)
        return redirect(self._change_url(edition))

    def progress_of(self, edition: Edition) -> dict:
        progress = dict(delivery.progress(edition))
        progress["status_display"] = Edition.Status(progress["status"]).label
        return progress

    def progress_view(self, request, object_id):
        edition = self._edition(request, object_id)
        response = JsonResponse(self.progress_of(edition))
        response["Cache-Control"] = "no-store"
        return response
