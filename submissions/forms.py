from django import forms
from django.utils.translation import gettext_lazy as _

from .periods import SPAN, Frequency


class SubmitForm(forms.Form):
    frequency = forms.ChoiceField(choices=Frequency.choices, widget=forms.HiddenInput)
    number = forms.IntegerField(min_value=1, max_value=12, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("报送说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        cleaned = super().clean()
        frequency, number = cleaned.get("frequency"), cleaned.get("number")
        if frequency and number and number > 12 // SPAN[frequency]:
            raise forms.ValidationError(_("没有这一期。"))
        return cleaned


class ReviewForm(forms.Form):
    """Approve, return (退回) or reopen: a reason is required to return or reopen."""

    decision = forms.ChoiceField(
        choices=[("approve", _("审核通过")), ("return", _("退回")), ("reopen", _("重新打开"))]
    )
    note = forms.CharField(label=_("意见或原因"), required=False, max_length=500)
    seen_version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") in ("return", "reopen") and not (cleaned.get("note") or "").strip():
            self.add_error("note", _("退回或重新打开时必须填写原因。"))
        return cleaned


class ScheduleForm(forms.Form):
    """One row per frequency: whether the federations below report it, and by which day."""

    def __init__(self, *args, current: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in Frequency.choices:
            self.fields[f"{value}_on"] = forms.BooleanField(
                label=label, required=False, initial=value in current
            )
            self.fields[f"{value}_day"] = forms.IntegerField(
                label=_("次月截止日"), min_value=1, max_value=31, initial=current.get(value, 5)
            )

    def rows(self):
        return [(label, self[f"{value}_on"], self[f"{value}_day"]) for value, label in Frequency.choices]

    def chosen(self) -> dict[str, int]:
        return {
            value: self.cleaned_data[f"{value}_day"]
            for value, _label in Frequency.choices
            if self.cleaned_data.get(f"{value}_on")
        }
