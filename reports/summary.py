"""The year-end summary draft (工作总结): the year's figures per work point, written as Chinese sentences.

A draft for staff to edit by hand, never stored: a title, an opening paragraph with the overall
figures, one section per top-level work point of the federation's plan, with a sentence for each
work point (its own or a sub-point) that has results, and a closing section on what falls short:

    一、促进妇女创业就业
    一（一）加强就业技能培训。全年共举办培训班12期，完成目标的120.0%，培训妇女1200人，完成目标的120.0%。
    存在的不足
    需加强：新增妇女小额担保贷款金额（目标不少于5000万元，实际3500.50万元，完成70.0%，滞后）。
    下级妇联中，开福区完成37.5%，低于序时进度（100.0%），其中培训妇女人数完成37.5%（滞后）。

Work points come in document order with their full labels (plans.models.document_order,
WorkPoint.full_label). All figures come from the roll-up (reports.rollup), written as the dashboard
writes them (reports_tags.fixed: percentages with one decimal, results with up to two), so the
summary agrees with the dashboards and the Excel export; besides it, a fixed handful of queries reads
the plan's work points and the counts of done activities (the subtree's from activities.ActivityCount).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext as _

from activities.models import Activity, ActivityCount
from fedwork.models import Federation
from fedwork.text import clean_text
from plans.models import Comparator, IndicatorKind, WorkPoint, document_order, outline

from .rollup import ChildResult, Progress, Rollup, below_time_progress, rollup
from .templatetags.reports_tags import fixed

# Longest first: "人次数" must go before "次数", "数量" before any one-character rule.
NAME_SUFFIXES = (
    "人次数",
    "数量",
    "总数",
    "人数",
    "期数",
    "场次",
    "个数",
    "篇数",
    "条数",
    "户数",
    "件数",
    "次数",
    "金额",
)
TRAILING_PUNCTUATION = "。；;，,、 \n\t"


@dataclass
class Section:
    """A heading (empty for the opening) and its paragraphs, each a plain string staff may edit."""

    heading: str
    paragraphs: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The paragraphs as one editable text, a blank line between paragraphs."""
        return "\n\n".join(self.paragraphs)

    @property
    def rows(self) -> int:
        """Text-box height: roughly 40 characters a line, a blank line between paragraphs."""
        return max(3, sum(len(paragraph) // 40 + 2 for paragraph in self.paragraphs))


@dataclass
class Summary:
    """The draft: title, opening, one section per top-level work point, and the closing section."""

    federation: Federation
    year: int
    as_of: date
    title: str
    opening: str
    points: list[Section]
    closing: Section | None
    # The files cited as 附件 (evidence.Attachment.citation), in the order chosen; none by default.
    appendix: list[str] = field(default_factory=list)

    @property
    def sections(self) -> list[Section]:
        """Every block in reading order; the opening is a section without heading (a paragraph a line)."""
        opening = [line for line in self.opening.split("\n") if line.strip()]
        blocks = [Section("", opening), *self.points]
        if self.closing is not None:
            blocks.append(self.closing)
        return blocks

    @property
    def filename(self) -> str:
        """<单位简称><年>年工作总结（草稿）.docx"""
        return _("%(name)s%(year)s年工作总结（草稿）.docx") % {
            "name": self.federation.display_name,
            "year": self.year,
        }

    def as_text(self) -> str:
        """The whole draft as plain text (title, headings and paragraphs, one per line)."""
        lines = [self.title]
        for section in self.sections:
            if section.heading:
                lines.append(section.heading)
            lines.extend(section.paragraphs)
        return "\n".join(lines)


def percent(value: Decimal) -> str:
    """A percentage as the dashboard writes it, one decimal rounded half up: 119.64 → "119.6".

    The same function as the dashboard's (reports_tags.fixed), so a figure reads alike on both.
    """
    return fixed(value, 1)


def indicator_phrase(name: str) -> str:
    """The verb phrase a sum indicator's name implies: 培训妇女人数 → 培训妇女, 举办培训班期数 → 举办培训班"""
    for suffix in NAME_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _milestone_text(progress: Progress) -> str:
    target = progress.target
    return target.source_text.strip().rstrip(TRAILING_PUNCTUATION) or target.indicator.name


def _value(progress: Progress) -> str:
    # The dashboard's 完成 column: up to two decimals, whole numbers without (3500.50, 1200).
    return fixed(progress.achieved, -2) + progress.target.indicator.unit


def _clause(progress: Progress) -> str | None:
    """What one target achieved, or None when it has nothing to report yet."""
    kind = progress.target.indicator.kind
    if kind == IndicatorKind.MILESTONE:
        # Done or not is the whole result: a "完成目标的100%" after it would only repeat it.
        if progress.is_done:
            return _("已完成%(what)s") % {"what": _milestone_text(progress)}
        return _("%(what)s尚未完成") % {"what": _milestone_text(progress)}
    if progress.achieved is None:
        return None
    if kind == IndicatorKind.SUM:
        if progress.achieved == 0:
            return None
        text = indicator_phrase(progress.target.indicator.name) + _value(progress)
    else:  # rates and coverages: a level, not an amount
        text = _("%(name)s为%(value)s") % {"name": progress.target.indicator.name, "value": _value(progress)}
    if progress.completion is not None:
        text += _("，完成目标的%(percent)s%%") % {"percent": percent(progress.completion)}
    return text


def _period(year: int, as_of: date) -> str:
    """全年 once the year is over, else 截至6月30日 (the draft may be written before December)."""
    if as_of >= date(year, 12, 31):
        return _("全年")
    return _("截至%(month)s月%(day)s日，") % {"month": as_of.month, "day": as_of.day}


def work_point_sentence(progress: list[Progress], period: str) -> str | None:
    """One sentence for a work point's targets: 全年共举办培训班12期，完成目标的120%，培训妇女1200人……。"""
    clauses = [(p, clause) for p in progress if (clause := _clause(p)) is not None]
    if not clauses:
        return None
    first_kind = clauses[0][0].target.indicator.kind
    if first_kind == IndicatorKind.SUM:
        opening = period + _("共")
    elif first_kind == IndicatorKind.MILESTONE:
        opening = ""
    else:
        opening = period
    return opening + "，".join(clause for _p, clause in clauses) + "。"


def activities_sentence(count: int, period: str) -> str:
    """The sentence for a work point without targets but with done activities."""
    return _("%(period)s开展相关活动%(count)s项。") % {"period": period, "count": count}


def _heading(point: WorkPoint, labels: dict[int, tuple[str, tuple]]) -> str:
    return f"{labels[point.pk][0]}{point.title}".strip()


def _lagging_item(progress: Progress) -> str:
    target = progress.target
    status = str(progress.status.label)
    if target.indicator.kind == IndicatorKind.MILESTONE:
        return _("%(what)s（%(status)s）") % {"what": _milestone_text(progress), "status": status}
    details = [_("目标%(value)s") % {"value": target.describe_value()}]
    if progress.achieved is not None and progress.achieved > 0:
        details.append(_("实际%(value)s") % {"value": _value(progress)})
        if progress.completion is not None and target.comparator != Comparator.AT_MOST:
            details.append(_("完成%(percent)s%%") % {"percent": percent(progress.completion)})
    details.append(status)
    return _("%(name)s（%(details)s）") % {"name": target.indicator.name, "details": "，".join(details)}


def _child_item(progress: Progress) -> str:
    """A child's lagging split target: 培训妇女人数完成37.5%（滞后）, or 建立档案（已逾期）."""
    name = progress.target.indicator.name
    status = str(progress.status.label)
    if (
        progress.target.indicator.kind != IndicatorKind.MILESTONE
        and progress.completion is not None
        and progress.achieved
    ):
        return _("%(name)s完成%(percent)s%%（%(status)s）") % {
            "name": name,
            "percent": percent(progress.completion),
            "status": status,
        }
    return _("%(name)s（%(status)s）") % {"name": name, "status": status}


def lagging_children_text(children: list[ChildResult], share: Decimal) -> str | None:
    """The children that fall behind, with their figures, as one paragraph; None when none does.

    A child falls behind when one of the targets split to it lags (judging.LAGGING_STATUSES) or its
    score (the dashboard's 得分, a percentage) is below the expected share of the year (``share``,
    0…1: 时间过半、任务过半, judging.below_time_progress). Example: 下级妇联中，开福区完成37.5%，
    低于序时进度（100.0%），其中培训妇女人数完成37.5%（滞后）。
    """
    expected = share * 100
    # Children whose figures read the same are named together (株洲市妇联、湘潭市妇联完成0.0%…),
    # in the dashboard's order: a province has fourteen cities, most of them alike early in a year.
    names_by_text: dict[str, list[str]] = {}
    for child in children:
        lagging = [p for p in child.progress if p.is_lagging]
        behind = below_time_progress(child.score, share)
        if not lagging and not behind:
            continue
        text = ""
        if child.score is not None:
            text += _("完成%(percent)s%%") % {"percent": percent(child.score)}
        if behind:
            text += _("，低于序时进度（%(percent)s%%）") % {"percent": percent(expected)}
        if lagging:
            text += _("，其中%(items)s") % {"items": "、".join(_child_item(p) for p in lagging)}
        names_by_text.setdefault(text, []).append(child.federation.display_name)
    if not names_by_text:
        return None
    items = ["、".join(names) + text for text, names in names_by_text.items()]
    return _("下级妇联中，%(items)s。") % {"items": "；".join(items)}


def _opening(result: Rollup, activity_count: int) -> str:
    federation, year, as_of = result.federation, result.year, result.as_of
    if as_of >= date(year, 12, 31):
        when = _("%(year)s年，") % {"year": year}
    else:
        when = _("截至%(year)s年%(month)s月%(day)s日，") % {
            "year": year,
            "month": as_of.month,
            "day": as_of.day,
        }
    # Activities count the whole subtree, so say so when there is one below.
    who = (
        _("%(name)s及下级妇联") % {"name": federation.display_name}
        if result.children
        else federation.display_name
    )
    text = when + _("%(who)s共开展活动%(count)s项。") % {"who": who, "count": activity_count}
    if not result.progress:
        return text + _("年度工作要点未设定量化目标任务。")
    done = result.done_count
    text += _("年度工作要点确定目标任务%(total)s项，已完成%(done)s项") % {
        "total": len(result.progress),
        "done": done,
    }
    overall = result.overall_completion
    if overall is not None:
        text += _("，总体完成率为%(percent)s%%") % {"percent": percent(overall)}
    return text + "。"


def build_summary(federation: Federation, year: int, as_of: date | None = None) -> Summary:
    """The summary draft of a federation's year, from its roll-up (as of a date, the year's end by default).

    Queries: the roll-up's own, plus the plan's work points, the done activities of the subtree and
    their count per work point, whatever the size of the plan or the tree.
    """
    result = rollup(federation, year, as_of)
    as_of = result.as_of
    period = _period(year, as_of)

    points = document_order(WorkPoint.objects.filter(plan__federation=federation, plan__year=year))
    by_id = {point.pk: point for point in points}
    labels = outline(point.outline_row for point in points)
    position = {point.pk: index for index, point in enumerate(points)}
    children: dict[int | None, list[WorkPoint]] = defaultdict(list)
    for point in points:  # in document order, so each list of children is too
        children[point.parent_id if point.parent_id in by_id else None].append(point)

    # The subtree's count is maintained (ActivityCount): counting a nation's done activities took 3.0 s.
    activity_count = ActivityCount.objects.counted_through(federation, year, as_of)
    per_point: dict[int, int] = {}
    if points:
        done = Activity.objects.in_subtree(federation).counted().filter(year=year, calendar_day__lte=as_of)
        per_point = dict(
            Activity.work_points.through.objects.filter(
                workpoint__in=[point.pk for point in points], activity__in=done
            )
            .values_list("workpoint_id")
            .annotate(n=Count("activity_id", distinct=True))
            .order_by()
        )

    by_point: dict[int, list[Progress]] = defaultdict(list)
    for progress in result.progress:
        by_point[progress.target.work_point_id].append(progress)

    def paragraphs(point: WorkPoint, is_top: bool) -> list[str]:
        """The point's sentence (prefixed with its label and title below the top) then its sub-points'."""
        own = by_point.get(point.pk)
        if own:
            sentence = work_point_sentence(own, period)
        elif per_point.get(point.pk):
            sentence = activities_sentence(per_point[point.pk], period)
        else:
            sentence = None
        found = []
        if sentence:
            if not is_top:
                sentence = f"{_heading(point, labels).rstrip(TRAILING_PUNCTUATION)}。{sentence}"
            found.append(sentence)
        for child in children.get(point.pk, []):
            found.extend(paragraphs(child, is_top=False))
        return found

    sections = [
        Section(_heading(point, labels), paragraphs(point, is_top=True)) for point in children.get(None, [])
    ]

    closing = None
    splits = any(child.progress for child in result.children)
    if result.progress or splits:
        shortcomings = []
        lagging = sorted(
            (p for p in result.progress if p.is_lagging),
            key=lambda p: (position.get(p.target.work_point_id, len(position)), p.target.pk),
        )
        if lagging:
            shortcomings.append(
                _("需加强：%(items)s。") % {"items": "；".join(_lagging_item(p) for p in lagging)}
            )
        behind = lagging_children_text(result.children, result.expected_share)
        if behind:
            shortcomings.append(behind)
        if not shortcomings:
            # Only when nothing, here or below, lags: the draft must not say so otherwise.
            shortcomings.append(_("各项目标任务均已完成或按进度推进。"))
        closing = Section(_("存在的不足"), shortcomings)

    title = _("%(name)s%(year)s年工作总结（草稿）") % {"name": federation.name, "year": year}
    return Summary(
        federation=federation,
        year=year,
        as_of=as_of,
        title=clean_text(title),
        opening=clean_text(_opening(result, activity_count), multiline=True),
        points=[_clean_section(section) for section in sections],
        closing=None if closing is None else _clean_section(closing),
    )


MAX_SECTIONS = 500
MAX_TITLE_CHARS = 200
MAX_TEXT_CHARS = 200_000


def edited_summary(draft: Summary, title: str, headings: list[str], texts: list[str]) -> Summary:
    """The draft with the title and sections as edited on the page (nothing is stored).

    ``headings`` and ``texts`` are the page's sections in order, a heading ("" for the opening) and
    its text box each; every non-blank line of a text is a paragraph. Text is plain: control
    characters are dropped (clean_text), markup stays literal text in the document.
    Raises ValidationError (in Chinese) for a missing title, mismatched or too many sections, or
    more text than a summary holds.
    """
    title = clean_text(title).strip()
    if not title:
        raise ValidationError(_("标题不能为空。"))
    if len(title) > MAX_TITLE_CHARS:
        raise ValidationError(_("标题不能超过%(count)s个字。") % {"count": MAX_TITLE_CHARS})
    if len(headings) != len(texts) or not texts:
        raise ValidationError(_("提交的总结内容不完整，请刷新页面后重试。"))
    if len(texts) > MAX_SECTIONS or sum(map(len, texts)) + sum(map(len, headings)) > MAX_TEXT_CHARS:
        raise ValidationError(_("总结内容过长，请删减后再下载。"))
    sections = []
    for heading, text in zip(headings, texts, strict=True):
        lines = [line.strip() for line in clean_text(text, multiline=True).splitlines()]
        sections.append(Section(clean_text(heading).strip(), [line for line in lines if line]))
    opening = sections[0] if not sections[0].heading else Section("", [])
    rest = sections[1:] if opening is sections[0] else sections
    return Summary(
        federation=draft.federation,
        year=draft.year,
        as_of=draft.as_of,
        title=title,
        opening="\n".join(opening.paragraphs),
        points=rest,
        closing=None,
    )


def _clean_section(section: Section) -> Section:
    # Text stored before clean_text() guarded entry may hold control characters, which python-docx
    # refuses with a ValueError (XML 1.0 cannot carry them): the draft never contains them.
    return Section(clean_text(section.heading), [clean_text(p, multiline=True) for p in section.paragraphs])


__all__ = [
    "Section",
    "Summary",
    "build_summary",
    "edited_summary",
    "indicator_phrase",
    "lagging_children_text",
    "percent",
    "work_point_sentence",
]
