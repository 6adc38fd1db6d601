"""The activity sheet's two readers: python-calamine for small formula-free sheets, openpyxl's streaming
read-only mode otherwise (activities.importing.read_sheet). Both must give the import the same cells."""

import re
import zipfile
from datetime import date, datetime, time
from io import BytesIO

import openpyxl
import pytest

from activities.importing import (
    MAX_COLUMNS,
    MAX_DENSE_CELLS,
    MAX_SHEET_ROWS,
    ImportFileError,
    _calamine_rows,
    _inspect_sheet,
    _read_rows,
    cell_text,
    parse_number_cell,
    read_sheet,
)

SHEET = "xl/worksheets/sheet1.xml"


def workbook_bytes(rows: list[list], cells: dict[str, object] | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "活动"
    for row in rows:
        sheet.append(row)
    for address, value in (cells or {}).items():
        sheet[address] = value
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


def with_sheet_xml(file_bytes: bytes, change) -> bytes:
    """The workbook with its first sheet's XML passed through ``change`` (bytes → bytes): a cell
    written as no spreadsheet program would, to reach a reader's edge."""
    source = zipfile.ZipFile(BytesIO(file_bytes))
    output = BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info, change(content) if info.filename == SHEET else content)
    return output.getvalue()


def openpyxl_sheet(file_bytes: bytes):
    workbook = openpyxl.load_workbook(BytesIO(file_bytes), read_only=True, data_only=True)
    try:
        rows = workbook["活动"].iter_rows(
            values_only=True, max_col=MAX_COLUMNS + 1, max_row=MAX_SHEET_ROWS + 1
        )
        return _read_rows(rows)
    finally:
        workbook.close()


def test_both_readers_give_the_same_cells():
    file_bytes = workbook_bytes(
        [
            ["单位代码", "活动名称", "开始日期", None, "培训妇女人数（人）", "金额"],
            ["430102", "培训 ", datetime(2013, 5, 10), None, 150, 2.5],
            [None, None, None, None, None, None],  # a blank row is skipped, its number too
            [430102, "活动二", date(2013, 5, 11), "无列名", 1e20, True],
            ["  ", "", datetime(2013, 5, 12, 14, 30), None, -3, "1,200"],
            [None, "夜", time(9, 30), None, 0.1 + 0.2, None],
        ]
    )
    assert _inspect_sheet(file_bytes, SHEET).extent <= MAX_DENSE_CELLS
    rows = _calamine_rows(file_bytes, "活动")
    assert rows is not None
    fast = _read_rows(rows)
    slow = openpyxl_sheet(file_bytes)
    assert fast.headers == slow.headers
    assert fast.numbers == slow.numbers == [2, 4, 5, 6]
    assert [[cell_text(value) for value in row] for row in fast.rows] == [
        [cell_text(value) for value in row] for row in slow.rows
    ]
    # Whole numbers stay ints (as openpyxl gives them): 150, not 150.0.
    assert fast.rows[0][4] == 150 and isinstance(fast.rows[0][4], int)


def test_a_sparse_sheet_is_streamed_rather_than_held_whole():
    """A cell far from A1 would make python-calamine build millions of empty cells: openpyxl reads it."""
    last = MAX_DENSE_CELLS // 60 + 100
    file_bytes = workbook_bytes([["单位代码", "活动名称"]], {f"BH{last}": "远处的单元格"})
    scan = _inspect_sheet(file_bytes, SHEET)
    assert (scan.last_row, scan.last_column) == (last, 60)
    assert scan.extent > MAX_DENSE_CELLS
    sheet = read_sheet(file_bytes)
    assert sheet.numbers == [last]
    assert sheet.rows[0][59] == "远处的单元格"


def test_a_date_python_calamine_cannot_convert_is_read_by_openpyxl():
    """python-calamine panics on a date serial beyond chrono's range (a hand-made file, found by the
    fuzz test): the sheet is then read by openpyxl, and the import judges the cell as before."""
    file_bytes = workbook_bytes([["单位代码", "开始日期"], ["430102", datetime(2013, 5, 10)]])
    crafted = with_sheet_xml(file_bytes, lambda xml: re.sub(rb"<v>41404</v>", b"<v>-1e20</v>", xml))
    assert _calamine_rows(crafted, "活动") is None
    try:
        sheet = read_sheet(crafted)
    except ImportFileError:
        pass  # what openpyxl made of it before python-calamine was used; either way, no crash
    else:
        assert sheet.numbers == [2]


def test_non_finite_numbers_are_not_numbers():
    """python-calamine reads <v>nan</v> and <v>1e999</v> as float NaN and infinity (openpyxl did not)."""
    for value in (float("nan"), float("inf"), float("-inf")):
        with pytest.raises(ValueError, match="应为数字"):
            parse_number_cell(value)


def test_an_error_value_is_read_as_excel_shows_it_not_as_a_blank():
    """An error constant (<c t="e"><v>#N/A</v></c>, what 选择性粘贴-数值 leaves of a failed VLOOKUP)
    is a blank to python-calamine; openpyxl gives "#N/A", which the import refuses as not a number.
    A blank would import the row without its figure, silently."""
    file_bytes = workbook_bytes([["单位代码", "培训妇女人数（人）"], ["430102", 150]])
    error = b'<c r="B2" t="e"><v>#N/A</v></c>'
    crafted = with_sheet_xml(file_bytes, lambda xml: xml.replace(b'<c r="B2" t="n"><v>150</v></c>', error))
    assert error in zipfile.ZipFile(BytesIO(crafted)).read(SHEET)
    sheet = read_sheet(crafted)
    assert sheet.rows[0][1] == "#N/A"
    with pytest.raises(ValueError, match="应为数字"):
        parse_number_cell(sheet.rows[0][1])
