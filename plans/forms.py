from decimal import Decimal

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from fedwork.concurrency import VersionedFormMixin

from .models import Comparator, Indicator, IndicatorKind, Plan, PlanStatus, Target, WorkPoint, format_decimal

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024


class PlanForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["title", "doc_number", "general_idea", "implements"]
        widgets = {"general_idea": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, federation, year, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["implements"].queryset = Plan.objects.filter(
            federation__code__in=federation.ancestor_codes,
            year=year,
            status__in=[PlanStatus.PUBLISHED, PlanStatus.ARCHIVED],
        ).select_related("federation")
        self.fields["implements"].label_from_instance = lambda plan: (
            f"{plan.federation.display_name}：{plan.title}"
        )


class WorkPointForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = WorkPoint
        fields = ["label", "title", "body", "implements"]
        widgets = {"body": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"label": _("如：一、（一）、1")}

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        upper = plan.implements
        if upper is None:
            del self.fields["implements"]
        else:
            self.fields["implements"].queryset = upper.points.all()
            self.fields["implements"].label_from_instance = lambda point: f"{point.label} {point.title}"[:80]


class TargetForm(VersionedFormMixin, forms.ModelForm):
    value = forms.DecimalField(
        label=_("目标值"), max_digits=18, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    max_value = forms.DecimalField(
        label=_("上限值"),
        max_digits=18,
        decimal_places=2,
        required=False,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("仅“区间”需要填写，如招聘会 1–2 场次的 2。"),
    )
    weight = forms.DecimalField(
        label=_("权重"),
        max_digits=6,
        decimal_places=2,
        initial=Decimal(1),
        validators=[MinValueValidator(Decimal("0.01"))],
    )

    class Meta:
        model = Target
        fields = [
            "indicator",
            "comparator",
            "value",
            "max_value",
            "cadence",
            "due_date",
            "weight",
            "source_text",
            "shares_indicator",
        ]
        widgets = {
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "source_text": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["indicator"].queryset = Indicator.objects.available_to(plan.federation)
        self.fields["indicator"].required = True
        self.fields["indicator"].error_messages["invalid_choice"] = _("请选择本级可用的指标。")

    def clean(self):
        cleaned = super().clean()
        indicator, value = cleaned.get("indicator"), cleaned.get("value")
        comparator, max_value = cleaned.get("comparator"), cleaned.get("max_value")
        if comparator == Comparator.RANGE:
            if max_value is None:
                self.add_error("max_value", _("区间目标需要填写上限值。"))
            elif value is not None and max_value < value:
                self.add_error("max_value", _("上限值不能小于目标值。"))
        else:
            cleaned["max_value"] = None
        if indicator and value is not None and indicator.decimal_places == 0 and value != value.to_integral():
            self.add_error(
                "value",
                _("“%(name)s”以%(unit)s计，目标值应为整数。")
                % {"name": indicator.name, "unit": indicator.unit},
            )
        if indicator and indicator.kind == IndicatorKind.MILESTONE and not cleaned.get("due_date"):
            self.add_error("due_date", _("里程碑目标需要填写完成期限。"))
        if indicator and not cleaned.get("shares_indicator"):
            other = self.plan.targets.filter(indicator=indicator).exclude(pk=self.instance.pk).first()
            if other is not None:
                self.add_error(
                    "indicator",
                    _(
                        "本计划的目标“%(other)s”（%(point)s）已使用指标“%(name)s”，同一项数据会同时计入两个目标。"
                        "统计对象不同时请选用或新建另一个指标；确属同一口径的，请勾选“共用指标”。"
                    )
                    % {
                        "other": other.source_text or other.describe_value(),
                        "point": other.work_point,
                        "name": indicator.name,
                    },
                )
        return cleaned


class SplitForm(forms.Form):
    """One value per direct child federation; empty means nothing is assigned to it."""

    def __init__(self, *args, rows, target: Target, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        self.target = target
        places = target.indicator.decimal_places if target.indicator else 2
        for child, existing in rows:
            self.fields[self.field_name(child)] = forms.DecimalField(
                label=child.display_name,
                required=False,
                min_value=Decimal(0),
                max_digits=18,
                decimal_places=places,
                initial=format_decimal(existing.value) if existing else None,
                widget=forms.NumberInput(
                    attrs={"step": "1" if places == 0 else "0.01", "data-split-value": ""}
                ),
            )

    @staticmethod
    def field_name(child) -> str:
        return f"fed_{child.pk}"

    @classmethod
    def suggested_initial(cls, shares: dict[int, Decimal], children) -> dict[str, str | None]:
        """The fields' initial values for suggested shares (federation id → value, see
        plans.services.split_suggestion): a child without a share gets an empty field."""
        return {
            cls.field_name(child): format_decimal(shares[child.pk]) if child.pk in shares else None
            for child in children
        }

    def values(self) -> dict[int, Decimal | None]:
        return {child.pk: self.cleaned_data.get(self.field_name(child)) for child, _existing in self.rows}

    def bound_rows(self):
        return [(child, existing, self[self.field_name(child)]) for child, existing in self.rows]


class DocumentUploadForm(forms.Form):
    document = forms.FileField(
        label=_("工作要点文档"),
        help_text=_("支持 .txt（UTF-8 或 GB18030）、.docx 和有文字层的 .pdf，不超过 5 MB。"),
    )
    confirm_year = forms.BooleanField(
        label=_("文档年度与所选年度不同，仍按所选年度导入"), required=False, widget=forms.HiddenInput
    )

    def clean_document(self):
        document = self.cleaned_data["document"]
        if document.size > MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(_("文件过大（不超过 5 MB）。"))
        if document.size == 0:
            raise forms.ValidationError(_("文件为空。"))
        return document


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("重新打开的原因"), max_length=200, required=False)
