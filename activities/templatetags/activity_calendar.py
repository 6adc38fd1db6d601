"""The month grid as a phone shows it: each day a ≥ 44 px link to its list, with dots for its activities
(the chips of a wider screen beside them), or per-branch counts when a large subtree is shown.

The markup is templates/activities/_month_cells.html; the tag works out what a template cannot
(a day's classes, its first dots and how many more, the counts of the branches not named)."""

from dataclasses import dataclass, field
from datetime import date

from django import template
from django.urls import reverse

register = template.Library()

MAX_DOTS = 4  # a phone's cell holds four dots; more read as "+n"
MAX_GROUPS = 3  # branches named in a day's cell on a wide screen; the day's list names them all


@dataclass(slots=True)
class Cell:
    """One day of the grid, ready to write."""

    day: date
    in_month: bool
    items: list  # the day's activities (models.Activity or views.CalendarEntry)
    css: str  # the cell's classes: day, other-month, today, chosen
    is_today: bool
    count: int = 0  # the day's activities (all of them, though a grouped day loads none)
    dots: list = field(default_factory=list)  # (the first MAX_DOTS activities') dot classes
    more: int = 0  # activities beyond the dots
    chips: list = field(default_factory=list)  # (classes, detail URL, title, is upper) per activity
    groups: list | None = None  # (branch name, count) of the first MAX_GROUPS branches (含下级)
    rest: int = 0  # activities of the branches beyond them


def _chip_css(activity) -> str:
    css = f"status-{activity.status}"
    if activity.is_upper:
        css += " upper"
    if activity.is_overdue:
        css += " overdue"
    return css


def _dot(activity) -> str:
    if activity.is_upper:
        return "upper"
    return "overdue" if activity.is_overdue else f"status-{activity.status}"


@register.inclusion_tag("activities/_month_cells.html")
def month_cells(weeks, today: date, chosen: date, day_query: str, groups_by_day=None) -> dict:
    """The grid's rows: ``weeks`` of (day, in the month, activities) as the view builds them.

    Each day of the month is a link (``?{day_query}&d=N#day-list``) holding its number and one dot per
    activity (shown on a phone); beside it the activity chips, or with ``groups_by_day`` ({day:
    (count, [the first MAX_DOTS dot classes], [(branch name, count)])}, counted in SQL by
    activities.views._month_tallies, ``weeks`` then holding no activities) the counts per branch (shown
    on wider screens). ``chosen`` (a date) is the day whose list is shown below the grid.

    A county's month with 含下级 holds hundreds of chips: each chip's values are worked out here as
    plain tuples (a template reads those fastest), and the detail URLs differ only by the pk, so
    reverse() runs once and each pk is put in its place.
    """
    marker = 2**31 - 1
    before_pk, after_pk = reverse("activities:detail", kwargs={"pk": marker}).split(str(marker))
    rows = []
    for week in weeks:
        cells = []
        for day, in_month, items in week:
            css = "day" if in_month else "day other-month"
            if day == today:
                css += " today"
            if day == chosen:
                css += " chosen"
            cell = Cell(day, in_month, items, css, day == today, len(items))
            if groups_by_day is not None:
                cell.count, dots, groups = groups_by_day.get(day, (0, [], []))
                if in_month:
                    cell.dots, cell.more = dots, cell.count - len(dots)
                cell.groups = groups[:MAX_GROUPS]
                cell.rest = sum(count for _name, count in groups[MAX_GROUPS:])
            else:
                if in_month:
                    cell.dots = [_dot(activity) for activity in items[:MAX_DOTS]]
                    cell.more = max(len(items) - MAX_DOTS, 0)
                cell.chips = [
                    (
                        _chip_css(activity),
                        f"{before_pk}{activity.pk}{after_pk}",
                        activity.title,
                        activity.is_upper,
                    )
                    for activity in items
                ]
            cells.append(cell)
        rows.append(cells)
    return {"rows": rows, "day_query": day_query, "grouped": groups_by_day is not None}
