"""Concurrent writers never lose an update in the roll-up totals, nor miscount a child reaching an
indicator (activities.Reach) (PostgreSQL only)."""

import multiprocessing
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections

from activities import services, totals
from activities.models import Activity, ActivityType, FigureTotal
from fedwork.models import Federation, Level
from plans.models import Indicator

PROCESSES = 8
FIGURES_PER_PROCESS = 500
FIGURES_PER_ACTIVITY = 4
BEIJING = ZoneInfo("Asia/Shanghai")

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's concurrency")


def _writer(worker: int, village_ids: list[int], indicator_ids: list[int], errors) -> None:
    connections.close_all()  # a forked process must open its own connection
    try:
        kind = ActivityType.objects.first()
        indicators = list(Indicator.objects.filter(pk__in=indicator_ids).order_by("pk"))
        for n in range(FIGURES_PER_PROCESS // FIGURES_PER_ACTIVITY):
            activity = Activity(
                federation_id=village_ids[(worker + n) % len(village_ids)],
                year=2013,
                type=kind,
                title=f"并发{worker}-{n}",
                status="done",
                actual_start=datetime(2013, 1 + n % 12, 1 + worker, 9, tzinfo=BEIJING),
            )
            services.activity_save(activity=activity, figures={i: Decimal(1) for i in indicators}, by=None)
    except Exception as error:  # reported to the parent, which fails the test
        errors.put(f"{worker}: {error!r}")
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_eight_writers_under_one_township_lose_nothing(tree):
    township = tree["dingwangtai"]
    villages = [
        Federation.objects.create(
            code=f"430102001{n:03d}", name=f"村{n}", level=Level.VILLAGE, parent=township
        )
        for n in range(4)
    ]
    indicators = [
        Indicator.objects.create(code=f"C{n}", name=f"指标{n}", unit="人", owner=tree["nation"])
        for n in range(FIGURES_PER_ACTIVITY)
    ]
    connections.close_all()
    context = multiprocessing.get_context("fork")
    errors = context.Queue()
    workers = [
        context.Process(
            target=_writer, args=(w, [v.pk for v in villages], [i.pk for i in indicators], errors)
        )
        for w in range(PROCESSES)
    ]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=300)
    reported = []
    while not errors.empty():
        reported.append(errors.get())
    assert reported == []
    assert all(process.exitcode == 0 for process in workers)
    per_indicator = PROCESSES * FIGURES_PER_PROCESS // FIGURES_PER_ACTIVITY
    for place in ["dingwangtai", "furong", "changsha", "hunan", "nation"]:
        for indicator in indicators:
            rows = FigureTotal.objects.filter(federation=tree[place], indicator=indicator, year=2013)
            assert sum(r.value for r in rows) == per_indicator, (place, indicator.code)
    assert Activity.objects.count() == per_indicator
    assert totals.differences() == []
    # Writers of different months of one village raced to be its first month (activities.Reach).
    assert totals.reach_differences() == []
