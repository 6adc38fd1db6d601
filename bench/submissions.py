"""Generating the bench's periodic reports (定期报送): the nation's monthly schedule for the year (due on
the 5th of the next month) and the submissions of the provinces, cities, counties and townships for
every month that has ended, in realistic shares: for month 1, 70 % submitted (half of them approved,
a tenth returned, the rest waiting for review); for the later months 85 % submitted, mostly approved.

Like the rest of generate.py's data, these are generated rows written in bulk (COPY on PostgreSQL,
executemany on SQLite), not through ``submissions.services``: a national run holds some 350,000
submissions. Their ``figures`` are a plausible snapshot (a few indicators with values), not the sum of
the federation's generated activities; completeness reads the rows, never the figures' meaning.

The sampled county, its sampled township and village get none: the write path, the import and the
HTTP load write activities there, and an approved report would lock their months; the submit
measurement reports the sampled township's month itself (measure.measure_submissions).
"""

from __future__ import annotations

import calendar
import json
import random
from datetime import date, datetime, timedelta

from django.utils import timezone

from fedwork.models import Federation, Role, User
from submissions.models import ReportingSchedule, Submission, SubmissionEvent, SubmissionStatus
from submissions.periods import Frequency, Period
from submissions.services import schedule_set

from .generate import CHUNK, Tree, _copy, _next_id, _reset_sequence, is_postgres, say

DUE_DAY = 5
# Depths that report (省 1 … 乡镇 4); villages record activities but the bench gives them no reports.
REPORTING_DEPTHS = (1, 2, 3, 4)
# month 1: (submitted share, approved share of those, returned share of those); later months below.
FIRST_MONTH_SHARES = (0.70, 0.50, 0.10)
LATER_MONTH_SHARES = (0.85, 0.80, 0.05)
ON_TIME_SHARE = 0.8
SUBMITTER = "bench-nation-staff"
SUBMISSION_COLUMNS = [
    "id",
    "federation_id",
    "year",
    "frequency",
    "number",
    "status",
    "note",
    "figures",
    "activity_count",
    "due_date",
    "first_submitted_at",
    "submitted_at",
    "submitted_by_id",
    "reviewed_at",
    "reviewed_by_id",
    "review_note",
    # The generated reports' made-up figures stay out of the approved totals (ApprovedTotal): they are
    # not the activities' sums, and the bench measures completeness and submitting, not that view.
    "counted",
    "version",
]
EVENT_COLUMNS = ["id", "submission_id", "action", "by_id", "at", "note"]
RETURN_REASON = "数据与活动记录不一致，请核对后重新上报"


def ended_months(year: int, today: date) -> list[int]:
    """The months of the year whose last day is before today (a report can be submitted for them)."""
    return [m for m in range(1, 13) if date(year, m, calendar.monthrange(year, m)[1]) < today]


def _user(username: str, federation_id: int, role: str) -> User:
    user = User.objects.filter(username=username).first() or User(username=username)
    if not user.pk:
        user.set_unusable_password()
    user.federation_id, user.role = federation_id, role
    user.save()
    return user


def generate_submissions(
    tree: Tree, year: int, rng: random.Random, skip: set[int], indicator_ids: list[int], out
) -> dict:
    """The nation's schedule and the reports; returns counts for the results."""
    nation_id = tree.at_depth[0][0]
    staff = _user(SUBMITTER, nation_id, Role.STAFF)
    # The nation sets its monthly schedule through the service, as its staff would on the page.
    schedule_set(
        federation=Federation.objects.get(pk=nation_id),
        year=year,
        frequency=Frequency.MONTH,
        due_day=DUE_DAY,
        by=staff,
    )
    months = ended_months(year, timezone.localdate())
    reporters = [pk for depth in REPORTING_DEPTHS for pk in tree.at_depth.get(depth, []) if pk not in skip]
    pg = is_postgres()

    def moment(day: date, hour: int, minute: int) -> str:
        return datetime.combine(day, datetime.min.time()).replace(hour=hour, minute=minute).strftime(
            "%Y-%m-%d %H:%M:%S"
        ) + ("+00" if pg else "")

    submission_table, event_table = Submission._meta.db_table, SubmissionEvent._meta.db_table
    assert set(SUBMISSION_COLUMNS) == {f.column for f in Submission._meta.concrete_fields}, "columns"
    assert set(EVENT_COLUMNS) == {f.column for f in SubmissionEvent._meta.concrete_fields}, "columns"
    submission_id, event_id = _next_id(submission_table), _next_id(event_table)
    counts = {status.value: 0 for status in SubmissionStatus}
    submissions, events = [], []

    def flush():
        _copy(submission_table, SUBMISSION_COLUMNS, submissions)
        _copy(event_table, EVENT_COLUMNS, events)
        submissions.clear()
        events.clear()

    for month in months:
        period = Period(year, Frequency.MONTH, month)
        due = period.due_date(DUE_DAY)
        opened = period.last_day + timedelta(days=1)
        share, approved_share, returned_share = FIRST_MONTH_SHARES if month == 1 else LATER_MONTH_SHARES
        for federation_id in reporters:
            if rng.random() >= share:
                continue
            late = rng.random() >= ON_TIME_SHARE
            day = (
                due + timedelta(days=rng.randint(1, 10))
                if late
                else opened + timedelta(days=rng.randint(0, (due - opened).days))
            )
            submitted_at = moment(day, rng.randint(0, 9), rng.randint(0, 59))
            draw = rng.random()
            if draw < approved_share:
                status, action, note = SubmissionStatus.APPROVED, SubmissionEvent.Action.APPROVED, ""
            elif draw < approved_share + returned_share:
                status, action = SubmissionStatus.RETURNED, SubmissionEvent.Action.RETURNED
                note = RETURN_REASON
            else:
                status, action, note = SubmissionStatus.SUBMITTED, None, ""
            reviewed_at = moment(day + timedelta(days=rng.randint(1, 5)), 3, 0) if action else None
            chosen = sorted(rng.sample(indicator_ids, rng.randint(3, 12)))
            figures = {str(pk): str(rng.randint(1, 500)) for pk in chosen}
            submissions.append(
                (
                    submission_id,
                    federation_id,
                    year,
                    Frequency.MONTH.value,
                    month,
                    status.value,
                    "",
                    json.dumps(figures),
                    rng.randint(1, 40),
                    due.isoformat(),
                    submitted_at,
                    submitted_at,
                    staff.pk,
                    reviewed_at,
                    staff.pk if action else None,
                    note,
                    False,
                    2 if action else 1,
                )
            )
            submitted = SubmissionEvent.Action.SUBMITTED.value
            events.append((event_id, submission_id, submitted, staff.pk, submitted_at, ""))
            event_id += 1
            if action:
                events.append((event_id, submission_id, action.value, staff.pk, reviewed_at, note))
                event_id += 1
            counts[status.value] += 1
            submission_id += 1
            if len(submissions) >= CHUNK:
                flush()
    flush()
    _reset_sequence(submission_table)
    _reset_sequence(event_table)
    total = sum(counts.values())
    say(
        out,
        f"submissions: a monthly schedule (due day {DUE_DAY}) and {total:,} reports of {len(reporters):,} "
        f"federations for {len(months)} ended months ({counts['approved']:,} approved, "
        f"{counts['returned']:,} returned)\n",
    )
    return {
        "schedules": ReportingSchedule.objects.filter(year=year).count(),
        "submissions": total,
        "months": len(months),
        "reporting_federations": len(reporters),
        "by_status": counts,
    }
