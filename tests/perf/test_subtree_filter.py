"""The planner-proof "in the subtree of F" (Federation.objects.subtree_q, issue #18): a county and
below is filtered by its ids looked up first, a city and above by the join on the path; both give
the same rows."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.models import SORTED_LISTS_DEPTH, Activity, ActivityStatus, ActivityType
from fedwork import access, models
from fedwork.models import Federation, Level, Role
from tests import factories


@pytest.fixture
def planned(tree):
    """A planned activity in every federation of the tree, overdue in January."""
    kind = ActivityType.objects.first()
    return {
        code: Activity.objects.create(
            federation=federation,
            year=2013,
            type=kind,
            title=f"{code}计划",
            status=ActivityStatus.PLANNED,
            planned_start=date(2013, 1, 10),
        )
        for code, federation in tree.items()
    }


def _sql(queryset) -> str:
    return str(queryset.query)


@pytest.mark.parametrize("code", ["furong", "dingwangtai"])
def test_a_county_and_below_are_filtered_by_their_ids(tree, planned, code):
    federation = tree[code]
    with CaptureQueriesContext(connection) as lookups:
        queryset = Activity.objects.planned_in_subtree(federation, 2013).filter(
            planned_last_day__lt=date(2013, 2, 1)
        )
    assert len(lookups) == 1  # the ids, looked up once when the filter is built
    sql = _sql(queryset)
    assert "LIKE" not in sql.upper() and "fedwork_federation" not in sql
    expected = {a.pk for a in planned.values() if a.federation.path.startswith(federation.path)}
    assert {a.pk for a in queryset} == expected and expected


@pytest.mark.parametrize("code", ["nation", "hunan", "changsha"])
def test_a_city_and_above_keep_the_join_on_the_path(tree, planned, code):
    federation = tree[code]
    with CaptureQueriesContext(connection) as lookups:
        queryset = Activity.objects.in_subtree(federation)
    assert len(lookups) == 0  # no ids to look up above the county level
    assert "LIKE" in _sql(queryset).upper()
    expected = {a.pk for a in planned.values() if a.federation.path.startswith(federation.path)}
    assert {a.pk for a in queryset} == expected


def test_a_small_looking_subtree_too_large_for_a_list_keeps_the_join(tree, planned, monkeypatch):
    monkeypatch.setattr(models, "SMALL_SUBTREE_MAX", 1)  # 芙蓉区 and 定王台街道: two
    queryset = Activity.objects.in_subtree(tree["furong"])
    assert "LIKE" in _sql(queryset).upper()
    assert set(queryset) == {planned["furong"], planned["dingwangtai"]}


def test_a_new_township_is_in_the_next_lookup(tree, planned):
    queryset_before = Activity.objects.in_subtree(tree["furong"])
    township = factories.federation("430102002", "东湖街道", Level.TOWNSHIP, tree["furong"])
    activity = Activity.objects.create(
        federation=township, year=2013, type=planned["furong"].type, title="新", status=ActivityStatus.DONE
    )
    assert activity not in queryset_before  # the ids were looked up when the filter was built
    assert activity in Activity.objects.in_subtree(tree["furong"])


def test_staff_of_a_county_are_scoped_by_ids_and_see_exactly_their_subtree(tree, people, planned):
    scoped = access.scope_to_user(Activity.objects.all(), people["furong_staff"])
    assert "fedwork_federation" not in _sql(scoped)
    assert set(scoped) == {planned["furong"], planned["dingwangtai"]}
    federations = access.scope_to_user(Federation.objects.all(), people["furong_staff"], None)
    assert set(federations) == {tree["furong"], tree["dingwangtai"]}
    # A city's leader: the join on the path, the same answer as before.
    city = access.scope_to_user(Activity.objects.all(), people["changsha_leader"])
    assert set(city) == {planned[code] for code in ("changsha", "furong", "dingwangtai", "yuelu")}


def test_one_record_by_its_key_costs_no_ids_lookup(tree, people, planned, django_assert_num_queries):
    staff = factories.user("dingwangtai-staff", tree["dingwangtai"], Role.STAFF)
    with django_assert_num_queries(1):
        found = access.get_object_for_user_or_404(Activity.objects.all(), staff, pk=planned["dingwangtai"].pk)
    assert found == planned["dingwangtai"]


@pytest.mark.parametrize("code", ["nation", "hunan", "changsha", "furong", "dingwangtai"])
def test_upcoming_and_overdue_lists_are_the_subtrees_in_date_order_at_every_level(tree, code):
    """The dashboards' two lists (ActivityQuerySet.upcoming / overdue_last of planned_in_subtree): the
    same rows and order whichever way the order is written for the planner (activities.models.
    _listing_order: NULLs placed apart from the index's order for a county and below)."""
    kind = ActivityType.objects.first()
    made = []
    for number, (place, federation) in enumerate(sorted(tree.items())):
        for month in (1, 3, 9, 11):
            made.append(
                Activity.objects.create(
                    federation=federation,
                    year=2013,
                    type=kind,
                    title=f"{place}{month}月{number}",
                    status=ActivityStatus.PLANNED,
                    planned_start=date(2013, month, 1 + number),
                    planned_end=date(2013, month, 2 + number),
                )
            )
    federation, today = tree[code], date(2013, 6, 30)
    inside = [a for a in made if a.federation.path.startswith(federation.path)]
    upcoming = sorted((a for a in inside if a.calendar_day >= today), key=lambda a: a.calendar_day)
    overdue = sorted((a for a in inside if a.planned_last_day < today), key=lambda a: a.planned_last_day)
    overdue.reverse()
    planned = Activity.objects.planned_in_subtree(federation, 2013)
    got_upcoming = list(planned.upcoming(federation, today, 3))
    got_overdue = list(planned.overdue_last(federation, today, 3))
    assert [a.calendar_day for a in got_upcoming] == [a.calendar_day for a in upcoming[:3]]
    assert [a.planned_last_day for a in got_overdue] == [a.planned_last_day for a in overdue[:3]]
    listed = got_upcoming + got_overdue
    assert {a.federation.path[: len(federation.path)] for a in listed} == {federation.path}
    # Nothing planned out of the year, nothing done: only the planned ones of 2013 are listed.
    assert all(a.status == ActivityStatus.PLANNED and a.year == 2013 for a in got_upcoming + got_overdue)


@pytest.mark.parametrize("code", ["nation", "hunan", "changsha", "furong", "dingwangtai"])
def test_upcoming_and_overdue_lists_break_ties_on_one_day_by_id_at_every_level(tree, code):
    """Twelve planned activities on the same day (more than a list shows): a city and below (a sort)
    list the first ones stored, in that order; the nation and a province (an index walk, where the
    tie-break would cost an incremental sort: activities.models._listing_order) list eight of that
    day's, each once."""
    kind = ActivityType.objects.first()
    made = [
        Activity.objects.create(
            federation=tree["furong"] if number % 3 else tree["dingwangtai"],
            year=2013,
            type=kind,
            title=f"七月一日活动{number}",
            status=ActivityStatus.PLANNED,
            planned_start=date(2013, 7, 1) if number < 20 else date(2013, 5, 1),
            planned_end=None if number < 20 else date(2013, 5, 1 + number % 2),
        )
        for number in range(32)
    ]
    federation = tree[code]
    inside = [a for a in made if a.federation.path.startswith(federation.path)]
    upcoming = sorted((a for a in inside if a.calendar_day == date(2013, 7, 1)), key=lambda a: a.pk)
    overdue = sorted(
        (a for a in inside if a.calendar_day == date(2013, 5, 1)),
        key=lambda a: (-a.planned_last_day.day, a.pk),
    )
    planned = Activity.objects.planned_in_subtree(federation, 2013)
    today = date(2013, 6, 30)
    got_upcoming = [a.pk for a in planned.upcoming(federation, today, 8)]
    got_overdue = [a.pk for a in planned.overdue_last(federation, today, 8)]
    if federation.depth >= SORTED_LISTS_DEPTH:
        assert got_upcoming == [a.pk for a in upcoming[:8]]
        assert got_overdue == [a.pk for a in overdue[:8]]
    else:
        assert len(set(got_upcoming)) == 8 and set(got_upcoming) <= {a.pk for a in upcoming}
        latest = {a.pk for a in overdue if a.planned_last_day == overdue[0].planned_last_day}
        assert len(set(got_overdue)) == 8 and set(got_overdue[: len(latest)]) <= latest
        assert len(latest) >= 8 or set(got_overdue[: len(latest)]) == latest
