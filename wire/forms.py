from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .ingest import PICTURE_EXTENSIONS, too_large


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class WireImportForm(forms.Form):
    """Files (items, zips, and pictures sent with them), or text pasted from an email."""

    files = MultipleFileField(
        required=False,
        help_text=_(
            "ninjs (.json), NewsML-G2 (.xml), plain text (.txt) or a .zip of an item with "
            "its pictures. Pictures chosen here with an item are used when the item names them."
        ),
    )
    text = forms.CharField(
        label=_("Or paste the story"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 80}),
        help_text=_("Paragraphs are split on blank lines; a sign-off at the end is left out."),
    )
    headline = forms.CharField(required=False, max_length=200, help_text=_("For pasted text."))
    source = forms.CharField(
        required=False,
        max_length=120,
        help_text=_(
            "The agency or outlet, e.g. “South China Morning Post”. Needed for pasted "
            "text; for files, only when the file does not say."
        ),
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        for upload in files:
            if reason := too_large(upload.size):
                raise forms.ValidationError(f"{upload.name}: {reason}.")
        return files

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        text = cleaned.get("text", "").strip()
        if not cleaned.get("files") and not text:
            raise forms.ValidationError(gettext("Choose one or more files, or paste a story."))
        if text and not cleaned.get("headline", "").strip():
            self.add_error("headline", gettext("Give the pasted story a headline."))
        if text and not cleaned.get("source", "").strip():
            self.add_error("source", gettext("Say where the pasted story comes from."))
        return cleaned

    def items_and_pictures(self) -> tuple[list, dict[str, bytes]]:
        """The uploads that are items, and the pictures sent with them by file name."""
        items, pictures = [], {}
        for upload in self.cleaned_data["files"]:
            if upload.name.lower().endswith(PICTURE_EXTENSIONS):
                pictures[upload.name] = upload.read()
            else:
                items.append(upload)
        return items, pictures
