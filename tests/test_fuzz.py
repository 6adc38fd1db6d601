"""Fuzzing the two readers of uploaded files with hypothesis: no input, however odd, may crash them.

- ``plans.parsing.parse_document`` returns a ParsedPlan (whose JSON form can be written) or raises
  ``DocumentError``: arbitrary bytes under any extension, zip containers with random XML, well-formed
  .docx files and text in UTF-8 / GB18030 made of the numbering, unit and comparator fragments the
  parser looks for.
- ``activities.importing.import_activities(dry_run=True)`` returns an ImportReport or raises
  ``ImportFileError``: arbitrary bytes, and real .xlsx files written by openpyxl under the template's
  headers with random cells (text, codes, numbers, huge and non-finite numbers, dates, booleans,
  formula-like text, blanks). It never saves anything, and no row fails with an unexpected exception
  (those are logged by the importer as "无法处理此行").
"""

import io
import json
import logging
import math
import re
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activities.importing import (
    COL_END,
    COL_FEDERATION,
    COL_PLACE,
    COL_POINT,
    COL_START,
    COL_TITLE,
    COL_TYPE,
    ImportFileError,
    ImportReport,
    import_activities,
    template_columns,
)
from activities.models import Activity, ActivityType, Figure, FigureTotal
from plans.models import PlanStatus
from plans.parsing import DocumentError, ParsedPlan, parse_document
from tests import factories

FUZZ = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
FUZZ_DB = settings(FUZZ, max_examples=150)

# How many inputs the running test fed in (checked after each test by fed_enough_inputs).
COUNTS: dict[str, int] = {}
# Far fewer than max_examples: a test below it has a strategy that filters out (or fails to build)
# most of its inputs, and so tests much less than it seems to.
MIN_CASES = 50


def _count(name: str) -> None:
    COUNTS[name] = COUNTS.get(name, 0) + 1


@pytest.fixture(autouse=True)
def fed_enough_inputs(request):
    """Each fuzz test ("…_survives_…") fed at least MIN_CASES inputs, whatever ran before it."""
    COUNTS.clear()
    yield
    if "_survives_" in request.node.name:
        total = sum(COUNTS.values())
        print(f"fuzz cases: {total} {COUNTS}")
        assert total >= MIN_CASES, f"{request.node.name} fed only {total} inputs: {COUNTS}"


# --- Strategies: documents --------------------------------------------------------------------------

# The pieces the parser looks for: numbering, units, comparators, verbs of work, header and date forms.
FRAGMENTS = (
    "一、 二、 十一、 （一） （二） (三) 1． 2. 10、 （1） (2) ① ② 一是 二是 三是 "
    "% ％ 万 万元 亿 人 人次 场次 个 期 名 以上 不少于 达 达到 超过 不低于 力争 "
    "培训 举办 走访 帮扶 新建 1-2 1—2 １２０ 10000 1,200 3.5 0 00 一百二十 两 三千 "
    "十二五 两纲 三八红旗手 2013年 3月8日 湘妇字〔2013〕3号 关于印发 工作要点 的通知 "
    "总体思路 主要活动安排 附件 附件1： 月份 1月 12月 第一季度 各市州妇联： 湖南省妇联 "
    "2013年1月10日 — 2 — - 3 - （ ） 《 》 “ ” ： ； 。 ， 、"
).split() + [" ", "\u3000", "\t", "\n", "\n", "\n\n", "\r\n", "\x0c", "\ufeff", "\u200b", "— 2 —"]
LABELS = "一、 二、 三、 十、 （一） （二） 1． 2． 1. （1） ① 一是 附件 主要活动安排 1月 3月份".split()
cjk_text = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF), max_size=8)
# What a target looks like: 培训 + 1,200 + 名 + 以上, with the odd number form.
target_phrase = st.tuples(
    st.sampled_from(["培训", "举办", "走访", "帮扶", "新建", "力争", "不少于", "达", "全年", ""]),
    st.one_of(
        st.integers(0, 10**12).map(str),
        st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False).map(str),
        st.sampled_from(
            ["一百二十", "两", "三千", "1-2", "1—2", "１２０", "1,200", "0.5", "十", "万", "3万"]
        ),
    ),
    st.sampled_from(
        ["个百分点", "人次", "场次", "万元", "亿元", "元", "人", "名", "场", "期", "个", "%", "户", ""]
    ),
    st.sampled_from(["及以上", "以上", "以下", "以内", "", "，", "。"]),
).map("".join)
piece = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.sampled_from(FRAGMENTS),
    target_phrase,
    cjk_text,
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=4),
)
# Lines that look like a document: a label, a few pieces, a line break.
line = st.tuples(st.sampled_from(LABELS + [""]), st.lists(piece, max_size=12)).map(
    lambda parts: parts[0] + "".join(parts[1]) + "\n"
)
fragment_text = st.one_of(
    st.lists(line, max_size=40).map("".join),
    st.lists(piece, max_size=120).map("".join),
)
ENCODINGS = ["utf-8", "utf-8", "utf-8", "utf-8-sig", "gb18030", "gb18030", "utf-16", "big5"]
EXTENSIONS = ["txt", "docx", "doc", "TXT", "DocX", "pdf", "xlsx", ""]


@st.composite
def encoded_text(draw):
    text = draw(fragment_text)
    encoding = draw(st.sampled_from(ENCODINGS))
    return text.encode(encoding, errors="replace")


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


xml_safe_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
)
xml_chunk = st.one_of(
    st.sampled_from(FRAGMENTS).map(_xml_escape),
    xml_safe_text.map(_xml_escape),
    st.sampled_from(
        [
            "<w:p>",
            "</w:p>",
            "<w:r>",
            "</w:r>",
            "<w:t>",
            "</w:t>",
            "<w:tab/>",
            "<w:br/>",
            "<w:tbl><w:tr><w:tc>",
            "</w:tc></w:tr></w:tbl>",
            "<!--",
            "-->",
            "<![CDATA[",
            "&amp;",
            "&#x0;",
            "&bogus;",
            '<!DOCTYPE x [<!ENTITY a "aaaa">]>',
        ]
    ),
)


@st.composite
def random_docx(draw):
    """A zip holding word/document.xml with random, mostly-XML content (often malformed)."""
    body = "".join(draw(st.lists(xml_chunk, max_size=60)))
    document = f'<?xml version="1.0"?><w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'
    members = {"word/document.xml": document.encode("utf-8", errors="replace")}
    if draw(st.booleans()):
        members["[Content_Types].xml"] = b'<?xml version="1.0"?><Types/>'
    if draw(st.booleans()):
        members = {draw(st.sampled_from(["word/Document.xml", "document.xml", "x"])): b"<a/>"}
    return _zip(members)


@st.composite
def wellformed_docx(draw):
    """A well-formed document: paragraphs (and sometimes a table) of numbering-like text."""
    paragraphs = draw(st.lists(fragment_text, max_size=25))
    runs = "".join(
        f'<w:p><w:r><w:t xml:space="preserve">{_xml_escape(_xml_chars(text))}</w:t></w:r></w:p>'
        for text in paragraphs
    )
    if draw(st.booleans()):
        cells = draw(st.lists(fragment_text, max_size=6))
        row = "".join(
            f"<w:tc><w:p><w:r><w:t>{_xml_escape(_xml_chars(c))}</w:t></w:r></w:p></w:tc>" for c in cells
        )
        runs += f"<w:tbl><w:tr>{row}</w:tr></w:tbl>"
    document = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>{runs}</w:body>'
    document += "</w:document>"
    return _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": document.encode()})


NUMBER_FORMATS = [
    "decimal",
    "chineseCounting",
    "chineseCountingThousand",
    "ideographTraditional",
    "decimalEnclosedCircle",
    "decimalEnclosedParen",
    "upperLetter",
    "lowerRoman",
    "decimalFullWidth",
    "bullet",
    "none",
    "bogus",
    "",
]
LEVEL_TEXTS = ["%1、", "（%2）", "%3．", "(%4)", "%1.%2.%3", "%9", "%0", "%", "%%1", "第%1章", "", "%10"]


@st.composite
def numbered_docx(draw):
    """Paragraphs carrying Word's automatic numbering (#14): numbering.xml with random levels, starts,
    formats and texts, lists that override or point nowhere, styles that number, odd numIds and ilvls."""
    levels = "".join(
        f'<w:lvl w:ilvl="{draw(st.sampled_from(["0", "1", "2", "3", "8", "9", "-1", "x"]))}">'
        f'<w:start w:val="{draw(st.sampled_from(["1", "0", "-5", "10000", "99999999999", "a"]))}"/>'
        f'<w:numFmt w:val="{draw(st.sampled_from(NUMBER_FORMATS))}"/>'
        f'<w:lvlText w:val="{_xml_escape(draw(st.sampled_from(LEVEL_TEXTS)))}"/></w:lvl>'
        for _ in range(draw(st.integers(0, 6)))
    )
    override = draw(
        st.sampled_from(["", '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="3"/></w:lvlOverride>'])
    )
    numbering = (
        f'<?xml version="1.0"?><w:numbering xmlns:w="{W}"><w:abstractNum w:abstractNumId="7">{levels}'
        f'</w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="7"/>{override}</w:num>'
        f'<w:num w:numId="2"><w:abstractNumId w:val="404"/></w:num></w:numbering>'
    )
    styles = (
        f'<?xml version="1.0"?><w:styles xmlns:w="{W}"><w:style w:styleId="H1"><w:pPr><w:numPr>'
        f'<w:numId w:val="1"/><w:ilvl w:val="1"/></w:numPr></w:pPr></w:style></w:styles>'
    )
    paragraphs = ""
    for text in draw(st.lists(fragment_text, max_size=20)):
        properties = draw(
            st.sampled_from(
                [
                    "",
                    '<w:pPr><w:pStyle w:val="H1"/></w:pPr>',
                    '<w:pPr><w:pStyle w:val="nope"/></w:pPr>',
                    '<w:pPr><w:numPr><w:ilvl w:val="{}"/><w:numId w:val="{}"/></w:numPr></w:pPr>'.format(
                        draw(st.sampled_from(["0", "1", "2", "9", "-1", "x"])),
                        draw(st.sampled_from(["1", "2", "0", "3", ""])),
                    ),
                ]
            )
        )
        paragraphs += f"<w:p>{properties}<w:r><w:t>{_xml_escape(_xml_chars(text))}</w:t></w:r></w:p>"
    document = f'<?xml version="1.0"?><w:document xmlns:w="{W}"><w:body>{paragraphs}</w:body></w:document>'
    members = {"word/document.xml": document.encode(), "word/numbering.xml": numbering.encode()}
    if draw(st.booleans()):
        members["word/styles.xml"] = styles.encode()
    if draw(st.booleans()):
        members["word/numbering.xml"] = draw(st.sampled_from([b"", b"<a", b"<w:numbering/>", b"\xff\xfe"]))
    return _zip(members)


@st.composite
def pdf_documents(draw):
    """PDFs of numbering-like text (#14), as the PDF tests build them, whole or damaged: cut short, a
    run of bytes overwritten, or their streams' bytes flipped."""
    from tests.plans.test_parsing_pdf import notice_pdf

    text = draw(fragment_text)
    data = notice_pdf(text, running_header=draw(st.sampled_from(["", "湖南省妇女联合会文件"])))
    damage = draw(st.sampled_from(["none", "none", "cut", "overwrite"]))
    if damage == "cut":
        data = data[: draw(st.integers(0, len(data)))]
    elif damage == "overwrite":
        start = draw(st.integers(0, len(data)))
        data = data[:start] + draw(st.binary(min_size=1, max_size=64)) + data[start + 64 :]
    return data


def _xml_chars(text: str) -> str:
    """Only the characters XML 1.0 allows (the rest cannot be in a real .docx)."""
    return "".join(
        c
        for c in text
        if c in "\t\n\r" or ("\x20" <= c <= "\ud7ff") or ("\ue000" <= c <= "\ufffd") or c > "\uffff"
    )


# --- The document parser ------------------------------------------------------------------------


def _parse_or_refuse(data: bytes, filename: str) -> None:
    try:
        result = parse_document(data, filename)
    except DocumentError as error:
        assert str(error)  # the message is shown to the user
        return
    assert isinstance(result, ParsedPlan)
    json.dumps(result.to_json(), ensure_ascii=False)


@FUZZ
@given(data=st.binary(max_size=4096), extension=st.sampled_from(EXTENSIONS))
def test_parser_survives_arbitrary_bytes(data, extension):
    _count("parser: arbitrary bytes")
    _parse_or_refuse(data, f"文件.{extension}" if extension else "文件")


@FUZZ
@given(data=encoded_text(), extension=st.sampled_from(["txt", "txt", "txt", "docx"]))
def test_parser_survives_numbering_like_text(data, extension):
    _count("parser: numbering-like text")
    _parse_or_refuse(data, f"工作要点.{extension}")


@FUZZ
@given(data=st.one_of(random_docx(), wellformed_docx()))
def test_parser_survives_docx_containers(data):
    _count("parser: docx containers")
    _parse_or_refuse(data, "工作要点.docx")


@FUZZ
@given(
    prefix=st.sampled_from(
        [b"PK\x03\x04", b"%PDF-1.4", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xef\xbb\xbf", b""]
    ),
    tail=st.binary(max_size=512),
    extension=st.sampled_from(["txt", "docx"]),
)
def test_parser_survives_signatures_with_garbage(prefix, tail, extension):
    _count("parser: signatures + garbage")
    _parse_or_refuse(prefix + tail, f"x.{extension}")


@FUZZ
@given(data=numbered_docx())
def test_parser_survives_word_numbering(data):
    _count("parser: Word numbering")
    _parse_or_refuse(data, "工作要点.docx")


@FUZZ
@given(data=pdf_documents(), extension=st.sampled_from(["pdf", "pdf", "txt"]))
def test_parser_survives_pdfs(data, extension):
    _count("parser: PDFs")
    _parse_or_refuse(data, f"工作要点.{extension}")


def test_parser_ignores_xml_entities():
    """Entity expansion (a "billion laughs") and external entities (XXE) inside word/document.xml."""
    entities = '<!ENTITY a0 "一、培训10000人以上">' + "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)
    )
    bodies = [
        f"<!DOCTYPE d [{entities}]>",
        '<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    ]
    for doctype, text in zip(bodies, ["&a9;", "一、&x;"], strict=True):
        document = f'<?xml version="1.0"?>{doctype}<w:document xmlns:w="{W}"><w:body><w:p><w:r>'
        document += f"<w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
        data = _zip({"word/document.xml": document.encode()})
        try:
            result = parse_document(data, "工作要点.docx")
        except DocumentError:
            continue
        flat = json.dumps(result.to_json(), ensure_ascii=False)
        assert "root:" not in flat and len(flat) < 100_000


# --- The activity importer ----------------------------------------------------------------------

YEAR = 2013


@pytest.fixture
def import_setup(tree, people):
    """芙蓉区's staff with a plan to link to, two indicators, and the real template headers."""
    nation = tree["nation"]
    trained = factories.indicator("PX02", "培训妇女人数", "人", nation)
    factories.indicator("DK01", "小额担保贷款金额", "万元", nation, decimal_places=2)
    plan = factories.plan(tree["furong"], year=YEAR, status=PlanStatus.PUBLISHED)
    point = factories.point(plan, "促进妇女就业", label="一")
    factories.point(plan, "技能培训", label="1", parent=point)
    factories.target(point, trained, 100)
    return {"user": people["furong_staff"], "headers": template_columns(tree["furong"])}


def _saved_counts() -> tuple[int, ...]:
    return (
        Activity.objects.count(),
        Figure.objects.count(),
        FigureTotal.objects.count(),
        Activity.history.count(),
        Activity.work_points.through.objects.count(),
    )


def _import_or_refuse(file_bytes: bytes, user, caplog) -> ImportReport | None:
    before = _saved_counts()
    caplog.clear()
    try:
        report = import_activities(file_bytes=file_bytes, user=user, year=YEAR, dry_run=True)
    except ImportFileError as error:
        assert str(error)
        report = None
    else:
        assert isinstance(report, ImportReport)
        assert report.imported == 0 and report.dry_run
        for row in report.rows:
            str(row)
        for error in report.errors:
            assert str(error)
    assert _saved_counts() == before, "a dry run saved something"
    crashes = [r for r in caplog.records if r.levelno >= logging.ERROR and r.name.startswith("activities")]
    assert not crashes, f"a row failed with an unexpected exception: {crashes[0].exc_info}"
    return report


finite_floats = st.floats(allow_nan=False, allow_infinity=False)
cell_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
cell_value = st.one_of(
    st.none(),
    cell_text,
    st.sampled_from(
        [
            "430102",
            "430102001",
            "430104",
            "370102",
            "00",
            "4301",
            " 430102 ",
            "430102.0",
            "４３０１０２",
            "培训",
            "宣传",
            "会议",
            "不存在的类型",
            "一",
            "一1",
            "二（一）1",
            "(一)",
            "一、",
            "2013-05-10",
            "2013/5/10",
            "2013.05.10",
            "2013年5月10日",
            "2013-05-10 14:30",
            "2013-13-40",
            "2013-02-29",
            "0001-01-01",
            "9999-12-31 23:59:59",
            "2012-12-31",
            "2014-01-01",
            "昨天",
            "=1+1",
            "=SUM(A1:A3)",
            '=HYPERLINK("http://x")',
            "@cmd",
            "+1",
            "-1",
            "1e400",
            "NaN",
            "inf",
            "1,000",
            "1.5.5",
            "0x10",
            "１２",
            "−5",
            "",
            "   ",
            "\u3000",
        ]
    ),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.sampled_from([0, 1, -1, 430102, 10**15, 2**63, 10**308]),
    finite_floats,
    st.sampled_from([math.inf, -math.inf, 1e308, 5e-324, 430102.0, 0.1, 12.345]),
    st.booleans(),
    st.dates(min_value=date(1900, 1, 1)),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(9999, 12, 31)),
    st.times(),
)


@st.composite
def workbook(draw, headers):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = draw(st.sampled_from(["活动", "活动", "Sheet1", "说明"]))
    columns = list(headers)
    if draw(st.booleans()):
        columns = draw(st.permutations(columns))
    if draw(st.integers(0, 4)) == 0:
        columns = columns[: draw(st.integers(0, len(columns)))]
    if draw(st.integers(0, 5)) == 0:
        columns.append(draw(st.sampled_from(["", "备注", COL_TITLE, "未知指标（个）", None])))
    sheet.append(columns)
    fixed = {COL_FEDERATION, COL_TITLE, COL_TYPE, COL_START, COL_END, COL_PLACE, COL_POINT}
    for _ in range(draw(st.integers(0, 8))):
        row = []
        for column in columns:
            if column == COL_FEDERATION and draw(st.booleans()):
                row.append(draw(st.sampled_from(["430102", "430102001", "430104", "370102", 430102])))
            elif column == COL_TYPE and draw(st.booleans()):
                row.append(draw(st.sampled_from([t.name for t in ActivityType.objects.all()] or ["培训"])))
            elif column == COL_TITLE and draw(st.booleans()):
                row.append(draw(cjk_text.filter(str.strip)))
            elif column == COL_POINT and draw(st.booleans()):
                row.append(draw(st.sampled_from(["一", "一1", "一、1．", "(一)", "二", "一2", 1])))
            elif column in (COL_START, COL_END) and draw(st.booleans()):
                row.append(
                    draw(st.datetimes(min_value=datetime(2012, 12, 1), max_value=datetime(2014, 1, 31)))
                )
            elif column not in fixed and draw(st.booleans()):
                row.append(draw(st.one_of(st.integers(-5, 10**6), finite_floats, cell_text)))
            else:
                row.append(draw(cell_value))
        if draw(st.integers(0, 9)) == 0:
            row.append(draw(cell_value))  # a cell beyond the last header
        try:
            sheet.append(row)
        except (ValueError, TypeError):
            # openpyxl cannot write such a value (an odd type or an illegal character): skip the row.
            continue
    if draw(st.integers(0, 5)) == 0:
        book.create_sheet("说明").append(["帮助"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_importer_survives_arbitrary_bytes(import_setup, caplog):
    @FUZZ_DB
    @given(
        data=st.one_of(
            st.binary(max_size=2048),
            st.binary(max_size=1024).map(lambda tail: b"PK\x03\x04" + tail),
            st.binary(max_size=512).map(lambda tail: b"\xd0\xcf\x11\xe0" + tail),
        )
    )
    def run(data):
        _count("importer: arbitrary bytes")
        _import_or_refuse(data, import_setup["user"], caplog)

    run()


def test_importer_survives_odd_zip_containers(import_setup, caplog):
    members = st.dictionaries(
        st.sampled_from(
            [
                "xl/workbook.xml",
                "[Content_Types].xml",
                "xl/worksheets/sheet1.xml",
                "xl/_rels/workbook.xml.rels",
                "xl/sharedStrings.xml",
                "xl/styles.xml",
                "_rels/.rels",
            ]
        ),
        st.one_of(st.binary(max_size=200), xml_safe_text.map(lambda t: f"<x>{_xml_escape(t)}</x>".encode())),
        max_size=7,
    )

    @FUZZ_DB
    @given(files=members)
    def run(files):
        _count("importer: zip containers")
        _import_or_refuse(_zip(files), import_setup["user"], caplog)

    run()


def test_importer_survives_random_cells_under_real_headers(import_setup, caplog):
    @settings(FUZZ_DB, max_examples=300)
    @given(data=workbook(import_setup["headers"]))
    def run(data):
        _count("importer: xlsx with random cells")
        _import_or_refuse(data, import_setup["user"], caplog)

    run()


def test_importer_survives_a_corrupted_real_workbook(import_setup, caplog):
    """A valid file with a few bytes flipped or cut: the zip or its XML breaks in arbitrary places."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "活动"
    sheet.append(import_setup["headers"])
    sheet.append(["430102", "技能培训", "培训", datetime(2013, 5, 10, 9), None, "长沙", "一1", 30])
    buffer = io.BytesIO()
    book.save(buffer)
    original = buffer.getvalue()
    assert _import_or_refuse(original, import_setup["user"], caplog).ok

    @FUZZ_DB
    @given(
        flips=st.lists(st.tuples(st.integers(0, len(original) - 1), st.integers(0, 255)), max_size=8),
        cut=st.integers(1, len(original)),
    )
    def run(flips, cut):
        _count("importer: corrupted workbook")
        data = bytearray(original[:cut])
        for position, value in flips:
            if position < len(data):
                data[position] = value
        _import_or_refuse(bytes(data), import_setup["user"], caplog)

    run()


def _rewrite_member(data: bytes, name: str, edit) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info, edit(content) if info.filename == name else content)
    return output.getvalue()


raw_number = st.one_of(
    st.sampled_from(
        ["inf", "-inf", "nan", "1e999", "-1e999", "1e-999", "-0", "", " ", "x", "1,5", "0x1F", "4.9e-324"]
        + ["99999999999999999999999", "2958466", "-1", "1e10", "60", "0.99999999"]
    ),
    st.floats().map(repr),
    st.integers(-(10**30), 10**30).map(str),
    st.text(alphabet="0123456789.eE+-", max_size=12),
)


@pytest.mark.filterwarnings("ignore:Cell .* is marked as a date:UserWarning")
def test_importer_survives_crafted_number_cells(import_setup, caplog):
    """Values openpyxl never writes but a hand-made file can hold: the raw <v> of number and date cells."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "活动"
    headers = import_setup["headers"]
    sheet.append(headers)
    sheet.append(["430102", "技能培训", "培训", datetime(2013, 5, 10, 9), datetime(2013, 5, 11)] + [None] * 2)
    for column in range(8, len(headers) + 1):
        sheet.cell(row=2, column=column, value=777.5)
    buffer = io.BytesIO()
    book.save(buffer)
    original = buffer.getvalue()
    sheet_xml = zipfile.ZipFile(io.BytesIO(original)).read("xl/worksheets/sheet1.xml")
    values = sorted(set(re.findall(rb"<v>([^<]*)</v>", sheet_xml)))
    assert b"777.5" in values and len(values) >= 3  # the figure and the two dates (Excel serials)

    @FUZZ_DB
    @given(replacements=st.lists(st.tuples(st.sampled_from(values), raw_number), min_size=1, max_size=3))
    def run(replacements):
        _count("importer: crafted number cells")

        def edit(content: bytes) -> bytes:
            for old, new in replacements:
                content = content.replace(
                    b"<v>" + old + b"</v>", b"<v>" + _xml_escape(new).encode() + b"</v>"
                )
            return content

        _import_or_refuse(
            _rewrite_member(original, "xl/worksheets/sheet1.xml", edit), import_setup["user"], caplog
        )

    run()
