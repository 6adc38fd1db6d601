"""Annual plans (年度工作要点): indicators, plans, their work-point trees and targets.

A target split down the hierarchy (指标分解) is a target in the child federation's plan whose
``parent_target`` is the upper target: the split is nothing but that link.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Max, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fedwork import access
from fedwork.fields import CleanCharField, CleanTextField
from fedwork.models import Federation

UNIT_CHOICES = [
    (unit, unit)
    for unit in [
        "人",
        "名",
        "人次",
        "场",
        "场次",
        "期",
        "个",
        "篇",
        "条",
        "户",
        "件",
        "次",
        "家",
        "所",
        "项",
        "万元",
        "%",
    ]
]
MONEY_UNIT = "万元"


class IndicatorKind(models.TextChoices):
    SUM = "sum", _("累计数")
    RATE = "rate", _("比率")
    COVERAGE = "coverage", _("覆盖率")
    MILESTONE = "milestone", _("里程碑")


class IndicatorQuerySet(models.QuerySet):
    def available_to(self, federation: Federation) -> "IndicatorQuerySet":
        """Indicators defined by this federation or one above it."""
        return self.filter(owner__code__in=[*federation.ancestor_codes, federation.code])


class Indicator(models.Model):
    """A shared measure (培训妇女人数) that lets results add up across the hierarchy."""

    owner = models.ForeignKey(
        Federation, verbose_name=_("定义单位"), on_delete=models.PROTECT, related_name="indicators"
    )
    code = models.CharField(_("指标代码"), max_length=32, unique=True)
    name = CleanCharField(_("指标名称"), max_length=100)
    unit = models.CharField(_("计量单位"), max_length=8, choices=UNIT_CHOICES)
    kind = models.CharField(
        _("类型"), max_length=16, choices=IndicatorKind.choices, default=IndicatorKind.SUM
    )
    decimal_places = models.PositiveSmallIntegerField(
        _("小数位数"), default=0, help_text=_("人数、场次等计数为 0，金额（万元）为 2。")
    )
    numerator = models.ForeignKey(
        "self", verbose_name=_("分子指标"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    denominator = models.ForeignKey(
        "self", verbose_name=_("分母指标"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    base = models.ForeignKey(
        "self",
        verbose_name=_("覆盖依据指标"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("覆盖率：下级组织中该指标大于 0 的比例。"),
    )
    keywords = CleanCharField(
        _("关键词"), max_length=200, blank=True, help_text=_("用“、”分隔，用于导入文档时推荐指标。")
    )

    objects = IndicatorQuerySet.as_manager()

    # How a row reaches its federation, for fedwork.access (scoping, the admin, form choices).
    federation_lookup = "owner"

    class Meta:
        verbose_name = _("统计指标")
        verbose_name_plural = _("统计指标")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=IndicatorKind.RATE)
                | (Q(numerator__isnull=False) & Q(denominator__isnull=False)),
                name="plans_indicator_rate_has_parts",
                violation_error_message=_("比率指标必须指定分子和分母指标。"),
            ),
            models.CheckConstraint(
                condition=Q(decimal_places__lte=2), name="plans_indicator_decimal_places_max_2"
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.unit}）"

    @property
    def keyword_list(self) -> list[str]:
        return [word for word in self.keywords.replace(",", "、").split("、") if word]


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    ARCHIVED = "archived", _("已归档")


class PlanQuerySet(models.QuerySet):
    def for_user(self, user) -> "PlanQuerySet":
        """Plans in the user's subtree, plus the published plans their ancestors hand down."""
        own = access.scope_to_user(self, user)
        handed_down = self.filter(
            federation_id__in=access.ancestor_ids(user),
            status__in=[PlanStatus.PUBLISHED, PlanStatus.ARCHIVED],
        )
        return own | handed_down

    def for_year(self, year: int) -> "PlanQuerySet":
        return self.filter(year=year)

    def latest_year_of(self, federation, other_than: int) -> int | None:
        """The latest other year this federation has a plan for: where to point a page that is
        empty for the year chosen (the demo's plans are 2013's, for instance)."""
        return (
            self.filter(federation=federation)
            .exclude(year=other_than)
            .aggregate(latest=Max("year"))["latest"]
        )


class Plan(models.Model):
    """One federation's work points for one year (年度工作要点)."""

    federation = models.ForeignKey(
        Federation, verbose_name=_("妇联"), on_delete=models.PROTECT, related_name="plans"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = CleanCharField(_("标题"), max_length=200)
    doc_number = CleanCharField(_("文号"), max_length=100, blank=True)
    general_idea = CleanTextField(_("总体思路"), blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    implements = models.ForeignKey(
        "self",
        verbose_name=_("贯彻落实的上级计划"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="implementations",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    history = HistoricalRecords()
    objects = PlanQuerySet.as_manager()

    # How a row reaches its federation, for fedwork.access (scoping, the admin, form choices).
    federation_lookup = "federation"

    class Meta:
        verbose_name = _("年度工作要点")
        verbose_name_plural = _("年度工作要点")
        ordering = ["-year", "federation__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["federation", "year"],
                name="plans_plan_one_per_federation_year",
                violation_error_message=_("该妇联本年度已有工作要点。"),
            ),
        ]

    def __str__(self):
        # Shown in dropdowns and the admin, where a bare title ("工作要点") does not say whose or when.
        return f"{self.year}年 {self.federation.display_name}：{self.title}"

    def get_absolute_url(self):
        return reverse("plans:detail", kwargs={"pk": self.pk})

    @property
    def is_draft(self) -> bool:
        return self.status == PlanStatus.DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == PlanStatus.PUBLISHED

    @property
    def is_archived(self) -> bool:
        return self.status == PlanStatus.ARCHIVED


class PlanEvent(models.Model):
    """What happened to a plan, and who did it (publishing, reopening, splitting, importing)."""

    class Action(models.TextChoices):
        CREATED = "created", _("创建")
        IMPORTED = "imported", _("由文档导入")
        PUBLISHED = "published", _("发布")
        REOPENED = "reopened", _("重新打开")
        ARCHIVED = "archived", _("归档")
        SPLIT = "split", _("指标分解")

    plan = models.ForeignKey(Plan, verbose_name=_("计划"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    note = CleanCharField(_("说明"), max_length=300, blank=True)

    # How a row reaches its federation, for fedwork.access (scoping, the admin, form choices).
    federation_lookup = "plan__federation"

    class Meta:
        verbose_name = _("计划记录")
        verbose_name_plural = _("计划记录")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class WorkPoint(models.Model):
    """A numbered item of a plan (一、 → （一） → 1．…), possibly implementing an upper plan's point."""

    plan = models.ForeignKey(Plan, verbose_name=_("计划"), on_delete=models.CASCADE, related_name="points")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级要点"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    label = CleanCharField(_("编号"), max_length=16, blank=True)
    title = CleanCharField(_("标题"), max_length=300)
    body = CleanTextField(_("正文"), blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)
    implements = models.ForeignKey(
        "self",
        verbose_name=_("贯彻落实的上级要点"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="implementations",
    )
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    history = HistoricalRecords()

    # How a row reaches its federation, for fedwork.access (scoping, the admin, form choices).
    federation_lookup = "plan__federation"

    class Meta:
        verbose_name = _("工作要点")
        verbose_name_plural = _("工作要点")
        ordering = ["order", "pk"]

    def __str__(self):
        return f"{self.label} {self.title}".strip()

    @property
    def display_label(self) -> str:
        """The label as the document writes it: 一、 / （一） / 1．"""
        label = self.label
        if not label or label.startswith(("（", "(")) or label in "①②③④⑤⑥⑦⑧⑨⑩" or label.endswith("是"):
            return label
        if label.isdigit():
            return f"{label}．"
        return f"{label}、"


class Comparator(models.TextChoices):
    AT_LEAST = ">=", _("不少于")
    AT_MOST = "<=", _("不超过")
    EQUAL = "=", _("等于")
    RANGE = "range", _("区间")


class Cadence(models.TextChoices):
    YEAR = "year", _("全年")
    MONTH = "month", _("每月")


class TargetQuerySet(models.QuerySet):
    def for_user(self, user) -> "TargetQuerySet":
        return self.filter(plan__in=Plan.objects.for_user(user))

    def sharing_groups(self) -> dict[int, list["Target"]]:
        """Targets of these rows that share an indicator with another one of the same plan:
        {indicator id: [targets]} for every indicator used more than once in a plan.

        A figure counts toward every target of its indicator, so sharing one is double counting
        unless the planner confirmed the targets measure the same thing (``shares_indicator``).
        """
        groups: dict[tuple[int, int], list[Target]] = {}
        for target in self.filter(indicator__isnull=False).select_related("indicator", "work_point"):
            groups.setdefault((target.plan_id, target.indicator_id), []).append(target)
        return {indicator: targets for (_plan, indicator), targets in groups.items() if len(targets) > 1}

    def unconfirmed_shares(self) -> list["Target"]:
        """Targets sharing an indicator in their plan without the planner's confirmation."""
        return [
            target
            for targets in self.sharing_groups().values()
            for target in targets
            if not target.shares_indicator
        ]


class Target(models.Model):
    """A quantified goal on a work point: 培训妇女人数 ≥ 300 人."""

    work_point = models.ForeignKey(
        WorkPoint, verbose_name=_("工作要点"), on_delete=models.CASCADE, related_name="targets"
    )
    # Denormalized from work_point.plan so roll-ups find a federation's targets in one join.
    plan = models.ForeignKey(Plan, verbose_name=_("计划"), on_delete=models.CASCADE, related_name="targets")
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("指标"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="targets",
        help_text=_("导入文档时未能识别指标的目标为空，发布前须补全。"),
    )
    comparator = models.CharField(
        _("比较方式"), max_length=8, choices=Comparator.choices, default=Comparator.AT_LEAST
    )
    value = models.DecimalField(_("目标值"), max_digits=18, decimal_places=2)
    max_value = models.DecimalField(_("上限值"), max_digits=18, decimal_places=2, null=True, blank=True)
    cadence = models.CharField(_("考核周期"), max_length=8, choices=Cadence.choices, default=Cadence.YEAR)
    due_date = models.DateField(_("完成期限"), null=True, blank=True)
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=2, default=Decimal(1))
    source_text = CleanTextField(_("原文"), blank=True)
    parent_target = models.ForeignKey(
        "self",
        verbose_name=_("上级目标"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="splits",
    )
    shares_indicator = models.BooleanField(
        _("共用指标"),
        default=False,
        help_text=_(
            "本计划另有目标使用同一指标、且两者统计的是同一批对象时勾选：同一项数据将同时计入这些目标。"
            "统计对象不同（如“科技致富带头人”与“失业妇女”）时，请分别选用不同的指标。"
        ),
    )
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    history = HistoricalRecords()
    objects = TargetQuerySet.as_manager()

    # How a row reaches its federation, for fedwork.access (scoping, the admin, form choices).
    federation_lookup = "plan__federation"

    class Meta:
        verbose_name = _("目标任务")
        verbose_name_plural = _("目标任务")
        ordering = ["work_point__order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="plans_target_value_nonnegative"),
            models.CheckConstraint(
                condition=~Q(comparator="range") | Q(max_value__gte=models.F("value")),
                name="plans_target_range_ordered",
                violation_error_message=_("区间的上限不能小于下限。"),
            ),
            models.CheckConstraint(condition=Q(weight__gt=0), name="plans_target_weight_positive"),
            # One child plan holds at most one split of an upper target (issue #13, finding 10).
            models.UniqueConstraint(
                fields=["plan", "parent_target"],
                condition=Q(parent_target__isnull=False),
                name="plans_target_one_split_per_plan",
            ),
        ]

    def __str__(self):
        return f"{self.indicator.name if self.indicator else _('待定指标')} {self.describe_value()}"

    def save(self, *args, **kwargs):
        self.plan_id = self.work_point.plan_id
        super().save(*args, **kwargs)

    @property
    def unit(self) -> str:
        return self.indicator.unit if self.indicator else ""

    @property
    def annual_value(self) -> Decimal:
        """The year's total: a monthly target (每月不少于2条) counts twelve times."""
        return self.value * 12 if self.cadence == Cadence.MONTH else self.value

    def describe_value(self) -> str:
        value = format_decimal(self.value)
        unit = self.unit
        if self.comparator == Comparator.RANGE:
            text = f"{value}–{format_decimal(self.max_value)}{unit}"
        else:
            text = f"{self.get_comparator_display()}{value}{unit}"
        if self.cadence == Cadence.MONTH:
            text = f"{_('每月')}{text}"
        return text


def format_decimal(value: Decimal | None) -> str:
    """A decimal as people write it: 300.00 → "300", 98.50 → "98.5", never "3E+2"."""
    if value is None or value == "":
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class PlannedActivity(models.Model):
    """An item of the plan's attached activity list (附件：主要活动安排), kept until it is scheduled."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("计划"), on_delete=models.CASCADE, related_name="planned_activities"
    )
    label = CleanCharField(_("编号"), max_length=16, blank=True)
    title = CleanCharField(_("活动名称"), max_length=300)
    month = models.PositiveSmallIntegerField(_("月份"), null=True, blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)

    # How a row reaches its federation, for fedwork.access (scoping, the admin, form choices).
    federation_lookup = "plan__federation"

    class Meta:
        verbose_name = _("主要活动安排")
        verbose_name_plural = _("主要活动安排")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(month__isnull=True) | Q(month__gte=1, month__lte=12),
                name="plans_planned_activity_month",
            ),
        ]

    def __str__(self):
        return self.title
