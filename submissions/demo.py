"""Demo reports for 2013: 长沙市 asks its counties (and their townships) for monthly reports, 湖南省 asks
its cities for quarterly ones; a mix of approved, returned, waiting, late and missing reports.

Built through submissions.services like every other write; only the submission times are set back
to 2013 afterwards, since a demo built today would otherwise show every report as late.
"""

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from fedwork.models import Federation, Role, User
from plans.models import Indicator

from . import services
from .models import Submission, ValidationRule
from .periods import Frequency, Period

YEAR = 2013
BEIJING = ZoneInfo("Asia/Shanghai")
# 芙蓉区 (whose staff the browser journeys follow): January and February approved, March returned,
# April waiting for review, May on not reported, so its spring activities stay editable.
FURONG_PLAN = {1: "approved", 2: "approved", 3: "returned", 4: "submitted"}


def _submit(federation, period, by, *, days_after_due: int, then: str, reviewer) -> None:
    submission = services.submission_submit(federation=federation, period=period, by=by, note="")
    at = datetime.combine(submission.due_date, datetime.min.time(), tzinfo=BEIJING) + timedelta(
        days=days_after_due, hours=10
    )
    Submission.objects.filter(pk=submission.pk).update(first_submitted_at=at, submitted_at=at)
    if then == "approved":
        services.submission_approve(submission=submission, by=reviewer)
    elif then == "returned":
        services.submission_return(
            submission=submission, by=reviewer, reason="部分数据与台账不符，请核对后重新上报。"
        )


def seed() -> None:
    changsha = Federation.objects.filter(code="4301").first()
    hunan = Federation.objects.filter(code="43").first()
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    if changsha is None or hunan is None or admin is None or Submission.objects.filter(year=YEAR).exists():
        return
    hunan_staff = User.objects.filter(federation=hunan, role=Role.STAFF).first() or admin
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=["XF01", "XF02", "PX03", "PX04"])}
    for left, right in [("XF02", "XF01"), ("PX03", "PX04")]:  # 办结 ≤ 受理, 已训 ≤ 应训
        if left in indicators and right in indicators:
            ValidationRule.objects.get_or_create(
                federation=hunan, left=indicators[left], right=indicators[right], defaults={"operator": "<="}
            )
    services.schedule_set(
        federation=hunan, year=YEAR, frequency=Frequency.QUARTER, due_day=10, by=hunan_staff
    )
    services.schedule_set(federation=changsha, year=YEAR, frequency=Frequency.MONTH, due_day=5, by=admin)
    # This year too, so that the 报送 pages of the current year show periods not yet due beside overdue ones.
    services.schedule_set(
        federation=changsha, year=timezone.localdate().year, frequency=Frequency.MONTH, due_day=5, by=admin
    )
    changsha_leader = User.objects.filter(federation=changsha, role=Role.LEADER).first() or admin
    hunan_leader = User.objects.filter(federation=hunan, role=Role.LEADER).first() or admin
    rng = random.Random(2013)

    for number, then in [(1, "approved"), (2, "submitted")]:
        _submit(
            changsha,
            Period(YEAR, Frequency.QUARTER, number),
            admin,
            days_after_due=-2,
            then=then,
            reviewer=hunan_leader,
        )

    for county in Federation.objects.children_of(changsha).order_by("code"):
        staff = User.objects.filter(federation=county, role=Role.STAFF).first() or admin
        if county.code == "430102":
            plan = FURONG_PLAN
        else:
            # Most counties report the first half year; one in four lags a month or two behind.
            last = rng.choice([6, 6, 6, 5, 4])
            plan = {month: "approved" for month in range(1, last - 1)}
            plan.update({last - 1: rng.choice(["approved", "returned"]), last: "submitted"})
        for month, then in sorted(plan.items()):
            _submit(
                county,
                Period(YEAR, Frequency.MONTH, month),
                staff,
                days_after_due=rng.choice([-3, -1, 0, 0, 2, 6]),
                then=then,
                reviewer=changsha_leader,
            )

    furong = Federation.objects.filter(code="430102").first()
    for township in Federation.objects.children_of(furong).order_by("code") if furong else []:
        for month in range(1, rng.choice([2, 3, 4])):
            _submit(
                township,
                Period(YEAR, Frequency.MONTH, month),
                admin,
                days_after_due=rng.choice([-2, 0, 3]),
                then=rng.choice(["approved", "submitted"]),
                reviewer=admin,
            )
