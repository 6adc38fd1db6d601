"""Issue #13, finding 8: a small hostile workbook is refused quickly, in bounded memory, never with a 500;
a huge bad file gives a bounded preview page."""

import tracemalloc
import zipfile
from io import BytesIO

import pytest
from django.urls import reverse

from activities.importing import FIXED_COLUMNS, ImportFileError, read_sheet

from .test_import import good_row, plans, upload, xlsx  # noqa: F401  (plans: a fixture)

SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
SHARED_STRINGS_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)
MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def with_parts(replacements: dict[str, bytes | list[bytes]]) -> bytes:
    """A real workbook (one 活动 sheet, shared strings) with some parts swapped for hand-written XML.

    A list is written piece by piece, so a part that unpacks to many megabytes is never held whole.
    """
    base = xlsx([good_row()])
    output = BytesIO()
    with (
        zipfile.ZipFile(BytesIO(base)) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target,
    ):
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "[Content_Types].xml" and STRINGS in replacements:
                # openpyxl writes inline strings; a shared strings part must be declared to be read.
                content = content.replace(b"</Types>", SHARED_STRINGS_TYPE + b"</Types>")
            if info.filename not in replacements:
                target.writestr(info.filename, content)
        for name, content in replacements.items():
            with target.open(name, "w", force_zip64=True) as part:
                for piece in content if isinstance(content, list) else [content]:
                    part.write(piece)
    return output.getvalue()


def sheet_xml(rows: bytes, dimension: bytes = b"A1:J2") -> bytes:
    return b'<worksheet %s><dimension ref="%s"/><sheetData>%s</sheetData></worksheet>' % (
        MAIN.encode(),
        dimension,
        rows,
    )


def refused(content: bytes, message: str, max_mb: int = 100) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(ImportFileError, match=message):
            read_sheet(content)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < max_mb * 1024 * 1024


def test_one_row_of_four_million_cells_is_refused_before_it_is_expanded():
    head = b'<worksheet %s><dimension ref="A1"/><sheetData><row r="1">' % MAIN.encode()
    cells = b"<c><v>1</v></c>" * 100_000
    content = with_parts({SHEET: [head, *[cells] * 40, b"</row></sheetData></worksheet>"]})
    assert len(content) < 1024 * 1024  # 60 MB of XML in a file of a few hundred KB
    refused(content, "工作表单元格过多")


def test_a_declared_dimension_beyond_the_caps_is_refused():
    rows = b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
    refused(with_parts({SHEET: sheet_xml(rows, b"A1:XFD1048576")}), "工作表超过")
    refused(with_parts({SHEET: sheet_xml(rows, b"A1:XFD2")}), "工作表单元格过多")


def test_too_many_rows_are_counted_even_when_the_dimension_lies():
    rows = b"<row/>" * 60_000
    refused(with_parts({SHEET: sheet_xml(rows, b"A1:A2")}), "工作表超过")


def test_ten_million_shared_strings_are_refused_even_when_the_counts_lie():
    head = b'<sst %s count="1" uniqueCount="1">' % MAIN.encode()
    strings = b"<si><t>x</t></si>" * 100_000
    content = with_parts({STRINGS: [head, *[strings] * 100, b"</sst>"]})
    refused(content, "文字单元格过多")


def test_declared_shared_string_counts_beyond_the_cap_are_refused():
    head = b'<sst %s count="10000000" uniqueCount="10000000"><si><t>x</t></si></sst>' % MAIN.encode()
    refused(with_parts({STRINGS: head}), "文字单元格过多")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol4;</t></si></sst>"""


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(with_parts({STRINGS: BILLION_LAUGHS}), id="entity-expansion"),
        pytest.param(with_parts({SHEET: BILLION_LAUGHS.replace(b"sst", b"worksheet")}), id="entity-in-sheet"),
        pytest.param(xlsx([good_row()])[:-200], id="truncated-zip"),
        pytest.param(with_parts({SHEET: b"<worksheet><sheetData><row><c><v>1</v>"}), id="not-well-formed"),
        pytest.param(with_parts({"xl/workbook.xml": b"<workbook"}), id="broken-workbook"),
    ],
)
def test_malformed_workbooks_are_a_clear_error_never_a_500(
    content, client, people, login, settings, tmp_path
):
    with pytest.raises(ImportFileError):
        read_sheet(content)
    settings.BASE_DIR = tmp_path
    staff = login(people["furong_staff"])
    response = upload(staff, content)
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_twenty_thousand_bad_rows_give_a_bounded_page(people, login, settings, tmp_path):
    texts = [*FIXED_COLUMNS[:4], "999999", "很长的名称" * 2000, "培训", "2013-05-10"]
    strings = b"<sst %s>%s</sst>" % (
        MAIN.encode(),
        b"".join(b"<si><t>%s</t></si>" % text.encode() for text in texts),
    )
    header = b'<row r="1">%s</row>' % b"".join(b'<c t="s"><v>%d</v></c>' % i for i in range(4))
    row = b"".join(b'<c t="s"><v>%d</v></c>' % i for i in range(4, 8))
    rows = [b'<row r="%d">%s</row>' % (number, row) for number in range(2, 20_002)]
    content = with_parts({STRINGS: strings, SHEET: sheet_xml(header + b"".join(rows), b"A1:D20001")})
    assert len(content) < 200 * 1024

    settings.BASE_DIR = tmp_path
    staff = login(people["furong_staff"])
    staff.post(reverse("set-year"), {"year": "2013"})
    response = upload(staff, content)
    assert response.status_code == 200
    report = response.context["report"]
    assert len(report.errors) == 40_000 and len(report.rows) == 20_000
    html = response.content.decode()
    assert len(response.content) < 2 * 1024 * 1024
    assert html.count("data-row-error") == 200
    assert "另有 39500 处错误未显示" in html and "另有 19800 行未显示。" in html
