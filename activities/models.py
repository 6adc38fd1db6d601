"""Activities (活动): what a federation plans and does through the year, with their figures."""

import calendar
import secrets
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fedwork import access
from fedwork.fields import CleanCharField, CleanTextField
from fedwork.models import Federation
from plans.models import Indicator, Target, WorkPoint

DEFAULT_ACTIVITY_TYPES = [
    "会议",
    "培训",
    "宣传",
    "评选表彰",
    "招聘会",
    "义诊/健康",
    "走访慰问",
    "志愿服务",
    "调研督导",
    "其他",
]


class ActivityTypeQuerySet(models.QuerySet):
    def ensure_defaults(self) -> "ActivityTypeQuerySet":
        """The standard types (a flushed or restored database may lack them), then all types."""
        for order, name in enumerate(DEFAULT_ACTIVITY_TYPES):
            self.model.objects.get_or_create(name=name, defaults={"order": order})
        return self.all()


class ActivityType(models.Model):
    """The managed list of activity types (会议, 培训, 宣传 …)."""

    name = CleanCharField(_("名称"), max_length=20, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ActivityTypeQuerySet.as_manager()

    class Meta:
        verbose_name = _("活动类型")
        verbose_name_plural = _("活动类型")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("计划中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


# The one rule of which activities count toward totals, roll-ups, milestones and summaries: done
# ones (neither planned nor cancelled). Approval of periodic reports will narrow it here.
COUNTED_STATUSES = (ActivityStatus.DONE,)

# ActivityCount's stand-ins for "none" in its key (a NULL would defeat ON CONFLICT, which never
# matches NULLs on SQLite or before PostgreSQL 15's NULLS NOT DISTINCT).
NO_DAY = date(1, 1, 1)  # an activity without a calendar day (its ``month`` is its planned month)
NEVER_DUE = date(9999, 12, 31)  # not planned, or planned without a last day: never overdue


# From this depth down (a city: 2) a subtree's top-N lists of planned activities are sorted rather than
# read in a year-wide index's order (_listing_order).
SORTED_LISTS_DEPTH = 2


def _listing_order(federation: Federation, field: str, *, descending: bool) -> tuple:
    """The order of a subtree's top-N list of planned activities by a date ``field`` that its query
    filters to non-NULL values (so the NULLs' place changes no result, only the plan).

    For the nation and a province the year's partial index on (year, field) is walked in order until
    N rows are inside the subtree: the nation's two lists in 0.4 + 0.3 ms instead of 0.7 + 0.7 s
    sorted. For a city and below that walk is the planner's gamble: it guesses how soon the
    subtree's rows come and may read a large share of the nation's plans first (national scale,
    county 210726's overdue list: 208 ms). There the NULLs are put where no index puts them, so the
    order cannot come from an index: the subtree's own rows are read by (federation, field) and
    sorted, a cost that grows with the subtree, not with luck. Measured on the national bench
    database (2026-11-29, median of 3, both lists together): 23 cities (20 random, seed 5, and the
    bench's three) walked median 91 ms, worst 239 ms; sorted median 32 ms, worst 57 ms (5001, the
    largest, the one city faster walked: 12 ms); county 210726 208 → 1.0 ms.

    A sorted list breaks ties on one day by the primary key (free in a sort: without it, which of a
    day's many activities were listed was the plan's). A walk does not: the same tie-break made the
    nation's upcoming list an incremental sort of 1.3 s and a province's 183 ms (national bench
    database, EXPLAIN ANALYZE, 2026-11-30), so there a day's ties come in the index's order.
    Returns the ORDER BY terms.
    """
    column = models.F(field)
    if federation.depth < SORTED_LISTS_DEPTH:
        return (column.desc() if descending else column.asc(),)
    return (column.desc(nulls_last=True) if descending else column.asc(nulls_first=True), "pk")


class ActivityQuerySet(models.QuerySet):
    def counted(self) -> "ActivityQuerySet":
        """Activities whose figures count toward totals (COUNTED_STATUSES)."""
        return self.filter(status__in=COUNTED_STATUSES)

    def in_subtree(self, federation: Federation) -> "ActivityQuerySet":
        """Activities of the federation and everything below it (Federation.objects.subtree_q)."""
        return self.filter(Federation.objects.subtree_q(federation))

    def for_year(self, year: int) -> "ActivityQuerySet":
        return self.filter(year=year)

    def for_user(self, user) -> "ActivityQuerySet":
        """Activities of the user's subtree (ancestors' main activities are added by the calendar)."""
        return access.scope_to_user(self, user)

    def counts_by_branch(self, federation: Federation, children) -> dict[tuple[int, int, str], int]:
        """Activities of the federation's subtree counted by branch, type and status.

        The branch is the child whose subtree holds the activity, or the federation itself for its
        own activities: {(branch pk, type pk, status): count}. One grouped query; the branches are
        told apart by path prefix in SQL, so a province's year is counted without loading it.
        """
        branch = models.Case(
            *[
                models.When(federation__path__startswith=child.path, then=models.Value(child.pk))
                for child in children
            ],
            default=models.Value(federation.pk),
            output_field=models.IntegerField(),
        )
        rows = (
            self.in_subtree(federation)
            .annotate(branch=branch)
            .order_by()
            .values_list("branch", "type_id", "status")
            .annotate(count=models.Count("pk"))
        )
        return {(branch_id, type_id, status): count for branch_id, type_id, status, count in rows}

    def main_of_ancestors(self, federation: Federation) -> "ActivityQuerySet":
        """The upper federations' main activities (主要活动安排), shown below as 上级活动."""
        ancestors = Federation.objects.ancestor_pks(federation)
        return self.filter(federation_id__in=ancestors, is_main=True).exclude(status=ActivityStatus.CANCELLED)

    def planned_in_subtree(self, federation: Federation, year: int) -> "ActivityQuerySet":
        """The year's planned activities of a federation and everything below it (the dashboards'
        upcoming and overdue lists), in one filter: each chained filter() costs a queryset clone."""
        return self.filter(Federation.objects.subtree_q(federation), year=year, status=ActivityStatus.PLANNED)

    def upcoming(self, federation: Federation, today: date, count: int) -> "ActivityQuerySet":
        """Of a subtree's planned activities (planned_in_subtree(federation, …)), the first ``count``
        from ``today`` on, soonest first."""
        order = _listing_order(federation, "calendar_day", descending=False)
        return self.filter(calendar_day__gte=today).order_by(*order)[:count]

    def overdue_last(self, federation: Federation, today: date, count: int) -> "ActivityQuerySet":
        """Of a subtree's planned activities (planned_in_subtree(federation, …)), the ``count`` whose
        last day passed most recently."""
        order = _listing_order(federation, "planned_last_day", descending=True)
        return self.filter(planned_last_day__lt=today).order_by(*order)[:count]

    def overdue(self, today: date | None = None) -> "ActivityQuerySet":
        today = today or timezone.localdate()
        return self.filter(status=ActivityStatus.PLANNED, planned_last_day__lt=today)

    def in_month(self, year: int, month: int) -> "ActivityQuerySet":
        """Activities whose calendar day (actual start, else planned start) or planned month falls in it."""
        first = date(year, month, 1)
        last = date(year, month, calendar.monthrange(year, month)[1])
        return self.filter(
            Q(calendar_day__gte=first, calendar_day__lte=last)
            | Q(calendar_day__isnull=True, year=year, planned_month=month)
        )


class ActivityCountQuerySet(models.QuerySet):
    def counted_through(self, federation: Federation, year: int, day: date) -> int:
        """How many activities of ``federation``'s subtree and ``year`` count toward totals
        (COUNTED_STATUSES) with a calendar day on or before ``day``; one index range read."""
        found = self.filter(
            federation=federation, year=year, status__in=COUNTED_STATUSES, day__gt=NO_DAY, day__lte=day
        ).aggregate(n=models.Sum("count"))["n"]
        return found or 0


class Activity(models.Model):
    federation = models.ForeignKey(
        Federation, verbose_name=_("妇联"), on_delete=models.PROTECT, related_name="activities"
    )
    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    title = CleanCharField(_("活动名称"), max_length=200)
    type = models.ForeignKey(
        ActivityType, verbose_name=_("活动类型"), on_delete=models.PROTECT, related_name="activities"
    )
    work_points = models.ManyToManyField(
        WorkPoint, verbose_name=_("服务的工作要点"), blank=True, related_name="activities"
    )
    achieves = models.ManyToManyField(
        Target,
        verbose_name=_("完成的里程碑目标"),
        blank=True,
        related_name="achieved_by",
        help_text=_("活动完成即视为该里程碑目标已完成。"),
    )
    planned_start = models.DateField(_("计划开始日期"), null=True, blank=True)
    planned_end = models.DateField(_("计划结束日期"), null=True, blank=True)
    planned_month = models.PositiveSmallIntegerField(
        _("计划月份"), null=True, blank=True, help_text=_("只知道月份时填写。")
    )
    actual_start = models.DateTimeField(_("实际开始时间"), null=True, blank=True)
    actual_end = models.DateTimeField(_("实际结束时间"), null=True, blank=True)
    place = CleanCharField(_("地点"), max_length=200, blank=True)
    organiser = CleanCharField(_("组织者"), max_length=100, blank=True)
    description = CleanTextField(_("活动内容"), blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    is_main = models.BooleanField(
        _("主要活动"), default=False, help_text=_("主要活动安排会显示在下级妇联的活动日历中。")
    )
    # Derived from the dates on save, so calendars and overdue checks are plain indexed lookups.
    calendar_day = models.DateField(_("日历日期"), null=True, editable=False, db_index=True)
    planned_last_day = models.DateField(_("计划最后一天"), null=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("最后修改人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    history = HistoricalRecords(excluded_fields=["calendar_day", "planned_last_day"])
    objects = ActivityQuerySet.as_manager()

    # How a row reaches its federation, for fedwork.access (scoping, the admin, form choices).
    federation_lookup = "federation"

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["calendar_day", "planned_month", "pk"]
        indexes = [
            models.Index(fields=["federation", "year"], name="activities_fed_year"),
            # A federation's calendar month, and the dashboards' upcoming list.
            models.Index(fields=["federation", "calendar_day"], name="activities_fed_day"),
            # The dashboards' overdue and upcoming lists of a county and below (the subtree's ids):
            # planned activities are few, done ones many. Without the second, a county's upcoming
            # list intersected the nation's upcoming plans with its federations' rows (national
            # scale, 430102: 41 ms → 0.6 ms, EXPLAIN ANALYZE).
            models.Index(
                fields=["federation", "planned_last_day"],
                condition=Q(status="planned"),
                name="activities_planned_last_day",
            ),
            models.Index(
                fields=["federation", "calendar_day"],
                condition=Q(status="planned"),
                name="activities_planned_fed_day",
            ),
            # The dashboards' top 8 upcoming and overdue of a large subtree (a city and up, where the
            # subtree is a join on the path): the year's planned activities walked in day order from
            # today, forwards or backwards, until eight are inside the subtree, instead of sorting
            # all 296,000 planned activities of the nation (542 ms, issue #18). The year leads, so a
            # past year's upcoming list is an empty range rather than every later year's plans.
            models.Index(
                fields=["year", "calendar_day"],
                condition=Q(status="planned"),
                name="activities_planned_year_day",
            ),
            models.Index(
                fields=["year", "planned_last_day"],
                condition=Q(status="planned"),
                name="activities_planned_year_last",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_month__isnull=True) | Q(planned_month__gte=1, planned_month__lte=12),
                name="activities_planned_month_1_12",
            ),
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True)
                | Q(planned_start__isnull=True)
                | Q(planned_end__gte=models.F("planned_start")),
                name="activities_planned_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(actual_end__isnull=True)
                | Q(actual_start__isnull=True)
                | Q(actual_end__gte=models.F("actual_start")),
                name="activities_actual_end_after_start",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.calendar_day = self.compute_calendar_day()
        self.planned_last_day = self.compute_planned_last_day()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("activities:detail", kwargs={"pk": self.pk})

    def compute_calendar_day(self) -> date | None:
        """The day the calendar shows it on, in Beijing time: when it happened, else when it is planned."""
        if self.actual_start:
            return timezone.localtime(self.actual_start).date()
        return self.planned_start

    def compute_planned_last_day(self) -> date | None:
        if self.planned_end or self.planned_start:
            return self.planned_end or self.planned_start
        if self.planned_month:
            return date(self.year, self.planned_month, calendar.monthrange(self.year, self.planned_month)[1])
        return None

    @property
    def counts_toward_totals(self) -> bool:
        """Whether this activity's figures count toward totals (COUNTED_STATUSES)."""
        return self.status in COUNTED_STATUSES

    @property
    def is_overdue(self) -> bool:
        last = self.planned_last_day or self.compute_planned_last_day()
        return self.status == ActivityStatus.PLANNED and last is not None and last < timezone.localdate()

    @property
    def when(self) -> str:
        """How the dates read in a list: 5月10日, 5月10日–12日, 5月 (month only)."""
        day = self.calendar_day or self.compute_calendar_day()
        if day is None:
            return f"{self.planned_month}月" if self.planned_month else ""
        end = (
            timezone.localtime(self.actual_end).date()
            if self.actual_end
            else (self.planned_end if not self.actual_start else None)
        )
        text = f"{day.month}月{day.day}日"
        if end and end != day:
            text += f"–{end.month}月{end.day}日" if end.month != day.month else f"–{end.day}日"
        return text


class Figure(models.Model):
    """A value an activity recorded for an indicator: 培训妇女人数 150."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="figures"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="figures"
    )
    value = models.DecimalField(_("数值"), max_digits=18, decimal_places=2)
    # The activity's year, written with it by activities.services (the one write path): on PostgreSQL
    # figures are partitioned by year and reach their activity by (activity_id, year), the only key a
    # partitioned activities table can have (activities.partitions, migration 0016).
    year = models.PositiveSmallIntegerField(_("年度"), editable=False)

    history = HistoricalRecords()

    # How a row reaches its federation, for fedwork.access (scoping, the admin, form choices).
    federation_lookup = "activity__federation"

    class Meta:
        verbose_name = _("活动数据")
        verbose_name_plural = _("活动数据")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "indicator"], name="activities_figure_one_per_indicator"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="activities_figure_value_nonnegative"),
        ]

    def __str__(self):
        return f"{self.indicator.name} {self.value}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """The private iCalendar address of a federation's activities, for subscribing from a phone."""

    federation = models.OneToOneField(
        Federation, verbose_name=_("妇联"), on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(_("令牌"), max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    # How a row reaches its federation, for fedwork.access (scoping, the admin, form choices).
    federation_lookup = "federation"

    class Meta:
        verbose_name = _("日历订阅")
        verbose_name_plural = _("日历订阅")

    def __str__(self):
        return str(self.federation)

    def get_absolute_url(self):
        return reverse("activities:ical", kwargs={"token": self.token})


class TotalRow(models.Model):
    """A pre-aggregated sum for a federation's subtree, a year, a month and an indicator; the shape of
    FigureTotal (everything recorded) and submissions.ApprovedTotal (approved reports), which the
    roll-up reads alike and activities.totals.increment adds to."""

    # No index of its own: the unique constraint's leading column serves lookups by federation.
    federation = models.ForeignKey(Federation, on_delete=models.CASCADE, related_name="+", db_index=False)
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    value = models.DecimalField(max_digits=20, decimal_places=2, default=0)

    # How a row reaches its federation, for fedwork.access (scoping, the admin, form choices).
    federation_lookup = "federation"

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.federation_id}/{self.year}-{self.month}/{self.indicator_id}={self.value}"


class FigureTotal(TotalRow):
    """Pre-aggregated figures: the sum, per month, of every done activity in a federation's subtree.

    Kept current by activities.totals in the same transaction as every write of activities and
    figures, so an ancestor's totals include a figure the moment it is saved; reports read these
    rows instead of scanning the raw figures (see reports.rollup).
    """

    class Meta:
        verbose_name = _("汇总数")
        verbose_name_plural = _("汇总数")
        constraints = [
            # On PostgreSQL its index also carries the value (INCLUDE, migration 0007): a roll-up then
            # reads its children's totals from the index alone, without visiting the table.
            models.UniqueConstraint(
                fields=["federation", "year", "indicator", "month"], name="activities_total_unique"
            ),
        ]


class Reach(models.Model):
    """How many of a federation's direct children first reached an indicator in a month: the
    children whose subtree's total of the indicator for the year, through that month, turned > 0
    then. Σ ``children`` over months 1..m is the number of children that reached it by month m —
    the numerator of a coverage indicator (妇女之家覆盖率: the share of the children that report
    its base > 0), read by the roll-up with one index lookup instead of counting the children's
    totals.

    One count per totals table (``source``): everything recorded (FigureTotal) and approved
    reports (submissions.ApprovedTotal). Kept by activities.totals in the same transaction as the
    totals it follows (every write, import, federation move and approval goes through
    totals.increment), rebuilt by ``rebuild_rollups`` and verified by ``check_rollups``.
    """

    class Source(models.TextChoices):
        RECORDED = "recorded", _("全部已录入")
        APPROVED = "approved", _("仅已审核")

    source = models.CharField(max_length=8, choices=Source.choices)
    # No index of its own: the unique constraint's leading columns serve the roll-up's lookups.
    parent = models.ForeignKey(Federation, on_delete=models.CASCADE, related_name="+", db_index=False)
    year = models.PositiveSmallIntegerField()
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    month = models.PositiveSmallIntegerField()
    # No CHECK (children >= 0): PostgreSQL checks the proposed row of INSERT … ON CONFLICT before
    # it meets the conflict, so a decrement (-1) could not be one upsert. check_rollups verifies it.
    children = models.IntegerField(default=0)

    # How a row reaches its federation, for fedwork.access (scoping, the admin, form choices).
    federation_lookup = "parent"

    class Meta:
        verbose_name = _("下级达标数")
        verbose_name_plural = _("下级达标数")
        constraints = [
            # On PostgreSQL its index also carries the count (INCLUDE, migration 0012), so the
            # roll-up reads it from the index alone.
            models.UniqueConstraint(
                fields=["source", "parent", "year", "indicator", "month"], name="activities_reach_unique"
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="activities_reach_month_valid"
            ),
        ]

    def __str__(self):
        return f"{self.parent_id}/{self.year}-{self.month}/{self.indicator_id}: {self.children}"


class ActivityCount(models.Model):
    """How many activities a federation's subtree holds per calendar day, status and due date: the
    counts the year-end summary (done activities through a day) and the calendar with 含下级 at a
    large subtree (a month's activities per child, day and status) read instead of counting a
    nation's activities (issue #18: 3.0 s and 2.5 s at national scale).

    One row per (federation — itself or an ancestor of the activities' federation —, year,
    ``day``: the activity's calendar_day or NO_DAY, ``month``: its planned month when it has no
    calendar day, else 0, status, ``due``: a planned activity's planned_last_day, overdue the day
    after, else NEVER_DUE). Kept by activities.totals in the same transaction as every write of
    activities (the same path as FigureTotal: activity_save, activity_delete, the import, a move of
    federations), rebuilt by ``rebuild_rollups`` and verified by ``check_rollups``.
    """

    # No index of its own: the unique constraint's leading columns serve the lookups by federation.
    federation = models.ForeignKey(Federation, on_delete=models.CASCADE, related_name="+", db_index=False)
    year = models.PositiveSmallIntegerField()
    day = models.DateField()
    month = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=16, choices=ActivityStatus.choices)
    due = models.DateField()
    # No CHECK (count >= 0), as Reach: a decrement is an INSERT … ON CONFLICT whose proposed row is
    # checked before it meets the conflict. check_rollups verifies it.
    count = models.IntegerField(default=0)

    objects = ActivityCountQuerySet.as_manager()

    # How a row reaches its federation, for fedwork.access (scoping, the admin, form choices).
    federation_lookup = "federation"

    class Meta:
        verbose_name = _("活动数")
        verbose_name_plural = _("活动数")
        constraints = [
            models.UniqueConstraint(
                fields=["federation", "year", "day", "month", "status", "due"], name="activities_count_unique"
            ),
        ]

    def __str__(self):
        return f"{self.federation_id}/{self.year}/{self.day}/{self.month}/{self.status}: {self.count}"


class SubmissionToken(models.Model):
    """A create form's one-time token, claimed in the transaction that saves what the form creates.

    The unique token makes the claim atomic on every database: a second POST of the same form (a
    double click, a resubmitted page) fails to insert it and is sent to what the first one created;
    a save that fails rolls its claim back with it (fedwork.concurrency.OneTimeTokenMixin).
    """

    token = models.CharField(_("令牌"), max_length=64, unique=True)
    result_url = models.CharField(_("已创建的记录"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("表单提交令牌")
        verbose_name_plural = _("表单提交令牌")

    def __str__(self):
        return self.token
