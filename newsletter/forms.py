from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import AdminProseEditorWidget

from .models import Edition, EditionArticle, Newsletter, Subscriber, Terms, normalise_email

# The same words for every valid submission: new, pending, confirmed or unsubscribed.
SIGNUP_DONE = _("Check your inbox to confirm your subscription.")


class SignupForm(forms.Form):
    """The signup form at the end of every article and on /newsletter/."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter a valid email address, like name@example.com."),
            "max_length": _("That address is too long: use at most 254 characters."),
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
        label=_("By submitting this form, I agree to the terms."),
        error_messages={"required": _("Tick the box to agree to the terms before signing up.")},
        widget=forms.CheckboxInput(attrs={"aria-describedby": "signup-agree-error"}),
    )
    # The honeypot: hidden from people (visually, from screen readers, from the tab order),
    # filled in by bots that complete every field they find.
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)
    # Where the form is shown (an article, the newsletter page): set by whoever renders it
    # (the `signup_form` tag, the newsletter's views), recorded on the subscriber.
    source = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "signup-%s")
        super().__init__(*args, **kwargs)
        self.terms: Terms | None = None

    def clean_email(self) -> str:
        return normalise_email(self.cleaned_data["email"])

    def clean_website(self) -> str:
        if self.cleaned_data["website"]:
            raise forms.ValidationError(
                gettext(
                    "This submission looks automated, so we did not accept it. "
                    "Please try again without filling in hidden fields."
                )
            )
        return ""

    def clean_next(self) -> str:
        """The page the form was on, kept with the consent; only paths on this site."""
        page = self.cleaned_data["next"].strip()
        if page.startswith("/") and url_has_allowed_host_and_scheme(page, allowed_hosts=None):
            return page[:500]
        return ""

    def clean_source(self) -> str:
        """A source we know; anything else (an old page, a tampered field) counts as other,
        which is no reason to refuse the signup."""
        source = self.cleaned_data["source"]
        return source if source in Subscriber.Source.values else Subscriber.Source.OTHER

    def clean(self):
        cleaned = super().clean()
        self.terms = Terms.objects.current()
        if self.terms is None:
            raise forms.ValidationError(
                gettext(
                    "Sign-ups are paused while our terms are being updated. Please try again later."
                )
            )
        return cleaned


class ManageForm(forms.Form):
    """The manage page: the newsletters a subscriber gets, as checkboxes."""

    newsletters = forms.ModelMultipleChoiceField(
        queryset=Newsletter.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Send me"),
    )

    def __init__(self, subscriber, *args, **kwargs):
        kwargs.setdefault("auto_id", "manage-%s")
        super().__init__(*args, **kwargs)
        self.fields["newsletters"].initial = list(subscriber.active_newsletter_ids())
        self.fields["newsletters"].label_from_instance = _newsletter_label


def _newsletter_label(newsletter: Newsletter) -> str:
    if not newsletter.description:
        return newsletter.name
    return format_html(
        '<strong>{}</strong> <span class="manage__description">{}</span>',
        newsletter.name,
        newsletter.description,
    )


# What the intro editor offers: a short introduction needs no headings or quotations. Whatever
# is submitted is cleaned again by Edition.save() with the article allowlist.
INTRO_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "BulletList": True,
    "ListItem": True,
    "HardBreak": True,
}


class EditionAdminForm(forms.ModelForm):
    intro = ProseEditorFormField(
        config={"extensions": INTRO_EXTENSIONS},
        widget=AdminProseEditorWidget,
        required=False,
        help_text=_("Two or three sentences above the stories. Optional."),
    )

    class Meta:
        model = Edition
        fields = ["newsletter", "subject", "preheader", "intro"]


class EditionArticleForm(forms.ModelForm):
    """One story of an edition. The article's choices are live articles only
    (EditionArticle.article's limit_choices_to), whatever is POSTed."""

    # Left empty, a new story goes to the end of the edition.
    position = forms.IntegerField(min_value=0, max_value=999, required=False)

    class Meta:
        model = EditionArticle
        fields = ["article", "position"]
        error_messages = {
            "article": {
                "invalid_choice": _(
                    "That story is not live (unpublished, or scheduled for "
                    "later), so it can't be in an edition. Remove it or pick another."
                ),
            }
        }

    def clean_position(self) -> int:
        position = self.cleaned_data["position"]
        return 1000 if position is None else position


class EditionScheduleForm(forms.Form):
    """When to send: a date and a time on the newsroom's clock (settings.TIME_ZONE)."""

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        naive = datetime.combine(cleaned["date"], cleaned["time"])
        at = timezone.make_aware(naive, timezone.get_default_timezone())
        if at <= timezone.now():
            raise forms.ValidationError(
                gettext("That time has already passed: choose a later one.")
            )
        cleaned["at"] = at
        return cleaned


class NewEditionForm(forms.Form):
    """ "New edition from latest stories": which newsletter."""

    newsletter = forms.ModelChoiceField(
        queryset=Newsletter.objects.all(),
        empty_label=None,
        error_messages={"invalid_choice": _("That newsletter no longer exists.")},
    )
