"""Model and form fields that store user text clean (see :func:`fedwork.text.clean_text`).

``pre_save`` cleans the instance's attribute, so ``save()`` and ``bulk_create()`` store clean text
whatever the source (a form, an import, the admin, a shell) and the instance holds what was stored;
``get_db_prep_save`` cleans every written value, so ``QuerySet.update()`` and ``bulk_update()`` store
clean text too; ``to_python`` and the form field clean, so a form shows and length-checks the text
that will be stored. Lookups (``filter(title__contains=…)``) are left as given.
"""

from django import forms
from django.db import models

from .text import clean_text


class CleanFormField(forms.CharField):
    """A form ``CharField`` that applies :func:`clean_text` before stripping and ``max_length``."""

    def __init__(self, *, multiline: bool = False, **kwargs):
        self.multiline = multiline
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str) and value:
            value = clean_text(value, multiline=self.multiline)
        return super().to_python(value)


class _CleanMixin:
    multiline = False

    def to_python(self, value):
        value = super().to_python(value)
        if isinstance(value, str):
            return clean_text(value, multiline=self.multiline)
        return value

    def get_prep_value(self, value):
        # Lookups take their text as given: Django's CharField would pass it through to_python(),
        # and a search for "\x0b" would become a search for "", which every row contains.
        value = models.Field.get_prep_value(self, value)
        return value if value is None or isinstance(value, str) else str(value)

    def get_db_prep_save(self, value, connection):
        # Every written value, also through QuerySet.update() and bulk_update().
        if isinstance(value, str):
            value = clean_text(value, multiline=self.multiline)
        return super().get_db_prep_save(value, connection)

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if isinstance(value, str):
            cleaned = clean_text(value, multiline=self.multiline)
            if cleaned != value:
                setattr(model_instance, self.attname, cleaned)
            return cleaned
        return value

    def formfield(self, **kwargs):
        if self.choices is None and "form_class" not in kwargs:
            kwargs = {"form_class": CleanFormField, "multiline": self.multiline, **kwargs}
        return super().formfield(**kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, f"fedwork.fields.{type(self).__name__}", args, kwargs


class CleanCharField(_CleanMixin, models.CharField):
    """A single-line ``CharField``: control characters removed, line breaks folded, stripped."""


class CleanTextField(_CleanMixin, models.TextField):
    """A multi-line ``TextField``: control characters removed, line breaks normalised to ``\\n``."""

    multiline = True
