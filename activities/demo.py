"""A year of demo activities with figures across the demo hierarchy, for calendars and dashboards."""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from fedwork.models import Federation, Level, User
from plans.demo import DEMO_YEAR
from plans.models import Indicator, Target

from . import totals
from .models import Activity, ActivityStatus, ActivityType, Figure

# (type, title pattern, {indicator code: (low, high)})
TEMPLATES = [
    ("培训", "{place}妇女创业就业技能培训班", {"PX01": (1, 1), "PX02": (10, 50)}),
    ("培训", "{place}巾帼扶贫骨干培训", {"PX01": (1, 1), "PX02": (5, 30)}),
    ("评选表彰", "岗位明星、技术女能手评选", {"JY04": (1, 6)}),
    ("培训", "基层妇联干部业务培训", {"PX01": (1, 1), "PX03": (20, 60), "PX04": (25, 60)}),
    ("招聘会", "{place}妇女专场招聘会", {"JY01": (1, 1), "JY02": (10, 60)}),
    ("义诊/健康", "{place}“两癌”免费检查", {"JK01": (100, 600)}),
    ("宣传", "“三八”维权周普法宣传", {"WQ01": (1, 3), "WQ02": (200, 1500)}),
    ("走访慰问", "走访慰问困难妇女儿童", {"BF01": (5, 40), "BF02": (Decimal("0.50"), Decimal("6.00"))}),
    ("志愿服务", "巾帼志愿服务进社区", {"ZY02": (1, 2), "ZY01": (10, 50)}),
    ("会议", "家庭教育工作推进会", {"JJ01": (1, 1)}),
    ("宣传", "妇联工作信息报送", {"XC02": (2, 5), "XC01": (0, 2)}),
    ("评选表彰", "“最美家庭”评选表彰", {"WM01": (5, 20)}),
    ("调研督导", "信访维权工作督导", {"XF01": (5, 30), "XF02": (4, 30)}),
]
PER_FEDERATION = 20


def seed() -> None:
    if Activity.objects.filter(year=DEMO_YEAR).exists():
        return
    rng = random.Random(2013)
    types = {t.name: t for t in ActivityType.objects.ensure_defaults()}
    indicators = {i.code: i for i in Indicator.objects.all()}
    users = {u.federation_id: u for u in User.objects.filter(role="staff")}
    federations = list(
        Federation.objects.filter(code__in=["43", "4301", "370102"])
        | Federation.objects.filter(parent__code="4301", level=Level.COUNTY)
        | Federation.objects.filter(parent__code__in=["430102", "430104"])
    )
    activities, figures = [], []
    for federation in federations:
        count = PER_FEDERATION if federation.level != Level.TOWNSHIP else 4
        for _ in range(count):
            type_name, pattern, ranges = rng.choice(TEMPLATES)
            day = date(DEMO_YEAR, 1, 1) + timedelta(days=rng.randrange(365))
            roll = rng.random()
            status = (
                ActivityStatus.CANCELLED
                if roll < 0.05
                else (ActivityStatus.PLANNED if roll < 0.12 else ActivityStatus.DONE)
            )
            start = timezone.make_aware(datetime.combine(day, time(rng.choice([9, 10, 14, 15]))))
            activity = Activity(
                federation=federation,
                year=DEMO_YEAR,
                type=types[type_name],
                title=pattern.format(place=federation.display_name.removesuffix("妇联")),
                planned_start=day,
                place=f"{federation.display_name.removesuffix('妇联')}妇女儿童之家",
                status=status,
                actual_start=start if status == ActivityStatus.DONE else None,
                created_by=users.get(federation.pk),
                updated_by=users.get(federation.pk),
                is_main=federation.code == "43",
            )
            activity.calendar_day = activity.compute_calendar_day()
            activity.planned_last_day = activity.compute_planned_last_day()
            activities.append((activity, ranges if status == ActivityStatus.DONE else {}))
    # Planned activities of the demo year lie in the past: they are the overdue ones the calendar shows.
    Activity.objects.bulk_create([a for a, _r in activities])
    for activity, ranges in activities:
        for code, (low, high) in ranges.items():
            if code not in indicators:
                continue
            value = (
                (Decimal(rng.randint(int(low * 100), int(high * 100))) / 100).quantize(Decimal("0.01"))
                if isinstance(low, Decimal)
                else Decimal(rng.randint(low, high))
            )
            figures.append(
                Figure(activity=activity, indicator=indicators[code], value=value, year=activity.year)
            )
    _keep_parts_below_wholes(figures)
    Figure.objects.bulk_create(figures)
    totals.rebuild(year=DEMO_YEAR)
    _mark_milestones(rng)


def _mark_milestones(rng: random.Random) -> None:
    """Hunan's milestone targets (if any) are met by one of its meetings."""
    for target in Target.objects.filter(
        plan__federation__code="43", plan__year=DEMO_YEAR, indicator__kind="milestone"
    ):
        meeting = Activity.objects.filter(federation__code="43", status=ActivityStatus.DONE).first()
        if meeting:
            meeting.achieves.add(target)


# A rate's numerator cannot exceed its denominator: cases closed ≤ cases handled, trained ≤ to be trained.
PARTS_OF = {"XF02": "XF01", "PX03": "PX04"}


def _keep_parts_below_wholes(figures: list[Figure]) -> None:
    by_activity: dict = {}
    for figure in figures:
        by_activity.setdefault(id(figure.activity), {})[figure.indicator.code] = figure
    for values in by_activity.values():
        for part, whole in PARTS_OF.items():
            if part in values and whole in values and values[part].value > values[whole].value:
                values[part].value = values[whole].value
