"""The year-end summary draft as an editable page and as a Word document (nothing is saved).

The page's text boxes are posted to the .docx download, so the document holds what was edited on
the page; a plain GET of the download gives the system's own draft.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from evidence.models import Attachment
from fedwork import access, params
from fedwork.context_processors import selected_year
from fedwork.db_router import reads_from_replica

from ..summary import Summary, build_summary, edited_summary
from ..summary_docx import write_docx

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# The page offers the year's newest files of the subtree to cite as 附件; a summary cites a few.
CITABLE_SHOWN = 60


def _summary_for(request: HttpRequest, code: str) -> Summary:
    federation = access.get_federation_for_user_or_404(request.user, code)
    year = params.query_year(request, default=selected_year(request))
    return build_summary(federation, year, params.query_as_of(request))


def _query(request: HttpRequest, draft: Summary) -> str:
    query = {"year": draft.year}
    if request.GET.get("as_of"):
        query["as_of"] = draft.as_of.isoformat()
    return "&".join(f"{key}={value}" for key, value in query.items())


def _citable(draft: Summary):
    return Attachment.objects.citable(draft.federation, draft.year)


def _page(request: HttpRequest, draft: Summary, *, error: str = "", status: int = 200) -> HttpResponse:
    context = {
        "summary": draft,
        "federation": draft.federation,
        "query": _query(request, draft),
        "error": error,
        "citable": _citable(draft)[:CITABLE_SHOWN],
        "cited": set(request.POST.getlist("attachment")),
    }
    return render(request, "reports/summary.html", context, status=status)


def _cited(request: HttpRequest, draft: Summary) -> list[str]:
    """The 附件 lines of the files ticked on the page, in the page's order; ids outside the
    federation's citable files (another subtree, another year, deleted) are ignored, never shown."""
    ids = [int(value) for value in request.POST.getlist("attachment") if value.isdigit() and len(value) < 12]
    if not ids:
        return []
    return [attachment.citation for attachment in _citable(draft).filter(pk__in=ids)[:CITABLE_SHOWN]]


@login_required
@reads_from_replica
def summary(request: HttpRequest, code: str) -> HttpResponse:
    """The draft as editable text boxes, one per section, in a form posting to the .docx."""
    return _page(request, _summary_for(request, code))


@login_required
@require_http_methods(["GET", "POST"])
@reads_from_replica
def summary_docx(request: HttpRequest, code: str) -> HttpResponse:
    """The draft as a Word document, named <单位简称><年>年工作总结（草稿）.docx.

    GET: the system's draft. POST (the page's form, CSRF-checked): the title and sections as edited
    on the page (fields ``title``, ``heading`` and ``text``, one heading and text per section) and the
    evidence files ticked to cite as 附件 (``attachment`` ids, evidence.Attachment.citation);
    bad input shows the page again with the error in Chinese (400).
    """
    draft = _summary_for(request, code)
    if request.method == "POST":
        try:
            draft = edited_summary(
                draft,
                request.POST.get("title", ""),
                request.POST.getlist("heading"),
                request.POST.getlist("text"),
            )
        except ValidationError as error:
            return _page(request, draft, error=" ".join(error.messages), status=400)
        draft.appendix = _cited(request, draft)
    return FileResponse(
        write_docx(draft),
        as_attachment=True,
        filename=draft.filename,
        content_type=DOCX_CONTENT_TYPE,
    )
