"""Judging results against targets: completion, status, score, rank, time progress and 同比.

The rules only, as pure functions of their arguments: no database, no settings (the tolerance is
passed in) and no clock (except ``default_as_of`` when it is given no ``today``). The roll-up
(``reads``) reads the figures and judges them here; the dashboard, the API, the Excel export, the
year-end summary, the assessment (assessments.scoring) and the 待办 list (submissions.todo) read
the judgements or call these functions, so that no two of them judge differently.

Source of the rules: README, "Reports (报表)" — time progress (时间过半、任务过半) with a tolerance
(``FEDWORK_PROGRESS_TOLERANCE``, 10 points by default), monthly targets judged month by month,
statuses 已完成/超前/正常/滞后/未开始 and, for milestones, 已完成/未到期/已逾期, each child's weighted
score and rank; the assessment's 按目标完成 rule (README, "Year-end assessment": max × the child's
capped target completion, the dashboard's weighted score).

Units: a completion, a score, a share shown to people and a year-on-year change are percentages
(120 meaning 120 %); ``expected_share`` is the fraction of the year (0…1).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.models import Cadence, Comparator, IndicatorKind

HUNDRED = Decimal(100)
ZERO = Decimal(0)


class Status(models.TextChoices):
    """Progress statuses as leaders read them.

    Codes, not translated strings: a roll-up compares hundreds of them, and the label is translated
    only where it is shown (``status.label``), in the reader's language.
    """

    DONE = "done", _("已完成")
    AHEAD = "ahead", _("超前")
    ON_TRACK = "on_track", _("正常")
    LAGGING = "lagging", _("滞后")
    NOT_STARTED = "not_started", _("未开始")
    NOT_DUE = "not_due", _("未到期")
    OVERDUE = "overdue", _("已逾期")


def status_labels() -> dict[str, str]:
    """Each status's label in the active language, for writing many of them (API, export)."""
    return {status: str(status.label) for status in Status}


# What a leader follows up: behind time progress, past its due date, or not started at all.
LAGGING_STATUSES = frozenset({Status.LAGGING, Status.OVERDUE, Status.NOT_STARTED})
# The Bootstrap colour of each status, so that the dashboard reads at a glance.
STATUS_COLOURS = {
    Status.DONE: "success",
    Status.AHEAD: "primary",
    Status.ON_TRACK: "info",
    Status.LAGGING: "danger",
    Status.OVERDUE: "danger",
    Status.NOT_STARTED: "warning",
}


def status_colour(status: str) -> str:
    """A status's Bootstrap colour ("secondary" for 未到期)."""
    return STATUS_COLOURS.get(status, "secondary")


# ---------------------------------------------------------------------------------------------------
# Time progress (时间过半、任务过半)


def default_as_of(year: int, today: date | None = None) -> date:
    """Today within the year; the year's last day for past years; its first for future ones."""
    today = today or timezone.localdate()
    if today.year > year:
        return date(year, 12, 31)
    if today.year < year:
        return date(year, 1, 1)
    return today


def expected_share(year: int, as_of: date) -> Decimal:
    """The elapsed share of the year (0…1), counting the as-of day itself: what a target should
    have reached by then."""
    if as_of.year < year:
        return ZERO
    if as_of.year > year:
        return Decimal(1)
    days = 366 if calendar.isleap(year) else 365
    return Decimal(as_of.timetuple().tm_yday) / Decimal(days)


def expected_at_month_end(year: int, month: int) -> Decimal:
    """The expected share at the last day of a month, in percent (the monthly chart's dashed line)."""
    return expected_share(year, date(year, month, calendar.monthrange(year, month)[1])) * HUNDRED


def completed_months(year: int, as_of: date) -> int:
    """Months fully behind us on the as-of date (a month counts once its last day is reached)."""
    if as_of.year < year:
        return 0
    if as_of.year > year:
        return 12
    last_day = calendar.monthrange(year, as_of.month)[1]
    return as_of.month if as_of.day == last_day else as_of.month - 1


def counted_months(year: int, as_of: date) -> int:
    """The last month whose figures count on the as-of date (0: none): totals are kept per month,
    so a figure counts from the month it happened in, the as-of date's month included."""
    if as_of.year < year:
        return 0
    if as_of.year > year:
        return 12
    return as_of.month


def year_over(year: int, as_of: date) -> bool:
    """Whether the as-of date is the year's last day or later (an open target is then overdue)."""
    return as_of >= date(year, 12, 31)


def below_time_progress(score: Decimal | None, share: Decimal) -> bool:
    """A score (percent) below the expected share of the year (0…1): 低于序时进度."""
    return score is not None and score < share * HUNDRED


def reminds_as_lagging(progress: Progress, share: Decimal, tolerance: Decimal) -> bool:
    """Whether the 待办 list names a lagging target: a target not yet started counts only once the
    year is further on than the tolerance (on 5 January nothing is lagging yet)."""
    if not progress.is_lagging:
        return False
    return progress.status != Status.NOT_STARTED or share * HUNDRED > tolerance


# ---------------------------------------------------------------------------------------------------
# Results


def percent_of(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """``part`` in percent of ``whole``: a rate from its numerator and denominator, a coverage from
    the children that reached it and all of them. None without a whole (shown "—")."""
    if not whole:
        return None
    return Decimal(part) / Decimal(whole) * HUNDRED


def completion(target, achieved: Decimal | None, monthly: list[Decimal]) -> Decimal | None:
    """How far ``achieved`` went towards ``target`` (a plans.Target or a SplitTarget), in percent.

    - a monthly sum target (每月不少于2条) with ``monthly`` figures: each month counts up to its own
      goal, so a busy December cannot make up for an empty March;
    - at most (不超过): 100 while achieved ≤ the target, else target / achieved;
    - otherwise achieved / target (a target of 0: 100 once anything is recorded).
    None when nothing can be said (nothing recorded, or a monthly goal of 0).
    """
    goal = target.annual_value
    # Children's totals are read summed over the year: their monthly targets are judged on the total.
    if target.cadence == Cadence.MONTH and target.indicator.kind == IndicatorKind.SUM and monthly:
        counted = sum((min(value, target.value) for value in monthly), ZERO)
        return counted / goal * HUNDRED if goal else None
    if target.comparator == Comparator.AT_MOST:
        if achieved is not None and achieved <= goal:
            return HUNDRED
        return goal / achieved * HUNDRED if achieved else None
    if achieved is not None and goal:
        return achieved / goal * HUNDRED
    return HUNDRED if goal == 0 and achieved is not None else None


def capped(completion: Decimal | None) -> Decimal:
    """A completion as it counts towards a score: within 0…100 (beyond a target earns nothing more;
    nothing recorded earns 0)."""
    return min(max(completion or ZERO, ZERO), HUNDRED)


def status(
    target,
    achieved: Decimal | None,
    completion: Decimal | None,
    monthly: list[Decimal],
    *,
    share: Decimal,
    months_done: int,
    year_over: bool,
    tolerance: Decimal,
) -> Status:
    """A (non-milestone) target's status on a date.

    Nothing recorded: 未开始. At most (不超过): 滞后 once exceeded, else 已完成 at the year's end
    and 正常 before. Otherwise 已完成 at 100 %; a rate or coverage (not cumulative) is judged
    against the target itself: 正常 within ``tolerance`` points of 100, else 滞后; a monthly target
    with a completed month short of its goal: 滞后; else against time progress (``share`` of the
    year): 超前 at or above it, 正常 within ``tolerance`` points below, 滞后 further below.
    """
    if achieved is None or (achieved == 0 and target.comparator != Comparator.AT_MOST):
        return Status.NOT_STARTED
    if target.comparator == Comparator.AT_MOST:
        if achieved > target.annual_value:
            return Status.LAGGING
        return Status.DONE if year_over else Status.ON_TRACK
    if completion is not None and completion >= HUNDRED:
        return Status.DONE
    if target.indicator.kind in (IndicatorKind.RATE, IndicatorKind.COVERAGE):
        return Status.ON_TRACK if completion >= HUNDRED - tolerance else Status.LAGGING
    if (
        target.cadence == Cadence.MONTH
        and monthly
        and any(monthly[m] < target.value for m in range(months_done))
    ):
        return Status.LAGGING
    expected = share * HUNDRED
    if completion >= expected:
        return Status.AHEAD
    if completion >= expected - tolerance:
        return Status.ON_TRACK
    return Status.LAGGING


def milestone_status(met: bool, due: date | None, as_of: date, year_over: bool) -> Status:
    """A milestone (建立档案): 已完成 once a done activity is marked as achieving it; otherwise
    已逾期 past its due date (or the year's end, without one), else 未到期."""
    if met:
        return Status.DONE
    overdue = (due is not None and due < as_of) or (due is None and year_over)
    return Status.OVERDUE if overdue else Status.NOT_DUE


@dataclass(slots=True)
class Progress:
    """One target's result: what was to be done, what was done, and how it stands."""

    target: object  # a plans.Target, or a child's share of one (reads.SplitTarget)
    achieved: Decimal | None
    completion: Decimal | None  # a percentage, 120 meaning 120 %
    status: Status
    monthly: list[Decimal] = field(default_factory=list)  # achieved per month (sums only)
    # 上年同期: the same federation's result for the same indicator in the year before, over the same
    # months (see reads.previous_result); None where nothing was recorded, or for a milestone.
    previous: Decimal | None = None

    @property
    def indicator(self):
        return self.target.indicator

    @property
    def change(self) -> Decimal | None:
        """同比增减 in percent (see year_on_year)."""
        return year_on_year(self.achieved, self.previous)

    @property
    def target_value(self) -> Decimal:
        return self.target.annual_value

    @property
    def capped_completion(self) -> Decimal:
        return capped(self.completion)

    @property
    def is_done(self) -> bool:
        return self.status == Status.DONE

    @property
    def is_lagging(self) -> bool:
        return self.status in LAGGING_STATUSES

    @property
    def colour(self) -> str:
        return status_colour(self.status)


@dataclass(slots=True)
class Judge:
    """The rules bound to one roll-up's date: turns each target and its result into a Progress
    (read once per roll-up, used for every target of the federation and its children)."""

    as_of: date
    share: Decimal  # the expected share of the year by as_of (0…1)
    year_over: bool
    months_done: int
    tolerance: Decimal  # points of percentage (FEDWORK_PROGRESS_TOLERANCE)
    milestones_met: set[int] = field(default_factory=set)  # milestone targets a done activity achieves

    @classmethod
    def on(cls, year: int, as_of: date, tolerance: Decimal, milestones_met: set[int] | None = None) -> Judge:
        return cls(
            as_of,
            expected_share(year, as_of),
            year_over(year, as_of),
            completed_months(year, as_of),
            tolerance,
            milestones_met or set(),
        )

    def progress(self, target, achieved: Decimal | None, monthly: list[Decimal]) -> Progress:
        if target.indicator.kind == IndicatorKind.MILESTONE:
            met = target.pk in self.milestones_met
            judged = milestone_status(met, target.due_date, self.as_of, self.year_over)
            return Progress(target, Decimal(1 if met else 0), HUNDRED if met else ZERO, judged)
        done = completion(target, achieved, monthly)
        judged = status(
            target,
            achieved,
            done,
            monthly,
            share=self.share,
            months_done=self.months_done,
            year_over=self.year_over,
            tolerance=self.tolerance,
        )
        return Progress(target, achieved, done, judged, monthly)


# ---------------------------------------------------------------------------------------------------
# Scores


def weighted_score(progress: Iterable[Progress]) -> Decimal:
    """Weighted mean of the capped completions (see ``capped``) over the targets, by the targets'
    weights, in percent; 0 when the weights add up to nothing."""
    progress = list(progress)
    weights = sum((p.target.weight for p in progress), ZERO)
    if not weights:
        return ZERO
    return sum((p.capped_completion * p.target.weight for p in progress), ZERO) / weights


def count_done(progress: Iterable[Progress]) -> int:
    """How many of the targets are 已完成."""
    return sum(1 for p in progress if p.is_done)


def count_lagging(progress: Iterable[Progress]) -> int:
    """How many of the targets lag, are overdue or not started (LAGGING_STATUSES)."""
    return sum(1 for p in progress if p.is_lagging)


def rank(results) -> None:
    """Competition ranking by ``score`` (1, 1, 3), set on each result's ``rank``; results without a
    score (no targets) get none."""
    ordered = sorted((r for r in results if r.score is not None), key=lambda r: r.score, reverse=True)
    for position, result in enumerate(ordered, start=1):
        same = position > 1 and result.score == ordered[position - 2].score
        result.rank = ordered[position - 2].rank if same else position


def monthly_completion(progress: list[Progress], last_month: int) -> list[Decimal | None]:
    """Overall completion (weighted, capped) of the sum targets at the end of each month so far;
    None for the months after ``last_month``."""
    sums = [p for p in progress if p.monthly and p.target.annual_value]
    weights = sum((p.target.weight for p in sums), ZERO)
    result: list[Decimal | None] = []
    for month in range(12):
        if month >= last_month or not weights:
            result.append(None)
            continue
        total = ZERO
        for p in sums:
            done = sum(p.monthly[: month + 1], ZERO)
            total += capped(done / p.target.annual_value * HUNDRED) * p.target.weight
        result.append(total / weights)
    return result


def year_on_year(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """同比增减: the change from last year's figure to this year's, in percent of last year's
    (+25 meaning a quarter more); None (shown "—") when last year's figure is 0 or missing, or this
    year's is missing. A rate is compared the same way, as a relative change of the rate."""
    if current is None or previous is None or previous == 0:
        return None
    return (current - previous) / previous * HUNDRED
