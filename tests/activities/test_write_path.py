"""The write path's round trips (issue #18: a save with 3 figures ≤ 10 ms): a new activity with its
figures and work point is written in a fixed, small number of statements, and what it writes is the
same as before — the figures, their history (who), the link, the totals of every ancestor."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities import services, totals
from activities.models import Activity, ActivityStatus, Figure
from tests import factories

BEIJING = ZoneInfo("Asia/Shanghai")


def new_activity(federation, activity_type) -> Activity:
    return Activity(
        federation=federation,
        year=2013,
        type=activity_type,
        title="培训",
        status=ActivityStatus.DONE,
        actual_start=datetime(2013, 5, 10, 9, tzinfo=BEIJING),
    )


def test_a_new_activity_with_three_figures_is_a_fixed_handful_of_statements(
    tree, people, training, activity_indicators
):
    figures = {
        activity_indicators["sessions"]: Decimal(2),
        activity_indicators["trained"]: Decimal(150),
        activity_indicators["loans"]: Decimal("12.50"),
    }
    point = factories.point(factories.plan(tree["furong"]), "开展培训", label="1")
    staff = people["furong_staff"]
    with CaptureQueriesContext(connection) as queries:
        activity = services.activity_save(
            activity=new_activity(tree["furong"], training), figures=figures, by=staff, work_points=[point]
        )
    statements = [
        q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]
    # The lock check, the activity and its history, the link, the figures and their history (one
    # INSERT each, not one per figure), the ancestors' ids; the totals' upsert goes through the raw
    # cursor on PostgreSQL and is counted on SQLite only. The coverage count (activities.Reach) adds
    # three: the totals before the change (has a federation just reached the indicator?), the
    # ancestors' parents and the count's upsert. The activity counts (activities.ActivityCount, read
    # by the summary and the calendar 含下级 instead of counting a nation's activities) add their upsert.
    assert len(statements) <= 12, statements
    assert sum(s.startswith('INSERT INTO "activities_figure"') for s in statements) == 1
    assert not any(s.startswith("SELECT") and "activities_activity_work_points" in s for s in statements)

    stored = dict(Figure.objects.filter(activity=activity).values_list("indicator_id", "value"))
    assert stored == {indicator.pk: value for indicator, value in figures.items()}
    history = Figure.history.filter(activity_id=activity.pk)
    assert history.count() == 3 and {h.history_user_id for h in history} == {staff.pk}
    assert list(activity.work_points.all()) == [point]
    assert totals.differences() == []


def test_an_edit_still_sets_links_and_figures(tree, people, training, activity_indicators):
    trained, sessions = activity_indicators["trained"], activity_indicators["sessions"]
    plan = factories.plan(tree["furong"])
    first, second = factories.point(plan, "一", label="1"), factories.point(plan, "二", label="2")
    activity = services.activity_save(
        activity=new_activity(tree["furong"], training),
        figures={trained: Decimal(10)},
        by=people["furong_staff"],
        work_points=[first],
    )
    services.activity_save(
        activity=activity, figures={trained: None, sessions: Decimal(3)}, by=None, work_points=[second]
    )
    assert list(activity.work_points.all()) == [second]
    assert dict(activity.figures.values_list("indicator_id", "value")) == {sessions.pk: 3}
    assert totals.differences() == []
