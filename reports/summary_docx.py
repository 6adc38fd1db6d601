"""The year-end summary as a Word document laid out as an official document (GB/T 9704-2012).

GB/T 9704-2012 《党政机关公文格式》, the layout Chinese offices print their documents in:

- A4 paper (210 mm × 297 mm); margins 天头 37 mm, 订口 28 mm, so that the type area (版心) is
  156 mm × 225 mm: bottom 35 mm, right 26 mm (§5.2.1–5.2.2);
- the title in 2号小标宋 (22 pt, 方正小标宋简体), centred (§7.3.3);
- the body in 3号仿宋 (16 pt, 仿宋_GB2312); first-level headings (一、) in 黑体, second-level ones
  (（一）) in 楷体, both 3号 (§5.2.3, §7.3.3); 22 lines a page of 28 characters each (§5.2.4): a
  fixed line pitch of 28.95 pt, also the section's line grid, and characters condensed by ¼ pt so
  that 28 fit the 156 mm line;
- page numbers in 4号 (14 pt) 半角 Arabic numerals in 宋体, a dash either side ("— 1 —"), at the
  foot of the page, odd pages on the right and even pages on the left, one character in (§7.5).

Fonts: offices have 方正小标宋简体, 仿宋_GB2312 and 楷体_GB2312 installed, but a fresh Windows or a
Linux desktop does not. Each run names its face for Chinese text (``w:eastAsia`` in ``w:rFonts``:
``font.name`` alone sets only the Latin faces), and the document's font table says what each face
falls back to, with the GB2312 character set (86) and serif family as a further hint:
方正小标宋简体 → 宋体 (SimSun), 仿宋_GB2312 → 仿宋 (FangSong), 楷体_GB2312 → 楷体 (KaiTi),
黑体 → SimHei. Word and WPS use a missing face's ``w:altName`` from the font table when it is
installed, and otherwise substitute by character set and family (a 宋体-like serif for GB2312);
LibreOffice substitutes by its own replacement table and fontconfig (Noto Serif CJK SC on Debian).
The text is never lost, only its face changes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Protocol

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"  # first-level headings: 一、
SUBHEADING_FONT = "楷体_GB2312"  # second-level headings: （一）
PAGE_NUMBER_FONT = "宋体"
# Each face and what Word/WPS fall back to where it is not installed (see the module's docstring).
FALLBACKS = {
    TITLE_FONT: "宋体",
    BODY_FONT: "仿宋",
    SUBHEADING_FONT: "楷体",
    HEADING_FONT: "SimHei",
    "仿宋": "FangSong",
    "楷体": "KaiTi",
    "宋体": "SimSun",
}
TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号
PAGE_NUMBER_SIZE = Pt(14)  # 四号

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
TOP_MARGIN, BOTTOM_MARGIN = Mm(37), Mm(35)
LEFT_MARGIN, RIGHT_MARGIN = Mm(28), Mm(26)
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28
# 225 mm of type area over 22 lines is 28.99 pt; Word's own grid for 22 lines on this page is 28.95 pt
# (579 twentieths of a point), which leaves the last line a little room: the value offices use.
LINE_PITCH = Pt(28.95)

# 28 characters of 三号 on the 156 mm line: a pitch of 442.2 pt / 28 = 15.79 pt, so each character is
# condensed by a quarter point (w:spacing counts twentieths of a point).
CHAR_SPACING = -5

# A paragraph that opens with a second-level label, as the summary writes a sub-point's: 一（一）加强…。
SUBHEADING = re.compile(r"^[一二三四五六七八九十]*（[一二三四五六七八九十]+）[^。\n]{1,80}?。")


def _set_font(font, name: str, size: Pt, *, bold: bool | None = None) -> None:
    """Set a run's or a style's face for Latin and Chinese text alike, black, at a size.

    The built-in styles name theme fonts that would win over an explicit face, so those go.
    """
    font.name = name
    font.size = size
    font.color.rgb = RGBColor(0, 0, 0)
    if bold is not None:
        font.bold = bold
    r_fonts = font.element.get_or_add_rPr().get_or_add_rFonts()
    r_fonts.set(qn("w:eastAsia"), name)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        r_fonts.attrib.pop(qn(theme), None)


def _condense(font) -> None:
    r_pr = font.element.get_or_add_rPr()
    for spacing in r_pr.findall(qn("w:spacing")):
        r_pr.remove(spacing)
    r_pr.append(parse_xml(f'<w:spacing {nsdecls("w")} w:val="{CHAR_SPACING}"/>'))


def _fixed_lines(paragraph_format) -> None:
    paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    paragraph_format.line_spacing = LINE_PITCH
    paragraph_format.space_before = Pt(0)
    paragraph_format.space_after = Pt(0)


def _add_fallback_fonts(document) -> None:
    """Name each face in the font table with its fallback (w:altName) and the GB2312 charset."""
    part = next(rel.target_part for rel in document.part.rels.values() if rel.reltype.endswith("/fontTable"))
    fonts = parse_xml(part.blob)
    for name, alternative in FALLBACKS.items():
        fonts.append(
            parse_xml(
                f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{alternative}"/>'
                '<w:charset w:val="86"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>'
            )
        )
    part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_number_field(paragraph) -> None:
    """— PAGE — in 4号 宋体 半角 digits: the dashes and spaces as text, the number as a field."""

    def run(text: str | None = None):
        added = paragraph.add_run(text)
        _set_font(added.font, PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
        return added

    run("— ")
    parts = (("begin", None), ("instr", " PAGE "), ("separate", None), ("cached", "1"), ("end", None))
    for kind, text in parts:
        if kind == "cached":
            run(text)
            continue
        element = OxmlElement("w:instrText" if kind == "instr" else "w:fldChar")
        if kind == "instr":
            element.set(qn("xml:space"), "preserve")
            element.text = text
        else:
            element.set(qn("w:fldCharType"), kind)
        run()._r.append(element)
    run(" —")


def _footer(footer, alignment) -> None:
    paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    paragraph.alignment = alignment
    paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    # 单页码居右空一字，双页码居左空一字 (GB/T 9704 §7.5): one 4号 character in from the margin.
    if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
        paragraph.paragraph_format.right_indent = PAGE_NUMBER_SIZE
    else:
        paragraph.paragraph_format.left_indent = PAGE_NUMBER_SIZE
    _page_number_field(paragraph)


def _set_up_page(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = TOP_MARGIN, BOTTOM_MARGIN
    section.left_margin, section.right_margin = LEFT_MARGIN, RIGHT_MARGIN
    # Page numbers sit 7 mm below the type area (版心下边缘之下): the footer starts there.
    section.footer_distance = BOTTOM_MARGIN - Mm(7) - PAGE_NUMBER_SIZE
    section.header_distance = Mm(15)
    # The document grid: 22 lines a page. Characters are not snapped to a grid (linesAndChars with
    # the negative charSpace Word writes for 28 a line spreads LibreOffice's lines to 14 characters):
    # the body's characters are condensed instead (CHAR_SPACING), which every word processor honours.
    sect_pr = section._sectPr
    for old in sect_pr.findall(qn("w:docGrid")):
        sect_pr.remove(old)
    grid = OxmlElement("w:docGrid")
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(LINE_PITCH.pt * 20)))
    sect_pr.append(grid)
    document.settings.odd_and_even_pages_header_footer = True
    _footer(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)  # odd pages
    _footer(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)


def _set_up_defaults(document) -> None:
    """The document defaults: 三号仿宋, Chinese. The character grid counts in the default size (Word
    and LibreOffice both), so it must be the body's: python-docx's template has 11 pt, which made
    LibreOffice give each character two grid cells (14 a line instead of 28)."""
    r_pr = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for child in list(r_pr):
        r_pr.remove(child)
    r_pr.append(
        parse_xml(
            f'<w:rFonts {nsdecls("w")} w:ascii="{BODY_FONT}" w:hAnsi="{BODY_FONT}" w:eastAsia="{BODY_FONT}"'
            f' w:cs="{BODY_FONT}"/>'
        )
    )
    size = str(round(BODY_SIZE.pt * 2))
    r_pr.append(parse_xml(f'<w:sz {nsdecls("w")} w:val="{size}"/>'))
    r_pr.append(parse_xml(f'<w:szCs {nsdecls("w")} w:val="{size}"/>'))
    r_pr.append(parse_xml(f'<w:lang {nsdecls("w")} w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>'))


def _set_up_styles(document) -> None:
    _set_up_defaults(document)
    styles = document.styles
    _set_font(styles["Normal"].font, BODY_FONT, BODY_SIZE)
    _condense(styles["Normal"].font)
    _fixed_lines(styles["Normal"].paragraph_format)
    title = styles["Title"]
    _set_font(title.font, TITLE_FONT, TITLE_SIZE, bold=False)
    p_pr = title.element.get_or_add_pPr()
    for border in p_pr.findall(qn("w:pBdr")):  # python-docx's template underlines the title in blue
        p_pr.remove(border)
    r_pr = title.element.get_or_add_rPr()
    for spacing in r_pr.findall(qn("w:spacing")):  # and spaces its letters out
        r_pr.remove(spacing)
    _set_font(styles["Heading 1"].font, HEADING_FONT, BODY_SIZE, bold=False)
    _set_font(styles["Heading 2"].font, SUBHEADING_FONT, BODY_SIZE, bold=False)
    for name in ("Title", "Heading 1", "Heading 2"):
        _fixed_lines(styles[name].paragraph_format)


def _body(document, text: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.first_line_indent = BODY_SIZE * 2  # 首行缩进两字
    heading = SUBHEADING.match(text)
    if heading:  # the sub-point's label and title in 楷体, its figures in 仿宋
        _set_font(paragraph.add_run(heading.group()).font, SUBHEADING_FONT, BODY_SIZE)
        text = text[heading.end() :]
    if text:
        _set_font(paragraph.add_run(text).font, BODY_FONT, BODY_SIZE)


def _appendix(document, names: Sequence[str]) -> None:
    """附件说明 (GB/T 9704-2012 7.3.5.2): below the body, a blank line, then "附件：" indented two
    characters and the files' names; several are numbered 1．2．…, each under the first's number."""
    document.add_paragraph()
    numbered = len(names) > 1
    for index, name in enumerate(names, start=1):
        paragraph = document.add_paragraph()
        if index == 1:
            paragraph.paragraph_format.first_line_indent = BODY_SIZE * 2
            text = _("附件：") + (f"{index}．" if numbered else "") + name
        else:
            paragraph.paragraph_format.left_indent = BODY_SIZE * 5  # under the first's number
            text = f"{index}．{name}"
        _set_font(paragraph.add_run(text).font, BODY_FONT, BODY_SIZE)


class OfficialText(Protocol):
    """What write_docx lays out: a title and sections, each an optional heading and its paragraphs
    (reports.summary.Summary, the assessment's result letter assessments.export.Letter), and, when
    it has one, an ``appendix``: the names of the files cited as 附件."""

    title: str
    sections: Sequence


def write_docx(draft: OfficialText) -> io.BytesIO:
    """The draft as a .docx in memory, laid out by GB/T 9704 (see the module's docstring).

    Paragraph by paragraph: the title (style Title), a blank line, then each section's heading
    (Heading 1, 黑体, as 一、…) and its paragraphs (仿宋, indented two characters); a paragraph that
    opens with a sub-point's label and title (一（一）…。) has that part in 楷体.
    """
    document = Document()
    _set_up_page(document)
    _set_up_styles(document)
    _add_fallback_fonts(document)

    title = document.add_paragraph(style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_font(title.add_run(draft.title).font, TITLE_FONT, TITLE_SIZE)
    document.add_paragraph()  # 标题与正文之间空一行
    for section in draft.sections:
        if section.heading:
            heading = document.add_paragraph(style="Heading 1")
            heading.paragraph_format.first_line_indent = BODY_SIZE * 2
            heading.paragraph_format.keep_with_next = True
            _set_font(heading.add_run(section.heading).font, HEADING_FONT, BODY_SIZE)
        for text in section.paragraphs:
            _body(document, text)
    if getattr(draft, "appendix", None):
        _appendix(document, draft.appendix)
    buffer = io.BytesIO()
    document.save(buffer)
    buffer.seek(0)
    return buffer


__all__ = ["OfficialText", "write_docx"]
