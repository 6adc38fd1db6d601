"""Work points as the documents number them: full labels (二（一）1．), document order, grouped by plan,
and no speech items or plan titles to record against."""

import re
from datetime import date

import pytest
from django.urls import reverse

from plans.models import PlanStatus, WorkPoint, outline
from tests import factories


@pytest.fixture
def staff(people, login):
    client = login(people["furong_staff"])
    client.post(reverse("set-year"), {"year": "2013"})
    return client


@pytest.fixture
def city_plan(tree):
    """长沙市's published plan, its points created out of document order (later pks first)."""
    plan = factories.plan(tree["changsha"], status=PlanStatus.PUBLISHED, title="长沙市妇联2013年工作要点")
    two = factories.point(plan, "服务发展", "二", order=1)
    one = factories.point(plan, "加强思想引领", "一", order=0)
    section = factories.point(plan, "服务“四化两型”", "（一）", parent=two, order=0)
    second = factories.point(plan, "组织妇女在新农村建设中竞展风采", "2", parent=section, order=1)
    first = factories.point(plan, "引领妇女在新型工业化建设中建功立业", "1", parent=section, order=0)
    speech = factories.point(plan, "要抓好培训", "一是", order=2)
    title = factories.point(plan, "长沙市妇联2013年工作要点", "", order=3)
    return {
        "one": one,
        "two": two,
        "section": section,
        "first": first,
        "second": second,
        "speech": speech,
        "title": title,
    }


def options(html: str) -> list[tuple[str, list[str]]]:
    """The work-point select's groups and their options' text, as the page lists them."""
    select = re.search(r'<select name="work_point".*?</select>', html, re.S).group(0)
    groups = []
    for label, body in re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', select, re.S):
        groups.append((label, re.findall(r"<option[^>]*>([^<]*)</option>", body)))
    return groups


def test_full_label_reads_the_ancestors_numbers(city_plan):
    assert WorkPoint.objects.get(pk=city_plan["first"].pk).full_label() == "二（一）1．"
    assert city_plan["section"].full_label() == "二（一）"
    assert city_plan["two"].full_label() == "二、"


def test_a_point_a_split_copied_reads_as_the_upper_point_it_implements(tree, city_plan):
    county = factories.plan(tree["furong"])
    copy = factories.point(county, city_plan["second"].title, "2", implements=city_plan["second"], order=0)
    other = factories.point(county, city_plan["first"].title, "1", implements=city_plan["first"], order=1)
    assert copy.full_label() == "二（一）2．"
    numbered = outline(WorkPoint.objects.filter(plan__in=[county, city_plan["one"].plan]).outline_rows())
    assert numbered[other.pk][1] < numbered[copy.pk][1]  # 1． before 2．, whatever the county's order


def test_the_form_offers_points_grouped_by_plan_in_document_order(staff, city_plan):
    html = staff.get(reverse("activities:create")).content.decode()
    assert options(html) == [
        (
            "长沙市妇联 · 长沙市妇联2013年工作要点",
            [
                "一、加强思想引领",
                "二、服务发展",
                "二（一）服务“四化两型”",
                "二（一）1．引领妇女在新型工业化建设中建功立业",
                "二（一）2．组织妇女在新农村建设中竞展风采",
            ],
        )
    ]
    assert "data-point-picker" in html and "point_picker.js" in html
    assert "搜索工作要点（编号或文字）" in html


def test_speech_items_and_the_plan_title_are_refused(staff, city_plan, training):
    for point in [city_plan["speech"], city_plan["title"]]:
        page = staff.post(
            reverse("activities:create"),
            {
                "type": training.pk,
                "title": "培训",
                "status": "planned",
                "planned_start": "2013-05-10",
                "work_point": point.pk,
            },
        )
        assert page.status_code == 200
        assert "请选择本级或上级计划中的工作要点。" in page.content.decode()
    assert not city_plan["speech"].activities.exists()


def test_the_calendar_filter_lists_points_the_same_way(staff, city_plan):
    html = staff.get(reverse("activities:calendar")).content.decode()
    (group, listed) = options(html)[0]
    assert listed[3] == "二（一）1．引领妇女在新型工业化建设中建功立业"
    assert "一是要抓好培训" not in html


def test_a_copy_of_a_copy_reads_as_the_first_upper_point(tree, city_plan):
    county = factories.plan(tree["furong"])
    copy = factories.point(county, city_plan["second"].title, "2", implements=city_plan["second"])
    township = factories.plan(tree["dingwangtai"])
    copy_of_copy = factories.point(township, copy.title, "2", implements=copy)
    assert WorkPoint.objects.get(pk=copy_of_copy.pk).full_label() == "二（一）2．"
    own = factories.point(township, "本街道自定要点", "3", implements=copy)
    assert own.full_label() == "3．"  # its own number: not a copy


def test_the_dashboards_roll_up_lists_targets_in_document_order(tree, activity_indicators):
    from reports.rollup import rollup

    plan = factories.plan(tree["changsha"], status=PlanStatus.PUBLISHED)
    one = factories.point(plan, "思想引领", "一", order=0)
    two = factories.point(plan, "服务发展", "二", order=1)
    later = factories.point(plan, "第二项", "2", parent=one, order=1)  # 一、2．
    sooner = factories.point(plan, "第一项", "1", parent=two, order=0)  # 二、1．: first of its siblings
    second = factories.target(sooner, activity_indicators["trained"], "100", plan=plan)
    first = factories.target(later, activity_indicators["sessions"], "3", plan=plan)
    result = rollup(tree["changsha"], 2013)
    assert [p.target.pk for p in result.progress] == [first.pk, second.pk]
    assert [p.target.pk for p in result.lagging_first] == [first.pk, second.pk]


def test_a_plan_typed_with_2_before_1_reads_1_first_with_full_labels(
    tree, activity_indicators, people, login
):
    """Top-level points entered out of order (order 0 for 2．): the numbering wins, on the dashboard
    and in the export, and nested points read with their ancestors' numbers."""
    import io

    import openpyxl
    from django.urls import reverse

    from reports.export import build_annual_workbook

    plan = factories.plan(tree["changsha"], status=PlanStatus.PUBLISHED)
    two = factories.point(plan, "组织妇女在新农村建设中竞展风采", "2", order=0)
    one = factories.point(plan, "引领妇女在新型工业化建设中建功立业", "1", order=1)
    nested = factories.point(plan, "加强培训", "（一）", parent=one, order=0)
    factories.target(two, activity_indicators["trained"], "100", plan=plan)
    factories.target(nested, activity_indicators["sessions"], "3", plan=plan)
    html = login(people["changsha_leader"]).get(reverse("reports:dashboard", args=["4301"])).content.decode()
    headings = [html.index("1．（一）加强培训"), html.index("2．组织妇女在新农村建设中竞展风采")]
    assert headings == sorted(headings)
    book = openpyxl.load_workbook(
        io.BytesIO(build_annual_workbook(tree["changsha"], 2013, date(2013, 12, 31)))
    )
    points = [row[1] for row in book["目标完成情况"].iter_rows(min_row=4, values_only=True) if row[1]]
    assert points == ["1．（一）加强培训", "2．组织妇女在新农村建设中竞展风采"]


def test_the_activity_page_names_its_point_with_the_full_label(staff, city_plan, training, tree):
    from activities.models import Activity

    activity = Activity.objects.create(
        federation=tree["furong"], year=2013, type=training, title="培训", planned_start="2013-05-10"
    )
    activity.work_points.add(city_plan["first"])
    html = staff.get(activity.get_absolute_url()).content.decode()
    assert "<div>长沙市妇联 二（一）1．引领妇女在新型工业化建设中建功立业</div>" in html
