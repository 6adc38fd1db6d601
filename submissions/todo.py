"""What a user must act on (待办), by role and federation:

- staff (填报员) of a federation: its reports due within three days (待上报) or overdue (逾期未报), its
  returned or reopened reports (退回待改), and its planned activities past their planned last day;
- leaders and administrators: the reports of the direct children waiting for their review (待审核), and
  the children overdue past the grace period (``FEDWORK_REMINDER_GRACE_DAYS``, 催报);
- everyone of the federation: its targets lagging behind time progress (时间过半任务过半), from one
  roll-up.

:func:`actionable` is a handful of queries whatever the tree's size (the top bar's count runs it at
most once a minute per session, :func:`count_for_request`); :func:`lagging` runs the roll-up, so only
the home page and the daily reminders ask for it.
The reminders (submissions.reminders) email the same items.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fedwork.models import Federation, Role, User

from .models import ReportingSchedule, Submission, SubmissionStatus
from .periods import Period, periods_of

DUE_SOON_DAYS = 3
REVIEWERS = (Role.LEADER, Role.ADMIN)


class Kind:
    """The sorts of item, in the order the list shows them."""

    OVERDUE = "overdue"
    DUE = "due"
    RETURNED = "returned"
    REVIEW = "review"
    CHILD_OVERDUE = "child_overdue"
    ACTIVITY_OVERDUE = "activity_overdue"
    LAGGING = "lagging"

    ORDER = [OVERDUE, DUE, RETURNED, REVIEW, CHILD_OVERDUE, ACTIVITY_OVERDUE, LAGGING]
    LABELS = {
        OVERDUE: gettext_lazy("逾期未报"),
        DUE: gettext_lazy("即将到期"),
        RETURNED: gettext_lazy("退回待改"),
        REVIEW: gettext_lazy("待审核"),
        CHILD_OVERDUE: gettext_lazy("下级逾期未报"),
        ACTIVITY_OVERDUE: gettext_lazy("活动逾期未办结"),
        LAGGING: gettext_lazy("进度滞后"),
    }
    CSS = {
        OVERDUE: "danger",
        DUE: "warning",
        RETURNED: "danger",
        REVIEW: "primary",
        CHILD_OVERDUE: "danger",
        ACTIVITY_OVERDUE: "secondary",
        LAGGING: "warning",
    }
    # What makes a reminder email worth sending: a deadline within three days or passed. A report
    # waiting for review or a lagging target is listed in a digest, but sends none by itself.
    URGENT = {OVERDUE, DUE, RETURNED, CHILD_OVERDUE, ACTIVITY_OVERDUE}


@dataclass(frozen=True)
class Item:
    """One thing to act on. ``key`` names it stably (the reminders record it per day)."""

    kind: str
    key: str
    text: str
    url: str
    due: date | None = None

    @property
    def label(self) -> str:
        return str(Kind.LABELS[self.kind])

    @property
    def css(self) -> str:
        return Kind.CSS[self.kind]

    @property
    def urgent(self) -> bool:
        return self.kind in Kind.URGENT


@dataclass
class Todo:
    items: list[Item] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def actionable_count(self) -> int:
        """The top bar's count: everything but the lagging targets (which need a roll-up)."""
        return sum(1 for item in self.items if item.kind != Kind.LAGGING)

    @property
    def urgent(self) -> list[Item]:
        return [item for item in self.items if item.urgent]

    def without(self, kind: str) -> Todo:
        """The same list without one kind of item (a page that lists those items itself)."""
        return Todo([item for item in self.items if item.kind != kind])

    def groups(self) -> list[tuple[str, str, list[Item]]]:
        """(label, css, items) per kind, in Kind.ORDER, kinds without items left out."""
        by_kind = defaultdict(list)
        for item in self.items:
            by_kind[item.kind].append(item)
        return [
            (str(Kind.LABELS[kind]), Kind.CSS[kind], by_kind[kind]) for kind in Kind.ORDER if by_kind[kind]
        ]


# --- Periods --------------------------------------------------------------------------------------------


def _due_periods(schedules: dict[int, dict[str, int]], year: int) -> list[tuple[Period, date]]:
    """(period, due date) of the periods a federation reports in the view of ``year``: the year's own,
    and the previous year's that end in December (due in January of ``year``)."""
    periods = []
    for schedule_year, due_days in schedules.items():
        for frequency, due_day in due_days.items():
            for period in periods_of(schedule_year, frequency):
                if schedule_year == year or period.last_day.month == 12:
                    periods.append((period, period.due_date(due_day)))
    return sorted(periods, key=lambda pair: (pair[1], pair[0]))


def _years(year: int) -> list[int]:
    return [year - 1, year]


# From this many overdue reports of one frequency on, the list names the run (1月至10月, 10期) in one
# item: ten lines saying the same thing bury what else there is to do.
OVERDUE_RUN = 3


def _overdue_items(federation: Federation, overdue: list[tuple[Period, date]], url: str) -> list[Item]:
    """One item per overdue report, or one for the whole run when there are OVERDUE_RUN or more.

    ``overdue``: (period, due date) of one frequency, by due date. The run's item is due at the
    earliest date and its key names the first and last periods (the reminders record it per day).
    """
    if len(overdue) < OVERDUE_RUN:
        text = _("%(period)s报表已逾期（截止%(due)s），尚未上报。")
        return [
            Item(
                Kind.OVERDUE, f"overdue:{federation.code}:{_slug(period)}", _fmt(text, period, due), url, due
            )
            for period, due in overdue
        ]
    (first, due), (last, _last_due) = overdue[0], overdue[-1]
    text = _("%(first)s至%(last)s共%(count)s期报表已逾期（最早截止%(due)s），尚未上报。") % {
        "first": first.label,
        "last": last.label,
        "count": len(overdue),
        "due": _day(due),
    }
    key = f"overdue:{federation.code}:{_slug(first)}..{_slug(last)}"
    return [Item(Kind.OVERDUE, key, text, url, due)]


def _own_reports(federation: Federation, year: int, today: date) -> list[Item]:
    """The federation's own reports due soon, overdue, returned or reopened (two queries)."""
    # A federation reports on what the ones above it set, never on its own setting.
    above = federation.path[: -len(federation.code) - 1]
    schedules = ReportingSchedule.objects.due_days_set_along(above, _years(year))
    if not schedules:
        return []
    submissions = {
        s.period: s
        for s in Submission.objects.filter(federation=federation).filter(
            Q(year__in=list(schedules)) | Q(status__in=[SubmissionStatus.RETURNED, SubmissionStatus.REOPENED])
        )
    }
    index_url = reverse("submissions:index")
    items = []
    overdue: dict[str, list[tuple[Period, date]]] = defaultdict(list)
    for period, due in _due_periods(schedules, year):
        if period in submissions or period.last_day >= today:
            continue
        if due < today:
            overdue[period.frequency].append((period, due))
        elif (due - today).days <= DUE_SOON_DAYS:
            text = _("%(period)s报表将于%(due)s截止，请及时上报。")
            items.append(
                Item(
                    Kind.DUE,
                    f"due:{federation.code}:{_slug(period)}",
                    _fmt(text, period, due),
                    index_url,
                    due,
                )
            )
    for runs in overdue.values():
        items.extend(_overdue_items(federation, runs, index_url))
    for submission in sorted(submissions.values(), key=lambda s: (s.due_date, s.period)):
        if submission.status == SubmissionStatus.RETURNED:
            text = _("%(period)s报表被退回：%(reason)s")
        elif submission.status == SubmissionStatus.REOPENED:
            text = _("%(period)s报表已被重新打开：%(reason)s")
        else:
            continue
        items.append(
            Item(
                Kind.RETURNED,
                f"returned:{submission.pk}:v{submission.version}",
                text % {"period": submission.period.label, "reason": submission.review_note},
                submission.get_absolute_url(),
                submission.due_date,
            )
        )
    return items


def _slug(period: Period) -> str:
    return f"{period.year}-{period.frequency}-{period.number}"


def _day(day: date) -> str:
    return _("%(year)d年%(month)d月%(day)d日") % {"year": day.year, "month": day.month, "day": day.day}


def _fmt(template: str, period: Period, due: date) -> str:
    return template % {"period": period.label, "due": _day(due)}


def _children_reports(federation: Federation, year: int, today: date) -> list[Item]:
    """The children's reports waiting for review, and the children overdue past the grace period
    (three queries; the children report on what their parent or the ones above it set)."""
    items = [
        Item(
            Kind.REVIEW,
            f"review:{submission.pk}:v{submission.version}",
            _("%(federation)s%(period)s报表待审核")
            % {"federation": submission.federation.display_name, "period": submission.period.label},
            submission.get_absolute_url(),
            submission.due_date,
        )
        for submission in Submission.objects.filter(
            federation__parent=federation, status=SubmissionStatus.SUBMITTED
        )
        .select_related("federation")
        .order_by("submitted_at", "pk")
    ]
    schedules = ReportingSchedule.objects.due_days_set_along(federation.path, _years(year))
    grace = timedelta(days=settings.FEDWORK_REMINDER_GRACE_DAYS)
    late = [(period, due) for period, due in _due_periods(schedules, year) if due + grace < today]
    if not late:
        return items
    children = list(Federation.objects.children_of(federation).order_by("code"))
    reported = set(
        Submission.objects.filter(federation__parent=federation, year__in=list(schedules))
        .exclude(status=SubmissionStatus.RETURNED)
        .values_list("federation_id", "year", "frequency", "number")
    )
    for period, due in late:
        missing = [
            child
            for child in children
            if (child.pk, period.year, period.frequency, period.number) not in reported
        ]
        if not missing:
            continue
        names = "、".join(child.display_name for child in missing[:5])
        if len(missing) > 5:
            names += _("等%(count)d个单位") % {"count": len(missing)}
        items.append(
            Item(
                Kind.CHILD_OVERDUE,
                f"child_overdue:{federation.code}:{_slug(period)}",
                _("%(period)s报表逾期超过%(days)d天未报：%(names)s")
                % {"period": period.label, "days": grace.days, "names": names},
                reverse(
                    "submissions:completeness",
                    kwargs={"code": federation.code, "frequency": period.frequency, "number": period.number},
                ),
                due,
            )
        )
    return items


# --- Activities -----------------------------------------------------------------------------------------


def _overdue_activities(federation: Federation, today: date) -> list[Item]:
    from activities.models import Activity

    rows = (
        Activity.objects.filter(federation=federation)
        .overdue(today)
        .order_by("planned_last_day", "pk")
        .values_list("pk", "title", "planned_last_day")
    )
    return [
        Item(
            Kind.ACTIVITY_OVERDUE,
            f"activity_overdue:{pk}",
            _("“%(title)s”计划于%(day)s完成，仍未办结") % {"title": title, "day": _day(last_day)},
            reverse("activities:detail", kwargs={"pk": pk}),
            last_day,
        )
        for pk, title, last_day in rows
    ]


# --- Targets --------------------------------------------------------------------------------------------


def lagging(federation: Federation, year: int) -> list[Item]:
    """The federation's targets behind time progress in the year, from one roll-up.

    A target not yet started counts only once the year is further on than the tolerance the roll-up
    allows (``FEDWORK_PROGRESS_TOLERANCE``): on 5 January nothing is lagging yet
    (reports.rollup.reminds_as_lagging).
    """
    from reports.rollup import Status, reminds_as_lagging, rollup

    result = rollup(federation, year)
    tolerance = Decimal(settings.FEDWORK_PROGRESS_TOLERANCE)
    url = reverse("reports:dashboard", kwargs={"code": federation.code})
    items = []
    for progress in result.progress:
        if not reminds_as_lagging(progress, result.expected_share, tolerance):
            continue
        completion = "—" if progress.completion is None else f"{progress.completion:.0f}%"
        items.append(
            Item(
                Kind.LAGGING,
                f"lagging:{progress.target.pk}",
                _("%(indicator)s：完成%(completion)s，时间进度%(expected)s%%（%(status)s）")
                % {
                    "indicator": progress.indicator.name,
                    "completion": completion,
                    "expected": f"{result.expected_percent:.0f}",
                    "status": Status(progress.status).label,
                },
                url,
                progress.target.due_date,
            )
        )
    return items


# --- Per user -------------------------------------------------------------------------------------------


def actionable(user: User, year: int, today: date | None = None) -> list[Item]:
    """What the user must do, without the roll-up: a few queries (two for staff, up to four for leaders
    and administrators)."""
    if not user.is_authenticated or not user.is_active or not user.federation_id:
        return []
    today = today or timezone.localdate()
    federation = user.federation
    if user.role == Role.STAFF:
        return _own_reports(federation, year, today) + _overdue_activities(federation, today)
    if user.role in REVIEWERS:
        return _children_reports(federation, year, today)
    return []


def todo_for(user: User, year: int, today: date | None = None, with_lagging: bool = True) -> Todo:
    """The user's 待办 for the home page and the reminders: :func:`actionable`, and the federation's
    lagging targets (one roll-up)."""
    items = actionable(user, year, today)
    if with_lagging and user.is_authenticated and user.is_active and user.federation_id:
        items += lagging(user.federation, year)
    return Todo(items)


REQUEST_CACHE = "_fedwork_todo_count"
# The top bar's count, kept in the session for COUNT_SECONDS: [user pk, year, today, count, until
# (epoch seconds)].
# Every page shows it, and computing it costs two to four queries (more than the rest of a small
# page); kept in the session rather than in a per-process cache so that forget_count, called on each
# of the user's own writes (fedwork.middleware.TodoCountMiddleware), reaches every worker at once.
# What others do (a child submits, a report is returned) shows within COUNT_SECONDS, and at once
# on the home page, which always computes the list afresh.
SESSION_COUNT = "fedwork_todo_count"
COUNT_SECONDS = 60


def todo_for_request(request, year: int) -> Todo:
    """The home page's 待办; the top bar's count on the same page reuses it."""
    result = todo_for(request.user, year)
    _remember(request, year, result.actionable_count)
    return result


def count_for_request(request, year: int) -> int:
    """The top bar's count: the actionable items (no roll-up), computed at most once per request and
    once per COUNT_SECONDS per session (then no query at all), afresh after the user's own writes."""
    if not hasattr(request, REQUEST_CACHE):
        session = getattr(request, "session", None)
        kept = session.get(SESSION_COUNT) if session is not None else None
        if (
            isinstance(kept, list)
            and len(kept) == 5
            and kept[:3] == _count_key(request, year)
            and 0 <= kept[4] - time.time() <= COUNT_SECONDS
        ):
            setattr(request, REQUEST_CACHE, kept[3])
        else:
            _remember(request, year, len(actionable(request.user, year)))
    return getattr(request, REQUEST_CACHE)


def forget_count(request) -> None:
    """Drop the session's count (the user is writing something: the next page counts afresh)."""
    session = getattr(request, "session", None)
    if session is not None and SESSION_COUNT in session:
        del session[SESSION_COUNT]


def _remember(request, year: int, count: int) -> None:
    setattr(request, REQUEST_CACHE, count)
    session = getattr(request, "session", None)
    if session is not None and request.user.is_authenticated:
        session[SESSION_COUNT] = [*_count_key(request, year), count, time.time() + COUNT_SECONDS]


def _count_key(request, year: int) -> list:
    return [request.user.pk, year, timezone.localdate().isoformat()]
