"""Admin objects, form fields and widgets that survive tampered object ids.

Django's model choice fields catch ValueError for an id like "abc", but not the OverflowError
SQLite raises for a 24-digit id, and the admin's autocomplete widgets put whatever was posted
straight into a query when they re-render the form ("Field 'id' expected a number"). Every
admin form here goes through `TamperProofIdsMixin`, so a bad id becomes a form error.
"""

from django import forms
from django.contrib.admin import widgets
from django.core.exceptions import ValidationError
from django.db import connection, models


def is_valid_id(model_field: models.Field, value) -> bool:
    """Whether `value` could be a value of `model_field` (a primary or to_field key): it
    converts, and an integer fits the column (taggit's ids are 32-bit on PostgreSQL)."""
    try:
        python_value = model_field.to_python(value)
    except (ValidationError, ValueError, TypeError, OverflowError):
        return False
    if not isinstance(python_value, int):
        return True
    try:
        low, high = connection.ops.integer_field_range(model_field.get_internal_type())
    except KeyError:
        low, high = -(2**63), 2**63 - 1
    return (low is None or python_value >= low) and (high is None or python_value <= high)


def _target_field(queryset, to_field_name: str | None) -> models.Field:
    opts = queryset.model._meta
    return opts.get_field(to_field_name) if to_field_name else opts.pk


class IdChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and not is_valid_id(
            _target_field(self.queryset, self.to_field_name), value
        ):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        field = _target_field(self.queryset, self.to_field_name)
        for item in value:
            if not is_valid_id(field, item):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": str(item)[:40]},
                )
        return super()._check_values(value)


class _ValidIdsOnly:
    """Re-rendering a form looks up the submitted ids; look up only ones that can exist."""

    def optgroups(self, name, value, attr=None):
        target = self.field.remote_field.model._meta.get_field(
            getattr(self.field.remote_field, "field_name", None)
            or self.field.remote_field.model._meta.pk.name
        )
        value = [v for v in value if v in (None, "") or is_valid_id(target, v)]
        return super().optgroups(name, value, attr)


class AutocompleteSelect(_ValidIdsOnly, widgets.AutocompleteSelect):
    pass


class AutocompleteSelectMultiple(_ValidIdsOnly, widgets.AutocompleteSelectMultiple):
    pass


class TamperProofIdsMixin:
    """Goes before admin.ModelAdmin (or an inline): its foreign keys and many-to-many fields
    get the fields and autocomplete widgets above."""

    def get_object(self, request, object_id, from_field=None):
        # An id from the URL that cannot exist is simply not found (Django lets SQLite's
        # OverflowError through for a 24-digit id).
        opts = self.model._meta
        field = opts.get_field(from_field) if from_field else opts.pk
        if not is_valid_id(field, object_id):
            return None
        return super().get_object(request, object_id, from_field)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", IdChoiceField)
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget", AutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", IdMultipleChoiceField)
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget",
                AutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using")),
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)
