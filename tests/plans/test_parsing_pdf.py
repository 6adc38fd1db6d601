"""PDF files (#14): the text layer is read with its page furniture removed, so that a PDF of a notice
gives the same outline and targets as its text; a PDF without text says it needs one.

The PDFs are written here by hand (a few objects: no font file is needed to read text back), with a
page number in every footer, a running header and lines wrapped at the page's width, as a printed
notice has them.
"""

import io
import zlib
from pathlib import Path

import pytest

from plans.parsing import DocumentError, ParsedPlan, parse_document

SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"
# A4 in points; a line holds LINE_WIDTH half-width cells (a Chinese character takes two), as a printed
# notice in 16 pt type on A4 holds about 28 characters.
PAGE_WIDTH, PAGE_HEIGHT = 595, 842
LINE_WIDTH = 56
LINES_PER_PAGE = 30
FONT_SIZE = 14


def wrap(paragraph: str) -> list[str]:
    """The paragraph cut at the line width, wherever the words are: a PDF's hard line wraps."""
    lines, line, width = [], "", 0
    for char in paragraph:
        char_width = 1 if char.isascii() else 2
        if width + char_width > LINE_WIDTH:
            lines.append(line)
            line, width = "", 0
        line += char
        width += char_width
    return [*lines, line] if line else lines


def _hex(text: str) -> str:
    return "".join(f"{ord(char):04X}" for char in text)


def notice_pdf(text: str, *, running_header: str = "", text_layer: bool = True) -> bytes:
    """A PDF of ``text`` built by hand: one Type0 font (Identity-H, character codes = Unicode, with a
    ToUnicode map, as Word's PDFs carry), lines wrapped at the page's width, a page number "- n -" in
    every footer and a running header from the second page on. Without ``text_layer`` the pages hold
    only drawings, as a scan holds only pictures."""
    lines = []
    for paragraph in text.split("\n"):
        lines += wrap(paragraph.rstrip()) or [""]
    pages = [lines[index : index + LINES_PER_PAGE] for index in range(0, len(lines), LINES_PER_PAGE)]
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    def stream(data: bytes) -> int:
        packed = zlib.compress(data)
        return add(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream")

    # The map covers the characters used, as a subset font's does (a map of all 65,536 codes would
    # make the reader, not the parser, the slow part).
    used = sorted({char for line in lines for char in line} | set(running_header) | set("- 0123456789"))
    blocks = [used[index : index + 100] for index in range(0, len(used), 100)]
    mapping = "\n".join(
        f"{len(block)} beginbfchar\n" + "\n".join(f"<{_hex(c)}> <{_hex(c)}>" for c in block) + "\nendbfchar"
        for block in blocks
    )
    to_unicode = stream(
        (
            "/CIDInit /ProcSet findresource begin 12 dict begin begincmap"
            " /CMapName /Uni def /CMapType 2 def\n"
            f"1 begincodespacerange <0000> <FFFF> endcodespacerange\n{mapping}\n"
            "endcmap CMapName currentdict /CMap defineresource pop end end"
        ).encode()
    )
    descendant = add(
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /DW 1000"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>"
    )
    font = add(
        b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H"
        b" /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (descendant, to_unicode)
    )
    pages_id = len(objects) + 2 * len(pages) + 1
    kids = []
    for number, page in enumerate(pages, start=1):
        top = PAGE_HEIGHT - 80
        placed = [(72, top - 22 * row, line) for row, line in enumerate(page) if line]
        placed.append((PAGE_WIDTH // 2 - 20, 40, f"- {number} -"))
        if running_header and number > 1:
            placed.append((72, PAGE_HEIGHT - 50, running_header))
        if text_layer:
            content = "".join(
                f"BT /F1 {FONT_SIZE} Tf {x} {y} Td <{_hex(line)}> Tj ET\n" for x, y, line in placed
            )
        else:
            content = "".join(f"{x} {y} 200 10 re f\n" for x, y, _line in placed)
        contents = stream(content.encode())
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R"
                b" /Resources << /Font << /F1 %d 0 R >> >> >>"
                % (pages_id, PAGE_WIDTH, PAGE_HEIGHT, contents, font)
            )
        )
    assert (
        add(
            b"<< /Type /Pages /Kids [%s] /Count %d >>"
            % (b" ".join(b"%d 0 R" % kid for kid in kids), len(kids))
        )
        == pages_id
    )
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    output = io.BytesIO()
    output.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(output.tell())
        output.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = output.tell()
    output.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    output.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    output.write(
        b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, catalog, xref)
    )
    return output.getvalue()


def tree(points) -> list:
    return [
        (p.label, p.title, [(t.value, t.unit, t.comparator, t.per) for t in p.targets], tree(p.children))
        for p in points
    ]


@pytest.fixture(scope="module")
def hunan_pair() -> tuple[ParsedPlan, ParsedPlan, bytes]:
    name = "hunan-2013-work-points-notice.txt"
    data = (SEEDS / name).read_bytes()
    pdf = notice_pdf(data.decode("utf-8"), running_header="湖南省妇女联合会文件")
    return parse_document(data, name), parse_document(pdf, "hunan.pdf"), pdf


def test_the_pdf_has_pages_with_numbers_in_the_footer_and_hard_wraps(hunan_pair):
    from pypdf import PdfReader

    *_plans, pdf = hunan_pair
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 5
    second = reader.pages[1].extract_text()
    assert "- 2 -" in second and "湖南省妇女联合会文件" in second
    assert max(len(line) for line in second.split("\n")) <= LINE_WIDTH


def test_a_pdf_of_the_hunan_notice_gives_the_tree_and_targets_of_its_text(hunan_pair):
    text, pdf, _data = hunan_pair
    assert pdf.source == "pdf"
    assert (pdf.title, pdf.doc_number) == (text.title, text.doc_number)
    assert tree(pdf.points) == tree(text.points)
    assert [(a.label, a.title, a.month) for a in pdf.activities] == [
        (a.label, a.title, a.month) for a in text.activities
    ]


def test_a_pdf_without_a_text_layer_asks_for_one():
    text = (SEEDS / "hunan-2013-work-points-notice.txt").read_text(encoding="utf-8")
    with pytest.raises(DocumentError, match="没有文字层"):
        parse_document(notice_pdf(text, text_layer=False), "扫描件.pdf")


@pytest.mark.parametrize("data", [b"%PDF-1.7\n", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF"])
def test_a_damaged_pdf_is_refused_in_chinese(data):
    with pytest.raises(DocumentError, match="PDF"):
        parse_document(data, "要点.pdf")


def test_a_small_pdf_case_reads_like_its_text():
    text = (Path(__file__).resolve().parent / "cases" / "D-verbs.txt").read_text(encoding="utf-8")
    assert tree(parse_document(notice_pdf(text), "d.pdf").points) == tree(
        parse_document(text.encode(), "d.txt").points
    )


WOMEN = ["妇女", "女性", "广大妇女", "城乡妇女", "妇女群众", "女同胞", "姐妹们", "巾帼", "妇女姐妹"]
FEDERATIONS = [
    "妇联",
    "各级妇联",
    "妇女联合会",
    "基层妇联",
    "妇联组织",
    "全省妇联",
    "妇女组织",
    "妇代会",
    "女联",
]


def fifty_page_notice() -> str:
    """The Hunan notice with its work points repeated (renumbered 三、四、…) to over 50 printed pages."""
    text = (SEEDS / "hunan-2013-work-points-notice.txt").read_text(encoding="utf-8")
    body, attachment = text.split("附件", 1)
    points = "二、省妇联2013年工作要点" + body.split("二、省妇联2013年工作要点", 1)[1]
    parts = [body]
    numerals = "三四五六七八九十"
    while sum(len(wrap(line)) or 1 for line in "\n".join(parts).split("\n")) < 50 * LINES_PER_PAGE:
        copy = points.replace("二、", numerals[(len(parts) - 1) % len(numerals)] + "、", 1)
        # Each copy worded and indented its own way, so that its wrapped lines differ from the other
        # copies' (a line repeated at the top or bottom of pages would rightly be taken for a running
        # header or footer).
        variant = len(parts) % len(WOMEN)
        copy = copy.replace("妇女", WOMEN[variant]).replace("妇联", FEDERATIONS[variant])
        parts.append("\n".join(" " * len(parts) + line if line else line for line in copy.split("\n")))
    return "\n".join(parts) + "\n附件" + attachment


def test_a_fifty_page_notice_parses_within_two_seconds():
    # A deadline, not a stopwatch: parsing raises DocumentError if it outlasts the limit. Measured on
    # the development machine: 0.04 s for the text, 0.5 s for the PDF (54 pages), most of it in pypdf.
    text = fifty_page_notice()
    pdf = notice_pdf(text, running_header="湖南省妇女联合会文件")
    from pypdf import PdfReader

    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 50
    from_pdf = parse_document(pdf, "要点.pdf", time_limit=2)
    from_text = parse_document(text.encode(), "要点.txt", time_limit=2)
    assert len(from_pdf.points) == len(from_text.points) >= 10
    assert tree(from_pdf.points) == tree(from_text.points)
