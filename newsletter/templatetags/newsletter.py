from django import template

from newsletter.forms import SIGNUP_DONE, SignupForm

register = template.Library()


@register.simple_tag(takes_context=True)
def signup_form(context) -> SignupForm:
    """The form for `_signup_form.html`: the view's bound form if it passed one (to show
    errors), otherwise an empty one that remembers the page it is on."""
    form = context.get("signup_form")
    if form is None:
        request = context.get("request")
        form = SignupForm(initial={"next": request.path if request else ""})
    return form


@register.simple_tag(takes_context=True)
def signup_outcome(context) -> str:
    """What the form says after a signup without JavaScript (the redirect adds ?signup=done)."""
    request = context.get("request")
    return SIGNUP_DONE if request and request.GET.get("signup") == "done" else ""
