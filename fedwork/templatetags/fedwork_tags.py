from django import forms, template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from fedwork import numbers
from fedwork.widgets import html_value

register = template.Library()

# Numbers as people read them (fedwork.numbers): {{ n|grouped }} → 1,000,000;
# {{ n|quantity:indicator.unit }} → 1,000,000人 (— when missing); {{ rate|percent }} → 37.5% (— when missing).
register.filter("grouped", numbers.grouped)
register.filter("quantity", numbers.quantity)
register.filter("percent", numbers.percent)


@register.filter
def bootstrap(bound_field):
    """Render a form field with Bootstrap's classes, marked invalid when it has errors."""
    return _bootstrap(bound_field, bound_field.errors)


def _bootstrap(bound_field, errors):
    widget = bound_field.field.widget
    if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
        css = "form-check-input"
    elif isinstance(widget, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    if errors:
        css += " is-invalid"
    existing = widget.attrs.get("class", "")
    return bound_field.as_widget(attrs={"class": f"{existing} {css}".strip()})


@register.simple_tag
def field_row(bound_field):
    """A compact labelled field: label (starred when required), the widget, help text and errors.

    Written here rather than in an included template because the activity form shows some sixty of
    them, and an include with its lookups cost more than the widget itself.
    """
    star = ' <span class="text-danger">*</span>' if bound_field.field.required else ""
    help_text = bound_field.help_text
    help_html = f'<div class="form-text">{html_value(help_text)}</div>' if help_text else ""
    errors = bound_field.errors  # a new ErrorList on each access: read it once
    # One error per field: the first says what to fix; a second one about the same box is noise.
    error_html = f'<div class="invalid-feedback d-block">{html_value(errors[0])}</div>' if errors else ""
    return mark_safe(
        '<div class="mb-2">\n'
        f'  <label class="form-label small mb-0" for="{html_value(bound_field.id_for_label)}">'
        f"{html_value(bound_field.label)}{star}</label>\n"
        f"  {_bootstrap(bound_field, errors)}\n"
        f"  {help_html}\n"
        f"  {error_html}\n"
        "</div>\n"
    )


@register.simple_tag
def figure_boxes(figure_fields):
    """The activity form's figure inputs, (indicator code, bound field) pairs, one box each; a pair
    with an empty code is the form's 确认无误 tick, shown across the row.

    The form shows some fifty; a template loop around field_row cost as much again as the rows.
    """
    return mark_safe(
        "".join(
            _confirm_box(bound_field)
            if not code
            else f'\n        <div class="col-6 col-md-4 figure-field" data-indicator="{html_value(code)}">'
            f"{field_row(bound_field)}</div>\n      "
            for code, bound_field in figure_fields
        )
    )


def _confirm_box(bound_field) -> str:
    """The 确认无误 tick under the figures (a pair without an indicator code), across the row."""
    return (
        '\n        <div class="col-12"><div class="form-check alert alert-warning py-2 ps-5 mb-2">'
        f"{_bootstrap(bound_field, bound_field.errors)}"
        f'<label class="form-check-label fw-semibold" for="{html_value(bound_field.id_for_label)}">'
        f"{html_value(bound_field.label)}</label></div></div>\n      "
    )


@register.simple_tag(takes_context=True)
def activity_chips(context, activities):
    """A calendar day's activity links, each on its own line.

    Written here rather than as a template loop: a busy month shows hundreds of them, and the loop's
    lookups and a reverse() per link cost some fifty microseconds each.
    """
    if not activities:
        return ""
    # The detail URLs differ only by the pk: reverse once per page, then fill each one in.
    url = context.render_context.get(activity_chips)
    if url is None:
        marker = str(2**31 - 1)
        url = context.render_context[activity_chips] = html_value(
            reverse("activities:detail", kwargs={"pk": marker})
        ).split(marker)
    before_pk, after_pk = url
    upper_mark = f"[{html_value(gettext('上级'))}] "
    chips = []
    for activity in activities:
        title = html_value(activity.title)
        css = f"activity-chip status-{html_value(activity.status)}"
        if activity.is_upper:
            css += " upper"
        if activity.is_overdue:
            css += " overdue"
        chips.append(  # the URL's parts are escaped already, and a pk is digits
            f'\n          <a class="d-block small text-truncate {css}"'
            f' href="{before_pk}{activity.pk}{after_pk}" title="{title}">'
            f"{upper_mark if activity.is_upper else ''}{title}</a>\n        "
        )
    return mark_safe("".join(chips))


@register.simple_tag(takes_context=True)
def calendar_weeks(context, weeks, today):
    """The month grid's rows: weeks of (day, in the month, activities), each day a cell with its chips.

    Written here rather than as two nested template loops: their tags and lookups, six weeks of seven
    days, cost as much as the chips of a busy month.
    """
    today_badge = f' <span class="badge text-bg-danger">{html_value(gettext("今天"))}</span>'
    rows = []
    for week in weeks:
        cells = []
        for day, in_month, items in week:
            is_today = day == today
            css = ("" if in_month else "text-muted bg-light") + (" today" if is_today else "")
            current = ' aria-current="date"' if is_today else ""
            cells.append(
                f'\n      <td class="{css}"{current}>\n'
                f'        <div class="day-number">{day.day}{today_badge if is_today else ""}</div>\n'
                f"        {activity_chips(context, items)}\n      </td>\n    "
            )
        rows.append(f"\n    <tr>\n    {''.join(cells)}\n    </tr>\n  ")
    return mark_safe("".join(rows))
