"""The burden ledger (基层负担台账): for a federation and each month of a year, how many reports the
upper federations asked of it, how many figures it entered, how many figures its reports carried, and
how many of those repeated what it had already reported for a shorter period.

Figures are entered once, with the activities; reports are snapshots of them (submissions.services),
so nothing here is typed twice. What the ledger shows upper leaders is the asking: reports due per
month and by whom, and the overlap of reports of different lengths (a quarterly report repeating
three monthly ones) — the burden the 2024 rules and 国办函〔2026〕12号 ask upper federations to watch.
"""

from dataclasses import dataclass, field

from activities.models import Activity, Figure
from activities.totals import activity_month
from fedwork.models import Federation

from .models import ReportingSchedule, Submission
from .periods import SPAN, Frequency, periods_of


@dataclass
class BurdenMonth:
    month: int
    reports_due: list[tuple[str, str]] = field(default_factory=list)  # (asking federation, 月报/季报 …)
    figures_entered: int = 0  # figures recorded with the federation's own activities that month
    figures_reported: int = 0  # figures carried by its reports whose period ends that month
    figures_repeated: int = 0  # of those, already reported in a shorter period's report

    @property
    def reports_count(self) -> int:
        return len(self.reports_due)


def burden(federation: Federation, year: int) -> list[BurdenMonth]:
    """Twelve BurdenMonth rows for the federation and year (a few queries, whatever the year holds)."""
    months = [BurdenMonth(month) for month in range(1, 13)]
    for schedule in ReportingSchedule.objects.effective_for(federation, year).select_related("federation"):
        label = str(Frequency(schedule.frequency).label)
        for period in periods_of(year, schedule.frequency):
            due = period.due_date(schedule.due_day)
            if due.year == year:
                months[due.month - 1].reports_due.append((schedule.federation.display_name, label))
    activities = {
        activity.pk: activity_month(activity)
        for activity in Activity.objects.counted()
        .filter(federation=federation, year=year)
        .only("pk", "year", "calendar_day", "planned_month", "actual_start", "planned_start")
    }
    for activity_id in Figure.objects.filter(activity_id__in=list(activities)).values_list(
        "activity_id", flat=True
    ):
        month = activities.get(activity_id)
        if month:
            months[month - 1].figures_entered += 1
    submissions = list(Submission.objects.filter(federation=federation, year=year))
    reported: dict[tuple[int, str], int] = {}  # (month, indicator) → the shortest span that reported it
    for submission in sorted(submissions, key=lambda s: SPAN[s.frequency]):
        period = submission.period
        row = months[period.months.stop - 2]
        for indicator in submission.figures:
            row.figures_reported += 1
            if any(
                reported.get((month, indicator), 99) < SPAN[submission.frequency] for month in period.months
            ):
                row.figures_repeated += 1
        for month in period.months:
            for indicator in submission.figures:
                reported.setdefault((month, indicator), SPAN[submission.frequency])
    return months
