"""Activities in and out of Excel: the per-federation template and the all-or-nothing import.

The import runs in two passes over the same code: a dry run that validates every row and builds the
preview, and the real run (the confirm step or the command) that validates again and writes inside
one transaction. Rows are cleaned by plain code (:class:`_RowCleaner`) and written in batches of
BATCH_SIZE, so 10,000 rows become a handful of batched INSERTs. Every lookup a row needs
(federations, activity types, work points, indicators) is read up front in a few queries; nothing is
queried per row.

Every database write of an import happens in activities.services.activity_import_batch, called only
from inside :func:`import_activities`' transaction: that is the place to hook anything that must
change together with imported activities. The roll-up totals are the exception that proves it: the
batches add up their contributions, and :func:`import_activities` applies them once, just before the
commit, so the ancestors' totals rows — which every writer below them updates too — stay locked for
a moment, not for the whole import.

The workbook is untrusted: before openpyxl or python-calamine expands anything, the zip's parts are
inspected as they stream (declared dimension, cells per row and per sheet, shared strings, DTDs), so a
small hostile file is refused in milliseconds. Values are the ones Excel shows (cached formula
results); a formula without one is a row error, never a silent blank. Rows identical to saved
activities or to earlier rows are flagged, and saved only when the caller says they are really new
(``allow_duplicates``); likewise a figure far beyond what one activity records
(services.implausible_figure, the form's 确认无误 check) flags its row, saved only when the caller says
the figures were checked (``allow_implausible``).
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
import warnings
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from io import BytesIO
from typing import Any

import openpyxl
from defusedxml.ElementTree import fromstring as defused_fromstring
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.packaging.custom import IntProperty
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineWorkbook

from fedwork import access
from fedwork.models import Federation, User
from fedwork.text import clean_text
from plans.models import Indicator, Plan, PlanStatus, WorkPoint, format_decimal

from . import services, totals
from .models import Activity, ActivityStatus, ActivityType, Figure
from .services import enterable_indicators, figure_error, implausible_figure

logger = logging.getLogger(__name__)

# Column headers, sheet titles, the history change reason and the date formats are the file format and
# stored data, not UI: they stay plain strings and must not change with the reader's language.
COL_FEDERATION = "单位代码"
COL_TITLE = "活动名称"
COL_TYPE = "活动类型"
COL_START = "开始日期"
COL_END = "结束日期"
COL_PLACE = "地点"
COL_POINT = "工作要点编号"
FIXED_COLUMNS = [COL_FEDERATION, COL_TITLE, COL_TYPE, COL_START, COL_END, COL_PLACE, COL_POINT]
REQUIRED_COLUMNS = [COL_FEDERATION, COL_TITLE, COL_TYPE, COL_START]

MAX_FILE_BYTES = 10 * 1024 * 1024
# An .xlsx is a zip: a small file can still unpack to gigabytes, so the unpacked size is capped too.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_DATA_ROWS = 20_000
# Blank but formatted rows are skipped; this bounds how many physical rows are read at all.
MAX_SHEET_ROWS = 50_000
MAX_COLUMNS = 100
# Checked on the compressed file's XML before openpyxl expands it (a 450 KB file can hold millions of
# cells). A row may carry formatted empty cells past the data, hence the looser per-row cap.
MAX_ROW_CELLS = 1000
MAX_SHEET_CELLS = 3_000_000
# The largest rectangle from A1 to a sheet's last cell read with python-calamine, which holds it whole
# (about 100 bytes a cell); bigger or sparse sheets are streamed by openpyxl instead (read_sheet).
MAX_DENSE_CELLS = 1_500_000
MAX_SHARED_STRINGS = 500_000
# Parts openpyxl parses whole (styles, workbook, relationships …) are small in any real workbook.
MAX_PART_BYTES = 20 * 1024 * 1024
SCAN_CHUNK_BYTES = 1024 * 1024
SCAN_OVERLAP_BYTES = 64  # longer than any tag the scan looks for, namespace prefix included
PROLOGUE_BYTES = 4096
TEMPLATE_YEAR_NAME = "fedwork_year"  # the defined name build_template writes the year into
BATCH_SIZE = 1000
DATA_SHEET_TITLE = "活动"  # not translated: imports find the data sheet by this name
HELP_SHEET_TITLE = "说明"  # not translated: the type list validation refers to the sheet by name
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The preview page lists at most this many rows and errors (an import may have 20,000 of each), and
# quotes at most SHOWN_TEXT characters of a cell.
PREVIEW_ROWS = 200
PREVIEW_ERRORS = 500
SHOWN_TEXT = 200
FORMULA_WITHOUT_VALUE = gettext_lazy("公式没有计算结果，请在 Excel 中打开并保存后再导入，或直接填写数值")

# Plans of upper federations whose work points an activity may serve: what they hand down.
HANDED_DOWN_STATUSES = [PlanStatus.PUBLISHED, PlanStatus.ARCHIVED]
# Not translated: these are the date texts the file may contain, whatever the reader's language.
TEXT_DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]
TEXT_TIME_FORMATS = ["", " %H:%M", " %H:%M:%S"]


class ImportFileError(Exception):
    """The file as a whole cannot be imported (not an .xlsx, empty, too large …); message translated."""


@dataclass(frozen=True)
class RowError:
    """One problem in the spreadsheet: row number as Excel shows it (header = 1), column header, reason."""

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        if self.column:
            return _("第%(row)s行 %(column)s：%(reason)s") % {
                "row": self.row,
                "column": self.column,
                "reason": self.reason,
            }
        return _("第%(row)s行：%(reason)s") % {"row": self.row, "reason": self.reason}


@dataclass
class PreviewRow:
    """One data row as it will be saved (or, when it has errors, as it was read)."""

    number: int
    federation: str = ""
    title: str = ""
    type: str = ""
    dates: str = ""
    place: str = ""
    work_point: str = ""
    figures: list[str] = field(default_factory=list)
    has_errors: bool = False
    # Why this row looks like one already saved or an earlier row of the file; "" when it does not.
    duplicate_of: str = ""
    # Figures far beyond what one activity records (services.implausible_figure), one RowError per cell
    # (row, column header, the warning); saved only when the user says they were checked.
    implausible: list[RowError] = field(default_factory=list)


@dataclass
class ImportReport:
    """What an import found (dry run) or did: every row, every error, how many activities were saved."""

    year: int
    dry_run: bool
    rows: list[PreviewRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    imported: int = 0
    # The title of the worksheet the rows were read from.
    sheet_title: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_rows(self) -> set[int]:
        return {error.row for error in self.errors}

    @property
    def duplicates(self) -> list[PreviewRow]:
        """Rows identical to a saved activity or to an earlier row: saved only when the user says so."""
        return [row for row in self.rows if row.duplicate_of]

    @property
    def implausible(self) -> list[RowError]:
        """Every implausible figure of the file ("第N行 <column>：<warning>" as str), in row order:
        saved only when the user ticked 以上数值已核对无误 (the form's 确认无误)."""
        return [warning for row in self.rows for warning in row.implausible]

    @property
    def shown_implausible(self) -> list[RowError]:
        return self.implausible[:PREVIEW_ERRORS]

    @property
    def hidden_implausible_count(self) -> int:
        return max(0, len(self.implausible) - PREVIEW_ERRORS)

    @property
    def shown_rows(self) -> list[PreviewRow]:
        return self.rows[:PREVIEW_ROWS]

    @property
    def hidden_row_count(self) -> int:
        return max(0, len(self.rows) - PREVIEW_ROWS)

    @property
    def shown_errors(self) -> list[RowError]:
        return self.errors[:PREVIEW_ERRORS]

    @property
    def hidden_error_count(self) -> int:
        return max(0, len(self.errors) - PREVIEW_ERRORS)

    @property
    def shown_duplicates(self) -> list[PreviewRow]:
        return self.duplicates[:PREVIEW_ERRORS]

    @property
    def hidden_duplicate_count(self) -> int:
        return max(0, len(self.duplicates) - PREVIEW_ERRORS)


class ImportRowsError(Exception):
    """The real run found row errors; the transaction was rolled back and nothing was saved."""

    def __init__(self, report: ImportReport):
        shown = [str(error) for error in report.errors[:5]]
        if len(report.errors) > 5:
            shown.append(_("……共%(count)s处错误") % {"count": len(report.errors)})
        super().__init__("\n".join(shown))
        self.report = report


class ImportDuplicatesError(Exception):
    """The real run found rows identical to saved activities (or to each other) and the user had not
    confirmed them as new; the transaction was rolled back and nothing was saved."""

    def __init__(self, report: ImportReport):
        count = len(report.duplicates)
        super().__init__(
            _("有 %(count)s 行与已有活动或文件中的其他行重复，未导入任何活动。") % {"count": count}
        )
        self.report = report


class ImportImplausibleError(Exception):
    """The real run found figures far beyond what one activity records (services.implausible_figure)
    and the user had not ticked 以上数值已核对无误; the transaction was rolled back and nothing was saved."""

    def __init__(self, report: ImportReport):
        count = len(report.implausible)
        super().__init__(
            _("有 %(count)s 个数值异常大，请核对（是否多输了0？），未导入任何活动。") % {"count": count}
        )
        self.report = report


def indicator_header(indicator: Indicator) -> str:
    """The column header of an indicator: 培训妇女人数（人）. Not translated: it is the file format."""
    return f"{indicator.name}（{indicator.unit}）"


def may_import(user: User) -> bool:
    """Who may upload an activity workbook: fedwork.access.may_import_activities (each row's
    federation is then checked with access.can_edit_records)."""
    return access.may_import_activities(user)


# --- Reading the workbook --------------------------------------------------------------------------


@dataclass
class Sheet:
    headers: list[str]
    rows: list[tuple[Any, ...]]
    # The spreadsheet row number of each entry of ``rows`` (blank rows are skipped).
    numbers: list[int]
    title: str = ""


def _check_xlsx_container(file_bytes: bytes) -> None:
    if not file_bytes:
        raise ImportFileError(_("文件为空。"))
    if len(file_bytes) > MAX_FILE_BYTES:
        raise ImportFileError(
            _("文件过大（不超过 %(size)s MB）。") % {"size": MAX_FILE_BYTES // (1024 * 1024)}
        )
    if file_bytes.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(_("这是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后再导入。"))
    if not file_bytes.startswith(b"PK\x03\x04"):
        raise ImportFileError(_("不是 Excel（.xlsx）文件，请使用下载的模板填写。"))
    try:
        with zipfile.ZipFile(BytesIO(file_bytes)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ImportFileError(_("文件已损坏，无法作为 Excel（.xlsx）文件打开。")) from error
    if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
        raise ImportFileError(_("文件内容过大，无法导入。"))
    if "xl/workbook.xml" not in {info.filename for info in infos}:
        raise ImportFileError(
            _("不是 Excel（.xlsx）文件（可能是改了扩展名的其他文件），请使用下载的模板填写。")
        )


def _damaged() -> ImportFileError:
    return ImportFileError(_("无法读取该 Excel 文件，文件可能已损坏。"))


def _too_many_cells() -> ImportFileError:
    return ImportFileError(
        _(
            "工作表单元格过多（每行不超过 %(row_cells)s 个单元格，共不超过 %(cells)s 个），"
            "请删除多余的行和列后再导入。"
        )
        % {"row_cells": MAX_ROW_CELLS, "cells": MAX_SHEET_CELLS}
    )


def _too_many_rows() -> ImportFileError:
    return ImportFileError(
        _("工作表超过 %(sheet_rows)s 行，请删除多余的行（数据不超过 %(data_rows)s 行）。")
        % {"sheet_rows": MAX_SHEET_ROWS, "data_rows": MAX_DATA_ROWS}
    )


def _scan_tags(archive: zipfile.ZipFile, name: str, pattern: re.Pattern[bytes], on_match) -> bytes:
    """Decompress one part chunk by chunk and call ``on_match(match)`` for each tag ``pattern`` finds,
    in order; ``on_match`` raises to stop early. Returns the part's first chunk (for its prologue).

    Memory stays at about two chunks whatever the part unpacks to: the tags are counted as the bytes
    stream past, never parsed into a tree.
    """
    first = b""
    tail = b""
    with archive.open(name) as part:
        while True:
            chunk = part.read(SCAN_CHUNK_BYTES)
            if not first:
                first = chunk
            buffer = tail + chunk
            # A tag cut by the chunk boundary is matched in the next round, never twice.
            limit = len(buffer) if not chunk else max(0, len(buffer) - SCAN_OVERLAP_BYTES)
            for match in pattern.finditer(buffer):
                if match.start() >= limit:
                    break
                on_match(match)
            tail = buffer[limit:]
            if not chunk:
                return first


_DOCTYPE = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_SHARED_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(si)[\s/>]")
# A row's or cell's address (r="12", r="AB12") when it is the tag's first attribute, as Excel, WPS and
# openpyxl write it: the sheet's extent, which python-calamine allocates densely (see read_sheet).
# An error cell's type (t="e", e.g. #N/A pasted as a value) is matched on its own, wherever it stands
# in the tag: python-calamine reads an error as a blank, so such a sheet is read by openpyxl.
_SHEET_TAG = re.compile(
    rb'<(?:[A-Za-z_][\w.-]*:)?(row|c|f)(?=[\s/>])(?:\s+r="([A-Za-z]{0,3})(\d{1,7})")?|\st="(e)"'
)
_DIMENSION = re.compile(
    rb'<(?:[A-Za-z_][\w.-]*:)?dimension\s+ref="([A-Za-z$]*)(\d*)(?::[$]?([A-Za-z]+)[$]?(\d+))?"'
)
_SST_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sst[\s>]")
_SST_COUNT = re.compile(rb'\s(?:count|uniqueCount)="(\d+)"')


def _inspect_parts(file_bytes: bytes) -> None:
    """Refuse, before openpyxl reads anything, what it would expand without bound.

    - any XML part with a DTD (entity expansion: "billion laughs"; an .xlsx never needs one);
    - an XML part other than worksheets and shared strings (which are streamed, or checked below) over
      MAX_PART_BYTES unpacked: openpyxl parses those whole;
    - more than MAX_SHARED_STRINGS shared strings (declared or counted: openpyxl loads them all up front).

    Raises ImportFileError with a translated message.
    """
    try:
        with zipfile.ZipFile(BytesIO(file_bytes)) as archive:
            for info in archive.infolist():
                name = info.filename
                if not name.endswith((".xml", ".rels")):
                    continue
                with archive.open(info) as part:
                    prologue = part.read(PROLOGUE_BYTES)
                if _DOCTYPE.search(prologue):
                    raise _damaged()
                if name.startswith("xl/worksheets/"):
                    continue  # streamed by openpyxl, scanned by _inspect_sheet before it is read
                # openpyxl finds the shared strings by content type, so whatever the part is called,
                # its root element tells.
                if _SST_ROOT.search(prologue):
                    _inspect_shared_strings(archive, name, prologue)
                elif info.file_size > MAX_PART_BYTES:
                    raise ImportFileError(_("文件内容过大，无法导入。"))
    except ImportFileError:
        raise
    except Exception as error:  # zlib, CRC and zip errors alike: the file is damaged
        raise _damaged() from error


def _inspect_shared_strings(archive: zipfile.ZipFile, name: str, prologue: bytes) -> None:
    too_many = ImportFileError(
        _("文件中的文字单元格过多（不超过 %(count)s 个不同的文字），无法导入。")
        % {"count": MAX_SHARED_STRINGS}
    )
    # The declared counts come first and are cheap to check; they can lie, so the elements are counted too.
    root = prologue[: prologue.find(b">", prologue.find(b"sst")) + 1]
    if any(int(count) > MAX_SHARED_STRINGS for count in _SST_COUNT.findall(root)):
        raise too_many
    seen = 0

    def count(_match: re.Match[bytes]) -> None:
        nonlocal seen
        seen += 1
        if seen > MAX_SHARED_STRINGS:
            raise too_many

    _scan_tags(archive, name, _SHARED_STRING, count)


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


@dataclass
class SheetScan:
    """What :func:`_inspect_sheet` counted in a worksheet part as it streamed past."""

    formulas: int = 0
    errors: int = 0  # cells holding an error value (t="e"), which python-calamine reads as blanks
    # The largest row number and column number the rows and cells declare (r="AB12"), and whether
    # every row and cell declared one; with the declared dimension, the sheet's dense extent.
    last_row: int = 0
    last_column: int = 0
    addressed: bool = True
    declared_cells: int = 0

    @property
    def extent(self) -> int:
        """Cells of the rectangle from A1 to the last cell (None when not every cell says where it is)."""
        if not self.addressed:
            return MAX_SHEET_CELLS * MAX_ROW_CELLS
        return max(self.last_row * self.last_column, self.declared_cells)


def _inspect_sheet(file_bytes: bytes, path: str) -> SheetScan:
    """Check one worksheet part before it is read; return what was counted (formulas, extent).

    Refuses a declared ``<dimension>`` beyond MAX_SHEET_ROWS rows or MAX_ROW_CELLS columns, and counts
    the cells of each row and of the sheet as they stream past, stopping at the first cap exceeded
    (MAX_ROW_CELLS, MAX_SHEET_CELLS, MAX_SHEET_ROWS + 1 rows), so a small file whose one row holds
    millions of cells is refused after reading a few kilobytes. Raises ImportFileError.
    """
    counts = {"rows": 0, "row_cells": 0, "cells": 0}
    scan = SheetScan()
    # The widest column as (number of letters, letters): compared without converting every address.
    widest = (0, b"")

    def count(match: re.Match[bytes]) -> None:
        nonlocal widest
        tag, letters, number, error = match.groups()
        if error:
            scan.errors += 1
            return
        if tag == b"row":
            counts["rows"] += 1
            counts["row_cells"] = 0
            if counts["rows"] > MAX_SHEET_ROWS + 1:
                raise _too_many_rows()
        elif tag == b"c":
            counts["row_cells"] += 1
            counts["cells"] += 1
            if counts["row_cells"] > MAX_ROW_CELLS or counts["cells"] > MAX_SHEET_CELLS:
                raise _too_many_cells()
            if not letters:
                scan.addressed = False
                return
            letters = letters.upper()
            if (len(letters), letters) > widest:
                widest = (len(letters), letters)
        else:
            scan.formulas += 1
            return
        if number is None:
            scan.addressed = False
        elif int(number) > scan.last_row:
            scan.last_row = int(number)

    try:
        with zipfile.ZipFile(BytesIO(file_bytes)) as archive:
            with archive.open(path) as part:
                prologue = part.read(PROLOGUE_BYTES)
            dimension = _DIMENSION.search(prologue)
            if dimension and dimension.group(3):
                if int(dimension.group(4)) > MAX_SHEET_ROWS + 1:
                    raise _too_many_rows()
                if _column_number(dimension.group(3).decode()) > MAX_ROW_CELLS:
                    raise _too_many_cells()
                scan.declared_cells = int(dimension.group(4)) * _column_number(dimension.group(3).decode())
            _scan_tags(archive, path, _SHEET_TAG, count)
    except ImportFileError:
        raise
    except Exception as error:
        raise _damaged() from error
    scan.last_column = _column_number(widest[1].decode())
    return scan


def _header_text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class UncomputedFormula(str):
    """A formula cell whose file holds no computed value (written by a program, never opened in Excel).

    Its text is the formula; each widget reports it as a row error rather than reading it as blank.
    """


def _load_workbook(file_bytes: bytes, *, data_only: bool):
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it does not read; they do not matter here.
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(BytesIO(file_bytes), read_only=True, data_only=data_only)
    except Exception as error:  # openpyxl raises many kinds on malformed parts; all mean the same here
        raise _damaged() from error


def _data_sheet(workbook):
    """The sheet titled DATA_SHEET_TITLE (which must be visible), else the first visible sheet."""
    if DATA_SHEET_TITLE in workbook.sheetnames:
        worksheet = workbook[DATA_SHEET_TITLE]
        if worksheet.sheet_state != "visible":
            raise ImportFileError(
                _("工作表“%(title)s”已隐藏，请在 Excel 中取消隐藏后再导入。") % {"title": DATA_SHEET_TITLE}
            )
        return worksheet
    visible = [ws for ws in workbook.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
    if not visible:
        raise ImportFileError(_("工作簿中没有可见的工作表。"))
    return visible[0]


def read_sheet(file_bytes: bytes) -> Sheet:
    """The header and the non-blank data rows of the workbook's activity sheet; ImportFileError otherwise.

    The sheet read is the visible one titled DATA_SHEET_TITLE, else the first visible sheet (never a
    hidden one). Every part is inspected (see :func:`_inspect_parts`, :func:`_inspect_sheet`) before
    it is expanded. A sheet free of formulas and of error values (#N/A) whose extent from A1 is at most
    MAX_DENSE_CELLS is read with python-calamine (:func:`_calamine_rows`), any other streamed by
    openpyxl's read-only mode; both give the same values. Values are the ones Excel shows (the cached
    results of formulas); a formula without a cached result comes back as an :class:`UncomputedFormula`.
    """
    _check_xlsx_container(file_bytes)
    _inspect_parts(file_bytes)
    workbook = _load_workbook(file_bytes, data_only=True)
    try:
        if not workbook.worksheets:
            raise ImportFileError(_("工作簿中没有工作表。"))
        worksheet = _data_sheet(workbook)
        # openpyxl keeps the part's name privately; it is the one part it will stream for this sheet.
        scan = _inspect_sheet(file_bytes, worksheet._worksheet_path)
        rows = None
        if not scan.formulas and not scan.errors and scan.extent <= MAX_DENSE_CELLS:
            rows = _calamine_rows(file_bytes, worksheet.title)
        if rows is None:
            rows = worksheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1, max_row=MAX_SHEET_ROWS + 1)
        formula_cells = _formula_cells(file_bytes, worksheet.title) if scan.formulas else {}
        sheet = _read_rows(rows, formula_cells)
        sheet.title = worksheet.title
        return sheet
    except ImportFileError:
        raise
    except Exception as error:
        raise _damaged() from error
    finally:
        workbook.close()


def _formula_cells(file_bytes: bytes, title: str) -> dict[tuple[int, int], str]:
    """(row, column) → formula text of the sheet's formula cells, read within the same caps as the data."""
    workbook = _load_workbook(file_bytes, data_only=False)
    try:
        found = {}
        rows = workbook[title].iter_rows(max_col=MAX_COLUMNS + 1, max_row=MAX_SHEET_ROWS + 1)
        for row_number, cells in enumerate(rows, start=1):
            for column, cell in enumerate(cells, start=1):
                if getattr(cell, "data_type", None) == "f":
                    found[(row_number, column)] = str(cell.value)
        return found
    finally:
        workbook.close()


def _calamine_rows(file_bytes: bytes, title: str) -> Iterator[tuple[Any, ...]] | None:
    """The sheet's rows from A1 as openpyxl's ``iter_rows(values_only=True)`` gives them (None for an
    empty cell, int for a whole number), one column and one row past the caps; None when
    python-calamine cannot read the sheet (openpyxl then reads it, and judges it, as before).

    python-calamine (Rust) reads a sheet about ten times faster than openpyxl's read-only mode (3.3 s
    → 0.25 s CPU for the bench's 10,000 rows), but builds the whole rectangle from A1 to the last cell
    in memory: read_sheet uses it only when that rectangle is small (MAX_DENSE_CELLS) and the sheet
    has no formulas (a formula without a cached value must be told apart from a blank cell) and no
    error values (python-calamine reads #N/A as a blank; openpyxl as the text the import refuses).
    """
    try:
        workbook = CalamineWorkbook.from_filelike(BytesIO(file_bytes))
        try:
            rows = workbook.get_sheet_by_name(title).to_python(skip_empty_area=False)
        finally:
            workbook.close()
    except Exception:
        return None
    except BaseException as error:
        # A panic in the Rust code (pyo3's PanicException, a BaseException), e.g. a date serial beyond
        # chrono's range in a hand-made file (found by tests/test_fuzz.py).
        if type(error).__name__ != "PanicException":
            raise
        return None
    return (
        tuple(_calamine_value(value) for value in values[: MAX_COLUMNS + 1])
        for values in rows[: MAX_SHEET_ROWS + 1]
    )


def _calamine_value(value: Any) -> Any:
    if value == "" and isinstance(value, str):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _read_rows(
    rows_iter: Iterator[Sequence[Any]], formula_cells: dict[tuple[int, int], str] | None = None
) -> Sheet:
    # The rows come one column and one row past the caps, so going over them is noticed.
    formula_cells = formula_cells or {}
    header_row: tuple[Any, ...] | None = next(rows_iter, None)
    if header_row is None or all(_is_blank(value) for value in header_row):
        raise ImportFileError(_("工作表为空：第1行应为列名（请使用下载的模板）。"))
    headers = [_header_text(value) for value in _capped(header_row)]
    rows: list[list[Any]] = []
    numbers: list[int] = []
    width = len(headers)
    for number, values in enumerate(rows_iter, start=2):
        if number > MAX_SHEET_ROWS:
            raise _too_many_rows()
        if formula_cells:
            values = [
                UncomputedFormula(formula_cells[(number, column)])
                if value is None and (number, column) in formula_cells
                else value
                for column, value in enumerate(values, start=1)
            ]
        values = _capped(values)
        if all(_is_blank(value) for value in values):
            continue  # blank (perhaps only formatted) rows are not data
        rows.append(values)
        numbers.append(number)
        width = max(width, len(values))
        if len(rows) > MAX_DATA_ROWS:
            raise ImportFileError(
                _("数据行数过多（不超过 %(count)s 行），请分成几个文件导入。") % {"count": MAX_DATA_ROWS}
            )
    if not rows:
        raise ImportFileError(_("没有数据：第1行是列名，请从第2行开始逐行填写。"))
    # Columns without a header are dropped when they are empty, reported by the header check otherwise.
    headers += [""] * (width - len(headers))
    while headers and not headers[-1] and all(len(values) < len(headers) for values in rows):
        headers.pop()
    width = len(headers)
    padded = [tuple(values[:width]) + (None,) * (width - len(values)) for values in rows]
    return Sheet(headers=headers, rows=padded, numbers=numbers)


def _capped(values: Sequence[Any]) -> list[Any]:
    """The row's cells up to the column cap; anything beyond it is refused rather than ignored."""
    values = list(values)
    while values and _is_blank(values[-1]):
        values.pop()
    if len(values) > MAX_COLUMNS:
        raise ImportFileError(_("列数过多（不超过 %(count)s 列）。") % {"count": MAX_COLUMNS})
    return values


def template_year(file_bytes: bytes) -> int | None:
    """The year :func:`build_template` wrote into the workbook (the defined name ``fedwork_year``), or
    None when the file has none. ImportFileError if the file cannot be read at all."""
    _check_xlsx_container(file_bytes)
    _inspect_parts(file_bytes)
    try:
        with zipfile.ZipFile(BytesIO(file_bytes)) as archive:
            root = defused_fromstring(archive.read("xl/workbook.xml"))
    except Exception as error:
        raise _damaged() from error
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] == "definedName" and element.get("name") == TEMPLATE_YEAR_NAME:
            text = (element.text or "").strip()
            if text.isascii() and text.isdigit() and len(text) == 4 and 1900 <= int(text) <= 2999:
                return int(text)
    return None


# --- Cell values -----------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell as text; whole numbers typed into a General cell (430102.0) lose the ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() != time() else value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


def parse_datetime_cell(value: Any) -> tuple[datetime, bool]:
    """An aware datetime in the current time zone from a date/datetime cell or text, and whether it had
    a time of day. Raises ValueError with the (translated) reason."""
    if isinstance(value, datetime):
        naive, has_time = value.replace(tzinfo=None), value.time() != time()
    elif isinstance(value, date):
        naive, has_time = datetime.combine(value, time()), False
    elif isinstance(value, str) and value.strip():
        naive, has_time = _parse_date_text(value.strip())
    else:
        raise ValueError(_("应为日期，如 2013-05-10"))
    return timezone.make_aware(naive), has_time


def _parse_date_text(text: str) -> tuple[datetime, bool]:
    text = re.sub(r"\s+", " ", text.replace("T", " "))
    for date_format in TEXT_DATE_FORMATS:
        for time_format in TEXT_TIME_FORMATS:
            try:
                return datetime.strptime(text, date_format + time_format), bool(time_format)
            except ValueError:
                continue
    raise ValueError(_("日期格式不正确，应为如 2013-05-10 的日期"))


_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def parse_number_cell(value: Any) -> Decimal:
    """A Decimal from a number cell or numeric text; ValueError with the (translated) reason otherwise.

    Text is NFKC-normalised first (full-width digits and commas become ASCII). A comma is accepted only
    as a thousands separator every three digits (1,200 and 12,345,678); "2,5" or "1,2" could mean a
    decimal comma, so they are refused rather than read as 25 or 12.
    """
    if isinstance(value, bool):
        raise ValueError(_("应为数字"))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):  # python-calamine reads <v>nan</v> and <v>1e999</v> as floats
            raise ValueError(_("应为数字"))
        # repr gives the shortest text that round-trips, so 0.1 stays 0.1 rather than 0.1000000000000000055…
        return Decimal(repr(value))
    text = unicodedata.normalize("NFKC", str(value)).strip().replace("，", ",")
    if "," in text:
        if not _THOUSANDS.fullmatch(text):
            raise ValueError(_("逗号只能作千位分隔符（如 1,200）；小数请用小数点，如 2.5"))
        text = text.replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("应为数字")) from None
    if not number.is_finite():
        raise ValueError(_("应为数字"))
    return number


# Differences this small are binary floating-point noise (0.1 + 0.2 cached as 0.30000000000000004),
# not a figure the user typed: they are rounded to the indicator's precision instead of refused.
FLOAT_NOISE = Decimal("1e-9")


def snap_to_places(number: Decimal, places: int) -> Decimal:
    """``number`` rounded to ``places`` decimals when it is within FLOAT_NOISE of that; else unchanged."""
    try:
        rounded = number.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation:  # too many digits to round: figure_error refuses it anyway
        return number
    return rounded if abs(number - rounded) <= FLOAT_NOISE else number


def _short(text: str, limit: int = 40) -> str:
    """Cell text quoted in a message, cut so a huge cell cannot blow up the page."""
    return text if len(text) <= limit else text[:limit] + "…"


_LABEL_NOISE = re.compile(r"[\s、．.，,]")


def normalize_label(text: str) -> str:
    """Work-point numbers compare without punctuation, brackets full-width: 二、(一)1． → 二（一）1."""
    return _LABEL_NOISE.sub("", text.replace("(", "（").replace(")", "）"))


# --- Everything a row needs, read up front ---------------------------------------------------------

# (federation id, title, planned start, planned end, actual start, actual end, {(indicator id, value)})
ActivityKey = tuple[int, str, Any, Any, Any, Any, frozenset]


def activity_key(activity: Activity, figures: Iterable[tuple[int, Decimal]]) -> ActivityKey:
    """What makes two activities "the same" for the import's duplicate check: federation, title, the
    planned and actual dates and the figures (indicator id → value; 150 and 150.00 are equal)."""
    return (
        activity.federation_id,
        activity.title,
        activity.planned_start,
        activity.planned_end,
        activity.actual_start,
        activity.actual_end,
        frozenset((indicator_id, value) for indicator_id, value in figures if value is not None),
    )


def _chunks(items: Sequence[str], size: int = 500) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class ImportContext:
    """The lookups of one import, each filled by one or a few queries for the whole file."""

    def __init__(self, *, user: User, year: int, codes: Iterable[str]):
        self.user = user
        self.year = year
        codes = sorted({code for code in codes if code})
        self.federations: dict[str, Federation] = {}
        self.known_codes: set[str] = set()
        for chunk in _chunks(codes):
            # Reach is the access module's rule; codes that exist but lie outside are only told apart
            # from unknown ones so the message can say "not yours" without revealing anything about them.
            self.federations.update(
                {f.code: f for f in access.visible_federations(user).filter(code__in=chunk)}
            )
            self.known_codes.update(Federation.objects.filter(code__in=chunk).values_list("code", flat=True))
        self.types = {t.name: t for t in ActivityType.objects.filter(is_active=True)}
        self._locked = self._load_locked_periods()
        self._indicators: dict[int, dict[str, Indicator]] = {}
        self._points = self._load_work_points()

    def _load_locked_periods(self) -> dict:
        """The periods of the year the rows' federations' approved reports have locked (one query)."""
        from submissions.services import locked_periods

        return locked_periods([federation.pk for federation in self.federations.values()], [self.year])

    def locked_period(self, activity: Activity):
        """The approved report's period that covers this activity's month, or None (the rule of
        activities.services.ensure_unlocked, told per row)."""
        from submissions.services import locking_period

        return locking_period(
            self._locked, activity.federation_id, activity.year, totals.activity_month(activity, fresh=True)
        )

    def indicators_for(self, federation: Federation) -> dict[str, Indicator]:
        """Header → indicator for what this federation may record (one query per distinct federation)."""
        if federation.pk not in self._indicators:
            by_header: dict[str, Indicator] = {}
            for indicator in enterable_indicators(federation):
                by_header.setdefault(indicator_header(indicator), indicator)
            self._indicators[federation.pk] = by_header
        return self._indicators[federation.pk]

    def known_indicator_headers(self) -> set[str]:
        """Indicator columns this import may have: those of the importer's and the rows' federations."""
        federations = list(self.federations.values())
        home = access.home_federation(self.user)
        if home is not None:
            federations.append(home)
        return {header for federation in federations for header in self.indicators_for(federation)}

    def _load_work_points(self) -> dict[tuple[int, str], WorkPoint]:
        """(plan id, normalized label path) → work point, for the rows' and their ancestors' plans."""
        codes = {code for f in self.federations.values() for code in [*f.ancestor_codes, f.code]}
        self.plans: dict[str, Plan] = {}
        for chunk in _chunks(sorted(codes)):
            for plan in Plan.objects.filter(year=self.year, federation__code__in=chunk).select_related(
                "federation"
            ):
                self.plans[plan.federation.code] = plan
        points = list(
            WorkPoint.objects.filter(plan__in=list(self.plans.values()))
            .only("id", "plan_id", "parent_id", "label", "title")
            .order_by("order", "pk")
        )
        by_id = {point.pk: point for point in points}
        found: dict[tuple[int, str], WorkPoint] = {}
        for point in points:
            labels, node, seen = [], point, set()
            while node is not None and node.pk not in seen:  # `seen` guards against a corrupt cycle
                seen.add(node.pk)
                labels.append(node.label)
                node = by_id.get(node.parent_id)
            found.setdefault((point.plan_id, normalize_label("".join(reversed(labels)))), point)
        return found

    def saved_twins(self, keys: Iterable[ActivityKey]) -> dict[ActivityKey, Activity]:
        """Saved activities with the same :func:`activity_key` as one of ``keys``.

        A few queries for a whole batch: the candidates by federation and title, then their figures.
        """
        keys = set(keys)
        federation_ids = sorted({key[0] for key in keys})
        titles = sorted({key[1] for key in keys})
        candidates: dict[int, Activity] = {}
        for chunk in _chunks(titles):
            candidates.update(
                (activity.pk, activity)
                for activity in Activity.objects.filter(
                    federation_id__in=federation_ids, title__in=chunk
                ).only(
                    "id",
                    "federation_id",
                    "title",
                    "planned_start",
                    "planned_end",
                    "actual_start",
                    "actual_end",
                )
            )
        figures: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
        ids = sorted(candidates)
        for start in range(0, len(ids), 500):
            for activity_id, indicator_id, value in Figure.objects.filter(
                activity_id__in=ids[start : start + 500]
            ).values_list("activity_id", "indicator_id", "value"):
                figures[activity_id].append((indicator_id, value))
        found: dict[ActivityKey, Activity] = {}
        for activity in candidates.values():
            key = activity_key(activity, figures[activity.pk])
            if key in keys:
                found.setdefault(key, activity)
        return found

    def find_work_point(self, federation: Federation, label: str) -> WorkPoint | None:
        """The point numbered ``label`` in the federation's own plan, else its ancestors' published ones."""
        wanted = normalize_label(label)
        own = self.plans.get(federation.code)
        candidates = [own] if own else []
        for code in reversed(federation.ancestor_codes):
            plan = self.plans.get(code)
            if plan is not None and plan.status in HANDED_DOWN_STATUSES:
                candidates.append(plan)
        for plan in candidates:
            point = self._points.get((plan.pk, wanted))
            if point is not None:
                return point
        return None


# --- Cleaning the rows -----------------------------------------------------------------------------
#
# Plain code, not a django-import-export ModelResource: profiled on 2,000 bench rows, its per-row layer
# (import_row, Field.save, the widgets' dispatch, a savepoint-free atomic per row, the Result objects)
# cost more than the database writes. The admin keeps django-import-export for its import/export.


def _clean_text(value: Any, *, required: bool, max_length: int) -> str:
    text = clean_text(cell_text(value)).strip()
    if required and not text:
        raise ValueError(_("不能为空"))
    if len(text) > max_length:
        raise ValueError(_("不能超过%(count)s个字") % {"count": max_length})
    return text


def _clean_datetime(value: Any, *, required: bool) -> datetime | None:
    if _is_blank(value):
        if required:
            raise ValueError(_("不能为空"))
        return None
    moment, _has_time = parse_datetime_cell(value)
    return moment


class _RowCleaner:
    """Spreadsheet rows → unsaved done activities with their figures, work point and preview.

    Each row is cleaned cell by cell (errors keyed by column header), then across cells (dates, locked
    periods); valid rows are gathered in batches of BATCH_SIZE, checked for duplicates and, unless this
    is a dry run or the import is already refused, written by services.activity_import_batch.
    """

    # Cells copied onto the Activity, in the order they are cleaned (and their errors reported).
    FIELDS = [
        (COL_FEDERATION, "federation"),
        (COL_TITLE, "title"),
        (COL_TYPE, "type"),
        (COL_START, "actual_start"),
        (COL_END, "actual_end"),
        (COL_PLACE, "place"),
    ]

    def __init__(
        self,
        *,
        context: ImportContext,
        headers: Sequence[str],
        dry_run: bool,
        allow_duplicates: bool,
        allow_implausible: bool,
    ):
        self.context = context
        self.headers = list(headers)
        self.dry_run = dry_run
        self.allow_duplicates = allow_duplicates
        self.allow_implausible = allow_implausible
        self.preview_rows: list[PreviewRow] = []
        self.errors: list[RowError] = []
        self.failed: list[RowError] = []  # rows that raised unexpectedly ("无法处理此行")
        self.saved = 0
        self.totals: totals.Contribution = defaultdict(Decimal)  # applied by import_activities
        # activity_key → row number of the first valid row with it; the duplicate check of later rows.
        self.first_rows: dict[ActivityKey, int] = {}
        self.any_duplicate = False
        self.any_implausible = False
        # Once a row is invalid the import will be rolled back, so later batches are not written.
        self.any_invalid = False
        self.batch: list[Activity] = []
        self.present = [(column, attribute) for column, attribute in self.FIELDS if column in self.headers]
        self.order = {header: index for index, header in enumerate(self.headers)}
        # Translated once per import rather than once per row and figure.
        self.through = _(" 至 ")
        # Translators: a figure in the import preview: indicator name, number, unit (培训妇女人数：150人).
        self.figure_format = _("%(name)s：%(value)s%(unit)s")

    def clean_all(self, rows: Iterable[Sequence[Any]], numbers: Sequence[int]) -> None:
        for values, number in zip(rows, numbers, strict=True):
            row = dict(zip(self.headers, values, strict=True))
            try:
                activity = self.clean_row(row, number)
            except Exception as error:  # a bug must cost one row's message, never a 500
                logger.error("Activity import: row %s failed", number, exc_info=error)
                self.failed.append(RowError(number, "", _("无法处理此行，请检查内容")))
                continue
            if activity is not None:
                self.batch.append(activity)
                if len(self.batch) == BATCH_SIZE:
                    self.flush()
        self.flush()

    def clean_row(self, row: dict[str, Any], number: int) -> Activity | None:
        """The row's unsaved activity, or None when the row has errors (added to ``self.errors``)."""
        user = self.context.user
        activity = Activity(
            year=self.context.year, status=ActivityStatus.DONE, created_by=user, updated_by=user
        )
        errors: dict[str, str] = {}
        for column, value in row.items():
            if isinstance(value, UncomputedFormula):
                errors[column] = str(FORMULA_WITHOUT_VALUE)
        for column, attribute in self.present:
            if column in errors:
                continue
            try:
                setattr(activity, attribute, self._clean_cell(column, row[column]))
            except ValueError as error:
                errors[column] = str(error)
        self._check_dates(activity, row, errors)
        if COL_START not in errors and activity.federation_id:
            locked = self.context.locked_period(activity)
            if locked is not None:
                errors[COL_START] = _("%(period)s的报表已审核通过并锁定，不能再导入该期的活动。") % {
                    "period": locked.label
                }
        activity._import_work_point = self._clean_work_point(activity, row, errors)
        implausible: list[tuple[str, str]] = []
        activity._import_figures = self._clean_figures(activity, row, errors, implausible)
        activity._import_preview = preview = self._preview(activity, row, number, errors)
        preview.implausible = [RowError(number, column, warning) for column, warning in implausible]
        self.any_implausible = self.any_implausible or bool(implausible)
        self.preview_rows.append(preview)
        if errors:
            self.any_invalid = True
            ordered = sorted(errors.items(), key=lambda item: self.order.get(item[0], 0))
            self.errors.extend(RowError(number, column, reason) for column, reason in ordered)
            return None
        return activity

    def _clean_cell(self, column: str, value: Any) -> Any:
        if column == COL_FEDERATION:
            return self._clean_federation(value)
        if column == COL_TYPE:
            return self._clean_type(value)
        if column == COL_START:
            return _clean_datetime(value, required=True)
        if column == COL_END:
            return _clean_datetime(value, required=False)
        return _clean_text(value, required=column == COL_TITLE, max_length=200)

    def _clean_federation(self, value: Any) -> Federation:
        code = cell_text(value)
        if not code:
            raise ValueError(_("不能为空"))
        federation = self.context.federations.get(code)
        if federation is not None:
            # The same rule as every form: staff enter records for their own federation only.
            if not access.can_edit_records(self.context.user, federation):
                raise ValueError(_("无权为该妇联录入活动"))
            return federation
        if code in self.context.known_codes:
            raise ValueError(_("单位代码“%(code)s”不在您的管辖范围内") % {"code": _short(code)})
        raise ValueError(_("单位代码“%(code)s”不存在") % {"code": _short(code)})

    def _clean_type(self, value: Any) -> ActivityType:
        name = cell_text(value)
        if not name:
            raise ValueError(_("不能为空"))
        activity_type = self.context.types.get(name)
        if activity_type is None:
            raise ValueError(
                # Translators: “说明” is the name of the template's help sheet, which is not translated.
                _("活动类型“%(name)s”不存在或已停用，请从“说明”表列出的类型中选择") % {"name": _short(name)}
            )
        return activity_type

    def _check_dates(self, instance: Activity, row, errors: dict[str, str]) -> None:
        start, end = instance.actual_start, instance.actual_end
        if COL_START in errors or start is None:
            return
        start_day = timezone.localtime(start).date()
        if start_day.year != self.context.year:
            errors[COL_START] = _("日期不在%(year)s年内") % {"year": self.context.year}
        if COL_END in errors or end is None:
            return
        end_day = timezone.localtime(end).date()
        if end_day < start_day:
            errors[COL_END] = _("结束日期早于开始日期")
        elif end < start:
            end_has_time = parse_datetime_cell(row[COL_END])[1]
            if end_has_time:
                errors[COL_END] = _("结束时间早于开始时间")
            else:
                # A bare end date on the day of a timed start means "that same day".
                instance.actual_end = start

    def _clean_work_point(self, instance: Activity, row, errors: dict[str, str]) -> WorkPoint | None:
        label = cell_text(row.get(COL_POINT))
        if not label or COL_FEDERATION in errors or COL_POINT in errors:
            return None
        point = self.context.find_work_point(instance.federation, label)
        if point is None:
            errors[COL_POINT] = _(
                "在本单位或上级已发布的%(year)s年工作要点中找不到编号“%(label)s”"
                "（编号从最上一级写起，如“二（一）1”）"
            ) % {"year": self.context.year, "label": _short(label)}
        return point

    def _clean_figures(
        self, instance: Activity, row, errors: dict[str, str], implausible: list[tuple[str, str]]
    ) -> list[tuple[Indicator, Decimal]]:
        """The row's valid figures; a bad cell goes to ``errors``, an implausible one (valid, but far
        beyond what one activity records) to ``implausible`` as (column header, warning)."""
        if COL_FEDERATION in errors:
            return []
        allowed = self.context.indicators_for(instance.federation)
        figures = []
        for column, value in row.items():
            if column in FIXED_COLUMNS or column in errors or _is_blank(value):
                continue
            indicator = allowed.get(column)
            if indicator is None:
                errors[column] = _("该指标不适用于此单位")
                continue
            try:
                number = parse_number_cell(value)
            except ValueError as error:
                errors[column] = str(error)
                continue
            number = snap_to_places(number, indicator.decimal_places)
            problem = figure_error(indicator, number)
            if problem:
                errors[column] = problem.rstrip("。")
                continue
            warning = implausible_figure(indicator, number)
            if warning:
                implausible.append((column, warning))
            figures.append((indicator, number))
        return figures

    def _preview(self, instance: Activity, row, number: int, errors: dict[str, str]) -> PreviewRow:
        def shown(column: str, parsed: str) -> str:
            return _short(cell_text(row.get(column)), SHOWN_TEXT) if column in errors else parsed

        federation = instance.federation if instance.federation_id else None
        dates = ""
        if instance.actual_start and COL_START not in errors:
            dates = _format_moment(instance.actual_start)
            if instance.actual_end and COL_END not in errors:
                dates += self.through + _format_moment(instance.actual_end)
        else:
            dates = self.through.join(
                _short(t, SHOWN_TEXT)
                for t in (cell_text(row.get(COL_START)), cell_text(row.get(COL_END)))
                if t
            )
        point = instance._import_work_point
        figures = [
            self.figure_format
            % {"name": indicator.name, "value": format_decimal(value), "unit": indicator.unit}
            for indicator, value in instance._import_figures
        ]
        figures += [
            _("%(column)s：%(value)s")
            % {"column": column, "value": _short(cell_text(row[column]), SHOWN_TEXT)}
            for column in errors
            if column not in FIXED_COLUMNS
        ]
        return PreviewRow(
            number=number,
            federation=shown(COL_FEDERATION, federation.display_name if federation else ""),
            title=shown(COL_TITLE, instance.title),
            type=shown(COL_TYPE, instance.type.name if instance.type_id else ""),
            dates=dates,
            place=shown(COL_PLACE, instance.place),
            work_point=shown(COL_POINT, f"{cell_text(row.get(COL_POINT))} {point.title}" if point else ""),
            figures=figures,
            has_errors=bool(errors),
        )

    def flush(self) -> None:
        """Check the batch for duplicates, then write it unless this is a dry run or the import is
        already refused (an invalid row, or an unconfirmed duplicate or implausible figure)."""
        if not self.batch:
            return
        self._flag_duplicates(self.batch)
        refused = (
            self.any_invalid
            or (self.any_duplicate and not self.allow_duplicates)
            or (self.any_implausible and not self.allow_implausible)
        )
        if not self.dry_run and not refused:
            services.activity_import_batch(
                self.batch, by=self.context.user, batch_size=BATCH_SIZE, contributions=self.totals
            )
            self.saved += len(self.batch)
        self.batch = []

    def _flag_duplicates(self, instances: list[Activity]) -> None:
        """Mark the preview of each row identical to a saved activity or to an earlier row."""
        if not instances:
            return
        keys = [
            activity_key(instance, [(indicator.pk, value) for indicator, value in instance._import_figures])
            for instance in instances
        ]
        twins = self.context.saved_twins(keys)
        for instance, key in zip(instances, keys, strict=True):
            preview = instance._import_preview
            first = self.first_rows.setdefault(key, preview.number)
            twin = twins.get(key)
            if first != preview.number:
                preview.duplicate_of = _("与第%(row)s行重复") % {"row": first}
            elif twin is not None:
                preview.duplicate_of = _("与已有活动重复（活动“%(title)s”，%(when)s）") % {
                    "title": _short(twin.title),
                    "when": _format_moment(twin.actual_start) if twin.actual_start else "",
                }
            else:
                continue
            self.any_duplicate = True


def _format_moment(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local:%Y-%m-%d %H:%M}" if local.time() != time() else f"{local:%Y-%m-%d}"


# --- The import ------------------------------------------------------------------------------------


def _header_errors(headers: list[str], sheet: Sheet, context: ImportContext) -> list[RowError]:
    errors = []
    for column in REQUIRED_COLUMNS:
        if column not in headers:
            errors.append(RowError(1, column, _("缺少必填列")))
    known = set(FIXED_COLUMNS) | context.known_indicator_headers()
    seen: set[str] = set()
    for index, header in enumerate(headers):
        if not header:
            if any(not _is_blank(values[index]) for values in sheet.rows):
                errors.append(RowError(1, _("第%(number)s列") % {"number": index + 1}, _("缺少列名")))
            continue
        if header in seen:
            errors.append(RowError(1, header, _("列名重复")))
        elif header not in known:
            errors.append(RowError(1, header, _("未知的列（请使用下载的模板，不要修改列名）")))
        seen.add(header)
    return errors


def import_activities(
    *,
    file_bytes: bytes,
    user: User,
    year: int,
    dry_run: bool,
    allow_duplicates: bool = False,
    allow_implausible: bool = False,
) -> ImportReport:
    """Validate (``dry_run``) or import the activities of an .xlsx file, all or nothing.

    Raises PermissionDenied if the user may not import, ImportFileError if the file cannot be read, and,
    when not a dry run, ImportRowsError (after rolling everything back) if any row is bad, or
    ImportDuplicatesError if a row is identical to a saved activity or to an earlier row and
    ``allow_duplicates`` (the user ticked "these are really new") is not set, or ImportImplausibleError
    if a figure is far beyond what one activity records (services.implausible_figure, the activity
    form's 确认无误 rule) and ``allow_implausible`` (the user ticked 以上数值已核对无误) is not set. A dry
    run returns the report with every row, every error, every duplicate (``report.duplicates``) and
    every implausible figure (``report.implausible``).
    """
    if not may_import(user):
        raise PermissionDenied
    sheet = read_sheet(file_bytes)
    headers = sheet.headers
    try:
        code_index = headers.index(COL_FEDERATION)
    except ValueError:
        codes: list[str] = []
    else:
        codes = [cell_text(values[code_index]) for values in sheet.rows]
    context = ImportContext(user=user, year=year, codes=codes)
    report = ImportReport(year=year, dry_run=dry_run, sheet_title=sheet.title)
    report.errors = _header_errors(headers, sheet, context)
    if report.errors:
        if not dry_run:
            raise ImportRowsError(report)
        return report

    keep = [index for index, header in enumerate(headers) if header]
    cleaner = _RowCleaner(
        context=context,
        headers=[headers[index] for index in keep],
        dry_run=dry_run,
        allow_duplicates=allow_duplicates,
        allow_implausible=allow_implausible,
    )
    rows = (
        sheet.rows if len(keep) == len(headers) else [tuple(values[i] for i in keep) for values in sheet.rows]
    )
    try:
        with transaction.atomic():
            cleaner.clean_all(rows, sheet.numbers)
            report.rows = cleaner.preview_rows
            report.errors = cleaner.errors + cleaner.failed
            if report.errors and not dry_run:
                raise ImportRowsError(report)
            if report.duplicates and not allow_duplicates and not dry_run:
                raise ImportDuplicatesError(report)
            if report.implausible and not allow_implausible and not dry_run:
                raise ImportImplausibleError(report)
            if not dry_run:
                totals.apply(cleaner.totals)
            report.imported = cleaner.saved
    except (ImportRowsError, ImportDuplicatesError, ImportImplausibleError):
        report.imported = 0
        raise
    return report


# --- The template ----------------------------------------------------------------------------------

HEADER_FILL = PatternFill("solid", fgColor="F8D7DA")
REQUIRED_FILL = PatternFill("solid", fgColor="F1AEB5")
# Lazy: the help is translated when a template is built, in the language of whoever downloads it.
COLUMN_HELP = {
    COL_FEDERATION: gettext_lazy("本单位的代码（行政区划代码），如 430102。请按文本填写，以免丢失前导 0。"),
    COL_TITLE: gettext_lazy("活动名称，不超过 200 字。"),
    COL_TYPE: gettext_lazy("从下方“活动类型”中选择一项。"),
    COL_START: gettext_lazy(
        "活动实际开始的日期（如 2013-05-10），须在导入年度内；也可带时间，如 2013-05-10 14:30。"
    ),
    COL_END: gettext_lazy("可空。活动结束的日期，不能早于开始日期。"),
    COL_PLACE: gettext_lazy("可空。活动地点，不超过 200 字。"),
    COL_POINT: gettext_lazy("可空。活动服务的工作要点编号，从最上一级写起，如“二（一）1”；见下方列表。"),
}


def template_columns(federation: Federation) -> list[str]:
    """The template's header: the fixed columns, then one per indicator the federation may record."""
    headers = list(FIXED_COLUMNS)
    for indicator in enterable_indicators(federation):
        header = indicator_header(indicator)
        if header not in headers:
            headers.append(header)
    return headers


def _point_labels(plan: Plan) -> list[tuple[str, str]]:
    points = list(plan.points.only("id", "parent_id", "label", "title", "order"))
    by_id = {point.pk: point for point in points}
    children: dict[int | None, list[WorkPoint]] = defaultdict(list)
    for point in points:
        children[point.parent_id if point.parent_id in by_id else None].append(point)
    listed: list[tuple[str, str]] = []

    def walk(parent_id: int | None, prefix: str, depth: int) -> None:
        if depth > 20:  # a corrupt cycle must not hang the download
            return
        for point in children.get(parent_id, []):
            label = prefix + point.label
            listed.append((label, point.title))
            walk(point.pk, label, depth + 1)

    walk(None, "", 0)
    return listed


def _as_text(*sheets) -> None:
    """Store every text cell as text: openpyxl turns a string starting with "=" into a formula, and a
    work-point title or federation name is the user's text, never something for Excel to evaluate."""
    for sheet in sheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


def build_template(federation: Federation, year: int) -> bytes:
    """The .xlsx template for a federation and year: the activity sheet and a 说明 sheet.

    The year is written where people and the import command can read it: a line of the 说明 sheet and
    the workbook's defined name ``fedwork_year`` (see :func:`template_year`). Every text is stored as
    text, never as a formula.
    """
    headers = template_columns(federation)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET_TITLE
    sheet.append(headers)
    for index, header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = REQUIRED_FILL if header in REQUIRED_COLUMNS else HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = {COL_TITLE: 36, COL_PLACE: 24, COL_POINT: 14}.get(
            header, max(12, len(header) * 2 + 2)
        )
        if header in (COL_FEDERATION, COL_POINT):
            sheet.column_dimensions[letter].number_format = "@"
        elif header in (COL_START, COL_END):
            sheet.column_dimensions[letter].number_format = "yyyy-mm-dd"
    sheet.row_dimensions[1].height = 32
    sheet.freeze_panes = "A2"

    help_sheet = workbook.create_sheet(HELP_SHEET_TITLE)
    help_sheet.column_dimensions["A"].width = 28
    help_sheet.column_dimensions["B"].width = 90
    help_sheet.append(
        [_("%(federation)s %(year)s年活动导入模板") % {"federation": federation.name, "year": year}]
    )
    help_sheet["A1"].font = Font(bold=True, size=14)
    help_sheet.append(
        [_("每行填写一项已完成的活动；标红的列必填。指标列可留空，不用的指标列可以删除，但不要修改列名。")]
    )
    help_sheet.append([_("年度"), str(year)])
    help_sheet.append([_("列名"), _("说明")])
    for header in headers:
        required = _("（必填）") if header in REQUIRED_COLUMNS else ""
        # str(): openpyxl takes only real strings, not the lazy ones of COLUMN_HELP.
        explanation = str(COLUMN_HELP.get(header) or _("可空。活动取得的数值，填写数字，不能为负数。"))
        help_sheet.append([header + required, explanation])
    help_sheet.append([])
    help_sheet.append([_("活动类型")])
    help_sheet.cell(row=help_sheet.max_row, column=1).font = Font(bold=True)
    type_names = list(ActivityType.objects.filter(is_active=True).values_list("name", flat=True))
    first_type_row = help_sheet.max_row + 1
    for name in type_names:
        help_sheet.append([name])
    last_type_row = help_sheet.max_row
    help_sheet.append([])
    help_sheet.append([_("%(year)s年工作要点编号") % {"year": year}, _("标题")])
    help_sheet.cell(row=help_sheet.max_row, column=1).font = Font(bold=True)
    plans = {
        plan.federation.code: plan
        for plan in Plan.objects.filter(
            year=year, federation__code__in=[*federation.ancestor_codes, federation.code]
        ).select_related("federation")
    }
    listed_any = False
    own = plans.get(federation.code)
    ancestors = [plans[c] for c in reversed(federation.ancestor_codes) if c in plans]
    for plan in [own] * bool(own) + [p for p in ancestors if p.status in HANDED_DOWN_STATUSES]:
        help_sheet.append([plan.title])
        help_sheet.cell(row=help_sheet.max_row, column=1).font = Font(italic=True)
        for label, title in _point_labels(plan):
            help_sheet.append([label, title])
            help_sheet.cell(row=help_sheet.max_row, column=1).number_format = "@"
            listed_any = True
    if not listed_any:
        help_sheet.append(
            # Translators: “工作要点编号” is a column header, which is not translated.
            [_("本单位及上级尚无%(year)s年已发布的工作要点，“工作要点编号”列请留空。") % {"year": year}]
        )
    for row in help_sheet.iter_rows(min_row=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    if type_names:
        type_column = sheet.cell(row=1, column=headers.index(COL_TYPE) + 1).column_letter
        validation = DataValidation(
            type="list",
            formula1=f"'{HELP_SHEET_TITLE}'!$A${first_type_row}:$A${last_type_row}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=_("活动类型"),
            error=_("请从列表中选择活动类型。"),
        )
        sheet.add_data_validation(validation)
        validation.add(f"{type_column}2:{type_column}{MAX_DATA_ROWS + 1}")

    _as_text(sheet, help_sheet)
    workbook.defined_names[TEMPLATE_YEAR_NAME] = DefinedName(TEMPLATE_YEAR_NAME, attr_text=str(year))
    workbook.custom_doc_props.append(IntProperty(name=TEMPLATE_YEAR_NAME, value=year))
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()
