from django import forms, template

from fedwork import numbers

register = template.Library()

# Numbers as people read them (fedwork.numbers): {{ n|grouped }} → 1,000,000;
# {{ n|quantity:indicator.unit }} → 1,000,000人 (— when missing); {{ rate|percent }} → 37.5% (— when missing).
register.filter("grouped", numbers.grouped)
register.filter("quantity", numbers.quantity)
register.filter("percent", numbers.percent)


@register.filter
def bootstrap(bound_field):
    """Render a form field with Bootstrap's classes, marked invalid when it has errors."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
        css = "form-check-input"
    elif isinstance(widget, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    if bound_field.errors:
        css += " is-invalid"
    existing = widget.attrs.get("class", "")
    return bound_field.as_widget(attrs={"class": f"{existing} {css}".strip()})


@register.inclusion_tag("includes/_field_row.html")
def field_row(bound_field) -> dict:
    """A compact labelled field (includes/_field_row.html): label (starred when required), the
    widget with Bootstrap's classes, help text, and the field's first error."""
    return {"field": bound_field}
