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

    In order: this session's choice (set at login by ``open_year_at_login``, changed by the year
    switch); the year the user chose last time (User.work_year, kept across logins); this year.
    """
    session = getattr(request, "session", None)
    year = session.get(SESSION_YEAR_KEY) if session is not None else None
    if params.is_year(year):
        return year
    user = getattr(request, "user", None)
    saved = getattr(user, "work_year", None)
    return saved if params.is_year(saved) else timezone.localdate().year


def open_year_at_login(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver: a new session opens on the year the user chose last time, or else on
    the latest year with a plan they work under (the demo's plans are 2013's), or else this year.

    At login rather than on each page, so the plan query runs once per login, not per request.
    """
    if request is None or not hasattr(request, "session"):
        return
    year = user.work_year if params.is_year(user.work_year) else latest_plan_year(user)
    request.session[SESSION_YEAR_KEY] = year if params.is_year(year) else timezone.localdate().year


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
        "system_name": settings.FEDWORK_SITE_NAME,
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
