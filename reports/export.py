"""The annual Excel export (年度汇总表): the roll-up laid out as a Chinese statistical table.

Sheets, each with its own merged title row (…目标完成情况表, …下级完成情况表), a line naming the
reporting unit and the cut-off date (never overlapping), bold bordered header rows that stay frozen
and repeat on every printed page, A4 landscape: fitted to the page's width, or, when that would print
the text below 8 pt, over pages across with 序号 and 单位 repeated on each (Sheet.fit_pages):

- 目标完成情况: one row per target of the federation, as the roll-up computes it;
- 下级完成情况: a 本级 row (the federation's own activities), one row per direct child, a column
  group (目标 / 完成 / 完成率) per split target, then 得分 and 排名, and a 合计 row that is the
  federation's result: for a sum, 本级 + Σ 下级 = 合计 = 目标完成情况's 完成值; where no target was
  split to a child, a page that says so;
- 指标统计: every indicator recorded in the year, with or without a target, × 本级, each child, 合计,
  then 上年同期 and 同比增减 (目标完成情况 has those two columns too);
- 活动统计: the year's activities counted by status (已完成, 计划中, 已逾期, 已取消: the dashboard's
  words) and, for those done, by type: one row for the federation's own, one per direct child, a 合计 row;
- 报送情况: how the children reported, per period ended by the cut-off date;
- 活动明细 (city level and below): every activity of the federation and below in the year, with its
  figures (a column per indicator that has any), every cell bordered (the empty figure cells by
  one conditional format rather than written one by one: Sheet.grid), and a 合计 row of the done
  activities' figures (= 指标统计's 合计). A province's or the nation's year is hundreds of
  thousands of rows no one reads on paper and a spreadsheet chokes on; there the counts stand in,
  and each city or county exports its own detail.

Every number comes from :func:`reports.rollup.rollup`, except the activity counts (one grouped
query) and the activity detail (streamed as plain rows, a query per chunk of activities). The
workbook is written through xlsxwriter's public API in its default mode (new_workbook): its typed
writes cost a quarter of openpyxl's write-only cells for a city's detail (measured: README,
Benchmark); the detail's figure cells an activity left empty are not written at all.
"""

from __future__ import annotations

import io
import math
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO, Any, NamedTuple

from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from activities.models import COUNTED_STATUSES, Activity, ActivityStatus, ActivityType, Figure
from fedwork.models import Federation, Level
from fedwork.text import clean_text
from plans.models import MONEY_UNIT, Indicator, IndicatorKind, Target

from .rollup import (
    HUNDRED,
    ChildResult,
    IndicatorStatistics,
    Progress,
    Rollup,
    indicator_statistics,
    own_name,
    rollup,
    status_labels,
)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FONT_NAME = "宋体"
# Activities fetched per round trip: large enough to be quick, small enough to keep memory flat.
ACTIVITY_CHUNK = 2000

INTEGER_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.0%"
SCORE_FORMAT = "0.00"
DATE_FORMAT = "yyyy-mm-dd"
# Day 0 of Excel's 1900 date system as its serial numbers count from 1900-03-01 on (Excel counts the
# 29 February 1900 that never was: ECMA-376 Part 1, the 1900 date system).
EXCEL_EPOCH = date(1899, 12, 30)
FIGURE_WIDTH = 12  # 活动明细's figure columns, in characters: "123,456.78" and 5 Chinese characters a line
MAX_CELL_TEXT = 32767  # Excel's limit on a cell's characters (openpyxl's check_string truncates too)

# Above these levels the export counts activities instead of listing them (see the module's docstring).
SUMMARY_ONLY_LEVELS = (Level.NATIONAL, Level.PROVINCE)

TITLE_ROW = 1
INFO_ROW = 2
HEADER_ROW = 3

# Printing (A4 landscape): the width a page prints, in points, within the sheets' margins (0.4 in each
# side), and the smallest scale a sheet may print at: 11 pt text at 0.75 is 8.25 pt. A sheet
# wider than that at this scale prints over several pages across (fitToWidth), the columns that name
# a row repeated on each (print titles), rather than shrinking its text below legibility.
PRINT_WIDTH_PT = (297 / 25.4 - 0.8) * 72
MIN_PRINT_SCALE = 0.75
TITLE_SIZE, TEXT_SIZE = 16, 11


def column_points(width: float) -> float:
    """A column's printed width in points from its width in characters, on the wide side.

    Excel prints a character of width as 7 px of Calibri plus 5 px of padding (5.25 pt); LibreOffice
    without Calibri or its metric twin Carlito (Debian's default, and CI's) measures a wider
    substitute, 7.1 pt a character (measured on this export's PDFs). Planning pages with the wider
    measure keeps every column on the page it was planned for in both; Excel's pages just end
    with some room to spare.
    """
    return width * 7.2


def text_width(text: str, size: float = TEXT_SIZE) -> float:
    """The width of a text in column-width characters: a Chinese character is two, at 11 pt."""
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text) * size / TEXT_SIZE


def export_title(federation: Federation, year: int) -> str:
    """The table's title: 长沙市妇女联合会2013年工作目标完成情况汇总表."""
    return _("%(name)s%(year)d年工作目标完成情况汇总表") % {"name": federation.name, "year": year}


SHEET_TITLES = {
    # The first sheet keeps the workbook's own title (export_title, the download's name).
    "targets": gettext_lazy("%(name)s%(year)d年工作目标完成情况汇总表"),
    "children": gettext_lazy("%(name)s%(year)d年下级完成情况表"),
    "statistics": gettext_lazy("%(name)s%(year)d年指标统计表"),
    "counts": gettext_lazy("%(name)s%(year)d年活动统计表"),
    "reports": gettext_lazy("%(name)s%(year)d年报送情况表"),
    "activities": gettext_lazy("%(name)s%(year)d年活动明细表"),
}


def sheet_title(federation: Federation, year: int, sheet: str) -> str:
    """A sheet's own title (长沙市妇女联合会2013年下级完成情况表): each sheet says what it holds."""
    return str(SHEET_TITLES[sheet]) % {"name": federation.name, "year": year}


def export_filename(federation: Federation, year: int) -> str:
    """The download's name, with the short name: 长沙市妇联2013年工作目标完成情况汇总表.xlsx."""
    return _("%(name)s%(year)d年工作目标完成情况汇总表") % {"name": federation.display_name, "year": year} + (
        ".xlsx"
    )


def chinese_date(day: date) -> str:
    return _("%(year)d年%(month)d月%(day)d日") % {"year": day.year, "month": day.month, "day": day.day}


def lists_every_activity(federation: Federation) -> bool:
    """Whether the workbook has the 活动明细 sheet: at city level and below."""
    return federation.level not in SUMMARY_ONLY_LEVELS


def build_annual_workbook(federation: Federation, year: int, as_of: date | None = None) -> bytes:
    """The annual workbook of a federation as .xlsx bytes (see :func:`write_annual_workbook`)."""
    buffer = io.BytesIO()
    write_annual_workbook(federation, year, as_of, buffer)
    return buffer.getvalue()


def write_annual_workbook(
    federation: Federation,
    year: int,
    as_of: date | None,
    output: str | IO[bytes],
    *,
    approved_only: bool = False,
    show_rank: bool = True,
) -> Rollup:
    """Write the annual workbook of a federation, for a year and a cut-off date, to a path or file;
    ``approved_only`` judges the targets on approved reports' figures (仅已审核).

    Returns the roll-up it was built from, so callers can report on it.
    """
    data = collect_annual(federation, year, as_of, approved_only=approved_only)
    if not show_rank:  # fedwork.access.may_see_ranking
        data.result.without_ranks()
    write_collected(data, output)
    return data.result


@dataclass
class AnnualData:
    """What the summary sheets show, gathered before the first row is written."""

    federation: Federation
    year: int
    result: Rollup
    children: list[Federation]
    counts: dict[tuple[int, int, str], int]  # see ActivityQuerySet.counts_by_branch
    types: list[ActivityType]  # the activity types the year's done activities use
    reports: list = field(default_factory=list)  # submissions.services.Completeness per ended period
    # The planned activities past their planned last day, counted as ``counts`` (已逾期, not 计划中).
    overdue: dict[tuple[int, int, str], int] = field(default_factory=dict)
    statistics: IndicatorStatistics | None = None  # 指标统计: every indicator recorded in the year


def collect_annual(
    federation: Federation, year: int, as_of: date | None = None, *, approved_only: bool = False
) -> AnnualData:
    """The roll-up and the activity counts: the export's queries, except the streamed detail."""
    result = rollup(federation, year, as_of, approved_only=approved_only)
    children = [child.federation for child in result.children]
    counts = Activity.objects.for_year(year).counts_by_branch(federation, children)
    used = {type_id for _branch, type_id, status in counts if status == ActivityStatus.DONE}
    types = [t for t in ActivityType.objects.order_by("order", "pk") if t.pk in used]
    overdue = Activity.objects.for_year(year).overdue().counts_by_branch(federation, children)
    return AnnualData(
        federation,
        year,
        result,
        children,
        counts,
        types,
        _completeness(federation, year, result),
        overdue,
        indicator_statistics(federation, year, result.as_of, children),
    )


def _completeness(federation: Federation, year: int, result: Rollup) -> list:
    """How the children reported for every period that had ended by the cut-off date (报送情况)."""
    from submissions.periods import periods_of
    from submissions.services import children_schedules, completeness

    if not result.children:
        return []
    schedules = children_schedules(federation, year)
    return [
        completeness(federation, period, schedules=schedules)
        for schedule in schedules
        for period in periods_of(year, schedule.frequency)
        if period.last_day <= result.as_of
    ]


def write_collected(data: AnnualData, output: str | IO[bytes]) -> None:
    """Write the workbook of collected data (the 活动明细 sheet streams its own query)."""
    federation, year = data.federation, data.year
    workbook = new_workbook(output)
    styles = Styles(workbook)
    info = (
        _("填报单位：%(name)s") % {"name": federation.name},
        _("统计截止日期：%(date)s%(view)s")
        % {
            "date": chinese_date(data.result.as_of),
            "view": _("（仅已审核数据）") if data.result.approved_only else "",
        },
    )

    def title(sheet: str) -> str:
        return sheet_title(federation, year, sheet)

    _write_targets_sheet(workbook, styles, title("targets"), info, data.result)
    _write_children_sheet(workbook, styles, title("children"), info, data.result)
    if data.statistics is not None:
        _write_statistics_sheet(workbook, styles, title("statistics"), info, data.statistics)
    _write_activity_counts_sheet(workbook, styles, title("counts"), info, data)
    if data.reports:
        _write_reports_sheet(workbook, styles, title("reports"), info, data.reports)
    if lists_every_activity(federation):
        _write_activities_sheet(workbook, styles, title("activities"), info, federation, year)
    workbook.close()


# ---------------------------------------------------------------------------------------------------
# Styles and the sheet frame


def new_workbook(output: str | IO[bytes]) -> Workbook:
    """An xlsxwriter workbook writing to a path or binary file (closed with ``workbook.close()``).

    Default mode, not constant_memory: that mode writes each row as the next one starts and so
    refuses a merge spanning rows already written (the two-row headers). Cells are held until
    close (a city's 活动明细 is tens of MB at most); the XML parts go to temporary files, not memory.
    Text is written as text by write_string only; the options keep write() from guessing too.
    """
    return Workbook(
        output,
        {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )


class Styles:
    """The export's looks (宋体, borders, alignment, number format) as xlsxwriter formats, each added
    to the workbook once, on first use, and shared by every cell of that look."""

    def __init__(self, workbook: Workbook) -> None:
        self.workbook = workbook
        self.border = {"border": 1, "border_color": "#000000"}
        self._formats: dict[tuple[str, str], Format] = {}
        plain = {"font_name": FONT_NAME, "font_size": TEXT_SIZE, "valign": "vcenter"}
        bold = {**plain, "bold": True}
        self._looks: dict[str, dict[str, Any]] = {
            "title": {**plain, "font_size": TITLE_SIZE, "bold": True, "align": "center"},
            "info_left": {**plain, "align": "left"},
            "info_right": {**plain, "align": "right"},
            "header": {**bold, "align": "center", "text_wrap": True, **self.border},
            "text": {**plain, "text_wrap": True, **self.border},
            "center": {**plain, "align": "center", **self.border},
            "number": {**plain, "align": "right", **self.border},
            "total": {**bold, "align": "center", **self.border},
            "total_number": {**bold, "align": "right", **self.border},
        }
        self._grid: Format | None = None

    def format(self, look: str, number_format: str = "General") -> Format:
        """The format of a look and number format (an Excel format code such as "#,##0")."""
        key = (look, number_format)
        found = self._formats.get(key)
        if found is None:
            properties = dict(self._looks[look])
            if number_format != "General":
                properties["num_format"] = number_format
            found = self._formats[key] = self.workbook.add_format(properties)
        return found

    @property
    def grid(self) -> Format:
        """The table's thin border alone, for a conditional format (Sheet.grid)."""
        if self._grid is None:
            self._grid = self.workbook.add_format(self.border)
        return self._grid


class Cell(NamedTuple):
    """A value and its format, as a row given to Sheet.append holds them (None: no cell)."""

    value: Any
    format: Format


def text(value: str) -> str:
    """A text as a cell holds it: without characters XML refuses, at most Excel's 32,767."""
    return clean_text(value[:MAX_CELL_TEXT], multiline=True)


def put(ws: Worksheet, row: int, column: int, value: Any, cell_format: Format | None = None) -> None:
    """Write one value to a cell (row and column from 0); every text is written as text.

    write_string, never write(): a title such as "=HYPERLINK(…)" would otherwise become a live
    formula, "#N/A" an error value, "0012" a number. None is an empty cell with the format (its
    border); a date gets the format's date code.
    """
    if isinstance(value, str):
        value = text(value) or None  # an empty text is an empty cell, as Excel saves one
    if isinstance(value, str):
        ws.write_string(row, column, value, cell_format)
    elif value is None:
        ws.write_blank(row, column, None, cell_format)
    elif isinstance(value, date):
        ws.write_datetime(row, column, value, cell_format)
    else:
        ws.write_number(row, column, value, cell_format)


class Sheet:
    """A sheet with the statistical-table frame: title, info line, header rows; rows are appended
    one after another (Sheet.append), rows and columns counted from 1 in every other method."""

    def __init__(
        self,
        workbook: Workbook,
        styles: Styles,
        name: str,
        widths: list[float],
        header_rows: int,
    ):
        self.workbook = workbook
        self.ws = workbook.add_worksheet(name)
        self.styles = styles
        self.columns = len(widths)
        self.header_rows = header_rows
        self.widths = list(widths)
        self.row = 0  # the next row append() writes, from 0
        # The columns that name a row (序号, 单位): repeated on every page when the sheet prints
        # over several pages across.
        self.title_columns = min(2, len(widths))
        self._apply_widths()
        first_data_row = HEADER_ROW + header_rows
        ws = self.ws
        ws.freeze_panes(first_data_row - 1, 0)
        ws.repeat_rows(HEADER_ROW - 1, first_data_row - 2)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        # Fit the width on as few pages across as keep the text legible (see fit_pages); as many
        # pages down as the rows need.
        ws.fit_to_pages(1, 0)
        ws.center_horizontally()
        # Narrower than Excel's default margins: a wide table keeps a readable scale on one page.
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        ws.set_header("", {"margin": 0.3})
        ws.set_footer("&C" + _("第 &P 页，共 &N 页"), {"margin": 0.3})
        self.row_height(TITLE_ROW, 32)
        self.row_height(INFO_ROW, 20)

    def _apply_widths(self) -> None:
        # One <col> per run of equal widths: a province's 下级完成情况 has 150 columns. In pixels
        # (7 a character, rounded up): set_column() would add 5 pixels of padding to each width.
        widths, first = self.widths, 0
        for index, width in enumerate(widths, start=1):
            if index == len(widths) or widths[index] != width:
                self.ws.set_column_pixels(first, index - 1, math.ceil(width * 7))
                first = index

    def row_height(self, row: int, points: float) -> None:
        """Set a row's height in points (rows from 1)."""
        self.ws.set_row(row - 1, points)

    def pages_across(self) -> list[int]:
        """The columns each page across holds, so that the text prints at least 8 pt: the columns at
        MIN_PRINT_SCALE, the title columns repeated on every page after the first, and a column
        never split. One page for most sheets: ``[self.columns]``."""
        points = [column_points(width) for width in self.widths]
        room = PRINT_WIDTH_PT / MIN_PRINT_SCALE
        if sum(points) <= room:
            return [len(points)]
        repeated = sum(points[: self.title_columns])
        pages, used = [self.title_columns], repeated
        for width in points[self.title_columns :]:
            if used + width > room and pages[-1]:
                pages.append(0)
                used = repeated
            pages[-1] += 1
            used += width
        return pages

    def fit_pages(self) -> int:
        """Print set-up from the final widths; returns the number of columns on the first page.

        A sheet that fits one page across at a legible scale is fitted to its width (fitToWidth 1).
        A wider one gets manual column breaks where pages_across() puts them, its title columns
        repeated on each page and the largest scale at which every page fits: Excel and
        LibreOffice ignore manual breaks on a sheet fitted to pages, and choose their own breaks,
        which would move the title and the cut-off date off the first page.
        """
        pages = self.pages_across()
        if len(pages) == 1:
            return pages[0]
        self.ws.repeat_columns(0, self.title_columns - 1)
        points = [column_points(width) for width in self.widths]
        repeated = sum(points[: self.title_columns])
        first, widest, breaks = 0, 0.0, []
        for number, count in enumerate(pages):
            width = sum(points[first : first + count]) + (repeated if number else 0)
            widest = max(widest, width)
            first += count
            if number < len(pages) - 1:
                breaks.append(first)
        self.ws.set_v_pagebreaks(breaks)
        # set_print_scale turns fitting to pages off: the scale and the breaks are what print.
        self.ws.set_print_scale(min(100, math.floor(PRINT_WIDTH_PT / widest * 100)))
        return pages[0]

    def cell(self, value: Any, look: str = "text", number_format: str = "General") -> Cell:
        """A value with a look, for a row given to :meth:`append`."""
        return Cell(value, self.styles.format(look, number_format))

    def grid(self, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        """Border every cell of a block (rows and columns from 1, inclusive) that was left unwritten.

        A conditional format whose rule always holds, with the table's thin border: one rule in the
        file instead of a styled empty cell for each; Excel, WPS and LibreOffice show and print it
        as they do the cells' own borders. Cells written with a look keep their own.
        """
        self.ws.conditional_format(
            first_row - 1,
            first_col - 1,
            last_row - 1,
            last_col - 1,
            {"type": "formula", "criteria": "TRUE", "format": self.styles.grid},
        )

    def merge(self, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        """Merge a block (rows and columns from 1, inclusive), before or after its cells are written:
        the cells keep what append() writes to them (merge_range is given no value nor format)."""
        if (first_row, first_col) != (last_row, last_col):
            self.ws.merge_range(first_row - 1, first_col - 1, last_row - 1, last_col - 1, None)

    def write_frame(self, title: str, info: tuple[str, str]) -> None:
        """The merged title row and the 填报单位 / 统计截止日期 line, never clipped nor overlapping.

        A sheet too narrow for its title or for both halves of the info line gets its widest
        column widened; the info line splits where the 填报单位 text ends (the middle when that
        fits), so the cut-off date always has its own cells.
        """
        left, right = text_width(info[0]) + 2, text_width(info[1]) + 2
        needed = max(text_width(title, TITLE_SIZE) + 4, left + right)
        if sum(self.widths) < needed:
            widest = max(range(len(self.widths)), key=lambda index: self.widths[index])
            self.widths[widest] += needed - sum(self.widths)
            self._apply_widths()
        # On a sheet printed over pages across, the title and the info line head the first page.
        # The title columns (序号, 单位: narrow) print again on every page across, title row
        # included: the title, centred on the first page, is wide of them.
        last = self.fit_pages()
        self.merge(TITLE_ROW, 1, TITLE_ROW, last)
        self.append([self.cell(title, "title")])
        middle = max(1, last // 2)
        if sum(self.widths[:middle]) < left or sum(self.widths[middle:last]) < right:
            middle, used = 1, self.widths[0]
            while used < left and middle < last - 1:
                used += self.widths[middle]
                middle += 1
        if middle >= last:  # a one-column sheet: the cut-off date goes under the unit
            self.append([self.cell(f"{info[0]}\n{info[1]}", "info_left")])
            return
        self.merge(INFO_ROW, 1, INFO_ROW, middle)
        self.merge(INFO_ROW, middle + 1, INFO_ROW, last)
        row: list[Cell | None] = [self.cell(info[0], "info_left")] + [None] * (middle - 1)
        row.append(self.cell(info[1], "info_right"))
        self.append(row)

    def append(self, row: list[Cell | None]) -> None:
        """Write a row of cells below the last one (None: a cell left unwritten)."""
        ws, number = self.ws, self.row
        for column, cell in enumerate(row):
            if cell is not None:
                put(ws, number, column, cell.value, cell.format)
        self.row += 1


# ---------------------------------------------------------------------------------------------------
# Values


def _number(value: Decimal | None) -> int | float | None:
    """A Decimal as an Excel number: whole numbers stay integers, nothing becomes text."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _fraction(percent: Decimal | None) -> float | None:
    """A percentage (120 meaning 120 %) as the fraction Excel formats with 0.0%."""
    return None if percent is None else float(percent / HUNDRED)


def number_format_for(indicator: Indicator) -> str:
    """#,##0 for counts; #,##0.00 for money, percentages and anything with decimals."""
    if (
        indicator.unit in (MONEY_UNIT, "%")
        or indicator.decimal_places
        or indicator.kind in (IndicatorKind.RATE, IndicatorKind.COVERAGE)
    ):
        return DECIMAL_FORMAT
    return INTEGER_FORMAT


def _year_on_year_cells(sheet, previous: Decimal | None, change: Decimal | None, fmt: str) -> list:
    """上年同期 and 同比增减 (a percentage), each "—" where there is none (see rollup.year_on_year)."""
    dash = sheet.cell("—", "center")
    return [
        dash if previous is None else sheet.cell(_number(previous), "number", fmt),
        dash if change is None else sheet.cell(_fraction(change), "number", PERCENT_FORMAT),
    ]


def _point_text(target: Target) -> str:
    point = target.work_point
    return f"{getattr(point, 'full_text', point.display_label)}{point.title}"  # the roll-up numbers it


# ---------------------------------------------------------------------------------------------------
# Sheet 1: 目标完成情况

TARGET_HEADERS = [
    gettext_lazy("序号"),
    gettext_lazy("工作要点"),
    gettext_lazy("指标"),
    gettext_lazy("单位"),
    gettext_lazy("目标值"),
    gettext_lazy("完成值"),
    gettext_lazy("完成率"),
    gettext_lazy("进度状态"),
    gettext_lazy("上年同期"),
    gettext_lazy("同比增减"),
]


def _write_targets_sheet(
    workbook: Workbook, styles: Styles, title: str, info: tuple[str, str], result: Rollup
) -> None:
    sheet = Sheet(workbook, styles, _("目标完成情况"), [6, 40, 22, 8, 12, 12, 10, 10, 12, 10], header_rows=1)
    sheet.write_frame(title, info)
    sheet.append([sheet.cell(str(header), "header") for header in TARGET_HEADERS])
    labels = status_labels()
    for number, progress in enumerate(result.progress, start=1):
        indicator = progress.target.indicator
        fmt = number_format_for(indicator)
        sheet.append(
            [
                sheet.cell(number, "center"),
                sheet.cell(_point_text(progress.target), "text"),
                sheet.cell(indicator.name, "text"),
                sheet.cell(indicator.unit, "center"),
                sheet.cell(_number(progress.target_value), "number", fmt),
                sheet.cell(_number(progress.achieved), "number", fmt),
                sheet.cell(_fraction(progress.completion), "number", PERCENT_FORMAT),
                sheet.cell(labels[progress.status], "center"),
                *_year_on_year_cells(sheet, progress.previous, progress.change, fmt),
            ]
        )


# ---------------------------------------------------------------------------------------------------
# Sheet 2: 下级完成情况


@dataclass
class _Group:
    """One column group: a target of the federation that was split to its children."""

    target: Target
    header: str

    @property
    def summable(self) -> bool:
        # Percentages do not add up: a rate or coverage has no 合计.
        return self.target.indicator.kind in (IndicatorKind.SUM, IndicatorKind.MILESTONE)


def children_groups(result: Rollup) -> list[_Group]:
    """The federation's targets split to at least one child, in the order of its plan.

    An indicator split twice (under two work points) gets one group per target, told apart by
    the work point's label.
    """
    split = {p.target.parent_target_id for child in result.children for p in child.progress}
    targets = [p.target for p in result.progress if p.target.pk in split]
    repeated = Counter(target.indicator_id for target in targets)
    groups = []
    for target in targets:
        header = str(target.indicator)  # 名称（单位）
        if repeated[target.indicator_id] > 1:
            point = target.work_point
            header = f"{header}\n{point.display_label or point.title}"
        groups.append(_Group(target, header))
    return groups


def _child_progress(child: ChildResult) -> dict[int, Progress]:
    # A child normally has one target per upper target; should it have split one further, its
    # subtree's result is the same for both, and the first one stands for the pair.
    found: dict[int, Progress] = {}
    for progress in child.progress:
        found.setdefault(progress.target.parent_target_id, progress)
    return found


def _write_no_split_page(
    workbook: Workbook, styles: Styles, title: str, info: tuple[str, str], result: Rollup
) -> None:
    """下级完成情况 when no target was split to a child: a page that says so, not an empty table."""
    federation = result.federation
    if result.children:
        note = _(
            "%(name)s%(year)d年的目标任务未分解到下级妇联，本表无分项数据。"
            "下级妇联的指标数据见“指标统计”表，活动情况见“活动统计”表。"
        ) % {"name": federation.name, "year": result.year}
    else:
        note = _("%(name)s没有下级妇联，本表无数据。本级完成情况见“目标完成情况”表。") % {
            "name": federation.name
        }
    sheet = Sheet(workbook, styles, _("下级完成情况"), [6, 30, 30, 30], header_rows=1)
    sheet.write_frame(title, info)
    sheet.merge(HEADER_ROW, 1, HEADER_ROW, sheet.columns)
    sheet.row_height(HEADER_ROW, 48)
    sheet.append([sheet.cell(note, "text")] + [sheet.cell(None, "text")] * (sheet.columns - 1))


def _write_children_sheet(
    workbook: Workbook, styles: Styles, title: str, info: tuple[str, str], result: Rollup
) -> None:
    groups = children_groups(result)
    if not groups:
        _write_no_split_page(workbook, styles, title, info, result)
        return
    widths = [6, 16] + [12, 12, 12] * len(groups) + [10, 8]
    sheet = Sheet(workbook, styles, _("下级完成情况"), widths, header_rows=2)
    sheet.write_frame(title, info)

    top, sub = HEADER_ROW, HEADER_ROW + 1
    upper: list[Any] = [sheet.cell(_("序号"), "header"), sheet.cell(_("单位"), "header")]
    lower: list[Any] = [sheet.cell(None, "header"), sheet.cell(None, "header")]
    sheet.merge(top, 1, sub, 1)
    sheet.merge(top, 2, sub, 2)
    for index, group in enumerate(groups):
        first = 3 + index * 3
        sheet.merge(top, first, top, first + 2)
        upper += [sheet.cell(group.header, "header"), sheet.cell(None, "header"), sheet.cell(None, "header")]
        lower += [sheet.cell(label, "header") for label in (_("目标"), _("完成"), _("完成率"))]
    last = 3 + len(groups) * 3
    for offset, label in enumerate((_("得分"), _("排名"))):
        sheet.merge(top, last + offset, sub, last + offset)
        upper.append(sheet.cell(label, "header"))
        lower.append(sheet.cell(None, "header"))
    sheet.row_height(top, 36 if any("\n" in g.header for g in groups) else 28)
    sheet.append(upper)
    sheet.append(lower)

    # 本级, each child, 合计 (the federation's result, as 目标完成情况 has it): for a sum, 本级 + Σ 下级
    # = 合计. A child without a share of a target still shows its figure, or the sum would not hold.
    formats = [number_format_for(group.target.indicator) for group in groups]
    progress_of = {p.target.pk: p for p in result.progress}
    blank = [sheet.cell(None, "number")] * 2
    own_row = [sheet.cell(None, "center"), sheet.cell(own_name(result.federation), "text")]
    for group, fmt in zip(groups, formats, strict=True):
        figure = result.own_figures.get(group.target.pk)
        own_row += [blank[0], sheet.cell(_number(figure), "number", fmt), blank[1]]
    own_row += [sheet.cell(None, "number"), sheet.cell(None, "center")]
    sheet.append(own_row)

    for number, child in enumerate(result.children, start=1):
        by_parent = _child_progress(child)
        child_pk = child.federation.pk
        row = [sheet.cell(number, "center"), sheet.cell(child.federation.display_name, "text")]
        for group, fmt in zip(groups, formats, strict=True):
            upper_pk = group.target.pk
            progress = by_parent.get(upper_pk)
            if progress is None:
                figure = result.child_figures.get((child_pk, upper_pk))
                row += [blank[0], sheet.cell(_number(figure), "number", fmt), blank[1]]
                continue
            row += [
                sheet.cell(_number(progress.target_value), "number", fmt),
                sheet.cell(_number(progress.achieved), "number", fmt),
                sheet.cell(_fraction(progress.completion), "number", PERCENT_FORMAT),
            ]
        row += [
            sheet.cell(_number(child.score), "number", SCORE_FORMAT),
            sheet.cell(child.rank, "center"),
        ]
        sheet.append(row)

    total: list[Any] = [sheet.cell(None, "total"), sheet.cell(_("合计"), "total")]
    for group, fmt in zip(groups, formats, strict=True):
        progress = progress_of[group.target.pk]
        total += [
            sheet.cell(_number(progress.target_value), "total_number", fmt),
            sheet.cell(_number(progress.achieved), "total_number", fmt),
            sheet.cell(_fraction(progress.completion), "total_number", PERCENT_FORMAT),
        ]
    total += [sheet.cell(None, "total_number"), sheet.cell(None, "total")]
    sheet.append(total)


# ---------------------------------------------------------------------------------------------------
# Sheet: 指标统计 (every indicator recorded in the year, with or without a target)


def _write_statistics_sheet(
    workbook: Workbook, styles: Styles, title: str, info: tuple[str, str], statistics: IndicatorStatistics
) -> None:
    children = statistics.children
    widths = [6, 28, 8, 12] + [12] * len(children) + [12, 12, 10]
    sheet = Sheet(workbook, styles, _("指标统计"), widths, header_rows=1)
    sheet.write_frame(title, info)
    headers = [_("序号"), _("指标"), _("单位"), _("本级")]
    headers += [child.display_name for child in children] + [_("合计"), _("上年同期"), _("同比增减")]
    sheet.row_height(HEADER_ROW, 30)
    sheet.append([sheet.cell(header, "header") for header in headers])
    for number, row in enumerate(statistics.rows, start=1):
        fmt = number_format_for(row.indicator)
        sheet.append(
            [
                sheet.cell(number, "center"),
                sheet.cell(row.indicator.name, "text"),
                sheet.cell(row.indicator.unit, "center"),
                sheet.cell(_number(row.own), "number", fmt),
            ]
            + [sheet.cell(_number(value), "number", fmt) for value in row.children]
            + [sheet.cell(_number(row.total), "total_number", fmt)]
            + _year_on_year_cells(sheet, row.previous, row.change, fmt)
        )


# ---------------------------------------------------------------------------------------------------
# Sheet 3: 活动统计

# The 活动统计 sheet's status columns (every status, counted or not), in the dashboard's words: a
# planned activity past its planned last day is 已逾期 (Activity.is_overdue), so 计划中 is one not yet due.
OVERDUE = "overdue"
STATUS_COLUMNS = (ActivityStatus.DONE, ActivityStatus.PLANNED, OVERDUE, ActivityStatus.CANCELLED)


def _status_label(status: str) -> str:
    return _("已逾期") if status == OVERDUE else str(ActivityStatus(status).label)


def _write_activity_counts_sheet(
    workbook: Workbook, styles: Styles, title: str, info: tuple[str, str], data: AnnualData
) -> None:
    counts, types, federation = data.counts, data.types, data.federation
    status_labels = [_status_label(status) for status in STATUS_COLUMNS]

    widths = [6, 20, 10] + [10] * len(STATUS_COLUMNS) + [10] * len(types)
    sheet = Sheet(workbook, styles, _("活动统计"), widths, header_rows=2)
    sheet.write_frame(title, info)
    top, sub = HEADER_ROW, HEADER_ROW + 1
    fixed = [_("序号"), _("单位"), _("活动总数")]
    upper: list[Any] = [sheet.cell(label, "header") for label in fixed]
    lower: list[Any] = [sheet.cell(None, "header") for _label in fixed]
    for column in range(1, len(fixed) + 1):
        sheet.merge(top, column, sub, column)
    first = len(fixed) + 1
    sheet.merge(top, first, top, first + len(STATUS_COLUMNS) - 1)
    upper += [sheet.cell(_("按状态"), "header")] + [sheet.cell(None, "header")] * (len(STATUS_COLUMNS) - 1)
    lower += [sheet.cell(label, "header") for label in status_labels]
    if types:
        first += len(STATUS_COLUMNS)
        sheet.merge(top, first, top, first + len(types) - 1)
        upper += [sheet.cell(_("已完成活动按类型"), "header")] + [sheet.cell(None, "header")] * (
            len(types) - 1
        )
        lower += [sheet.cell(activity_type.name, "header") for activity_type in types]
    sheet.append(upper)
    sheet.append(lower)

    branches = [(federation, _("%(name)s（本级）") % {"name": federation.display_name})]
    branches += [(child, child.display_name) for child in data.children]
    totals = [0] * (1 + len(STATUS_COLUMNS) + len(types))
    per_status: Counter = Counter()
    for (branch_id, _type_id, status), count in counts.items():
        per_status[(branch_id, status)] += count
    for (branch_id, _type_id, _status), count in data.overdue.items():
        per_status[(branch_id, ActivityStatus.PLANNED)] -= count
        per_status[(branch_id, OVERDUE)] += count
    for number, (branch, name) in enumerate(branches, start=1):
        by_status = [per_status[(branch.pk, status)] for status in STATUS_COLUMNS]
        by_type = [counts.get((branch.pk, t.pk, ActivityStatus.DONE), 0) for t in types]
        values = [sum(by_status)] + by_status + by_type
        totals = [total + value for total, value in zip(totals, values, strict=True)]
        sheet.append(
            [sheet.cell(number, "center"), sheet.cell(name, "text")]
            + [sheet.cell(value, "number", INTEGER_FORMAT) for value in values]
        )
    sheet.append(
        [sheet.cell(None, "total"), sheet.cell(_("合计"), "total")]
        + [sheet.cell(value, "total_number", INTEGER_FORMAT) for value in totals]
    )


# ---------------------------------------------------------------------------------------------------
# Sheet: 报送情况 (上报率 / 及时率 of the children, per period)

REPORT_HEADERS = [
    gettext_lazy("报送期"),
    gettext_lazy("截止日期"),
    gettext_lazy("应报"),
    gettext_lazy("已报"),
    gettext_lazy("按时"),
    gettext_lazy("已通过"),
    gettext_lazy("已退回"),
    gettext_lazy("上报率"),
    gettext_lazy("及时率"),
    gettext_lazy("未报单位"),
]


def _write_reports_sheet(
    workbook: Workbook, styles: Styles, title: str, info: tuple[str, str], reports
) -> None:
    sheet = Sheet(workbook, styles, _("报送情况"), [16, 12, 8, 8, 8, 8, 8, 10, 10, 50], header_rows=1)
    sheet.write_frame(title, info)
    sheet.append([sheet.cell(str(label), "header") for label in REPORT_HEADERS])
    for report in reports:
        counts = [report.expected, report.submitted, report.on_time, report.approved, report.returned]
        sheet.append(
            [sheet.cell(str(report.period.label), "text"), sheet.cell(report.due, "center", "yyyy-mm-dd")]
            + [sheet.cell(value, "number", INTEGER_FORMAT) for value in counts]
            + [
                sheet.cell(float(rate) / 100 if rate is not None else None, "number", PERCENT_FORMAT)
                for rate in (report.rate, report.timely_rate)
            ]
            + [sheet.cell("、".join(f.display_name for f in report.missing), "text")]
        )


# ---------------------------------------------------------------------------------------------------
# Sheet 4: 活动明细

ACTIVITY_HEADERS = [
    gettext_lazy("序号"),
    gettext_lazy("单位"),
    gettext_lazy("活动名称"),
    gettext_lazy("活动类型"),
    gettext_lazy("活动日期"),
    gettext_lazy("状态"),
    gettext_lazy("地点"),
]


def _activity_rows(federation: Federation, year: int) -> Iterator[tuple[tuple, list[tuple[int, Decimal]]]]:
    """The federation's and its subtree's activities of the year, in the sheet's order, each with its
    figures: ((unit's display name, title, type name, calendar day, planned month, status, place),
    [(indicator id, value)]).

    Plain tuples streamed by chunks of ACTIVITY_CHUNK, each chunk's figures in one query: no model
    instances (a city's year is tens of thousands of activities).
    """
    activities = (
        Activity.objects.in_subtree(federation)
        .for_year(year)
        # NULLs placed explicitly so SQLite and PostgreSQL give the same order.
        .order_by("federation__path", F("calendar_day").asc(nulls_last=True), "planned_month", "pk")
        .values_list(
            "pk",
            "federation__short_name",
            "federation__name",
            "title",
            "type__name",
            "calendar_day",
            "planned_month",
            "status",
            "place",
        )
    )
    chunk: list[tuple] = []

    def with_figures() -> Iterator[tuple[tuple, list[tuple[int, Decimal]]]]:
        figures: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
        rows = Figure.objects.filter(activity_id__in=[row[0] for row in chunk]).values_list(
            "activity_id", "indicator_id", "value"
        )
        for activity_id, indicator_id, value in rows:
            figures[activity_id].append((indicator_id, value))
        for pk, short_name, name, *rest in chunk:
            yield (short_name or name, *rest), figures.get(pk, [])

    for row in activities.iterator(chunk_size=ACTIVITY_CHUNK):
        chunk.append(row)
        if len(chunk) == ACTIVITY_CHUNK:
            yield from with_figures()
            chunk = []
    if chunk:
        yield from with_figures()


def _write_activities_sheet(
    workbook: Workbook,
    styles: Styles,
    title: str,
    info: tuple[str, str],
    federation: Federation,
    year: int,
) -> None:
    # The columns must be known before the first row is streamed: one query for the indicators
    # the year's figures use.
    indicators = list(
        Indicator.objects.filter(
            Federation.objects.subtree_q(federation, "figures__activity__federation"),
            figures__activity__year=year,
        )
        .distinct()
        .order_by("code")
    )
    # Narrow figure columns under wrapped headers (培训妇女人数（人） on three lines): a county's dozen
    # indicators print on two A4 pages across, not shrunk onto one below legibility.
    widths = [6, 16, 28, 10, 12, 8, 16] + [FIGURE_WIDTH] * len(indicators)
    sheet = Sheet(workbook, styles, _("活动明细"), widths, header_rows=1)
    sheet.write_frame(title, info)
    headers = [str(header) for header in ACTIVITY_HEADERS] + [str(indicator) for indicator in indicators]
    lines = max([1] + [math.ceil(text_width(header) / (FIGURE_WIDTH - 2)) for header in headers[7:]])
    sheet.row_height(HEADER_ROW, max(30, 16 * lines + 4))
    sheet.append([sheet.cell(header, "header") for header in headers])

    formats = [number_format_for(indicator) for indicator in indicators]
    column_of = {indicator.pk: index for index, indicator in enumerate(indicators)}
    # Translated once, not once per row (get_status_display resolves a lazy string every time).
    status_labels = {value: str(label) for value, label in ActivityStatus.choices}
    counted_statuses = set(COUNTED_STATUSES)
    summable = [indicator.kind == IndicatorKind.SUM for indicator in indicators]
    totals = [Decimal(0)] * len(indicators)
    # The hot loop of a city's export (tens of thousands of rows): the worksheet's own typed writes,
    # each format looked up once. Text goes through write_string (text(), as put() does); a day is
    # its serial number under the date format, which is what write_datetime stores, at a tenth of
    # its cost (it converts through datetime and time zones: 3 of 29 s profiled).
    ws, center, wrapped = sheet.ws, styles.format("center"), styles.format("text")
    day_format = styles.format("center", DATE_FORMAT)
    figure_formats = [styles.format("number", fmt) for fmt in formats]
    write_number, write_string, write_blank = ws.write_number, ws.write_string, ws.write_blank
    month_labels = {month: _("%(month)d月") % {"month": month} for month in range(1, 13)}
    # An activity records a few of the year's dozens of indicators: its other figure cells are not
    # written at all, and sheet.grid() borders them, so the printed grid has no holes. Writing
    # them as bordered empty cells was four fifths of a city's cells and of its export's time.
    first_figure = len(ACTIVITY_HEADERS)
    counted = 0
    number = 0
    row = sheet.row
    for number, (activity, figures) in enumerate(_activity_rows(federation, year), start=1):
        unit, activity_title, type_name, calendar_day, planned_month, status, place = activity
        write_number(row, 0, number, center)
        write_string(row, 1, text(unit), wrapped)
        write_string(row, 2, text(activity_title), wrapped)
        write_string(row, 3, text(type_name), center)
        if calendar_day:
            write_number(row, 4, (calendar_day - EXCEL_EPOCH).days, day_format)
        elif planned_month:  # only the month is planned: say so rather than invent a day
            write_string(row, 4, month_labels[planned_month], center)
        else:
            write_blank(row, 4, None, center)
        write_string(row, 5, status_labels.get(status, status), center)
        if place:
            write_string(row, 6, text(place), wrapped)
        else:
            write_blank(row, 6, None, wrapped)
        done = status in counted_statuses
        counted += done
        for indicator_id, value in figures:  # one figure per indicator and activity (a unique key)
            index = column_of[indicator_id]
            write_number(row, first_figure + index, _number(value), figure_formats[index])
            if done:
                totals[index] += value
        row += 1
    sheet.row = row
    if number and indicators:
        sheet.grid(HEADER_ROW + 1, first_figure + 1, HEADER_ROW + number, first_figure + len(indicators))

    # 合计: the figures of the done activities (as every other sheet counts them), so that each
    # column's total is the 指标统计 sheet's 合计 for the year; a rate's or coverage's is not a sum.
    total_row = number + HEADER_ROW + 1
    sheet.merge(total_row, 3, total_row, len(ACTIVITY_HEADERS))
    sheet.append(
        [sheet.cell(None, "total"), sheet.cell(_("合计"), "total")]
        + [sheet.cell(_("已完成活动%(count)d项") % {"count": counted}, "total")]
        + [sheet.cell(None, "total")] * (len(ACTIVITY_HEADERS) - 3)
        + [
            sheet.cell(_number(total), "total_number", fmt) if can_sum else sheet.cell(None, "total_number")
            for total, fmt, can_sum in zip(totals, formats, summable, strict=True)
        ]
    )


__all__ = [
    "XLSX_CONTENT_TYPE",
    "build_annual_workbook",
    "collect_annual",
    "write_collected",
    "write_annual_workbook",
    "export_title",
    "export_filename",
    "children_groups",
    "lists_every_activity",
    "number_format_for",
]
