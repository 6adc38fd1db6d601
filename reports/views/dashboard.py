from datetime import date

from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, ActivityStatus
from api.reports import chart_out
from fedwork import access, params
from fedwork.context_processors import selected_year
from fedwork.db_router import reads_from_replica
from plans.models import Plan
from submissions.services import latest_completeness

from ..rollup import indicator_statistics, rollup

SHOWN_ACTIVITIES = 8


@login_required
def index(request):
    federation = access.home_federation(request.user)
    if federation is None:
        raise Http404
    return redirect("reports:dashboard", code=federation.code)


@login_required
@reads_from_replica
def dashboard(request, code):
    """A federation's dashboard for the selected year: one roll-up, which the tables, the cards and
    the charts (embedded as JSON, ``chart_out``) all read; a federation out of reach is a 404."""
    federation = access.get_federation_for_user_or_404(request.user, code)
    year = selected_year(request)
    result = rollup(
        federation, year, params.query_as_of(request), approved_only=params.query_approved_only(request)
    )
    if not access.may_see_ranking(request.user, federation):
        result.without_ranks()
    today = timezone.localdate()
    planned = Activity.objects.planned_in_subtree(federation, year).select_related("federation")
    groups: dict[int, dict] = {}
    for progress in result.progress:
        point = progress.target.work_point
        group = groups.setdefault(point.pk, {"point": point, "progress": []})
        group["progress"].append(progress)
    context = {
        "federation": federation,
        "year": year,
        "result": result,
        "groups": list(groups.values()),
        "lagging": [p for p in result.progress if p.is_lagging],
        "children": sorted(result.children, key=lambda c: (c.rank is None, c.rank or 0, c.federation.code)),
        "breadcrumb": access.visible_ancestors(request.user, federation),
        "upcoming": planned.upcoming(federation, today, SHOWN_ACTIVITIES),
        "overdue": planned.overdue_last(federation, today, SHOWN_ACTIVITIES),
        "expected_percent": result.expected_percent,
        # The charts' numbers, from this roll-up: the page's script reads them (json_script), it
        # does not ask the API for a second roll-up.
        "chart": chart_out(result) if result.progress else None,
        "reporting": latest_completeness(federation, year, result.as_of),
        # 指标统计: every indicator recorded, with or without a target (本级 + 下级 = 合计).
        "statistics": indicator_statistics(
            federation, year, result.as_of, [child.federation for child in result.children]
        ),
        # An empty year: offer the latest year that has a plan (one query, only then).
        "latest_year": None
        if result.progress
        else Plan.objects.for_user(request.user).latest_year_of(federation, year),
    }
    if not result.progress:
        context.update(_without_targets(request.user, federation, year, today))
    return render(request, "reports/dashboard.html", context)


def _without_targets(user, federation, year: int, today: date) -> dict:
    """What a dashboard shows a unit without targets (a township, most often) instead of empty
    charts: its year's activities counted by status, its latest done ones with their figures, and
    where to write its work points: its own plan when it has one, the plans page when the reader
    is its own member, nothing for a reader from above (it is not theirs to write)."""
    activities = Activity.objects.in_subtree(federation).for_year(year)
    planned = Q(status=ActivityStatus.PLANNED)
    counts = activities.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status=ActivityStatus.DONE)),
        planned=Count("pk", filter=planned & (Q(planned_last_day__gte=today) | Q(planned_last_day=None))),
        overdue=Count("pk", filter=planned & Q(planned_last_day__lt=today)),
    )
    recent = (
        activities.counted()
        .select_related("federation", "type")
        .prefetch_related("figures__indicator")
        # NULLS LAST (done activities have a day anyway) keeps PostgreSQL off a backward scan of the
        # whole country's calendar_day index hoping to meet eight of the subtree's rows soon: at
        # national scale a township with nine done activities took 2.7 s that way (EXPLAIN ANALYZE).
        .order_by(F("calendar_day").desc(nulls_last=True), "-pk")[:SHOWN_ACTIVITIES]
    )
    plan = Plan.objects.for_user(user).filter(federation=federation, year=year).first()
    if plan is not None:
        plan_url = plan.get_absolute_url()
    elif access.home_federation(user) == federation:
        plan_url = reverse("plans:index")
    else:
        plan_url = None
    return {"activity_counts": counts, "recent_done": recent, "own_plan": plan, "plan_url": plan_url}
