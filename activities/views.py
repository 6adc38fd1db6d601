import calendar as pycalendar
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fedwork import access, params
from fedwork.concurrency import ALREADY_SUBMITTED_MESSAGE
from fedwork.context_processors import selected_year
from fedwork.models import Federation, Level
from plans.models import PlannedActivity, PlanStatus

from . import services
from .calendar_feed import build_feed
from .forms import ActivityForm, ActivitySearchForm, CalendarFilterForm
from .models import Activity, ActivityStatus, CalendarFeed


def _home(request):
    federation = access.home_federation(request.user)
    if federation is None:
        raise Http404
    return federation


def _visible_activities(user, federation):
    """The user's own subtree, plus the main activities their ancestors announce."""
    return Activity.objects.for_user(user) | Activity.objects.main_of_ancestors(federation)


def _filtered(request, federation, year, form_class=CalendarFilterForm):
    """Own activities, upper ones, planned items from upper plans, and the filter form, for the calendar
    and the list. A field the form rejects filters nothing (its error is shown beside it)."""
    form = form_class(request.GET or None, federation=federation, year=year)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    own = Activity.objects.for_year(year)
    own = own.in_subtree(federation) if data.get("below") else own.filter(federation=federation)
    upper = Activity.objects.main_of_ancestors(federation).for_year(year)
    if data.get("type"):
        own, upper = own.filter(type=data["type"]), upper.filter(type=data["type"])
    if data.get("work_point"):
        own, upper = own.filter(work_points=data["work_point"]), upper.filter(work_points=data["work_point"])
    if data.get("status") == "overdue":
        own, upper = own.overdue(), upper.overdue()
    elif data.get("status"):
        own, upper = own.filter(status=data["status"]), upper.filter(status=data["status"])
    searched = _search(data, year)
    if searched is not None:
        own, upper = own.filter(searched), upper.filter(searched)
    planned = PlannedActivity.objects.none()
    if not any(data.get(key) for key in ("type", "work_point", "status", "q", "date_from", "date_to")):
        planned = PlannedActivity.objects.filter(
            plan__federation_id__in=Federation.objects.ancestor_pks(federation),
            plan__year=year,
            plan__status__in=[PlanStatus.PUBLISHED, PlanStatus.ARCHIVED],
        ).select_related("plan__federation")
    related = ["type", "federation"]
    return own.select_related(*related), upper.select_related(*related), planned, form


def _search(data, year: int) -> Q | None:
    """The list's search as one condition: words in the title or the place (all of them), and a date
    range on the calendar day (an activity of ``year`` known only by its month matches a range that
    touches that month)."""
    condition = Q()
    for word in (data.get("q") or "").split():
        condition &= Q(title__icontains=word) | Q(place__icontains=word)
    first, last = data.get("date_from"), data.get("date_to")
    if first or last:
        months = range(1, 13)
        dated = Q(calendar_day__isnull=False)
        if first:
            dated &= Q(calendar_day__gte=first)
            months = [m for m in months if (year, m) >= (first.year, first.month)]
        if last:
            dated &= Q(calendar_day__lte=last)
            months = [m for m in months if (year, m) <= (last.year, last.month)]
        condition &= dated | Q(calendar_day__isnull=True, planned_month__in=list(months))
    return condition if condition else None


@login_required
def index(request):
    return redirect("activities:calendar")


class CalendarEntry:
    """One of the federation's own activities as the month shows it, built from a plain row.

    A busy month holds hundreds of them, and a model instance costs several times a plain object to
    build. The last planned day and the detail URL are the model's own methods.
    """

    FIELDS = (
        "pk",
        "federation_id",
        "year",
        "title",
        "status",
        "calendar_day",
        "planned_month",
        "planned_start",
        "planned_end",
        "planned_last_day",
    )
    __slots__ = (*FIELDS, "today", "branch")
    is_upper = False
    compute_planned_last_day = Activity.compute_planned_last_day
    get_absolute_url = Activity.get_absolute_url

    def __init__(self, row, today):
        (  # FIELDS, in order: unpacking costs a fifth of a setattr loop, per row of a busy month
            self.pk,
            self.federation_id,
            self.year,
            self.title,
            self.status,
            self.calendar_day,
            self.planned_month,
            self.planned_start,
            self.planned_end,
            self.planned_last_day,
        ) = row
        self.today = today
        self.branch = ""  # the branch below the page's federation it belongs to (含下级), named

    @property
    def is_overdue(self) -> bool:
        # Activity.is_overdue's rule with the page's today: timezone.localdate() costs ~8 µs a call.
        last = self.planned_last_day or self.compute_planned_last_day()
        return self.status == ActivityStatus.PLANNED and last is not None and last < self.today


# A province or a city with 含下级 shows counts per branch rather than hundreds of chips.
GROUPED_LEVELS = {Level.NATIONAL, Level.PROVINCE, Level.CITY}


def _query_day(request, year: int, month: int) -> date | None:
    """``?d=N``: that day of the month; None when absent or blank; Http404 when not a day of it."""
    text = request.GET.get("d", "")
    if not text:
        return None
    if (
        not text.isascii()
        or not text.isdigit()
        or len(text) > 2  # int() refuses 5000 digits with a ValueError: a 500, not a 404
        or not 1 <= int(text) <= pycalendar.monthrange(year, month)[1]
    ):
        raise Http404("d")
    return date(year, month, int(text))


def _default_day(year: int, month: int, today: date, days_with_activities) -> date:
    """Today in today's month; else the month's first day with activities, else its first day."""
    if (today.year, today.month) == (year, month):
        return today
    return min(days_with_activities, default=date(year, month, 1))


def _branches(federation, entries) -> dict[int, tuple[str, str]]:
    """{federation id: (branch key, branch name)} for the federations of ``entries``: the direct child
    of ``federation`` whose subtree holds each one, or 本级 for the federation itself. Two queries."""
    children = list(Federation.objects.children_of(federation).values_list("path", "short_name", "name"))
    ids = {entry.federation_id for entry in entries}
    result = {}
    for pk, path in Federation.objects.filter(pk__in=ids).values_list("pk", "path"):
        branch = next(((p, short or name) for p, short, name in children if path.startswith(p)), None)
        result[pk] = branch or ("", _("本级"))
    return result


def _name_branches(entries, branches) -> None:
    """Set each entry's ``branch``: the branch name below the page's federation, the upper federation's
    name for an upper activity, "" for the federation's own."""
    for entry in entries:
        if entry.is_upper:
            entry.branch = entry.federation.display_name
        elif branches.get(entry.federation_id, ("", ""))[0]:
            entry.branch = branches[entry.federation_id][1]


def _includes_below(form) -> bool:
    """Whether the filter asks for the federations below (含下级)."""
    return bool(getattr(form, "cleaned_data", {}).get("below"))


def _grouped(entries, branches) -> list[tuple[str, list]]:
    """Entries grouped by branch name, the largest group first: [(name, [entries])]."""
    groups: dict[str, list] = {}
    for entry in entries:
        name = branches[entry.federation_id][1] if not entry.is_upper else _("上级活动")
        groups.setdefault(name, []).append(entry)
    return sorted(groups.items(), key=lambda item: -len(item[1]))


@login_required
def calendar_month(request):
    """The month grid (dots per day on a phone, chips on a wider screen) with the chosen day's list
    below it (``?d=``); ``?v=week`` shows the chosen day's week as a list of days instead."""
    federation, year = _home(request), selected_year(request)
    today = timezone.localdate()
    month = params.query_month(request, default=today.month if today.year == year else 1)
    chosen = _query_day(request, year, month)
    if request.GET.get("v") == "week":
        return _calendar_week(
            request, federation, year, month, chosen or _default_day(year, month, today, [])
        )
    own_all, upper_all, planned, form = _filtered(request, federation, year)
    grouped = _includes_below(form) and federation.level in GROUPED_LEVELS
    own = [
        CalendarEntry(row, today) for row in own_all.in_month(year, month).values_list(*CalendarEntry.FIELDS)
    ]
    upper = list(upper_all.select_related(None).select_related("federation").in_month(year, month))
    for activity in upper:
        activity.is_upper = True  # ancestors' main activities: never the federation's own
    by_day, month_only = {}, []
    for activity in own + upper:
        (by_day.setdefault(activity.calendar_day, []) if activity.calendar_day else month_only).append(
            activity
        )
    weeks = [
        [(day, day.month == month, by_day.get(day, [])) for day in week]
        for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    ]
    chosen = chosen or _default_day(year, month, today, [day for day in by_day if day.month == month])
    branches = _branches(federation, own) if _includes_below(form) and own else {}
    day_items = by_day.get(chosen, [])
    _name_branches(day_items, branches)
    groups_by_day = None
    if grouped:
        groups_by_day = {
            day: [(name, len(items)) for name, items in _grouped(entries, branches)]
            for day, entries in by_day.items()
        }
    planned_items = list(planned.filter(month=month))
    query = request.GET.copy()
    for key in ("m", "d", "v"):
        query.pop(key, None)
    context = {
        "federation": federation,
        "year": year,
        "month": month,
        "weeks": weeks,
        "today": today,
        "chosen": chosen,
        "chosen_weekday": _weekdays()[chosen.weekday()],
        "day_items": day_items,
        "day_groups": _grouped(day_items, branches) if grouped else None,
        "groups_by_day": groups_by_day,
        "month_only": month_only,
        "planned": planned_items,
        "unscheduled_count": len(month_only) + len(planned_items),
        "form": form,
        "query": query.urlencode(),
        "day_query": f"m={month}&{query.urlencode()}".rstrip("&"),
        "prev_month": month - 1 if month > 1 else None,
        "next_month": month + 1 if month < 12 else None,
        "may_create": access.can_edit_records(request.user, federation),
        "weekdays": _weekdays(),
    }
    return render(request, "activities/activity_calendar.html", context)


def _weekdays() -> list[str]:
    return [_("一"), _("二"), _("三"), _("四"), _("五"), _("六"), _("日")]


def _calendar_week(request, federation, year: int, month: int, day: date):
    """The week (Monday to Sunday, within the year) holding ``day``, as a list of its days."""
    today = timezone.localdate()
    monday = day - timedelta(days=day.weekday())
    first, last = max(monday, date(year, 1, 1)), min(monday + timedelta(days=6), date(year, 12, 31))
    own_all, upper_all, _planned, form = _filtered(request, federation, year)
    own = [
        CalendarEntry(row, today)
        for row in own_all.filter(calendar_day__range=(first, last)).values_list(*CalendarEntry.FIELDS)
    ]
    upper = list(upper_all.filter(calendar_day__range=(first, last)))
    for activity in upper:
        activity.is_upper = True
    branches = _branches(federation, own) if _includes_below(form) and own else {}
    _name_branches(own + upper, branches)
    by_day: dict[date, list] = {}
    for activity in own + upper:
        by_day.setdefault(activity.calendar_day, []).append(activity)
    days = []
    current = first
    while current <= last:
        days.append((current, _weekdays()[current.weekday()], by_day.get(current, [])))
        current += timedelta(days=1)
    query = request.GET.copy()
    for key in ("m", "d", "v"):
        query.pop(key, None)
    previous_day, next_day = monday - timedelta(days=7), monday + timedelta(days=7)
    context = {
        "federation": federation,
        "year": year,
        "month": month,
        "week_view": True,
        "days": days,
        "today": today,
        "first": first,
        "last": last,
        "form": form,
        "query": query.urlencode(),
        "prev_week": _week_link(previous_day, year) if first > date(year, 1, 1) else None,
        "next_week": _week_link(next_day, year) if last < date(year, 12, 31) else None,
        "may_create": access.can_edit_records(request.user, federation),
    }
    return render(request, "activities/activity_calendar.html", context)


def _week_link(day: date, year: int) -> str:
    """The query of the week holding ``day`` (clamped into the year)."""
    day = min(max(day, date(year, 1, 1)), date(year, 12, 31))
    return f"v=week&m={day.month}&d={day.day}"


LIST_PAGE_SIZE = 30  # a phone screen scrolls through thirty cards; a province's year is hundreds


@login_required
def activity_list(request):
    """The activities found by the search (``ActivitySearchForm``), thirty a page (``?page=``); the
    upper federations' activities on the first page."""
    federation, year = _home(request), selected_year(request)
    own, upper, planned, form = _filtered(request, federation, year, ActivitySearchForm)
    page = Paginator(own.prefetch_related("figures__indicator"), LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    first_page = page.number == 1
    context = {
        "federation": federation,
        "year": year,
        "form": form,
        "page": page,
        "activities": page.object_list,
        "upper": upper if first_page else [],
        "planned": planned if first_page else [],
        "query": query.urlencode(),
        "may_create": access.can_edit_records(request.user, federation),
    }
    return render(request, "activities/activity_list.html", context)


@login_required
def activity_detail(request, pk):
    federation = _home(request)
    activity = get_object_or_404(
        _visible_activities(request.user, federation).select_related(
            "federation", "type", "created_by", "updated_by"
        ),
        pk=pk,
    )
    history = activity.history.select_related("history_user").order_by("-history_date")[:20]
    context = {
        "activity": activity,
        "just_saved": request.session.pop(JUST_SAVED_KEY, None) == activity.pk,
        "figures": activity.figures.select_related("indicator").order_by("indicator__code"),
        "history": history,
        "may_edit": access.can_edit_records(request.user, activity.federation),
    }
    return render(request, "activities/activity_detail.html", context)


JUST_SAVED_KEY = "activity_just_saved"  # the detail page then offers: view it, record the next, the list


def _save_form(request, form, activity) -> bool:
    """Save through the one write path; False (with the form error set) when it refuses: the edit is
    stale, or its period is locked by an approved report."""
    try:
        _save(request, form, activity)
    except ValidationError as error:
        form.add_error(None, error)
        return False
    _warn_about_rules(request, activity, form.figures())
    request.session[JUST_SAVED_KEY] = activity.pk
    return True


def _warn_about_rules(request, activity, figures) -> None:
    """Validation rules set above (办结 ≤ 受理 …) warn on entry; they block only the report."""
    from submissions.checks import violations

    values = {indicator.pk: value for indicator, value in figures.items() if value is not None}
    for message in violations(activity.federation, values) if values else []:
        messages.warning(request, _("请核对：") + message)


def _save(request, form, activity):
    services.activity_save(
        activity=activity,
        figures=form.figures(),
        by=request.user,
        work_points=[form.cleaned_data["work_point"]] if form.cleaned_data.get("work_point") else [],
        achieves=form.cleaned_data.get("achieves") if "achieves" in form.fields else None,
        seen_version=form.cleaned_data.get("seen_version") if activity.pk else None,
    )


@login_required
def activity_create(request):
    federation, year = _home(request), selected_year(request)
    access.require_edit(request.user, federation)
    activity = Activity(federation=federation, year=year)
    initial = {"status": ActivityStatus.DONE}
    if request.GET.get("type"):
        initial["type"] = params.query_id(request, "type")
    form = ActivityForm(
        request.POST or None, instance=activity, federation=federation, year=year, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            # The form's one-time token: a second POST of the same page (a double click) saves nothing.
            earlier = form.claim_token()
            if earlier is not None:
                messages.info(request, ALREADY_SUBMITTED_MESSAGE)
                return redirect(earlier.result_url or reverse("activities:list"))
            if _save_form(request, form, form.instance):
                form.record_result(form.instance.get_absolute_url())
                messages.success(request, _("已保存活动“%(title)s”。") % {"title": form.instance.title})
                if "add_another" in request.POST:
                    return redirect(f"{reverse('activities:create')}?type={form.instance.type_id}")
                return redirect(form.instance)
            transaction.set_rollback(True)  # nothing saved: the token may be used again
    return _render_form(request, form, federation=federation, year=year)


def _render_form(request, form, **context):
    point_indicators = {str(pk): sorted(codes) for pk, codes in form.point_indicators.items()}
    return render(
        request,
        "activities/activity_form.html",
        {"form": form, "point_indicators": point_indicators, **context},
    )


def _activity_for_edit(request, pk) -> Activity:
    activity = get_object_or_404(Activity.objects.for_user(request.user).select_related("federation"), pk=pk)
    access.require_edit(request.user, activity.federation)
    return activity


@login_required
def activity_edit(request, pk):
    activity = _activity_for_edit(request, pk)
    form = ActivityForm(
        request.POST or None, instance=activity, federation=activity.federation, year=activity.year
    )
    if request.method == "POST" and form.is_valid() and _save_form(request, form, form.instance):
        messages.success(request, _("已保存。"))
        return redirect(activity)
    return _render_form(request, form, federation=activity.federation, year=activity.year, activity=activity)


@login_required
def activity_delete(request, pk):
    activity = _activity_for_edit(request, pk)
    if request.method == "POST":
        try:
            services.activity_delete(activity=activity, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(activity)
        messages.success(request, _("已删除活动“%(title)s”，删除记录已保留。") % {"title": activity.title})
        return redirect("activities:list")
    return render(
        request,
        "plans/confirm_delete.html",
        {"object": activity, "what": _("活动"), "cancel_url": activity.get_absolute_url()},
    )


@login_required
def feed_settings(request):
    federation = _home(request)
    if request.method == "POST":
        access.require_edit(request.user, federation)
    feed, _created = CalendarFeed.objects.get_or_create(federation=federation)
    if request.method == "POST":
        feed.token = CalendarFeed._meta.get_field("token").default()
        feed.save(update_fields=["token"])
        messages.success(request, _("已更换订阅地址，旧地址立即失效。"))
        return redirect("activities:feed")
    url = request.build_absolute_uri(feed.get_absolute_url())
    return render(
        request,
        "activities/feed_settings.html",
        {
            "feed_url": url,
            "federation": federation,
            "may_reset": access.can_edit_records(request.user, federation),
        },
    )


FEED_LIMIT = 1000  # the most recent events; a phone calendar needs no more


def ical_feed(request, token):
    """The private feed: no login (phones cannot log in), the unguessable token is the key."""
    feed = get_object_or_404(CalendarFeed.objects.select_related("federation"), token=token)
    federation = feed.federation
    activities = (
        (Activity.objects.filter(federation=federation) | Activity.objects.main_of_ancestors(federation))
        .select_related("federation", "type")
        .order_by("-calendar_day")[:FEED_LIMIT]
    )
    body = build_feed(federation, activities, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="fedwork-{federation.code}.ics"'
    return response
