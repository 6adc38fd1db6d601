"""The annual export prints: A4 landscape on every sheet, text never below 8 pt, no column clipped,
the info line never overlapping, 活动明细 bordered with a 合计 row, a page for children without splits.

The LibreOffice test converts the workbook to PDF (as CI does, .ci/run installs LibreOffice) and reads
every page's text and its printed size with pypdf.
"""

from __future__ import annotations

import io
import math
import re
import shutil
import subprocess
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from openpyxl.cell.cell import MergedCell
from pypdf import PdfReader

from activities import services
from activities.models import Activity, ActivityStatus, ActivityType
from plans.models import PlanStatus
from reports.export import MIN_PRINT_SCALE, build_annual_workbook, text_width
from tests import factories

BEIJING = ZoneInfo("Asia/Shanghai")
YEAR = 2013
YEAR_END = date(YEAR, 12, 31)
INDICATORS = 15


def record(federation, figures, *, title, status=ActivityStatus.DONE, month=5):
    activity = Activity(
        federation=federation,
        year=YEAR,
        type=ActivityType.objects.get(name="培训"),
        title=title,
        status=status,
        place="妇女儿童活动中心",
        actual_start=datetime(YEAR, month, 10, 9, tzinfo=BEIJING),
    )
    return services.activity_save(activity=activity, figures=figures, by=None)


@pytest.fixture
def wide_year(tree):
    """长沙市 2013: fifteen indicators recorded (活动明细 is three pages across), four split targets
    (下级完成情况 too), a planned activity whose figures count nowhere."""
    nation = tree["nation"]
    indicators = [
        factories.indicator(f"W{number:02d}", f"开展第{number}类妇女培训服务人数", "人", nation)
        for number in range(1, INDICATORS + 1)
    ]
    plan = factories.plan(tree["changsha"], status=PlanStatus.PUBLISHED)
    point = factories.point(plan, "加强就业技能培训", label="1")
    child_points = {
        place: factories.point(factories.plan(tree[place]), "贯彻落实", label="1")
        for place in ("furong", "yuelu")
    }
    for indicator in indicators[:4]:
        upper = factories.target(point, indicator, 1000)
        for child_point in child_points.values():
            factories.target(child_point, indicator, 500, parent_target=upper)
    record(
        tree["furong"],
        {indicator: Decimal(1000 + n) for n, indicator in enumerate(indicators, start=1)},
        title="芙蓉区全年培训汇总",
    )
    record(tree["yuelu"], {indicators[0]: Decimal(2345)}, title="岳麓区秋季培训", month=9)
    record(tree["yuelu"], {indicators[0]: Decimal(99)}, title="计划培训", status=ActivityStatus.PLANNED)
    return indicators


def workbook(tree) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(build_annual_workbook(tree["changsha"], YEAR, YEAR_END)))


def merged_width(sheet, cell_range) -> float:
    columns = range(cell_range.min_col, cell_range.max_col + 1)
    return sum(sheet.column_dimensions[openpyxl.utils.get_column_letter(c)].width for c in columns)


def fitted_to_page(sheet) -> bool:
    properties = sheet.sheet_properties.pageSetUpPr
    return bool(properties and properties.fitToPage)


def pages_across(sheet) -> int:
    """How many pages across a sheet prints: fitToWidth when fitted to pages (1, the default, is left
    unwritten by xlsxwriter), else one more than its manual column breaks."""
    if fitted_to_page(sheet):
        return int(sheet.page_setup.fitToWidth or 1)
    return len(sheet.col_breaks.brk) + 1


def test_every_sheet_is_set_up_for_a4_landscape(tree, wide_year):
    book = workbook(tree)
    for sheet in book:
        setup = sheet.page_setup
        assert (setup.orientation, setup.paperSize) == ("landscape", 9), sheet.title
        assert sheet.print_title_rows.startswith("$3:")  # the header rows repeat on every page
        if fitted_to_page(sheet):  # one page across, as many down as the rows need
            assert pages_across(sheet) == 1 and int(setup.fitToHeight) == 0, sheet.title
            assert not sheet.col_breaks.brk
        else:  # wider than a page: pages across, never a scale below legibility
            assert pages_across(sheet) > 1, sheet.title
            assert int(setup.scale) >= MIN_PRINT_SCALE * 100
            assert sheet.print_title_cols == "$A:$B"  # 序号, 单位 on every page
    assert pages_across(book["活动明细"]) == 3  # 7 columns and 15 figures: 4, 10 and 1 a page


def test_the_cut_off_date_never_runs_into_the_unit(tree, wide_year):
    for sheet in workbook(tree):
        unit, cut_off = sorted(
            (r for r in sheet.merged_cells.ranges if r.min_row == r.max_row == 2), key=lambda r: r.min_col
        )
        assert sheet.cell(2, unit.min_col).value == "填报单位：长沙市妇女联合会"
        assert sheet.cell(2, cut_off.min_col).value == "统计截止日期：2013年12月31日"
        assert unit.max_col < cut_off.min_col
        assert merged_width(sheet, unit) >= text_width("填报单位：长沙市妇女联合会")
        assert merged_width(sheet, cut_off) >= text_width("统计截止日期：2013年12月31日")


def test_a_narrow_sheet_is_widened_for_its_title_and_info(tree):
    book = openpyxl.load_workbook(io.BytesIO(build_annual_workbook(tree["dingwangtai"], YEAR, YEAR_END)))
    for sheet in book:
        title = next(r for r in sheet.merged_cells.ranges if r.min_row == 1)
        assert merged_width(sheet, title) >= text_width(sheet["A1"].value, 16), sheet.title


def test_activity_detail_has_borders_everywhere_and_a_total_of_the_done(tree, wide_year):
    book = workbook(tree)
    sheet = book["活动明细"]
    header = [cell.value for cell in sheet[3]]
    assert len(header) == 7 + INDICATORS  # only the indicators with figures
    body = list(sheet.iter_rows(min_row=4))
    titles = [row[2].value for row in body]
    assert titles == ["芙蓉区全年培训汇总", "计划培训", "岳麓区秋季培训", "已完成活动2项"]
    # Every written cell has its border; the figure cells an activity left empty are not written,
    # and one conditional format over the figure block borders them (it prints: see the LibreOffice
    # test below).
    grid = [(str(rules.sqref), rule) for rules in sheet.conditional_formatting for rule in rules.rules]
    assert [(sqref, rule.formula) for sqref, rule in grid] == [(f"H4:V{3 + len(body) - 1}", ["TRUE"])]
    border = grid[0][1].dxf.border
    assert {side.style for side in (border.left, border.right, border.top, border.bottom)} == {"thin"}
    for row in body:
        for cell in row:
            if isinstance(cell, MergedCell):  # the 合计 row's label spans 活动名称 to 地点
                continue
            if cell.has_style:
                assert cell.border.left.style == "thin" and cell.border.bottom.style == "thin"
            else:
                assert cell.value is None and cell.column >= 8 and cell.row < 3 + len(body), cell
    total = body[-1]
    assert total[1].value == "合计"
    assert total[7].value == 1001 + 2345  # the planned 99 is not done: not in the total
    assert [cell.value for cell in total[8:]] == [1000 + n for n in range(2, INDICATORS + 1)]
    # The same totals as the 指标统计 sheet's 合计 column, indicator by indicator.
    statistics = book["指标统计"]
    total_column = [cell.value for cell in statistics[3]].index("合计")
    by_name = {row[1]: row[total_column] for row in statistics.iter_rows(min_row=4, values_only=True)}
    for column, indicator in enumerate(wide_year, start=7):
        assert total[column].value == by_name[indicator.name]


def test_children_without_split_targets_get_a_page_that_says_so(tree, wide_year):
    book = openpyxl.load_workbook(io.BytesIO(build_annual_workbook(tree["furong"], YEAR, YEAR_END)))
    sheet = book["下级完成情况"]
    assert sheet["A3"].value == (
        "芙蓉区妇女联合会2013年的目标任务未分解到下级妇联，本表无分项数据。"
        "下级妇联的指标数据见“指标统计”表，活动情况见“活动统计”表。"
    )
    assert sheet["A3"].alignment.wrap_text
    assert any(str(r) == "A3:D3" for r in sheet.merged_cells.ranges)
    assert sheet.max_row == 3


# LibreOffice ---------------------------------------------------------------------------------------


def printed_sizes(page) -> list[tuple[float, str]]:
    """The printed size in points of every piece of text on a PDF page (font size × text and
    current transformation matrices' scale)."""
    found = []

    def visit(text, cm, tm, _font, size):
        if text.strip():
            a, b, c, d = tm[:4]
            e, f, g, h = cm[:4]
            matrix = (a * e + b * g, a * f + b * h, c * e + d * g, c * f + d * h)
            found.append((size * math.sqrt(abs(matrix[0] * matrix[3] - matrix[1] * matrix[2])), text))

    page.extract_text(visitor_text=visit)
    return found


@pytest.mark.skipif(
    not (shutil.which("soffice") or shutil.which("libreoffice")), reason="LibreOffice is not installed"
)
def test_libreoffice_prints_every_page_legibly_and_every_column_whole(tree, wide_year, tmp_path):
    source = tmp_path / "export.xlsx"
    source.write_bytes(build_annual_workbook(tree["changsha"], YEAR, YEAR_END))
    office = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run(
        [
            office,
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        timeout=180,
        capture_output=True,
    )
    pdf = PdfReader(tmp_path / "export.pdf")
    book = openpyxl.load_workbook(source)
    # Every page is A4 landscape and no text on it is smaller than 8 pt.
    for number, page in enumerate(pdf.pages, start=1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == (842, 595), number
        sizes = printed_sizes(page)
        assert sizes, number
        smallest = min(sizes)
        assert smallest[0] >= 8, (number, smallest)
    # No column clipped: every header and every text of every sheet is printed whole somewhere.
    printed = re.sub(r"\s+", "", "".join(page.extract_text() for page in pdf.pages))
    for sheet in book:
        texts = [sheet["A1"].value, "填报单位：长沙市妇女联合会", "统计截止日期：2013年12月31日"]
        for row in sheet.iter_rows(min_row=3, values_only=True):
            texts += [value for value in row if isinstance(value, str)]
        for text in texts:
            assert re.sub(r"\s+", "", text) in printed, (sheet.title, text)
    # The detail's figures, and their totals, formatted as the sheet formats them.
    detail = book["活动明细"]
    total_row = detail.max_row
    for column in range(8, 8 + INDICATORS):
        value = detail.cell(total_row, column).value
        assert f"{value:,}" in printed
    # Pages across for 活动明细 (three) and 下级完成情况 (two), one for each other sheet's rows.
    assert len(pdf.pages) >= len(book.sheetnames) + 3
