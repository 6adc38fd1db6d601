"""The roll-up for charts and other systems: GET /api/v1/rollup/{code}/{year}/."""

from datetime import date
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse
from ninja import Router, Schema

from fedwork import access, params
from fedwork.db_router import reads_from_replica
from reports.rollup import Progress, Rollup, expected_at_month_end, rollup, status_labels

router = Router()


class TargetOut(Schema):
    indicator: str
    name: str
    unit: str
    work_point: str
    target: float
    achieved: float | None
    completion: float | None
    status: str
    # 同比: last year's result for the same federation and indicator over the same months (上年同期),
    # and the change from it in percent, one decimal (同比增减; null when last year's is 0 or missing).
    previous: float | None
    change: float | None


class ChildOut(Schema):
    federation: str
    name: str
    score: float | None
    rank: int | None
    targets: list[TargetOut]


class MonthOut(Schema):
    month: int
    completion: float | None
    expected: float


class RollupOut(Schema):
    federation: str
    name: str
    year: int
    view: str  # "all" (全部已录入) or "approved" (仅已审核)
    as_of: date
    expected_share: float
    completion: float | None
    targets: list[TargetOut]
    children: list[ChildOut]
    monthly: list[MonthOut]


def _number(value: Decimal | None, places: int = 2) -> float | None:
    if value is None:
        return None
    number = float(value)
    # round() on a float is slow (a decimal conversion and back), and a whole number, as most targets
    # and results are, is already rounded: this gives what round() would, several times faster.
    return number if number.is_integer() else round(number, places)


def target_out(progress: Progress, labels: dict[str, str]) -> dict:
    target = progress.target
    indicator = target.indicator
    return {
        "indicator": indicator.code,
        "name": indicator.name,
        "unit": indicator.unit,
        "work_point": target.work_point.label,
        "target": _number(target.annual_value),
        "achieved": _number(progress.achieved),
        "completion": _number(progress.completion, 1),
        "status": labels[progress.status],
        "previous": _number(progress.previous),
        "change": _number(progress.change, 1),
    }


def rollup_out(result: Rollup) -> dict:
    """The API's shape of a roll-up (RollupOut); the dashboard's charts read its slice ``chart_out``."""
    labels = status_labels()
    return {
        "federation": result.federation.code,
        "name": result.federation.name,
        "year": result.year,
        "view": "approved" if result.approved_only else "all",
        "as_of": result.as_of,
        "expected_share": _number(result.expected_share, 4),
        "completion": _number(result.overall_completion, 1),
        "targets": [target_out(p, labels) for p in result.progress],
        "children": [
            {
                "federation": child.federation.code,
                "name": child.federation.name,
                "score": _number(child.score, 1),
                "rank": child.rank,
                "targets": [target_out(p, labels) for p in child.progress],
            }
            for child in result.children
        ],
        "monthly": monthly_out(result),
    }


def monthly_out(result: Rollup) -> list[dict]:
    """RollupOut's ``monthly``: per month, the overall completion at its end and the time progress
    (judging.expected_at_month_end), in percent with one decimal."""
    return [
        {
            "month": month,
            "completion": _number(value, 1),
            "expected": round(float(expected_at_month_end(result.year, month)), 1),
        }
        for month, value in enumerate(result.monthly_completion, start=1)
    ]


def chart_out(result: Rollup) -> dict:
    """What the dashboard's two charts draw, as the API writes it (RollupOut's ``monthly``, and each
    child's ``name`` and ``score``): the page embeds it (json_script) instead of calling the API
    for a second roll-up."""
    return {
        "monthly": monthly_out(result),
        "children": [
            {"name": child.federation.name, "score": _number(child.score, 1)} for child in result.children
        ],
    }


@router.get("/rollup/{code}/{year}/", response=RollupOut, summary="目标完成情况汇总", tags=["报表"])
@reads_from_replica
def rollup_view(request, code: str, year: int, as_of: date | None = None, view: str | None = None):
    """A federation's targets and results for a year, and each direct child's; 404 outside one's reach."""
    # django-ninja has typed the path (422 for what is no int at all); fedwork.params decides the
    # rest from the raw text as the pages do: " 2013", "2_013" or a NUL byte in the code are 404s.
    raw = request.resolver_match.kwargs
    params.parse_year(raw.get("year", str(year)))
    code = params.parse_code(code)
    as_of = params.query_as_of(request)
    federation = access.get_federation_for_user_or_404(request.user, code)
    # Returned as JSON directly: the dict already has RollupOut's shape (the schema documents it, and
    # the schemathesis test holds the two together); validating every child's every target through
    # pydantic again cost more than the roll-up itself on a county with a dozen townships.
    approved_only = params.query_approved_only(request)  # ?view=approved: 仅已审核
    result = rollup(federation, year, as_of, approved_only=approved_only)
    if not access.may_see_ranking(request.user, federation):
        result.without_ranks()
    return JsonResponse(rollup_out(result), encoder=DjangoJSONEncoder)
