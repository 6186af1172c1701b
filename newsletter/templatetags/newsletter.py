from django import template
from django.template.loader import get_template
from django.urls import reverse
from django.utils.translation import gettext

from newsletter.forms import SIGNUP_DONE, SignupForm
from newsletter.models import Edition, Subscriber
from newsroom import fragments

register = template.Library()

SIGNUP_TEMPLATE = "newsletter/_signup_form.html"
SIGNUP_FORMS = fragments.memo()


@register.simple_tag(takes_context=True)
def signup_form(context) -> SignupForm:
    """The form for `_signup_form.html`: the view's bound form if it passed one (to show
    errors), otherwise an empty one that remembers the page it is on and, from the template
    that includes it (`with signup_source="article"`), what kind of page that is."""
    form = context.get("signup_form")
    if form is None:
        request = context.get("request")
        form = SignupForm(
            initial={
                "next": request.path if request else "",
                "source": context.get("signup_source", Subscriber.Source.OTHER),
            }
        )
    return form


EDITIONS_SHOWN = 6


@register.inclusion_tag("admin/newsletter/_dashboard.html", takes_context=True)
def newsletter_dashboard(context) -> dict:
    """The admin index's newsletter panel: what is going out, what is scheduled, and the
    drafts waiting for an editor (automatic digests among them). Editors only."""
    user = context["request"].user
    if not user.has_perm("newsletter.view_edition"):
        return {"groups": None}
    active = Edition.objects.select_related("newsletter").filter(
        status__in=[Edition.Status.SENDING, Edition.Status.PAUSED, Edition.Status.SCHEDULED]
    )
    drafts = Edition.objects.select_related("newsletter").filter(status=Edition.Status.DRAFT)
    return {
        "groups": [
            (
                gettext("Going out"),
                list(active.order_by("status", "scheduled_at", "-started_at")[:EDITIONS_SHOWN]),
                gettext("Nothing is sending or scheduled."),
            ),
            (
                gettext("Drafts to send"),
                list(drafts.order_by("-created_at")[:EDITIONS_SHOWN]),
                gettext("No drafts."),
            ),
        ],
        "changelist_url": reverse("admin:newsletter_edition_changelist"),
    }


@register.simple_tag(takes_context=True)
def signup_outcome(context) -> str:
    """What the form says after a signup without JavaScript (the redirect adds ?signup=done)."""
    request = context.get("request")
    return SIGNUP_DONE if request and request.GET.get("signup") == "done" else ""


@register.simple_tag(takes_context=True)
def signup_section(context, source: str = Subscriber.Source.OTHER) -> str:
    """The signup section (`_signup_form.html`) of a page of kind `source` ("article"…).

    The empty form is the same for every reader of a page (it carries no per-reader token, see
    `newsletter.views.signup`) and depends only on the page's address, which it returns to,
    and `source`: it is rendered once per process for those (newsroom/fragments.py), as
    rendering a form's widgets costs more than the rest of an article page's template. A form
    with errors or a signup's outcome is rendered each time.
    """
    request = context.get("request")
    values = {
        "request": request,
        "signup_form": context.get("signup_form"),
        "signup_source": source,
    }
    if values["signup_form"] is not None or signup_outcome(values) or request is None:
        return get_template(SIGNUP_TEMPLATE).render(values, request)
    return SIGNUP_FORMS.render(
        (request.path, source), lambda: get_template(SIGNUP_TEMPLATE).render(values, request)
    )
