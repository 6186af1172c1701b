"""The articles app's forms and their parts: the body editor's configuration and clean-up, the
tag picker, the image form, and the inputs of the workflow's transitions. The article change
form, which puts these together with the workflow buttons, is the admin's
(articles/admin/forms.py)."""

from __future__ import annotations

import datetime
import posixpath
import re

from django import forms
from django.core import signing
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from admin_forms import AutocompleteSelectMultiple, IdMultipleChoiceField

from . import images, pending_uploads, tags
from .models import Correction, Image
from .sanitizer import sanitize_body

# What the body editor offers. Everything it can produce is a subset of what
# articles.sanitizer keeps (tests/articles/test_editor_paste.py pins that), and the sanitiser,
# not the editor, is what runs on save.
EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HardBreak": True,
}


# An attributed quotation is stored as the HTML spec's pattern, a figure holding the blockquote
# and a figcaption naming the speaker. The editor has no figures, and would flatten the credit
# into an ordinary paragraph after the quote; so in the editor the credit is the quote's last
# paragraph, starting with a dash, and it goes back into a figcaption on save.
_STORED_QUOTATION = re.compile(
    r"<figure>\s*<blockquote>(?P<quote>(?:(?!</?blockquote\b).)*?)</blockquote>\s*"
    r"<figcaption>(?P<credit>(?:(?!</figcaption>).)*?)</figcaption>\s*</figure>",
    re.DOTALL,
)
_EDITOR_QUOTATION = re.compile(
    r"<blockquote>(?P<quote>(?:(?!</?blockquote\b).)*?</p>)\s*"
    r"<p>(?:\s|&nbsp;|\u00a0)*(?:[\u2014\u2013]|-{1,2}(?=\s|&nbsp;|\u00a0))(?:\s|&nbsp;|\u00a0)*"
    r"(?P<credit>(?:(?!</p>).)+?)</p>\s*</blockquote>",
    re.DOTALL,
)


# A "- Name" typed at the start of a line in some editors becomes a one-item bullet list: at
# the end of a quote, that list is the credit (static/js/body_editor.js stops it in ours).
_LISTED_CREDIT = re.compile(
    r"(<blockquote>(?:(?!</?blockquote\b).)*?</p>)\s*"
    r"<ul>\s*<li>\s*(?:<p>)?(?P<credit>(?:(?!</?(?:p|li|ul)\b).)+?)(?:</p>)?\s*</li>\s*</ul>\s*"
    r"</blockquote>",
    re.DOTALL,
)


def quotations_for_editor(html: str) -> str:
    """Stored body → editor: each quotation's credit becomes its last, dash-led paragraph."""
    return _STORED_QUOTATION.sub(r"<blockquote>\g<quote><p>— \g<credit></p></blockquote>", html)


def quotations_from_editor(html: str) -> str:
    """Editor → stored body: a quote ending in a dash-led paragraph becomes a credited figure."""
    html = _LISTED_CREDIT.sub(r"\1<p>— \g<credit></p></blockquote>", html)
    return _EDITOR_QUOTATION.sub(
        r"<figure><blockquote>\g<quote></blockquote><figcaption>\g<credit></figcaption></figure>",
        html,
    )


class TagPicker(AutocompleteSelectMultiple):
    """The admin's tag autocomplete, letting a new tag be typed (select2's `tags` mode). A new
    name is posted as "new:<name>", and is shown again as chosen if the form comes back."""

    def optgroups(self, name, value, attr=None):
        new = [v for v in value if TagChoiceField.is_name(v)]
        known = [v for v in value if not TagChoiceField.is_name(v)]
        groups = super().optgroups(name, known, attr)
        for v in new:
            label = TagChoiceField.name_of(v)
            option = self.create_option(name, v, label, True, len(groups))
            groups.append((None, [option], len(groups)))
        return groups


class TagChoiceField(IdMultipleChoiceField):
    """Existing tags by id, and new ones typed in the picker and confirmed with Enter, which
    static/js/article_form.js posts as "new:<name>". A new name that matches an existing tag
    in any letter case is that tag."""

    NEW = "new:"

    @classmethod
    def is_name(cls, value) -> bool:
        # Anything else is an id, checked as one: "abc" or "1.5" is a form error, never a
        # tag made by accident (without the script, new tags go in the "New tags" box).
        return str(value).startswith(cls.NEW)

    @classmethod
    def name_of(cls, value) -> str:
        return str(value).removeprefix(cls.NEW)

    def clean(self, value):
        value = [str(v) for v in (value or [])]
        names = [self.name_of(v) for v in value if self.is_name(v)]
        ids = [v for v in value if not self.is_name(v)]
        chosen = list(super().clean(ids)) if ids else []
        if self.required and not chosen and not names:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        for name in tags.parse_tag_names(",".join(names)):
            if len(name) > Tag._meta.get_field("name").max_length:
                raise forms.ValidationError(
                    gettext("This tag is too long: “%(tag)s…”.") % {"tag": name[:40]}
                )
            chosen.append(tags.tag_named(name))
        return chosen


def clean_editor_body(html: str) -> str:
    cleaned = sanitize_body(quotations_from_editor(html))
    # An emptied editor still holds one empty paragraph; an empty body is "".
    return "" if cleaned in {"<p></p>", "<p><br></p>"} else cleaned


class ImageAdminForm(forms.ModelForm):
    """The image form (also the popup opened from an article's hero field). A browser forgets a
    chosen file when a form comes back with an error, so a valid upload is kept on the server
    (metadata already stripped) and the form carries a signed token for it until it is saved."""

    PENDING_SALT = "articles.image.pending-upload"
    PENDING_MAX_AGE = pending_uploads.MAX_AGE

    pending_upload = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Image
        fields = ["file", "alt_text", "caption", "credit"]
        field_classes = {"file": images.ImageUploadField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pending_path = self._pending_path()
        if self.pending_path and "file" in self.fields:
            self.fields["file"].required = False
            self.fields["file"].help_text = gettext(
                "Your chosen file, “%(name)s”, is kept: choose another only to replace it."
            ) % {"name": posixpath.basename(self.pending_path)}

    def _pending_path(self) -> str | None:
        token = self.data.get(self.add_prefix("pending_upload")) if self.is_bound else None
        if not token:
            return None
        try:
            path = signing.loads(token, salt=self.PENDING_SALT, max_age=self.PENDING_MAX_AGE)
        except signing.BadSignature:
            return None
        return path if default_storage.exists(path) else None

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload or not self.pending_path:
            return upload
        with default_storage.open(self.pending_path) as kept:
            return SimpleUploadedFile(posixpath.basename(self.pending_path), kept.read())

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        fresh = upload is not None and self.add_prefix("file") in self.files
        if self.errors and fresh and "file" not in self.errors:
            self.keep_upload(upload)
        return cleaned

    def keep_upload(self, upload) -> None:
        name = posixpath.basename(upload.name or "photo")
        path = default_storage.save(
            pending_uploads.pending_name(name), images.strip_metadata(upload)
        )
        self.data = self.data.copy()
        self.data[self.add_prefix("pending_upload")] = signing.dumps(path, salt=self.PENDING_SALT)
        self.pending_path = path
        self.fields["file"].required = False
        # The bound field copied the help text when it was made: tell it too.
        self["file"].help_text = self.fields["file"].help_text = gettext(
            "Your chosen file, “%(name)s”, is kept: choose another only to replace it."
        ) % {"name": name}


# --- the inputs a workflow transition needs (workflow.Transition.form_class) ----------------
# Each form's `transition_kwargs()` are the keyword arguments its transition function takes
# besides the article, `by` and `expected_version`; `refusal` is each error
# message, its errors in `%(errors)s`.


class RequestChangesForm(forms.Form):
    refusal = _("%(errors)s")

    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        error_messages={"required": _("Say what needs to change: a comment is required.")},
    )

    def transition_kwargs(self) -> dict:
        return {"comment": self.cleaned_data["comment"]}


class ScheduleForm(forms.Form):
    """A date and a time on the newsroom's clock (settings.TIME_ZONE), in the future."""

    refusal = _("Not scheduled: %(errors)s")

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        naive = datetime.datetime.combine(cleaned["date"], cleaned["time"])
        at = timezone.make_aware(naive, timezone.get_default_timezone())
        if at <= timezone.now():
            raise forms.ValidationError(
                gettext("That time has already passed: choose a time in the future.")
            )
        cleaned["at"] = at
        return cleaned

    def transition_kwargs(self) -> dict:
        return {"at": self.cleaned_data["at"]}


class UnpublishForm(forms.Form):
    """Unpublish returns the article to drafts, or with `archive` to the archive."""

    refusal = _("Not unpublished: %(errors)s")

    archive = forms.BooleanField(required=False)

    def transition_kwargs(self) -> dict:
        return {"archive": self.cleaned_data["archive"]}


SCHEDULE_PRESETS = {
    "in_10_minutes": "In 10 minutes",
    "next_hour": _("At the next hour"),
    "tomorrow_0600": _("Tomorrow at 06:00"),
}


def preset_time(name: str, now: datetime.datetime | None = None) -> datetime.datetime:
    """The publish time a scheduling preset stands for, on the newsroom's clock."""
    local = timezone.localtime(now or timezone.now(), timezone.get_default_timezone())
    if name == "in_10_minutes":
        return (local + datetime.timedelta(minutes=10)).replace(second=0, microsecond=0)
    if name == "next_hour":
        return local.replace(minute=0, second=0, microsecond=0) + datetime.timedelta(hours=1)
    if name == "tomorrow_0600":
        tomorrow = local.date() + datetime.timedelta(days=1)
        naive = datetime.datetime.combine(tomorrow, datetime.time(6, 0))
        return timezone.make_aware(naive, timezone.get_default_timezone())
    raise ValueError(f"No such scheduling preset: {name}")


class ShareLinkForm(forms.Form):
    days = forms.IntegerField(
        min_value=1,
        max_value=30,
        initial=7,
        error_messages={
            "min_value": _("A share link lasts at least 1 day."),
            "max_value": _("A share link lasts at most 30 days."),
        },
    )


class CorrectionForm(forms.Form):
    """An entry on an article's record (articles/corrections.py sanitises and checks it)."""

    refusal = _("No entry added: %(errors)s")

    kind = forms.ChoiceField(choices=Correction.Kind.choices, initial=Correction.Kind.CORRECTION)
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_(
            "Links (<a href>) and emphasis (<em>, <strong>) only; anything else is removed."
        ),
        error_messages={"required": _("Write what was corrected, clarified or updated.")},
    )


class CorrectionRemovalForm(forms.Form):
    refusal = _("Not removed: %(errors)s")

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        error_messages={"required": _("Say why this entry is removed: a reason is required.")},
    )
