from django.conf import settings
from django.utils import timezone

from .access import home_federation

SESSION_YEAR_KEY = "work_year"


def selectable_years() -> list[int]:
    return list(range(timezone.localdate().year + 1, settings.FEDWORK_FIRST_YEAR - 1, -1))


def selected_year(request) -> int:
    """The work year the user has chosen in the top bar (this year until they choose)."""
    year = request.session.get(SESSION_YEAR_KEY) if hasattr(request, "session") else None
    return year if year in selectable_years() else timezone.localdate().year


def work_year(request):
    user = getattr(request, "user", None)
    context = {"work_year": selected_year(request), "work_years": selectable_years()}
    if user is not None and user.is_authenticated:
        context["user_federation"] = home_federation(user)
    return context
