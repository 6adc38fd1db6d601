"""Forms of the assessment pages: the scheme's settings and its item rows (a formset), the self and
review score of one item (one small form per item, prefixed by its pk), objections and answers."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from fedwork.fields import CleanFormField

from .models import Rule, Scheme

POINT_FIELD = {"max_digits": 6, "decimal_places": 1, "min_value": Decimal(0)}


class SchemeCreateForm(forms.Form):
    name = CleanFormField(label=_("名称"), max_length=200)


class SchemeSettingsForm(forms.ModelForm):
    class Meta:
        model = Scheme
        fields = ["name", "excellent_from", "good_from", "pass_from", "objection_days"]

    def clean(self):
        cleaned = super().clean()
        bands = [cleaned.get(name) for name in ("excellent_from", "good_from", "pass_from")]
        if None not in bands and not (bands[0] > bands[1] > bands[2] >= 0):
            raise forms.ValidationError(_("分数线须满足：优秀 > 良好 > 合格 ≥ 0。"))
        return cleaned


class ItemRowForm(forms.Form):
    """One line of the scheme as offices write it: area, item, points, rule (and, for an item scored
    from targets, the indicator it follows)."""

    area = CleanFormField(label=_("考核项目"), max_length=200)
    name = CleanFormField(label=_("考核内容"), max_length=300)
    max_points = forms.DecimalField(label=_("分值"), max_digits=6, decimal_places=1, min_value=Decimal("0.1"))
    rule = forms.ChoiceField(label=_("计分方式"), choices=Rule.choices, initial=Rule.JUDGED)
    indicator = forms.ModelChoiceField(label=_("指标"), queryset=None, required=False)
    work_point = forms.ModelChoiceField(label=_("工作要点"), queryset=None, required=False)

    def __init__(self, *args, indicators=None, work_points=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators
        self.fields["indicator"].empty_label = _("（全部目标）")
        self.fields["work_point"].queryset = work_points
        self.fields["work_point"].empty_label = _("（全部要点）")

    def clean(self):
        cleaned = super().clean()
        for name in ("indicator", "work_point"):
            if cleaned.get(name) and cleaned.get("rule") != Rule.FROM_TARGETS:
                self.add_error(name, _("只有“按目标完成”的考核内容才能关联指标或工作要点。"))
        if cleaned.get("indicator") and cleaned.get("work_point"):
            self.add_error("work_point", _("指标和工作要点只能选一个。"))
        return cleaned


ItemRowFormSet = forms.formset_factory(ItemRowForm, extra=3, can_delete=True)


class _ItemPointsForm(forms.Form):
    """Points for one scheme item, at most its maximum; an item scored from targets has no box."""

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        self.fields["points"].max_value = item.max_points
        self.fields["points"].widget.attrs.update(
            {"max": item.max_points, "step": "0.1", "inputmode": "decimal"}
        )
        if item.is_automatic:
            del self.fields["points"]

    def clean_points(self):
        points = self.cleaned_data.get("points")
        if points is not None and points > self.item.max_points:
            raise forms.ValidationError(_("不能超过 %(max)s 分。") % {"max": self.item.max_points})
        return points


class SelfScoreForm(_ItemPointsForm):
    points = forms.DecimalField(label=_("自评分"), required=False, **POINT_FIELD)
    note = CleanFormField(
        label=_("自评说明"),
        required=False,
        max_length=2000,
        multiline=True,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    attachments = forms.ModelMultipleChoiceField(
        label=_("佐证材料"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, item, attachments, **kwargs):
        super().__init__(*args, item=item, **kwargs)
        self.fields["attachments"].queryset = attachments


class ReviewScoreForm(_ItemPointsForm):
    points = forms.DecimalField(label=_("审核分"), required=False, **POINT_FIELD)
    comment = CleanFormField(
        label=_("审核意见"),
        required=False,
        max_length=2000,
        multiline=True,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    needs_evidence = forms.BooleanField(label=_("退回补充材料"), required=False)


class ObjectionForm(forms.Form):
    reason = CleanFormField(
        label=_("异议理由"), max_length=2000, multiline=True, widget=forms.Textarea(attrs={"rows": 3})
    )


class AnswerForm(forms.Form):
    answer = CleanFormField(
        label=_("答复意见"), max_length=2000, multiline=True, widget=forms.Textarea(attrs={"rows": 3})
    )
    points = forms.DecimalField(label=_("调整后的分数（不改则留空）"), required=False, **POINT_FIELD)
