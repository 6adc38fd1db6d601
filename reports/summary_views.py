"""The year-end summary draft as an editable page and as a Word document (nothing is saved)."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from fedwork import access, params
from fedwork.context_processors import selected_year

from .summary import Summary, build_summary

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Chinese official-document conventions: headings in 宋体, body in 仿宋; 三号 = 16 pt, 小四 = 12 pt.
HEADING_FONT, BODY_FONT = "宋体", "仿宋"
TITLE_SIZE, HEADING_SIZE, BODY_SIZE = Pt(16), Pt(14), Pt(12)


def _summary_for(request: HttpRequest, code: str) -> Summary:
    federation = access.get_federation_for_user_or_404(request.user, code)
    year = params.query_year(request, default=selected_year(request))
    return build_summary(federation, year, params.query_as_of(request))


@login_required
def summary(request: HttpRequest, code: str) -> HttpResponse:
    """The draft as editable text boxes, one per section, with a link to the .docx."""
    draft = _summary_for(request, code)
    query = {"year": draft.year}
    if request.GET.get("as_of"):
        query["as_of"] = draft.as_of.isoformat()
    return render(
        request,
        "reports/summary.html",
        {
            "summary": draft,
            "federation": draft.federation,
            "query": "&".join(f"{key}={value}" for key, value in query.items()),
        },
    )


@login_required
def summary_docx(request: HttpRequest, code: str) -> FileResponse:
    """The same draft as a Word document, named <单位简称><年>年工作总结（草稿）.docx."""
    draft = _summary_for(request, code)
    return FileResponse(
        write_docx(draft),
        as_attachment=True,
        filename=draft.filename,
        content_type=DOCX_CONTENT_TYPE,
    )


def _set_font(font, name: str, size: Pt, *, bold: bool | None = None) -> None:
    """Set a run's or a style's font for Latin and Chinese text alike.

    ``font.name`` only sets the Latin faces; Word takes Chinese characters from ``w:eastAsia``, and
    the built-in heading styles name theme fonts that would win over an explicit face, so those go.
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


def write_docx(draft: Summary) -> io.BytesIO:
    """The draft as a .docx in memory: title and section headings as headings, paragraphs in 仿宋."""
    document = Document()
    _set_font(document.styles["Normal"].font, BODY_FONT, BODY_SIZE)
    _set_font(document.styles["Title"].font, HEADING_FONT, TITLE_SIZE, bold=True)
    _set_font(document.styles["Heading 1"].font, HEADING_FONT, HEADING_SIZE, bold=True)

    title = document.add_heading(level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_font(title.add_run(draft.title).font, HEADING_FONT, TITLE_SIZE, bold=True)
    for section in draft.sections:
        if section.heading:
            heading = document.add_heading(level=1)
            _set_font(heading.add_run(section.heading).font, HEADING_FONT, HEADING_SIZE, bold=True)
        for text in section.paragraphs:
            paragraph = document.add_paragraph()
            paragraph.paragraph_format.first_line_indent = BODY_SIZE * 2  # 首行缩进两字
            _set_font(paragraph.add_run(text).font, BODY_FONT, BODY_SIZE)
    buffer = io.BytesIO()
    document.save(buffer)
    buffer.seek(0)
    return buffer
