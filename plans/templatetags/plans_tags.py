from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from plans.models import format_decimal

register = template.Library()


@register.filter
def highlight(text: str, phrases) -> str:
    """Escape text and wrap each phrase found in it in <mark>, so a reviewer sees where targets came from."""
    html = escape(text or "")
    for phrase in sorted({p for p in phrases or [] if p}, key=len, reverse=True):
        escaped = escape(phrase)
        if escaped in html:
            html = html.replace(escaped, f'<mark class="target-source">{escaped}</mark>', 1)
    return mark_safe(html)


register.filter("number", format_decimal)
