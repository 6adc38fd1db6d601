"""The one parser for the request parameters the pages and the API accept.

Each function takes the raw text from a URL or a query string and returns the typed value, or
raises Http404 (a page that is a form may turn that into a 400 instead). Bad input is never a
500: ``int()`` takes full-width and circled digits (``str.isdigit("①①①①")`` is true) and
PostgreSQL refuses a NUL byte in a query, so only ASCII patterns pass.

The path converters at the end give the URLs the same alphabets (register them in a urls module
with ``register_converters()``).
"""

from __future__ import annotations

import re
from datetime import date

from django.conf import settings
from django.http import Http404, HttpRequest
from django.urls import register_converter
from django.utils import timezone

YEAR_PATTERN = re.compile(r"[0-9]{4}")
DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MONTH_PATTERN = re.compile(r"[0-9]{1,2}")
# Federation.code's validator: ASCII letters, digits and hyphens.
CODE_PATTERN = re.compile(r"[0-9A-Za-z-]{1,32}")
# A bigint primary key has at most 19 digits; 18 keep every accepted value within it.
ID_PATTERN = re.compile(r"[0-9]{1,18}")
# CalendarFeed tokens: secrets.token_urlsafe (URL-safe base64).
TOKEN_PATTERN = re.compile(r"[0-9A-Za-z_-]{1,64}")


def first_year() -> int:
    return settings.FEDWORK_FIRST_YEAR


def last_year() -> int:
    """Next year: plans for it are written in the last weeks of this one."""
    return timezone.localdate().year + 1


def is_year(value: object) -> bool:
    """Whether a value (an int, e.g. from the session) is a year one may work in."""
    return isinstance(value, int) and not isinstance(value, bool) and first_year() <= value <= last_year()


def parse_year(text: str) -> int:
    """``YYYY`` in ASCII digits, from FEDWORK_FIRST_YEAR to next year; else Http404."""
    if not isinstance(text, str) or not YEAR_PATTERN.fullmatch(text):
        raise Http404("year")
    year = int(text)
    if not first_year() <= year <= last_year():
        raise Http404("year")
    return year


def parse_as_of(text: str) -> date:
    """An ISO date ``YYYY-MM-DD`` in ASCII digits whose year parse_year accepts; else Http404."""
    if not isinstance(text, str) or not DATE_PATTERN.fullmatch(text):
        raise Http404("as_of")
    try:
        day = date.fromisoformat(text)
    except ValueError as error:
        raise Http404("as_of") from error
    parse_year(f"{day.year:04d}")
    return day


def parse_month(text: str) -> int:
    """A month number 1–12 in ASCII digits; else Http404."""
    if not isinstance(text, str) or not MONTH_PATTERN.fullmatch(text) or not 1 <= int(text) <= 12:
        raise Http404("month")
    return int(text)


def parse_code(text: str) -> str:
    """A federation code in Federation.code's alphabet (no NUL byte reaches the database); else Http404."""
    if not isinstance(text, str) or not CODE_PATTERN.fullmatch(text):
        raise Http404("code")
    return text


def parse_id(text: str) -> int:
    """A positive integer primary key in ASCII digits; else Http404."""
    if not isinstance(text, str) or not ID_PATTERN.fullmatch(text) or int(text) == 0:
        raise Http404("id")
    return int(text)


def parse_token(text: str) -> str:
    """A calendar feed token (URL-safe base64); else Http404."""
    if not isinstance(text, str) or not TOKEN_PATTERN.fullmatch(text):
        raise Http404("token")
    return text


# --- The query string: absent (or empty, where a form leaves the field blank) means the default ---


def query_year(request: HttpRequest, default: int, name: str = "year") -> int:
    """``?year=``: the default when absent; Http404 when present and not a valid year."""
    text = request.GET.get(name)
    return default if text is None else parse_year(text)


def query_as_of(request: HttpRequest, name: str = "as_of") -> date | None:
    """``?as_of=``: None when absent or empty (the date form's blank field); Http404 when malformed."""
    text = request.GET.get(name)
    return parse_as_of(text) if text else None


def query_approved_only(request: HttpRequest, name: str = "view") -> bool:
    """``?view=approved`` (仅已审核): True; absent or ``all`` (全部已录入, the default): False;
    anything else: Http404."""
    text = request.GET.get(name)
    if text in (None, "", "all"):
        return False
    if text == "approved":
        return True
    raise Http404(name)


def query_month(request: HttpRequest, default: int, name: str = "m") -> int:
    text = request.GET.get(name)
    return default if text is None else parse_month(text)


def query_code(request: HttpRequest, name: str = "federation") -> str | None:
    """``?federation=CODE``: None when absent or blank; Http404 when not a code."""
    text = request.GET.get(name, "").strip()
    return parse_code(text) if text else None


def query_id(request: HttpRequest, name: str, *, data=None) -> int | None:
    """An id from the query string (or ``data``, e.g. request.POST): None when absent or empty."""
    text = (request.GET if data is None else data).get(name)
    return parse_id(text) if text else None


# --- Path converters -----------------------------------------------------------------------------


class CodeConverter:
    regex = CODE_PATTERN.pattern

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)


class TokenConverter(CodeConverter):
    regex = TOKEN_PATTERN.pattern


def register_converters() -> None:
    """``<code:...>`` and ``<token:...>`` for URL patterns; safe to call from several urls modules."""
    from django.urls.converters import get_converters

    converters = get_converters()
    if "code" not in converters:
        register_converter(CodeConverter, "code")
    if "token" not in converters:
        register_converter(TokenConverter, "token")
