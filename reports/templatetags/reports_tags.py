"""The dashboard's small pieces (a progress bar, a status badge, a fixed-point number), in Python.

They appear once per target on every dashboard. Django's floatformat looks the active language's
number format up on every call, which was a third of the page's rendering time; our locales all
write 12.5, so ``fixed`` writes it directly.
"""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from plans.models import Cadence, IndicatorKind, format_decimal

register = template.Library()


@register.filter
def fixed(value, places: int = 1) -> str:
    """floatformat's result for our locales: ``places`` decimals, rounded half up; with a negative
    count, whole numbers are written without decimals (150 → "150", 12.5 → "12.50" for -2)."""
    if value is None or value == "":
        return ""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    count = abs(int(places))
    if int(places) < 0 and number == number.to_integral_value():
        count = 0
    return f"{number.quantize(Decimal(1).scaleb(-count), rounding=ROUND_HALF_UP):f}"


@register.simple_tag
def progress_bar(value: Decimal, colour: str) -> str:
    """A Bootstrap progress bar of a percentage (capped at full width), with the figure on it."""
    width = min(value, Decimal(100))
    return format_html(
        '<div class="progress position-relative" role="progressbar" aria-valuenow="{}" aria-valuemin="0" '
        'aria-valuemax="100" style="height: 1.1rem"><div class="progress-bar bg-{}" style="width: {}%"></div>'
        '<span class="position-absolute w-100 text-center small fw-semibold">{}%</span></div>',
        fixed(value, 0),
        colour,
        fixed(width, 0),
        fixed(value, 1),
    )


@register.simple_tag
def status_badge(status) -> str:
    """A roll-up status (reports.rollup.Status) as a coloured badge with its label."""
    return format_html('<span class="badge status-badge status-{}">{}</span>', status.value, status.label)


@register.simple_tag
def target_rows(items) -> str:
    """The rows of a targets table (reports/_targets.html): indicator, target, result, bar, status.

    One Python function instead of a dozen template lookups per row: a dashboard shows every target
    once, the lagging ones twice.
    """
    monthly = format_html(' <span class="badge text-bg-light">{}</span>', _("每月"))
    return format_html_join(
        "\n",
        '<tr><td>{}{}</td><td class="text-end text-nowrap">{}{}</td>'
        '<td class="text-end text-nowrap">{}{}</td><td>{}</td><td>{}</td></tr>',
        (
            (
                p.indicator.name,
                monthly if p.target.cadence == Cadence.MONTH else "",
                format_decimal(p.target_value),
                p.indicator.unit,
                "—" if p.achieved is None else fixed(p.achieved, -2),
                "" if p.indicator.kind == IndicatorKind.MILESTONE else p.indicator.unit,
                "—" if p.completion is None else progress_bar(p.completion, p.colour),
                status_badge(p.status),
            )
            for p in items
        ),
    )
