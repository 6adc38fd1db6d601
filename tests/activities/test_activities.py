"""Activities: recording, permissions, figures, overdue, calendar, iCal and history."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from activities import services
from activities.models import Activity, ActivityStatus, CalendarFeed, Figure
from plans.models import PlanStatus
from tests import factories

BEIJING = ZoneInfo("Asia/Shanghai")


def make(federation, activity_type, *, title="妇女创业培训班", year=2013, **fields):
    activity = Activity(federation=federation, year=year, type=activity_type, title=title, **fields)
    activity.save()
    return activity


def form_data(activity_type, **extra):
    data = {
        "type": activity_type.pk,
        "title": "芙蓉区妇女创业培训班",
        "status": "done",
        "actual_start": "2013-05-10T09:00",
        "place": "芙蓉区妇女儿童之家",
    }
    data.update(extra)
    return data


@pytest.fixture
def in_2013(people, login):
    def _client(persona):
        client = login(people[persona])
        client.post(reverse("set-year"), {"year": "2013"})
        return client

    return _client


def test_staff_records_a_training_with_its_figures(in_2013, tree, training, activity_indicators, people):
    response = in_2013("furong_staff").post(
        reverse("activities:create"), form_data(training, fig_PX01="1", fig_PX02="150")
    )
    activity = Activity.objects.get(federation=tree["furong"])
    assert response.url == activity.get_absolute_url()
    assert (activity.year, activity.status, activity.created_by) == (2013, "done", people["furong_staff"])
    assert activity.calendar_day == date(2013, 5, 10)
    assert {f.indicator.code: f.value for f in activity.figures.all()} == {"PX01": 1, "PX02": 150}


def test_save_and_add_another_keeps_the_type(in_2013, training, activity_indicators):
    response = in_2013("furong_staff").post(
        reverse("activities:create"), form_data(training, fig_PX02="30", add_another="1")
    )
    assert response.url == f"{reverse('activities:create')}?type={training.pk}"


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"fig_PX02": "-3"}, "fig_PX02", "不能为负数"),
        ({"fig_PX02": "12.5"}, "fig_PX02", "应为整数"),
        ({"fig_PX02": "很多"}, "fig_PX02", "请填写数字"),
        ({"fig_DK01": "1.234"}, "fig_DK01", "最多保留2位小数"),
        ({"actual_start": "2014-01-03T09:00"}, "actual_start", "2013年内"),
        ({"actual_start": ""}, "actual_start", "实际开始时间"),
        ({"actual_end": "2013-05-09T09:00"}, "actual_end", "不能早于"),
        ({"title": ""}, "title", "必填"),
    ],
)
def test_bad_input_re_renders_in_chinese_and_saves_nothing(
    in_2013, training, activity_indicators, extra, field, message
):
    response = in_2013("furong_staff").post(reverse("activities:create"), form_data(training, **extra))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Activity.objects.exists() and not Figure.objects.exists()


def test_only_indicators_in_reach_are_offered(in_2013, training, activity_indicators):
    form = in_2013("furong_staff").get(reverse("activities:create")).context["form"]
    assert {i.code for i in form.indicators} == {"PX01", "PX02", "DK01"}


def test_the_work_point_chosen_must_be_in_reach(in_2013, tree, training, activity_indicators, people):
    own = factories.point(factories.plan(tree["furong"]), "本级要点")
    upper = factories.point(factories.plan(tree["changsha"], status=PlanStatus.PUBLISHED), "市级要点")
    sibling = factories.point(factories.plan(tree["yuelu"]), "岳麓要点")
    client = in_2013("furong_staff")
    assert (
        client.post(reverse("activities:create"), form_data(training, work_point=own.pk)).status_code == 302
    )
    assert (
        client.post(reverse("activities:create"), form_data(training, work_point=upper.pk)).status_code == 302
    )
    response = client.post(reverse("activities:create"), form_data(training, work_point=sibling.pk))
    assert "请选择本级或上级计划中的工作要点" in response.context["form"].errors["work_point"][0]
    assert sorted(a.work_points.get().title for a in Activity.objects.all()) == ["市级要点", "本级要点"]


def test_sibling_staff_cannot_see_edit_or_delete(people, login, tree, training):
    activity = make(tree["yuelu"], training)
    client = login(people["furong_staff"])
    for url in [
        activity.get_absolute_url(),
        reverse("activities:edit", args=[activity.pk]),
        reverse("activities:delete", args=[activity.pk]),
    ]:
        assert client.get(url).status_code == 404
        assert client.post(url, {"title": "改"}).status_code == 404
    assert Activity.objects.get(pk=activity.pk).title == "妇女创业培训班"


def test_leaders_read_but_cannot_edit(people, login, tree, training):
    activity = make(tree["furong"], training)
    client = login(people["changsha_leader"])
    page = client.get(activity.get_absolute_url()).content.decode()
    assert "妇女创业培训班" in page and reverse("activities:edit", args=[activity.pk]) not in page
    assert client.post(reverse("activities:edit", args=[activity.pk]), {"title": "改"}).status_code == 404
    assert client.get(reverse("activities:create")).status_code == 404


def test_edit_and_delete_keep_history(in_2013, people, tree, training, activity_indicators):
    client = in_2013("furong_staff")
    client.post(reverse("activities:create"), form_data(training, fig_PX02="100"))
    activity = Activity.objects.get()
    client.post(
        reverse("activities:edit", args=[activity.pk]),
        form_data(training, title="改过的名称", fig_PX02="120", seen_version=activity.version),
    )
    activity.refresh_from_db()
    assert activity.title == "改过的名称"
    assert activity.figures.get().value == 120
    assert [h.history_type for h in activity.history.order_by("history_date")] == ["+", "~"]
    assert activity.history.first().history_user == people["furong_staff"]
    page = client.get(activity.get_absolute_url()).content.decode()
    assert "修改记录" in page and "furong-staff" in page
    response = client.get(reverse("activities:delete", args=[activity.pk]))
    assert "确定要删除" in response.content.decode()
    client.post(reverse("activities:delete", args=[activity.pk]))
    assert not Activity.objects.exists()
    deleted = Activity.history.filter(id=activity.pk, history_type="-").get()
    assert (deleted.title, deleted.history_user) == ("改过的名称", people["furong_staff"])


def test_clearing_a_figure_removes_it(tree, training, activity_indicators, people):
    activity = make(tree["furong"], training)
    indicator = activity_indicators["trained"]
    services.activity_save(activity=activity, figures={indicator: Decimal(5)}, by=people["furong_staff"])
    services.activity_save(activity=activity, figures={indicator: None}, by=people["furong_staff"])
    assert not activity.figures.exists()


def test_figure_error_rules(activity_indicators):
    trained, loans = activity_indicators["trained"], activity_indicators["loans"]
    assert services.figure_error(trained, Decimal(150)) is None
    assert "负数" in services.figure_error(trained, Decimal(-1))
    assert "整数" in services.figure_error(trained, Decimal("1.5"))
    assert services.figure_error(loans, Decimal("12.34")) is None
    assert "小数" in services.figure_error(loans, Decimal("12.345"))


def test_overdue_is_a_planned_activity_whose_date_has_passed(tree, training):
    yesterday = timezone.localdate().replace(day=1) - timezone.timedelta(days=1)
    year = yesterday.year
    past = make(tree["furong"], training, year=year, planned_start=yesterday)
    done = make(tree["furong"], training, year=year, planned_start=yesterday, status=ActivityStatus.DONE)
    cancelled = make(
        tree["furong"], training, year=year, planned_start=yesterday, status=ActivityStatus.CANCELLED
    )
    month_only = make(tree["furong"], training, year=2013, planned_month=2)
    future = make(tree["furong"], training, year=timezone.localdate().year + 1, planned_month=1)
    assert past.is_overdue and month_only.is_overdue
    assert not done.is_overdue and not cancelled.is_overdue and not future.is_overdue
    assert set(Activity.objects.overdue()) == {past, month_only}


def test_an_activity_late_on_31_december_beijing_time_belongs_to_that_year(tree, training):
    late = make(
        tree["furong"],
        training,
        year=2013,
        status=ActivityStatus.DONE,
        actual_start=datetime(2013, 12, 31, 23, 30, tzinfo=BEIJING),
    )
    early = make(
        tree["furong"],
        training,
        year=2014,
        status=ActivityStatus.DONE,
        actual_start=datetime(2014, 1, 1, 0, 30, tzinfo=BEIJING),
    )
    assert late.calendar_day == date(2013, 12, 31)  # 15:30 UTC, still 31 December in Beijing
    assert early.calendar_day == date(2014, 1, 1)  # 16:30 UTC on 31 December, but 1 January in Beijing
    assert list(Activity.objects.in_month(2013, 12)) == [late]
    assert list(Activity.objects.in_month(2014, 1)) == [early]


def test_calendar_month_grid(in_2013, tree, training):
    make(tree["furong"], training, title="月初活动", planned_start=date(2013, 3, 1))
    make(tree["furong"], training, title="月末活动", planned_start=date(2013, 3, 31))
    make(tree["furong"], training, title="四月活动", planned_start=date(2013, 4, 1))
    make(tree["furong"], training, title="只定月份", planned_month=3)
    response = in_2013("furong_staff").get(reverse("activities:calendar"), {"m": 3})
    days = {day: [a.title for a in items] for week in response.context["weeks"] for day, _m, items in week}
    assert days[date(2013, 3, 1)] == ["月初活动"] and days[date(2013, 3, 31)] == ["月末活动"]
    assert days.get(date(2013, 4, 1), []) == []  # the grid's trailing April days hold no March query
    assert [a.title for a in response.context["month_only"]] == ["只定月份"]
    assert "2013年3月" in response.content.decode()


def test_calendar_marks_today(people, login, tree, training):
    today = timezone.localdate()
    make(tree["furong"], training, title="今天的活动", year=today.year, planned_start=today)
    page = login(people["furong_staff"]).get(reverse("activities:calendar")).content.decode()
    assert 'aria-current="date"' in page and "今天的活动" in page


def test_calendar_switch_includes_federations_below(in_2013, tree, training):
    make(tree["changsha"], training, title="市级活动", planned_start=date(2013, 5, 2))
    make(tree["furong"], training, title="区级活动", planned_start=date(2013, 5, 3))
    client = in_2013("changsha_leader")
    own = client.get(reverse("activities:list")).context["activities"]
    below = client.get(reverse("activities:list"), {"below": "on"}).context["activities"]
    assert [a.title for a in own] == ["市级活动"]
    assert [a.title for a in below] == ["市级活动", "区级活动"]


def test_filters_by_type_status_and_overdue(in_2013, tree, training):
    from activities.models import ActivityType

    meeting = ActivityType.objects.get(name="会议")
    make(tree["furong"], training, title="培训", planned_start=date(2013, 5, 2), status=ActivityStatus.DONE)
    make(tree["furong"], meeting, title="会议", planned_start=date(2013, 5, 3))
    client = in_2013("furong_staff")
    titles = lambda **q: [a.title for a in client.get(reverse("activities:list"), q).context["activities"]]  # noqa: E731
    assert titles(type=meeting.pk) == ["会议"]
    assert titles(status="done") == ["培训"]
    assert titles(status="overdue") == ["会议"]


def test_upper_main_activities_appear_below_as_upper(in_2013, tree, training):
    make(tree["changsha"], training, title="全市主要活动", planned_start=date(2013, 6, 5), is_main=True)
    make(tree["changsha"], training, title="市级内部活动", planned_start=date(2013, 6, 6))
    make(tree["yuelu"], training, title="岳麓的活动", planned_start=date(2013, 6, 7), is_main=True)
    response = in_2013("furong_staff").get(reverse("activities:calendar"), {"m": 6})
    titles = [a.title for week in response.context["weeks"] for _d, _m, items in week for a in items]
    assert titles == ["全市主要活动"]
    assert "[上级]" in response.content.decode()
    upper = Activity.objects.get(title="全市主要活动")
    assert in_2013("furong_staff").get(upper.get_absolute_url()).status_code == 200  # readable from below


def test_upper_plan_activity_list_appears_as_upper(in_2013, tree):
    from plans.models import PlannedActivity

    plan = factories.plan(tree["hunan"], status=PlanStatus.PUBLISHED)
    PlannedActivity.objects.create(plan=plan, title="全省妇女创业创新大赛", month=6)
    response = in_2013("furong_staff").get(reverse("activities:calendar"), {"m": 6})
    assert "全省妇女创业创新大赛" in response.content.decode()


def test_ical_feed_parses_back(people, login, tree, training):
    make(
        tree["furong"],
        training,
        title="创业培训",
        status=ActivityStatus.DONE,
        place="文艺路社区",
        actual_start=datetime(2013, 5, 10, 9, 0, tzinfo=BEIJING),
    )
    make(tree["changsha"], training, title="全市推进会", planned_start=date(2013, 6, 1), is_main=True)
    make(tree["yuelu"], training, title="岳麓活动", planned_start=date(2013, 6, 1))
    client = login(people["furong_staff"])
    url = client.get(reverse("activities:feed")).context["feed_url"]
    client.logout()
    response = client.get(url)
    assert response["Content-Type"].startswith("text/calendar")
    events = {str(e["summary"]): e for e in Calendar.from_ical(response.content).walk("VEVENT")}
    assert set(events) == {"创业培训", "【上级活动·长沙市妇联】全市推进会"}
    assert events["创业培训"].decoded("dtstart") == datetime(2013, 5, 10, 9, 0, tzinfo=BEIJING)
    assert str(events["创业培训"]["location"]) == "文艺路社区"
    assert events["【上级活动·长沙市妇联】全市推进会"].decoded("dtstart") == date(2013, 6, 1)


def test_ical_feed_token_can_be_changed_and_is_secret(people, login, tree):
    client = login(people["furong_staff"])
    old = CalendarFeed.objects.get_or_create(federation=tree["furong"])[0].token
    client.post(reverse("activities:feed"))
    assert CalendarFeed.objects.get(federation=tree["furong"]).token != old
    assert client.get(reverse("activities:ical", args=[old])).status_code == 404
    assert login(people["changsha_leader"]).post(reverse("activities:feed")).status_code == 404
