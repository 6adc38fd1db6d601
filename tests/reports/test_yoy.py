"""同比 (issue #17): every dashboard target row, the API, 指标统计 and the export show last year's
figure for the same federation and indicator over the same months (上年同期) and the change
(同比增减, % with one decimal, "—" when last year's is 0 or missing), from real figures in 2012 and 2013."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities import services
from activities.models import Activity, ActivityStatus, ActivityType
from fedwork.numbers import change as change_text
from fedwork.numbers import grouped, percent
from plans.models import PlanStatus
from reports.export import build_annual_workbook
from reports.rollup import indicator_statistics, rollup, year_on_year
from tests import factories

BEIJING = ZoneInfo("Asia/Shanghai")
YEAR = 2013
MID_YEAR, YEAR_END = date(YEAR, 6, 30), date(YEAR, 12, 31)


def record(federation, figures, *, year=YEAR, month=5, status=ActivityStatus.DONE):
    activity = Activity(
        federation=federation,
        year=year,
        type=ActivityType.objects.get(name="培训"),
        title=f"培训{year}",
        status=status,
        actual_start=datetime(year, month, 10, 9, tzinfo=BEIJING),
    )
    return services.activity_save(activity=activity, figures=figures, by=None)


@pytest.fixture
def two_years(tree):
    """长沙市 2013: targets for trained (1000, 600 of it split to 芙蓉区), the employment rate and loans.

    2013: 本级 50 trained (March), 芙蓉区 300 trained / 150 employed (May), 岳麓区 150 trained /
    100 employed (September): 500 trained, 250 employed, 50 %; loans 12.5 万元 at 芙蓉区.
    2012: 芙蓉区 320 trained / 80 employed (April), 岳麓区 80 trained / 20 employed (November), and a
    planned 2012 activity that does not count; no loans at all.
    """
    nation = tree["nation"]
    trained = factories.indicator("PX02", "培训妇女人数", "人", nation)
    employed = factories.indicator("JY01", "实现就业人数", "人", nation)
    loans = factories.indicator("DK01", "小额担保贷款金额", "万元", nation, decimal_places=2)
    rate = factories.indicator(
        "JYL1", "培训后就业率", "%", nation, kind="rate", numerator=employed, denominator=trained
    )
    plan = factories.plan(tree["changsha"], status=PlanStatus.PUBLISHED)
    point = factories.point(plan, "加强就业技能培训", label="1", order=1)
    upper = {
        "trained": factories.target(point, trained, 1000),
        "rate": factories.target(point, rate, 60),
        "loans": factories.target(point, loans, "50.00"),
    }
    child_point = factories.point(
        factories.plan(tree["furong"], status=PlanStatus.PUBLISHED), "落实", label="1"
    )
    factories.target(child_point, trained, 600, parent_target=upper["trained"])

    record(tree["changsha"], {trained: Decimal(50)}, month=3)
    record(tree["furong"], {trained: Decimal(300), employed: Decimal(150), loans: Decimal("12.5")})
    record(tree["yuelu"], {trained: Decimal(150), employed: Decimal(100)}, month=9)
    record(tree["furong"], {trained: Decimal(320), employed: Decimal(80)}, year=YEAR - 1, month=4)
    record(tree["yuelu"], {trained: Decimal(80), employed: Decimal(20)}, year=YEAR - 1, month=11)
    record(tree["yuelu"], {trained: Decimal(999)}, year=YEAR - 1, month=6, status=ActivityStatus.PLANNED)
    return {"upper": upper, "trained": trained, "loans": loans}


def by_indicator(result):
    return {p.indicator.code: p for p in result.progress}


def test_the_rollup_compares_with_the_same_months_of_last_year(tree, two_years):
    at_year_end = by_indicator(rollup(tree["changsha"], YEAR, YEAR_END))
    # The whole of 2012: 320 + 80 trained (the planned 999 does not count); 500 in 2013: +25 %.
    assert (at_year_end["PX02"].previous, at_year_end["PX02"].achieved) == (400, 500)
    assert at_year_end["PX02"].change == 25
    # A rate is recomputed from last year's parts: 100 of 400 = 25 %, now 250 of 500 = 50 %: +100 %.
    assert at_year_end["JYL1"].previous == 25
    assert at_year_end["JYL1"].change == 100
    # Nothing lent in 2012: no figure and no change, rather than a division by zero or +∞.
    assert (at_year_end["DK01"].previous, at_year_end["DK01"].change) == (None, None)

    # At mid-year: January to June of each year. 2012: 320 (岳麓区's November not yet); 2013: 350.
    mid_year = by_indicator(rollup(tree["changsha"], YEAR, MID_YEAR))
    assert (mid_year["PX02"].previous, mid_year["PX02"].achieved) == (320, 350)
    assert mid_year["PX02"].change.quantize(Decimal("0.1")) == Decimal("9.4")


def test_each_childs_split_target_has_its_own_last_year(tree, two_years):
    result = rollup(tree["changsha"], YEAR, YEAR_END)
    furong = next(child for child in result.children if child.federation == tree["furong"])
    (share,) = furong.progress
    assert (share.previous, share.achieved, share.change) == (320, 300, Decimal(-20) / 320 * 100)


def test_last_year_costs_one_query_whatever_the_number_of_targets(tree, two_years):
    def count():
        with CaptureQueriesContext(connection) as queries:
            rollup(tree["changsha"], YEAR, YEAR_END)
        return len(queries.captured_queries)

    before = count()
    point = two_years["upper"]["trained"].work_point
    for number in range(5):
        indicator = factories.indicator(f"X{number}", f"指标{number}", "个", tree["nation"])
        factories.target(point, indicator, 10)
        record(tree["furong"], {indicator: Decimal(3)}, year=YEAR - 1)
    assert count() == before


def test_year_on_year_is_none_without_a_last_year():
    assert year_on_year(Decimal(5), Decimal(0)) is None
    assert year_on_year(Decimal(5), None) is None
    assert year_on_year(None, Decimal(5)) is None
    assert year_on_year(Decimal(0), Decimal(5)) == -100
    assert [change_text(value) for value in (Decimal(25), Decimal("-12.345"), Decimal(0), None)] == [
        "+25.0%",
        "-12.3%",
        "0.0%",
        "—",
    ]


def dashboard_html(client, as_of="2013-12-31"):
    client.post(reverse("set-year"), {"year": str(YEAR)})
    response = client.get(reverse("reports:dashboard", args=["4301"]), {"as_of": as_of})
    assert response.status_code == 200
    return response.content.decode()


def row_of(html, name):
    """The first targets-table row naming ``name``, as its cells' texts."""
    row = re.search(rf"<tr><td[^>]*>{name}.*?</tr>", html, re.S).group(0)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_the_dashboard_shows_last_year_and_the_change_on_every_target_row(tree, people, login, two_years):
    html = dashboard_html(login(people["changsha_leader"]))
    assert "上年同期" in html and "同比增减" in html
    trained = row_of(html, "培训妇女人数")
    assert trained[1:3] == ["1,000人", "500人"]
    assert trained[-2:] == ["400人", "+25.0%"]
    assert row_of(html, "培训后就业率")[-2:] == ["25%", "+100.0%"]
    assert row_of(html, "小额担保贷款金额")[-2:] == ["—", "—"]


def test_the_statistics_view_shows_last_year_beside_the_total(tree, people, login, two_years):
    statistics = indicator_statistics(tree["changsha"], YEAR, MID_YEAR)
    row = statistics.row_for(two_years["trained"].pk)
    assert (row.total, row.previous) == (350, 320)
    assert statistics.row_for(two_years["loans"].pk).change is None

    html = dashboard_html(login(people["changsha_leader"]))
    section = html[html.index('data-testid="statistics"') :]
    cells = re.search(r'<tr data-indicator="PX02">(.*?)</tr>', section, re.S).group(1)
    texts = [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)]
    assert texts[-3:] == ["500人", "400人", "+25.0%"]


def test_the_api_carries_last_year_as_new_fields(tree, people, login, two_years):
    url = reverse("api:rollup_view", kwargs={"code": "4301", "year": YEAR})
    data = login(people["changsha_leader"]).get(url, {"as_of": "2013-12-31"}).json()
    targets = {t["indicator"]: t for t in data["targets"]}
    assert (targets["PX02"]["previous"], targets["PX02"]["change"]) == (400, 25.0)
    assert (targets["DK01"]["previous"], targets["DK01"]["change"]) == (None, None)
    furong = next(c for c in data["children"] if c["federation"] == "430102")
    assert (furong["targets"][0]["previous"], furong["targets"][0]["change"]) == (320, -6.2)


def test_the_export_has_last_year_columns(tree, two_years):
    book = openpyxl.load_workbook(io.BytesIO(build_annual_workbook(tree["changsha"], YEAR, YEAR_END)))
    sheet = book["目标完成情况"]
    header = [cell.value for cell in sheet[3]]
    assert header[-2:] == ["上年同期", "同比增减"]
    rows = {row[2]: row for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert rows["培训妇女人数"][-2:] == (400, pytest.approx(0.25))
    assert sheet.cell(4, len(header)).number_format == "0.0%"
    assert rows["小额担保贷款金额"][-2:] == ("—", "—")

    statistics = book["指标统计"]
    header = [cell.value for cell in statistics[3]]
    assert header[-3:] == ["合计", "上年同期", "同比增减"]
    rows = {row[1]: row for row in statistics.iter_rows(min_row=4, values_only=True)}
    assert rows["培训妇女人数"][-3:] == (500, 400, pytest.approx(0.25))
    assert rows["实现就业人数"][-3:] == (250, 100, pytest.approx(1.5))


def cells_of(row_html):
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row_html, re.S)
    ]


def test_the_dashboards_tables_show_the_rollups_numbers(tree, people, login, two_years):
    """Every targets-table row, every child row and every 指标统计 cell read as the roll-up has them
    (rollup() and indicator_statistics(), written by fedwork.numbers), whichever table they are in."""
    html = dashboard_html(login(people["changsha_leader"]))
    result = rollup(tree["changsha"], YEAR, YEAR_END)
    assert result.progress and result.children
    for p in result.progress:
        unit, name = p.indicator.unit, p.indicator.name
        rows = re.findall(rf"<tr><td class=\"card-title-cell\">{name}.*?</tr>", html, re.S)
        assert len(rows) == (2 if p.is_lagging else 1), name  # its work point's table, and 滞后目标
        for row in rows:
            achieved = "—" if p.achieved is None else grouped(p.achieved)
            assert cells_of(row) == [
                name,
                grouped(p.target_value) + unit,
                achieved + ("" if p.indicator.kind == "milestone" else unit),
                "—" if p.completion is None else percent(p.completion),
                str(p.status.label),
                "—" if p.previous is None else grouped(p.previous) + unit,
                change_text(p.change),
            ], name
            if p.completion is not None:
                assert f'aria-valuenow="{p.completion.quantize(Decimal(1), rounding=ROUND_HALF_UP)}"' in row
            assert f"status-badge status-{p.status.value}" in row
    children = html[html.index("children-table") :].split("</table>")[0].split("<tbody>")[1]
    child_rows = re.findall(r"<tr[^>]*>.*?</tr>", children, re.S)
    assert len(child_rows) == len(result.children)
    for child in result.children:
        name = child.federation.display_name
        (row,) = [row for row in child_rows if f">{name}</a>" in row]
        assert cells_of(row) == [
            str(child.rank or "—"),  # the city's leader sees its children's ranks (may_see_ranking)
            name,
            "无分解目标" if child.score is None else percent(child.score),
            str(len(child.progress)),
            str(child.done_count),
            str(child.lagging_count),
        ]
        assert f'href="{reverse("reports:dashboard", args=[child.federation.code])}?as_of=2013-12-31"' in row
    statistics = indicator_statistics(
        tree["changsha"], YEAR, YEAR_END, [c.federation for c in result.children]
    )
    section = html[html.index('data-testid="statistics"') :]
    for row in statistics.rows:
        unit = row.indicator.unit
        html_row = re.search(rf'<tr data-indicator="{row.indicator.code}">.*?</tr>', section, re.S).group(0)
        assert cells_of(html_row) == [
            row.indicator.name,
            grouped(row.own) + unit,
            *(grouped(value) + unit for value in row.children),
            grouped(row.total) + unit,
            "—" if row.previous is None else grouped(row.previous) + unit,
            change_text(row.change),
        ]
