import calendar as pycalendar
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When, Window
from django.db.models.functions import RowNumber, Substr
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
from .models import NO_DAY, Activity, ActivityCount, ActivityStatus, CalendarFeed
from .templatetags.activity_calendar import MAX_DOTS


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


def _children(federation) -> list[tuple[str, str, str]]:
    """[(path, short name, name)] of the federation's direct children: the branches of 含下级."""
    return list(Federation.objects.children_of(federation).values_list("path", "short_name", "name"))


def _branches(federation, entries) -> dict[int, tuple[str, str]]:
    """{federation id: (branch key, branch name)} for the federations of ``entries``: the direct child
    of ``federation`` whose subtree holds each one, or 本级 for the federation itself. Two queries."""
    children = _children(federation)
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


# 含下级 at a grouped level lists at most this many of a day's (or the month-only) activities; the
# rest are counted (the grid's counts come from SQL) and reached through the activity list.
DAY_LIST_LIMIT = 50

# The dots of a day's tally, in this order: a grouped day shows counts, not which activity came first.
DOT_ORDER = ("overdue", "status-planned", "status-done", "status-cancelled", "upper")


@dataclass(slots=True)
class DayTally:
    """What the grid shows of one day (or, for ``day`` None, of the month-only items) under 含下级 at a
    grouped level, counted without loading the activities: ``total`` activities, ``dots`` {dot class:
    count} (activity_calendar._dot's classes) and ``branches`` {branch name: count}."""

    total: int = 0
    dots: dict[str, int] = field(default_factory=dict)
    branches: dict[str, int] = field(default_factory=dict)

    def add(self, branch: str, dot: str, count: int) -> None:
        self.total += count
        self.dots[dot] = self.dots.get(dot, 0) + count
        self.branches[branch] = self.branches.get(branch, 0) + count

    def dot_list(self, limit: int) -> list[str]:
        """The first ``limit`` dot classes, grouped by class in DOT_ORDER."""
        result: list[str] = []
        for css in DOT_ORDER:
            result += [css] * min(self.dots.get(css, 0), limit - len(result))
        return result

    def groups(self) -> list[tuple[str, int]]:
        """[(branch name, count)], the largest first (ties by name, so the page is stable)."""
        return sorted(self.branches.items(), key=lambda item: (-item[1], item[0]))


def _branch_expression(federation, children):
    """The SQL value telling an activity's branch: the prefix of its federation's path as long as the
    children's paths (one Substr when they are all as long, which GB/T 2260 codes make the rule), else a
    CASE over the children's prefixes like ActivityQuerySet.counts_by_branch. The federation's own
    activities give its own path (Substr of a shorter path) or "" (the CASE's default)."""
    lengths = {len(path) for path, _short, _name in children}
    if len(lengths) == 1:
        return Substr("federation__path", 1, lengths.pop())
    return Case(
        *[When(federation__path__startswith=path, then=Value(path)) for path, _short, _name in children],
        default=Value(""),
    )


def _month_tallies(federation, children, own_month, upper, today, counts=None) -> dict[date | None, DayTally]:
    """{calendar day, or None for the month-only items: DayTally} of the month's own activities
    (``own_month``, the subtree's) counted in one grouped query by day, branch (of ``children``, as
    _children gives them) and dot class, plus the few, already loaded ``upper`` activities.

    ``counts`` (day, branch, late, status, count) rows, when given, stand for that query: the
    maintained counts of an unfiltered month (_counted_month)."""
    names = {path: short or name for path, short, name in children}
    late = Case(
        When(status=ActivityStatus.PLANNED, planned_last_day__lt=today, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    rows = counts
    if rows is None:
        rows = (
            own_month.select_related(None)
            .order_by()
            .annotate(branch=_branch_expression(federation, children), late=late)
            .values_list("calendar_day", "branch", "late", "status")
            .annotate(count=Count("pk"))
        )
    tallies: dict[date | None, DayTally] = {}
    own_name = _("本级")
    for day, branch, late, status, count in rows:
        tallies.setdefault(day, DayTally()).add(
            names.get(branch, own_name), "overdue" if late else f"status-{status}", count
        )
    for activity in upper:
        tallies.setdefault(activity.calendar_day, DayTally()).add(_("上级活动"), "upper", 1)
    return tallies


def _counted_month(federation, year: int, month: int, today: date) -> list[tuple]:
    """The month of ``federation``'s subtree as _month_tallies' rows (day or None, branch path or ""
    for its own, late 0/1, status, count), read from ActivityCount — the federation's and its
    children's rows of the month, a few thousand at most — instead of counting the subtree's
    activities (a nation's month: ~300,000 of them, 2.5 s at national scale, issue #18). Only for a
    month without filters: the counts know no type or work point. The federation's own activities
    are its subtree's count less its children's."""
    first = date(year, month, 1)
    last = date(year, month, pycalendar.monthrange(year, month)[1])
    # The ids as a list: OR-ed with a subquery of the children, PostgreSQL scanned the whole table.
    paths = dict(Federation.objects.children_of(federation).values_list("pk", "path"))
    late = Case(When(due__lt=today, then=Value(1)), default=Value(0), output_field=IntegerField())
    rows = (
        ActivityCount.objects.filter(
            Q(day__range=(first, last)) | Q(day=NO_DAY, month=month),
            federation_id__in=[federation.pk, *paths],
            year=year,
            count__gt=0,
        )
        .annotate(late=late)
        .values_list("federation_id", "day", "late", "status")
        .annotate(n=Sum("count"))
        .order_by()
    )
    own: dict[tuple, int] = {}
    result = []
    for pk, day, late_, status, count in rows:
        path = paths.get(pk)
        key = (None if day == NO_DAY else day, late_, status)
        if pk == federation.pk:
            own[key] = own.get(key, 0) + count
        else:
            own[key] = own.get(key, 0) - count
            result.append((key[0], path, late_, status, count))
    result += [(day, "", late_, status, count) for (day, late_, status), count in own.items() if count]
    return result


def _list_link(query: str, first: date, last: date) -> str:
    """The activity list with the page's filters over the days ``first``..``last``: where a capped
    day's list is read in full."""
    dates = f"date_from={first.isoformat()}&date_to={last.isoformat()}"
    return (
        f"{reverse('activities:list')}?{query}&{dates}" if query else f"{reverse('activities:list')}?{dates}"
    )


@login_required
def calendar_month(request):
    """The month grid (dots per day on a phone, chips on a wider screen) with the chosen day's list
    below it (``?d=``); ``?v=week`` shows the chosen day's week as a list of days instead.

    With 含下级 at a GROUPED_LEVELS federation the grid's counts are counted in SQL (a nation's month is
    ~300,000 activities) and only DAY_LIST_LIMIT of the chosen day's and the month-only activities are
    loaded (issue #18); below those levels every activity of the month is a chip."""
    federation, year = _home(request), selected_year(request)
    today = timezone.localdate()
    month = params.query_month(request, default=today.month if today.year == year else 1)
    chosen = _query_day(request, year, month)
    if request.GET.get("v") == "week":
        return _calendar_week(
            request, federation, year, month, chosen or _default_day(year, month, today, [])
        )
    own_all, upper_all, planned, form = _filtered(request, federation, year)
    query = request.GET.copy()
    for key in ("m", "d", "v"):
        query.pop(key, None)
    if _includes_below(form) and federation.level in GROUPED_LEVELS:
        data = form.cleaned_data
        unfiltered = not any(data.get(key) for key in ("type", "work_point", "status"))
        context = _grouped_month(
            federation, year, month, chosen, today, own_all, upper_all, query.urlencode(), unfiltered
        )
    else:
        context = _plain_month(
            federation, year, month, chosen, today, own_all, upper_all, _includes_below(form)
        )
    planned_items = list(planned.filter(month=month))
    chosen = context["chosen"]
    context.update(
        {
            "federation": federation,
            "year": year,
            "month": month,
            "today": today,
            "chosen_weekday": _weekdays()[chosen.weekday()],
            "planned": planned_items,
            "unscheduled_count": context["month_only_count"] + len(planned_items),
            "form": form,
            "query": query.urlencode(),
            "day_query": f"m={month}&{query.urlencode()}".rstrip("&"),
            "prev_month": month - 1 if month > 1 else None,
            "next_month": month + 1 if month < 12 else None,
            "may_create": access.can_edit_records(request.user, federation),
            "weekdays": _weekdays(),
        }
    )
    return render(request, "activities/activity_calendar.html", context)


def _month_weeks(year: int, month: int, by_day) -> list:
    return [
        [(day, day.month == month, by_day.get(day, [])) for day in week]
        for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    ]


def _upper_in_month(upper_all, year: int, month: int) -> list:
    upper = list(upper_all.select_related(None).select_related("federation").in_month(year, month))
    for activity in upper:
        activity.is_upper = True  # ancestors' main activities: never the federation's own
    return upper


def _plain_month(federation, year, month, chosen, today, own_all, upper_all, below: bool) -> dict:
    """The month with every activity loaded: a county and below (a few hundred at most)."""
    own = [
        CalendarEntry(row, today) for row in own_all.in_month(year, month).values_list(*CalendarEntry.FIELDS)
    ]
    upper = _upper_in_month(upper_all, year, month)
    by_day, month_only = {}, []
    for activity in own + upper:
        (by_day.setdefault(activity.calendar_day, []) if activity.calendar_day else month_only).append(
            activity
        )
    chosen = chosen or _default_day(year, month, today, [day for day in by_day if day.month == month])
    branches = _branches(federation, own) if below and own else {}
    day_items = by_day.get(chosen, [])
    _name_branches(day_items, branches)
    return {
        "weeks": _month_weeks(year, month, by_day),
        "chosen": chosen,
        "day_items": day_items,
        "day_count": len(day_items),
        "day_groups": None,
        "groups_by_day": None,
        "month_only": month_only,
        "month_only_count": len(month_only),
    }


def _grouped_month(
    federation, year, month, chosen, today, own_all, upper_all, query: str, unfiltered: bool
) -> dict:
    """The month of a large subtree: counts per day, branch and dot from SQL (_month_tallies; from the
    maintained counts when ``unfiltered``, _counted_month), and at most DAY_LIST_LIMIT activities of
    the chosen day and of the month-only list loaded."""
    own_month = own_all.in_month(year, month)
    upper = _upper_in_month(upper_all, year, month)
    children = _children(federation)
    counts = _counted_month(federation, year, month, today) if unfiltered else None
    tallies = _month_tallies(federation, children, own_month, upper, today, counts)
    chosen = chosen or _default_day(
        year, month, today, [day for day in tallies if day and day.month == month]
    )
    names = {path: short or name for path, short, name in children}
    branch = _branch_expression(federation, children)
    # {federation id: (branch key, name)} as _branches gives it, read off the loaded rows' branch
    # values instead of a query for their federations' paths.
    branches: dict[int, tuple[str, str]] = {}

    def capped(rows) -> list:
        entries = []
        rows = rows.order_by("pk").annotate(branch=branch).values_list(*CalendarEntry.FIELDS, "branch")
        for row in rows[:DAY_LIST_LIMIT]:
            entries.append(CalendarEntry(row[:-1], today))
            key = row[-1] if row[-1] in names else ""
            branches[row[1]] = (key, names[key] if key else _("本级"))  # row[1]: federation_id
        return entries

    # A day (or the month-only list) whose tally holds none of the subtree's own needs no query.
    day_upper = [activity for activity in upper if activity.calendar_day == chosen]
    upper_month_only = [activity for activity in upper if activity.calendar_day is None]
    has_own = tallies.get(chosen, DayTally()).total > len(day_upper)
    day_own = capped(own_month.filter(calendar_day=chosen)) if has_own else []
    has_own = tallies.get(None, DayTally()).total > len(upper_month_only)
    month_only = capped(own_month.filter(calendar_day__isnull=True)) if has_own else []
    month_only += upper_month_only
    day_items = day_own + day_upper
    _name_branches(day_items, branches)
    day_tally = tallies.get(chosen, DayTally())
    loaded = dict(_grouped(day_items, branches))
    day_count = day_tally.total
    return {
        "weeks": _month_weeks(year, month, {}),
        "chosen": chosen,
        "day_items": day_items,
        "day_count": day_count,
        "day_groups": [(name, count, loaded.get(name, [])) for name, count in day_tally.groups()],
        "day_more_link": _list_link(query, chosen, chosen) if day_count > len(day_items) else None,
        "groups_by_day": {
            day: (tally.total, tally.dot_list(MAX_DOTS), tally.groups())
            for day, tally in tallies.items()
            if day
        },
        "month_only": month_only,
        "month_only_count": tallies[None].total if None in tallies else 0,
    }


def _weekdays() -> list[str]:
    return [_("一"), _("二"), _("三"), _("四"), _("五"), _("六"), _("日")]


def _calendar_week(request, federation, year: int, month: int, day: date):
    """The week (Monday to Sunday, within the year) holding ``day``, as a list of its days."""
    today = timezone.localdate()
    monday = day - timedelta(days=day.weekday())
    first, last = max(monday, date(year, 1, 1)), min(monday + timedelta(days=6), date(year, 12, 31))
    own_all, upper_all, _planned, form = _filtered(request, federation, year)
    own_week = own_all.filter(calendar_day__range=(first, last))
    counts: dict[date, int] = {}
    if _includes_below(form) and federation.level in GROUPED_LEVELS:
        # A nation's week is ~70,000 activities: the first DAY_LIST_LIMIT of each day (by pk) and the
        # day's count, in one query (issue #18).
        rows = (
            own_week.select_related(None)
            .annotate(
                day_rank=Window(RowNumber(), partition_by=[F("calendar_day")], order_by=F("pk").asc()),
                day_total=Window(Count("pk"), partition_by=[F("calendar_day")]),
            )
            .filter(day_rank__lte=DAY_LIST_LIMIT)
            .order_by("calendar_day", "pk")
            .values_list(*CalendarEntry.FIELDS, "day_total")
        )
        own = []
        for row in rows:
            own.append(CalendarEntry(row[:-1], today))
            counts[row[5]] = row[-1]  # FIELDS[5] is calendar_day
    else:
        own = [CalendarEntry(row, today) for row in own_week.values_list(*CalendarEntry.FIELDS)]
    upper = list(upper_all.filter(calendar_day__range=(first, last)))
    for activity in upper:
        activity.is_upper = True
    branches = _branches(federation, own) if _includes_below(form) and own else {}
    _name_branches(own + upper, branches)
    by_day: dict[date, list] = {}
    for activity in own + upper:
        by_day.setdefault(activity.calendar_day, []).append(activity)
    query = request.GET.copy()
    for key in ("m", "d", "v"):
        query.pop(key, None)
    days = []
    current = first
    while current <= last:
        items = by_day.get(current, [])
        if counts:  # the day's own activities were capped: their count came with them
            count = counts.get(current, 0) + sum(1 for item in items if item.is_upper)
        else:
            count = len(items)
        more = _list_link(query.urlencode(), current, current) if count > len(items) else None
        days.append((current, _weekdays()[current.weekday()], items, count, more))
        current += timedelta(days=1)
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
