"""A form renderer that builds the common widgets' HTML in Python instead of through templates.

Django renders every widget through its template engine: an <input> costs a template render plus an
include for its attributes, a <select> one include per option. A form with fifty figure inputs and a
select of forty work points spent most of its time there. This renderer writes the same markup, byte
for byte, as Django's own widget templates (inputs, selects, radio and checkbox lists, textareas)
and leaves every other template to Django. It keeps the widgets' get_context(), so attributes,
values and selected options come from Django's logic; only the string building is done here.

Use it on a form with ``default_renderer = DIRECT_RENDERER``.
"""

from html import escape  # what django.utils.html.escape runs, without its lazy-string check per call

from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.safestring import SafeData

WIDGETS = "django/forms/widgets/"
SELECT_OPTION = WIDGETS + "select_option.html"
INPUT_OPTIONS = {WIDGETS + "radio_option.html", WIDGETS + "checkbox_option.html"}

# Django's templates print values with autoescape and localisation; the same context does it here.
_CONTEXT = Context(autoescape=True)


class _Unsupported(Exception):
    """The context asks for something only the template knows how to render."""


def _string(value) -> str:
    """{{ value|stringformat:'s' }}: escaped unless the value itself is marked safe."""
    return str(value) if isinstance(value, SafeData) else escape(str(value))


def html_value(value) -> str:
    """{{ value }}: localised and escaped like the template engine does."""
    if type(value) is str:  # the common case; localising a string changes nothing
        return escape(value)
    return render_value_in_context(value, _CONTEXT)


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: True prints the bare name, False leaves the attribute out."""
    out = []
    for name, value in attrs.items():
        if value is True:
            out.append(f" {html_value(name)}")
        elif value is not False:
            out.append(f' {html_value(name)}="{_string(value)}"')
    return "".join(out)


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_string(widget["value"])}"'
    attrs = _attrs(widget["attrs"])
    return f'<input type="{html_value(widget["type"])}" name="{html_value(widget["name"])}"{value}{attrs}>'


def _option(option: dict) -> str:
    if option["template_name"] != SELECT_OPTION:
        raise _Unsupported
    label = html_value(option["label"])
    return f'<option value="{_string(option["value"])}"{_attrs(option["attrs"])}>{label}</option>'


def _select(widget: dict) -> str:
    # The whitespace is the template's: each option on its own line, then the included file's newline.
    options = _grouped(
        widget,
        lambda option: f"\n  {_option(option)}\n",
        lambda name: f'\n  <optgroup label="{html_value(name)}">',
        "\n  </optgroup>",
    )
    return f'<select name="{html_value(widget["name"])}"{_attrs(widget["attrs"])}>{options}\n</select>'


def _grouped(widget: dict, option, group_start, group_end: str) -> str:
    """The options of a choice widget, each optgroup wrapped as its template wraps it."""
    out = []
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            out.append(group_start(group_name))
        out.extend(option(each) for each in options)
        if group_name:
            out.append(group_end)
    return "".join(out)


def _input_option(option: dict) -> str:
    """input_option.html as a radio or checkbox option includes it: each include keeps its newline."""
    if option["template_name"] not in INPUT_OPTIONS:
        raise _Unsupported
    html = _input(option) + "\n"
    if option["wrap_label"]:
        id_ = option["attrs"].get("id")
        label_for = f' for="{html_value(id_)}"' if id_ else ""
        html = f"<label{label_for}>{html} {html_value(option['label'])}</label>"
    return html + "\n\n"


def _multiple_input(widget: dict) -> str:
    """multiple_input.html: radio buttons and checkbox lists."""
    id_, css = widget["attrs"].get("id"), widget["attrs"].get("class")
    out = [
        "<div",
        f' id="{html_value(id_)}"' if id_ else "",
        f' class="{html_value(css)}"' if css else "",
        ">",
    ]
    out.append(
        _grouped(
            widget,
            lambda option: f"<div>\n    {_input_option(option)}</div>",
            lambda name: f"\n  <div><label>{html_value(name)}</label>",
            "\n  </div>",
        )
    )
    out.append("\n</div>")
    return "".join(out)


def _textarea(widget: dict) -> str:
    value = html_value(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{html_value(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


# Only templates that are exactly Django's input.html, select.html, multiple_input.html or textarea.html.
BUILDERS = {
    **{
        WIDGETS + name + ".html": _input
        for name in (
            "input",
            "text",
            "number",
            "email",
            "url",
            "password",
            "hidden",
            "date",
            "datetime",
            "time",
            "checkbox",
        )
    },
    WIDGETS + "select.html": _select,
    WIDGETS + "radio.html": _multiple_input,
    WIDGETS + "checkbox_select.html": _multiple_input,
    WIDGETS + "textarea.html": _textarea,
}


class DirectRenderer(DjangoTemplates):
    """Django's template renderer, with the common widgets built directly (see the module's notes)."""

    def render(self, template_name, context, request=None):
        build = BUILDERS.get(template_name)
        if build is not None:
            try:
                return build(context["widget"])
            except _Unsupported:
                pass
        return super().render(template_name, context, request=request)


# One shared instance: its template engine (for the other templates) is built once per process.
DIRECT_RENDERER = DirectRenderer()
