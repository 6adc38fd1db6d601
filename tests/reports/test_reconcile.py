"""The numbers reconcile and nothing recorded vanishes (issue #17): 本级 + 下级 = 合计 = the target's
完成 on the dashboard and in the export, and every indicator recorded appears in 指标统计."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.urls import reverse

from activities import services
from activities.models import Activity, ActivityStatus, ActivityType
from plans.models import IndicatorKind, PlanStatus
from reports.export import build_annual_workbook
from reports.rollup import indicator_statistics, rollup
from tests import factories

BEIJING = ZoneInfo("Asia/Shanghai")
YEAR = 2013
YEAR_END = date(YEAR, 12, 31)


def record(federation, figures, *, month=5, status=ActivityStatus.DONE, title="培训"):
    activity = Activity(
        federation=federation,
        year=YEAR,
        type=ActivityType.objects.get(name="培训"),
        title=title,
        status=status,
        actual_start=datetime(YEAR, month, 10, 9, tzinfo=BEIJING),
    )
    return services.activity_save(activity=activity, figures=figures, by=None)


@pytest.fixture
def city(tree):
    """长沙市 2013: 1000 trained split to 芙蓉区 only, a rate, a loan sum; 两癌 recorded without a target."""
    nation = tree["nation"]
    trained = factories.indicator("PX02", "培训妇女人数", "人", nation)
    employed = factories.indicator("JY01", "实现就业人数", "人", nation)
    loans = factories.indicator("DK01", "小额担保贷款金额", "万元", nation, decimal_places=2)
    rate = factories.indicator(
        "JYL1", "培训后就业率", "%", nation, kind="rate", numerator=employed, denominator=trained
    )
    screening = factories.indicator("LA01", "两癌筛查人数", "人", nation)
    plan = factories.plan(tree["changsha"], status=PlanStatus.PUBLISHED)
    point = factories.point(plan, "加强就业技能培训", label="1", order=1)
    upper = {
        "trained": factories.target(point, trained, 1000),
        "loans": factories.target(point, loans, "50.50"),
        "rate": factories.target(point, rate, 80),
    }
    child_point = factories.point(
        factories.plan(tree["furong"], status=PlanStatus.PUBLISHED), "落实", label="1"
    )
    factories.target(child_point, trained, 600, parent_target=upper["trained"])  # 岳麓区 gets no share

    record(tree["changsha"], {trained: Decimal(48), employed: Decimal(10)}, month=3, title="市妇联培训")
    record(tree["furong"], {trained: Decimal(300), loans: Decimal("12.34")}, title="芙蓉区培训")
    record(tree["dingwangtai"], {trained: Decimal(150), screening: Decimal(130)}, title="街道两癌筛查")
    record(tree["yuelu"], {trained: Decimal(700), employed: Decimal(200), loans: Decimal(25)}, month=9)
    record(tree["yuelu"], {trained: Decimal(99)}, month=11, status=ActivityStatus.PLANNED, title="计划")
    return {"upper": upper, "screening": screening, "trained": trained}


def test_rollup_parts_add_up_to_each_sum_target(tree, city):
    result = rollup(tree["changsha"], YEAR, YEAR_END)
    sums = [p for p in result.progress if p.indicator.kind == IndicatorKind.SUM]
    assert len(sums) == 2
    for progress in sums:
        pk = progress.target.pk
        children = [result.child_figures[(child.federation.pk, pk)] for child in result.children]
        assert result.own_figures[pk] + sum(children) == progress.achieved
    trained = city["upper"]["trained"].pk
    assert result.own_figures[trained] == 48
    assert [result.child_figures[(tree[c].pk, trained)] for c in ("furong", "yuelu")] == [450, 700]
    # A rate's parts are rates of their own numerators and denominators.
    rate = city["upper"]["rate"].pk
    assert result.own_figures[rate] == pytest.approx(Decimal(10) / 48 * 100)


def test_the_dashboard_reconciles_and_shows_every_recorded_indicator(tree, people, login, city):
    client = login(people["changsha_leader"])
    client.post(reverse("set-year"), {"year": str(YEAR)})
    response = client.get(reverse("reports:dashboard", args=["4301"]), {"as_of": "2013-12-31"})
    statistics = response.context["statistics"]
    assert [child.code for child in statistics.children] == ["430102", "430104"]
    for progress in response.context["result"].progress:
        if progress.indicator.kind != IndicatorKind.SUM:
            continue
        row = statistics.row_for(progress.indicator.pk)
        assert row.own + sum(row.children) == row.total == progress.achieved
    screening = statistics.row_for(city["screening"].pk)  # no target anywhere, still counted
    assert (screening.own, screening.children, screening.total) == (0, [130, 0], 130)
    assert statistics.row_for(city["trained"].pk).total == 1198  # the planned 99 does not count

    html = response.content.decode()
    section = html[html.index('data-testid="statistics"') :]
    assert "指标统计" in html and "两癌筛查人数" in section
    assert "1,198人" in section and "48人" in section and "37.34万元" in section


def test_statistics_stop_at_the_cut_off_month(tree, city):
    statistics = indicator_statistics(tree["changsha"], YEAR, date(YEAR, 6, 30))
    trained = statistics.row_for(city["trained"].pk)
    assert (trained.own, trained.children, trained.total) == (48, [450, 0], 498)
    assert indicator_statistics(tree["changsha"], YEAR, date(YEAR - 1, 12, 31)).rows == []


def workbook(tree):
    return openpyxl.load_workbook(io.BytesIO(build_annual_workbook(tree["changsha"], YEAR, YEAR_END)))


def test_the_children_sheet_reconciles_with_the_targets_sheet(tree, city):
    book = workbook(tree)
    targets = list(book["目标完成情况"].iter_rows(min_row=4, values_only=True))
    sheet = book["下级完成情况"]
    headers = [c.value for c in sheet[3]]
    own, *children, total = list(sheet.iter_rows(min_row=5, values_only=True))
    assert own[1] == "长沙市妇联（本级）" and total[1] == "合计"
    assert [row[1] for row in children] == ["芙蓉区妇联", "岳麓区妇联"]
    # Only 培训 was split: one group; 岳麓区 has no share yet its 700 count.
    assert headers[2] == "培训妇女人数（人）"
    assert children[1][2:5] == (None, 700, None)
    assert own[3] + sum(row[3] for row in children) == total[3] == targets[0][5] == 1198
    assert total[2] == targets[0][4] == 1000


def test_the_statistics_sheet_lists_every_indicator_and_adds_up(tree, city):
    sheet = workbook(tree)["指标统计"]
    assert sheet["A1"].value == "长沙市妇女联合会2013年指标统计表"
    assert [c.value for c in sheet[3]] == [
        *("序号", "指标", "单位", "本级", "芙蓉区妇联", "岳麓区妇联"),
        *("合计", "上年同期", "同比增减"),
    ]
    body = list(sheet.iter_rows(min_row=4, values_only=True))
    by_name = {row[1]: row for row in body}
    assert set(by_name) == {"培训妇女人数", "实现就业人数", "小额担保贷款金额", "两癌筛查人数"}
    for row in body:
        assert row[3] + row[4] + row[5] == pytest.approx(row[6])
    assert by_name["两癌筛查人数"][3:] == (0, 130, 0, 130, "—", "—")  # nothing recorded in 2012
    assert by_name["培训妇女人数"][3:] == (48, 450, 700, 1198, "—", "—")


def test_every_sheet_has_its_own_title(tree, city):
    book = workbook(tree)
    titles = [book[name]["A1"].value for name in book.sheetnames]
    assert len(set(titles)) == len(titles)
    assert all(title.startswith("长沙市妇女联合会2013年") for title in titles)
