"""Completeness arithmetic (issue #15) on random trees against a naive count."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from fedwork.models import Federation, Level, Role
from submissions import services
from submissions.models import ReportingSchedule, Submission, SubmissionStatus
from submissions.periods import Period
from tests import factories

BEIJING = ZoneInfo("Asia/Shanghai")
PERIOD = Period(2013, "month", 5)
DUE = date(2013, 6, 5)
STATES = [None, *SubmissionStatus.values]


class CompletenessTest(TestCase):
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        children=st.lists(
            st.tuples(
                st.sampled_from(STATES), st.integers(-5, 5)
            ),  # status (None: not reported), days after due
            min_size=0,
            max_size=12,
        ),
        grandchildren=st.integers(0, 3),
    )
    def test_counts_match_a_naive_count(self, children, grandchildren):
        root = factories.federation("00", "全国妇联", Level.NATIONAL)
        city = factories.federation("4301", "长沙市妇联", Level.CITY, root)
        staff = factories.user("reporter", city, Role.STAFF)
        ReportingSchedule.objects.create(federation=city, year=2013, frequency="month", due_day=5)
        for number, (state, days) in enumerate(children):
            child = factories.federation(f"4301{number:02d}", f"县{number}", Level.COUNTY, city)
            for below in range(grandchildren):  # noise: reports one level down are not the city's
                grandchild = factories.federation(f"4301{number:02d}{below:03d}", "镇", Level.TOWNSHIP, child)
                self._report(grandchild, SubmissionStatus.APPROVED, 0, staff)
            if state is not None:
                self._report(child, state, days, staff)

        result = services.completeness(city, PERIOD)

        naive = {"expected": 0, "submitted": 0, "on_time": 0, "approved": 0, "returned": 0, "missing": 0}
        for state, days in children:
            naive["expected"] += 1
            standing = state in (
                SubmissionStatus.SUBMITTED,
                SubmissionStatus.APPROVED,
                SubmissionStatus.REOPENED,
            )
            naive["submitted"] += standing
            naive["on_time"] += standing and days <= 0
            naive["approved"] += state == SubmissionStatus.APPROVED
            naive["returned"] += state == SubmissionStatus.RETURNED
            naive["missing"] += state in (None, SubmissionStatus.RETURNED)
        got = {
            "expected": result.expected,
            "submitted": result.submitted,
            "on_time": result.on_time,
            "approved": result.approved,
            "returned": result.returned,
            "missing": len(result.missing),
        }
        assert got == naive
        assert result.on_time <= result.submitted <= result.expected
        if result.expected:
            assert abs(float(result.rate) - 100 * result.submitted / result.expected) <= 0.05

    def _report(self, federation: Federation, state: str, days_after_due: int, by) -> None:
        at = datetime.combine(DUE, datetime.min.time(), tzinfo=BEIJING) + timedelta(
            days=days_after_due, hours=12
        )
        Submission.objects.create(
            federation=federation,
            year=2013,
            frequency="month",
            number=5,
            status=state,
            review_note="原因" if state == SubmissionStatus.RETURNED else "",
            due_date=DUE,
            first_submitted_at=at,
            submitted_at=at,
            submitted_by=by,
        )
