"""The judging rules (reports.rollup.judging) on their own: plain objects in, judgements out, no
database (README, "Reports (报表)": time progress with a tolerance, monthly targets month by month,
statuses, milestones, weighted score and rank). No test here asks for the database (pytest-django
refuses any access without the ``db`` fixture), so each also shows the rules need none."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from plans.models import Cadence, Comparator, IndicatorKind
from reports.rollup import judging
from reports.rollup.judging import Judge, Progress, Status

TOLERANCE = Decimal(10)


def target(value, *, kind=IndicatorKind.SUM, comparator=Comparator.AT_LEAST, cadence=Cadence.YEAR, **extra):
    annual = Decimal(value) * (12 if cadence == Cadence.MONTH else 1)
    return SimpleNamespace(
        pk=extra.pop("pk", 1),
        value=Decimal(value),
        annual_value=annual,
        comparator=comparator,
        cadence=cadence,
        weight=Decimal(extra.pop("weight", 1)),
        due_date=extra.pop("due_date", None),
        indicator=SimpleNamespace(kind=kind),
    )


def judged(goal, achieved, as_of=date(2013, 6, 30), monthly=(), met=(), **extra):
    judge = Judge.on(2013, as_of, TOLERANCE, set(met))
    return judge.progress(
        target(goal, **extra), None if achieved is None else Decimal(achieved), list(monthly)
    )


@pytest.mark.parametrize(
    ("achieved", "status"),
    [
        (None, Status.NOT_STARTED),
        (0, Status.NOT_STARTED),
        (30, Status.LAGGING),
        (45, Status.ON_TRACK),
        (50, Status.AHEAD),
        (100, Status.DONE),
        (130, Status.DONE),
    ],
)
def test_a_sum_is_judged_against_time_progress(achieved, status):
    # 30 June 2013: 181 of 365 days, 49.6 % of the year; within 10 points below is 正常.
    assert judged(100, achieved).status == status


def test_rates_and_coverages_are_judged_against_the_target_not_the_calendar():
    assert judged(100, 91, as_of=date(2013, 1, 31), kind=IndicatorKind.RATE).status == Status.ON_TRACK
    assert judged(100, 89, as_of=date(2013, 1, 31), kind=IndicatorKind.COVERAGE).status == Status.LAGGING


def test_at_most_targets():
    assert (
        judged(10, 8, comparator=Comparator.AT_MOST).completion,
        judged(10, 8, comparator=Comparator.AT_MOST).status,
    ) == (100, Status.ON_TRACK)
    over = judged(10, 20, comparator=Comparator.AT_MOST)
    assert (over.completion, over.status) == (50, Status.LAGGING)
    assert judged(10, 8, comparator=Comparator.AT_MOST, as_of=date(2013, 12, 31)).status == Status.DONE
    assert (
        judged(10, 0, comparator=Comparator.AT_MOST).status == Status.ON_TRACK
    )  # nothing is within the limit


def test_a_monthly_target_counts_each_month_up_to_its_goal():
    months = [Decimal(v) for v in (2, 0, 5, 2, 2, 2, 0, 0, 0, 0, 0, 0)]
    progress = judged(2, sum(months), monthly=months, cadence=Cadence.MONTH)
    assert progress.completion == Decimal(10) / 24 * 100  # March's 5 counts as 2, February's 0 as 0
    assert progress.status == Status.LAGGING  # February, a completed month, fell short


def test_milestones():
    assert judged(1, None, met=[1], kind=IndicatorKind.MILESTONE).status == Status.DONE
    assert judged(1, None, kind=IndicatorKind.MILESTONE, due_date=date(2013, 9, 1)).status == Status.NOT_DUE
    assert judged(1, None, kind=IndicatorKind.MILESTONE, due_date=date(2013, 3, 1)).status == Status.OVERDUE
    assert judged(1, None, kind=IndicatorKind.MILESTONE, as_of=date(2013, 12, 31)).status == Status.OVERDUE


def test_capping_scores_and_ranks():
    assert [judging.capped(v) for v in (None, Decimal(-5), Decimal(40), Decimal(250))] == [0, 0, 40, 100]
    a = Progress(target(100, weight=3), Decimal(150), Decimal(150), Status.DONE)
    b = Progress(target(100, weight=1), Decimal(20), Decimal(20), Status.LAGGING)
    assert judging.weighted_score([a, b]) == Decimal(320) / 4  # 150 % counts as 100 %
    results = [SimpleNamespace(score=s, rank=None) for s in (Decimal(80), None, Decimal(90), Decimal(80))]
    judging.rank(results)
    assert [r.rank for r in results] == [2, None, 1, 2]


def test_time_progress_and_reminders():
    assert judging.expected_share(2013, date(2013, 12, 31)) == 1
    assert round(judging.expected_at_month_end(2013, 5), 1) == Decimal("41.4")
    assert (
        judging.counted_months(2013, date(2013, 6, 15)),
        judging.completed_months(2013, date(2013, 6, 15)),
    ) == (6, 5)
    assert judging.below_time_progress(Decimal(40), Decimal("0.5")) and not judging.below_time_progress(
        None, Decimal(1)
    )
    not_started = Progress(target(100), None, None, Status.NOT_STARTED)
    assert not judging.reminds_as_lagging(not_started, Decimal("0.05"), TOLERANCE)  # 5 January: too early
    assert judging.reminds_as_lagging(not_started, Decimal("0.2"), TOLERANCE)
    assert (
        judging.year_on_year(Decimal(125), Decimal(100)) == 25
        and judging.year_on_year(Decimal(1), Decimal(0)) is None
    )
