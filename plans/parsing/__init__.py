"""Read a work-points document (工作要点 / 意见 / 通知) into an outline, its targets and its activity list.

Pure Python on purpose: the import view, the management commands and the tests all call it without a
database. ``parse_document`` takes the uploaded bytes (.txt, .docx or a PDF with a text layer, read by
``plans.parsing.pdf``), ``parse_text`` the decoded text.

The parser follows the way these documents are written (see DOMAIN.md): a header (issuing authority,
document number 湘妇字〔2013〕3号, possibly over two lines, a title over one to three lines, the
addressees), a preamble or a general idea (总体思路), numbered points nested 第一章 → 第一条 → 一、 →
（一） → 1． → （1） → ①, sections (第一部分, 【…】) under which the numbering starts again, enumerations
一是…二是… inside paragraphs, an optional signature and date, and attachments, one of which may be the
year's activity calendar (主要活动安排). Word's automatic numbering is rendered as Word shows it
(``plans.parsing.wordnumbering``). Text from PDFs is repaired first: page numbers (in footers, or as
1、 2、 at the start of a page's text) and running headers are removed, sentences cut by a page and
hard-wrapped lines are joined again, labels split from their numbers are put back together.

Targets are read wherever the plan speaks: in numbered points, in the preamble and in top-level table
rows (as points without a label). A number is a target only when it carries a unit (人, 场次, 万元, % …,
or a noun naming one: 人数3万) and either a comparator (以上, 不少于, 达, 余, 多 …), a range (1-2场次),
or a verb of work to do before it (培训, 培树 …) or after it behind a preposition (在12个村实施).
Cadence words give its period (年度/全年, 每月, 每季度, 三年累计). Years, dates, anniversaries,
ordinals, ages, phone numbers, 文号 and names such as 十二五, 两纲 or 三八红旗手 never qualify, because a
false target costs the planner more than a missed one; figures of a section that looks back (回顾, 总结,
上年…) are kept apart as baselines.

Cost is bounded (finding 8: a 50 KB .docx cost 22–34 s of CPU and a small deeply nested one answered
500): the file size, the inflated size of a .docx, its XML nesting depth, a PDF's pages, the characters
and the paragraphs of the text are capped (the ``MAX_*`` constants), every pass over the text is
linear, and the main loops check a deadline (``settings.PLAN_IMPORT_TIME_LIMIT`` seconds, 10 by
default, or the ``time_limit`` argument). Every refusal is a ``DocumentError`` with a Chinese message.
"""

from __future__ import annotations

import bisect
import codecs
import io
import itertools
import re
import time
import unicodedata
import zipfile
import zlib
from collections import Counter
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from decimal import Decimal
from xml.etree import ElementTree

from django.conf import settings
from django.utils.translation import gettext as _

from .wordnumbering import Numbering

# ---------------------------------------------------------------------------------------------------
# Public data


class DocumentError(Exception):
    """The uploaded file cannot be read as a work-points document; the message is for the user."""


@dataclass
class ParsedTarget:
    text: str
    value: Decimal
    max_value: Decimal | None
    unit: str
    comparator: str  # ">=", "<=", "=" or "range"
    # "year", "month", "quarter" (每季度), "span" (三年累计: over the plan's span) or None. The Target
    # model has year and month only: review_note tells the reviewer when the period does not fit.
    per: str | None = None
    approximate: bool = False  # 约500人, 500人左右
    review_note: str = ""

    def __post_init__(self) -> None:
        if not self.review_note and self.per in PER_REVIEW_NOTES:
            self.review_note = _(PER_REVIEW_NOTES[self.per])

    def to_json(self) -> dict:
        return {
            "text": self.text,
            "value": _json_number(self.value),
            "max_value": None if self.max_value is None else _json_number(self.max_value),
            "unit": self.unit,
            "comparator": self.comparator,
            "per": self.per,
            "approximate": self.approximate,
            "review_note": self.review_note,
        }

    @classmethod
    def from_json(cls, data: dict) -> ParsedTarget:
        """The target that ``to_json`` described (numbers back to Decimal)."""
        max_value = data.get("max_value")
        return cls(
            text=data["text"],
            value=Decimal(str(data["value"])),
            max_value=None if max_value is None else Decimal(str(max_value)),
            unit=data["unit"],
            comparator=data["comparator"],
            per=data.get("per"),
            approximate=bool(data.get("approximate")),
            review_note=data.get("review_note", ""),
        )


@dataclass
class ParsedPoint:
    label: str
    title: str
    body: str = ""
    targets: list[ParsedTarget] = field(default_factory=list)
    children: list[ParsedPoint] = field(default_factory=list)
    # point: a numbered point; section: 第一部分 / 【…】 / a heading over restarted numbering;
    # paragraph or row: unnumbered text (a preamble paragraph, a table row) that states targets;
    # speech: an item of 一是…二要…, which reads better as a note under its point than as a point.
    kind: str = "point"
    due: str = ""  # a table's 完成时限 cell: 6月底前

    def to_json(self) -> dict:
        return {
            "label": self.label,
            "title": self.title,
            "targets": [target.to_json() for target in self.targets],
            "children": [child.to_json() for child in self.children],
            "kind": self.kind,
            "due": self.due,
            "body": self.body,
        }

    @classmethod
    def from_json(cls, data: dict) -> ParsedPoint:
        """The point (with its targets and children) that ``to_json`` described."""
        return cls(
            label=data["label"],
            title=data["title"],
            body=data.get("body", ""),
            targets=[ParsedTarget.from_json(target) for target in data.get("targets", [])],
            children=[cls.from_json(child) for child in data.get("children", [])],
            kind=data.get("kind", "point"),
            due=data.get("due", ""),
        )


@dataclass
class ParsedActivity:
    label: str
    title: str
    month: int | None = None

    def to_json(self) -> dict:
        return {"label": self.label, "title": self.title, "month": self.month}

    @classmethod
    def from_json(cls, data: dict) -> ParsedActivity:
        return cls(label=data["label"], title=data["title"], month=data.get("month"))


@dataclass
class ParsedPlan:
    title: str
    doc_number: str | None
    general_idea: str
    points: list[ParsedPoint]
    activities: list[ParsedActivity]
    # Figures of a section that looks back (回顾, 总结, 上年…): last year's results, never targets.
    baselines: list[ParsedTarget] = field(default_factory=list)
    # The year the document is about (its title, else its 文号), for the year-mismatch warning.
    year: int | None = None
    source: str = "text"  # text, docx or pdf

    def to_json(self) -> dict:
        """The plan as JSON-ready data: title, doc_number, points (nested), activities, and since #14
        baselines, year, source, general_idea and each point's body (enough for ``from_json``)."""
        return {
            "title": self.title,
            "doc_number": self.doc_number,
            "points": [point.to_json() for point in self.points],
            "activities": [activity.to_json() for activity in self.activities],
            "baselines": [target.to_json() for target in self.baselines],
            "year": self.year,
            "source": self.source,
            "general_idea": self.general_idea,
        }

    @classmethod
    def from_json(cls, data: dict) -> ParsedPlan:
        """The plan that ``to_json`` described: the import review page carries a parsed document
        between its two steps this way instead of parsing the upload again. Raises KeyError or
        TypeError on data that ``to_json`` did not write."""
        return cls(
            title=data["title"],
            doc_number=data.get("doc_number"),
            general_idea=data.get("general_idea", ""),
            points=[ParsedPoint.from_json(point) for point in data["points"]],
            activities=[ParsedActivity.from_json(activity) for activity in data.get("activities", [])],
            baselines=[ParsedTarget.from_json(target) for target in data.get("baselines", [])],
            year=data.get("year"),
            source=data.get("source", "text"),
        )

    def numbered_points(self) -> list[tuple[int, int, ParsedPoint]]:
        """Every point as (index, depth, point) in reading order (a point before its children,
        index 0, 1, 2 … and depth 0 at the top): the numbers the review page's checkboxes carry."""
        result: list[tuple[int, int, ParsedPoint]] = []

        def visit(points: list[ParsedPoint], depth: int) -> None:
            for point in points:
                result.append((len(result), depth, point))
                visit(point.children, depth + 1)

        visit(self.points, 0)
        return result

    def without_branches(self, dropped: Collection[int]) -> ParsedPlan:
        """A copy without the points numbered in ``dropped`` (``numbered_points`` indexes) and
        everything under them: sub-points, their targets and notes. Unknown indexes are ignored;
        the original is left as it was."""
        numbers = {id(point): index for index, _depth, point in self.numbered_points()}

        def keep(points: list[ParsedPoint]) -> list[ParsedPoint]:
            return [
                replace(point, children=keep(point.children))
                for point in points
                if numbers[id(point)] not in dropped
            ]

        return replace(self, points=keep(self.points))

    def year_warning(self, year: int) -> str | None:
        """这份通知是2013年的，要导入为2014年计划吗？ when the document's year is not ``year``."""
        if self.year is None or self.year == year:
            return None
        message = _("这份通知是%(document)d年的，要导入为%(plan)d年计划吗？")
        return message % {"document": self.year, "plan": year}


def _json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


# ---------------------------------------------------------------------------------------------------
# Limits and file signatures

# As the upload form (plans.forms.MAX_DOCUMENT_BYTES).
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
# A .docx is a zip: bound what we inflate so a zip bomb cannot exhaust memory or time. A 30-page
# work-points document has a document.xml of about 1 MB and the whole package inflates to 2–3 MB.
MAX_DOCX_UNPACKED_BYTES = 40 * 1024 * 1024
MAX_DOCX_XML_BYTES = 20 * 1024 * 1024
# Word nests body > tbl > tr > tc > p > r > t, two more levels per content control (sdt > sdtContent)
# or nested table: real documents stay far below this. Deeper XML is an attack on the recursion.
MAX_XML_DEPTH = 200
# The text the parser reads: a long work-points document is 20,000 characters in 300 paragraphs.
MAX_TEXT_CHARS = 2_000_000
MAX_PARAGRAPHS = 20_000
# Seconds of parsing before DocumentError; settings.PLAN_IMPORT_TIME_LIMIT overrides it.
DEFAULT_TIME_LIMIT = 10.0
# Share of control characters above which decoded "text" is really binary.
MAX_CONTROL_SHARE = 0.01
# C0 and C1 controls (category Cc) except tab, line feed, vertical tab, form feed and carriage return.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
BINARY_SIGNATURES = (
    b"%PDF",
    b"PK\x03\x04",
    b"\x89PNG",
    b"\xd0\xcf\x11\xe0",  # OLE: .doc, .xls
    b"\xff\xd8\xff",  # JPEG
    b"GIF8",
)
WORD_NAMESPACE = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

# ---------------------------------------------------------------------------------------------------
# Numbers

FULLWIDTH = str.maketrans("０１２３４５６７８９％", "0123456789%")
CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CN_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
MAGNITUDES = {"": 1, "十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}
CN_NUMERAL_CHARS = "零〇一二两三四五六七八九十百千万亿"
ARABIC_WITH_MAGNITUDE = re.compile(r"(\d+(?:\.\d+)?)([十百千万亿]*)")
# A group of thousands: 1,200 or, full width, １，２００ (2013,200 is a year and a number, not 2013200).
THOUSANDS_GROUPS = re.compile(r"(?<![\d.])\d{1,3}(?:[,，]\d{3})+(?!\d)")
# ２．５亿元: a full-width point between digits is a decimal point (a label 1．is followed by a word).
DECIMAL_POINT = re.compile(r"(?<=\d)．(?=\d)")

# ---------------------------------------------------------------------------------------------------
# Page furniture left over from PDFs

PAGE_NUMBER_LINE = re.compile(
    r"\s*(?:[-－—–]+\s*\d{1,3}\s*[-－—–]+|第\s*\d{1,3}\s*页(?:\s*[,，/]?\s*共\s*\d{1,3}\s*页)?"
    r"|\d{1,3}\s*/\s*\d{1,3}|\d{1,3}|page\s*\d{1,3}(?:\s*of\s*\d{1,3})?)\s*",
    re.IGNORECASE,
)
# "- 3 -" or "—3—" inside a sentence; the look-behind keeps ranges such as 1—3—5 intact. The spaces
# around it are taken by _remove_inline_page_numbers(): a leading \s* in the pattern made the search
# quadratic in a run of spaces (20,000 spaces took 15 s).
INLINE_PAGE_NUMBER = re.compile(
    r"(?<!\d)[-－—–]{1,2}\s?\d{1,3}\s?[-－—–]{1,2}|第\s*\d{1,3}\s*页\s*[,，/]?\s*共\s*\d{1,3}\s*页"
)
# A page number that starts a page's text, before a heading of a higher level further on the line.
PAGE_MARKER = re.compile(
    r"(?P<number>\d{1,3})\s*[、．.](?!\d)(?=[^\n]{0,200}?\s[一二三四五六七八九十]{1,3}、)"
)
SPLIT_LABEL_NUMBER = re.compile(r"\d{1,2}|[一二三四五六七八九十]{1,3}")
FOOTER_MIN_CHARS = 8
FOOTER_MAX_CHARS = 40
SENTENCE_END_CHARS = "。！？；：!?;:"
OPEN_END_CHARS = "、，,（(“《—"
CLOSING_START_CHARS = "，。；、）)”》：,;"
BRACKET_PAIRS = (("（(", "）)"), ("“", "”"), ("《", "》"))
BRACKET_CHARS = re.compile("[" + re.escape("".join(o + c for o, c in BRACKET_PAIRS)) + "]")

# ---------------------------------------------------------------------------------------------------
# Header, signature and attachments

DOC_NUMBER = (
    r"[\u4e00-\u9fffA-Za-z]{1,8}\s*[〔\[【（(]\s*(?:19|20)\d{2}\s*[〕\]】）)]\s*(?:第\s*)?\d{1,4}\s*号"
)
DOC_NUMBER_LINE = re.compile(
    rf"(?:(?P<issuer>\S{{2,30}}文件)\s*)?(?P<number>{DOC_NUMBER})(?:\s+(?P<rest>\S.*))?"
)
ISSUER_LINE = re.compile(r"\S{2,30}文件")
# Bounded repeats: two unbounded ones around \d{4} backtrack quadratically on a long line.
HEADER_NOISE = re.compile(
    r"(?:签发人|特急|加急|急件|密级|机密|秘密|[（(][^（()）]{0,40}\d{4}\s*年[^（()）]{0,40}[)）]$)"
)
TITLE_MAX_CHARS = 40
TITLE_TERMINAL = re.compile(r"(?:通知|要点|意见|安排|计划|方案|规划|决定|办法|细则|标准|总结|报告|[)）》])$")
# A title glued to the body when line breaks were lost: "…工作要点 2013年，全省…".
TITLE_IN_LONG_LINE = re.compile(
    r"(?P<title>[^。，；：\s]{4,60}?(?:通知|要点|意见[（(]试行[)）]|意见|安排|方案|计划|规划|思路|任务))\s+(?P<rest>\S.*)"
)
ADDRESSEE = re.compile(r"(?P<addressee>各[^。：:]{1,100}[:：])\s*(?P<rest>.*)")
PRINTED_DOCUMENT = re.compile(
    r"^(?:关于)?(?:印发|转发|下发)《(?P<inner>[^《》]{2,60}(?:要点|安排|计划|方案|规划))》"
)
DATE_LINE = re.compile(
    r"[（(]?\s*(?:\d{4}|[〇零一二三四五六七八九]{4})\s*年\s*[\d一二三四五六七八九十]{1,3}\s*月"
    r"\s*[\d一二三四五六七八九十]{1,3}\s*日\s*(?:印发|发)?\s*[)）]?"
)
SIGNATURE_LINE = re.compile(
    r"[\u4e00-\u9fff（）()]{2,30}(?:联合会|妇联|委员会|办公室|妇工委|领导小组|人民政府|党组)"
)
TRAILER_LINE = re.compile(r"(?:抄送[:：]|主题词[:：]|[（(]此件.{0,10}[)）]$|.{0,40}印发$)")
ATTACHMENT_LINE = re.compile(r"附\s*件\s*(?P<number>\d*)\s*(?P<colon>[:：]?)\s*(?P<rest>.{0,60})")
ACTIVITY_TITLE = re.compile(r"(?:主要|重点)?活动(?:安排|计划|日程|一览)")
GENERAL_IDEA_HEADING = re.compile(r"(?:总体思路|指导思想|总体要求|工作思路|基本思路)")
GENERAL_IDEA_HEADING_MAX_CHARS = 12
# A section that looks back on the past year: its figures are results (baselines), not targets.
REVIEW_HEADING = re.compile(r"回顾|总结|成效|上年|去年|过去一年|完成情况|工作成绩|主要成绩")
# A heading that opens the plan for the year after a review: 二〇三二年工作安排, 今年工作要点.
PLAN_SECTION_HEADING = re.compile(
    r"(?:(?:19|20)\d{2}|[〇零一二三四五六七八九]{4}|今|本|明)年度?(?:的)?(?:工作|重点)?(?:安排|要点|计划|思路|打算|任务|目标)"
    r"|(?:下一步|今后)(?:工作)?(?:安排|打算|计划|思路)|工作(?:安排|打算|计划|思路|要点|目标|任务)"
)
# An unnumbered section heading: 第一部分 …, 【组织建设】, or a review or plan heading alone on its line.
SECTION_HEADING = re.compile(r"第[一二三四五六七八九十]{1,3}部分\s*\S{0,30}|【[^【】]{1,30}】")
PART_LABEL = re.compile(r"第[一二三四五六七八九十]{1,3}部分\s*")

# ---------------------------------------------------------------------------------------------------
# Numbering

# One alternative per numbering kind; the group name is the kind.
LABEL = re.compile(
    r"(?:第\s*(?P<chapter>[一二三四五六七八九十百]{1,4}|\d{1,3})\s*章"
    r"|第\s*(?P<section>[一二三四五六七八九十百]{1,4}|\d{1,3})\s*节"
    r"|第\s*(?P<article>[一二三四五六七八九十百]{1,4}|\d{1,3})\s*条"
    r"|(?P<cn>[一二三四五六七八九十]{1,3})\s*[、．]"
    r"|[（(]\s*(?P<pcn>[一二三四五六七八九十]{1,3})\s*[)）]"
    r"|(?P<ar>\d{1,2})\s*(?P<dot>[．.、])"
    r"|[（(]\s*(?P<par>\d{1,2})\s*[)）]"
    r"|(?P<circ>[①-⑳]))\s*"
)
# Depth of each kind in the conventional nesting; a document may skip a level.
KIND_RANK = {
    "part": 0,
    "chapter": 1,
    "section": 2,
    "article": 3,
    "cn": 4,
    "pcn": 5,
    "ar": 6,
    "par": 7,
    "circ": 8,
}
ARTICLE_KINDS = {"chapter": "章", "section": "节", "article": "条"}
# A numbered item may start mid-line (lost line breaks) only after one of these.
LABEL_BOUNDARY_CHARS = "。；;！!？?：:”」』"
LIST_OF_NUMERALS = re.compile(r"[一二三四五六七八九十]+\s*[、．]")
ENUMERATION_ITEM = re.compile(
    r"(?:^|(?<=[。；;：:，,！？!?\s]))(?P<number>[一二三四五六七八九十]{1,2})(?P<verb>[是要])"
)
HEADING_BEFORE_SPACE = re.compile(r"(?P<title>[^\s，。；：、“”（）,;:()]{2,30})\s+(?=\S)")
HEADING_MAX_CHARS = 40
TITLE_TRAILING = " \t。；;，,：:、"

# ---------------------------------------------------------------------------------------------------
# Activity calendars

MONTH = r"(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
MONTH_HEADING = re.compile(
    rf"(?:(?P<month>{MONTH})\s*(?:[-－—~～至到、]\s*{MONTH}\s*)?月份?|[上下]半年|全年|年内|第?[一二三四1-4]季度|[春夏秋冬]季)"
    r"\s*[:：]?"
)
MONTH_IN_TEXT = re.compile(
    rf"(?<![\d〇零一二三四五六七八九十])(?P<month>{MONTH})\s*(?:[-－—~～至到、]\s*{MONTH}\s*)?月"
)
MONTH_ANNOTATION = re.compile(
    rf"^(?:时间[:：])?\s*(?:{MONTH}\s*(?:[-－—~～至到、]\s*{MONTH}\s*)?月份?|[上下]半年|第?[一二三四1-4]季度)"
    r"\s*[:：，,\s]\s*"
    # No leading \s*: it made the search quadratic in a run of spaces; the caller strips them.
    rf"|[（(]\s*(?:时间[:：])?\s*{MONTH}\s*(?:[-－—~～至到、]\s*{MONTH}\s*)?月份?(?:[上中下]旬)?\s*[)）]\s*$"
)

# ---------------------------------------------------------------------------------------------------
# Targets

# Bounded, so that a pasted run of digits cannot overflow Decimal arithmetic.
NUMERAL = r"\d{1,12}(?:\.\d{1,6})?|[零〇一二两三四五六七八九十百千]{1,12}"
# Longest first, so 人次 wins over 人 and 个百分点 (never a target unit) over 个.
UNITS = "个百分点|人次|场次|万元|亿元|元|人|名|场|期|个|篇|条|户|件|次|家|所|项|位|支|%"
QUANTITY = re.compile(
    rf"(?P<n1>{NUMERAL})\s*(?P<m1>[万亿千百]?)"
    rf"(?:\s*(?P<dash>[-－—–~～至到])\s*(?P<n2>{NUMERAL})\s*(?P<m2>[万亿千百]?))?"
    # 60余场, 1万余人次, 30多个: at least that many.
    rf"(?P<approx>余|多)?\s*(?P<unit>{UNITS})?(?P<suffix>及以上|以上|以下|以内|之内|左右)?"
)
CHINESE_PERCENT = re.compile(
    r"百分之(?P<number>[零〇一二两三四五六七八九十百]+|\d+(?:\.\d+)?)(?P<suffix>及以上|以上|以下|以内)?"
)
# 十大 / 百大 count something only after a verb of selecting: 评选十大杰出女性. Elsewhere (十八大,
# 中国妇女十大) it is an ordinal.
TOP_N = re.compile(
    r"(?:评选|评出|选出|推选|选树|表彰|命名|推出)出?(?:全国|全省|全市|全区|全县|年度|首届)?"
    r"(?P<number>[十百])大(?P<noun>[\u4e00-\u9fff]{1,8})"
)
# One alternation, so that 不少于 is read whole before its tail 少于 could be.
COMPARATOR_WORDS = re.compile(
    r"(?P<at_least>不少于|不低于|至少|达到|(?<![传表到下通送])达|超过|力争|争取|突破|提高到|增加到)"
    r"|(?P<at_most>不超过|不高于|不多于|控制在|低于|少于)"
)
# Verbs of work to do: a plain "培训300人" is a quantity to reach, hence ">=".
WORK_VERBS = re.compile(
    r"培训|培育|培养|举办|举行|开展|组织|召开|建立|建设|创建|新建|扶持|安置|帮扶|帮助|资助|救助|慰问|走访|评选"
    r"|表彰|选树|推荐|发展|招募|吸纳|新增|完成|发放|提供|受理|办理|办结|征订|打造|上报|报送|转移|带动|覆盖"
    r"|惠及|服务|报道|编印|印制|捐赠|筹集|募集|申报|设立|命名|认定|宣讲|实施|培树|培塑|树立|开发|组建|成立"
    r"|开办|开设|孵化|吸收|挂牌|创办|选拔|招聘|培植|筛查|检查"
)
# 在12个村实施…, 对8000名妇女进行检查: after a preposition, the verb follows the number.
PREPOSITION_BEFORE = re.compile(r"[在对为向给][^，。；]{0,12}$")
VERBS_AFTER = re.compile(WORK_VERBS.pattern + r"|进行|落实")
# 受检妇女人数3万: the noun names what is counted, and so the unit.
MEASURE_NOUN_BEFORE = re.compile(
    r"(?P<noun>人数|人次|户数|场次|次数|个数|家数|篇数|件数)(?:要?达到?|为|不少于|不低于)?\s*$"
)
MEASURE_UNITS = {
    "人数": "人",
    "户数": "户",
    "次数": "次",
    "个数": "个",
    "家数": "家",
    "篇数": "篇",
    "件数": "件",
}
# 约500人, 500人左右: approximately.
APPROX_BEFORE = re.compile(r"(?:约|大约|近)\s*$")
RATE_WORDS = re.compile(r"率|比例|比重|占|覆盖|提高|增长|增加")
# A number straight after these is a rank, an ordinal or a reference, never an amount.
ORDINAL_BEFORE = "第首前届"  # 届 as in 十届五次执委会议
REFERENCE_BEFORE = re.compile(r"(?:以下|如下|下列|上述|这些|这|其中)\s*$")
# What may not follow a unit: 3个月 is a duration, 六次全会 an ordinal, 8项规定 a name …
UNIT_NOT_FOLLOWED_BY = {
    "个": re.compile(r"月|工作日|小时|代表|百分点"),
    "次": re.compile(r"全会|全体会议|代表大会"),
    "项": re.compile(r"规定|原则|目"),
    "场": re.compile(r"所|地"),
    "家": re.compile(r"庭|长|乡|园|万"),  # 千家万户
    "支": re.compile(r"持|部|付|出"),
    "人": re.compile(r"民|均"),
    "名": re.compile(r"单|称|义|额"),
}
# Cadence words; 三年累计 / 累计 count over the plan's span, not per year.
PER_WORDS = re.compile(
    r"每年度?|年度|年均|全年|每个?月|月均|每个?季度?|每周|每半年"
    r"|(?:[两二三四五]年)?(?:累计|合计|共计)|[两二三四五]年(?:内|间)"
)
PER_REVIEW_NOTES = {
    "quarter": "每季度的目标：计划只有全年和每月两种周期，请核对按全年记录的数值（全年为其4倍）",
    "span": "多年累计的目标：请核对本年度应完成的数值",
}
CLAUSE_DELIMITERS = "，。；：！？,;:!?\n"
SENTENCE_DELIMITERS = "。；！？;!?\n"
QUOTE_PAIRS = {"“": "”", "「": "」", "『": "』", "《": "》", "‘": "’", '"': '"'}
CLAUSE_MARK = re.compile("[" + re.escape(CLAUSE_DELIMITERS) + "]")
SENTENCE_MARK = re.compile("[" + re.escape(SENTENCE_DELIMITERS) + "]")
QUOTE_OPENER = re.compile("[" + re.escape("".join(QUOTE_PAIRS)) + "]")
PREFIX_WINDOW = 8
YUAN_PER_UNIT = {"元": 1, "万元": 10_000, "亿元": 100_000_000}
PERSON_NOUN = re.compile(r"女性|妇女|人物|母亲|女|标兵|能手|明星|模范|人")


# ---------------------------------------------------------------------------------------------------
# Entry points


def parse_document(data: bytes, filename: str, *, time_limit: float | None = None) -> ParsedPlan:
    """Parse an uploaded .txt (UTF-8, UTF-8 with BOM or GB18030) or .docx file.

    ``time_limit`` is in seconds of wall time, ``settings.PLAN_IMPORT_TIME_LIMIT`` (default 10) when
    None. Raises ``DocumentError`` with a Chinese message for anything that is not such a file, for
    a file over the size caps (``MAX_DOCUMENT_BYTES``, ``MAX_DOCX_*``, ``MAX_XML_DEPTH``,
    ``MAX_TEXT_CHARS``, ``MAX_PARAGRAPHS``) and when parsing outlasts the time limit.
    """
    if not data:
        raise DocumentError(_("文件为空"))
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentError(_("文件过大（不能超过 5 MB）"))
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    with _time_budget(time_limit):
        if extension == "pdf" or extension in ("txt", "") and data.startswith(b"%PDF"):
            from .pdf import pdf_text  # pypdf is imported only for PDFs

            text, source = pdf_text(data), "pdf"
        elif extension == "txt":
            text, source = _decode_text(data), "text"
        elif extension == "docx":
            text, source = _docx_text(data), "docx"
        elif extension == "doc":
            raise DocumentError(_("不支持旧版 Word（.doc）文件，请另存为 .docx 后再上传"))
        else:
            raise DocumentError(_("文件不是文本、PDF 或 Word 文档"))
        if not text.strip():
            raise DocumentError(_("文件为空"))
        plan = parse_text(text)
        plan.source = source
        return plan


def _pdf_message() -> str:
    return _("PDF 文件请先复制其中的文字，保存为 .txt 或粘贴后再导入")


def parse_text(text: str, *, time_limit: float | None = None) -> ParsedPlan:
    """Parse the text of a work-points document into title, number, general idea, points and activities.

    Bounded as :func:`parse_document` is: ``DocumentError`` over ``MAX_TEXT_CHARS`` characters or
    ``MAX_PARAGRAPHS`` lines, or past the time limit (seconds; inherited when called from
    :func:`parse_document`).
    """
    if len(text) > MAX_TEXT_CHARS:
        raise DocumentError(
            _("文档文字过多（不能超过 %(count)d 万字），请分成几个文件导入")
            % {"count": MAX_TEXT_CHARS // 10_000}
        )
    with _time_budget(time_limit):
        try:
            return _parse_text(text)
        except RecursionError:
            raise DocumentError(_("文档结构过于复杂，无法解析")) from None


def _parse_text(text: str) -> ParsedPlan:
    lines = _clean_lines(text)
    title, doc_number, start = _parse_header(lines)
    builder = _Builder()
    builder.feed(_join_wrapped_lines(lines[start:]))
    points = [_finish_point(node) for node in builder.roots]
    review = [_finish_point(node) for node in builder.review_roots]
    # A top-level point that looks back (一、2031年工作回顾) holds results, not targets.
    review += [point for point in points if _is_review_heading(point.title)]
    points = [point for point in points if not _is_review_heading(point.title)]
    baselines = [target for point in _walk(review) for target in point.targets]
    baselines += extract_targets("\n".join(builder.review_text))
    printed = PRINTED_DOCUMENT.match(title)
    return ParsedPlan(
        title=printed.group("inner") if printed else title,
        doc_number=doc_number,
        general_idea=_general_idea(builder.preamble, points),
        points=_preamble_points(builder.preamble, bool(points)) + points,
        activities=builder.activities(),
        baselines=baselines,
        year=_document_year(title, doc_number),
    )


def _is_review_heading(line: str) -> bool:
    """一、2031年工作回顾 or 二〇三一年工作总结: a short heading of a section that looks back."""
    return (
        len(line) <= 30
        and REVIEW_HEADING.search(line) is not None
        and ("年" in line or "工作" in line)
        and "。" not in line
        and not PLAN_SECTION_HEADING.search(line)
    )


def _preamble_points(preamble: list[str], numbered: bool) -> list[ParsedPoint]:
    """Points without a label for the text outside any numbered point: a paragraph or table row that
    states targets (今年全镇将培训…200人次), or every paragraph when the document numbers nothing."""
    result = []
    due_column: int | None = None
    for paragraph in preamble:
        _check_time()
        if "\t" in paragraph:
            cells = [cell.strip() for cell in paragraph.split("\t")]
            if not any(char.isdigit() for char in paragraph):
                # A header row: 序号 | 工作任务 | 目标 | 完成时限.
                due_column = next((i for i, cell in enumerate(cells) if DUE_HEADER.search(cell)), None)
                continue
            words = [cell for cell in cells if cell and not re.fullmatch(r"\d{1,3}[．.、]?", cell)]
            targets = extract_targets(paragraph)
            if words and (targets or not numbered):
                due = cells[due_column] if due_column is not None and due_column < len(cells) else ""
                row = ParsedPoint("", _clean_title(words[0]), paragraph, targets, [], kind="row", due=due)
                result.append(row)
            continue
        due_column = None
        if ADDRESSEE.fullmatch(paragraph) and not ADDRESSEE.fullmatch(paragraph).group("rest"):
            continue
        targets = extract_targets(paragraph)
        if targets or not numbered and len(preamble) > 1:
            title, body_start = _split_title(paragraph)
            body = paragraph[body_start:].strip()
            result.append(ParsedPoint("", title, body, targets, [], kind="paragraph"))
    return result


DUE_HEADER = re.compile(r"完成时限|时限|完成时间|时间节点|时间安排")


def _document_year(title: str, doc_number: str | None) -> int | None:
    for text in (title, doc_number or ""):
        match = re.search(r"((?:19|20)\d{2})\s*年|〔((?:19|20)\d{2})〕", text)
        if match:
            return int(match.group(1) or match.group(2))
        match = re.search(r"([〇零一二三四五六七八九]{4})年", text)
        if match:
            return int("".join(str(CN_DIGITS[char]) for char in match.group(1)))
    return None


# ---------------------------------------------------------------------------------------------------
# The time budget

_deadline: ContextVar[float | None] = ContextVar("plan_parsing_deadline", default=None)


@contextmanager
def _time_budget(time_limit: float | None) -> Iterator[None]:
    """Set the deadline that _check_time() enforces, unless an outer call has set one."""
    if _deadline.get() is not None:
        yield
        return
    if time_limit is None:
        time_limit = getattr(settings, "PLAN_IMPORT_TIME_LIMIT", DEFAULT_TIME_LIMIT)
    token = _deadline.set(time.monotonic() + time_limit)
    try:
        yield
    finally:
        _deadline.reset(token)


def _check_time() -> None:
    """Raise DocumentError once the deadline has passed: called once per line, point or match."""
    deadline = _deadline.get()
    if deadline is not None and time.monotonic() > deadline:
        raise DocumentError(_("文档过于复杂，无法在限定时间内解析"))


def extract_targets(text: str) -> list[ParsedTarget]:
    """Find the quantified targets in a point's own text (see the module docstring for the rules)."""
    index = _TextIndex(normalise_digits(text))
    text = index.text
    found: list[tuple[int, ParsedTarget]] = []

    def claim(start: int, end: int) -> bool:
        # One number, one target: the special forms below are read first and win over QUANTITY.
        if index.taken[start:end].count(1) or index.quoted[start]:
            return False
        index.taken[start:end] = b"\x01" * (end - start)
        return True

    _check_time()
    for match in TOP_N.finditer(text):
        start = match.start("number")
        if claim(start, match.end()):
            noun = match.group("noun")
            unit = "户" if "家庭" in noun else "名" if PERSON_NOUN.search(noun) else "个"
            value = Decimal(MAGNITUDES[match.group("number")])
            found.append((start, ParsedTarget(index.clause(start), value, None, unit, "=", index.per(start))))

    for match in CHINESE_PERCENT.finditer(text):
        value = parse_chinese_number(match.group("number"))
        if value is None or value <= 0:
            continue
        comparator = _comparator(index, match.start(), match.group("suffix"), "%", value)
        if comparator and claim(match.start(), match.end()):
            target = ParsedTarget(
                index.clause(match.start()), value, None, "%", comparator, index.per(match.start())
            )
            found.append((match.start(), target))

    for match in QUANTITY.finditer(text):
        _check_time()
        if not index.taken[match.start() : match.end()].count(1) and not index.quoted[match.start()]:
            target = _quantity_target(index, match)
            if target is not None:
                found.append((match.start(), target))

    return [target for _start, target in sorted(found, key=lambda item: item[0])]


def normalise_digits(text: str, *, decimal_points: bool = True) -> str:
    """ASCII digits, decimal points and % for their full-width forms; no thousands separators."""
    text = text.translate(FULLWIDTH)
    if decimal_points:
        text = DECIMAL_POINT.sub(".", text)
    return THOUSANDS_GROUPS.sub(lambda match: re.sub("[,，]", "", match.group(0)), text)


def parse_chinese_number(text: str) -> Decimal | None:
    """Read a number written in Chinese, Arabic digits or both: 十二 → 12, 100万 → 1000000, 两 → 2.

    Returns None when the text is not a number.
    """
    text = normalise_digits(text.strip())
    if not text or len(text) > 40:
        return None
    arabic = ARABIC_WITH_MAGNITUDE.fullmatch(text)
    if arabic:
        value = Decimal(arabic.group(1))
        for char in arabic.group(2):
            value *= MAGNITUDES[char]
        return _tidy(value)
    if len(text) > 1 and all(char in CN_DIGITS for char in text) and ("〇" in text or "零" in text):
        # Read digit by digit, as in 二〇一三; 三八 or 一二 without a zero are names or lists, not numbers.
        return Decimal("".join(str(CN_DIGITS[char]) for char in text))
    value = _chinese_integer(text)
    return None if value is None else Decimal(value)


# ---------------------------------------------------------------------------------------------------
# Files


def _decode_text(data: bytes) -> str:
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                return _check_is_text(data[len(bom) :].decode(encoding))
            except UnicodeDecodeError:
                raise DocumentError(_("无法识别文件编码（应为 UTF-8 或 GB18030）")) from None
    if data.startswith(b"%PDF"):
        raise DocumentError(_pdf_message())
    if data.startswith(BINARY_SIGNATURES) or b"\x00" in data:
        raise DocumentError(_("文件不是文本或 Word 文档"))
    for encoding in ("utf-8", "gb18030"):
        try:
            return _check_is_text(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    raise DocumentError(_("无法识别文件编码（应为 UTF-8 或 GB18030）"))


def _check_is_text(text: str) -> str:
    if len(text) > MAX_TEXT_CHARS:
        raise DocumentError(
            _("文档文字过多（不能超过 %(count)d 万字），请分成几个文件导入")
            % {"count": MAX_TEXT_CHARS // 10_000}
        )
    controls = len(CONTROL_CHARACTER.findall(text))
    if controls > len(text) * MAX_CONTROL_SHARE:
        raise DocumentError(_("文件不是文本或 Word 文档"))
    return text


def _docx_text(data: bytes) -> str:
    """The paragraphs of word/document.xml, one a line; a table row becomes a line of tab-separated cells."""
    invalid = DocumentError(_("文件不是有效的 Word 文档（.docx）"))
    too_large = DocumentError(_("Word 文档解压后过大，无法解析"))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            # The sizes the zip declares; reading is capped as well, in case they lie.
            if sum(member.file_size for member in archive.infolist()) > MAX_DOCX_UNPACKED_BYTES:
                raise too_large
            info = archive.getinfo("word/document.xml")
            if info.file_size > MAX_DOCX_XML_BYTES:
                raise too_large
            parts = {}
            for name in ("word/document.xml", "word/numbering.xml", "word/styles.xml"):
                if name not in archive.namelist() and name != "word/document.xml":
                    continue
                info = archive.getinfo(name)
                if info.file_size > MAX_DOCX_XML_BYTES:
                    raise too_large
                with archive.open(info) as member:
                    parts[name] = member.read(MAX_DOCX_XML_BYTES + 1)
                if len(parts[name]) > MAX_DOCX_XML_BYTES:
                    raise too_large
        # Word never writes a DTD; refusing one rules out entity-expansion attacks.
        if any(b"<!DOCTYPE" in xml or b"<!ENTITY" in xml for xml in parts.values()):
            raise invalid
        root = _parse_xml(parts["word/document.xml"])
        numbering = Numbering(
            _parse_xml(parts["word/numbering.xml"]) if "word/numbering.xml" in parts else None,
            _parse_xml(parts["word/styles.xml"]) if "word/styles.xml" in parts else None,
        )
        lines: list[str] = []
        body = root.find(f"{WORD_NAMESPACE}body")
        _docx_blocks(root if body is None else body, lines, numbering)
    except DocumentError:
        raise
    except RecursionError:
        raise DocumentError(_("Word 文档结构嵌套过深，无法解析")) from None
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, RuntimeError, NotImplementedError, zlib.error):
        raise invalid from None
    except (ElementTree.ParseError, ValueError):
        raise invalid from None
    return "\n".join(lines)


def _parse_xml(xml: bytes) -> ElementTree.Element:
    """The XML's root, refusing nesting deeper than MAX_XML_DEPTH (the reading below recurses)."""
    root = None
    depth = 0
    for count, (event, element) in enumerate(ElementTree.iterparse(io.BytesIO(xml), events=("start", "end"))):
        if event == "start":
            depth += 1
            if depth > MAX_XML_DEPTH:
                raise DocumentError(_("Word 文档结构嵌套过深，无法解析"))
            if root is None:
                root = element
        else:
            depth -= 1
        if not count % 10_000:
            _check_time()
    if root is None:
        raise ElementTree.ParseError("no element found")
    return root


def _docx_blocks(element: ElementTree.Element, lines: list[str], numbering: Numbering) -> None:
    for child in element:
        if len(lines) > MAX_PARAGRAPHS:
            raise _too_many_paragraphs()
        if child.tag == f"{WORD_NAMESPACE}p":
            lines.append(numbering.label(child) + _docx_paragraph(child))
        elif child.tag == f"{WORD_NAMESPACE}tbl":
            for row in child.findall(f"{WORD_NAMESPACE}tr"):
                cells = [
                    " ".join(
                        numbering.label(p) + _docx_paragraph(p) for p in cell.iter(f"{WORD_NAMESPACE}p")
                    ).strip()
                    for cell in row.findall(f"{WORD_NAMESPACE}tc")
                ]
                lines.append("\t".join(cells))
        else:
            # Content controls and custom XML wrap ordinary paragraphs.
            _docx_blocks(child, lines, numbering)


def _docx_paragraph(paragraph: ElementTree.Element) -> str:
    parts = []
    for node in paragraph.iter():
        if node.tag == f"{WORD_NAMESPACE}t":
            parts.append(node.text or "")
        elif node.tag == f"{WORD_NAMESPACE}tab":
            parts.append("\t")
        elif node.tag in (f"{WORD_NAMESPACE}br", f"{WORD_NAMESPACE}cr"):
            parts.append("\n")
    return "".join(parts)


# ---------------------------------------------------------------------------------------------------
# Cleaning


def _clean_lines(text: str) -> list[str]:
    """Stripped lines without page numbers and repeated footers; a sentence cut by a page break is joined."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u200b", "").replace("\ufeff", "")
    # Decimal points stay full width here: 1．3月 may be a label before a month.
    text = normalise_digits(text, decimal_points=False)
    page_numbers = set()
    page_breaks = set()  # lines that follow a page break whose page number was at their start
    raw = []
    split = text.split("\n")
    if len(split) > MAX_PARAGRAPHS:
        raise _too_many_paragraphs()
    split = _join_split_labels(split)
    marker = 0
    previous_text = ""
    for index, line in enumerate(split):
        _check_time()
        if "\f" in line:
            # A form feed (pdftotext, our PDF reader) starts a page: the line may go on with the
            # sentence the page before cut.
            page_breaks.add(index)
            line = line.replace("\f", "")
        line = line.strip()
        if line and PAGE_NUMBER_LINE.fullmatch(line):
            page_numbers.add(index)
        elif (
            (page := PAGE_MARKER.match(line))
            and int(page.group("number")) == marker + 1
            and (
                not previous_text
                or previous_text[-1] not in SENTENCE_END_CHARS
                and not LABEL.match(previous_text)
            )
        ):
            # "2、座12场。 二、加强…": a page number at the start of a page's text, which goes on with
            # the sentence the page before cut, not a heading (a heading 2、 cannot hold a 二、).
            marker += 1
            page_breaks.add(index)
            line = line[page.end() :]
        raw.append(_remove_inline_page_numbers(line).strip())
        if raw[-1] and index not in page_numbers:
            previous_text = raw[-1]
    counts = Counter(raw)
    form_feeds = sorted(index for index in page_breaks if "\f" in split[index])
    edges: set[int] | None = None
    if len(form_feeds) >= 2:
        # The pages are known: a running header or footer is at a page's top or bottom, and a line
        # repeated elsewhere (a wrapped line of a repeated phrase) is content.
        edges = set(_page_edges(raw, form_feeds))
        counts = Counter(raw[index] for index in edges)
    footers = {
        line
        for line, count in counts.items()
        if count >= 2
        and FOOTER_MIN_CHARS <= len(line) <= FOOTER_MAX_CHARS
        and not LABEL.match(line)
        and line[-1] not in SENTENCE_END_CHARS
        and not ATTACHMENT_LINE.fullmatch(line)
    }
    # A running header repeats the title, which must survive above the first numbered point.
    first_point = next((index for index, line in enumerate(raw) if LABEL.match(line)), len(raw))
    # Each line as its pieces: a line joined across thousands of page breaks is joined once at the end.
    lines: list[list[str]] = []
    after_break = False
    for index, line in enumerate(raw):
        if index in page_breaks:
            while lines and not lines[-1]:
                lines.pop()
            after_break = True
        if (
            index in page_numbers
            or line in footers
            and index > first_point
            and (edges is None or index in edges)
        ):
            while lines and not lines[-1]:
                lines.pop()
            after_break = True
            continue
        if not line:
            if not after_break:
                lines.append([])
            continue
        if (
            after_break
            and lines
            and lines[-1]
            and lines[-1][-1][-1] not in SENTENCE_END_CHARS
            and not LABEL.match(line)
            and not _is_heading_line(lines[-1])
        ):
            _append(lines[-1], line, wrapped=True)
        else:
            lines.append([line])
        after_break = False
    return ["".join(pieces) for pieces in lines]


def _is_heading_line(pieces: list[str]) -> bool:
    """A numbered heading alone on its line (一、组织建设): a page break after it cuts no sentence."""
    if len(pieces) != 1:
        return False
    line = pieces[0]
    return len(line) <= HEADING_MAX_CHARS and "。" not in line and _line_label(line) is not None


def _page_edges(lines: list[str], page_starts: list[int]) -> list[int]:
    """The first and last two non-empty lines of each page (a page number may be the last one)."""
    edges = []
    bounds = [*page_starts, len(lines)]
    if page_starts[0] > 0:
        bounds.insert(0, 0)
    for start, end in itertools.pairwise(bounds):
        filled = [index for index in range(start, end) if lines[index]]
        edges += filled[:2] + filled[-2:]
    return edges


def _join_split_labels(lines: list[str]) -> list[str]:
    """ "1" on one line and "、新建…" on the next, as PDF copies cut them: one line again."""
    result: list[str] = []
    for line in lines:
        stripped = line.strip()
        if stripped[:1] in ("、", "．", ".") and result and SPLIT_LABEL_NUMBER.fullmatch(result[-1].strip()):
            result[-1] = result[-1].strip() + stripped
        else:
            result.append(line)
    return result


def _too_many_paragraphs() -> DocumentError:
    return DocumentError(
        _("文档段落过多（不能超过 %(count)d 段），请分成几个文件导入") % {"count": MAX_PARAGRAPHS}
    )


def _remove_inline_page_numbers(line: str) -> str:
    """The line without page numbers inside it ("- 3 -", "第3页共12页") and the spaces around them."""
    pieces = []
    position = 0
    for match in INLINE_PAGE_NUMBER.finditer(line):
        start, end = match.start(), match.end()
        while start > position and line[start - 1].isspace():
            start -= 1
        while end < len(line) and line[end].isspace():
            end += 1
        # Between two Latin words or numbers the page number was the only separator; in Chinese,
        # nothing was.
        left, right = line[start - 1 : start], line[end : end + 1]
        pieces += [line[position:start], " " if left and right and _needs_space(left, right) else ""]
        position = end
    if not position:
        return line
    pieces.append(line[position:])
    return "".join(pieces)


def _needs_space(left_char: str, right_char: str, *, wrapped: bool = False) -> bool:
    """Whether joining two pieces needs a space: between two Latin words or numbers. A line wrap
    cuts numbers anywhere (10 / 00名): across one, only two Latin letters need a space."""
    if wrapped:
        return left_char.isascii() and left_char.isalpha() and right_char.isascii() and right_char.isalpha()
    return left_char.isascii() and left_char.isalnum() and right_char.isascii() and right_char.isalnum()


def _join(left: str, right: str) -> str:
    if left and right and _needs_space(left[-1], right[0]):
        return f"{left} {right}"
    return left + right


def _append(pieces: list[str], text: str, *, wrapped: bool = False) -> None:
    """Add ``text`` to a line kept as pieces, as _join() would (joining strings again and again is
    quadratic). Pieces are never empty."""
    if not text:
        return
    if pieces and _needs_space(pieces[-1][-1], text[0], wrapped=wrapped):
        pieces.append(" ")
    pieces.append(text)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _bracket_balance(text: str) -> list[int]:
    """Per pair of BRACKET_PAIRS, openings minus closings: the text leaves one open when above 0."""
    if BRACKET_CHARS.search(text) is None:
        return [0] * len(BRACKET_PAIRS)
    return [
        sum(text.count(o) for o in opening) - sum(text.count(c) for c in closing)
        for opening, closing in BRACKET_PAIRS
    ]


def _open_brackets(line: str) -> bytearray:
    """For each position, 1 when a bracket or quote opened before it is still open.

    Visits the brackets only (a regex finds them), filling the spans between them at C speed.
    """
    depths = [0] * len(BRACKET_PAIRS)
    mask = bytearray(len(line) + 1)
    is_open, start = False, 0  # mask[start : next bracket + 1] is is_open
    for match in BRACKET_CHARS.finditer(line):
        position = match.start()
        if is_open:
            mask[start : position + 1] = b"\x01" * (position + 1 - start)
        char = line[position]
        for pair, (opening, closing) in enumerate(BRACKET_PAIRS):
            if char in opening:
                depths[pair] += 1
            elif char in closing:
                depths[pair] -= 1
        is_open, start = any(depth > 0 for depth in depths), position + 1
    if is_open:
        mask[start:] = b"\x01" * (len(line) + 1 - start)
    return mask


def _wrap_width(line_widths: list[int]) -> int | None:
    """The width at which a PDF copy hard-wrapped its lines, if a good share of the lines share it."""
    widths = [width for width in line_widths if width >= 20]
    if len(widths) < 5:
        return None
    counts = Counter(widths)
    # Lines end within a character of the margin: count each width with the two just below it.
    near, best = max((sum(counts[w] for w in range(width - 2, width + 1)), width) for width in counts)
    return best if near >= max(3, len(widths) * 0.3) else None


def _join_wrapped_lines(lines: list[str]) -> list[str]:
    line_widths = [_width(line) for line in lines]
    wrap = _wrap_width(line_widths)
    # The line being built is kept as pieces with its width and bracket balance: measuring the whole
    # of a growing line again for each line joined to it was quadratic (finding 8).
    joined: list[list[str]] = []
    width = 0
    balance = [0] * len(BRACKET_PAIRS)
    for line, line_width in zip(lines, line_widths, strict=True):
        _check_time()
        previous = joined[-1] if joined else None
        if (
            line
            and previous
            and not _starts_new_block(line)
            and _continues(
                previous[-1][-1], line, wrap, width, any(count > 0 for count in balance), previous[-1]
            )
        ):
            if _needs_space(previous[-1][-1], line[0], wrapped=True):
                previous.append(" ")
                width += 1
            previous.append(line)
            width += line_width
            balance = [total + count for total, count in zip(balance, _bracket_balance(line), strict=True)]
        else:
            joined.append([line] if line else [])
            width, balance = line_width, _bracket_balance(line)
    return ["".join(pieces) for pieces in joined]


def _starts_new_block(line: str) -> bool:
    return bool(
        _line_label(line)
        or ATTACHMENT_LINE.fullmatch(line)
        or DATE_LINE.fullmatch(line)
        or MONTH_HEADING.fullmatch(line)
        or "\t" in line
    )


def _continues(
    last: str, line: str, wrap: int | None, width: int, unbalanced: bool, previous_line: str = ""
) -> bool:
    """Whether ``line`` continues the line before it, which ends with ``last``, is ``width`` wide and
    leaves a bracket open when ``unbalanced``; ``previous_line`` is that line as it came."""
    if last in OPEN_END_CHARS or line[0] in CLOSING_START_CHARS or unbalanced:
        return True
    if wrap is not None and width >= wrap - 2 and last not in SENTENCE_END_CHARS:
        return True
    # Too few lines to see the wrap width: a long line of prose (it has a clause mark) that stops
    # between two Chinese characters was cut by a wrap (举办“好家风”讲 / 座30场).
    return (
        len(previous_line) >= WRAPPED_PROSE_MIN_CHARS
        and _is_han(last)
        and _is_han(line[0])
        and CLAUSE_IN_PROSE.search(previous_line) is not None
    )


WRAPPED_PROSE_MIN_CHARS = 20
CLAUSE_IN_PROSE = re.compile("[，。；,;]")


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


# ---------------------------------------------------------------------------------------------------
# Header


def _parse_header(lines: list[str]) -> tuple[str, str | None, int]:
    """Title, document number and the index of the first body line. Split header lines are edited in place."""
    title_parts: list[str] = []
    doc_number: str | None = None
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line:
            index += 1
            continue
        number = DOC_NUMBER_LINE.fullmatch(line) if doc_number is None else None
        if doc_number is None and not number and index + 1 < len(lines) and len(line) <= 20:
            # 青妇发 / 〔2032〕3号: a document number split over two lines.
            number = DOC_NUMBER_LINE.fullmatch(line + lines[index + 1])
            if number:
                lines[index + 1] = ""
        if number:
            doc_number = re.sub(r"\s+", "", number.group("number"))
            if number.group("rest"):
                lines[index] = number.group("rest")
            else:
                index += 1
            continue
        if not title_parts and ISSUER_LINE.fullmatch(line) or HEADER_NOISE.match(line):
            index += 1
            continue
        addressee = ADDRESSEE.fullmatch(line)
        if addressee and (title_parts or doc_number):
            if addressee.group("rest"):
                lines[index] = addressee.group("rest")
            else:
                index += 1
            break
        if not title_parts and len(line) > TITLE_MAX_CHARS and (glued := TITLE_IN_LONG_LINE.match(line)):
            lines[index : index + 1] = [glued.group("title"), glued.group("rest")]
            continue
        if _is_title_line(line) and (not title_parts or _title_continues(title_parts[-1], line)):
            title_parts.append(line)
            index += 1
            continue
        break
    return "".join(title_parts), doc_number, index


def _is_title_line(line: str) -> bool:
    return (
        len(line) <= TITLE_MAX_CHARS
        and "\t" not in line  # a table straight after the title
        and not REVIEW_HEADING.search(line)
        and not SECTION_HEADING.fullmatch(line)
        and line[-1] not in "。；，：:,;"
        and "。" not in line
        and not _line_label(line)
        and not DATE_LINE.fullmatch(line)
        and not ATTACHMENT_LINE.fullmatch(line)
    )


def _title_continues(previous: str, line: str) -> bool:
    return not TITLE_TERMINAL.search(previous) and not GENERAL_IDEA_HEADING.match(line) and len(line) <= 30


# ---------------------------------------------------------------------------------------------------
# Numbered labels


@dataclass
class _Label:
    kind: str
    number: int
    display: str
    start: int
    end: int


def _read_label(match: re.Match[str]) -> _Label | None:
    kind = match.lastgroup if match.lastgroup != "dot" else "ar"
    raw = match.group(kind)
    if kind in ARTICLE_KINDS:
        number = int(raw) if raw.isdigit() else _chinese_integer(raw)
        if number is None:
            return None
        display = f"第{raw}{ARTICLE_KINDS[kind]}"
    elif kind in ("cn", "pcn"):
        number = _chinese_integer(raw)
        if number is None:
            return None
        display = raw if kind == "cn" else f"（{raw}）"
    elif kind == "circ":
        number = ord(raw) - ord("①") + 1
        display = raw
    else:
        number = int(raw)
        display = raw if kind == "ar" else f"（{number}）"
    return _Label(kind, number, display, match.start(), match.end())


def _line_label(line: str) -> _Label | None:
    """The numbering at the start of a line, if the line starts with one."""
    match = LABEL.match(line)
    if not match:
        return None
    label = _read_label(match)
    rest = line[match.end() :]
    if label is None or label.number == 0:
        return None
    if label.kind == "cn" and LIST_OF_NUMERALS.match(rest):
        return None  # 一、二季度
    if label.kind == "ar" and match.group("dot") == "." and rest[:1].isdigit():
        return None  # 1.5万
    if label.kind == "ar" and match.group("dot") == "、" and rest[:1].isdigit():
        return None  # 1、2月
    return label


class _Node:
    def __init__(self, label: _Label) -> None:
        self.kind = label.kind
        self.number = label.number
        self.label = label.display
        self.parts: list[str] = []
        self.children: list[_Node] = []


# ---------------------------------------------------------------------------------------------------
# Body


class _Builder:
    """Walks the body lines once, building the point tree, the preamble and the activity list."""

    def __init__(self) -> None:
        self.preamble: list[str] = []
        self.roots: list[_Node] = []
        self.review_roots: list[_Node] = []  # points of a section that looks back
        self.review_text: list[str] = []
        self.in_review = False
        self.review_by_label = False
        self.stack: list[_Node] = []
        self.mode = "body"  # body, attachment-title, activities, listing
        self.fresh_line = True
        # label, text (as pieces, see _append), month of the heading above
        self.items: list[tuple[str, list[str], int | None]] = []
        self.heading_month: int | None = None
        self.numbered_items = False

    # -- dispatch

    def feed(self, lines: list[str]) -> None:
        dropped = _signature_lines(lines)
        for index, line in enumerate(lines):
            _check_time()
            if index in dropped:
                continue
            attachment = ATTACHMENT_LINE.fullmatch(line) if line else None
            if attachment and (
                attachment.group("colon") or attachment.group("number") or not attachment.group("rest")
            ):
                self._start_attachment(attachment.group("rest").strip())
                continue
            if not line:
                self.fresh_line = True
                continue
            if self.mode == "listing":
                if _line_label(line) and len(line) <= 60:
                    continue
                self.mode = "body"
            if self.mode == "attachment-title":
                if _line_label(line) is None and len(line) <= 60:
                    self._attachment_title(line)
                    continue
                self.mode = "body"
            if self.mode == "activities":
                self._feed_activity(line)
            else:
                self._feed_body(line)
            self.fresh_line = True

    def _start_attachment(self, rest: str) -> None:
        if not rest:
            self.mode = "attachment-title"
        elif _line_label(rest):
            self.mode = "listing"  # 附件：1．…, a list of the attachments' names
        else:
            self._attachment_title(rest)

    def _attachment_title(self, title: str) -> None:
        if ACTIVITY_TITLE.search(title):
            self.mode = "activities"
            self.heading_month = None
        else:
            # Another attachment, such as the work points a 印发 notice carries: its points start afresh.
            self.mode = "body"
            self.stack = []

    # -- points

    def _feed_body(self, line: str) -> None:
        position = 0
        label = _line_label(line)
        if label is None and len(line) <= 30 and line[-1] not in SENTENCE_END_CHARS:
            if _is_review_heading(line):
                self.in_review, self.stack = True, []
                return
            if SECTION_HEADING.fullmatch(line) or PLAN_SECTION_HEADING.search(line) and self.in_review:
                # A part of the document: the numbering under it starts afresh.
                self.in_review, self.stack = False, []
                part = PART_LABEL.match(line)
                self._open(_Label("part", 0, part.group(0).strip() if part else "", 0, 0))
                self.stack[-1].parts.append(line[part.end() if part else 0 :].strip("【】 \t"))
                self.fresh_line = True
                return
        if label and (not self.stack or KIND_RANK[label.kind] <= KIND_RANK[self.stack[0].kind]):
            # A new top-level point: 一、2031年工作回顾 opens a review, the next top-level point ends it
            # (a review under an unnumbered heading ends at the next section heading instead).
            if _is_review_heading(line[label.end :]):
                self.in_review, self.review_by_label, self.stack = True, True, []
            elif self.review_by_label:
                self.in_review = self.review_by_label = False
        if label:
            self._open(label)
            position = label.end
        brackets: list[bytearray] = []  # computed once per line, on the first candidate
        while (label := self._next_inline_label(line, position, brackets)) is not None:
            self._add_text(line[position : label.start])
            self._open(label)
            position = label.end
        self._add_text(line[position:])

    def _open(self, label: _Label) -> None:
        while self.stack and KIND_RANK[self.stack[-1].kind] >= KIND_RANK[label.kind]:
            self.stack.pop()
        node = _Node(label)
        roots = self.review_roots if self.in_review else self.roots
        (self.stack[-1].children if self.stack else roots).append(node)
        self.stack.append(node)
        self.fresh_line = True

    def _add_text(self, text: str) -> None:
        text = text.strip()
        if not text:
            return
        parts = self.stack[-1].parts if self.stack else self.review_text if self.in_review else self.preamble
        if self.fresh_line or not parts:
            parts.append(text)
        else:
            parts[-1] = _join(parts[-1], text)
        self.fresh_line = False

    def _next_inline_label(self, line: str, position: int, brackets: list[bytearray]) -> _Label | None:
        """The next numbered item starting inside the line: only the item expected next, after a boundary."""
        for match in LABEL.finditer(line, position):
            label = _read_label(match)
            if label is None or not label.number:
                continue
            previous = line[match.start() - 1] if match.start() else ""
            after = line[match.end() : match.end() + 1]
            if previous and (
                previous == "第" or previous in CN_NUMERAL_CHARS or previous.isascii() and previous.isalnum()
            ):
                continue
            if (
                label.kind == "ar"
                and after.isdigit()
                or label.kind == "cn"
                and LIST_OF_NUMERALS.match(line, match.end())
            ):
                continue
            if not after:
                continue
            if not brackets:
                brackets.append(_open_brackets(line))
            if brackets[0][match.start()]:
                continue  # a reference inside quotes or brackets
            boundary = not previous or previous.isspace() or previous in LABEL_BOUNDARY_CHARS
            successor = any(
                node.kind == label.kind and node.number + 1 == label.number for node in self.stack
            )
            deeper = label.number == 1 and (
                not self.stack or KIND_RANK[label.kind] > KIND_RANK[self.stack[-1].kind]
            )
            # Without a boundary before it, only a strong form (1． or ①) may start an item: （二） after a
            # word is more likely a reference than a lost line break.
            strong = label.kind == "circ" or label.kind == "ar" and match.group("dot") == "．"
            if (successor or deeper) and (boundary or strong):
                return label
        return None

    # -- activities

    def _feed_activity(self, line: str) -> None:
        label = _line_label(line)
        # A month heading, possibly numbered itself: "三月", "一、第一季度".
        heading = MONTH_HEADING.fullmatch(line[label.end :] if label else line)
        if heading:
            self.heading_month = _month_number(heading.group("month"))
            return
        if "\t" in line:
            self._activity_row([cell.strip() for cell in line.split("\t") if cell.strip()])
            return
        if label is None:
            if self.items and self.numbered_items:
                _append(self.items[-1][1], line)
            elif ACTIVITY_TITLE.search(line) is None:
                self.items.append((str(len(self.items) + 1), [line], self.heading_month))
            return
        self.numbered_items = True
        while label is not None:
            following = self._next_activity_label(line, label)
            end = following.start if following else len(line)
            pieces: list[str] = []
            _append(pieces, line[label.end : end])
            self.items.append((label.display, pieces, self.heading_month))
            label = following

    def _next_activity_label(self, line: str, current: _Label) -> _Label | None:
        # In a calendar whose line breaks were lost, the next number is the only reliable separator.
        for match in LABEL.finditer(line, current.end):
            label = _read_label(match)
            previous = line[match.start() - 1]
            if (
                label is not None
                and label.kind == current.kind
                and label.number == current.number + 1
                and not previous.isdigit()
                and previous != "第"
                and not (label.kind == "ar" and line[match.end() : match.end() + 1].isdigit())
            ):
                return label
        return None

    def _activity_row(self, cells: list[str]) -> None:
        if not cells or not re.fullmatch(r"\d{1,3}[．.、]?", cells[0]):
            return  # the table's header row
        month = self.heading_month
        texts = []
        for cell in cells[1:]:
            heading = MONTH_HEADING.fullmatch(cell)
            if heading:
                month = _month_number(heading.group("month"))
            else:
                texts.append(cell)
        if texts:
            pieces: list[str] = []
            _append(pieces, texts[0])
            self.items.append((cells[0].rstrip("．.、"), pieces, month))

    def activities(self) -> list[ParsedActivity]:
        result = []
        for label, pieces, heading_month in self.items:
            text = "".join(pieces)
            month_match = MONTH_IN_TEXT.search(text)
            month = _month_number(month_match.group("month")) if month_match else heading_month
            title = MONTH_ANNOTATION.sub("", text.strip()).strip().strip(TITLE_TRAILING)
            if title:
                result.append(ParsedActivity(label=label, title=title, month=month))
        return result


def _signature_lines(lines: list[str]) -> set[int]:
    """Indexes of date, signature and trailer lines, which belong to no point."""
    dropped = set()
    for index, line in enumerate(lines):
        if line and (DATE_LINE.fullmatch(line) or TRAILER_LINE.match(line)):
            dropped.add(index)
            previous = index - 1
            while previous >= 0 and not lines[previous]:
                previous -= 1
            if previous >= 0 and SIGNATURE_LINE.fullmatch(lines[previous]):
                dropped.add(previous)
    return dropped


def _month_number(text: str | None) -> int | None:
    if not text:
        return None
    value = int(text) if text.isdigit() else _chinese_integer(text)
    return value if value is not None and 1 <= value <= 12 else None


# ---------------------------------------------------------------------------------------------------
# Points


def _finish_point(node: _Node) -> ParsedPoint:
    _check_time()
    own = "\n".join(node.parts)
    title, body_start = _split_title(own)
    body = own[body_start:].strip()
    children = [_finish_point(child) for child in node.children]
    if not children:
        enumeration = _find_enumeration(own)
        if enumeration is not None:
            start, items = enumeration
            if start >= body_start:
                body = own[body_start:start].strip()
                children = items
            elif _clean_title(own[:start]):
                title, body, children = _clean_title(own[:start]), "", items
    return ParsedPoint(
        label=node.label,
        title=title,
        body=body,
        targets=extract_targets(f"{title}\n{body}"),
        children=children,
        kind="section" if node.kind == "part" else "point",
    )


def _clean_title(text: str) -> str:
    return text.strip().strip(TITLE_TRAILING)


def _split_title(text: str) -> tuple[str, int]:
    """The point's title and where its body starts in ``text``.

    A short heading is the title whole; a numbered paragraph gives its first sentence (up to 。 or ：).
    """
    line_end = text.find("\n")
    first = text if line_end < 0 else text[:line_end]
    after_first = len(text) if line_end < 0 else line_end + 1
    stripped = first.strip()
    heading = HEADING_BEFORE_SPACE.match(first)
    if heading and len(first) - heading.end() >= 10:
        # "指导思想 以邓小平理论…": a heading whose line break became a space.
        return heading.group("title"), heading.end()
    if len(stripped) <= HEADING_MAX_CHARS and not re.search(r"[。：:！？]", stripped[:-1]):
        return _clean_title(stripped), after_first
    stop = re.search(r"[。：:]", first)
    if stop:
        return _clean_title(first[: stop.start()]), stop.end()
    return _clean_title(first), after_first


def _find_enumeration(text: str) -> tuple[int, list[ParsedPoint]] | None:
    """An enumeration 一是…二是… (or 一要…二要…) in the text: where it starts and its items as points."""
    matches = list(ENUMERATION_ITEM.finditer(text))
    for index, first in enumerate(matches):
        if _chinese_integer(first.group("number")) != 1:
            continue
        chain = [first]
        for match in matches[index + 1 :]:
            if match.group("verb") != first.group("verb"):
                continue
            number = _chinese_integer(match.group("number"))
            if number == 1:
                break  # a new enumeration starts: this one is over
            if number == len(chain) + 1:
                chain.append(match)
        if len(chain) < 2:
            continue
        items = []
        for position, match in enumerate(chain):
            end = chain[position + 1].start() if position + 1 < len(chain) else len(text)
            segment = text[match.end() : end].strip()
            stop = re.search(r"[。：:]", segment[:-1]) if segment else None
            title = _clean_title(segment[: stop.start()] if stop else segment)
            body = segment[stop.end() :].strip() if stop else ""
            label = match.group("number") + match.group("verb")
            targets = extract_targets(f"{title}\n{body}")
            items.append(ParsedPoint(label, title, body, targets, [], kind="speech"))
        return first.start(), items
    return None


def _walk(points: list[ParsedPoint]) -> Iterator[ParsedPoint]:
    for point in points:
        yield point
        yield from _walk(point.children)


def _general_idea(preamble: list[str], points: list[ParsedPoint]) -> str:
    """The 总体思路: a section headed so, else a paragraph opening with it, else the preamble."""
    for point in points:
        if len(point.title) <= GENERAL_IDEA_HEADING_MAX_CHARS and GENERAL_IDEA_HEADING.match(point.title):
            return point.body
    paragraphs = list(preamble)
    for point in _walk(points):
        paragraphs.extend(point.body.split("\n"))
    for paragraph in paragraphs:
        if GENERAL_IDEA_HEADING.search(paragraph[:30]):
            return paragraph.strip()
    return "\n".join(preamble).strip()


# ---------------------------------------------------------------------------------------------------
# Targets


class _TextIndex:
    """A point's text with its clause and sentence boundaries, quoted spans and keyword positions.

    Precomputed once so that each candidate number is judged in logarithmic time: a pasted document
    without punctuation must not make the parser quadratic.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.clause_marks = [m.start() for m in CLAUSE_MARK.finditer(text)]
        self.sentence_marks = [m.start() for m in SENTENCE_MARK.finditer(text)]
        self.taken = bytearray(len(text) + 1)
        self.quoted = bytearray(len(text) + 1)
        # A closer not found after some position is not found after any later one: searching again
        # for each unclosed opener made a text full of “ quadratic.
        missing: set[str] = set()
        position = 0
        while (opener := QUOTE_OPENER.search(text, position)) is not None:
            position = opener.start()
            closing = QUOTE_PAIRS[text[position]]
            end = text.find(closing, position + 1) if closing not in missing else -1
            if end < 0:
                missing.add(closing)
            else:
                # Names live in quotes: “百场家庭教育讲座”, 《“十二五”规划》.
                self.quoted[position:end] = b"\x01" * (end - position)
                position = end
            position += 1
        self.work_verbs = [(m.start(), m.end()) for m in WORK_VERBS.finditer(text)]
        self.rate_words = [(m.start(), m.end()) for m in RATE_WORDS.finditer(text)]
        self.per_words = [(m.start(), m.end(), m.group(0)) for m in PER_WORDS.finditer(text)]
        # Looked up by bisection: searching the rest of a clause for each number was quadratic.
        self.verbs_after = [m.start() for m in VERBS_AFTER.finditer(text)]
        self.tabs = [m.start() for m in re.finditer("\t", text)]

    def clause_start(self, position: int) -> int:
        count = bisect.bisect_left(self.clause_marks, position)
        return self.clause_marks[count - 1] + 1 if count else 0

    def clause(self, position: int) -> str:
        count = bisect.bisect_left(self.clause_marks, position)
        end = self.clause_marks[count] if count < len(self.clause_marks) else len(self.text)
        return self.text[self.clause_start(position) : end].strip()

    def has_before(self, words: list[tuple[int, int]], position: int) -> bool:
        """Whether one of ``words`` lies in the clause, before ``position``."""
        count = bisect.bisect_right(words, (position,))
        return (
            count > 0
            and words[count - 1][0] >= self.clause_start(position)
            and words[count - 1][1] <= position
        )

    def per(self, position: int) -> str | None:
        """The period the sentence names before the number (每年, 每月, 每季度, 三年累计 …); in a table
        row, anywhere in the row (a 时限 cell saying 全年)."""
        count = bisect.bisect_right(self.per_words, (position,))
        marks = bisect.bisect_left(self.sentence_marks, position)
        sentence_start = self.sentence_marks[marks - 1] + 1 if marks else 0
        if count and self.per_words[count - 1][0] >= sentence_start:
            return _period(self.per_words[count - 1][2])
        sentence_end = self.sentence_marks[marks] if marks < len(self.sentence_marks) else len(self.text)
        if count < len(self.per_words) and self.per_words[count][0] < sentence_end:
            tab = bisect.bisect_left(self.tabs, sentence_start)
            if tab < len(self.tabs) and self.tabs[tab] < sentence_end:
                return _period(self.per_words[count][2])
        return None

    def verb_after(self, position: int) -> bool:
        """在12个村实施…: the clause opens with a preposition before the number and a verb follows it."""
        start = self.clause_start(position)
        if not PREPOSITION_BEFORE.search(self.text, max(start, position - 14), position):
            return False
        count = bisect.bisect_left(self.clause_marks, position)
        end = self.clause_marks[count] if count < len(self.clause_marks) else len(self.text)
        verb = bisect.bisect_left(self.verbs_after, position)
        return verb < len(self.verbs_after) and self.verbs_after[verb] < end


def _period(word: str) -> str | None:
    if word.startswith("每年") or word in ("年均", "全年", "年度"):
        return "year"
    if word in ("每月", "每个月", "月均"):
        return "month"
    if "季" in word:
        return "quarter"
    if word[-2:] in ("累计", "合计", "共计") or word[-1] in "内间":
        return "span"
    return None


def _quantity_target(index: _TextIndex, match: re.Match[str]) -> ParsedTarget | None:
    text = index.text
    n1, m1, n2, m2 = match.group("n1"), match.group("m1"), match.group("n2"), match.group("m2")
    unit, suffix = match.group("unit") or "", match.group("suffix")
    start = match.start()
    previous = text[start - 1] if start else ""
    if previous and (previous.isdigit() or previous.isascii() and previous.isalpha() or previous in ".万亿"):
        return None  # the tail of a longer number or code: 0731-8472, 三万五千
    if previous and previous in ORDINAL_BEFORE or REFERENCE_BEFORE.search(text[max(0, start - 4) : start]):
        return None
    approximate = suffix == "左右" or APPROX_BEFORE.search(text, max(0, start - 2), start) is not None
    if suffix == "左右":
        suffix = None
    measured = False
    if not unit and (noun := MEASURE_NOUN_BEFORE.search(text, max(0, start - 10), start)):
        # 受检妇女人数3万: only when the number ends the clause, so that 人数2013年 is no target.
        end = match.end()
        if end == len(text) or text[end] in CLAUSE_DELIMITERS or text[end].isspace():
            unit, measured = MEASURE_UNITS.get(noun.group("noun"), noun.group("noun")), True
    if unit == "个百分点" or not unit and not suffix:
        return None
    following = UNIT_NOT_FOLLOWED_BY.get(unit)
    if following and following.match(text, match.end("unit")):
        return None
    chinese = not n1[0].isdigit()
    if chinese and len(n1) > 1 and not any(char in CN_SMALL_UNITS for char in n1):
        return None  # 三八, 五四: a name, not a number
    bare_magnitude = chinese and all(char in CN_SMALL_UNITS for char in n1)
    base = _numeral(n1)
    if base is None or base <= 0:
        return None
    magnitude = m1 or m2 or ""
    value = base * MAGNITUDES[magnitude]
    max_value = None
    if n2 is not None:
        upper = _numeral(n2)
        if upper is None:
            return None
        max_value = upper * MAGNITUDES[m2 or m1 or ""]
        if max_value <= value:
            return None
    if unit in YUAN_PER_UNIT and (unit != "元" or magnitude in ("万", "亿")):
        # Money is counted in 万元, the unit of the federations' accounts; a plain amount stays in 元.
        factor = Decimal(YUAN_PER_UNIT[unit]) / 10_000
        value, unit = value * factor, "万元"
        max_value = None if max_value is None else max_value * factor
    if not unit and not (magnitude in ("万", "亿") or bare_magnitude):
        return None  # a unitless number is only a target when it is big and bounded: 百万以上
    at_least = bool(match.group("approx")) or measured
    if max_value is not None:
        comparator = "range"
    elif at_least and not suffix and _prefix_comparator(index, start) is None:
        comparator = ">="
    else:
        comparator = _comparator(index, start, suffix, unit, value)
    if comparator is None:
        return None
    explicit = (
        bool(suffix) or at_least or max_value is not None or _prefix_comparator(index, start) is not None
    )
    if chinese and value < 10 and not explicit:
        return None  # 两个规划, 三大攻坚战: names unless bounded
    if bare_magnitude and not explicit and not unit:
        return None
    return ParsedTarget(
        text=index.clause(start),
        value=_tidy(value),
        max_value=None if max_value is None else _tidy(max_value),
        unit=unit,
        comparator=comparator,
        per=index.per(start),
        approximate=approximate,
    )


def _numeral(text: str) -> Decimal | None:
    return Decimal(text) if text[0].isdigit() else parse_chinese_number(text)


def _comparator(index: _TextIndex, start: int, suffix: str | None, unit: str, value: Decimal) -> str | None:
    if suffix:
        comparator = ">=" if suffix.endswith("以上") else "<="
    else:
        comparator = _prefix_comparator(index, start)
    if comparator is None:
        if unit == "%":
            if value == 100:
                return "="
            comparator = ">=" if index.has_before(index.rate_words, start) else None
        elif index.has_before(index.work_verbs, start) or index.verb_after(start):
            comparator = ">="
    if comparator == ">=" and unit == "%" and value == 100:
        return "="  # full coverage cannot be exceeded
    return comparator


def _prefix_comparator(index: _TextIndex, start: int) -> str | None:
    window = index.text[max(index.clause_start(start), start - PREFIX_WINDOW) : start]
    words = list(COMPARATOR_WORDS.finditer(window))
    if not words:
        return None
    return ">=" if words[-1].lastgroup == "at_least" else "<="


def _tidy(value: Decimal) -> Decimal:
    return Decimal(int(value)) if value == value.to_integral_value() else value.normalize()


def _chinese_integer(text: str) -> int | None:
    """Integer value of a Chinese numeral such as 十二, 一百零五, 三万五千, 百万; None if malformed."""
    total = wan = section = 0
    number: int | None = None
    last_small = 10**9
    for char in text:
        if char in CN_DIGITS:
            if number:
                return None  # 一二 is not a number (digit sequences are read elsewhere)
            number = CN_DIGITS[char]
        elif char in CN_SMALL_UNITS:
            unit = CN_SMALL_UNITS[char]
            if unit >= last_small or number == 0:
                return None
            section += (1 if number is None else number) * unit
            number, last_small = None, unit
        elif char == "万":
            part = section + (number or 0)
            if wan or part == 0 and total:
                return None
            wan, section, number, last_small = (part or 1) * 10_000, 0, None, 10**9
        elif char == "亿":
            part = wan + section + (number or 0)
            if total:
                return None
            total, wan, section, number, last_small = (part or 1) * 100_000_000, 0, 0, None, 10**9
        else:
            return None
    return total + wan + section + (number or 0)
