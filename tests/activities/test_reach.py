"""Reach, the maintained count behind coverage indicators (issue #18): after any sequence of writes
(saves, corrections, status changes, deletes, imports, federation moves), per parent, indicator,
year and month, Σ Reach over months 1..m equals the number of its direct children whose subtree
recorded the indicator > 0 in a done activity by month m — counted here from the raw figures, and
by the COUNT(DISTINCT) query the roll-up ran before Reach existed."""

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activities import services, totals
from activities.models import Activity, ActivityStatus, ActivityType, Figure, FigureTotal, Reach
from fedwork.models import Federation, Level
from fedwork.services import federation_move
from tests import factories

BEIJING = ZoneInfo("Asia/Shanghai")
YEAR = 2013

statuses = st.sampled_from(
    [ActivityStatus.DONE, ActivityStatus.DONE, ActivityStatus.PLANNED, ActivityStatus.CANCELLED]
)
amounts = st.sampled_from([0, 0, 1, 2, 5])  # 0 often: a figure of 0 reaches nothing
figures = st.tuples(amounts, st.one_of(st.none(), amounts))  # (first indicator, second or not recorded)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("save"), st.integers(0, 30), st.integers(1, 12), statuses, figures),
        st.tuples(st.just("edit"), st.integers(0, 30), st.integers(1, 12), statuses, figures),
        st.tuples(st.just("delete"), st.integers(0, 30)),
        st.tuples(
            st.just("import"),
            st.lists(st.tuples(st.integers(0, 30), st.integers(1, 12), amounts), max_size=4),
        ),
        st.tuples(st.just("move"), st.integers(0, 30), st.integers(0, 30)),
    ),
    min_size=1,
    max_size=12,
)
shapes = st.lists(st.integers(min_value=1, max_value=3), min_size=2, max_size=4)  # children per node
# Done activities with figures > 0 recorded first, so that what follows has something to undo or move.
seeds = st.lists(st.tuples(st.integers(0, 30), st.integers(1, 12), st.integers(1, 5)), min_size=1, max_size=4)


def _month(activity: Activity) -> int | None:
    return totals.activity_month(activity)


def naive_reach() -> dict[tuple[int, int, int, int], int]:
    """{(parent id, year, indicator id, month): children first reaching it then}, from the figures of
    done activities and the tree as it is, without any totals table."""
    federations = list(Federation.objects.all())
    first: dict[tuple[int, int, int], int] = {}  # (federation, year, indicator) → first month > 0
    done = Figure.objects.filter(activity__status__in=[ActivityStatus.DONE], value__gt=0).select_related(
        "activity__federation"
    )
    by_path = [(f.path, f.pk) for f in federations]
    for figure in done:
        activity = figure.activity
        month = _month(activity)
        if month is None:
            continue
        for path, pk in by_path:
            if activity.federation.path.startswith(path):
                key = (pk, activity.year, figure.indicator_id)
                first[key] = min(first.get(key, 13), month)
    parents = {f.pk: f.parent_id for f in federations}
    expected: dict[tuple[int, int, int, int], int] = defaultdict(int)
    for (pk, year, indicator_id), month in first.items():
        if parents[pk] is not None:
            expected[(parents[pk], year, indicator_id, month)] += 1
    return dict(expected)


def stored_recorded() -> dict[tuple[int, int, int, int], int]:
    return {
        (parent, year, indicator, month): children
        for parent, year, indicator, month, children in Reach.objects.filter(source=Reach.Source.RECORDED)
        .exclude(children=0)
        .values_list("parent_id", "year", "indicator_id", "month", "children")
    }


def count_distinct(parent_ids: list[int], indicator_id: int, last_month: int) -> dict[int, int]:
    """The roll-up's coverage query before Reach: per parent, COUNT(DISTINCT) of its children with a
    total > 0 in months 1..last_month."""
    marks = ", ".join(["%s"] * len(parent_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT f.parent_id, COUNT(DISTINCT t.federation_id) FROM {FigureTotal._meta.db_table} t"
            f" JOIN {Federation._meta.db_table} f ON f.id = t.federation_id"
            f" WHERE f.parent_id IN ({marks}) AND t.year = %s AND t.month <= %s AND t.indicator_id = %s"
            " AND t.value > 0 GROUP BY f.parent_id",
            [*parent_ids, YEAR, last_month, indicator_id],
        )
        return dict(cursor.fetchall())


def summed_reach(parent_ids: list[int], indicator_id: int, last_month: int) -> dict[int, int]:
    found: dict[int, int] = defaultdict(int)
    for parent, children in Reach.objects.filter(
        source=Reach.Source.RECORDED,
        parent_id__in=parent_ids,
        year=YEAR,
        indicator_id=indicator_id,
        month__lte=last_month,
    ).values_list("parent_id", "children"):
        found[parent] += children
    return {parent: n for parent, n in found.items() if n}


def build(tree, shape) -> list[Federation]:
    root = Federation.objects.create(code="98", name="测试市妇联", level=Level.CITY, parent=tree["hunan"])
    nodes, queue = [root], [root]
    for count in shape:
        parent = queue.pop(0) if queue else root
        for _ in range(count):
            child = Federation.objects.create(
                code=f"98{len(nodes):02d}", name=f"第{len(nodes)}区妇联", level=Level.COUNTY, parent=parent
            )
            nodes.append(child)
            queue.append(child)
    return nodes


def _figures(pair, first, second) -> dict:
    a, b = pair
    return {first: Decimal(a), second: None if b is None else Decimal(b)}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shape=shapes, seeded=seeds, steps=operations)
def test_reach_equals_the_children_reached_after_any_writes(tree, shape, seeded, steps):
    with transaction.atomic():
        nation = tree["nation"]
        first = factories.indicator("RC01", "妇女之家个数", "个", nation)
        second = factories.indicator("RC02", "培训妇女人数", "人", nation)
        kind = ActivityType.objects.ensure_defaults().get(name="培训")
        nodes = build(tree, shape)
        saved: list[int] = []

        def node(index) -> Federation:
            return Federation.objects.get(pk=nodes[index % len(nodes)].pk)

        def new_activity(where, month, status):
            return Activity(
                federation=where,
                year=YEAR,
                type=kind,
                title="培训",
                status=status,
                actual_start=datetime(YEAR, month, 10, 9, tzinfo=BEIJING),
            )

        for index, month, amount in seeded:
            activity = new_activity(node(index), month, ActivityStatus.DONE)
            saved.append(
                services.activity_save(activity=activity, figures={first: Decimal(amount)}, by=None).pk
            )
        for step in steps:
            action = step[0]
            if action == "save":
                _a, index, month, status, pair = step
                activity = new_activity(node(index), month, status)
                saved.append(
                    services.activity_save(
                        activity=activity, figures=_figures(pair, first, second), by=None
                    ).pk
                )
            elif action == "edit" and saved:
                _a, index, month, status, pair = step
                activity = Activity.objects.select_related("federation").get(pk=saved[index % len(saved)])
                activity.status = status
                activity.actual_start = datetime(YEAR, month, 10, 9, tzinfo=BEIJING)
                services.activity_save(activity=activity, figures=_figures(pair, first, second), by=None)
            elif action == "delete" and saved:
                pk = saved.pop(step[1] % len(saved))
                services.activity_delete(activity=Activity.objects.get(pk=pk), by=None)
            elif action == "import" and step[1]:
                batch = []
                for index, month, amount in step[1]:
                    activity = new_activity(node(index), month, ActivityStatus.DONE)
                    activity._import_figures = [(first, Decimal(amount))]
                    activity._import_work_point = None
                    batch.append(activity)
                saved.extend(import_batch(batch))
            elif action == "move":
                move_unless_below(nodes[0], node(step[1]), node(step[2]))
            assert totals.reach_differences() == [], step

        assert stored_recorded() == naive_reach()
        parent_ids = list(Federation.objects.values_list("pk", flat=True))
        for indicator in (first, second):
            for last_month in (1, 6, 12):
                assert summed_reach(parent_ids, indicator.pk, last_month) == count_distinct(
                    parent_ids, indicator.pk, last_month
                )
        transaction.set_rollback(True)


def import_batch(batch: list[Activity]) -> list[int]:
    """Save new activities (each with ``_import_figures`` and ``_import_work_point`` set) as the
    import does: one batch through services.activity_import_batch, then its totals; their ids."""
    contributions = defaultdict(Decimal)
    services.activity_import_batch(batch, by=None, contributions=contributions)
    totals.apply(contributions)
    return [activity.pk for activity in batch]


def move_unless_below(root: Federation, moving: Federation, parent: Federation) -> None:
    """Move ``moving`` under ``parent`` through the service, unless the move is impossible: the
    root stays, and a federation never moves below itself."""
    if moving.pk != root.pk and not parent.path.startswith(moving.path):
        federation_move(federation=moving, parent=parent, by=None)


def record(federation, indicator, value, month, kind):
    activity = Activity(
        federation=federation,
        year=YEAR,
        type=kind,
        title="建家",
        status=ActivityStatus.DONE,
        actual_start=datetime(YEAR, month, 10, 9, tzinfo=BEIJING),
    )
    return services.activity_save(activity=activity, figures={indicator: Decimal(value)}, by=None)


def reach(parent, indicator, source=Reach.Source.RECORDED) -> dict[int, int]:
    rows = Reach.objects.filter(source=source, parent=parent, indicator=indicator, year=YEAR).exclude(
        children=0
    )
    return dict(rows.values_list("month", "children"))


@pytest.fixture
def homes(tree):
    return factories.indicator("RC01", "妇女之家个数", "个", tree["nation"])


def test_a_child_counts_from_its_first_month_and_leaves_when_back_to_zero(tree, homes):
    kind = ActivityType.objects.ensure_defaults().get(name="培训")
    may = record(tree["dingwangtai"], homes, 2, 5, kind)
    # 定王台 reached it in May: counted under 芙蓉区; 芙蓉区 under 长沙市; 长沙市 under 湖南 …
    assert reach(tree["furong"], homes) == {5: 1}
    assert reach(tree["changsha"], homes) == {5: 1}
    assert reach(tree["nation"], homes) == {5: 1}
    record(tree["yuelu"], homes, 1, 3, kind)
    assert reach(tree["changsha"], homes) == {3: 1, 5: 1}  # 岳麓区 from March, 芙蓉区 from May
    assert reach(tree["hunan"], homes) == {3: 1}  # 长沙市 once, from its first month
    march = record(tree["furong"], homes, 1, 3, kind)  # 芙蓉区's own, earlier: it moves to March
    assert reach(tree["changsha"], homes) == {3: 2}
    assert reach(tree["furong"], homes) == {5: 1}  # 芙蓉区's own activity counts under no child
    services.activity_save(activity=march, figures={homes: Decimal(0)}, by=None)  # corrected to 0
    assert reach(tree["changsha"], homes) == {3: 1, 5: 1}
    services.activity_delete(activity=may, by=None)
    assert reach(tree["furong"], homes) == {}
    assert reach(tree["changsha"], homes) == {3: 1}
    assert totals.reach_differences() == []


def test_a_moved_federation_leaves_its_old_parents_count_for_the_new_ones(tree, homes):
    kind = ActivityType.objects.ensure_defaults().get(name="培训")
    record(tree["dingwangtai"], homes, 4, 6, kind)
    federation_move(federation=tree["dingwangtai"], parent=tree["yuelu"], by=None)
    assert reach(tree["furong"], homes) == {}
    assert reach(tree["yuelu"], homes) == {6: 1}
    assert reach(tree["changsha"], homes) == {6: 1}  # 岳麓区 reached it now; 芙蓉区 no longer
    assert totals.reach_differences() == []


def test_approved_reports_keep_their_own_count(tree, people, homes):
    from submissions import services as submissions
    from submissions.periods import Period

    kind = ActivityType.objects.ensure_defaults().get(name="培训")
    changsha_staff = factories.user("changsha-staff", tree["changsha"], "staff")
    submissions.schedule_set(
        federation=tree["changsha"], year=YEAR, frequency="month", due_day=5, by=changsha_staff
    )
    record(tree["furong"], homes, 3, 5, kind)
    may = submissions.submission_submit(
        federation=tree["furong"], period=Period(YEAR, "month", 5), by=people["furong_staff"]
    )
    assert reach(tree["changsha"], homes, Reach.Source.APPROVED) == {}
    submissions.submission_approve(submission=may, by=people["changsha_leader"])
    assert reach(tree["changsha"], homes, Reach.Source.APPROVED) == {5: 1}
    assert reach(tree["changsha"], homes) == {5: 1}
    assert totals.reach_differences() == []
    submissions.submission_reopen(submission=may, by=people["changsha_leader"], reason="更正")
    assert reach(tree["changsha"], homes, Reach.Source.APPROVED) == {}
    assert totals.reach_differences() == []


def test_check_rollups_finds_a_wrong_count_and_rebuild_rollups_mends_it(tree, homes):
    kind = ActivityType.objects.ensure_defaults().get(name="培训")
    record(tree["dingwangtai"], homes, 1, 2, kind)
    call_command("check_rollups", stdout=StringIO())
    Reach.objects.filter(parent=tree["changsha"]).update(children=5)
    Reach.objects.create(
        source=Reach.Source.RECORDED, parent=tree["yuelu"], indicator=homes, year=YEAR, month=1, children=1
    )
    errors = StringIO()
    with pytest.raises(CommandError, match="共 2 处不一致"):
        call_command("check_rollups", stdout=StringIO(), stderr=errors)
    assert "下级达标数" in errors.getvalue()
    with pytest.raises(CommandError):  # within 长沙市's subtree too
        call_command("check_rollups", "--federation", "4301", stdout=StringIO(), stderr=StringIO())
    call_command("check_rollups", "--federation", "370102", stdout=StringIO())  # 历下区: nothing wrong there
    call_command("rebuild_rollups", "--federation", "4301", stdout=StringIO())
    call_command("check_rollups", stdout=StringIO())
    assert reach(tree["changsha"], homes) == {2: 1}
    Reach.objects.all().delete()
    call_command("rebuild_rollups", "--year", str(YEAR), stdout=StringIO())
    assert reach(tree["hunan"], homes) == {2: 1}
    assert totals.reach_differences() == []


def test_the_dashboard_reads_coverage_as_before(tree, homes):
    """A coverage target's result, from Reach, is the share of the children that reached it by the
    cut-off month, for the federation and for each child."""
    from plans.models import IndicatorKind
    from reports.rollup import rollup

    kind = ActivityType.objects.ensure_defaults().get(name="培训")
    coverage = factories.indicator(
        "RC09",
        "妇女之家覆盖率",
        "%",
        tree["nation"],
        kind=IndicatorKind.COVERAGE,
        base=homes,
        decimal_places=1,
    )
    factories.federation("430102002", "朝阳街道", Level.TOWNSHIP, tree["furong"])
    plan = factories.plan(tree["changsha"], status="published")
    upper = factories.target(factories.point(plan), coverage, 100)
    furong_plan = factories.plan(tree["furong"], status="published")
    factories.target(factories.point(furong_plan), coverage, 100, parent_target=upper)
    record(tree["dingwangtai"], homes, 1, 5, kind)
    record(tree["yuelu"], homes, 1, 8, kind)

    def results(as_of):
        result = rollup(tree["changsha"], YEAR, as_of)
        return result.progress[0].achieved, result.children[0].progress[0].achieved

    assert results(date(YEAR, 4, 30)) == (0, 0)
    assert results(date(YEAR, 6, 30)) == (50, 50)  # 芙蓉区 of 2 counties; 定王台 of 芙蓉区's 2 townships
    assert results(date(YEAR, 12, 31)) == (100, 50)
