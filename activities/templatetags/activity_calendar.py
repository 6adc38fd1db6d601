"""The month grid as a phone shows it: each day a ≥ 44 px link to its list, with dots for its activities
(the chips of a wider screen beside them), or per-branch counts when a large subtree is shown."""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from fedwork.templatetags.fedwork_tags import activity_chips
from fedwork.widgets import html_value

register = template.Library()

MAX_DOTS = 4  # a phone's cell holds four dots; more read as "+n"
MAX_GROUPS = 3  # branches named in a day's cell on a wide screen; the day's list names them all


def _dots(items) -> str:
    dots = []
    for activity in items[:MAX_DOTS]:
        css = "overdue" if activity.is_overdue else f"status-{html_value(activity.status)}"
        if activity.is_upper:
            css = "upper"
        dots.append(f'<span class="dot {css}"></span>')
    more = len(items) - MAX_DOTS
    return "".join(dots) + (f'<span class="dot-more">+{more}</span>' if more > 0 else "")


def _groups(groups) -> str:
    """(branch name, count) pairs of a day, the first few of them."""
    parts = [
        f'<div class="branch-count small text-truncate">{html_value(name)} <strong>{count}</strong></div>'
        for name, count in groups[:MAX_GROUPS]
    ]
    if len(groups) > MAX_GROUPS:
        rest = sum(count for _name, count in groups[MAX_GROUPS:])
        parts.append(f'<div class="branch-count small text-muted">{html_value(gettext("其他"))} {rest}</div>')
    return "".join(parts)


@register.simple_tag(takes_context=True)
def month_cells(context, weeks, today, chosen, day_query, groups_by_day=None):
    """The grid's rows: ``weeks`` of (day, in the month, activities) as the view builds them.

    Each day of the month is a link (``?{day_query}&d=N#day-list``) holding its number and one dot per
    activity (shown on a phone); beside it the activity chips, or with ``groups_by_day`` ({day:
    [(branch name, count)]}) the counts per branch (shown on wider screens). ``chosen`` (a date) is
    the day whose list is shown below the grid.
    """
    today_label = html_value(gettext("今天"))
    rows = []
    for week in weeks:
        cells = []
        for day, in_month, items in week:
            css = ["day"]
            if not in_month:
                css.append("other-month")
            if day == today:
                css.append("today")
            if day == chosen:
                css.append("chosen")
            current = ' aria-current="date"' if day == today else ""
            today_mark = f'<span class="visually-hidden">{today_label}</span>' if day == today else ""
            if in_month:
                label = html_value(gettext("%(month)s月%(day)s日，%(count)s项活动")) % {
                    "month": day.month,
                    "day": day.day,
                    "count": len(items),
                }
                head = (
                    f'<a class="day-link" href="?{html_value(day_query)}&amp;d={day.day}#day-list"'
                    f' aria-label="{label}"><span class="day-number">{day.day}</span>{today_mark}'
                    f'<span class="dots d-md-none">{_dots(items)}</span></a>'
                )
            else:
                head = f'<span class="day-link"><span class="day-number">{day.day}</span></span>'
            if groups_by_day is not None:
                detail = _groups(groups_by_day.get(day, []))
            else:
                detail = activity_chips(context, items)
            wide = f'<div class="d-none d-md-block">{detail}</div>'
            cells.append(f'<td class="{" ".join(css)}"{current}>{head}{wide}</td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return mark_safe("\n".join(rows))
