"""The roll-up's numbers: hand-computed cases, a property test against a naive recomputation, and
bounded queries."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activities import services
from activities.models import Activity, ActivityStatus, ActivityType, Figure
from fedwork.models import Federation, Level
from plans.models import Cadence, PlanStatus
from reports.rollup import Status, completed_months, expected_share, rollup
from tests import factories

BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def catalogue(tree):
    nation = tree["nation"]
    made = {
        "trained": factories.indicator("PX02", "培训妇女人数", "人", nation),
        "sessions": factories.indicator("PX01", "举办培训班期数", "期", nation),
        "handled": factories.indicator("XF01", "受理信访件数", "件", nation),
        "closed": factories.indicator("XF02", "办结信访件数", "件", nation),
        "homes": factories.indicator("FJ01", "建成妇女之家个数", "个", nation),
        "info": factories.indicator("XC02", "报送工作信息条数", "条", nation),
        "meeting": factories.indicator("HY01", "召开工作会议", "项", nation, kind="milestone"),
    }
    made["close_rate"] = factories.indicator(
        "XF03",
        "信访案件处结率",
        "%",
        nation,
        kind="rate",
        numerator=made["closed"],
        denominator=made["handled"],
        decimal_places=1,
    )
    made["coverage"] = factories.indicator(
        "FJ02", "妇女之家覆盖率", "%", nation, kind="coverage", base=made["homes"], decimal_places=1
    )
    return made


def record(federation, figures, *, month=5, day=10, status=ActivityStatus.DONE, year=2013):
    activity = Activity(
        federation=federation,
        year=year,
        type=ActivityType.objects.first(),
        title="活动",
        status=status,
        actual_start=datetime(year, month, day, 9, tzinfo=BEIJING),
    )
    return services.activity_save(
        activity=activity, figures={i: Decimal(v) for i, v in figures.items()}, by=None
    )


def plan_with(federation, *targets, year=2013):
    """targets: (indicator, value, extra kwargs)"""
    plan = factories.plan(federation, year, status=PlanStatus.PUBLISHED)
    point = factories.point(plan, "重点工作", label="一")
    return [factories.target(point, indicator, value, **extra) for indicator, value, extra in targets]


def only(result):
    (progress,) = result.progress
    return progress


def test_sums_add_up_the_whole_subtree(tree, catalogue):
    trained = catalogue["trained"]
    plan_with(tree["changsha"], (trained, 500, {}))
    record(tree["furong"], {trained: 100})
    record(tree["dingwangtai"], {trained: 50}, month=6)
    record(tree["yuelu"], {trained: 40})
    record(tree["lixia"], {trained: 1000})  # another province: not Changsha's
    record(tree["furong"], {trained: 999}, status=ActivityStatus.PLANNED)  # not done: not counted
    progress = only(rollup(tree["changsha"], 2013, date(2013, 12, 31)))
    assert progress.achieved == 190
    assert progress.completion == Decimal(38)
    assert progress.status == Status.LAGGING


@pytest.mark.parametrize(
    ("done", "status"),
    [
        (0, Status.NOT_STARTED),
        (100, Status.LAGGING),
        (150, Status.ON_TRACK),
        (160, Status.AHEAD),
        (300, Status.DONE),
        (450, Status.DONE),
    ],
)
def test_time_progress_half_the_year_half_the_work(tree, catalogue, done, status):
    trained = catalogue["trained"]
    plan_with(tree["furong"], (trained, 300, {}))
    if done:
        record(tree["furong"], {trained: done}, month=5)
    result = rollup(tree["furong"], 2013, date(2013, 7, 2))
    # 2 July is day 183 of 365: 50.1 % of the year; 150/300 = 50 % is within the 10-point tolerance.
    assert result.expected_share == Decimal(183) / Decimal(365)
    assert only(result).status == status


def test_expected_share_and_completed_months():
    assert expected_share(2013, date(2013, 12, 31)) == 1
    assert expected_share(2013, date(2014, 3, 1)) == 1
    assert expected_share(2013, date(2012, 3, 1)) == 0
    assert expected_share(2012, date(2012, 12, 31)) == 1  # a leap year has 366 days
    assert (completed_months(2013, date(2013, 3, 31)), completed_months(2013, date(2013, 3, 30))) == (3, 2)


def test_rates_are_recomputed_from_summed_parts_not_averaged(tree, catalogue):
    plan_with(tree["changsha"], (catalogue["close_rate"], 98, {}))
    record(tree["furong"], {catalogue["handled"]: 20, catalogue["closed"]: 19})  # 95 %
    record(tree["yuelu"], {catalogue["handled"]: 80, catalogue["closed"]: 80})  # 100 %
    progress = only(rollup(tree["changsha"], 2013, date(2013, 12, 31)))
    assert progress.achieved == Decimal(99)  # 99 / 100, not the mean 97.5
    assert progress.status == Status.DONE


def test_a_rate_without_a_denominator_has_not_started(tree, catalogue):
    plan_with(tree["changsha"], (catalogue["close_rate"], 98, {}))
    progress = only(rollup(tree["changsha"], 2013, date(2013, 12, 31)))
    assert (progress.achieved, progress.completion, progress.status) == (None, None, Status.NOT_STARTED)


def test_coverage_counts_children_that_reached_it(tree, catalogue):
    plan_with(tree["changsha"], (catalogue["coverage"], 100, {"comparator": "="}))
    record(tree["dingwangtai"], {catalogue["homes"]: 2})  # counts for 芙蓉区 through its township
    progress = only(rollup(tree["changsha"], 2013, date(2013, 12, 31)))
    assert progress.achieved == Decimal(50)  # 芙蓉区 has one, 岳麓区 none: 1 of 2 children
    assert progress.status == Status.LAGGING
    record(tree["yuelu"], {catalogue["homes"]: 1})
    assert only(rollup(tree["changsha"], 2013, date(2013, 12, 31))).status == Status.DONE


def test_milestones(tree, catalogue):
    (target,) = plan_with(tree["hunan"], (catalogue["meeting"], 1, {"due_date": date(2013, 6, 30)}))
    assert only(rollup(tree["hunan"], 2013, date(2013, 5, 1))).status == Status.NOT_DUE
    assert only(rollup(tree["hunan"], 2013, date(2013, 7, 1))).status == Status.OVERDUE
    meeting = record(tree["hunan"], {}, month=6, day=10)
    meeting.achieves.add(target)
    assert only(rollup(tree["hunan"], 2013, date(2013, 6, 1))).status == Status.NOT_DUE  # not held yet then
    progress = only(rollup(tree["hunan"], 2013, date(2013, 12, 31)))
    assert (progress.status, progress.completion) == (Status.DONE, 100)


def test_monthly_cadence_is_judged_month_by_month(tree, catalogue):
    info = catalogue["info"]
    plan_with(tree["furong"], (info, 2, {"cadence": Cadence.MONTH}))
    record(tree["furong"], {info: 3}, month=1)
    record(tree["furong"], {info: 1}, month=2)
    record(tree["furong"], {info: 2}, month=3)
    progress = only(rollup(tree["furong"], 2013, date(2013, 3, 31)))
    assert progress.target_value == 24
    assert progress.achieved == 6
    # Each month counts up to its own 2: 2 + 1 + 2 = 5 of 24; February fell short, so it lags.
    assert progress.completion == Decimal(5) / 24 * 100
    assert progress.status == Status.LAGGING


def test_children_scores_and_ranks(tree, catalogue):
    trained, sessions = catalogue["trained"], catalogue["sessions"]
    upper_trained, upper_sessions = plan_with(tree["changsha"], (trained, 500, {}), (sessions, 20, {}))
    from plans import services as plan_services

    plan_services.target_split(
        target=upper_trained,
        values={tree["furong"].pk: Decimal(300), tree["yuelu"].pk: Decimal(200)},
        by=None,
    )
    plan_services.target_split(target=upper_sessions, values={tree["furong"].pk: Decimal(10)}, by=None)
    furong_trained = upper_trained.splits.get(plan__federation=tree["furong"])
    furong_trained.weight = Decimal(2)
    furong_trained.save()
    record(tree["dingwangtai"], {trained: 150, sessions: 12})
    record(tree["yuelu"], {trained: 40})
    result = rollup(tree["changsha"], 2013, date(2013, 12, 31))
    furong, yuelu = result.children
    assert [p.achieved for p in furong.progress] == [150, 12]
    # (min(50, 100) × 2 + min(120, 100) × 1) / 3
    assert furong.score == (Decimal(50) * 2 + Decimal(100)) / 3
    assert yuelu.score == Decimal(20)
    assert (furong.rank, yuelu.rank) == (1, 2)


def test_equal_scores_share_a_rank_and_children_without_targets_have_none(tree, catalogue):
    trained = catalogue["trained"]
    (upper,) = plan_with(tree["nation"], (trained, 100, {}))
    from plans import services as plan_services

    plan_services.target_split(target=upper, values={tree["hunan"].pk: Decimal(50)}, by=None)
    result = rollup(tree["nation"], 2013, date(2013, 12, 31))
    ranks = {c.federation.code: (c.score, c.rank) for c in result.children}
    assert ranks == {"43": (Decimal(0), 1), "37": (None, None)}


def test_query_count_does_not_grow_with_the_tree(tree, catalogue, django_assert_max_num_queries):
    trained, coverage = catalogue["trained"], catalogue["coverage"]
    from plans import services as plan_services

    upper, _cov = plan_with(tree["changsha"], (trained, 500, {}), (coverage, 100, {}))
    plan_services.target_split(target=upper, values={tree["furong"].pk: Decimal(300)}, by=None)
    record(tree["furong"], {trained: 10})
    with django_assert_max_num_queries(9):
        rollup(tree["changsha"], 2013)
    # Ten times the children, the activities and the splits: still the same bounded number of queries.
    for n in range(20):
        county = Federation.objects.create(
            code=f"4301{90 + n}", name=f"县{n}", level=Level.COUNTY, parent=tree["changsha"]
        )
        for _ in range(3):
            record(county, {trained: 5, catalogue["homes"]: 1})
    plan_services.target_split(
        target=upper,
        values={f.pk: Decimal(10) for f in Federation.objects.children_of(tree["changsha"])},
        by=None,
    )
    with django_assert_max_num_queries(9):
        result = rollup(tree["changsha"], 2013)
    assert len(result.children) == 22


# --- Property: the roll-up equals a naive recomputation from the raw figures -----------------------

figure_values = st.integers(min_value=0, max_value=500)
activity_plans = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=30),  # which federation (modulo the tree's size)
        st.integers(min_value=1, max_value=12),  # month
        st.sampled_from([ActivityStatus.DONE, ActivityStatus.DONE, ActivityStatus.PLANNED]),
        figure_values,
        figure_values,
        figure_values,  # trained, handled, closed
    ),
    max_size=25,
)
shapes = st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=8)  # children per node


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shape=shapes, activities=activity_plans, as_of_month=st.integers(min_value=1, max_value=12))
def test_rollup_equals_naive_recomputation(tree, catalogue, shape, activities, as_of_month):
    trained, handled, closed, rate = (catalogue[k] for k in ("trained", "handled", "closed", "close_rate"))
    with transaction.atomic():
        root = Federation.objects.create(code="9", name="根", level=Level.PROVINCE, parent=tree["nation"])
        nodes, queue = [root], [root]
        for count in shape:
            parent = queue.pop(0) if queue else root
            for _ in range(count):
                child = Federation.objects.create(
                    code=f"9-{len(nodes)}", name="子", level=Level.CITY, parent=parent
                )
                nodes.append(child)
                queue.append(child)
        plan_with(root, (trained, 100, {}), (rate, 90, {}))
        for index, month, status, a, b, c in activities:
            record(nodes[index % len(nodes)], {trained: a, handled: b, closed: c}, month=month, status=status)
        as_of = date(2013, as_of_month, 28)
        result = rollup(root, 2013, as_of)

        def naive(federation, indicator):
            figures = Figure.objects.filter(
                indicator=indicator,
                activity__status=ActivityStatus.DONE,
                activity__year=2013,
                activity__federation__path__startswith=federation.path,
                activity__calendar_day__month__lte=as_of_month,
            )
            return sum((f.value for f in figures), Decimal(0))

        by_indicator = {p.target.indicator_id: p for p in result.progress}
        assert by_indicator[trained.pk].achieved == naive(root, trained)
        den = naive(root, handled)
        expected_rate = naive(root, closed) / den * 100 if den else None
        assert by_indicator[rate.pk].achieved == expected_rate
        assert [c.federation.pk for c in result.children] == sorted(
            (n.pk for n in nodes if n.parent_id == root.pk), key=lambda pk: Federation.objects.get(pk=pk).code
        )
        transaction.set_rollback(True)


def test_a_split_monthly_target_does_not_break_the_parents_rollup(tree, catalogue):
    from plans import services as plan_services

    info = catalogue["info"]
    (upper,) = plan_with(tree["changsha"], (info, 2, {"cadence": Cadence.MONTH}))
    plan_services.target_split(target=upper, values={tree["furong"].pk: Decimal(1)}, by=None)
    record(tree["furong"], {info: 6}, month=2)
    result = rollup(tree["changsha"], 2013, date(2013, 6, 30))
    (child,) = [c for c in result.children if c.progress]
    assert child.progress[0].achieved == 6
    assert child.progress[0].completion == Decimal(6) / 12 * 100
