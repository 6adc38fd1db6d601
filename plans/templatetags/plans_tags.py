from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from fedwork.numbers import grouped

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


# A figure as a page shows it (1,000,000; 37.5): fedwork.numbers, the one rule for every page.
register.filter("number", grouped)
