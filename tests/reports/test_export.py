"""The annual Excel export: sheets read back equal the roll-up; its layout, the download, the command."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date, datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl.utils import get_column_letter

from activities import services
from activities.models import Activity, ActivityStatus, ActivityType
from fedwork.models import Level
from plans.models import PlanStatus
from reports.export import build_annual_workbook, export_filename
from reports.rollup import rollup
from tests import factories
from tests.reports.test_export_print import fitted_to_page, pages_across

BEIJING = ZoneInfo("Asia/Shanghai")
YEAR = 2013
YEAR_END = date(YEAR, 12, 31)
SHEETS = ["目标完成情况", "下级完成情况", "指标统计", "活动统计", "活动明细"]
TITLE = "长沙市妇女联合会2013年工作目标完成情况汇总表"


def record(federation, figures, *, month=5, year=YEAR, status=ActivityStatus.DONE, title="培训", place=""):
    activity = Activity(
        federation=federation,
        year=year,
        type=ActivityType.objects.get(name="培训"),
        title=title,
        status=status,
        place=place,
        actual_start=datetime(year, month, 10, 9, tzinfo=BEIJING),
    )
    return services.activity_save(activity=activity, figures=figures, by=None)


@pytest.fixture
def indicators(tree):
    nation = tree["nation"]
    trained = factories.indicator("PX02", "培训妇女人数", "人", nation)
    employed = factories.indicator("JY01", "实现就业人数", "人", nation)
    return {
        "sessions": factories.indicator("PX01", "举办培训班期数", "期", nation),
        "trained": trained,
        "employed": employed,
        "loans": factories.indicator("DK01", "小额担保贷款金额", "万元", nation, decimal_places=2),
        "rate": factories.indicator(
            "JYL1", "培训后就业率", "%", nation, kind="rate", numerator=employed, denominator=trained
        ),
    }


@pytest.fixture
def scenario(tree, indicators):
    """长沙市 2013: 培训 split twice (points 1 and 2), 贷款 and a rate, all split to 芙蓉区 and 岳麓区."""
    trained, loans, rate = indicators["trained"], indicators["loans"], indicators["rate"]
    plan = factories.plan(tree["changsha"], status=PlanStatus.PUBLISHED)
    first = factories.point(plan, "加强就业技能培训", label="1", order=1)
    second = factories.point(plan, "开展巾帼建功活动", label="2", order=2)
    upper = {
        "trained": factories.target(first, trained, 1000),
        "loans": factories.target(first, loans, "50.50"),
        "trained2": factories.target(second, trained, 200),
        "rate": factories.target(second, rate, 80),
    }
    splits = {
        "furong": {"trained": 600, "loans": "30.00", "trained2": 120, "rate": 80},
        "yuelu": {"trained": 400, "loans": "20.50", "trained2": 80, "rate": 80},
    }
    for place, values in splits.items():
        child_plan = factories.plan(tree[place], status=PlanStatus.PUBLISHED)
        child_point = factories.point(child_plan, "贯彻落实市妇联工作要点", label="1")
        for key, value in values.items():
            factories.target(child_point, upper[key].indicator, value, parent_target=upper[key])

    employed = indicators["employed"]
    record(tree["dingwangtai"], {trained: Decimal(150), employed: Decimal(100)}, title="街道培训")
    record(
        tree["furong"],
        {trained: Decimal(300), loans: Decimal("12.34"), indicators["sessions"]: Decimal(3)},
        title="芙蓉区培训班",
        place="芙蓉区妇女活动中心",
    )
    record(
        tree["yuelu"],
        {trained: Decimal(500), loans: Decimal(25), employed: Decimal(200)},
        month=9,
        title="岳麓区秋季培训",
    )
    record(tree["changsha"], {trained: Decimal(50)}, month=3, title="市妇联培训")
    # Listed in the detail but counted nowhere: planned, not done.
    record(tree["yuelu"], {trained: Decimal(99)}, month=11, status=ActivityStatus.PLANNED, title="计划培训")
    # Outside the export: another federation above, another year.
    record(tree["hunan"], {trained: Decimal(7)}, title="省妇联培训")
    record(tree["furong"], {trained: Decimal(8)}, year=YEAR + 1, title="明年培训")
    return upper


def workbook_of(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def rows(sheet, first: int) -> list[tuple]:
    return list(sheet.iter_rows(min_row=first, values_only=True))


def approx_fraction(percent):
    return None if percent is None else pytest.approx(float(percent) / 100)


def approx_number(value):
    return None if value is None else pytest.approx(float(value))


# ---------------------------------------------------------------------------------------------------
# The sheets read back equal the roll-up


def test_targets_sheet_reads_back_equal_to_the_rollup(tree, scenario):
    book = workbook_of(build_annual_workbook(tree["changsha"], YEAR, YEAR_END))
    assert book.sheetnames == SHEETS
    sheet = book["目标完成情况"]
    assert sheet["A1"].value == TITLE
    assert "A1:J1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["A2"].value == "填报单位：长沙市妇女联合会"
    assert sheet["F2"].value == "统计截止日期：2013年12月31日"
    assert [c.value for c in sheet[3]] == [
        "序号",
        "工作要点",
        "指标",
        "单位",
        "目标值",
        "完成值",
        "完成率",
        "进度状态",
        "上年同期",
        "同比增减",
    ]

    result = rollup(tree["changsha"], YEAR, YEAR_END)
    body = rows(sheet, 4)
    assert len(body) == len(result.progress) == 4
    for number, (row, progress) in enumerate(zip(body, result.progress, strict=True), start=1):
        target = progress.target
        assert row == (
            number,
            f"{target.work_point.display_label}{target.work_point.title}",
            target.indicator.name,
            target.indicator.unit,
            approx_number(progress.target_value),
            approx_number(progress.achieved),
            approx_fraction(progress.completion),
            str(progress.status.label),
            "—",  # nothing recorded in 2012: no 上年同期, no 同比增减 (tests/reports/test_yoy.py has them)
            "—",
        )
    # And the roll-up's numbers are the ones recorded: 150 + 300 + 500 + 50 trained, 37.34 万元 lent.
    assert body[0][1:7] == ("1．加强就业技能培训", "培训妇女人数", "人", 1000, 1000, 1)
    assert body[1][4:7] == (pytest.approx(50.5), pytest.approx(37.34), pytest.approx(37.34 / 50.5))
    assert body[3][2:6] == ("培训后就业率", "%", 80, pytest.approx(30))  # 300 employed of 1000 trained
    assert body[0][7] == "已完成"


def test_children_sheet_has_a_row_per_child_a_group_per_split_target_and_a_total(tree, scenario):
    book = workbook_of(build_annual_workbook(tree["changsha"], YEAR, YEAR_END))
    sheet = book["下级完成情况"]
    assert sheet["A1"].value == "长沙市妇女联合会2013年下级完成情况表"
    # 序号, 单位, four groups of three, 得分, 排名.
    assert sheet.max_column == 2 + 4 * 3 + 2
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A3:A4", "B3:B4", "C3:E3", "F3:H3", "I3:K3", "L3:N3", "O3:O4", "P3:P4"} <= merged
    # Two pages across (see test_export_print): the title heads the first page's columns.
    first_page = sheet.col_breaks.brk[0].id
    assert 2 < first_page < 16
    assert f"A1:{get_column_letter(first_page)}1" in merged
    upper = [c.value for c in sheet[3]]
    assert upper[0:3] == ["序号", "单位", "培训妇女人数（人）\n1．"]
    # The indicator split twice is told apart by its work point; the others are 名称（单位）.
    assert upper[5] == "小额担保贷款金额（万元）"
    assert upper[8] == "培训妇女人数（人）\n2．"
    assert upper[11] == "培训后就业率（%）"
    assert upper[14:] == ["得分", "排名"]
    assert [c.value for c in sheet[4]][2:14] == ["目标", "完成", "完成率"] * 4

    result = rollup(tree["changsha"], YEAR, YEAR_END)
    own, *body = rows(sheet, 5)
    # 本级: what 长沙市 itself did (50 trained of its own), with no target or rate of its own.
    assert own[:5] == (None, "长沙市妇联（本级）", None, 50, None)
    assert own[8:] == (None, 50, None, None, pytest.approx(0), None, None, None)
    assert len(body) == len(result.children) + 1 == 3
    for number, (row, child) in enumerate(zip(body[:-1], result.children, strict=True), start=1):
        assert row[:2] == (number, child.federation.display_name)
        expected = []
        for progress in child.progress:  # the child's targets, in the order of the upper targets
            expected += [
                approx_number(progress.target_value),
                approx_number(progress.achieved),
                approx_fraction(progress.completion),
            ]
        assert list(row[2:14]) == expected
        assert row[14:] == (approx_number(child.score), child.rank)
    assert [row[1] for row in body[:2]] == ["芙蓉区妇联", "岳麓区妇联"]
    assert body[0][2:5] == (600, 450, pytest.approx(0.75))
    assert body[1][2:5] == (400, 500, pytest.approx(1.25))
    assert (body[0][15], body[1][15]) == (2, 1)  # 岳麓区 did better

    # 合计 is 长沙市's own result, as 目标完成情况 has it: 本级 + 下级 (50 + 450 + 500 trained).
    total = body[2]
    assert total[:2] == (None, "合计")
    assert total[2:5] == (1000, 1000, pytest.approx(1))
    assert total[5:8] == (pytest.approx(50.5), pytest.approx(37.34), pytest.approx(37.34 / 50.5))
    assert total[8:11] == (200, 1000, pytest.approx(5))
    # A rate is recomputed from the summed numerator and denominator, never added up.
    assert total[11:] == (80, pytest.approx(30), pytest.approx(30 / 80), None, None)


def test_activity_sheet_lists_the_subtree_activities_of_the_year_with_their_figures(tree, scenario):
    book = workbook_of(build_annual_workbook(tree["changsha"], YEAR, YEAR_END))
    sheet = book["活动明细"]
    assert sheet["A1"].value == "长沙市妇女联合会2013年活动明细表"
    assert [c.value for c in sheet[3]] == [
        "序号",
        "单位",
        "活动名称",
        "活动类型",
        "活动日期",
        "状态",
        "地点",
        # The indicators the figures use, by code.
        "小额担保贷款金额（万元）",
        "实现就业人数（人）",
        "举办培训班期数（期）",
        "培训妇女人数（人）",
    ]
    body = rows(sheet, 4)
    # By federation (path order), then date; 湖南 and next year are left out.
    assert [(row[0], row[1], row[2], row[5]) for row in body] == [
        (1, "长沙市妇联", "市妇联培训", "已完成"),
        (2, "芙蓉区妇联", "芙蓉区培训班", "已完成"),
        (3, "定王台街道妇联", "街道培训", "已完成"),
        (4, "岳麓区妇联", "岳麓区秋季培训", "已完成"),
        (5, "岳麓区妇联", "计划培训", "计划中"),
        # The done activities' figures: what every other sheet counts (the planned 99 is not in it).
        (None, "合计", "已完成活动4项", None),
    ]
    assert body[1][3:] == (
        "培训",
        datetime(YEAR, 5, 10),
        "已完成",
        "芙蓉区妇女活动中心",
        pytest.approx(12.34),
        None,
        3,
        300,
    )
    assert body[0][4] == datetime(YEAR, 3, 10)
    assert body[2][7:] == (None, 100, None, 150)
    assert body[3][7:] == (25, 200, None, 500)
    assert body[4][7:] == (None, None, None, 99)
    assert body[5][7:] == (pytest.approx(37.34), 300, 3, 1000)


def test_the_cut_off_date_changes_the_numbers_as_the_rollup_does(tree, scenario):
    as_of = date(YEAR, 6, 30)  # before 岳麓区's September training
    book = workbook_of(build_annual_workbook(tree["changsha"], YEAR, as_of))
    result = rollup(tree["changsha"], YEAR, as_of)
    targets = rows(book["目标完成情况"], 4)
    assert targets[0][5] == 500 == result.progress[0].achieved
    assert [row[6] for row in targets] == [approx_fraction(p.completion) for p in result.progress]
    assert book["目标完成情况"]["F2"].value == "统计截止日期：2013年6月30日"
    children = rows(book["下级完成情况"], 5)
    assert children[2][3] == 0  # 岳麓区 has nothing yet
    assert children[0][3] == 50  # 本级
    assert children[3][2:5] == (1000, 500, pytest.approx(0.5))


def test_counts_sheet_counts_the_year_by_branch_status_and_type(tree, scenario):
    record(tree["yuelu"], {}, status=ActivityStatus.CANCELLED, title="取消的培训")
    meeting = ActivityType.objects.get(name="会议")
    Activity.objects.filter(title="街道培训").update(type=meeting)
    book = workbook_of(build_annual_workbook(tree["changsha"], YEAR, YEAR_END))
    sheet = book["活动统计"]
    assert sheet["A1"].value == "长沙市妇女联合会2013年活动统计表"
    assert [c.value for c in sheet[3]][:4] == ["序号", "单位", "活动总数", "按状态"]
    # Only the types some activity done uses, in the managed list's order.
    assert [c.value for c in sheet[4]][3:] == ["已完成", "计划中", "已逾期", "已取消", "会议", "培训"]
    assert {"A3:A4", "D3:G3", "H3:I3"} <= {str(r) for r in sheet.merged_cells.ranges}
    body = rows(sheet, 5)
    assert body == [
        # 本级, then each child by code (with or without activities), then 合计. 湖南's and next
        # year's activities are outside; 定王台街道 (under 芙蓉区) counts in 芙蓉区's branch.
        (1, "长沙市妇联（本级）", 1, 1, 0, 0, 0, 0, 1),
        (2, "芙蓉区妇联", 2, 2, 0, 0, 0, 1, 1),
        (3, "岳麓区妇联", 3, 1, 1, 0, 1, 0, 1),
        (None, "合计", 6, 4, 1, 0, 1, 1, 3),
    ]
    assert sheet["C5"].number_format == "#,##0"
    assert sheet["C8"].font.b is True


def test_counts_sheet_tells_planned_from_overdue(tree, scenario):
    """已逾期 as the dashboard says it (planned, past its planned last day); 计划中 is not yet due."""
    Activity.objects.filter(title="计划培训").update(planned_last_day=date(YEAR, 11, 30))
    record(tree["yuelu"], {}, status=ActivityStatus.PLANNED, title="尚未到期")
    later = timezone.localdate().replace(year=timezone.localdate().year + 1)
    Activity.objects.filter(title="尚未到期").update(planned_last_day=later)
    body = rows(workbook_of(build_annual_workbook(tree["changsha"], YEAR, YEAR_END))["活动统计"], 5)
    # 总数, 已完成, 计划中, 已逾期, 已取消
    assert body[2][:7] == (3, "岳麓区妇联", 3, 1, 1, 1, 0)
    assert body[-1][2:7] == (6, 4, 1, 1, 0)


def test_a_province_gets_the_counts_but_not_every_activity(tree, scenario):
    book = workbook_of(build_annual_workbook(tree["hunan"], YEAR, YEAR_END))
    assert book.sheetnames == ["目标完成情况", "下级完成情况", "指标统计", "活动统计"]
    body = rows(book["活动统计"], 5)
    assert body[0][:3] == (1, "湖南省妇联（本级）", 1)
    assert body[-1][:3] == (None, "合计", 6)


def test_a_federation_without_targets_or_children_still_gets_framed_sheets(tree, indicators):
    book = workbook_of(build_annual_workbook(tree["dingwangtai"], YEAR, YEAR_END))
    assert book.sheetnames == SHEETS
    assert book["目标完成情况"]["A1"].value == "定王台街道妇女联合会2013年工作目标完成情况汇总表"
    assert rows(book["目标完成情况"], 4) == []
    assert rows(book["下级完成情况"], 3) == [
        ("定王台街道妇女联合会没有下级妇联，本表无数据。本级完成情况见“目标完成情况”表。", None, None, None)
    ]
    assert rows(book["活动统计"], 5) == [
        (1, "定王台街道妇联（本级）", 0, 0, 0, 0, 0),
        (None, "合计", 0, 0, 0, 0, 0),
    ]
    assert rows(book["活动明细"], 4) == [(None, "合计", "已完成活动0项", None, None, None, None)]


# ---------------------------------------------------------------------------------------------------
# Layout: a Chinese statistical table that prints


def test_layout_fonts_borders_formats_frozen_headers_and_print_setup(tree, scenario):
    book = workbook_of(build_annual_workbook(tree["changsha"], YEAR, YEAR_END))
    for name, header_rows in [
        ("目标完成情况", "$3:$3"),
        ("下级完成情况", "$3:$4"),
        ("活动统计", "$3:$4"),
        ("活动明细", "$3:$3"),
    ]:
        sheet = book[name]
        last_header = int(header_rows.split(":$")[1])
        assert sheet.freeze_panes == f"A{last_header + 1}"
        assert sheet.print_title_rows == header_rows
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.page_setup.paperSize == 9  # A4
        # One page across, fitted to it; or, wider (下级完成情况's four groups), pages across at a
        # legible scale, 序号 and 单位 on each (test_export_print).
        pages = pages_across(sheet)
        assert fitted_to_page(sheet) is (pages == 1)
        assert pages == (2 if name == "下级完成情况" else 1)
        assert sheet.column_dimensions["B"].width >= 16
        title = sheet["A1"]
        assert (title.font.name, title.font.b, title.alignment.horizontal) == ("宋体", True, "center")
        header = sheet["B3"]
        assert (header.font.name, header.font.b, header.border.left.style) == ("宋体", True, "thin")
        body = sheet.cell(row=last_header + 1, column=2)
        assert (body.font.name, body.font.b, body.border.bottom.style) == ("宋体", False, "thin")

    targets = book["目标完成情况"]
    assert [targets[f"{col}4"].number_format for col in "EFG"] == ["#,##0", "#,##0", "0.0%"]
    assert targets["F5"].number_format == "#,##0.00"  # 万元
    assert targets["F7"].number_format == "#,##0.00"  # %
    children = book["下级完成情况"]
    assert children["E6"].number_format == "0.0%"
    assert children["O6"].number_format == "0.00"  # 得分
    # Blank cells inside the table keep their border, so the printed grid has no holes.
    assert children["C5"].value is None and children["C5"].border.top.style == "thin"
    activities = book["活动明细"]
    assert activities["E4"].number_format == "yyyy-mm-dd"
    assert (activities["H5"].number_format, activities["K5"].number_format) == ("#,##0.00", "#,##0")


# ---------------------------------------------------------------------------------------------------
# The download


@pytest.fixture
def zhuzhou(tree):
    return factories.federation("4302", "株洲市", Level.CITY, tree["hunan"])


def export_url(code: str) -> str:
    from django.urls import reverse

    return reverse("reports:export", kwargs={"code": code})


def download(client, code: str, **params):
    response = client.get(export_url(code), params)
    body = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return response, body


def test_a_changsha_leader_exports_changsha_and_its_counties(tree, people, login, scenario):
    client = login(people["changsha_leader"])
    response, body = download(client, "4301", year=YEAR)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    filename = "长沙市妇联2013年工作目标完成情况汇总表.xlsx"
    assert export_filename(tree["changsha"], YEAR) == filename
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"filename*=utf-8''{quote(filename)}" in response["Content-Disposition"]
    book = workbook_of(body)
    assert book["目标完成情况"]["A1"].value == TITLE
    assert rows(book["目标完成情况"], 4)[0][5] == 1000

    response, body = download(client, "430102", year=YEAR)
    assert response.status_code == 200
    book = workbook_of(body)
    assert book["目标完成情况"]["A1"].value == "芙蓉区妇女联合会2013年工作目标完成情况汇总表"
    # 芙蓉区 split none of its targets to 定王台街道: a page that says so, not an empty table.
    assert book["下级完成情况"]["A3"].value.startswith("芙蓉区妇女联合会2013年的目标任务未分解到下级妇联")


def test_a_changsha_leader_gets_404_for_zhuzhou(tree, people, login, zhuzhou):
    client = login(people["changsha_leader"])
    assert client.get(export_url("4302")).status_code == 404
    assert client.get(export_url("43")).status_code == 404  # the province above, too
    assert login(people["hunan_leader"]).get(export_url("4302")).status_code == 200


def test_an_anonymous_user_is_sent_to_log_in(tree, client):
    response = client.get(export_url("4301"))
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize(
    "params",
    [
        {"as_of": "2013-02-30"},
        {"as_of": "yesterday"},
        {"as_of": "2013-5-1"},
        {"as_of": "20130501"},
        {"as_of": "0001-01-01"},
        {"year": "13"},
        {"year": "1999"},
        {"year": "2101"},
        {"year": "２０１３"},  # full-width digits pass int() but are no year here
        {"year": "abcd"},
    ],
)
def test_bad_year_or_cut_off_date_is_404(tree, people, login, params):
    client = login(people["changsha_leader"])
    assert client.get(export_url("4301"), params).status_code == 404


def test_year_and_cut_off_date_from_the_query(tree, people, login, scenario):
    client = login(people["changsha_leader"])
    response, body = download(client, "4301", year=YEAR, as_of="2013-06-30")
    assert response.status_code == 200
    sheet = workbook_of(body)["目标完成情况"]
    assert sheet["F2"].value == "统计截止日期：2013年6月30日"
    assert sheet["F4"].value == 500


def test_without_a_year_the_selected_work_year_is_exported(tree, people, login):
    from django.utils import timezone

    client = login(people["changsha_leader"])
    response, body = download(client, "4301")
    assert response.status_code == 200
    year = timezone.localdate().year
    assert workbook_of(body)["目标完成情况"]["A1"].value == f"长沙市妇女联合会{year}年工作目标完成情况汇总表"


# ---------------------------------------------------------------------------------------------------
# The command


def test_the_command_writes_a_readable_workbook(tree, scenario, tmp_path):
    output = tmp_path / "汇总表.xlsx"
    out = StringIO()
    call_command(
        "export_annual",
        "--federation",
        "4301",
        "--year",
        "2013",
        "--as-of",
        "2013-06-30",
        "--output",
        str(output),
        stdout=out,
    )
    assert str(output) in out.getvalue()
    book = openpyxl.load_workbook(output)
    assert book.sheetnames == SHEETS
    assert book["目标完成情况"]["F4"].value == 500
    assert book["目标完成情况"]["F2"].value == "统计截止日期：2013年6月30日"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--federation", "9999", "--year", "2013"], "找不到代码为 9999 的妇联"),
        (["--federation", "4301", "--year", "2013", "--as-of", "2013-13-01"], "统计截止日期应为 YYYY-MM-DD"),
        (["--federation", "4301", "--year", "2013", "--as-of", "6/30/2013"], "统计截止日期应为 YYYY-MM-DD"),
        (["--federation", "4301", "--year", "13"], "年度应为 2000–2100 之间的四位数字"),
    ],
)
def test_the_command_explains_bad_arguments(tree, tmp_path, args, message):
    output = tmp_path / "out.xlsx"
    with pytest.raises(CommandError, match=message):
        call_command("export_annual", *args, "--output", str(output), stdout=StringIO())
    assert not output.exists()


# ---------------------------------------------------------------------------------------------------
# LibreOffice


@pytest.mark.skipif(
    not (shutil.which("soffice") or shutil.which("libreoffice")), reason="LibreOffice is not installed"
)
def test_libreoffice_opens_the_workbook(tree, scenario, tmp_path):
    source = tmp_path / "export.xlsx"
    source.write_bytes(build_annual_workbook(tree["changsha"], YEAR, YEAR_END))
    office = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run(
        [
            office,
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        timeout=120,
        capture_output=True,
    )
    text = Path(tmp_path / "export.csv").read_text(encoding="utf-8")
    assert TITLE in text
    assert "培训妇女人数" in text
