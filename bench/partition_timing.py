"""Time the roll-up and a leader's dashboard on a kept bench database, to compare year-partitioned
tables with plain ones on the same data (docs/scaling.md, "Year partitions"):

    DATABASE_URL=postgres://…/partitions_province python manage.py shell -c \\
        "from bench.partition_timing import main; main(runs=7)"
    python manage.py migrate activities 0015    # plain tables (migration 0016 reversed)
    … the same command again …
    python manage.py migrate activities         # partitioned again

Prints, per level of bench.SAMPLE, the median and the spread of ``runs`` timed calls after one
warm-up: the roll-up (reports.rollup, the dashboard's one read of totals) and the dashboard page
through Django's whole stack (test client, a leader of that federation). Wall time on whatever the
machine is doing: compare runs taken in the same conditions only.
"""

import statistics
import time

from django.db import connection
from django.test import Client
from django.urls import reverse

from activities.partitions import is_partitioned
from bench import LEVELS, SAMPLE
from fedwork.models import Federation, Role, User
from plans.models import Plan
from reports.rollup import rollup


def _median_ms(fn, runs: int) -> tuple[float, float, float]:
    fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), min(samples), max(samples)


def main(runs: int = 7) -> None:
    year = Plan.objects.order_by("-year").values_list("year", flat=True).first()
    codes = {level: getattr(SAMPLE, level, None) for level in LEVELS}
    township = Federation.objects.filter(parent__code=SAMPLE.county).order_by("code").first()
    codes["township"] = township.code
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"partitioned: {is_partitioned()}, year {year}, {runs} runs each (median, min–max ms)")
    for level in LEVELS:
        federation = Federation.objects.get(code=codes[level])
        leader, _ = User.objects.get_or_create(
            username=f"timing-{federation.code}", defaults={"federation": federation, "role": Role.LEADER}
        )
        client = Client()
        client.force_login(leader)
        url = reverse("reports:dashboard", kwargs={"code": federation.code})

        def page(client=client, url=url):
            assert client.get(url).status_code == 200

        roll = _median_ms(lambda federation=federation: rollup(federation, year), runs)
        dash = _median_ms(page, runs)
        print(
            f"{level:<9} rollup {roll[0]:8.1f} ({roll[1]:.1f}–{roll[2]:.1f})   "
            f"dashboard {dash[0]:8.1f} ({dash[1]:.1f}–{dash[2]:.1f})"
        )
