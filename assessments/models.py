"""The year-end assessment (考核): a scheme of scored items, and each direct child's assessment.

An upper federation defines, per year, one scheme (考核细则) for its direct children: items grouped
by area, each with maximum points and a rule (see :class:`Rule`). Each child then scores itself
(自评) item by item, citing its evidence files; the upper federation reviews (审核评分), may return
items for more evidence, and opens an objection window (异议期); after it the scores are final.
The arithmetic lives in ``assessments.scoring``; every write in ``assessments.services``; who may
do what in ``fedwork.access`` (``may_*_assessment``).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from evidence.models import Attachment
from fedwork.fields import CleanCharField, CleanTextField
from fedwork.models import Event, Federation

POINTS = {"max_digits": 6, "decimal_places": 1}


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class Scheme(models.Model):
    """考核细则: what an upper federation scores its direct children on in a year, and how results
    are graded. Grade bands are the lower bounds of 优秀, 良好 and 合格 (in points; below 合格 is
    不合格), kept per scheme because each office sets its own (济妇发〔2013〕40号 leaves them to it)."""

    federation = models.ForeignKey(
        Federation, verbose_name=_("考核单位"), on_delete=models.PROTECT, related_name="assessment_schemes"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    name = CleanCharField(_("名称"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=10, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT
    )
    excellent_from = models.DecimalField(_("优秀分数线"), **POINTS, default=Decimal(90))
    good_from = models.DecimalField(_("良好分数线"), **POINTS, default=Decimal(80))
    pass_from = models.DecimalField(_("合格分数线"), **POINTS, default=Decimal(60))
    objection_days = models.PositiveSmallIntegerField(_("异议期（天）"), default=5)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    federation_lookup = "federation"

    class Meta:
        verbose_name = _("考核细则")
        verbose_name_plural = _("考核细则")
        ordering = ["-year", "federation__path"]
        constraints = [
            models.UniqueConstraint(fields=["federation", "year"], name="assessments_scheme_one_per_year"),
            models.CheckConstraint(
                condition=Q(excellent_from__gt=F("good_from"))
                & Q(good_from__gt=F("pass_from"))
                & Q(pass_from__gte=0),
                name="assessments_scheme_bands_descending",
            ),
            models.CheckConstraint(
                condition=Q(status__in=SchemeStatus.values), name="assessments_scheme_status_valid"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("assessments:scheme", kwargs={"pk": self.pk})

    @property
    def is_draft(self) -> bool:
        return self.status == SchemeStatus.DRAFT

    def items(self) -> models.QuerySet:
        """The scheme's items in document order (area, then item)."""
        return (
            SchemeItem.objects.filter(area__scheme=self)
            .select_related("area", "indicator", "work_point")
            .order_by("area__order", "area__pk", "order", "pk")
        )


class SchemeArea(models.Model):
    """A group of items (组织建设, 维权服务 …), in the order the scheme prints them."""

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("考核细则"), on_delete=models.CASCADE, related_name="areas"
    )
    name = CleanCharField(_("考核项目"), max_length=200)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    federation_lookup = "scheme__federation"

    class Meta:
        verbose_name = _("考核项目")
        verbose_name_plural = _("考核项目")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name


class Rule(models.TextChoices):
    """How an item is scored (see assessments.scoring for the arithmetic)."""

    FROM_TARGETS = "targets", _("按目标完成")
    JUDGED = "judged", _("评审打分")
    BONUS = "bonus", _("加分")
    DEDUCTION = "deduction", _("扣分")


class SchemeItem(models.Model):
    """One scored line: its maximum points (for a bonus or a deduction: the cap) and its rule; an item
    scored from targets may name the indicator or work point it follows (none: all the child's
    targets)."""

    area = models.ForeignKey(
        SchemeArea, verbose_name=_("考核项目"), on_delete=models.CASCADE, related_name="items"
    )
    name = CleanCharField(_("考核内容"), max_length=300)
    max_points = models.DecimalField(_("分值"), **POINTS)
    rule = models.CharField(_("计分方式"), max_length=10, choices=Rule.choices, default=Rule.JUDGED)
    indicator = models.ForeignKey(
        "plans.Indicator",
        verbose_name=_("指标"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    work_point = models.ForeignKey(
        "plans.WorkPoint",
        verbose_name=_("工作要点"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    federation_lookup = "area__scheme__federation"

    class Meta:
        verbose_name = _("考核内容")
        verbose_name_plural = _("考核内容")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(max_points__gt=0), name="assessments_item_max_positive"),
            models.CheckConstraint(condition=Q(rule__in=Rule.values), name="assessments_item_rule_valid"),
            models.CheckConstraint(
                condition=Q(rule=Rule.FROM_TARGETS) | Q(indicator__isnull=True, work_point__isnull=True),
                name="assessments_item_link_only_from_targets",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_automatic(self) -> bool:
        return self.rule == Rule.FROM_TARGETS


class AssessmentStatus(models.TextChoices):
    SELF = "self", _("自评中")
    SUBMITTED = "submitted", _("待审核")
    REVIEWED = "reviewed", _("异议期")
    OBJECTION = "objection", _("异议处理中")
    FINAL = "final", _("已确定")


class Assessment(models.Model):
    """One direct child's assessment under a published scheme, through 自评 → 审核 → 异议 → 确定."""

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("考核细则"), on_delete=models.CASCADE, related_name="assessments"
    )
    federation = models.ForeignKey(
        Federation, verbose_name=_("被考核单位"), on_delete=models.PROTECT, related_name="assessments"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.SELF
    )
    objection_until = models.DateField(_("异议截止日期"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("确认无异议时间"), null=True, blank=True)
    total = models.DecimalField(_("总分"), **POINTS, null=True, blank=True)
    grade = models.CharField(_("等次"), max_length=10, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    federation_lookup = "federation"

    class Meta:
        verbose_name = _("考核")
        verbose_name_plural = _("考核")
        ordering = ["scheme", "federation__code"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "federation"], name="assessments_one_per_child"),
            models.CheckConstraint(
                condition=Q(status__in=AssessmentStatus.values), name="assessments_assessment_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.scheme.year} {self.federation.display_name}"

    def get_absolute_url(self):
        return reverse("assessments:detail", kwargs={"pk": self.pk})

    @property
    def is_final(self) -> bool:
        return self.status == AssessmentStatus.FINAL


class ItemScore(models.Model):
    """A child's self score and the reviewer's score of one item, with what each side wrote."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("考核"), on_delete=models.CASCADE, related_name="scores"
    )
    item = models.ForeignKey(
        SchemeItem, verbose_name=_("考核内容"), on_delete=models.CASCADE, related_name="+"
    )
    self_points = models.DecimalField(_("自评分"), **POINTS, null=True, blank=True)
    self_note = CleanTextField(_("自评说明"), blank=True, max_length=2000)
    attachments = models.ManyToManyField(Attachment, verbose_name=_("佐证材料"), blank=True, related_name="+")
    review_points = models.DecimalField(_("审核分"), **POINTS, null=True, blank=True)
    review_comment = CleanTextField(_("审核意见"), blank=True, max_length=2000)
    needs_evidence = models.BooleanField(_("退回补充材料"), default=False)
    objection = CleanTextField(_("异议理由"), blank=True, max_length=2000)
    objected_at = models.DateTimeField(_("提出异议时间"), null=True, blank=True)
    answer = CleanTextField(_("异议答复"), blank=True, max_length=2000)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    federation_lookup = "assessment__federation"

    class Meta:
        verbose_name = _("评分")
        verbose_name_plural = _("评分")
        ordering = ["item__area__order", "item__area__pk", "item__order", "item__pk"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="assessments_one_score_per_item"),
            models.CheckConstraint(
                condition=Q(self_points__isnull=True) | Q(self_points__gte=0),
                name="assessments_self_nonnegative",
            ),
            models.CheckConstraint(
                condition=Q(review_points__isnull=True) | Q(review_points__gte=0),
                name="assessments_review_nonnegative",
            ),
        ]

    def __str__(self):
        return f"{self.assessment} · {self.item}"

    @property
    def has_open_objection(self) -> bool:
        return bool(self.objection) and self.answered_at is None


class AssessmentEvent(Event):
    """What happened to an assessment, who did it and when (kept for the audit, notes included)."""

    class Action(models.TextChoices):
        SELF_SAVED = "self_saved", _("保存自评")
        SUBMITTED = "submitted", _("提交自评")
        RETURNED = "returned", _("退回补充材料")
        REVIEW_SAVED = "review_saved", _("保存评分")
        REVIEWED = "reviewed", _("评分完成")
        OBJECTED = "objected", _("提出异议")
        ACCEPTED = "accepted", _("确认无异议")
        ANSWERED = "answered", _("答复异议")
        FINALIZED = "finalized", _("确定结果")

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("考核"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    item = models.ForeignKey(
        SchemeItem,
        verbose_name=_("考核内容"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    note = CleanCharField(_("说明"), max_length=500, blank=True)

    federation_lookup = "assessment__federation"

    class Meta(Event.Meta):
        verbose_name = _("考核记录")
        verbose_name_plural = _("考核记录")
