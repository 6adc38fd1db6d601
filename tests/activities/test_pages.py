"""The activity form and the calendar: Django's own widgets in our templates, in few queries."""

import re
from datetime import date

import pytest
from django.template import Context, Template
from django.urls import reverse

from activities.models import Activity, ActivityType
from plans.models import PlanStatus
from tests import factories


@pytest.fixture
def year_2013(people, login):
    client = login(people["furong_staff"])
    client.post(reverse("set-year"), {"year": "2013"})
    return client


@pytest.fixture
def planned(tree, activity_indicators):
    """Furong's own points and the city's published ones, with targets on sums and on a rate."""
    nation = tree["nation"]
    rate = factories.indicator(
        "PXL1",
        "培训覆盖率",
        "%",
        nation,
        kind="rate",
        numerator=activity_indicators["trained"],
        denominator=activity_indicators["sessions"],
    )
    own = factories.plan(tree["furong"])
    city = factories.plan(tree["changsha"], status=PlanStatus.PUBLISHED)
    points = [factories.point(own, f"本级要点{n}", str(n)) for n in range(1, 6)]
    points += [factories.point(city, f"市级要点{n}", str(n)) for n in range(1, 6)]
    for point in points:
        factories.target(point, activity_indicators["loans"], "10", plan=point.plan)
        factories.target(point, rate, "80", plan=point.plan)
    factories.target(points[0], activity_indicators["sessions"], "3", plan=own)
    # A rate whose part is no figure of Furong's form: its code still goes to the page.
    odd = factories.indicator(
        "SDL1",
        "山东特色比率",
        "%",
        nation,
        kind="rate",
        numerator=activity_indicators["shandong_only"],
        denominator=activity_indicators["sessions"],
    )
    factories.target(points[2], odd, "50", plan=own)
    milestone = factories.indicator("HY01", "召开妇女代表大会", "项", nation, kind="milestone")
    factories.target(points[1], milestone, "1", plan=own)
    # Not on offer: the province's draft, a sibling county's plan, the city's plan of another year.
    factories.point(factories.plan(tree["hunan"]), "省级草稿要点")
    factories.point(factories.plan(tree["yuelu"], status=PlanStatus.PUBLISHED), "岳麓要点")
    factories.point(factories.plan(tree["changsha"], year=2014, status=PlanStatus.PUBLISHED), "明年要点")
    return points


def test_the_form_page_writes_each_field_with_djangos_widgets(year_2013, tree, planned):
    activity = Activity.objects.create(
        federation=tree["furong"], year=2013, type=ActivityType.objects.get(name="培训"), title="培训班"
    )
    activity.work_points.set([planned[6]])
    pages = [
        year_2013.get(reverse("activities:create")),
        year_2013.get(reverse("activities:edit", args=[activity.pk])),
        year_2013.post(reverse("activities:create"), {"title": '<"坏">', "fig_PX02": "-1"}),
    ]
    bootstrap = Template("{% load fedwork_tags %}{{ field|bootstrap }}")
    for page in pages:
        html = page.content.decode()
        shown = [
            field for field in page.context["form"].visible_fields() if field.name != "figures_confirmed"
        ]
        for bound_field in shown:
            # The widget as Django's own templates write it, with Bootstrap's class: nothing else
            # writes widgets any more (the form has Django's default renderer).
            widget = bootstrap.render(Context({"field": bound_field}))
            assert widget in html, bound_field.name
            assert f'for="{bound_field.id_for_label}"' in html, bound_field.name
    html = pages[1].content.decode()
    assert f'<option value="{planned[6].pk}" selected>' in html  # the edited activity's point
    html = pages[2].content.decode()
    assert 'name="title" value="&lt;&quot;坏&quot;&gt;"' in html  # user text escaped by autoescape
    assert '<"坏">' not in html


def test_the_form_page_shows_each_figure_and_the_choices(year_2013, planned, activity_indicators):
    page = year_2013.get(reverse("activities:create"), {"type": ActivityType.objects.get(name="会议").pk})
    html = page.content.decode()
    # A text box with a numeric keyboard: a number input sends "" for text it cannot read (12e).
    for code, mode in [("PX01", "numeric"), ("PX02", "numeric"), ("DK01", "decimal")]:
        expected = (
            f'<input type="text" name="fig_{code}" inputmode="{mode}" autocomplete="off"'
            f' data-indicator="{code}" class="form-control" id="id_fig_{code}">'
        )
        assert expected in html
        assert f'<div class="col-6 col-md-4 figure-field" data-indicator="{code}"><div class="mb-2">' in html
    meeting = ActivityType.objects.get(name="会议").pk
    assert f'<option value="{meeting}" selected>会议</option>' in html
    assert '<option value="done" selected>已完成</option>' in html
    assert f'<optgroup label="芙蓉区妇联 · {planned[0].plan.title}">' in html
    assert f'<option value="{planned[0].pk}">1．本级要点1</option>' in html
    assert f'<option value="{planned[5].pk}">1．市级要点1</option>' in html
    # The figures a point's targets use, with a rate's parts, for the page's script.
    assert page.context["point_indicators"][str(planned[0].pk)] == ["DK01", "PX01", "PX02", "PXL1"]
    assert page.context["point_indicators"][str(planned[9].pk)] == ["DK01", "PX01", "PX02", "PXL1"]
    assert page.context["point_indicators"][str(planned[2].pk)] == [
        "DK01",
        "PX01",
        "PX02",
        "PXL1",
        "SD01",
        "SDL1",
    ]


def test_the_form_page_shows_a_bad_figure_and_the_chosen_point(year_2013, planned, activity_indicators):
    training = ActivityType.objects.get(name="培训")
    data = {
        "type": training.pk,
        "title": "培训班",
        "status": "done",
        "fig_PX02": "-3",
        "work_point": planned[2].pk,
    }
    html = year_2013.post(reverse("activities:create"), data).content.decode()
    assert (
        '<input type="text" name="fig_PX02" value="-3" inputmode="numeric" autocomplete="off"'
        ' data-indicator="PX02" class="form-control is-invalid" aria-invalid="true"'
        ' aria-describedby="id_fig_PX02_error" id="id_fig_PX02">'
    ) in html
    assert f'<option value="{planned[2].pk}" selected>3．本级要点3</option>' in html


def test_the_form_page_reads_the_plans_in_a_fixed_number_of_queries(
    year_2013, planned, django_assert_max_num_queries
):
    # Session, user, federation; milestones, indicators, activity types, the points with their
    # targets' codes, and (here) the code of a rate's part that is no figure of the form: the same
    # however many points, targets and indicators there are; the top bar's 待办 count and unread
    # notifications (submissions.todo) add their own few, also fixed; the county's subtree ids.
    with django_assert_max_num_queries(13):
        page = year_2013.get(reverse("activities:create"))
    assert page.status_code == 200  # a bounded number of queries for an error page would prove nothing


def test_the_calendar_reads_a_busy_month_in_a_fixed_number_of_queries(
    year_2013, tree, planned, django_assert_max_num_queries
):
    training = ActivityType.objects.get(name="培训")
    for day in range(1, 29):
        for federation in [tree["furong"], tree["changsha"]]:
            Activity.objects.create(
                federation=federation,
                year=2013,
                type=training,
                title=f"活动{day}",
                planned_start=date(2013, 5, day),
                is_main=True,
            )
    # Session, user, federation; own and upper activities, upper plans' items, and the filter's
    # types and points; the top bar's 待办 and notification counts: the same however many activities
    # the month holds; the county's subtree ids (Federation.objects.subtree_q).
    with django_assert_max_num_queries(13):
        page = year_2013.get(reverse("activities:calendar"), {"m": 5})
    assert page.status_code == 200
    assert page.content.decode().count("activity-chip status-planned") == 56 + 1  # and the legend's


def test_the_form_offers_the_own_plan_and_the_published_plans_above(year_2013, planned):
    form = year_2013.get(reverse("activities:create")).context["form"]
    offered = [
        (group.split(" · ")[0], label)
        for group, options in form.fields["work_point"].choices[1:]
        for _pk, label in options
    ]
    assert offered == [("芙蓉区妇联", f"{n}．本级要点{n}") for n in range(1, 6)] + [
        ("长沙市妇联", f"{n}．市级要点{n}") for n in range(1, 6)
    ]
    assert [str(target) for target in form.fields["achieves"].queryset] == ["召开妇女代表大会 不少于1项"]


def test_each_field_row_has_its_label_star_and_first_error(year_2013, planned):
    bad = {"title": '<"坏">', "fig_PX02": "-1", "planned_month": "13", "work_point": planned[0].pk}
    page = year_2013.post(reverse("activities:create"), bad)
    form, html = page.context["form"], page.content.decode()
    rows = dict(re.findall(r'<label class="form-label small mb-0" for="id_(\w+)">(.*?)</label>', html))
    for name in ["type", "status", "title", "work_point", "planned_month", "fig_PX02", "fig_DK01"]:
        bound_field = form[name]
        assert rows[name].startswith(str(bound_field.label)), name
        assert rows[name].endswith('<span class="text-danger">*</span>') == bound_field.field.required, name
    errors = re.findall(r'<div class="invalid-feedback d-block">(.*?)</div>', html)
    assert form.errors["fig_PX02"][0] in errors and form.errors["type"][0] in errors
    # One error per field: the first says what to fix.
    assert len(errors) == sum(1 for name in form.errors if name != "__all__")
    assert 'name="fig_PX02" value="-1"' in html and 'class="form-control is-invalid"' in html


@pytest.fixture
def busy_may(tree):
    """Furong's May: done, planned, overdue, cancelled, month-only, an odd title; the city's main ones."""
    training = ActivityType.objects.get(name="培训")

    def make(federation, title, **fields):
        return Activity.objects.create(federation=federation, year=2013, type=training, title=title, **fields)

    make(tree["furong"], "已办", planned_start=date(2013, 5, 2), status="done")
    make(tree["furong"], "逾期未办", planned_start=date(2013, 5, 2), planned_end=date(2013, 5, 3))
    make(tree["furong"], "取消了", planned_start=date(2013, 5, 2), status="cancelled")
    make(tree["furong"], '<b>"标题" & 更多</b>', planned_start=date(2013, 5, 9))
    make(tree["furong"], "只定月份", planned_month=5)
    make(tree["changsha"], "全市主要活动", planned_start=date(2013, 5, 2), is_main=True)
    make(tree["changsha"], "全市月内活动", planned_month=5, is_main=True)
    make(tree["changsha"], "市级内部活动", planned_start=date(2013, 5, 2))
    # A row saved before the last day was stored: the overdue rule works it out.
    legacy = make(tree["furong"], "旧数据", planned_start=date(2013, 5, 20))
    Activity.objects.filter(pk=legacy.pk).update(planned_last_day=None)


def test_calendar_chips_link_each_activity_with_its_status(year_2013, busy_may):
    page = year_2013.get(reverse("activities:calendar"), {"m": 5})
    cells = [items for week in page.context["weeks"] for _day, _in_month, items in week if items]
    assert sum(len(items) for items in cells) == 6
    html = page.content.decode()
    for items in cells:
        for item in items:
            model = Activity.objects.get(pk=item.pk)
            assert (item.is_overdue, item.get_absolute_url()) == (model.is_overdue, model.get_absolute_url())
            assert f'href="{model.get_absolute_url()}"' in html
    overdue = Activity.objects.get(title="逾期未办").get_absolute_url()
    assert (
        f'<a class="d-block small text-truncate activity-chip status-planned overdue" href="{overdue}"'
        ' title="逾期未办">逾期未办</a>'
    ) in html
    upper = Activity.objects.get(title="全市主要活动").get_absolute_url()
    assert (
        f'<a class="d-block small text-truncate activity-chip status-planned upper overdue" href="{upper}"'
        ' title="全市主要活动">[上级] 全市主要活动</a>'
    ) in html
    done = Activity.objects.get(title="已办").get_absolute_url()
    assert f'activity-chip status-done" href="{done}" title="已办">已办</a>' in html
    assert 'title="&lt;b&gt;&quot;标题&quot; &amp; 更多&lt;/b&gt;">&lt;b&gt;&quot;标题&quot;' in html
    assert "<b>" not in html.split('class="table table-bordered', 1)[1].split("</table>", 1)[0]
    assert "市级内部活动" not in html
    assert [a.title for a in page.context["month_only"]] == ["只定月份", "全市月内活动"]
    assert '全市月内活动</a> <span class="badge text-bg-info">上级活动</span>' in html
    legacy = Activity.objects.get(title="旧数据")
    assert f'overdue" href="{legacy.get_absolute_url()}"' in html


MONTH_CELLS = Template("{% load activity_calendar %}{% month_cells weeks today chosen day_query groups %}")


def test_the_month_grid_marks_today_the_chosen_day_and_the_dots(year_2013, tree, busy_may):
    Activity.objects.create(
        federation=tree["furong"],
        year=2013,
        type=ActivityType.objects.get(name="培训"),
        title="第五项",
        planned_start=date(2013, 5, 2),
        status="done",
    )
    weeks = year_2013.get(reverse("activities:calendar"), {"m": 5}).context["weeks"]
    context = {"weeks": weeks, "chosen": date(2013, 5, 9), "day_query": "m=5&below=on", "groups": None}
    for today, marked in [(date(2013, 5, 2), 1), (date(2013, 4, 29), 1), (date(2013, 7, 1), 0)]:
        html = MONTH_CELLS.render(Context({**context, "today": today}))
        assert html.count('aria-current="date"') == marked
        assert html.count("<tr>") == len(weeks) and html.count("<td ") == 7 * len(weeks)
    html = MONTH_CELLS.render(Context({**context, "today": date(2013, 5, 2)}))
    # Five activities on 2 May (the city's last): four dots and "+1", a link to the day's list.
    assert (
        '<td class="day today" aria-current="date"><a class="day-link"'
        ' href="?m=5&amp;below=on&amp;d=2#day-list" aria-label="5月2日，5项活动">'
        '<span class="day-number">2</span><span class="visually-hidden">今天</span>'
        '<span class="dots d-md-none"><span class="dot status-done"></span>'
        '<span class="dot overdue"></span><span class="dot status-cancelled"></span>'
        '<span class="dot status-done"></span><span class="dot-more">+1</span>'
    ) in html
    assert '<td class="day chosen"><a class="day-link" href="?m=5&amp;below=on&amp;d=9#day-list"' in html
    assert 'aria-label="5月9日，1项活动"' in html and 'aria-label="5月10日，0项活动"' in html
    # Days of the months around are numbers only, without a link.
    assert (
        '<td class="day other-month"><span class="day-link"><span class="day-number">29</span></span>' in html
    )


def test_the_month_grid_counts_branches_beyond_the_first_three(year_2013, busy_may):
    weeks = year_2013.get(reverse("activities:calendar"), {"m": 5}).context["weeks"]
    # (count, the first dots, the branches) per day, as views._grouped_month counts them in SQL.
    groups = {
        date(2013, 5, 2): (
            19,
            ["overdue", "status-done", "status-done", "status-done"],
            [("天心区妇联", 9), ("<岳麓区>", 4), ("开福区妇联", 3), ("雨花区", 2), ("望城区", 1)],
        )
    }
    html = MONTH_CELLS.render(
        Context(
            {
                "weeks": weeks,
                "today": date(2013, 7, 1),
                "chosen": date(2013, 5, 2),
                "day_query": "m=5",
                "groups": groups,
            }
        )
    )
    assert html.count('class="branch-count small text-truncate"') == 3
    assert '<div class="branch-count small text-truncate">&lt;岳麓区&gt; <strong>4</strong></div>' in html
    assert '<div class="branch-count small text-muted">其他 3</div>' in html
    assert "activity-chip" not in html  # counts instead of chips
    assert 'aria-label="5月2日，19项活动"' in html
    assert '<span class="dot overdue"></span><span class="dot status-done"></span>' in html
    assert '<span class="dot-more">+15</span>' in html
