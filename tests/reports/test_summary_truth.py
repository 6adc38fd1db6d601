"""The year-end summary tells the truth: lagging children named with their figures, the dashboard's
rounding, work points in document order with their full labels (二（一）1．)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from activities import services
from activities.models import Activity, ActivityStatus, ActivityType
from plans.models import WorkPoint, document_order, label_ordinal, outline
from reports.rollup import rollup
from reports.summary import build_summary
from reports.templatetags.reports_tags import fixed
from tests import factories

BEIJING = ZoneInfo("Asia/Shanghai")
YEAR = 2013
YEAR_END = date(YEAR, 12, 31)


def record(federation, figures, *, month=5):
    activity = Activity(
        federation=federation,
        year=YEAR,
        type=ActivityType.objects.get(name="培训"),
        title="培训",
        status=ActivityStatus.DONE,
        actual_start=datetime(YEAR, month, 10, 9, tzinfo=BEIJING),
    )
    return services.activity_save(activity=activity, figures=figures, by=None)


def split_training(tree):
    """长沙市 splits 培训妇女 1000 into 芙蓉区 800 and 岳麓区 200."""
    trained = factories.indicator("PX02", "培训妇女人数", "人", tree["nation"])
    plan = factories.plan(tree["changsha"])
    point = factories.point(plan, "加强就业技能培训", label="一", order=1)
    upper = factories.target(point, trained, 1000)
    for place, value in (("furong", 800), ("yuelu", 200)):
        child_point = factories.point(factories.plan(tree[place]), "贯彻落实市妇联工作要点", label="一")
        factories.target(child_point, trained, value, parent_target=upper)
    return trained


@pytest.fixture
def changsha_year(tree):
    """芙蓉区 trains 300 of 800 (37.5 %), 岳麓区 250 of 200 (125 %), 长沙市 itself 450: 1000 of 1000,
    so 长沙市's own target is done while 芙蓉区 lags."""
    trained = split_training(tree)
    record(tree["furong"], {trained: Decimal(300)})
    record(tree["yuelu"], {trained: Decimal(250)})
    record(tree["changsha"], {trained: Decimal(450)})
    return {"trained": trained}


def test_lagging_children_are_named_with_their_figures(tree, changsha_year):
    summary = build_summary(tree["changsha"], YEAR, YEAR_END)
    # 长沙市's own target is met: the first line would have been "all done" before.
    assert summary.opening.endswith("已完成1项，总体完成率为100.0%。")
    assert summary.closing.paragraphs == [
        "下级妇联中，芙蓉区妇联完成37.5%，低于序时进度（100.0%），其中培训妇女人数完成37.5%（滞后）。"
    ]
    assert "均已完成" not in summary.as_text()
    assert "岳麓区" not in summary.closing.paragraphs[0]  # 125 %: on track


def test_all_done_is_said_only_when_nothing_lags_here_or_below(tree, changsha_year):
    record(tree["furong"], {changsha_year["trained"]: Decimal(500)}, month=6)
    summary = build_summary(tree["changsha"], YEAR, YEAR_END)
    assert summary.closing.paragraphs == ["各项目标任务均已完成或按进度推进。"]


def test_mid_year_the_expected_share_is_the_yardstick(tree, changsha_year):
    # On 30 June 181 of 365 days have passed: 49.6 %; 芙蓉区's 37.5 % is behind it, 岳麓区's 125 % is not.
    summary = build_summary(tree["changsha"], YEAR, date(YEAR, 6, 30))
    assert summary.closing.paragraphs[-1].startswith("下级妇联中，芙蓉区妇联完成37.5%，低于序时进度（49.6%）")


def test_children_alike_are_named_together(tree):
    record(tree["changsha"], {split_training(tree): Decimal(1000)})
    summary = build_summary(tree["changsha"], YEAR, YEAR_END)
    assert summary.closing.paragraphs[-1] == (
        "下级妇联中，芙蓉区妇联、岳麓区妇联完成0.0%，低于序时进度（100.0%），其中培训妇女人数（未开始）。"
    )


def test_percentages_read_as_the_dashboard_writes_them(tree, changsha_year):
    """The summary and the dashboard format the same numbers with the same function."""
    result = rollup(tree["changsha"], YEAR, YEAR_END)
    furong = next(child for child in result.children if child.federation == tree["furong"])
    summary = build_summary(tree["changsha"], YEAR, YEAR_END)
    assert f"完成{fixed(furong.score, 1)}%" in summary.closing.paragraphs[0]


# Document order and full labels ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "number"),
    [("二", 2), ("二、", 2), ("（三）", 3), ("(4)", 4), ("12", 12), ("12．", 12), ("④", 4), ("十二", 12)]
    + [("二十", 20), ("十", 10), ("", None), ("一是", None), ("第一部分", None), ("附件", None)],
)
def test_label_ordinal(label, number):
    assert label_ordinal(label) == number


@pytest.fixture
def province_plan(tree):
    """Points entered out of order (2． before 1．), as the demo's plans were: 一、 二、（一）1． 2．"""
    plan = factories.plan(tree["hunan"])
    second = factories.point(plan, "省妇联2013年工作要点", label="二", order=0)
    first = factories.point(plan, "学习贯彻会议精神", label="一", order=1)
    group = factories.point(plan, "服务四化两型", label="（一）", order=0, parent=second)
    two = factories.point(plan, "组织妇女在新农村建设中竞展风采", label="2", order=0, parent=group)
    one = factories.point(plan, "引领妇女在新型工业化建设中建功立业", label="1", order=1, parent=group)
    return {"plan": plan, "first": first, "second": second, "group": group, "one": one, "two": two}


def test_full_label_names_the_ancestors(tree, province_plan):
    one = WorkPoint.objects.get(pk=province_plan["one"].pk)
    assert one.full_label() == "二（一）1．"
    assert province_plan["group"].full_label() == "二（一）"
    assert province_plan["second"].full_label() == "二、"
    rows = [point.outline_row for point in WorkPoint.objects.filter(plan=province_plan["plan"])]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert outline(rows)[one.pk][0] == "二（一）1．"
    assert len(queries.captured_queries) == 0


def test_document_order_follows_the_numbering(tree, province_plan):
    ordered = document_order(WorkPoint.objects.filter(plan=province_plan["plan"]))
    labels = [point.full_label() for point in ordered]
    assert labels == ["一、", "二、", "二（一）", "二（一）1．", "二（一）2．"]


def test_the_summary_lists_points_in_document_order_with_full_labels(tree, province_plan):
    trained = factories.indicator("PX02", "培训妇女人数", "人", tree["nation"])
    stars = factories.indicator("GW01", "培育岗位明星人数", "名", tree["nation"])
    factories.target(province_plan["two"], trained, 100)
    factories.target(province_plan["one"], stars, 10)
    record(tree["hunan"], {trained: Decimal(100), stars: Decimal(10)})
    summary = build_summary(tree["hunan"], YEAR, YEAR_END)
    headings = [section.heading for section in summary.points]
    assert headings == ["一、学习贯彻会议精神", "二、省妇联2013年工作要点"]
    assert summary.points[1].paragraphs == [
        "二（一）1．引领妇女在新型工业化建设中建功立业。全年共培育岗位明星10名，完成目标的100.0%。",
        "二（一）2．组织妇女在新农村建设中竞展风采。全年共培训妇女100人，完成目标的100.0%。",
    ]
