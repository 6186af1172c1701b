from django import forms
from django.utils.http import url_has_allowed_host_and_scheme

from .models import Terms, normalise_email

# The same words for every valid submission: new, pending, confirmed or unsubscribed.
SIGNUP_DONE = "Check your inbox to confirm your subscription."


class SignupForm(forms.Form):
    """The signup form at the end of every article and on /newsletter/."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter a valid email address, like name@example.com.",
            "max_length": "That address is too long: use at most 254 characters.",
        },
        widget=forms.EmailInput(
            attrs={
                "autocomplete": "email",
                "aria-describedby": "signup-email-error",
                "spellcheck": "false",
            }
        ),
    )
    agree = forms.BooleanField(
        label="By submitting this form, I agree to the terms.",
        error_messages={"required": "Tick the box to agree to the terms before signing up."},
        widget=forms.CheckboxInput(attrs={"aria-describedby": "signup-agree-error"}),
    )
    # The honeypot: hidden from people (visually, from screen readers, from the tab order),
    # filled in by bots that complete every field they find.
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "signup-%s")
        super().__init__(*args, **kwargs)
        self.terms: Terms | None = None

    def clean_email(self) -> str:
        return normalise_email(self.cleaned_data["email"])

    def clean_website(self) -> str:
        if self.cleaned_data["website"]:
            raise forms.ValidationError(
                "This submission looks automated, so we did not accept it. "
                "Please try again without filling in hidden fields."
            )
        return ""

    def clean_next(self) -> str:
        """The page the form was on, kept with the consent; only paths on this site."""
        page = self.cleaned_data["next"].strip()
        if page.startswith("/") and url_has_allowed_host_and_scheme(page, allowed_hosts=None):
            return page[:500]
        return ""

    def clean(self):
        cleaned = super().clean()
        self.terms = Terms.objects.current()
        if self.terms is None:
            raise forms.ValidationError(
                "Sign-ups are paused while our terms are being updated. Please try again later."
            )
        return cleaned
