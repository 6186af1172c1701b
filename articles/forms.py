"""The article form editors use in the admin: a rich-text body and the version they started from."""

from __future__ import annotations

import posixpath
import re
import secrets

from django import forms
from django.contrib import admin
from django.core import signing
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.formats import date_format
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import AdminProseEditorWidget
from taggit.models import Tag

from newsroom.admin_forms import AutocompleteSelectMultiple, IdMultipleChoiceField

from . import embargo, images, revisions, tags, workflow
from .models import Article, Image
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
                raise forms.ValidationError(f"This tag is too long: “{name[:40]}…”.")
            chosen.append(tags.tag_named(name))
        return chosen


def clean_editor_body(html: str) -> str:
    cleaned = sanitize_body(quotations_from_editor(html))
    # An emptied editor still holds one empty paragraph; an empty body is "".
    return "" if cleaned in {"<p></p>", "<p><br></p>"} else cleaned


class ArticleAdminForm(forms.ModelForm):
    """Adds the optimistic-lock check: a save based on an old version is refused in `clean`,
    so the form comes back with everything the editor typed and what changed meanwhile."""

    body = ProseEditorFormField(
        config={"extensions": EDITOR_EXTENSIONS},
        sanitize=clean_editor_body,
        widget=AdminProseEditorWidget,
        required=False,
    )
    # Rendered by _editing_panel.html; `form=` ties it to the change form wherever it sits.
    expected_version = forms.IntegerField(
        widget=forms.HiddenInput(attrs={"form": "article_form"}), required=False, min_value=1
    )
    # Tags: pick existing ones with the admin's autocomplete (so nobody files a story under
    # "Eletcions"), and type new ones, comma-separated, only when no existing tag fits.
    tags = TagChoiceField(
        queryset=Tag.objects.all(),
        required=False,
        widget=TagPicker(Article._meta.get_field("tags"), admin.site, attrs={"data-tags": "true"}),
        help_text="Start typing to find a tag; press Enter to add a new one. Spaces are kept: "
        "“Flood defences” is one tag.",
    )
    new_tags = forms.CharField(
        required=False,
        max_length=500,
        label="New tags",
        help_text="Separate tags with commas: “Flood defences, Hong Kong” makes two tags.",
    )
    # A workflow button on the change form (workflow.TRANSITIONS) saves the form, then moves the
    # article: one save path, so nothing typed is left behind. The inputs a transition needs
    # are validated with everything else, so a refused step re-renders the form as typed.
    workflow_action = forms.ChoiceField(
        choices=[("", "")] + [(name, t.label) for name, t in workflow.TRANSITIONS.items()],
        required=False,
    )
    workflow_comment = forms.CharField(
        label="What needs to change (sent to the authors)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )
    schedule_date = forms.DateField(
        label="Date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    schedule_time = forms.TimeField(
        label="Time",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    schedule_preset = forms.ChoiceField(
        choices=[("", ""), *workflow.SCHEDULE_PRESETS.items()], required=False
    )
    unpublish_archive = forms.BooleanField(
        label="archive it instead of returning it to drafts", required=False
    )
    conflict: revisions.RevisionDiff | None = None

    class Meta:
        model = Article
        # ArticleAdmin's fieldsets choose the fields shown; these are the editable ones.
        fields = [
            "headline",
            "slug",
            "standfirst",
            "body",
            "section",
            "tags",
            "hero_image",
            "credit_line",
            "embargo_until",
            "note_kind",
            "note",
            "seo_title",
            "seo_description",
        ]
        error_messages = {
            "slug": {
                "unique": "Another article already uses this slug (its web address). Change a "
                "word or two, or empty the field to make a new one from the headline."
            }
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = (
                "Leave empty to make one from the headline. Changing the slug of a published "
                "article keeps the old address working: it redirects to the new one."
            )
        if self.instance.pk:
            self.initial["expected_version"] = self.instance.version
        if self.initial.get("body"):
            self.initial["body"] = quotations_for_editor(self.initial["body"])
        self.fields["body"].help_text = (
            "To credit a quotation, end the block quote with a paragraph that starts with a "
            "dash or a hyphen: “— Name, role” or “- Name, role”."
        )
        self.conflict = None
        self.conflict_revision = None
        self.initial.setdefault("schedule_date", timezone.localdate())

    def clean_new_tags(self) -> list[str]:
        names = tags.parse_tag_names(self.cleaned_data.get("new_tags", ""))
        too_long = [name for name in names if len(name) > Tag._meta.get_field("name").max_length]
        if too_long:
            raise forms.ValidationError(f"This tag is too long: “{too_long[0][:40]}…”.")
        return names

    def clean_embargo_until(self):
        """A scheduled or live story cannot be put under an embargo that its publish time
        would break: unschedule or unpublish it first."""
        until = self.cleaned_data.get("embargo_until")
        article = self.instance
        going_out = article.status in (Article.Status.SCHEDULED, Article.Status.PUBLISHED)
        refused = going_out and until and embargo.refusal(article, article.publish_at, until=until)
        if refused:
            raise forms.ValidationError(
                f"{refused} It is already {article.get_status_display().lower()} for "
                "an earlier time: unschedule or unpublish it first."
            )
        return until

    def clean(self):
        cleaned = super().clean()
        if "tags" in cleaned and "new_tags" in cleaned:
            # taggit's manager accepts Tag objects and names alike; new names are created,
            # names that already exist (in any letter case) reuse the existing tag.
            chosen = list(cleaned["tags"])
            known = {getattr(tag, "name", tag).casefold() for tag in chosen}
            for name in cleaned["new_tags"]:
                if name.casefold() not in known:
                    known.add(name.casefold())
                    chosen.append(tags.tag_named(name))
            cleaned["tags"] = chosen
        self.clean_workflow_step(cleaned)
        if self.instance.pk:
            self.check_version(cleaned.get("expected_version"))
        return cleaned

    def clean_workflow_step(self, cleaned: dict) -> None:
        """What a workflow button needs besides the article itself: a comment, a future time,
        and (to go live) a body. A missing one refuses the save and the step together."""
        if cleaned.get("schedule_preset"):  # "In 10 minutes" and the like schedule at once
            cleaned["workflow_action"] = "schedule"
            cleaned["schedule_at"] = workflow.preset_time(cleaned["schedule_preset"])
        action = cleaned.get("workflow_action")
        if action == "request_changes" and not (cleaned.get("workflow_comment") or "").strip():
            self.add_error("workflow_comment", "Say what needs to change: a comment is required.")
        if action == "schedule" and "schedule_at" not in cleaned:
            schedule = workflow.ScheduleForm(
                {
                    "date": self.data.get(self.add_prefix("schedule_date"), ""),
                    "time": self.data.get(self.add_prefix("schedule_time"), ""),
                }
            )
            if schedule.is_valid():
                cleaned["schedule_at"] = schedule.cleaned_data["at"]
            else:
                for field, errors in schedule.errors.items():
                    target = {"date": "schedule_date", "time": "schedule_time"}.get(field)
                    for error in errors:
                        self.add_error(target or "schedule_date", f"Not scheduled: {error}")
        going_live = action in ("publish", "schedule") and "body" in self.fields
        if going_live and not (cleaned.get("body") or "").strip():
            self.add_error("body", "A story needs a body before it goes live.")

    def check_version(self, expected: int | None) -> None:
        current = (
            Article.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
        )
        if current is None or expected == current:
            return
        latest = revisions.latest_revision(self.instance)
        started_from = revisions.revision_at(self.instance, expected)
        if latest and started_from and latest.pk != started_from.pk:
            self.conflict = revisions.diff_revisions(started_from, latest)
        self.conflict_revision = latest
        # The next save is a deliberate choice made after seeing what changed: it is based on
        # the version now in the database.
        self.data = self.data.copy()
        self.data[self.add_prefix("expected_version")] = str(current)
        raise forms.ValidationError(
            conflict_message(self.instance, latest, expected), code="conflict"
        )


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else "Someone"


def conflict_message(
    article: Article, latest: revisions.Revision | None, expected: int | None
) -> str:
    if expected is None:
        return (
            "This page did not say which version of the article you started from, so your "
            "changes were not saved. Reload the article to edit the current version."
        )
    return (
        f"{changed_since(article, latest, expected)}, after you opened it. Your changes have not "
        "been saved yet: they are still in the form below. Check what changed, then save again "
        "to replace their version with yours, or reload the page to start from theirs."
    )


def changed_since(article: Article, latest: revisions.Revision | None, expected: int) -> str:
    """Who moved the article past version `expected`, and when: "Alice Ng saved this article
    at 10:42, 2 Mar 2026". Used by every refusal of a stale page (form, button, bulk action)."""
    if latest is not None and latest.version > expected and latest.author:
        who, at, did = _name(latest.author), latest.created_at, "saved"
    else:
        # No newer revision names anyone: the version moved through a workflow transition.
        event = article.events.select_related("actor").first()
        if event is not None:
            who, at, did = _name(event.actor), event.at, "changed"
        else:
            who, at, did = "Someone", None, "changed"
    when = f" at {date_format(timezone.localtime(at), 'H:i, j M Y')}" if at else ""
    return f"{who} {did} this article{when}"


class ImageAdminForm(forms.ModelForm):
    """The image form (also the popup opened from an article's hero field). A browser forgets a
    chosen file when a form comes back with an error, so a valid upload is kept on the server
    (metadata already stripped) and the form carries a signed token for it until it is saved."""

    PENDING_SALT = "articles.image.pending-upload"
    PENDING_MAX_AGE = 24 * 3600

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
            self.fields["file"].help_text = (
                f"Your chosen file, “{posixpath.basename(self.pending_path)}”, is kept: "
                "choose another only to replace it."
            )

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
            f"pending/{secrets.token_urlsafe(16)}/{name}", images.strip_metadata(upload)
        )
        self.data = self.data.copy()
        self.data[self.add_prefix("pending_upload")] = signing.dumps(path, salt=self.PENDING_SALT)
        self.pending_path = path
        self.fields["file"].required = False
        # The bound field copied the help text when it was made: tell it too.
        self["file"].help_text = self.fields["file"].help_text = (
            f"Your chosen file, “{name}”, is kept: choose another only to replace it."
        )
