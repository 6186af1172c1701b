"""The article change form: the body editor, tags old and new, the version the editor started
from (a save based on an older one is refused with what changed), and the workflow buttons
that save and then move the article in one go."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import AdminProseEditorWidget
from taggit.models import Tag

from .. import embargo, revisions, tags, workflow
from ..forms import (
    EDITOR_EXTENSIONS,
    SCHEDULE_PRESETS,
    ScheduleForm,
    TagChoiceField,
    TagPicker,
    clean_editor_body,
    preset_time,
    quotations_for_editor,
)
from ..models import Article


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
        help_text=_(
            "Start typing to find a tag; press Enter to add a new one. Spaces are kept: "
            "“Flood defences” is one tag."
        ),
    )
    new_tags = forms.CharField(
        required=False,
        max_length=500,
        label=_("New tags"),
        help_text=_("Separate tags with commas: “Flood defences, Hong Kong” makes two tags."),
    )
    # A workflow button on the change form (workflow.TRANSITIONS) saves the form, then moves the
    # article: one save path, so nothing typed is left behind. The inputs a transition needs
    # are validated with everything else, so a refused step re-renders the form as typed.
    workflow_action = forms.ChoiceField(
        choices=[("", "")] + [(name, t.label) for name, t in workflow.TRANSITIONS.items()],
        required=False,
    )
    workflow_comment = forms.CharField(
        label=_("What needs to change (sent to the authors)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )
    schedule_date = forms.DateField(
        label=_("Date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    schedule_time = forms.TimeField(
        label=_("Time"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    schedule_preset = forms.ChoiceField(
        choices=[("", ""), *SCHEDULE_PRESETS.items()], required=False
    )
    unpublish_archive = forms.BooleanField(
        label=_("archive it instead of returning it to drafts"), required=False
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
            "seo_title",
            "seo_description",
        ]
        error_messages = {
            "slug": {
                "unique": _(
                    "Another article already uses this slug (its web address). Change a "
                    "word or two, or empty the field to make a new one from the headline."
                )
            }
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = gettext(
                "Leave empty to make one from the headline. Changing the slug of a published "
                "article keeps the old address working: it redirects to the new one."
            )
        if self.instance.pk:
            self.initial["expected_version"] = self.instance.version
        if self.initial.get("body"):
            self.initial["body"] = quotations_for_editor(self.initial["body"])
        self.fields["body"].help_text = gettext(
            "To credit a quotation, end the block quote with a paragraph that starts with a "
            "dash or a hyphen: “— Name, role” or “- Name, role”."
        )
        self.conflict = None
        self.conflict_revision = None
        # The admin's date-and-time widget draws two inputs under one label: name each, so a
        # screen reader says "Embargo until: date" rather than nothing (axe's `label` rule).
        for field in self.fields.values():
            if isinstance(field.widget, forms.SplitDateTimeWidget):
                date_input, time_input = field.widget.widgets
                date_input.attrs["aria-label"] = gettext("%(label)s: date") % {"label": field.label}
                time_input.attrs["aria-label"] = gettext("%(label)s: time") % {"label": field.label}
        self.initial.setdefault("schedule_date", timezone.localdate())

    def clean_new_tags(self) -> list[str]:
        names = tags.parse_tag_names(self.cleaned_data.get("new_tags", ""))
        too_long = [name for name in names if len(name) > Tag._meta.get_field("name").max_length]
        if too_long:
            raise forms.ValidationError(
                gettext("This tag is too long: “%(tag)s…”.") % {"tag": too_long[0][:40]}
            )
        return names

    # Set per request by ArticleAdmin.get_form: an agency's embargo is lifted by a superuser
    # only (Django's admin history records the change), never in passing by whoever edits.
    may_lift_embargo = False

    def clean_embargo_until(self):
        """A scheduled or live story cannot be put under an embargo that its publish time
        would break: unschedule or unpublish it first. An embargo still running can be moved
        later by anyone who may edit the story, but cleared or brought forward only by a
        superuser."""
        until = self.cleaned_data.get("embargo_until")
        article = self.instance
        running = article.pk and article.embargo_until and article.embargo_until > timezone.now()
        lifted = running and (until is None or until < article.embargo_until)
        if lifted and not self.may_lift_embargo:
            raise forms.ValidationError(
                gettext(
                    "This story is under embargo until %(until)s. "
                    "Only a superuser can lift an embargo or bring it forward."
                )
                % {"until": date_format(timezone.localtime(article.embargo_until), "j F Y, H:i")}
            )
        going_out = article.status in (Article.Status.SCHEDULED, Article.Status.PUBLISHED)
        refused = going_out and until and embargo.refusal(article, article.publish_at, until=until)
        if refused:
            raise forms.ValidationError(
                gettext(
                    "%(refusal)s It is already %(status)s for an earlier time: unschedule or "
                    "unpublish it first."
                )
                % {"refusal": refused, "status": article.get_status_display().lower()}
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
            cleaned["schedule_at"] = preset_time(cleaned["schedule_preset"])
        action = cleaned.get("workflow_action")
        if action == "request_changes" and not (cleaned.get("workflow_comment") or "").strip():
            self.add_error(
                "workflow_comment", gettext("Say what needs to change: a comment is required.")
            )
        if action == "schedule" and "schedule_at" not in cleaned:
            schedule = ScheduleForm(
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
                        self.add_error(
                            target or "schedule_date",
                            gettext("Not scheduled: %(errors)s") % {"errors": error},
                        )
        going_live = action in ("publish", "schedule") and "body" in self.fields
        if going_live and not (cleaned.get("body") or "").strip():
            self.add_error("body", gettext("A story needs a body before it goes live."))

    # Which of the form's fields gives each keyword argument of a transition (the buttons
    # outside the form post the transition's own form_class instead).
    WORKFLOW_INPUTS = {
        "request_changes": {"comment": "workflow_comment"},
        "schedule": {"at": "schedule_at"},
        "unpublish": {"archive": "unpublish_archive"},
    }

    def workflow_inputs(self) -> dict:
        """The keyword arguments of the transition the button asked for, from the form."""
        fields = self.WORKFLOW_INPUTS.get(self.cleaned_data.get("workflow_action"), {})
        return {name: self.cleaned_data.get(field) for name, field in fields.items()}

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
    return (user.get_full_name() or user.get_username()) if user else gettext("Someone")


def conflict_message(
    article: Article, latest: revisions.Revision | None, expected: int | None
) -> str:
    if expected is None:
        return gettext(
            "This page did not say which version of the article you started from, so your "
            "changes were not saved. Reload the article to edit the current version."
        )
    return gettext(
        "%(changed)s, after you opened it. Your changes have not been saved yet: they are still "
        "in the form below. Check what changed, then save again to replace their version with "
        "yours, or reload the page to start from theirs."
    ) % {"changed": changed_since(article, latest, expected)}


def changed_since(article: Article, latest: revisions.Revision | None, expected: int) -> str:
    """Who moved the article past version `expected`, and when: "Alice Ng saved this article
    at 10:42, 2 Mar 2026". Used by every refusal of a stale page (form, button, bulk action)."""
    if latest is not None and latest.version > expected and latest.author:
        who, at = _name(latest.author), latest.created_at
        sentence = gettext("%(who)s saved this article at %(when)s")
    else:
        # No newer revision names anyone: the version moved through a workflow transition.
        event = article.events.select_related("actor").first()
        if event is None:
            return gettext("Someone changed this article")
        who, at = _name(event.actor), event.at
        sentence = gettext("%(who)s changed this article at %(when)s")
    return sentence % {"who": who, "when": date_format(timezone.localtime(at), "H:i, j M Y")}
