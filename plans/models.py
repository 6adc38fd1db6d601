"""Annual plans (年度工作要点): indicators, plans, their work-point trees and targets.

A target split down the hierarchy (指标分解) is a target in the child federation's plan whose
``parent_target`` is the upper target: the split is nothing but that link.
"""

import re
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Max, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fedwork import access
from fedwork.fields import CleanCharField, CleanTextField
from fedwork.models import Event, Federation
from fedwork.numbers import grouped

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


class PlanEvent(Event):
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
    note = CleanCharField(_("说明"), max_length=300, blank=True)

    # How a row reaches its federation, for fedwork.access (scoping, the admin, form choices).
    federation_lookup = "plan__federation"

    class Meta(Event.Meta):
        verbose_name = _("计划记录")
        verbose_name_plural = _("计划记录")


# 一是…二要…: the items of a speech, which the plan importer keeps as notes under their point
# (plans.services, kind "speech"); one that reached the tree (a top-level one, an older import) is
# still no point to record an activity against.
SPEECH_LABEL = r"^[一二三四五六七八九十]{1,2}[是要]$"
OUTLINE_DEPTH = 12  # deeper than any document's numbering; a guard against a cycle of links


CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CIRCLED_NUMBERS = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def label_ordinal(label: str) -> int | None:
    """The number a work-point label stands for: 二 / 二、 / （二） / (2) / 2 / 2． / ② → 2; 十二 → 12.

    None when the label holds no number of its own (empty, 一是, 第一部分): such points keep the
    order they were entered in.
    """
    text = label.strip().strip("（）()、．.，, ")
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    if len(text) == 1 and text in CIRCLED_NUMBERS:
        return CIRCLED_NUMBERS.index(text) + 1
    if all(char in CHINESE_DIGITS or char == "十" for char in text) and text.count("十") <= 1:
        if "十" not in text:
            return CHINESE_DIGITS[text] if len(text) == 1 else None
        tens, _sep, units = text.partition("十")
        if len(tens) > 1 or len(units) > 1:
            return None
        return (CHINESE_DIGITS[tens] if tens else 1) * 10 + (CHINESE_DIGITS[units] if units else 0)
    return None


def display_label_of(label: str) -> str:
    """The label as the document writes it: "一" → "一、", "（一）" as is, "1" → "1．", "一是" as is."""
    if not label or label.startswith(("（", "(")) or label in "①②③④⑤⑥⑦⑧⑨⑩" or label.endswith(("是", "要")):
        return label
    if label.isdigit():
        return f"{label}．"
    return f"{label}、"


def is_recordable_point(label: str, title: str, plan_title: str) -> bool:
    """Whether an activity may be recorded against a point: not a speech item (SPEECH_LABEL) and not
    the plan's own title repeated as a point. The rule of ``WorkPointQuerySet.recordable``."""
    return not re.match(SPEECH_LABEL, label or "") and title.strip() != plan_title.strip()


def outline(rows: Iterable[tuple[int, int | None, int | None, str, int]]) -> dict[int, tuple[str, tuple]]:
    """Full labels and document-order keys of work points, from plain rows, without a query.

    ``rows``: (pk, parent id, implements id, label, order) of the points and of their ancestors.
    Returns {pk: (full label such as "二（一）1．", sort key)}; sorting by the key lists the points as
    the document numbers them: a parent before its children; siblings by the number their labels give
    (``label_ordinal``: 一 before 二, 1． before 2．) when every one of them is numbered differently,
    otherwise by ``order`` (unnumbered points, speech items 一是/二要), then by id.

    A top-level point that a split copied from an upper plan (same label, ``implements`` set, see
    plans.services._child_work_point) reads and sorts as the upper point it implements when that one
    is among the rows: 长沙市's "1" under 湖南省's 二（一） is "二（一）1．", not a bare "1．" after "2．".
    A parent missing from the rows ends the walk there.
    """
    by_pk = {row[0]: row[1:] for row in rows}

    def group_of(pk: int) -> tuple:
        """The siblings a point is ordered among: its parent's children, the copies of one upper point,
        or the top level."""
        parent_id, implements_id, label, _order = by_pk[pk]
        if parent_id is not None and parent_id in by_pk:
            return ("parent", parent_id)
        if parent_id is None and implements_id in by_pk and by_pk[implements_id][2] == label:
            return ("copies", implements_id)
        return ("top", None)

    # Labels win over ``order`` where every sibling is numbered, each differently: a plan typed in by
    # hand may have entered 2． before 1．, and the document's numbering is what its readers follow.
    groups: dict[tuple, list[int | None]] = {}
    for pk in by_pk:
        groups.setdefault(group_of(pk), []).append(label_ordinal(by_pk[pk][2]))
    numbered = {
        group
        for group, ordinals in groups.items()
        if None not in ordinals and len(set(ordinals)) == len(ordinals)
    }
    done: dict[int, tuple[list[str], tuple]] = {}

    def walk(pk: int, depth: int = 0) -> tuple[list[str], tuple]:
        """The display labels from the top of the outline down to this point, and its sort key."""
        if pk in done:
            return done[pk]
        parent_id, implements_id, label, order = by_pk[pk]
        rank = label_ordinal(label) if group_of(pk) in numbered else 0
        own = ([display_label_of(label)], ((rank, order, pk),))
        if depth >= OUTLINE_DEPTH:
            return own
        if parent_id is not None and parent_id in by_pk:
            labels, key = walk(parent_id, depth + 1)
            found = ([*labels, *own[0]], key + own[1])
        elif parent_id is None and implements_id in by_pk and by_pk[implements_id][2] == label:
            labels, key = walk(implements_id, depth + 1)
            found = (labels, key + own[1])  # right after the upper point it copies
        else:
            found = own
        done[pk] = found
        return found

    result = {}
    for pk in by_pk:
        labels, key = walk(pk)
        # 二、 + （一） + 1． reads 二（一）1．: the enumeration comma only ends a label that ends the number.
        text = "".join(part.removesuffix("、") for part in labels[:-1]) + labels[-1]
        result[pk] = (text, key)
    return result


class WorkPointQuerySet(models.QuerySet):
    def recordable(self) -> "WorkPointQuerySet":
        """Points an activity may be recorded against (``is_recordable_point``): no speech item
        (一是/二要) and not the plan's own title."""
        return self.exclude(label__regex=SPEECH_LABEL).exclude(title=F("plan__title"))

    def outline_rows(self) -> list[tuple[int, int | None, int | None, str, int]]:
        """(pk, parent id, implements id, label, order) of these points, the rows ``outline`` reads."""
        return list(self.values_list("pk", "parent_id", "implements_id", "label", "order"))


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
    objects = WorkPointQuerySet.as_manager()

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
        """The label as the document writes it: 一、 / （一） / 1． (``display_label_of``)."""
        return display_label_of(self.label)

    def _outline(self) -> tuple[str, tuple]:
        rows, point = [], self
        while point is not None and len(rows) < OUTLINE_DEPTH:
            rows.append(point.outline_row)
            if point.parent_id is not None:
                point = point.parent
            elif point.implements_id is not None and point.implements.label == point.label:
                point = point.implements  # a split's copy, possibly of a copy: outline() reads it so
            else:
                point = None
        return outline(rows)[self.pk]

    def full_label(self) -> str:
        """The point's number with its ancestors', as the document reads it: "二（一）1．".

        Built from the ancestors' ``display_label`` (one query per ancestor not yet loaded); a point a
        split copied into a lower plan reads as the upper point it implements (``outline``). Listing
        many points, use ``outline`` on their rows instead.
        """
        return self._outline()[0]

    def document_key(self) -> tuple:
        """A sort key putting points in document order (``outline``): 一、 before 二、, （一） before （二）
        under it, whatever the pks."""
        return self._outline()[1]

    @property
    def outline_row(self) -> tuple[int, int | None, int | None, str, int]:
        """(pk, parent id, implements id, label, order): the row ``outline`` reads."""
        return (self.pk, self.parent_id, self.implements_id, self.label, self.order)


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
    # From an imported document (#14): 约500人 / 500人左右, and last year's result for the same measure
    # found in its review section (回顾, 上年完成…), in the target's unit.
    approximate = models.BooleanField(_("约数"), default=False, help_text=_("原文为约数（约、左右）。"))
    baseline = models.DecimalField(
        _("上年完成"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("导入文档的回顾部分中同一指标的上年完成数，仅供参考。"),
    )
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

    def describe_value(self, number=None) -> str:
        """The target as its document words it: 不少于3500.5万元, 每月不少于2人, 10–20个.

        ``number`` writes the figures (format_decimal by default, as official documents write
        them; pages pass fedwork.numbers.grouped, see ``display_value``)."""
        number = number or format_decimal
        value = number(self.value)
        unit = self.unit
        if self.comparator == Comparator.RANGE:
            text = f"{value}–{number(self.max_value)}{unit}"
        else:
            text = f"{self.get_comparator_display()}{value}{unit}"
        if self.cadence == Cadence.MONTH:
            text = f"{_('每月')}{text}"
        return text

    @property
    def display_value(self) -> str:
        """``describe_value`` as pages print numbers, with thousand separators: 不少于30,000万元."""
        return self.describe_value(grouped)


def document_order(points: Iterable[WorkPoint]) -> list[WorkPoint]:
    """Work points in the order the document reads them (``outline``'s key): depth first, siblings
    by their labels' numbers, else by ``order`` and id. A point whose parent is not among ``points``
    is taken as a top-level one. Shape: the same WorkPoint objects, each once; no query.
    """
    points = list(points)
    keys = outline(point.outline_row for point in points)
    return sorted(points, key=lambda point: keys[point.pk][1])


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
