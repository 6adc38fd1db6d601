from django.utils import timezone

from . import params
from .access import home_federation

SESSION_YEAR_KEY = "work_year"


def selectable_years() -> list[int]:
    """The top bar's years, newest first: the range fedwork.params accepts as ``?year=``."""
    return list(range(params.last_year(), params.first_year() - 1, -1))


def selected_year(request) -> int:
    """The work year the user has chosen in the top bar (this year until they choose)."""
    year = request.session.get(SESSION_YEAR_KEY) if hasattr(request, "session") else None
    return year if params.is_year(year) else timezone.localdate().year


def work_year(request):
    user = getattr(request, "user", None)
    context = {"work_year": selected_year(request), "work_years": selectable_years()}
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
