"""Periodic reports (定期报送): the periods an upper federation sets, each federation's submission for a
period (上报), its review by the direct upper federation (审核: 通过 or 退回) and the events of both.

A submission is a frozen snapshot of the figures of the federation's own activities in the period,
taken from the activities already recorded (nothing is typed twice). An approved submission locks
its months: activities.services refuses every write to them until the approver reopens the period.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from activities.models import TotalRow
from fedwork.fields import CleanCharField, CleanTextField
from fedwork.models import PATH_SEPARATOR, Event, Federation

from .periods import Frequency, Period


def path_prefixes(path: str) -> list[str]:
    """A materialized path and every path above it, from the top: "00/43/4301/" → ["00/", "00/43/",
    "00/43/4301/"]. Ancestors are matched on these, with no lookup of them by code."""
    parts = path.strip(PATH_SEPARATOR).split(PATH_SEPARATOR) if path else []
    return [PATH_SEPARATOR.join(parts[: depth + 1]) + PATH_SEPARATOR for depth in range(len(parts))]


class ReportingScheduleQuerySet(models.QuerySet):
    def effective_for(self, federation: Federation, year: int) -> "ReportingScheduleQuerySet":
        """The schedules that apply to a federation: the nearest ancestor's that set any for the year
        (a federation's own setting applies to the ones below it, not to itself)."""
        above = self.filter(federation__path__in=path_prefixes(federation.path)[:-1], year=year)
        setters = list(above.values_list("federation__depth", flat=True).distinct())
        if not setters:
            return self.none()
        return above.filter(federation__depth=max(setters))

    def due_days_set_along(self, path: str, years) -> dict[int, dict[str, int]]:
        """{year: {frequency: due day}} set by the nearest federation on ``path`` (itself included)
        that set any for the year: effective_for of the federation below ``path``, for several years in
        one query."""
        rows = list(
            self.filter(federation__path__in=path_prefixes(path), year__in=years).values_list(
                "year", "frequency", "due_day", "federation__path"
            )
        )
        nearest: dict[int, int] = {}
        for year, _frequency, _due_day, setter in rows:
            nearest[year] = max(len(setter), nearest.get(year, 0))
        result: dict[int, dict[str, int]] = {}
        for year, frequency, due_day, setter in rows:
            if len(setter) == nearest[year]:
                result.setdefault(year, {})[frequency] = due_day
        return result


class ReportingSchedule(models.Model):
    """An upper federation's reporting period for everything below it in a year: 月报, 次月5日前."""

    federation = models.ForeignKey(
        Federation, verbose_name=_("设定单位"), on_delete=models.CASCADE, related_name="reporting_schedules"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    frequency = models.CharField(_("报送周期"), max_length=8, choices=Frequency.choices)
    due_day = models.PositiveSmallIntegerField(
        _("截止日"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_("期末次月的第几日前报送，如 5 表示次月5日前；31 表示次月月底前。"),
    )

    federation_lookup = "federation"
    objects = ReportingScheduleQuerySet.as_manager()

    class Meta:
        verbose_name = _("报送周期")
        verbose_name_plural = _("报送周期")
        ordering = ["year", "frequency"]
        constraints = [
            models.UniqueConstraint(
                fields=["federation", "year", "frequency"],
                name="submissions_schedule_one_per_frequency",
                violation_error_message=_("本年度已设置该报送周期。"),
            ),
            models.CheckConstraint(
                condition=Q(due_day__gte=1, due_day__lte=31), name="submissions_schedule_due_day_1_31"
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.get_frequency_display()}"


class SubmissionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已通过")
    REOPENED = "reopened", _("已重新打开")


class SubmissionQuerySet(models.QuerySet):
    def for_period(self, period: Period) -> "SubmissionQuerySet":
        return self.filter(year=period.year, frequency=period.frequency, number=period.number)


class Submission(models.Model):
    """A federation's report for one period: the snapshot of its own figures, and the review."""

    federation = models.ForeignKey(
        Federation, verbose_name=_("报送单位"), on_delete=models.PROTECT, related_name="submissions"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    frequency = models.CharField(_("报送周期"), max_length=8, choices=Frequency.choices)
    number = models.PositiveSmallIntegerField(_("期次"))
    status = models.CharField(_("状态"), max_length=16, choices=SubmissionStatus.choices)
    note = CleanTextField(_("说明"), blank=True, max_length=2000)
    # {indicator id (str): value (str)} of the federation's own counted activities in the period,
    # and how many activities they came from: frozen when submitted.
    figures = models.JSONField(_("报送数据"), default=dict)
    activity_count = models.PositiveIntegerField(_("活动数"), default=0)
    due_date = models.DateField(_("截止日期"))
    first_submitted_at = models.DateTimeField(_("首次上报时间"))
    submitted_at = models.DateTimeField(_("上报时间"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上报人"), on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    review_note = CleanCharField(_("审核意见"), max_length=500, blank=True)
    # Whether its snapshot is in the approved totals (ApprovedTotal) now.
    counted = models.BooleanField(_("计入已审核汇总"), default=False, db_default=False, editable=False)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    federation_lookup = "federation"
    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("报送")
        verbose_name_plural = _("报送")
        ordering = ["year", "frequency", "number", "federation__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["federation", "year", "frequency", "number"], name="submissions_one_per_period"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=12), name="submissions_number_1_12"
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(review_note=""),
                name="submissions_returned_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["federation", "year", "status"], name="submissions_fed_year_status"),
            models.Index(fields=["year", "frequency", "number", "status"], name="submissions_period_status"),
        ]

    def __str__(self):
        return f"{self.federation} {self.period}"

    def get_absolute_url(self):
        return reverse("submissions:detail", kwargs={"pk": self.pk})

    @property
    def period(self) -> Period:
        return Period(self.year, self.frequency, self.number)

    @property
    def on_time(self) -> bool:
        from django.utils import timezone

        return timezone.localtime(self.first_submitted_at).date() <= self.due_date

    @property
    def is_locked(self) -> bool:
        return self.status == SubmissionStatus.APPROVED


class SubmissionEvent(Event):
    """What happened to a submission and who did it (kept for the audit: reasons included)."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("上报")
        RETURNED = "returned", _("退回")
        APPROVED = "approved", _("审核通过")
        REOPENED = "reopened", _("重新打开")

    submission = models.ForeignKey(
        Submission, verbose_name=_("报送"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    note = CleanCharField(_("说明"), max_length=500, blank=True)

    federation_lookup = "submission__federation"

    class Meta(Event.Meta):
        verbose_name = _("报送记录")
        verbose_name_plural = _("报送记录")


class ValidationRule(models.Model):
    """An upper federation's rule between two indicators for everything in its subtree:
    办结信访件数 ≤ 受理信访件数. A warning when an activity is saved, blocking when a report is submitted."""

    class Operator(models.TextChoices):
        AT_MOST = "<=", _("不大于")
        AT_LEAST = ">=", _("不小于")

    federation = models.ForeignKey(
        Federation, verbose_name=_("设定单位"), on_delete=models.CASCADE, related_name="validation_rules"
    )
    left = models.ForeignKey(
        "plans.Indicator", verbose_name=_("指标"), on_delete=models.CASCADE, related_name="+"
    )
    operator = models.CharField(_("关系"), max_length=2, choices=Operator.choices, default=Operator.AT_MOST)
    right = models.ForeignKey(
        "plans.Indicator", verbose_name=_("比较指标"), on_delete=models.CASCADE, related_name="+"
    )

    federation_lookup = "federation"

    class Meta:
        verbose_name = _("校验规则")
        verbose_name_plural = _("校验规则")
        constraints = [
            models.UniqueConstraint(fields=["federation", "left", "right"], name="submissions_rule_unique"),
            models.CheckConstraint(
                condition=~Q(left=models.F("right")), name="submissions_rule_two_indicators"
            ),
        ]

    def __str__(self):
        return f"{self.left.name} {self.get_operator_display()} {self.right.name}"

    def broken_by(self, figures: dict) -> bool:
        """Whether these figures ({indicator id: value}; a missing one counts as 0) break the rule;
        a rule whose indicators are both absent is not checked."""
        from decimal import Decimal

        if self.left_id not in figures and self.right_id not in figures:
            return False
        left, right = figures.get(self.left_id, Decimal(0)), figures.get(self.right_id, Decimal(0))
        return left > right if self.operator == self.Operator.AT_MOST else left < right


class ReminderPreference(models.Model):
    """Whether a user receives the daily email digest of what they must act on (default: yes).

    A user without a row receives it; the row is written when they change the setting."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="reminder_preference",
    )
    email_digest = models.BooleanField(
        _("接收邮件提醒"),
        default=True,
        help_text=_("有报表即将到期或已逾期、退回待改、待审核等事项时，每天最多发送一封汇总邮件。"),
    )

    federation_lookup = "user__federation"

    class Meta:
        verbose_name = _("提醒设置")
        verbose_name_plural = _("提醒设置")

    def __str__(self):
        return str(self.user)


class ReminderLog(models.Model):
    """One item of a digest sent to a user on a day: the same item is never sent twice on one day."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("日期"))
    item_key = models.CharField(_("事项"), max_length=120)
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)

    federation_lookup = "user__federation"

    class Meta:
        verbose_name = _("提醒记录")
        verbose_name_plural = _("提醒记录")
        ordering = ["-day", "user_id", "item_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "day", "item_key"], name="submissions_reminder_once_per_item_and_day"
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.item_key}"


class NotificationQuerySet(models.QuerySet):
    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)

    def mark_read(self) -> int:
        """Mark the unread ones read now; returns how many."""
        from django.utils import timezone

        return self.unread().update(read_at=timezone.now())


class Notification(models.Model):
    """An in-app message to one user about a report (returned, waiting for review, approved, reopened)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    text = models.CharField(_("内容"), max_length=300)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    federation_lookup = "user__federation"

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="submissions_notice_unread")]

    def __str__(self):
        return self.text

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class ApprovedTotal(TotalRow):
    """The approved figures (仅已审核), pre-aggregated like activities.FigureTotal: for a federation and
    everything below it, per year, month and indicator, the sum of the snapshots of approved reports.

    A report adds its snapshot to its federation and every ancestor when it is approved, in the month
    its period ends, and takes it out again when it is reopened (submissions.services). Only reports
    of the finest frequency a federation reports on count, so a month and its quarter are never both
    added. The roll-up reads these rows instead of FigureTotal for the "approved only" view.
    """

    class Meta:
        verbose_name = _("已审核汇总数")
        verbose_name_plural = _("已审核汇总数")
        constraints = [
            models.UniqueConstraint(
                fields=["federation", "year", "indicator", "month"], name="submissions_approved_total_unique"
            ),
        ]
