"""Optimistic concurrency: an edit is saved only if nobody saved the record since the form was opened.

Each editable record has a ``version``; the form carries the version it was opened with, and the
save claims the next version with one conditional UPDATE. A second person saving from an older
form is refused with a clear message instead of silently overwriting the first person's change.
"""

import secrets

from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.utils.translation import gettext_lazy as _

ALREADY_SUBMITTED_MESSAGE = _("该表单已提交，未重复保存")
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
    """Adds the hidden version the record had when the form was opened.

    On an edit (the instance has a pk) the version is required: a POST without it (an old page, a
    script) would otherwise save over whatever was saved since (issue #13, finding 10). Its absence
    is reported as the stale-edit message, as a form error, and nothing is saved.
    """

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self._is_edit():
            self.fields["seen_version"].initial = self.instance.version

    def _is_edit(self) -> bool:
        instance = getattr(self, "instance", None)
        return instance is not None and instance.pk is not None

    def clean(self):
        cleaned = super().clean()
        # A non-field error rather than the field's own "required": the field is hidden.
        if self._is_edit() and cleaned.get("seen_version") is None and "seen_version" not in self.errors:
            self.add_error(None, STALE_MESSAGE)
        return cleaned


class OneTimeTokenMixin(forms.Form):
    """A create form's hidden one-time token: two POSTs of one rendered form create one record.

    The view calls :meth:`claim_token` inside the transaction that saves the new record (after
    ``is_valid()``) and :meth:`record_result` once it is saved; a claim that comes back as an earlier
    submission means "already saved": redirect to its ``result_url`` with ALREADY_SUBMITTED_MESSAGE.
    The claim is a row in activities.SubmissionToken (a unique token): atomic across processes, and
    rolled back with a failed save. A POST without a token (a script) is not deduplicated.
    """

    form_token = forms.RegexField(
        regex=r"^[0-9A-Za-z_-]{16,64}$", widget=forms.HiddenInput, required=False, max_length=64
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["form_token"].initial = secrets.token_urlsafe(24)

    @staticmethod
    def _token_model():
        return apps.get_model("activities", "SubmissionToken")

    def claim_token(self):
        """None when this submission may save (token claimed, or none sent); else the earlier claim.

        Call inside the saving transaction: a concurrent POST of the same token waits on the unique
        index until this one commits or rolls back.
        """
        token = self.cleaned_data.get("form_token")
        if not token:
            return None
        model = self._token_model()
        try:
            with transaction.atomic():
                model.objects.create(token=token)
        except IntegrityError:
            return model.objects.get(token=token)
        return None

    def record_result(self, url: str) -> None:
        """Remember what the claimed submission created, for a repeated POST to be sent to."""
        token = self.cleaned_data.get("form_token")
        if token:
            self._token_model().objects.filter(token=token).update(result_url=url)
