"""The dashboard's repeated pieces (targets tables, the children's table, with their progress bars
and status badges; fixed-point numbers), in Python.

They appear once per target or child on every dashboard, and were most of its rendering time as
template loops, includes and format_html calls. Here the HTML is written with f-strings: every text
that comes from users (names, units) goes through fedwork.widgets.html_value (what the template
engine does, without Django's lazy-string check per value), and each tag returns one SafeString.
Numbers formatted here from Decimals are digits, a sign and a point only, so they are not escaped.

Django's floatformat looks the active language's number format up on every call; our locales all
write 12.5, so ``fixed`` writes it directly.
"""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from fedwork.numbers import change as numbers_change
from fedwork.numbers import grouped, percent
from fedwork.widgets import html_value
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


def _bar(value: Decimal, colour: str) -> str:
    """A Bootstrap progress bar of a percentage (capped at full width), with the figure on it."""
    whole = fixed(value, 0)
    width = whole if value < HUNDRED else "100"  # the bar is capped at full width, the figure is not
    return (
        f'<div class="progress position-relative" role="progressbar" aria-valuenow="{whole}" '
        'aria-valuemin="0" aria-valuemax="100" style="height: 1.1rem">'
        f'<div class="progress-bar bg-{html_value(colour)}" style="width: {width}%"></div>'
        f'<span class="position-absolute w-100 text-center small fw-semibold">{percent(value)}</span></div>'
    )


def _badge(status) -> str:
    """A roll-up status (reports.rollup.Status) as a coloured badge with its label."""
    label = html_value(str(status.label))
    return f'<span class="badge status-badge status-{html_value(status.value)}">{label}</span>'


def _page_texts(context) -> dict:
    """What every targets table of a page repeats (its header, the monthly badge, status badges),
    translated once per page: gettext costs microseconds and a dashboard has a dozen tables."""
    texts = context.render_context.get(_page_texts)
    if texts is None:
        texts = context.render_context[_page_texts] = {
            "head": (
                f'<thead class="small text-muted"><tr><th>{html_value(_("指标"))}</th>'
                f'<th class="text-end">{html_value(_("目标"))}</th>'
                f'<th class="text-end">{html_value(_("完成"))}</th>'
                f'<th style="min-width: 8rem">{html_value(_("完成率"))}</th><th>{html_value(_("状态"))}</th>'
                f'<th class="text-end text-nowrap">{html_value(_("上年同期"))}</th>'
                f'<th class="text-end text-nowrap">{html_value(_("同比增减"))}</th>'
                "</tr></thead>"
            ),
            # Each cell's heading, shown beside it when a phone stacks the rows as cards (dashboard.css).
            "labels": {
                key: html_value(text)
                for key, text in (
                    ("target", _("目标")),
                    ("achieved", _("完成")),
                    ("completion", _("完成率")),
                    ("status", _("状态")),
                    ("previous", _("上年同期")),
                    ("change", _("同比增减")),
                )
            },
            "monthly": f' <span class="badge text-bg-light">{html_value(_("每月"))}</span>',
            "badges": {},  # filled in as statuses are met
        }
    return texts


def _target_rows(items, texts: dict) -> str:
    """The rows of a targets table: indicator, target, result, bar, status."""
    monthly, badges, labels = texts["monthly"], texts["badges"], texts["labels"]
    rows = []
    for p in items:
        target, indicator = p.target, p.indicator
        unit = html_value(indicator.unit)
        badge = badges.get(p.status)
        if badge is None:
            badge = badges[p.status] = _badge(p.status)
        rows.append(
            f'<tr><td class="card-title-cell">{html_value(indicator.name)}'
            f"{monthly if target.cadence == Cadence.MONTH else ''}</td>"
            f'<td class="text-end text-nowrap" data-label="{labels["target"]}">'
            f"{grouped(p.target_value)}{unit}</td>"
            f'<td class="text-end text-nowrap" data-label="{labels["achieved"]}">'
            f"{'—' if p.achieved is None else grouped(p.achieved)}"
            f"{'' if indicator.kind == IndicatorKind.MILESTONE else unit}</td>"
            f'<td class="bar-cell" data-label="{labels["completion"]}">'
            f"{'—' if p.completion is None else _bar(p.completion, p.colour)}</td>"
            f'<td data-label="{labels["status"]}">{badge}</td>'
            f'<td class="text-end text-nowrap" data-label="{labels["previous"]}" data-testid="previous">'
            f"{'—' if p.previous is None else grouped(p.previous) + unit}</td>"
            f'<td class="text-end text-nowrap" data-label="{labels["change"]}" data-testid="change">'
            f"{numbers_change(p.change)}</td></tr>"
        )
    return "\n".join(rows)


@register.simple_tag(takes_context=True)
def targets_table(context, items) -> SafeString:
    """A table of targets (a work point's, or the lagging ones).

    A dashboard has one per work point: as an included template, its header's translations and the
    include itself cost as much as the rows.
    """
    texts = _page_texts(context)
    return mark_safe(
        '<div class="table-responsive">'
        '<table class="table table-sm mb-0 align-middle targets-table stack-table">\n'
        f"  {texts['head']}\n  <tbody>\n  {_target_rows(items, texts)}\n  </tbody>\n</table></div>"
    )


@register.simple_tag
def child_rows(children, as_of: str | None = None) -> SafeString:
    """The rows of the children's table: rank, name (a link to its dashboard, at the same as-of
    date), score bar, and how many of its targets there are, are done and lag."""
    query = f"?as_of={html_value(as_of)}" if as_of else ""
    no_targets = f'<span class="text-muted small">{html_value(_("无分解目标"))}</span>'
    label = {
        key: html_value(text)
        for key, text in (
            ("rank", _("排名")),
            ("score", _("得分")),
            ("targets", _("分解目标")),
            ("done", _("已完成")),
            ("lagging", _("滞后")),
        )
    }
    no_targets_row = ' class="no-targets"'
    rows = []
    for child in children:
        federation = child.federation
        url = html_value(reverse("reports:dashboard", args=[federation.code]))
        lagging = child.lagging_count
        rows.append(
            f"<tr{no_targets_row if child.score is None else ''}>"
            f'<td class="rank-cell" data-label="{label["rank"]}">{child.rank or "—"}</td>'
            f'<td class="card-title-cell">'
            f'<a href="{url}{query}">{html_value(federation.display_name)}</a></td>'
            f'<td class="bar-cell" data-label="{label["score"]}">'
            f"{no_targets if child.score is None else _bar(child.score, 'primary')}</td>"
            f'<td class="text-end" data-label="{label["targets"]}">{len(child.progress)}</td>'
            f'<td class="text-end" data-label="{label["done"]}">{child.done_count}</td>'
            f'<td class="text-end{" text-danger fw-semibold" if lagging else ""}" '
            f'data-label="{label["lagging"]}">{lagging}</td></tr>'
        )
    return mark_safe("\n".join(rows))


@register.filter
def change(value) -> str:
    """同比增减 as read on a page (fedwork.numbers.change)."""
    return numbers_change(value)


@register.simple_tag
def statistics_table(statistics, as_of: str | None = None) -> SafeString:
    """指标统计: a row per indicator recorded in the year, with 本级, each child and 合计 columns
    (本级 + the children = 合计), the first column kept in view while the others scroll."""
    query = f"?as_of={html_value(as_of)}" if as_of else ""
    sticky = 'class="bg-white" style="position: sticky; left: 0; z-index: 1; min-width: 7rem"'
    heads = [f"<th {sticky}>{html_value(_('指标'))}</th>"]
    heads.append(f'<th class="text-end text-nowrap">{html_value(_("本级"))}</th>')
    for child in statistics.children:
        url = html_value(reverse("reports:dashboard", args=[child.code]))
        name = html_value(child.display_name)
        heads.append(f'<th class="text-end text-nowrap"><a href="{url}{query}">{name}</a></th>')
    heads.append(f'<th class="text-end text-nowrap">{html_value(_("合计"))}</th>')
    heads.append(f'<th class="text-end text-nowrap">{html_value(_("上年同期"))}</th>')
    heads.append(f'<th class="text-end text-nowrap">{html_value(_("同比增减"))}</th>')
    rows = []
    for row in statistics.rows:
        unit = html_value(row.indicator.unit)
        previous = "—" if row.previous is None else grouped(row.previous) + unit
        cells = [f'<td class="text-end text-nowrap">{grouped(value)}{unit}</td>' for value in row.children]
        rows.append(
            f'<tr data-indicator="{html_value(row.indicator.code)}">'
            f'<th {sticky}><span class="fw-normal">{html_value(row.indicator.name)}</span></th>'
            f'<td class="text-end text-nowrap">{grouped(row.own)}{unit}</td>{"".join(cells)}'
            f'<td class="text-end text-nowrap fw-semibold">{grouped(row.total)}{unit}</td>'
            f'<td class="text-end text-nowrap">{previous}</td>'
            f'<td class="text-end text-nowrap">{numbers_change(row.change)}</td></tr>'
        )
    return mark_safe(
        '<div class="table-responsive"><table class="table table-sm bg-white align-middle statistics-table">'
        f'<thead class="small text-muted"><tr>{"".join(heads)}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
