"""ActivityCount, the maintained number of activities per subtree, day, status and due date (issue #18:
the summary and the calendar 含下级 read it instead of counting a nation's activities): after any
sequence of writes (saves with a day or only a planned month, edits moving them between days, months
and statuses, deletes, imports, federation moves) it equals the activities counted one by one, and
the pages' counts equal the queries over the activities they replace."""

from collections import defaultdict
from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activities import services, totals
from activities.models import (
    COUNTED_STATUSES,
    Activity,
    ActivityCount,
    ActivityStatus,
    ActivityType,
)
from activities.views import _counted_month, _month_tallies
from fedwork.models import Federation
from tests.activities.test_reach import build, import_batch, move_unless_below

BEIJING = ZoneInfo("Asia/Shanghai")
YEAR = 2013

statuses = st.sampled_from([ActivityStatus.DONE, ActivityStatus.PLANNED, ActivityStatus.CANCELLED])
# (month, day): day 0 is an activity known only by its planned month (no calendar day)
whens = st.tuples(st.integers(1, 12), st.sampled_from([0, 1, 10, 28]))
operations = st.lists(
    st.one_of(
        st.tuples(st.just("save"), st.integers(0, 30), whens, statuses),
        st.tuples(st.just("edit"), st.integers(0, 30), whens, statuses),
        st.tuples(st.just("delete"), st.integers(0, 30)),
        st.tuples(st.just("import"), st.lists(st.tuples(st.integers(0, 30), whens, statuses), max_size=3)),
        st.tuples(st.just("move"), st.integers(0, 30), st.integers(0, 30)),
    ),
    min_size=1,
    max_size=12,
)
shapes = st.lists(st.integers(min_value=1, max_value=3), min_size=2, max_size=4)


def _dated(activity: Activity, when, status) -> Activity:
    """Set an activity's dates the way the form does: done ones happened (actual start), planned and
    cancelled ones are planned for a day (start and end two days later) or only for a month."""
    month, day = when
    activity.status = status
    activity.actual_start = activity.planned_start = activity.planned_end = activity.planned_month = None
    if day == 0:
        activity.planned_month = month
    elif status == ActivityStatus.DONE:
        activity.actual_start = datetime(YEAR, month, day, 9, tzinfo=BEIJING)
    else:
        activity.planned_start = date(YEAR, month, day)
        activity.planned_end = date(YEAR, month, min(day + 2, 28))
    return activity


def naive_counts() -> dict:
    """{(federation id, year, day, month, status, due): activities}, each activity counted under its
    federation and every ancestor by path, without any maintained table."""
    federations = list(Federation.objects.values_list("pk", "path"))
    expected: dict = defaultdict(int)
    for activity in Activity.objects.select_related("federation"):
        key = totals.count_key(activity, activity.federation.path)[2:]
        for pk, path in federations:
            if activity.federation.path.startswith(path):
                expected[(pk, *key)] += 1
    return dict(expected)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shape=shapes, steps=operations)
def test_counts_equal_the_activities_after_any_writes(tree, shape, steps):
    with transaction.atomic():
        kind = ActivityType.objects.ensure_defaults().get(name="培训")
        nodes = build(tree, shape)
        saved: list[int] = []

        def node(index) -> Federation:
            return Federation.objects.get(pk=nodes[index % len(nodes)].pk)

        def new_activity(where, when, status):
            return _dated(Activity(federation=where, year=YEAR, type=kind, title="培训"), when, status)

        for step in steps:
            action = step[0]
            if action == "save":
                _a, index, when, status = step
                activity = services.activity_save(
                    activity=new_activity(node(index), when, status), figures={}, by=None
                )
                saved.append(activity.pk)
            elif action == "edit" and saved:
                _a, index, when, status = step
                activity = Activity.objects.select_related("federation").get(pk=saved[index % len(saved)])
                services.activity_save(activity=_dated(activity, when, status), figures={}, by=None)
            elif action == "delete" and saved:
                pk = saved.pop(step[1] % len(saved))
                services.activity_delete(activity=Activity.objects.get(pk=pk), by=None)
            elif action == "import" and step[1]:
                batch = []
                for index, when, status in step[1]:
                    activity = new_activity(node(index), when, status)
                    activity._import_figures = []
                    activity._import_work_point = None
                    batch.append(activity)
                saved.extend(import_batch(batch))
            elif action == "move":
                move_unless_below(nodes[0], node(step[1]), node(step[2]))
            assert totals.count_differences() == [], step

        assert totals.stored_counts() == naive_counts()
        # The summary's count is the query it replaces, for every federation and a few days.
        for federation in Federation.objects.all():
            for day in (date(YEAR, 1, 1), date(YEAR, 6, 30), date(YEAR, 12, 31)):
                done = Activity.objects.in_subtree(federation).counted()
                expected = done.filter(year=YEAR, calendar_day__lte=day).count()
                assert ActivityCount.objects.counted_through(federation, YEAR, day) == expected
        # The calendar's month from the counts is the grouped query over the activities it replaces.
        root = Federation.objects.get(pk=nodes[0].pk)
        children = list(Federation.objects.children_of(root).values_list("path", "short_name", "name"))
        own = Activity.objects.for_year(YEAR).in_subtree(root)
        today = date(YEAR, 6, 15)
        for month in (1, 6, 12):
            from_sql = _month_tallies(root, children, own.in_month(YEAR, month), [], today)
            from_counts = _month_tallies(
                root, children, None, [], today, _counted_month(root, YEAR, month, today)
            )
            assert from_counts == from_sql, month
        transaction.set_rollback(True)


def test_the_bulk_build_equals_the_checked_rebuild(tree):
    kind = ActivityType.objects.ensure_defaults().get(name="培训")
    for federation, when, status in [
        (tree["furong"], (3, 10), ActivityStatus.DONE),
        (tree["furong"], (3, 0), ActivityStatus.PLANNED),
        (tree["dingwangtai"], (5, 28), ActivityStatus.PLANNED),
        (tree["yuelu"], (5, 28), ActivityStatus.CANCELLED),
    ]:
        activity = Activity(federation=federation, year=YEAR, type=kind, title="宣传")
        services.activity_save(activity=_dated(activity, when, status), figures={}, by=None)
    maintained = totals.stored_counts()
    ActivityCount.objects.all().delete()
    assert totals.build_counts(YEAR) == len(maintained)
    assert totals.stored_counts() == maintained == totals.recompute_counts()


def test_check_rollups_finds_a_wrong_count_and_rebuild_rollups_mends_it(tree):
    kind = ActivityType.objects.ensure_defaults().get(name="培训")
    activity = Activity(federation=tree["dingwangtai"], year=YEAR, type=kind, title="宣传")
    services.activity_save(activity=_dated(activity, (2, 10), ActivityStatus.DONE), figures={}, by=None)
    call_command("check_rollups", stdout=StringIO())
    ActivityCount.objects.filter(federation=tree["changsha"]).update(count=5)
    errors = StringIO()
    with pytest.raises(CommandError, match="共 1 处不一致"):
        call_command("check_rollups", stdout=StringIO(), stderr=errors)
    assert "活动数" in errors.getvalue()
    call_command("check_rollups", "--federation", "370102", stdout=StringIO())  # 历下区: nothing wrong there
    call_command("rebuild_rollups", "--federation", "4301", stdout=StringIO())
    call_command("check_rollups", stdout=StringIO())
    assert ActivityCount.objects.counted_through(tree["changsha"], YEAR, date(YEAR, 12, 31)) == 1
    assert ActivityCount.objects.counted_through(tree["nation"], YEAR, date(YEAR, 2, 9)) == 0
    assert ActivityStatus.DONE in COUNTED_STATUSES
