from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone

from . import params
from .access import home_federation

SESSION_YEAR_KEY = "work_year"


def selectable_years() -> list[int]:
    """The top bar's years, newest first: the range fedwork.params accepts as ``?year=``."""
    return list(range(params.last_year(), params.first_year() - 1, -1))


def selected_year(request) -> int:
    """The work year the user has chosen in the top bar.

    In order: this session's choice; the year the user chose last time (User.work_year, kept across
    logins); the latest year with a plan the user works under (their federation's or an upper
    one's; any plan for a superuser); this year. The first answer is kept in the session, so the
    database is asked once per login.
    """
    session = getattr(request, "session", None)
    year = session.get(SESSION_YEAR_KEY) if session is not None else None
    if params.is_year(year):
        return year
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return timezone.localdate().year
    year = user.work_year if params.is_year(user.work_year) else latest_plan_year(user)
    if not params.is_year(year):
        year = timezone.localdate().year
    if session is not None:
        session[SESSION_YEAR_KEY] = year
    return year


def latest_plan_year(user) -> int | None:
    """The latest year of a plan of the user's federation or one above it (of any plan for a
    superuser without a federation); None when there is none."""
    from plans.models import Plan

    plans = Plan.objects.filter(year__lte=params.last_year())
    if user.federation_id:
        federation = user.federation
        plans = plans.filter(Q(federation=federation) | Q(federation__code__in=federation.ancestor_codes))
    elif not user.is_superuser:
        return None
    return plans.aggregate(latest=Max("year"))["latest"]


def work_year(request):
    user = getattr(request, "user", None)
    context = {
        "work_year": selected_year(request),
        "work_years": selectable_years(),
        "site_name": settings.FEDWORK_SITE_NAME,
    }
    if user is not None and user.is_authenticated:
        context["user_federation"] = home_federation(user)
        # Callables: the template asks only when it shows the top bar, once per request.
        context["todo_count"] = lambda: _todo_count(request, context["work_year"])
        context["unread_notifications"] = lambda: _unread_notifications(request)
    return context


def _todo_count(request, year: int) -> int:
    from submissions.todo import count_for_request

    return count_for_request(request, year)


def _unread_notifications(request) -> int:
    if not hasattr(request, "_fedwork_unread_notifications"):
        request._fedwork_unread_notifications = request.user.notifications.unread().count()
    return request._fedwork_unread_notifications
