"""Writing periodic reports: schedules, submitting (上报), reviewing (审核通过 / 退回), reopening, and the
lock an approved report puts on its months (checked by activities.services on every write).

State machine (the only legal transitions; anything else raises ValidationError):

    (none) ──submit──▶ submitted ──approve──▶ approved ──reopen(reason)──▶ reopened
                          │  ▲                                              │
                  return(reason)  └──────────── submit ◀── returned ◀───────┘ (submit)
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fedwork import access
from fedwork.models import Federation, User

from . import checks, notifications
from .models import ReportingSchedule, Submission, SubmissionEvent, SubmissionStatus, path_prefixes
from .periods import Period

LOCKED_MESSAGE = gettext_lazy(
    "%(period)s的报表已审核通过并锁定，不能新增、修改或删除该期的活动和数据；如需更正，请上级审核人重新打开。"
)


# --- Schedules ---------------------------------------------------------------------------------------


@transaction.atomic
def schedule_set(
    *, federation: Federation, year: int, frequency: str, due_day: int, by: User
) -> ReportingSchedule:
    """Set (or change the due day of) one reporting period for everything below ``federation``."""
    if not access.may_set_schedule(by, federation):
        raise ValidationError(_("只有本级填报员或管理员可以设置报送周期。"))
    if not 1 <= due_day <= 31:
        raise ValidationError(_("截止日应在 1 到 31 之间（超过当月天数的按月底计）。"))
    schedule, _created = ReportingSchedule.objects.update_or_create(
        federation=federation, year=year, frequency=frequency, defaults={"due_day": due_day}
    )
    return schedule


@transaction.atomic
def schedule_remove(*, schedule: ReportingSchedule, by: User) -> None:
    if not access.may_set_schedule(by, schedule.federation):
        raise ValidationError(_("只有本级填报员或管理员可以设置报送周期。"))
    schedule.delete()


def children_schedules(federation: Federation, year: int) -> list[ReportingSchedule]:
    """The schedules a federation's direct children report on: the one it set itself, else the one it
    inherits from above (the nearest upper setting wins); in ReportingSchedule's order.

    One query: every schedule set along the federation's path for the year, the nearest setter's kept
    (this is ``ReportingSchedule.objects.effective_for`` of any child, read without a child at hand).
    """
    along = list(
        ReportingSchedule.objects.filter(
            federation__path__in=path_prefixes(federation.path), year=year
        ).annotate(setter_depth=F("federation__depth"))
    )
    nearest = max((schedule.setter_depth for schedule in along), default=None)
    return [schedule for schedule in along if schedule.setter_depth == nearest]


def due_date(federation: Federation, period: Period) -> date | None:
    """When a federation's report for the period is due, or None when no upper federation asks for it."""
    schedule = (
        ReportingSchedule.objects.effective_for(federation, period.year)
        .filter(frequency=period.frequency)
        .first()
    )
    return period.due_date(schedule.due_day) if schedule else None


# --- Snapshots and locks ----------------------------------------------------------------------------


def snapshot(federation: Federation, period: Period) -> tuple[dict[str, str], int]:
    """The figures of the federation's own counted activities in the period, {indicator id: value},
    summed, and how many activities they came from. The month of an activity is the one its totals
    count in (activities.totals.activity_month)."""
    from activities.models import Activity, Figure
    from activities.totals import activity_month

    activities = [
        activity
        for activity in Activity.objects.counted().filter(federation=federation, year=period.year)
        if activity_month(activity) in period.months
    ]
    sums: dict[str, Decimal] = {}
    for indicator_id, value in Figure.objects.filter(activity__in=[a.pk for a in activities]).values_list(
        "indicator_id", "value"
    ):
        sums[str(indicator_id)] = sums.get(str(indicator_id), Decimal(0)) + value
    return {key: str(value) for key, value in sorted(sums.items())}, len(activities)


def locked_periods(federation_ids, years) -> dict[tuple[int, int], list[Period]]:
    """{(federation id, year): the periods its approved reports lock} (one query)."""
    locked: dict[tuple[int, int], list[Period]] = {}
    approved = Submission.objects.filter(
        status=SubmissionStatus.APPROVED, federation_id__in=set(federation_ids), year__in=set(years)
    ).only("federation_id", "year", "frequency", "number")
    # The model's default ordering without its last key: federation__path joins the federations, which
    # every write of the one write path would pay for nothing. The order itself matters: of two
    # approved reports covering one month (a monthly and a quarterly), locking_period names the first.
    for submission in approved.order_by("frequency", "number"):
        locked.setdefault((submission.federation_id, submission.year), []).append(submission.period)
    return locked


def locking_period(locked: dict[tuple[int, int], list[Period]], federation_id: int, year: int, month):
    """The period in ``locked`` (see :func:`locked_periods`) that covers this month, or None."""
    return next((p for p in locked.get((federation_id, year), []) if month in p.months), None)


def ensure_unlocked(items) -> None:
    """Raise ValidationError when an approved report covers any of these activity states.

    ``items``: (federation id, year, month) of each activity before and after a write (month None:
    an activity without a date, in no period). One query whatever their number. activities.services
    calls this before every write of activities and figures (form, import, admin, API, command): the
    lock is a rule of the one write path.
    """
    items = {(federation_id, year, month) for federation_id, year, month in items if month}
    if not items:
        return
    locked = locked_periods({item[0] for item in items}, {item[1] for item in items})
    for federation_id, year, month in items:
        period = locking_period(locked, federation_id, year, month)
        if period is not None:
            raise ValidationError(LOCKED_MESSAGE % {"period": period.label})


# --- Transitions ------------------------------------------------------------------------------------


def _record(submission: Submission, action: str, by: User, note: str = "") -> None:
    SubmissionEvent.objects.create(submission=submission, action=action, by=by, note=note[:500])


def _locked_row(submission: Submission) -> Submission:
    return Submission.objects.select_for_update().select_related("federation").get(pk=submission.pk)


@transaction.atomic
def submission_submit(*, federation: Federation, period: Period, by: User, note: str = "") -> Submission:
    """Submit (上报) the federation's report for the period: a snapshot of its own figures.

    A first submission, or a resubmission after it was returned or reopened. Errors (ValidationError):
    not the federation's staff; the period has not ended; no upper federation asks for this period;
    already waiting for review or approved.
    """
    if not access.may_submit(by, federation):
        raise ValidationError(_("只有本级填报员可以上报本单位的报表。"))
    if timezone.localdate() <= period.last_day:
        raise ValidationError(_("%(period)s尚未结束，期满后再上报。") % {"period": period.label})
    due = due_date(federation, period)
    if due is None:
        raise ValidationError(_("上级妇联没有要求报送%(period)s的报表。") % {"period": period.label})
    figures, count = snapshot(federation, period)
    broken = checks.violations(federation, {int(key): Decimal(value) for key, value in figures.items()})
    if broken:
        raise ValidationError(
            [_("报表数据未通过校验，请核对活动数据后再上报：")] + broken  # blocking on submission
        )
    now = timezone.now()
    existing = (
        Submission.objects.select_for_update()
        .filter(federation=federation, year=period.year, frequency=period.frequency, number=period.number)
        .first()
    )
    if existing is None:
        submission = Submission.objects.create(
            federation=federation,
            year=period.year,
            frequency=period.frequency,
            number=period.number,
            status=SubmissionStatus.SUBMITTED,
            note=note,
            figures=figures,
            activity_count=count,
            due_date=due,
            first_submitted_at=now,
            submitted_at=now,
            submitted_by=by,
        )
    else:
        if existing.status in (SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED):
            raise ValidationError(
                _("%(period)s的报表已上报（%(status)s），不能重复上报。")
                % {"period": period.label, "status": existing.get_status_display()}
            )
        submission = existing
        submission.status = SubmissionStatus.SUBMITTED
        submission.note = note
        submission.figures = figures
        submission.activity_count = count
        submission.submitted_at = now
        submission.submitted_by = by
        submission.review_note = ""
        submission.version += 1
        submission.save()
    _record(submission, SubmissionEvent.Action.SUBMITTED, by, note)
    notifications.notify(submission, SubmissionEvent.Action.SUBMITTED, by, note)
    return submission


def _review(
    submission: Submission,
    by: User,
    *,
    action: str,
    note: str,
    reason_required: str | None = None,
) -> Submission:
    """One review transition (SubmissionEvent.Action: approved, returned or reopened), for the direct
    upper federation's leaders and admins only, from the one status it leaves (REVIEW_FROM)."""
    note = (note or "").strip()
    if reason_required and not note:
        raise ValidationError(reason_required)
    submission = _locked_row(submission)
    if not access.may_review(by, submission.federation):
        raise ValidationError(_("只有直接上级妇联的领导或管理员可以审核或重新打开。"))
    source, target, refusal = REVIEW_FROM[action]
    if submission.status != source:
        raise ValidationError(refusal)
    submission.status = target
    if action != SubmissionEvent.Action.REOPENED:
        submission.reviewed_at, submission.reviewed_by = timezone.now(), by
    submission.review_note = note[:500]
    if action == SubmissionEvent.Action.APPROVED and _counts_in_approved_totals(submission):
        _add_to_approved_totals(submission, Decimal(1))
        submission.counted = True
    elif action == SubmissionEvent.Action.REOPENED and submission.counted:
        _add_to_approved_totals(submission, Decimal(-1))
        submission.counted = False
    submission.version += 1
    submission.save()
    _record(submission, action, by, note)
    notifications.notify(submission, action, by, note)
    return submission


def _counts_in_approved_totals(submission: Submission) -> bool:
    """Only reports of the finest frequency the federation reports on count (a month and its quarter
    would otherwise both add the same figures)."""
    from .periods import SPAN

    spans = [
        SPAN[frequency]
        for frequency in ReportingSchedule.objects.effective_for(
            submission.federation, submission.year
        ).values_list("frequency", flat=True)
    ]
    return not spans or SPAN[submission.frequency] == min(spans)


def _add_to_approved_totals(submission: Submission, sign: Decimal) -> None:
    """Add (sign 1) or take out (sign -1) a report's snapshot in ApprovedTotal, for its federation and
    every ancestor, in the last month of its period."""
    from activities.totals import increment

    from .models import ApprovedTotal

    federation = submission.federation
    ids = list(
        Federation.objects.filter(code__in=[*federation.ancestor_codes, federation.code]).values_list(
            "pk", flat=True
        )
    )
    month = submission.period.months.stop - 1
    rows = {
        (federation_id, submission.year, month, int(indicator_id)): sign * Decimal(value)
        for federation_id in ids
        for indicator_id, value in submission.figures.items()
    }
    increment(rows, ApprovedTotal)


# action → (the status it leaves, the status it reaches, why any other status is refused)
REVIEW_FROM = {
    SubmissionEvent.Action.APPROVED: (
        SubmissionStatus.SUBMITTED,
        SubmissionStatus.APPROVED,
        gettext_lazy("只有待审核的报表可以审核通过。"),
    ),
    SubmissionEvent.Action.RETURNED: (
        SubmissionStatus.SUBMITTED,
        SubmissionStatus.RETURNED,
        gettext_lazy("只有待审核的报表可以退回。"),
    ),
    SubmissionEvent.Action.REOPENED: (
        SubmissionStatus.APPROVED,
        SubmissionStatus.REOPENED,
        gettext_lazy("只有已通过的报表可以重新打开。"),
    ),
}


@transaction.atomic
def submission_approve(*, submission: Submission, by: User, note: str = "") -> Submission:
    """Approve (审核通过) a submitted report: its months lock for the federation's activities."""
    return _review(submission, by, action=SubmissionEvent.Action.APPROVED, note=note)


@transaction.atomic
def submission_return(*, submission: Submission, by: User, reason: str) -> Submission:
    """Return (退回) a submitted report with a required reason; the submitter corrects and resubmits."""
    return _review(
        submission,
        by,
        action=SubmissionEvent.Action.RETURNED,
        note=reason,
        reason_required=_("退回时必须填写原因。"),
    )


@transaction.atomic
def submission_reopen(*, submission: Submission, by: User, reason: str) -> Submission:
    """Reopen (重新打开) an approved report, with a required reason (audited): the lock lifts until it is
    submitted and approved again."""
    return _review(
        submission,
        by,
        action=SubmissionEvent.Action.REOPENED,
        note=reason,
        reason_required=_("重新打开时必须填写原因。"),
    )


def changes_since(submission: Submission) -> list[tuple[int, Decimal, Decimal]]:
    """(indicator id, submitted value, value now) for every figure that changed since the snapshot."""
    now, _count = snapshot(submission.federation, submission.period)
    keys = sorted(set(now) | set(submission.figures), key=int)
    return [
        (int(key), Decimal(submission.figures.get(key, "0")), Decimal(now.get(key, "0")))
        for key in keys
        if Decimal(submission.figures.get(key, "0")) != Decimal(now.get(key, "0"))
    ]


# --- Completeness and timeliness (上报率 / 及时率) ---------------------------------------------------


# The statuses of a report that stands submitted (a returned one waits for its resubmission).
REPORTED = (SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED, SubmissionStatus.REOPENED)


@dataclass
class ChildStatus:
    federation: Federation
    submission: Submission | None

    @property
    def state(self) -> str:
        return self.submission.status if self.submission else "missing"


@dataclass
class Completeness:
    """For a federation and a period: its direct children expected to report and how they did."""

    federation: Federation
    period: Period
    due: date | None
    rows: list[ChildStatus] = field(default_factory=list)

    @property
    def expected(self) -> int:
        return len(self.rows)

    def _count(self, *statuses) -> int:
        return sum(1 for row in self.rows if row.submission and row.submission.status in statuses)

    @property
    def submitted(self) -> int:
        """Children that have reported (waiting, approved, or reopened after approval)."""
        return self._count(*REPORTED)

    @property
    def on_time(self) -> int:
        """Of the submitted ones, those first submitted by the due date (a returned report is not
        submitted until it comes back, so 按时 ≤ 已报)."""
        reported = (SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED, SubmissionStatus.REOPENED)
        return sum(
            1
            for row in self.rows
            if row.submission and row.submission.status in reported and row.submission.on_time
        )

    @property
    def approved(self) -> int:
        return self._count(SubmissionStatus.APPROVED)

    @property
    def returned(self) -> int:
        return self._count(SubmissionStatus.RETURNED)

    @property
    def missing(self) -> list[Federation]:
        """Children that have not reported (催报 list): nothing submitted, or returned and not resubmitted."""
        return [
            row.federation
            for row in self.rows
            if row.submission is None or row.submission.status == SubmissionStatus.RETURNED
        ]

    @property
    def rate(self) -> Decimal | None:
        """上报率 in percent, one decimal; None without children."""
        return (
            (Decimal(100) * self.submitted / self.expected).quantize(Decimal("0.1"))
            if self.expected
            else None
        )

    @property
    def timely_rate(self) -> Decimal | None:
        """及时率 in percent of the expected reports, one decimal."""
        return (
            (Decimal(100) * self.on_time / self.expected).quantize(Decimal("0.1")) if self.expected else None
        )


def completeness(
    federation: Federation, period: Period, *, schedules: list[ReportingSchedule] | None = None
) -> Completeness:
    """How the federation's direct children reported for the period: two queries whatever their number,
    and two more for the children's due date unless ``schedules`` (``children_schedules`` of the
    federation, already read by the caller) are given."""
    children = list(Federation.objects.children_of(federation).order_by("code"))
    submissions = {
        s.federation_id: s
        for s in Submission.objects.for_period(period).filter(federation__parent=federation)
    }
    if not children:
        child_due = None
    elif schedules is None:
        child_due = due_date(children[0], period)
    else:
        schedule = next((s for s in schedules if s.frequency == period.frequency), None)
        child_due = period.due_date(schedule.due_day) if schedule else None
    return Completeness(
        federation, period, child_due, [ChildStatus(child, submissions.get(child.pk)) for child in children]
    )


def latest_completeness(federation: Federation, year: int, as_of: date) -> Completeness | None:
    """The children's reporting for the most recent period that had ended by ``as_of`` (the finest
    frequency the children report on), for a dashboard; None without children or schedule."""
    from .periods import SPAN, periods_of

    schedules = children_schedules(federation, year)
    if not schedules:
        return None
    finest = min(schedules, key=lambda schedule: SPAN[schedule.frequency])
    ended = [period for period in periods_of(year, finest.frequency) if period.last_day <= as_of]
    if not ended:
        return None
    result = completeness(federation, ended[-1], schedules=schedules)
    return result if result.expected else None
