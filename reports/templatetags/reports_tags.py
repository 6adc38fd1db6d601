"""The dashboard's tables (targets, children, 指标统计) as inclusion tags, and its number filters.

Each table is one template with one ``{% for %}`` loop (templates/reports/_*.html): the markup lives
there, escaped by autoescape; these tags only name the template and its arguments.

Django's floatformat looks the active language's number format up on every call; our locales all
write 12.5, so ``fixed`` writes it directly.
"""

from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django import template
from django.urls import reverse

from fedwork.numbers import change as numbers_change
from fedwork.numbers import grouped, percent
from plans.models import Cadence, IndicatorKind

register = template.Library()
# fedwork.numbers' filters, for the report pages that load this library only.
register.filter("grouped", grouped)
register.filter("percent", percent)

HUNDRED = Decimal(100)
_QUANTA = {count: Decimal(1).scaleb(-count) for count in range(4)}


@register.filter
def fixed(value, places: int = 1) -> str:
    """floatformat's result for our locales: ``places`` decimals, rounded half up; with a negative
    count, whole numbers are written without decimals (150 → "150", 12.5 → "12.50" for -2)."""
    if value is None or value == "":
        return ""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    places = int(places)
    count = abs(places)
    if places < 0 and number == number.to_integral_value():
        count = 0
    quantum = _QUANTA.get(count) or Decimal(1).scaleb(-count)
    return f"{number.quantize(quantum, rounding=ROUND_HALF_UP):f}"


@register.filter
def change(value) -> str:
    """同比增减 as read on a page (fedwork.numbers.change)."""
    return numbers_change(value)


def _bar(value: Decimal, colour: str) -> dict:
    """A progress bar of a percentage: its whole figure, its width (capped at full), colour, text."""
    whole = fixed(value, 0)
    return {
        "whole": whole,
        "width": whole if value < HUNDRED else "100",
        "colour": colour,
        "text": percent(value),
    }


# The tables' rows are dicts of text, formatted here by fedwork.numbers: a province's dashboard writes
# some fifty target rows and seven hundred 指标统计 cells, and a template reads a dict's keys several
# times faster than attribute chains through filters. The markup, and the escaping, stay in the
# templates.


@register.inclusion_tag("reports/_targets_table.html")
def targets_table(items) -> dict:
    """A table of targets: ``items`` are reports.rollup.Progress (a work point's, or the lagging ones).

    Each row: the indicator's name, whether the target is monthly (每月), the target, the result and
    上年同期 with their unit ("—" when missing; a milestone's result has no unit), the completion bar
    (None without one), the status's code and label, and 同比增减.
    """
    rows = []
    for p in items:
        indicator = p.target.indicator
        unit = indicator.unit
        achieved = "—" if p.achieved is None else grouped(p.achieved)
        rows.append(
            {
                "name": indicator.name,
                "monthly": p.target.cadence == Cadence.MONTH,
                "target": grouped(p.target_value) + unit,
                "achieved": achieved if indicator.kind == IndicatorKind.MILESTONE else achieved + unit,
                "bar": None if p.completion is None else _bar(p.completion, p.colour),
                "status": p.status.value,
                "status_label": p.status.label,
                "previous": "—" if p.previous is None else grouped(p.previous) + unit,
                "change": numbers_change(p.change),
            }
        )
    return {"rows": rows}


@register.inclusion_tag("reports/_child_rows.html")
def child_rows(children, as_of: str | None = None) -> dict:
    """The rows of the children's table: ``children`` are reports.rollup.ChildResult, each with its
    rank ("—" without one), name and dashboard link (at the same ``as_of`` date, the page's
    ?as_of= text), score bar (None without targets), and how many of its targets there are, are
    done and lag."""
    query = f"?{urlencode({'as_of': as_of})}" if as_of else ""
    rows = []
    for child in children:
        federation = child.federation
        rows.append(
            {
                "rank": child.rank or "—",
                "name": federation.display_name,
                "url": reverse("reports:dashboard", args=[federation.code]) + query,
                "bar": None if child.score is None else _bar(child.score, "primary"),
                "targets": len(child.progress),
                "done": child.done_count,
                "lagging": child.lagging_count,
            }
        )
    return {"rows": rows}


@register.inclusion_tag("reports/_statistics_table.html")
def statistics_table(statistics, as_of: str | None = None) -> dict:
    """指标统计: ``statistics`` is a reports.rollup.IndicatorStatistics. The head names 本级, each child
    (a link to its dashboard at the same ``as_of`` date), 合计, 上年同期 and 同比增减; each row an
    indicator's code and name, then its figures with their unit in that order (本级 + the children
    = 合计)."""
    query = f"?{urlencode({'as_of': as_of})}" if as_of else ""
    children = [
        {"name": child.display_name, "url": reverse("reports:dashboard", args=[child.code]) + query}
        for child in statistics.children
    ]
    rows = []
    for row in statistics.rows:
        indicator = row.indicator
        unit = indicator.unit
        rows.append(
            {
                "code": indicator.code,
                "name": indicator.name,
                "own": grouped(row.own) + unit,
                "children": [grouped(value) + unit for value in row.children],
                "total": grouped(row.total) + unit,
                "previous": "—" if row.previous is None else grouped(row.previous) + unit,
                "change": numbers_change(row.change),
            }
        )
    return {"children": children, "rows": rows}
