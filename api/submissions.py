"""How a federation's children reported: GET /api/v1/completeness/{code}/{year}/{frequency}/{number}/."""

from datetime import date

from django.http import Http404
from ninja import Router, Schema

from fedwork import access, params
from fedwork.db_router import reads_from_replica

router = Router()


class ChildReportOut(Schema):
    federation: str
    name: str
    status: str  # submitted / returned / approved / reopened, or "missing"
    submitted_at: str | None
    on_time: bool | None


class CompletenessOut(Schema):
    federation: str
    name: str
    period: str
    due_date: date | None
    expected: int
    submitted: int
    on_time: int
    approved: int
    returned: int
    rate: float | None
    timely_rate: float | None
    children: list[ChildReportOut]


@router.get(
    "/completeness/{code}/{year}/{frequency}/{number}/",
    response=CompletenessOut,
    summary="下级报送情况（上报率、及时率）",
    tags=["报送"],
)
@reads_from_replica
def completeness_view(request, code: str, year: int, frequency: str, number: int):
    """How a federation's direct children reported for a period; 404 outside one's reach."""
    from submissions.periods import SPAN, Period
    from submissions.services import completeness

    raw = request.resolver_match.kwargs
    params.parse_year(raw.get("year", str(year)))
    code = params.parse_code(code)
    if frequency not in SPAN or not 1 <= number <= 12 // SPAN[frequency]:
        raise Http404("period")
    federation = access.get_federation_for_user_or_404(request.user, code)
    result = completeness(federation, Period(year, frequency, number))
    return {
        "federation": federation.code,
        "name": federation.name,
        "period": str(result.period.label),
        "due_date": result.due,
        "expected": result.expected,
        "submitted": result.submitted,
        "on_time": result.on_time,
        "approved": result.approved,
        "returned": result.returned,
        "rate": float(result.rate) if result.rate is not None else None,
        "timely_rate": float(result.timely_rate) if result.timely_rate is not None else None,
        "children": [
            {
                "federation": row.federation.code,
                "name": row.federation.name,
                "status": row.state,
                "submitted_at": row.submission.first_submitted_at.isoformat() if row.submission else None,
                "on_time": row.submission.on_time if row.submission else None,
            }
            for row in result.rows
        ],
    }
