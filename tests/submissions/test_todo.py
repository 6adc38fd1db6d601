"""What I must act on (待办, issue #15): each persona's home page lists exactly their items, and the top
bar's count costs a few queries.

The scenario (``TODAY`` = 2013-07-03): 长沙市 asks its counties for 季报 by the 5th and 半年报 by the 1st
of the following month; 湖南省 asks 长沙市 for 季报 by the 10th.

- 芙蓉区: Q1 returned, H1 submitted (waiting for 长沙市), Q2 due on 7-05, a planned activity past its
  last day, and a target with nothing done by the middle of the year;
- 岳麓区: Q1 and H1 not reported (overdue), Q2 due on 7-05;
- 长沙市: Q1 (due 4-10) not reported to 湖南省.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from activities import services as activity_services
from activities.models import Activity, ActivityStatus, ActivityType
from fedwork.models import Role
from submissions import todo
from submissions.models import ReportingSchedule, Submission, SubmissionStatus
from tests import factories

BEIJING = ZoneInfo("Asia/Shanghai")
TODAY = date(2013, 7, 3)


@pytest.fixture
def today(monkeypatch):
    """Pin the date the pages and the reminders see (the roll-up's as-of date too)."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


def _submission(federation, frequency, number, status, by, **extra):
    submitted = datetime(2013, 7, 1, 9, tzinfo=BEIJING)
    return Submission.objects.create(
        federation=federation,
        year=2013,
        frequency=frequency,
        number=number,
        status=status,
        due_date=extra.pop("due_date", date(2013, 7, 5)),
        first_submitted_at=submitted,
        submitted_at=submitted,
        submitted_by=by,
        **extra,
    )


@pytest.fixture
def scenario(tree, people, today):
    changsha, furong = tree["changsha"], tree["furong"]
    ReportingSchedule.objects.create(federation=changsha, year=2013, frequency="quarter", due_day=5)
    ReportingSchedule.objects.create(federation=changsha, year=2013, frequency="half", due_day=1)
    ReportingSchedule.objects.create(federation=tree["hunan"], year=2013, frequency="quarter", due_day=10)
    staff = people["furong_staff"]
    returned = _submission(
        furong,
        "quarter",
        1,
        SubmissionStatus.RETURNED,
        staff,
        due_date=date(2013, 4, 5),
        review_note="培训人数与签到表不符",
        reviewed_by=people["changsha_leader"],
    )
    waiting = _submission(furong, "half", 1, SubmissionStatus.SUBMITTED, staff, due_date=date(2013, 7, 1))
    activity = activity_services.activity_save(
        activity=Activity(
            federation=furong,
            year=2013,
            title="巾帼志愿服务进社区",
            type=ActivityType.objects.ensure_defaults().get(name="培训"),
            status=ActivityStatus.PLANNED,
            planned_start=date(2013, 6, 10),
            planned_end=date(2013, 6, 20),
        ),
        figures={},
        by=staff,
    )
    activity_services.activity_save(  # not yet past its last day
        activity=Activity(
            federation=furong,
            year=2013,
            title="七月家庭教育讲座",
            type=ActivityType.objects.ensure_defaults().get(name="培训"),
            status=ActivityStatus.PLANNED,
            planned_start=date(2013, 7, 20),
        ),
        figures={},
        by=staff,
    )
    indicator = factories.indicator("PX02", "培训妇女人数", "人", tree["nation"])
    plan = factories.plan(furong, 2013)
    factories.target(factories.point(plan), indicator, 300)
    return {"returned": returned, "waiting": waiting, "activity": activity}


def _keys(items):
    return sorted(item.key for item in items)


EXPECTED = {
    "furong_staff": [
        "activity_overdue:{activity}",
        "due:430102:2013-quarter-2",
        "lagging:{target}",
        "returned:{returned}:v1",
    ],
    "yuelu_staff": [
        "due:430104:2013-quarter-2",
        "overdue:430104:2013-half-1",
        "overdue:430104:2013-quarter-1",
    ],
    # 芙蓉区's Q1 was returned and not resubmitted: as good as not reported.
    "changsha_leader": ["child_overdue:4301:2013-quarter-1", "review:{waiting}:v1"],
    "hunan_admin": ["child_overdue:43:2013-quarter-1"],
    "lixia_staff": [],
}


def _expected(persona, scenario):
    from plans.models import Target

    values = {
        "activity": scenario["activity"].pk,
        "returned": scenario["returned"].pk,
        "waiting": scenario["waiting"].pk,
        "target": Target.objects.get().pk,
    }
    return sorted(key.format(**values) for key in EXPECTED[persona])


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_each_persona_has_exactly_their_items(persona, people, scenario):
    assert _keys(todo.todo_for(people[persona], 2013).items) == _expected(persona, scenario)


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_the_home_page_lists_them_and_the_top_bar_counts_them(persona, people, scenario, login):
    response = login(people[persona]).get(reverse("home"))
    assert response.status_code == 200
    page = response.content.decode()
    listed = _keys(response.context["todo"].items)
    expected = _expected(persona, scenario)
    # Staff find their overdue activities under 已逾期 above the 待办, not twice.
    assert listed == [key for key in expected if not key.startswith("activity_overdue:")]
    assert page.count("data-todo-kind=") == len(listed)
    actionable = sum(1 for key in expected if not key.startswith("lagging:"))
    top_bar = page.split('data-testid="todo-count"')[1].split("</div>")[0]
    assert (f">{actionable}</span>" in top_bar) == bool(actionable)


def test_the_texts_say_what_to_do(people, scenario, login):
    page = login(people["furong_staff"]).get(reverse("home")).content.decode()
    assert "2013年第二季度报表将于2013年7月5日截止" in page
    assert "培训人数与签到表不符" in page
    listed = page.split('data-testid="todo"')[1].split("</section>")[0]  # this month's list names it too
    staff_home = page.split('data-testid="staff-home"')[1].split("</section>")[0]
    assert "巾帼志愿服务进社区" in staff_home.split("本月")[0] and "七月家庭教育讲座" not in listed
    assert "培训妇女人数" in page
    leader = login(people["changsha_leader"]).get(reverse("home")).content.decode()
    assert "芙蓉区妇联2013年上半年报表待审核" in leader
    assert "2013年第一季度报表逾期超过3天未报：芙蓉区妇联、岳麓区妇联" in leader


def test_nothing_is_lagging_in_the_first_days_of_the_year(people, scenario, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2013, 1, 5))
    assert todo.lagging(people["furong_staff"].federation, 2013) == []


def test_the_previous_years_december_reports_are_due_in_january(tree, people, monkeypatch):
    ReportingSchedule.objects.create(federation=tree["changsha"], year=2012, frequency="month", due_day=5)
    keys = _keys(todo.actionable(people["yuelu_staff"], 2013, date(2013, 1, 3)))
    assert keys == ["due:430104:2012-month-12"]


def test_home_page_queries_are_bounded(people, scenario, login, django_assert_max_num_queries):
    # Session, user, the 待办 (two to four queries), one roll-up, the level counts, the unread count;
    # for staff, this month's and the overdue activities (a county's subtree ids first); the session
    # keeping the top bar's count for the next pages (an UPDATE, in a savepoint inside the test's
    # transaction: three queries).
    for persona in ["furong_staff", "changsha_leader", "hunan_admin"]:
        client = login(people[persona])
        with django_assert_max_num_queries(18):
            assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize("persona", ["furong_staff", "changsha_leader"])
def test_the_top_bar_count_costs_a_few_queries(
    persona, people, scenario, login, django_assert_max_num_queries
):
    client = login(people[persona])
    # Session, user, the page's own query, the 待办 count (no roll-up) and the unread notifications;
    # the session keeping the count for the next pages (an UPDATE in a savepoint inside the test's
    # transaction: three queries), which then read none for it (tests/perf/test_todo_count.py).
    with django_assert_max_num_queries(11):
        response = client.get(reverse("submissions:notifications"))
    assert response.status_code == 200
    assert 'data-testid="todo-count"' in response.content.decode()


def test_users_without_a_role_or_federation_have_nothing(tree, people, scenario):
    assert todo.actionable(people["superuser"], 2013) == []
    leader = factories.user("furong-leader", tree["furong"], Role.LEADER)
    # 定王台 reports on what 长沙市 set for everything below it: its Q1 is late too.
    assert _keys(todo.actionable(leader, 2013)) == ["child_overdue:430102:2013-quarter-1"]


def test_a_run_of_overdue_reports_reads_as_one_item(tree, people, monkeypatch):
    """Ten months without a report are one line naming the run, not ten lines (the reminder's key names
    its first and last periods); two overdue months stay two lines."""
    ReportingSchedule.objects.create(federation=tree["changsha"], year=2013, frequency="month", due_day=5)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2013, 11, 29))
    items = [
        item for item in todo.todo_for(people["yuelu_staff"], 2013).items if item.kind == todo.Kind.OVERDUE
    ]
    assert [(item.key, item.text, item.due) for item in items] == [
        (
            "overdue:430104:2013-month-1..2013-month-10",
            "2013年1月至2013年10月共10期报表已逾期（最早截止2013年2月5日），尚未上报。",
            date(2013, 2, 5),
        )
    ]
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2013, 3, 29))
    items = [
        item for item in todo.todo_for(people["yuelu_staff"], 2013).items if item.kind == todo.Kind.OVERDUE
    ]
    assert [item.key for item in items] == ["overdue:430104:2013-month-1", "overdue:430104:2013-month-2"]


def test_staff_see_their_overdue_activities_once_on_the_home_page(people, scenario, login):
    """Listed under 已逾期 with what to do, so the 待办 below leaves them out."""
    html = login(people["furong_staff"]).get(reverse("home")).content.decode()
    assert html.count(scenario["activity"].get_absolute_url()) == 1
    assert 'data-todo-kind="activity_overdue"' not in html
