"""Phone-first activity pages (issue #17): the month's dots with the chosen day's list, the week view,
branch counts under 含下级, the list's search and pages, the buttons after saving, the staff's home."""

import re
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.models import Activity, ActivityStatus
from plans.models import PlanStatus
from tests import factories
from tests.activities.test_import import good_row, plans, xlsx  # noqa: F401 - plans is a fixture

DAY_LIST = re.compile(r'<section id="day-list".*?</section>', re.S)


def make(federation, activity_type, *, title, year=2013, **fields):
    """An activity saved through the one write path, which keeps the counts the calendar reads."""
    activity = Activity(federation=federation, year=year, type=activity_type, title=title, **fields)
    return services.activity_save(activity=activity, figures={}, by=None)


def text(html: str) -> str:
    """What a reader sees of some markup: the tags dropped, the spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def day_list(html: str) -> str:
    return text(DAY_LIST.search(html).group(0))


@pytest.fixture
def in_2013(people, login):
    def _client(persona):
        client = login(people[persona])
        client.post(reverse("set-year"), {"year": "2013"})
        return client

    return _client


def test_the_chosen_days_activities_are_listed_below_the_month(in_2013, tree, training):
    make(tree["furong"], training, title="五月十日的培训", planned_start=date(2013, 5, 10))
    make(tree["furong"], training, title="五月十一日的会议", planned_start=date(2013, 5, 11))
    html = in_2013("furong_staff").get(reverse("activities:calendar"), {"m": 5, "d": 10}).content.decode()
    listed = day_list(html)
    assert listed.startswith("5月10日（星期五） 1项活动")
    assert "五月十日的培训" in listed and "五月十一日的会议" not in listed
    # Each day of the month is a link to its own list, with a dot per activity for the phone.
    assert 'href="?m=5&amp;d=11#day-list"' in html
    cell = re.search(r'<td class="day chosen">.*?</td>', html, re.S).group(0)
    assert cell.count('<span class="dot ') == 1 and 'class="dot overdue"' in cell  # planned, days ago


def test_without_a_chosen_day_the_month_opens_on_its_first_busy_day(in_2013, tree, training):
    make(tree["furong"], training, title="月中活动", planned_start=date(2013, 3, 14))
    make(tree["furong"], training, title="月末活动", planned_start=date(2013, 3, 28))
    html = in_2013("furong_staff").get(reverse("activities:calendar"), {"m": 3}).content.decode()
    assert day_list(html).startswith("3月14日（星期四） 1项活动 月中活动")


def test_a_day_outside_the_month_is_not_found(in_2013):
    client = in_2013("furong_staff")
    assert client.get(reverse("activities:calendar"), {"m": 2, "d": 30}).status_code == 404
    assert client.get(reverse("activities:calendar"), {"m": 2, "d": "x"}).status_code == 404


def test_the_week_view_lists_each_day_of_the_week(in_2013, tree, training):
    make(tree["furong"], training, title="周一活动", planned_start=date(2013, 5, 13))
    make(
        tree["furong"],
        training,
        title="周日活动",
        planned_start=date(2013, 5, 19),
        status=ActivityStatus.DONE,
        actual_start=timezone.make_aware(timezone.datetime(2013, 5, 19, 9)),
    )
    make(tree["furong"], training, title="下周活动", planned_start=date(2013, 5, 20))
    html = in_2013("furong_staff").get(reverse("activities:calendar"), {"v": "week", "m": 5, "d": 15}).content
    page = text(html.decode())
    assert "5月13日–5月19日" in page
    assert "5月13日 星期一 1项 周一活动 已逾期" in page
    assert "5月15日 星期三 这一天没有活动。" in page
    assert "5月19日 星期日 1项 周日活动 已完成" in page
    assert "下周活动" not in page
    assert 'href="?v=week&amp;m=5&amp;d=20&' in html.decode()  # 下一周


def test_below_a_city_the_month_counts_activities_per_county(in_2013, tree, training):
    make(tree["changsha"], training, title="市级活动", planned_start=date(2013, 6, 3))
    for n in range(3):
        make(tree["furong"], training, title=f"芙蓉区活动{n}", planned_start=date(2013, 6, 3))
    make(tree["yuelu"], training, title="岳麓区活动", planned_start=date(2013, 6, 3))
    html = (
        in_2013("changsha_leader")
        .get(reverse("activities:calendar"), {"m": 6, "below": "on"})
        .content.decode()
    )
    cell = text(re.search(r'<td class="day chosen">.*?</td>', html, re.S).group(0))
    assert cell.startswith("3")
    assert "芙蓉区妇联 3" in cell and "岳麓区妇联 1" in cell and "本级 1" in cell
    assert "芙蓉区活动0" not in cell  # counts, not a wall of chips
    listed = day_list(html)
    assert listed.startswith("6月3日（星期一） 5项活动 芙蓉区妇联 3项")
    assert "岳麓区妇联 1项 岳麓区活动" in listed


def test_below_a_county_the_day_lists_the_townships_activities(in_2013, tree, training):
    make(tree["dingwangtai"], training, title="街道活动", planned_start=date(2013, 6, 4))
    html = (
        in_2013("furong_staff").get(reverse("activities:calendar"), {"m": 6, "below": "on"}).content.decode()
    )
    assert "街道活动" in day_list(html) and 'class="activity-chip' in html
    assert "项 街道活动" not in day_list(html)  # a county's few townships: no grouping


def test_today_is_marked_and_listed(people, login, tree, training):
    today = timezone.localdate()
    make(tree["furong"], training, title="今天的活动", year=today.year, planned_start=today)
    make(
        tree["furong"],
        training,
        title="明天的活动",
        year=(today + timedelta(days=1)).year,
        planned_start=today + timedelta(days=1),
    )
    html = login(people["furong_staff"]).get(reverse("activities:calendar")).content.decode()
    assert "今天的活动" in day_list(html) and "明天的活动" not in day_list(html)


def test_the_list_searches_title_place_and_dates(in_2013, tree, training):
    make(tree["furong"], training, title="家庭教育讲座", place="定王台社区", planned_start=date(2013, 4, 2))
    make(
        tree["furong"],
        training,
        title="创业培训班",
        place="芙蓉区妇女儿童之家",
        planned_start=date(2013, 5, 6),
    )
    make(tree["furong"], training, title="巾帼志愿服务", place="五一广场", planned_month=6)
    client = in_2013("furong_staff")
    search = lambda **q: [a.title for a in client.get(reverse("activities:list"), q).context["activities"]]  # noqa: E731
    assert search(q="培训") == ["创业培训班"]
    assert search(q="社区") == ["家庭教育讲座"]  # the place
    assert search(q="妇女 儿童") == ["创业培训班"]  # every word, in the title or the place
    assert search(date_from="2013-05-01", date_to="2013-05-31") == ["创业培训班"]
    assert sorted(search(date_from="2013-05-01")) == ["创业培训班", "巾帼志愿服务"]  # June, by its month
    page = client.get(reverse("activities:list"), {"q": "培训"}).content.decode()
    assert "共 1 项活动" in text(page)


def test_a_reversed_date_range_is_refused_in_chinese(in_2013, tree, training):
    make(tree["furong"], training, title="创业培训班", planned_start=date(2013, 5, 6))
    page = in_2013("furong_staff").get(
        reverse("activities:list"), {"date_from": "2013-06-01", "date_to": "2013-05-01"}
    )
    assert page.status_code == 200
    assert "结束日期不能早于开始日期。" in page.content.decode()
    bad = in_2013("furong_staff").get(reverse("activities:list"), {"date_from": "2013-13-45", "page": "x"})
    assert bad.status_code == 200 and "请输入有效的日期" in bad.content.decode()


def test_the_list_comes_in_pages_of_thirty(in_2013, tree, training):
    for n in range(65):
        make(
            tree["dingwangtai"],
            training,
            title=f"街道活动{n:02d}",
            planned_start=date(2013, 1, 1) + timedelta(days=n),
        )
    make(tree["changsha"], training, title="全市主要活动", planned_start=date(2013, 6, 5), is_main=True)
    client = in_2013("furong_staff")
    first = client.get(reverse("activities:list"), {"below": "on"})
    assert [a.title for a in first.context["activities"]] == [f"街道活动{n:02d}" for n in range(30)]
    page = text(first.content.decode())
    assert "共 65 项活动 · 第 1–30 项" in page and "第 1 / 3 页" in page and "全市主要活动" in page
    assert 'href="?below=on&page=2" rel="next"' in first.content.decode()
    last = client.get(reverse("activities:list"), {"below": "on", "page": "3"})
    assert [a.title for a in last.context["activities"]] == [f"街道活动{n:02d}" for n in range(60, 65)]
    assert "全市主要活动" not in last.content.decode()  # the upper ones on the first page only
    beyond = client.get(reverse("activities:list"), {"below": "on", "page": "99"})
    assert beyond.status_code == 200 and beyond.context["page"].number == 3


def test_after_saving_the_page_offers_the_next_steps(in_2013, tree, training):
    client = in_2013("furong_staff")
    data = {"type": training.pk, "title": "创业培训班", "status": "done", "actual_start": "2013-05-10T09:00"}
    saved = client.post(reverse("activities:create"), data, follow=True)
    html = saved.content.decode()
    actions = text(re.search(r'data-testid="saved-actions".*?</div>\s*</div>', html, re.S).group(0))
    assert "已保存。接下来： 查看本条活动 新建下一条 返回活动列表" in actions
    assert f'href="{reverse("activities:create")}?type={training.pk}"' in html
    assert 'href="#activity-facts"' in html and 'id="activity-facts"' in html
    again = client.get(saved.redirect_chain[-1][0]).content.decode()
    assert 'data-testid="saved-actions"' not in again  # once, right after saving
    assert "新建下一条" in again and "返回活动列表" in again  # the buttons below stay


def test_a_leader_reading_an_activity_gets_no_record_button(in_2013, tree, training):
    activity = make(tree["furong"], training, title="创业培训班", planned_start=date(2013, 5, 6))
    html = in_2013("changsha_leader").get(activity.get_absolute_url()).content.decode()
    assert "返回活动列表" in html and "新建下一条" not in html


@pytest.fixture
def may_15(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2013, 5, 15))
    return date(2013, 5, 15)


def test_the_staff_home_lists_today_this_month_and_the_overdue(people, login, tree, training, may_15):
    make(tree["furong"], training, title="今天的宣讲", planned_start=may_15)
    make(tree["furong"], training, title="月底的培训", planned_start=date(2013, 5, 28))
    make(tree["furong"], training, title="四月的评选", planned_start=date(2013, 4, 20))
    make(
        tree["furong"],
        training,
        title="已办的会议",
        planned_start=date(2013, 4, 21),
        status=ActivityStatus.DONE,
    )
    make(tree["yuelu"], training, title="岳麓的活动", planned_start=may_15)
    html = login(people["furong_staff"]).get(reverse("home")).content.decode()
    section = text(re.search(r'<section[^>]*data-testid="staff-home".*?</section>', html, re.S).group(0))
    assert section.startswith("＋ 填报活动 今天（5月15日） 今天的宣讲 计划中")
    assert "已逾期 1 计划日期已过" in section and "4月20日 四月的评选 已逾期" in section
    assert "本月（5月）其他活动 1 5月28日 月底的培训 计划中" in section
    assert "已办的会议" not in section and "岳麓的活动" not in section
    assert f'href="{reverse("activities:create")}"' in html


def test_a_leaders_home_has_no_staff_section(people, login, tree, may_15):
    html = login(people["changsha_leader"]).get(reverse("home")).content.decode()
    assert 'data-testid="staff-home"' not in html and "填报活动" not in text(html)


@pytest.mark.usefixtures("plans")
def test_the_import_preview_labels_each_cell_for_the_phones_cards(people, login, settings, tmp_path):
    settings.BASE_DIR = tmp_path
    client = login(people["furong_staff"])
    client.post(reverse("set-year"), {"year": "2013"})
    content = xlsx([good_row(), good_row(单位代码="430104")])
    html = client.post(
        reverse("activities:import"), {"file": SimpleUploadedFile("活动.xlsx", content)}
    ).content
    html = html.decode()
    rows = re.search(
        r'<div class="table-responsive stack-on-phone">\s*<table[^>]*data-testid="import-rows".*?</table>',
        html,
        re.S,
    )
    first = re.search(r"<tr[^>]*>(.*?)</tr>", rows.group(0).split("<tbody>")[1], re.S).group(1)
    labelled = re.findall(r'<td[^>]*data-label="([^"]+)"[^>]*>(.*?)</td>', first, re.S)
    assert [(label, text(value)) for label, value in labelled][:3] == [
        ("行号", "2"),
        ("单位", "芙蓉区妇联"),
        ("活动名称", "芙蓉区妇女创业培训班"),
    ]
    assert [label for label, _value in labelled] == [
        "行号",
        "单位",
        "活动名称",
        "类型",
        "日期",
        "地点",
        "工作要点",
        "活动数据",
    ]
    errors = re.search(r'data-testid="import-errors".*?</table>', html, re.S).group(0)
    assert 'class="table-responsive stack-on-phone"' in errors
    assert '<td class="text-nowrap" data-label="列">单位代码</td>' in errors


def details_of(html: str, point) -> str:
    """The opening <details> tag of a point's card on the plan page."""
    return re.search(rf'id="point-{point.pk}">\s*(<details[^>]*>)', html).group(1)


def test_a_long_plan_folds_its_sections_for_readers(people, login, tree):
    plan = factories.plan(tree["changsha"], status=PlanStatus.PUBLISHED)
    top = factories.point(plan, "促进妇女就业创业", label="二")
    middle = factories.point(plan, "加强技能培训", label="（一）", parent=top)
    leaf = factories.point(plan, "举办创业培训班", label="1", parent=middle)
    html = login(people["furong_staff"]).get(plan.get_absolute_url()).content.decode()
    assert details_of(html, top).endswith(" open>")  # the first level open
    assert not details_of(html, middle).endswith(" open>")  # a section with points under it folds
    assert details_of(html, leaf).endswith(" open>")  # a point's own targets show once it is reached
    summary = text(re.search(rf'id="point-{middle.pk}">.*?</summary>', html, re.S).group(0))
    assert summary.endswith("（一） 加强技能培训 1条下级要点")
    assert "全部展开" in html and "plan_points.js" in html


def test_the_planner_sees_every_point_unfolded(people, login, tree):
    plan = factories.plan(tree["changsha"])
    top = factories.point(plan, "促进妇女就业创业", label="二")
    middle = factories.point(plan, "加强技能培训", label="（一）", parent=top)
    factories.point(plan, "举办创业培训班", label="1", parent=middle)
    staff = factories.user("changsha-staff", tree["changsha"], "staff")
    html = login(staff).get(plan.get_absolute_url()).content.decode()
    assert details_of(html, middle).endswith(" open>")


def test_the_week_and_the_grouped_month_read_in_a_few_queries(
    in_2013, tree, training, django_assert_max_num_queries
):
    for day in range(1, 29):
        make(tree["furong"], training, title=f"活动{day}", planned_start=date(2013, 5, day))
        make(tree["yuelu"], training, title=f"岳麓{day}", planned_start=date(2013, 5, day))
    client = in_2013("changsha_leader")
    # The calendar's own dozen (see test_pages), plus the branches' names under 含下级: not one a day;
    # the session's first page also keeps the 待办 count in the session (a savepoint and an UPDATE).
    with django_assert_max_num_queries(17):
        month = client.get(reverse("activities:calendar"), {"m": 5, "d": 6, "below": "on"})
    assert "芙蓉区妇联 1项" in day_list(month.content.decode())
    with django_assert_max_num_queries(14):
        week = client.get(reverse("activities:calendar"), {"v": "week", "m": 5, "d": 6, "below": "on"})
    assert text(week.content.decode()).count("岳麓区妇联") == 7


def test_a_busy_grouped_month_is_counted_in_sql_and_lists_only_the_first_of_a_day(
    in_2013, tree, training, django_assert_max_num_queries
):
    # Issue #18: a nation's month under 含下级 is ~300,000 activities; the grid counts them in SQL.
    day = date(2013, 5, 6)
    for n in range(40):
        make(
            tree["furong"],
            training,
            title=f"芙蓉{n}",
            planned_start=day,
            status="done" if n % 2 else "planned",
        )
    for n in range(15):
        make(tree["yuelu"], training, title=f"岳麓{n}", planned_start=day)
    make(tree["changsha"], training, title="市级", planned_start=date(2013, 5, 7), status="done")
    for n in range(55):
        make(tree["dingwangtai"], training, title=f"只有月份{n}", planned_month=5)
    client = in_2013("changsha_leader")
    client.get(reverse("activities:calendar"), {"m": 4})  # the session's first page keeps the 待办 count
    with django_assert_max_num_queries(16):
        page = client.get(reverse("activities:calendar"), {"m": 5, "d": 6, "below": "on"})
    context = page.context
    subtree = Activity.objects.in_subtree(tree["changsha"]).for_year(2013)
    on_day = subtree.filter(calendar_day=day)
    total, dots, groups = context["groups_by_day"][day]
    assert total == on_day.count() == 55
    assert dict(groups) == {
        "芙蓉区妇联": on_day.filter(federation__path__startswith=tree["furong"].path).count(),
        "岳麓区妇联": on_day.filter(federation__path__startswith=tree["yuelu"].path).count(),
    }
    overdue = on_day.overdue(date.today()).count()
    assert dots == ["overdue"] * 4 and overdue == 40 - 20 + 15
    assert context["groups_by_day"][date(2013, 5, 7)] == (1, ["status-done"], [("本级", 1)])
    # Only the first 50 of the day are loaded, grouped under the counts of all of them.
    assert len(context["day_items"]) == 50 and context["day_count"] == 55
    assert [(name, count) for name, count, _items in context["day_groups"]] == [
        ("芙蓉区妇联", 40),
        ("岳麓区妇联", 15),
    ]
    html = page.content.decode()
    assert "55项活动" in day_list(html) and "共 55 项，查看全部" in day_list(html)
    assert "date_from=2013-05-06&amp;date_to=2013-05-06" in DAY_LIST.search(html).group(0)
    month_only = subtree.filter(calendar_day__isnull=True, planned_month=5).count()
    assert context["month_only_count"] == month_only == 55 and len(context["month_only"]) == 50
    assert "共 55 项，只列出前 50 项" in text(html)
    # The week: the first 50 of each day, with the day's full count.
    with django_assert_max_num_queries(14):
        week = client.get(reverse("activities:calendar"), {"v": "week", "m": 5, "d": 6, "below": "on"})
    monday = next(entry for entry in week.context["days"] if entry[0] == day)
    assert len(monday[2]) == 50 and monday[3] == on_day.count()
    assert "5月6日 星期一 55项" in text(week.content.decode())
    # The list it links to holds the whole day (and, by its date rule, May's month-only activities).
    listed = client.get(
        reverse("activities:list"), {"below": "on", "date_from": "2013-05-06", "date_to": "2013-05-06"}
    )
    assert listed.context["page"].paginator.count == on_day.count() + month_only
