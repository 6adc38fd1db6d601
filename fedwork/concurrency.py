"""Optimistic concurrency: an edit is saved only if nobody saved the record since the form was opened.

Each editable record has a ``version``; the form carries the version it was opened with, and the
save claims the next version with one conditional UPDATE. A second person saving from an older
form is refused with a clear message instead of silently overwriting the first person's change.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F, Model
from django.utils.translation import gettext_lazy as _

STALE_MESSAGE = _("保存失败：在您编辑期间，此记录已被他人修改并保存。请刷新页面，查看最新内容后再修改。")


class StaleEditError(ValidationError):
    pass


def claim_version(instance: Model, seen_version: int | None) -> None:
    """Move the record to the next version, or raise StaleEditError if it is no longer the one seen.

    Call inside the transaction that saves the instance; new records (no pk) pass through.
    """
    if instance.pk is None:
        return
    if seen_version is None:
        raise StaleEditError(STALE_MESSAGE)
    updated = (
        type(instance).objects.filter(pk=instance.pk, version=seen_version).update(version=F("version") + 1)
    )
    if not updated:
        raise StaleEditError(STALE_MESSAGE)
    instance.version = seen_version + 1


class VersionedFormMixin(forms.Form):
    """Adds the hidden version the record had when the form was opened."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk:
            self.fields["seen_version"].initial = instance.version
