import sys

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.db.models import Count
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from submissions.todo import Kind, todo_for_request

from . import db_router, services
from .access import (
    can_edit_records,
    can_manage,
    get_federation_for_user_or_404,
    home_federation,
    visible_ancestors,
    visible_federations,
)
from .context_processors import SESSION_YEAR_KEY, selected_year
from .forms import FederationSearchForm, YearForm
from .models import Federation, Level

SEARCH_LIMIT = 50


HOME_LIST_LIMIT = 10  # a phone screen's worth; the calendar and the list hold the rest


def _staff_activities(federation) -> dict:
    """What a staff member's home page lists of the federation's own activities: today's, the rest of
    this month's, and the overdue ones (planned, their last day past), each at most HOME_LIST_LIMIT.

    Two queries. ``more_overdue`` says there are more overdue ones than listed.
    """
    from activities.models import Activity

    today = timezone.localdate()
    own = Activity.objects.filter(federation=federation).select_related("type")
    month = list(own.in_month(today.year, today.month))
    overdue = list(own.overdue(today).order_by("planned_last_day", "pk")[: HOME_LIST_LIMIT + 1])
    return {
        "today": today,
        "today_activities": [a for a in month if a.calendar_day == today],
        "month_activities": [a for a in month if a.calendar_day != today][:HOME_LIST_LIMIT],
        "month_count": len(month),
        "overdue_activities": overdue[:HOME_LIST_LIMIT],
        "more_overdue": len(overdue) > HOME_LIST_LIMIT,
    }


@login_required
def home(request):
    """The user's federation at a glance; for its staff (填报员), the activities to record first:
    today's, this month's and the overdue ones, under a big 填报活动 button."""
    federation = home_federation(request.user)
    level_counts = []
    staff = None
    if federation is not None:
        if can_edit_records(request.user, federation):
            staff = _staff_activities(federation)
        counts = dict(
            Federation.objects.descendants(federation).values_list("level").annotate(n=Count("pk")).order_by()
        )
        level_counts = [(label, counts[value]) for value, label in Level.choices if counts.get(value)]
    todo = todo_for_request(request, selected_year(request))
    if staff and staff["overdue_activities"]:
        todo = todo.without(Kind.ACTIVITY_OVERDUE)  # listed under 已逾期 above, with what to do
    context = {"federation": federation, "level_counts": level_counts, "todo": todo, "staff": staff}
    return render(request, "fedwork/home.html", context)


@login_required
def federation_browse(request):
    federation = home_federation(request.user)
    if federation is None:
        return render(request, "fedwork/federation_detail.html", {"federation": None})
    return redirect(federation)


@login_required
def federation_detail(request, code):
    federation = get_federation_for_user_or_404(request.user, code)
    visible = visible_federations(request.user)
    search_form = FederationSearchForm(request.GET or None)
    results = None
    if search_form.is_valid() and search_form.cleaned_data["q"]:
        results = list(
            visible.subtree(federation)
            .search(search_form.cleaned_data["q"])
            .select_related("parent")[: SEARCH_LIMIT + 1]
        )
    children = visible.children_of(federation).annotate(child_count=Count("children")).order_by("code")
    may_manage = can_manage(request.user, federation)
    context = {
        "federation": federation,
        "breadcrumb": visible_ancestors(request.user, federation),
        "children": children,
        "search_form": search_form,
        "results": results[:SEARCH_LIMIT] if results is not None else None,
        "results_truncated": results is not None and len(results) > SEARCH_LIMIT,
        "may_manage": may_manage,
        "members": federation.members.order_by("role", "username") if may_manage else None,
    }
    return render(request, "fedwork/federation_detail.html", context)


@require_POST
@login_required
def set_year(request):
    form = YearForm(request.POST)
    if form.is_valid():
        request.session[SESSION_YEAR_KEY] = form.cleaned_data["year"]
        services.user_set_work_year(user=request.user, year=form.cleaned_data["year"])
    else:
        messages.error(request, _("请选择有效的年度。"))
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    return HttpResponseRedirect(next_url)


@never_cache
def healthz(request):
    """For load balancers: 200 when the primary database answers, 503 when it does not.

    With a replica configured (fedwork/db_router.py), its state is measured and shown, but does not
    fail the check: when it is unreachable or lags beyond FEDWORK_REPLICA_MAX_LAG_SECONDS, reads go to
    the primary. Shape: {"status": "ok", "database": "ok", "replica": {"state": "ok" | "lagging" |
    "unreachable", "lag_seconds": 0.002, "max_lag_seconds": 5.0}} (no "replica" without one).
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    body = {"status": "ok", "database": "ok"}
    if db_router.replica_configured():
        body["replica"] = db_router.replica_status()
    return JsonResponse(body)


DATABASE_DOWN_RETRY_SECONDS = 5


def server_error(request):
    """handler500: a database that does not answer (restarting, its pooler refusing) is a 503 with a
    Chinese page that says to try again and a Retry-After, not a server error; anything else is
    Django's own 500 page. The page is rendered without context processors, which query the database."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        body = loader.get_template("fedwork/database_unavailable.html").render()
        response = HttpResponse(body, status=503)
        response["Retry-After"] = str(DATABASE_DOWN_RETRY_SECONDS)
        return response
    return defaults.server_error(request)
