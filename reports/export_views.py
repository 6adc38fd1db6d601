"""Download of the annual Excel export (年度汇总表) from the dashboard."""

from __future__ import annotations

import re
import tempfile
from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest

from fedwork import access
from fedwork.context_processors import selected_year

from .export import XLSX_CONTENT_TYPE, export_filename, write_annual_workbook

# ASCII digits only: \d would also take full-width ２０１３, which int() then accepts.
YEAR_PATTERN = re.compile(r"[0-9]{4}")
DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
FIRST_YEAR, LAST_YEAR = 2000, 2100


def requested_year(request: HttpRequest) -> int:
    """?year=YYYY (2000–2100) if given, else the work year chosen in the top bar; anything else 404s."""
    text = request.GET.get("year")
    if text is None:
        return selected_year(request)
    if not YEAR_PATTERN.fullmatch(text) or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        raise Http404
    return int(text)


def requested_as_of(request: HttpRequest) -> date | None:
    """The optional ?as_of=YYYY-MM-DD; a malformed or impossible date is a 404, never a 500."""
    text = request.GET.get("as_of")
    if not text:
        return None
    if not DATE_PATTERN.fullmatch(text):
        raise Http404
    try:
        day = date.fromisoformat(text)
    except ValueError as error:
        raise Http404 from error
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise Http404
    return day


@login_required
def annual_export(request: HttpRequest, code: str) -> FileResponse:
    """The federation's annual workbook as an attachment; a federation outside the user's reach 404s."""
    federation = access.get_federation_for_user_or_404(request.user, code)
    year = requested_year(request)
    as_of = requested_as_of(request)
    # Written to a temporary file and streamed from there: a province-wide workbook is never held
    # whole in memory, and FileResponse closes (and so deletes) the file once it is sent.
    output = tempfile.TemporaryFile(suffix=".xlsx")
    try:
        write_annual_workbook(federation, year, as_of, output)
        output.seek(0)
    except BaseException:
        output.close()
        raise
    return FileResponse(
        output,
        as_attachment=True,
        filename=export_filename(federation, year),
        content_type=XLSX_CONTENT_TYPE,
    )
