"""The assessment on paper: the scoring table in Excel (考核评分表) and the result letter in Word.

The table is laid out as the offices print it — 序号, 考核项目 (merged down its items), 考核内容, 分值,
自评分, 审核分, 审核意见, then 合计 — in the house style of the annual export (reports.export: A4
landscape, 宋体, borders, title and info line, page numbers), through its sheet frame. The letter
(考核结果通知) goes through reports.summary_docx.write_docx, so it has the GB/T 9704 layout of the
year-end summary.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.export import XLSX_CONTENT_TYPE, Sheet, Styles, chinese_date, new_workbook
from reports.summary import Section
from reports.summary_docx import write_docx

from . import scoring
from .models import Assessment, Rule
from .services import lines

__all__ = ["XLSX_CONTENT_TYPE", "letter_docx", "letter_filename", "table_filename", "write_table"]

ONE_DECIMAL = "0.0"
WIDTHS = [6, 16, 40, 8, 9, 9, 36]
HEADERS = [
    gettext_lazy("序号"),
    gettext_lazy("考核项目"),
    gettext_lazy("考核内容"),
    gettext_lazy("分值"),
    gettext_lazy("自评分"),
    gettext_lazy("审核分"),
    gettext_lazy("审核意见"),
]


def _points(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def table_title(assessment: Assessment) -> str:
    return _("%(federation)s%(year)d年度考核评分表") % {
        "federation": assessment.federation.display_name,
        "year": assessment.scheme.year,
    }


def table_filename(assessment: Assessment) -> str:
    return f"{table_title(assessment)}.xlsx"


def write_table(assessment: Assessment, output, *, with_review: bool) -> None:
    """Write the scoring table to ``output`` (a path or a binary file). ``with_review`` False leaves
    the 审核分 and 审核意见 columns empty (the child before the review is complete)."""
    workbook = new_workbook(output)
    styles = Styles(workbook)
    sheet = Sheet(workbook, styles, _("考核评分表"), WIDTHS, header_rows=1)
    info = (
        _("被考核单位：%(name)s") % {"name": assessment.federation.name},
        _("考核单位：%(name)s") % {"name": assessment.scheme.federation.name},
    )
    sheet.write_frame(table_title(assessment), info)
    sheet.append([sheet.cell(str(header), "header") for header in HEADERS])
    scores = list(assessment.scores.select_related("item", "item__area"))
    row_number = 4  # after the title, the info line and the header
    area_first, area_id = row_number, None
    for number, score in enumerate(scores, start=1):
        item = score.item
        if item.area_id != area_id:
            if area_id is not None:
                sheet.merge(area_first, 2, row_number - 1, 2)
            area_first, area_id = row_number, item.area_id
        max_text = item.max_points if item.rule in (Rule.JUDGED, Rule.FROM_TARGETS) else None
        self_points = None if item.is_automatic else score.self_points
        label = item.name
        if item.rule in (Rule.BONUS, Rule.DEDUCTION):
            label = f"{item.name}（{item.get_rule_display()}，{_('上限')}{item.max_points}{_('分')}）"
        sheet.append(
            [
                sheet.cell(number, "center"),
                sheet.cell(item.area.name, "text"),
                sheet.cell(label, "text"),
                sheet.cell(_points(max_text), "number", ONE_DECIMAL),
                sheet.cell(_points(self_points), "number", ONE_DECIMAL),
                sheet.cell(_points(score.review_points) if with_review else None, "number", ONE_DECIMAL),
                sheet.cell(score.review_comment if with_review else "", "text"),
            ]
        )
        row_number += 1
    if area_id is not None:
        sheet.merge(area_first, 2, row_number - 1, 2)
    base_maximum = sum(
        (s.item.max_points for s in scores if s.item.rule in (Rule.JUDGED, Rule.FROM_TARGETS)), Decimal(0)
    )
    self_total = scoring.total(lines(assessment, self_side=True))
    review_total = assessment.total if with_review else None
    sheet.merge(row_number, 1, row_number, 3)
    sheet.append(
        [
            sheet.cell(_("合计"), "total"),
            sheet.cell(None, "total"),
            sheet.cell(None, "total"),
            sheet.cell(_points(base_maximum), "total_number", ONE_DECIMAL),
            sheet.cell(_points(self_total), "total_number", ONE_DECIMAL),
            sheet.cell(_points(review_total), "total_number", ONE_DECIMAL),
            sheet.cell(assessment.grade if with_review and assessment.grade else "", "total"),
        ]
    )
    workbook.close()


@dataclass
class Letter:
    """A result letter as reports.summary_docx.write_docx lays it out (its OfficialText): a title and
    sections of paragraphs."""

    title: str
    sections: list[Section] = field(default_factory=list)


def letter_filename(assessment: Assessment) -> str:
    return _("%(name)s%(year)d年度考核结果通知.docx") % {
        "name": assessment.federation.display_name,
        "year": assessment.scheme.year,
    }


def letter(assessment: Assessment) -> Letter:
    """The result letter's text: salutation, the result with total and grade, the score of each
    area, and the sender with the date (the assessment must be final)."""
    scheme = assessment.scheme
    scores = list(assessment.scores.select_related("item", "item__area"))
    maximum = scoring.maximum_total(lines(assessment))
    opening = Section(
        "",
        [
            _("%(name)s：") % {"name": assessment.federation.name},
            _(
                "根据《%(scheme)s》，经你单位自评、%(assessor)s审核评分和异议处理，你单位%(year)d年度考核总分为"
                "%(total)s分（满分%(maximum)s分），考核等次为%(grade)s。"
            )
            % {
                "scheme": scheme.name,
                "assessor": scheme.federation.display_name,
                "year": scheme.year,
                "total": assessment.total,
                "maximum": maximum,
                "grade": assessment.grade,
            },
        ],
    )
    areas: dict[int, list] = {}
    for score in scores:
        areas.setdefault(score.item.area_id, []).append(score)
    paragraphs = []
    for area_scores in areas.values():
        area = area_scores[0].item.area
        got = scoring.total(
            [scoring.Line(s.item.rule, s.item.max_points, s.review_points) for s in area_scores]
        )
        paragraphs.append(_("%(area)s：得分%(points)s分。") % {"area": area.name, "points": got})
    details = Section(_("一、各项得分"), paragraphs)
    closing = Section(
        _("二、有关要求"),
        [
            _("请对照考核细则查漏补缺，巩固成绩，改进不足。"),
            scheme.federation.name,
            chinese_date(timezone.localdate()),
        ],
    )
    title = _("关于%(name)s%(year)d年度考核结果的通知") % {
        "name": assessment.federation.display_name,
        "year": scheme.year,
    }
    return Letter(title, [opening, details, closing])


def letter_docx(assessment: Assessment):
    """The letter as a .docx in memory (io.BytesIO), GB/T 9704 layout."""
    return write_docx(letter(assessment))
