"""Download of the annual Excel export (年度汇总表) from the dashboard."""

from __future__ import annotations

import tempfile

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest

from fedwork import access, params
from fedwork.context_processors import selected_year
from fedwork.db_router import reads_from_replica

from ..export import XLSX_CONTENT_TYPE, export_filename, write_annual_workbook


@login_required
@reads_from_replica
def annual_export(request: HttpRequest, code: str) -> FileResponse:
    """The federation's annual workbook as an attachment; a federation outside the user's reach 404s."""
    federation = access.get_federation_for_user_or_404(request.user, code)
    year = params.query_year(request, default=selected_year(request))
    as_of = params.query_as_of(request)
    approved_only = params.query_approved_only(request)
    # Written to a temporary file and streamed from there: a province-wide workbook is never held
    # whole in memory, and FileResponse closes (and so deletes) the file once it is sent.
    output = tempfile.TemporaryFile(suffix=".xlsx")
    try:
        write_annual_workbook(
            federation,
            year,
            as_of,
            output,
            approved_only=approved_only,
            show_rank=access.may_see_ranking(request.user, federation),
        )
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
