from datetime import date
from typing import NamedTuple

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from fedwork.concurrency import OneTimeTokenMixin, VersionedFormMixin
from fedwork.forms import offer_choices_once
from plans.models import Indicator, IndicatorKind, PlanStatus, Target, WorkPoint, is_recordable_point, outline

from .models import Activity, ActivityStatus, ActivityType
from .services import enterable_indicators, figure_error, implausible_figure

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]
FIGURE_PREFIX = "fig_"
FIGURES_CONFIRMED = "figures_confirmed"
MONTH_CHOICES = [("", _("请选择")), *((month, f"{month}月") for month in range(1, 13))]
# What a phone's Chinese keyboard may type in a figure box: full-width digits, point, comma and minus.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，－　", "0123456789.,- ")


class FigureBox(NamedTuple):
    """One figure box of the activity form (``ActivityForm.figure_boxes``): the indicator's code, the
    input's id and name, its label (name and unit), the value shown (a string, None when empty), the
    phone keyboard (``inputmode``: numeric or decimal) and the first error (None without)."""

    code: str
    id: str
    name: str
    label: str
    value: str | None
    inputmode: str
    error: str | None


class FigureField(forms.DecimalField):
    """A figure box: a text input with a numeric keyboard (inputmode), not ``<input type="number">``.

    A number input that holds text the browser cannot read (``12e``) submits "", and the activity was
    saved without the figure the user saw in the box; a text input sends what was typed, and the form
    says what is wrong. Full-width digits and thousand separators (1,000 / １０００) are read as
    numbers. Errors: one message per box, in plain Chinese.
    """

    widget = forms.TextInput
    default_error_messages = {
        "invalid": _("请填写数字，如 120 或 12.5，不能有字母或其他符号。"),
        "max_digits": _("数值过大，请核对。"),
        "max_whole_digits": _("数值过大，请核对。"),
        "max_decimal_places": _("最多保留%(max)s位小数。"),
    }

    def to_python(self, value):
        if isinstance(value, str):
            value = value.translate(_FULL_WIDTH).replace(",", "").replace(" ", "")
            if any(c.isalpha() for c in value):  # 1e3 is a number to Python, not to the person typing
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


def plan_points_for(federation, year):
    """Every point of the federation's own plan for the year and of the published plans above it,
    speech items and title rows included (they number the points under them)."""
    # The federations by code (an index), then the status test on those few plans: one plain query,
    # cheaper to build and to plan than the union of two plan subqueries it replaces.
    return (
        WorkPoint.objects.filter(
            plan__year=year, plan__federation__code__in=[*federation.ancestor_codes, federation.code]
        )
        .filter(
            Q(plan__federation=federation) | Q(plan__status__in=[PlanStatus.PUBLISHED, PlanStatus.ARCHIVED])
        )
        .select_related("plan__federation")
        .order_by("-plan__federation__depth", "plan_id", "order", "pk")
    )


def work_points_for(federation, year):
    """The points an activity may be recorded against: ``plan_points_for`` without speech items and
    plan titles (``WorkPoint.objects.recordable``)."""
    return plan_points_for(federation, year).recordable()


# outline()'s five columns first, then what an option and its group read.
POINT_COLUMNS = (
    "pk",
    "parent_id",
    "implements_id",
    "label",
    "order",
    "title",
    "plan_id",
    "plan__title",
    "plan__federation__short_name",
    "plan__federation__name",
)
GROUP_LABEL_LENGTH = 40
OPTION_LABEL_LENGTH = 60


def grouped_point_choices(rows) -> list[tuple[str, list[tuple[int, str]]]]:
    """The work points as a <select> offers them: one group per plan (own plan first, then the plans
    above, as the rows come), each point with its full label in document order ("二（一）1．引领…").

    ``rows``: POINT_COLUMNS tuples, possibly repeated (one per target). Speech items and the plan's
    own title are left out (``is_recordable_point``) but still number the points under them.
    Returns [(group label, [(pk, option label), …]), …]; a plan with nothing to offer has no group.
    """
    unique = list({row[0]: row for row in rows}.values())
    numbered = outline(row[:5] for row in unique)
    groups: dict[int, tuple[str, list]] = {}
    for pk, _parent, _implements, label, _order, title, plan_id, plan_title, short_name, name in unique:
        group = groups.setdefault(plan_id, (f"{short_name or name} · {plan_title}"[:GROUP_LABEL_LENGTH], []))
        if is_recordable_point(label, title, plan_title):
            full_label, key = numbered[pk]
            group[1].append((key, pk, f"{full_label}{title}"[:OPTION_LABEL_LENGTH]))
    return [
        (label, [(pk, text) for _key, pk, text in sorted(items)]) for label, items in groups.values() if items
    ]


POINT_PICKER_ATTRS = {"data-point-picker": "", "data-search-label": _("搜索工作要点（编号或文字）")}


class ActivityForm(OneTimeTokenMixin, VersionedFormMixin, forms.ModelForm):
    """The staff's recording form: type, work point, dates, place and the figures, on one phone screen."""

    work_point = forms.ModelChoiceField(
        label=_("服务的工作要点"),
        queryset=WorkPoint.objects.none(),
        required=False,
        empty_label=_("请选择（可不选）"),
        widget=forms.Select(attrs=POINT_PICKER_ATTRS),
    )
    actual_start = forms.DateTimeField(
        label=_("实际开始"),
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    actual_end = forms.DateTimeField(
        label=_("实际结束"),
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    class Meta:
        model = Activity
        fields = [
            "type",
            "title",
            "work_point",
            "status",
            "planned_start",
            "planned_end",
            "planned_month",
            "actual_start",
            "actual_end",
            "place",
            "organiser",
            "description",
            "is_main",
            "achieves",
        ]
        widgets = {
            "planned_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "planned_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "planned_month": forms.Select(choices=MONTH_CHOICES),
            "description": forms.Textarea(attrs={"rows": 3}),
            "achieves": forms.CheckboxSelectMultiple,
        }

    @property
    def has_field_errors(self) -> bool:
        """Errors on fields (marked red below), not only the form's own (a stale edit, a locked period)."""
        return any(name != NON_FIELD_ERRORS for name in self.errors)

    def __init__(self, *args, federation, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.federation, self.year = federation, year
        self.fields["type"].queryset = ActivityType.objects.filter(is_active=True)
        offer_choices_once(self.fields["type"])
        self.fields["work_point"].queryset = work_points_for(federation, year)  # what a choice is checked in
        self.fields["work_point"].choices = self._point_choices  # what the page offers, read when shown
        self.fields["work_point"].error_messages["invalid_choice"] = _("请选择本级或上级计划中的工作要点。")
        if self.instance.pk and not self.is_bound:
            self.initial["work_point"] = self.instance.work_points.first()
        achieves = self.fields["achieves"]
        achieves.queryset = Target.objects.filter(  # what a submitted choice is checked in
            plan__federation=federation, plan__year=year, indicator__kind=IndicatorKind.MILESTONE
        ).select_related("indicator")
        # What the page offers, from the same query read once: the field's own iterator would query
        # again for the page after the test whether there is anything to offer.
        if milestones := list(achieves.queryset):
            achieves.choices = [(target.pk, achieves.label_from_instance(target)) for target in milestones]
        else:
            del self.fields["achieves"]
        self.indicators = list(enterable_indicators(federation))
        existing = {f.indicator_id: f.value for f in self.instance.figures.all()} if self.instance.pk else {}
        for indicator in self.indicators:
            places = indicator.decimal_places
            initial = existing.get(indicator.pk)
            field = FigureField(
                label=f"{indicator.name}（{indicator.unit}）",
                required=False,
                max_digits=18,
                decimal_places=2,
                initial=initial if initial is None else (initial if places else int(initial)),
                widget=forms.TextInput,  # a class: a widget instance would be deep-copied, fifty times
            )
            field.widget.attrs.update(
                {
                    "inputmode": "numeric" if places == 0 else "decimal",
                    "autocomplete": "off",
                    "data-indicator": indicator.code,
                }
            )
            self.fields[FIGURE_PREFIX + indicator.code] = field
        self.fields[FIGURES_CONFIRMED] = forms.BooleanField(
            label=_("确认无误：以上数值已核对"), required=False
        )
        self.implausible: dict[str, str] = {}  # figure field → warning, filled by clean()

    @cached_property
    def _points(self) -> tuple[list, dict[int, set[str]]]:
        """The work points on offer (``grouped_point_choices``), and the indicators each one's targets
        use, in one query: one row per point and target (points without targets too)."""
        # Every point of the plans, not only those offered: speech items and titles number the rest.
        rows = list(
            plan_points_for(self.federation, self.year).values_list(
                *POINT_COLUMNS,
                "targets__indicator__code",
                "targets__indicator__numerator_id",
                "targets__indicator__denominator_id",
            )
        )
        # A rate's parts are sums, nearly always among the form's own figures: their codes are known
        # without two more joins (the query's planning cost most of its time); others are looked up.
        part_codes = {indicator.pk: indicator.code for indicator in self.indicators}
        missing = {part for row in rows for part in row[-2:] if part and part not in part_codes}
        if missing:
            part_codes.update(Indicator.objects.filter(pk__in=missing).values_list("pk", "code"))
        codes_by_point = {}
        for *point, code, numerator, denominator in rows:
            if code:
                codes = codes_by_point.setdefault(point[0], set())
                codes.add(code)
                if numerator:
                    codes |= {part_codes[numerator], part_codes[denominator]}
        return grouped_point_choices(row[: len(POINT_COLUMNS)] for row in rows), codes_by_point

    def _point_choices(self):
        return [("", self.fields["work_point"].empty_label), *self._points[0]]

    @property
    def point_indicators(self) -> dict[int, set[str]]:
        """Which indicators each work point's targets use, so the page shows those figures first."""
        return self._points[1]

    def figure_boxes(self) -> list["FigureBox"]:
        """The figure boxes in the order of the indicators, as activity_form.html writes them: one
        template loop over plain rows rather than fifty renders of Django's widget templates (that
        rendering was a third of the page's CPU). The markup is what ``field|bootstrap`` gives, attribute
        for attribute (tests/activities/test_figure_input.py compares them): the bound value
        (``BoundField.value`` through the widget's ``format_value``), ``is-invalid`` and the
        ``aria-invalid`` / ``aria-describedby`` Django adds to a field with errors, and its first error."""
        boxes = []
        for indicator in self.indicators:
            bound = self[FIGURE_PREFIX + indicator.code]
            errors = bound.errors
            boxes.append(
                FigureBox(
                    code=indicator.code,
                    id=bound.auto_id,
                    name=bound.html_name,
                    label=bound.label,
                    value=bound.field.widget.format_value(bound.value()),
                    inputmode=bound.field.widget.attrs["inputmode"],
                    error=errors[0] if errors else None,
                )
            )
        return boxes

    def figures_confirm(self) -> forms.BoundField | None:
        """The 确认无误 tick that lets the user save a figure that looked implausible; None when no
        figure did (the page then shows no tick)."""
        if self.implausible or (self.is_bound and self.data.get(FIGURES_CONFIRMED)):
            return self[FIGURES_CONFIRMED]
        return None

    def clean(self):
        cleaned = super().clean()
        planned_start, planned_end = cleaned.get("planned_start"), cleaned.get("planned_end")
        actual_start, actual_end = cleaned.get("actual_start"), cleaned.get("actual_end")
        status = cleaned.get("status")
        if not (planned_start or cleaned.get("planned_month") or actual_start):
            self.add_error("planned_start", _("请填写计划日期、计划月份或实际开始时间。"))
        if status == ActivityStatus.DONE and not actual_start:
            self.add_error("actual_start", _("已完成的活动请填写实际开始时间。"))
        for name, day in [
            ("planned_start", planned_start),
            ("planned_end", planned_end),
            ("actual_start", actual_start and _local_date(actual_start)),
            ("actual_end", actual_end and _local_date(actual_end)),
        ]:
            if day and day.year != self.year:
                self.add_error(name, _("日期应在%(year)s年内。") % {"year": self.year})
        if planned_start and planned_end and planned_end < planned_start:
            self.add_error("planned_end", _("结束日期不能早于开始日期。"))
        if actual_start and actual_end and actual_end < actual_start:
            self.add_error("actual_end", _("结束时间不能早于开始时间。"))
        for indicator in self.indicators:
            name = FIGURE_PREFIX + indicator.code
            value = cleaned.get(name)
            if value is not None:
                error = figure_error(indicator, value)
                if error:
                    self.add_error(name, error)
                elif warning := implausible_figure(indicator, value):
                    self.implausible[name] = warning
        if self.implausible and not cleaned.get(FIGURES_CONFIRMED):
            for name, warning in self.implausible.items():
                self.add_error(name, f"{warning}{_('确认无误请勾选下方“确认无误”后再保存。')}")
        return cleaned

    def figures(self) -> dict:
        return {
            indicator: self.cleaned_data.get(FIGURE_PREFIX + indicator.code) for indicator in self.indicators
        }


def _local_date(moment) -> date:
    from django.utils import timezone

    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


class CalendarFilterForm(forms.Form):
    type = forms.ModelChoiceField(
        label=_("类型"), queryset=ActivityType.objects.all(), required=False, empty_label=_("全部类型")
    )
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部状态")), *ActivityStatus.choices, ("overdue", _("已逾期"))],
    )
    work_point = forms.ModelChoiceField(
        label=_("工作要点"),
        queryset=WorkPoint.objects.none(),
        required=False,
        empty_label=_("全部要点"),
        widget=forms.Select(attrs=POINT_PICKER_ATTRS),
    )
    below = forms.BooleanField(label=_("含下级"), required=False)

    def __init__(self, *args, federation, year, **kwargs):
        super().__init__(*args, **kwargs)
        self.federation, self.year = federation, year
        offer_choices_once(self.fields["type"])
        self.fields["work_point"].queryset = work_points_for(federation, year)
        self.fields["work_point"].choices = self._point_choices  # read when the form is shown

    @cached_property
    def _points(self) -> list:
        # Plain columns, once: the widget reads its choices twice (the required check, then the options).
        rows = plan_points_for(self.federation, self.year).values_list(*POINT_COLUMNS)
        return grouped_point_choices(rows)

    def _point_choices(self):
        return [("", self.fields["work_point"].empty_label), *self._points]


class ActivitySearchForm(CalendarFilterForm):
    """The activity list's search: the calendar's filters, words of the title or place, a date range."""

    q = forms.CharField(
        label=_("名称或地点"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("活动名称或地点中的字词")}),
    )
    date_from = forms.DateField(
        label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("date_from", "date_to"):
            self.fields[name].error_messages["invalid"] = _("请输入有效的日期，如 2013-05-10。")

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("date_from"), cleaned.get("date_to")
        if first and last and last < first:
            self.add_error("date_to", _("结束日期不能早于开始日期。"))
        return cleaned
