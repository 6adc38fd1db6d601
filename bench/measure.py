"""The worker: generates the data, then measures, on the bench database it was started on
(``manage.py bench --worker``), phase by phase: the roll-up function, the honest limit (bench/limit.py),
every page at every level and the random counties and townships (bench/pages.py), the write path, the
periodic reports, the largest city's export, HTTP under load (bench/load.py) and the import.

Results go to a JSON file after every phase, so a failure late in a long run keeps what was measured;
``load`` holds the machine's load average (1, 5, 15 min) before and after each phase.
"""

from __future__ import annotations

import gc
import io
import json
import os
import random
import time
import tracemalloc
from collections import defaultdict
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from pathlib import Path

import openpyxl
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.importing import FIXED_COLUMNS, import_activities, template_columns
from activities.models import Activity, ActivityStatus, ActivityType, Figure, FigureTotal
from activities.services import activity_save, enterable_indicators
from activities.totals import Contribution, apply, contribution
from api.reports import rollup_out
from fedwork.models import Federation, Role, User
from plans.models import Indicator, WorkPoint
from reports.rollup import default_as_of, rollup
from submissions.models import ReportingSchedule
from submissions.periods import Frequency, Period
from submissions.services import completeness, submission_submit

from . import COMPLETENESS_LEVELS, GOALS, HEAVY_REPEAT, LEVELS, SAMPLE, SCALES, stats
from .generate import Generated, generate, reuse, say
from .limit import Limit, compare
from .pages import collect_static, fresh_analyze, measure_levels, measure_random

PASSWORD = "bench-Pass-7341"
IMPORTED_TITLE = "导入测试活动"
# The titles of what the bench itself records (the import's rows, the load test's saves; see wrk_mix.lua).
BENCH_TITLES = (IMPORTED_TITLE, "load-")
WRITE_INDICATORS = ["PX02", "JY02", "XC01"]


def _ms(seconds: list[float]) -> dict:
    return stats([s * 1000 for s in seconds])


def _run(fn, repeat: int, warmup: int = 1) -> tuple[list[float], object]:
    result = None
    for _ in range(warmup):
        result = fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - started)
    return samples, result


def _timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def _run_heavy(fn, runs: int, budget: float = 120.0) -> tuple[list[float], object]:
    """Up to ``runs`` timed runs, no warm-up, stopping once ``budget`` seconds have gone by (a province
    export can take minutes per run)."""
    samples, result, spent = [], None, 0.0
    while len(samples) < runs and (not samples or spent < budget):
        started = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - started)
        spent += samples[-1]
    return samples, result


def _last_month(year: int) -> int:
    as_of = default_as_of(year)
    return 0 if as_of.year < year else (12 if as_of.year > year else as_of.month)


def make_user(username: str, federation: Federation, role: str) -> User:
    """The bench's user (kept from an earlier run on a reused database, else new)."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username)
        user.set_password(PASSWORD)
    user.federation, user.role = federation, role
    user.save()
    return user


def sample_federations(gen: Generated) -> dict[str, Federation]:
    codes = {
        "nation": SAMPLE.nation,
        "province": SAMPLE.province,
        "city": SAMPLE.city,
        "county": SAMPLE.county,
        "township": gen.township,
    }
    by_code = {f.code: f for f in Federation.objects.filter(code__in=codes.values())}
    return {level: by_code[code] for level, code in codes.items()}


# ---------------------------------------------------------------------------------------------------
# 1. The roll-up and 2. the limit


def measure_rollups(gen: Generated, feds: dict[str, Federation], repeat: int, out) -> tuple[dict, dict]:
    results, rollups = {}, {}
    for level in LEVELS:
        federation = feds[level]

        def once(federation=federation):
            result = rollup(federation, gen.year)
            rollup_out(result)
            return result

        with CaptureQueriesContext(connection) as queries:
            once()
        samples, result = _run(once, repeat)
        rollups[level] = result
        results[level] = {
            "code": federation.code,
            "ms": _ms(samples),
            "queries": len(queries),
            "targets": len(result.progress),
            "children": len(result.children),
        }
        say(out, f"rollup {level:<9} {results[level]['ms']['median']:>9.2f} ms  {len(queries)} queries\n")
    return results, rollups


def _indicator_ids(result) -> list[int]:
    """The indicators the roll-up's targets (F's and its children's) read, with the parts of rates
    and the bases of coverages."""
    targets = [p.target for p in result.progress] + [p.target for c in result.children for p in c.progress]
    ids = set()
    for target in targets:
        indicator = target.indicator
        ids.add(indicator.pk)
        ids.update(i for i in (indicator.numerator_id, indicator.denominator_id, indicator.base_id) if i)
    return sorted(ids)


def measure_limit(gen: Generated, feds, rollups, rollup_results, repeat: int, out) -> dict:
    """The honest limit (bench/limit.py) per level: the fastest variant, timed ``repeat`` times, its
    plan, and whether its numbers equal the roll-up's. The ratios against the roll-up API page are
    added by ``judge_limit`` once the pages are measured."""
    limit = Limit()
    last_month = _last_month(gen.year)
    section: dict = {"driver": limit.driver, "plan": {}}
    try:
        started = time.perf_counter()
        section["statements"] = limit.build(gen.tree)
        section["build_seconds"] = round(time.perf_counter() - started, 1)
        say(out, f"limit: raw table and covering index built in {section['build_seconds']} s\n")
        for level in LEVELS:
            federation, result = feds[level], rollups[level]
            ids = _indicator_ids(result)
            variant, tried = limit.best_variant(federation, gen.year, last_month, ids)
            limit.use(variant)
            samples, computed = [], None
            for _ in range(repeat):
                seconds, computed = limit.timed(federation, gen.year, last_month, ids)
                samples.append(seconds)
            ms = _ms(samples)
            rollup_ms = rollup_results[level]["ms"]["median"]
            check = compare(result, computed)
            section["plan"][level] = limit.plan(federation, gen.year, last_month, ids)
            section[level] = {
                "code": federation.code,
                "ms": ms,
                "variant": variant,
                "variants_ms": tried,
                "ratio_function": round(ms["median"] / rollup_ms, 2) if rollup_ms else None,
                "matches": check["mismatches"] == 0,
                "checked": check["checked"],
                "mismatches": check["mismatches"],
                "examples": check["examples"],
            }
            say(
                out,
                f"limit  {level:<9} {ms['median']:>9.2f} ms ({variant}; tried "
                + ", ".join(f"{name} {value:.1f}" for name, value in tried.items())
                + f")  {'matches' if check['mismatches'] == 0 else 'MISMATCH'} ({check['checked']} values)\n",
            )
    finally:
        limit.drop()
        limit.close()
    return section


def judge_limit(limit: dict, pages: dict | None) -> None:
    """The ratio the goal is about: the limit against the roll-up as users get it, the API page's
    server time at the same level."""
    for level in LEVELS:
        entry = limit.get(level)
        page = ((pages or {}).get(level) or {}).get("api") or {}
        if entry is None:
            continue
        api_ms = page["ms"]["median"] if page.get("status") == "ok" else None
        entry["api_ms"] = api_ms
        entry["ratio"] = round(entry["ms"]["median"] / api_ms, 2) if api_ms else None


# ---------------------------------------------------------------------------------------------------
# 3. The write path


def _ancestor_totals(path_codes: list[str], indicator: Indicator, year: int, last_month: int) -> dict:
    rows = (
        FigureTotal.objects.filter(
            federation__code__in=path_codes, year=year, indicator=indicator, month__lte=last_month
        )
        .values_list("federation__code")
        .annotate(total=Sum("value"))
        .order_by()
    )
    found = dict(rows)
    return {code: found.get(code, Decimal(0)) for code in path_codes}


def measure_write(gen: Generated, feds, repeat: int, out) -> dict:
    village = Federation.objects.get(code=gen.village)
    staff = make_user("bench-village-staff", village, Role.STAFF)
    activity_type = ActivityType.objects.filter(is_active=True).order_by("order", "pk").first()
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=WRITE_INDICATORS)}
    indicators = [indicators[code] for code in WRITE_INDICATORS]
    point = WorkPoint.objects.filter(plan__federation=village, plan__year=gen.year).order_by("order").first()
    today = timezone.localdate()
    day = today if today.year == gen.year else date(gen.year, 6, 15)
    start = timezone.make_aware(datetime.combine(day, clock(9, 30)))
    counter = iter(range(1_000_000))

    def once():
        number = next(counter)
        activity = Activity(
            federation=village,
            year=gen.year,
            title=f"基准测试写入活动 {number}",
            type=activity_type,
            status=ActivityStatus.DONE,
            actual_start=start,
            actual_end=start + timedelta(hours=2),
        )
        figures = {indicator: Decimal(10 + index + number % 7) for index, indicator in enumerate(indicators)}
        # What the activity form does on a valid POST (activities.views._save_form).
        activity_save(
            activity=activity, figures=figures, by=staff, work_points=[point] if point else [], achieves=[]
        )
        return figures

    # The first save, checked: is the figure in every ancestor's totals on the next read?
    last_month = _last_month(gen.year)
    path_codes = village.ancestor_codes + [village.code]
    watched = indicators[0]
    before = _ancestor_totals(path_codes, watched, gen.year, last_month)
    nation_before = _achieved(rollup(feds["nation"], gen.year), watched)
    with CaptureQueriesContext(connection) as queries:
        figures = once()
    value = figures[watched]
    after = _ancestor_totals(path_codes, watched, gen.year, last_month)
    nation_after = _achieved(rollup(feds["nation"], gen.year), watched)
    grew = {code: after[code] - before[code] for code in path_codes}
    visible = all(delta == value for delta in grew.values()) and (nation_after - nation_before) == value
    samples, _unused = _run(once, repeat, warmup=0)
    section = {
        "ms": _ms(samples),
        "queries": len(queries),
        "figures": len(indicators),
        "federation": village.code,
        "visible_in_ancestors": visible,
        "ancestors_checked": len(path_codes),
        "nation_rollup_delta": float(nation_after - nation_before),
        "value": float(value),
    }
    say(
        out,
        f"write path {section['ms']['median']:.2f} ms, {len(queries)} queries; the figure "
        f"{'is' if visible else 'is NOT'} in all {len(path_codes)} totals on the next read\n",
    )
    return section


def _achieved(result, indicator: Indicator) -> Decimal:
    for progress in result.progress:
        if progress.target.indicator_id == indicator.pk:
            return progress.achieved or Decimal(0)
    return Decimal(0)


# ---------------------------------------------------------------------------------------------------
# 3b. Periodic reports: completeness and submitting a month

SUBMIT_FIGURES = 500
SUBMIT_FIGURES_PER_ACTIVITY = 10
SUBMIT_TITLE = "基准测试报送活动"


def _submit_period(year: int) -> Period:
    """The latest month of the bench's year that has ended (a report is submitted once it has); in
    January, the previous December."""
    today = timezone.localdate()
    ended = [
        period
        for period in (Period(year, Frequency.MONTH, m) for m in range(12, 0, -1))
        if period.last_day < today
    ]
    return ended[0] if ended else Period(year - 1, Frequency.MONTH, 12)


def _month_figures(federation: Federation, period: Period) -> int:
    from activities.totals import activity_month

    ids = [
        activity.pk
        for activity in Activity.objects.counted().filter(federation=federation, year=period.year)
        if activity_month(activity) in period.months
    ]
    return Figure.objects.filter(activity__in=ids).count()


def measure_submissions(gen: Generated, feds, repeat: int, out) -> dict:
    """(a) completeness of the nation's provinces, the province's cities and the sampled county's
    townships for month 1, as the pages compute it (the counts, the rates and the 催报 list); (b) the
    sampled township submitting its latest ended month holding 500 figures through
    submissions.services. The township's activities and every submit are rolled back: the data stays
    as generated."""
    section: dict = {"period": f"{gen.year}-01", "generated": gen.submissions}
    period = Period(gen.year, Frequency.MONTH, 1)
    for level in COMPLETENESS_LEVELS:
        federation = feds[level]

        def once(federation=federation):
            result = completeness(federation, period)
            # Everything the page shows: the counts, the rates and who has not reported.
            shown = (result.submitted, result.on_time, result.approved, result.returned, result.missing)
            return result, shown, result.rate, result.timely_rate

        with CaptureQueriesContext(connection) as queries:
            once()
        samples, (result, _shown, rate, timely) = _run(once, repeat)
        section[f"completeness_{level}"] = {
            "code": federation.code,
            "ms": _ms(samples),
            "queries": len(queries),
            "expected": result.expected,
            "submitted": result.submitted,
            "on_time": result.on_time,
            "approved": result.approved,
            "returned": result.returned,
            "missing": len(result.missing),
            "rate": float(rate) if rate is not None else None,
            "timely_rate": float(timely) if timely is not None else None,
        }
        entry = section[f"completeness_{level}"]
        say(
            out,
            f"completeness {level:<8} {entry['ms']['median']:>8.2f} ms  {len(queries)} queries; "
            f"{entry['submitted']}/{entry['expected']} reported\n",
        )

    township = feds["township"]
    staff = make_user("bench-township-staff", township, Role.STAFF)
    make_user("bench-county-leader", feds["county"], Role.LEADER)  # notified of each submission
    submit_period = _submit_period(gen.year)
    indicators = [i for i in enterable_indicators(township) if i.decimal_places == 0]
    activity_type = ActivityType.objects.filter(is_active=True).order_by("order", "pk").first()
    rng = random.Random(15)
    with transaction.atomic():
        # Another year's reports (the January case) need the nation's schedule for that year too.
        ReportingSchedule.objects.get_or_create(
            federation=feds["nation"],
            year=submit_period.year,
            frequency=Frequency.MONTH,
            defaults={"due_day": 5},
        )
        generated = _month_figures(township, submit_period)
        needed, number, setup_started = max(0, SUBMIT_FIGURES - generated), 0, time.perf_counter()
        last_day = submit_period.last_day.day
        while needed > 0:
            count = min(SUBMIT_FIGURES_PER_ACTIVITY, needed, len(indicators))
            day = date(submit_period.year, submit_period.months[0], 1 + number % last_day)
            start = timezone.make_aware(datetime.combine(day, clock(9, 30)))
            activity = Activity(
                federation=township,
                year=submit_period.year,
                title=f"{SUBMIT_TITLE} {number + 1}",
                type=activity_type,
                status=ActivityStatus.DONE,
                actual_start=start,
                actual_end=start + timedelta(hours=2),
            )
            figures = {indicator: Decimal(rng.randint(1, 50)) for indicator in rng.sample(indicators, count)}
            activity_save(activity=activity, figures=figures, by=staff, work_points=[], achieves=[])
            needed -= count
            number += 1
        setup_seconds = time.perf_counter() - setup_started
        month_figures = _month_figures(township, submit_period)

        def submit():
            # Each submit is undone (a savepoint) so that the next one is a first submission again.
            savepoint = transaction.savepoint()
            try:
                started = time.perf_counter()
                submission = submission_submit(federation=township, period=submit_period, by=staff)
                elapsed = time.perf_counter() - started
            finally:
                transaction.savepoint_rollback(savepoint)
            return elapsed, submission

        with CaptureQueriesContext(connection) as queries:
            _elapsed, submission = submit()  # the warm-up, counted
        samples = [submit()[0] for _ in range(repeat)]
        transaction.set_rollback(True)  # the township's activities go too
    section["submit"] = {
        "federation": township.code,
        "period": f"{submit_period.year}-{submit_period.number:02d}",
        "ms": _ms(samples),
        "queries": len(queries),
        "figures": month_figures,
        "generated_figures": generated,
        "activities": submission.activity_count,
        "indicators": len(submission.figures),
        "setup_activities": number,
        "setup_s": round(setup_seconds, 2),
        "note": f"{number} activities saved through activity_save to hold {month_figures} figures in the "
        "month, then each submit undone by a savepoint; all rolled back afterwards",
    }
    entry = section["submit"]
    say(
        out,
        f"submit {township.code} {entry['period']}: {entry['ms']['median']:.2f} ms, {len(queries)} queries "
        f"({month_figures} figures in {entry['activities']} activities)\n",
    )
    return section


# ---------------------------------------------------------------------------------------------------
# 4. The export


def _peak(fn) -> tuple[float, object]:
    """(peak MB of Python allocations, result) of ``fn`` under tracemalloc."""
    gc.collect()
    tracemalloc.start()
    try:
        result = fn()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1024 / 1024, result


def _rss_peak(fn) -> tuple[float | None, object]:
    """(growth of the process's peak resident memory over its resident memory before, in MB; result).

    Linux resets the peak (VmHWM) when "5" is written to /proc/self/clear_refs; what C code allocates
    (lxml, zlib, the driver's buffers) is in it, which tracemalloc does not see. None elsewhere.
    """
    status = Path("/proc/self/status")

    def field(name: str) -> int:
        for line in status.read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1])
        raise KeyError(name)

    gc.collect()
    try:
        Path("/proc/self/clear_refs").write_text("5")
        before = field("VmRSS")
    except (OSError, KeyError):
        return None, fn()
    result = fn()
    return (field("VmHWM") - before) / 1024, result


def largest_city(year: int) -> Federation:
    """The city (depth 2) whose subtree holds the most activities of the year."""
    by_federation = (
        Activity.objects.filter(year=year).values_list("federation_id").annotate(n=Count("pk")).order_by()
    )
    paths = dict(Federation.objects.filter(depth__gte=2).values_list("pk", "path"))
    per_city: dict[str, int] = defaultdict(int)
    for federation_id, count in by_federation:
        path = paths.get(federation_id)
        if path:
            per_city[path.split("/")[2]] += count
    code = max(per_city, key=lambda c: (per_city[c], c))
    return Federation.objects.get(code=code)


def measure_export(gen: Generated, federation: Federation, leader: User, repeat: int, out) -> dict:
    """The annual export of ``federation`` as its leader downloads it (the 导出Excel URL through the
    test client, the streamed file read to its end): time, peak Python memory (tracemalloc, in a run
    of its own: tracing slows the code) and the growth of the process's peak RSS."""
    from .pages import Browser

    browser = Browser()
    browser.login(leader)
    url = reverse("reports:export", kwargs={"code": federation.code})

    def download() -> bytes:
        response = browser.client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"export {url}: HTTP {response.status_code}")
        return b"".join(response.streaming_content) if response.streaming else response.content

    runs = max(1, min(repeat, HEAVY_REPEAT))
    # The first timed run also gives the RSS peak (reading /proc costs nothing measurable).
    rss_mb, (first, workbook_bytes) = _rss_peak(lambda: _timed(download))
    more, _unused = (
        _run_heavy(download, runs - 1, budget=120.0 - first) if runs > 1 and first < 120.0 else ([], None)
    )
    samples = [first, *more]
    peak_mb, _unused = _peak(download)
    activities = Activity.objects.in_subtree(federation).filter(year=gen.year).count()
    seconds = stats(samples)
    section = {
        "code": federation.code,
        "name": federation.name,
        "activities": activities,
        "s": seconds,
        "peak_mb": round(peak_mb, 1),
        "rss_mb": round(rss_mb, 1) if rss_mb is not None else None,
        "bytes": len(workbook_bytes),
    }
    say(
        out,
        f"export {federation.code} ({activities:,} activities): {seconds['median']:.2f} s, "
        f"peak {section['peak_mb']} MB (tracemalloc), RSS +{section['rss_mb']} MB\n",
    )
    return section


# ---------------------------------------------------------------------------------------------------
# 5. The import


def build_import_file(county: Federation, year: int, rows: int, rng: random.Random) -> bytes:
    """An .xlsx in the county's own template columns: rows for the county (staff import for their own
    federation, as they record on the form)."""
    headers = template_columns(county)
    integer_columns = []
    by_header = {f"{i.name}（{i.unit}）": i for i in Indicator.objects.all()}
    for header in headers:
        indicator = by_header.get(header)
        if header not in FIXED_COLUMNS and indicator and indicator.decimal_places == 0:
            integer_columns.append(header)
    codes = [county.code]
    types = list(ActivityType.objects.filter(is_active=True).values_list("name", flat=True))
    today = timezone.localdate()
    last = min(today, date(year, 12, 31)) if today.year >= year else date(year, 12, 31)
    days = [date(year, 1, 1) + timedelta(days=n) for n in range((last - date(year, 1, 1)).days + 1)]
    # A normal workbook, as Excel or WPS saves one: it records the sheet's dimension up front. (openpyxl's
    # write-only mode leaves it out, and a reader then parses the whole sheet once more to find it.)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "活动"
    sheet.append(headers)
    position = {header: index for index, header in enumerate(headers)}
    for number in range(rows):
        row = [None] * len(headers)
        row[position["单位代码"]] = rng.choice(codes)
        row[position["活动名称"]] = f"{IMPORTED_TITLE} {number + 1}"
        row[position["活动类型"]] = rng.choice(types)
        row[position["开始日期"]] = rng.choice(days)
        row[position["地点"]] = "村（社区）妇女之家"
        for header in rng.sample(integer_columns, 3):
            row[position[header]] = rng.randint(1, 50)
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def measure_import(gen: Generated, county: Federation, staff: User, rows: int, repeat: int, out) -> dict:
    runs = max(1, min(repeat, HEAVY_REPEAT))
    file_bytes = build_import_file(county, gen.year, rows, random.Random(7))

    def once():
        # Every run imports the same file: its rows duplicate the previous run's, knowingly.
        report = import_activities(
            file_bytes=file_bytes, user=staff, year=gen.year, dry_run=False, allow_duplicates=True
        )
        if report.imported != rows:
            raise RuntimeError(f"import saved {report.imported} of {rows} rows: {report.errors[:3]}")

    samples, _unused = _run_heavy(once, runs)
    runs = len(samples)
    seconds = stats(samples)
    section = {
        "rows": rows,
        "s": seconds,
        "rows_per_s": round(rows / seconds["median"], 1),
        "file_bytes": len(file_bytes),
        "kept": False,
        "note": f"{runs} imports of {rows} rows each, committed, then removed (measured last)",
    }
    remove_bench_activities(county, out)
    say(out, f"import {rows:,} rows: {seconds['median']:.2f} s → {section['rows_per_s']:,.0f} rows/s\n")
    return section


def remove_bench_activities(county: Federation, out) -> None:
    """Delete what the bench recorded in the county (imported rows, the load test's saves) and take
    their figures back out of the totals: a --reuse run then measures the data the first run did,
    not a county swollen by every earlier run's 10,000 imported activities."""
    query = Q()
    for title in BENCH_TITLES:
        query |= Q(title__startswith=title)
    activities = Activity.objects.in_subtree(county).filter(query)
    figures = defaultdict(list)
    for activity_id, indicator_id, value in Figure.objects.filter(activity__in=activities).values_list(
        "activity_id", "indicator_id", "value"
    ):
        figures[activity_id].append((indicator_id, value))
    removed: Contribution = defaultdict(Decimal)
    ids = []
    for activity in activities.select_related("federation"):
        ids.append(activity.pk)
        for key, value in contribution(activity, figures[activity.pk], activity.federation.path).items():
            removed[key] -= value
    with transaction.atomic():
        apply(removed)
        for start in range(0, len(ids), 5000):
            Activity.objects.filter(pk__in=ids[start : start + 5000]).delete()
    if ids:
        say(out, f"removed the bench's own {len(ids):,} activities from {county.code}\n")


# ---------------------------------------------------------------------------------------------------
# Goals and the whole run


def goals(results: dict) -> dict:
    """Each goal of issue #18 (and #15's reports): the measured value, the goal as text, and whether
    it is met (None when it was not measured)."""
    found = {}

    def goal(name, value, target, met):
        found[name] = {"value": value, "goal": target, "met": bool(met) if value is not None else None}

    def at_most(name, value, bound):
        goal(name, value, f"<= {bound}", value is not None and value <= bound)

    def at_least(name, value, bound):
        goal(name, value, f">= {bound}", value is not None and value >= bound)

    at_most(
        "rollup_max_queries", max(r["queries"] for r in results["rollup"].values()), GOALS["rollup_queries"]
    )
    pages = results.get("pages")
    if pages:
        entries = [entry for level in pages.values() for entry in level.values()]
        failed = [
            f"{entry['code']} {entry['url']}: {entry['status']}"
            for entry in entries
            if entry["status"] != "ok"
        ]
        goal("pages_all_ok", not failed, "every page 200", not failed)
        timed = [entry for entry in entries if entry["status"] == "ok"]
        at_most("pages_p50_ms", max((e["ms"]["median"] for e in timed), default=None), GOALS["page_p50_ms"])
        at_most("pages_p99_ms", max((e["ms"]["p99"] for e in timed), default=None), GOALS["page_p99_ms"])
    randoms = results.get("random")
    if randoms:
        entries = [entry for group in randoms.values() for entry in group.values()]
        failed = sum(entry["failed"] for entry in entries)
        goal("random_all_ok", failed == 0, "every page 200", failed == 0)
        at_most("random_p50_ms", max((e["p50_ms"] or 0 for e in entries), default=None), GOALS["page_p50_ms"])
        at_most("random_p99_ms", max((e["p99_ms"] or 0 for e in entries), default=None), GOALS["page_p99_ms"])
    limit = results.get("limit") or {}
    top = limit.get(LEVELS[0]) or {}
    if top.get("ratio") is not None:
        # The goal is the nation's: every figure of the year against the roll-up API's page. Lower
        # down the raw range is small and the ratios are reported, not judged.
        at_least("limit_nation_ratio", top["ratio"], GOALS["limit_ratio"])
    if any(level in limit for level in LEVELS):
        matches = all(limit[level]["matches"] for level in LEVELS if level in limit)
        goal("limit_matches_rollup", matches, "true", matches)
    write = results.get("write")
    if write:
        at_most("write_ms", write["ms"]["median"], GOALS["write_ms"])
        visible = write["visible_in_ancestors"]
        goal("write_visible_in_ancestors", visible, "true", visible)
    export = (results.get("export") or {}).get("largest_city")
    if export:
        at_most("export_city_s", export["s"]["median"], GOALS["export_city_s"])
        memory = max(value for value in (export["peak_mb"], export["rss_mb"]) if value is not None)
        at_most("export_city_mb", memory, GOALS["export_city_mb"])
    reports = results.get("submissions")
    if reports:
        at_most(
            "completeness_max_ms",
            max(reports[f"completeness_{level}"]["ms"]["median"] for level in COMPLETENESS_LEVELS),
            GOALS["completeness_ms"],
        )
        at_most("submit_ms", reports["submit"]["ms"]["median"], GOALS["submit_ms"])
    imported = results.get("import")
    if imported:
        at_least("import_rows_per_s", imported["rows_per_s"], GOALS["import_rows_per_s"])
    http = results.get("http")
    if http:
        goal(
            "http_errors",
            http["errors"],
            f"== {GOALS['http_errors']}",
            http["errors"] == GOALS["http_errors"],
        )
        at_most("http_p99_ms", http["p99_ms"], GOALS["http_p99_ms"])
        at_least("http_rps", http["rps"], GOALS["http_rps"])
        cpu = http.get("cpu_ms_per_request") or {}
        at_most("http_cpu_ms_per_request", cpu.get("machine"), GOALS["cpu_ms_per_request"])
    consistency = results.get("consistency")
    if consistency:
        ok = consistency["differences"] == 0 and consistency["nation_matches_raw"]
        goal("totals_consistent", ok, "true", ok)
    return found


def settle(out) -> None:
    """VACUUM ANALYZE on PostgreSQL, as autovacuum would have by now.

    The phases before leave dead row versions behind (every write updates its ancestors' totals
    rows), and a server may run with autovacuum off, as this machine's does: without this, later
    phases would measure a bloated table rather than the app.
    """
    if connection.vendor != "postgresql":
        return
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    say(out, f"vacuum analyze: {time.perf_counter() - started:.1f} s\n")


def _utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def run(
    *,
    scale_name: str,
    folder: Path | None,
    repeat: int,
    load_seconds: int,
    skip_http: bool,
    result_file: Path,
    out,
    reuse_database: bool = False,
) -> dict:
    scale = SCALES[scale_name]
    # When it ran (UTC, to the second): runs on separate days are what the README's medians need.
    results: dict = {"scale": scale_name, "database": connection.vendor, "load": {}, "started": _utc_now()}

    def save():
        results["goals"] = goals(results) if "rollup" in results else {}
        results["finished"] = _utc_now()
        result_file.write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str))

    @contextmanager
    def phase(name: str):
        """The machine's load average (1, 5, 15 min) before and after a phase, into ``load``; the
        results saved after it."""
        entry = results["load"][name] = {"before": _load()}
        yield
        entry["after"] = _load()
        save()

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            results["database"] = f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
        else:
            import sqlite3

            results["database"] = f"SQLite {sqlite3.sqlite_version}"
    results["cores"] = os.cpu_count()
    with phase("generate"):
        gen = reuse(out) if reuse_database else generate(scale, folder, out)
    results.update(
        {
            "year": gen.year,
            "as_of": default_as_of(gen.year).isoformat(),
            "divisions": gen.divisions,
            "federations": gen.federations,
            "activities": gen.activities,
            "figures": gen.figures,
            "plans": gen.plans,
            "targets": gen.targets,
            "figure_totals": gen.totals_rows,
            "sample": {
                "nation": SAMPLE.nation,
                "province": SAMPLE.province,
                "city": SAMPLE.city,
                "county": SAMPLE.county,
                "township": gen.township,
                "village": gen.village,
            },
            "plans_note": "plans for every federation down to county level, the sampled county's townships "
            "and the sampled township's villages",
            "repeat": repeat,
            "generate_seconds": gen.seconds,
            "consistency": gen.consistency,
        }
    )
    feds = sample_federations(gen)
    if reuse_database:
        remove_bench_activities(feds["county"], out)
        settle(out)
    with phase("rollup"):
        results["rollup"], rollups = measure_rollups(gen, feds, repeat, out)
    with phase("limit"):
        results["limit"] = measure_limit(gen, feds, rollups, results["rollup"], repeat, out)
        del rollups
    levels = {**feds, "village": Federation.objects.get(code=gen.village)}
    with phase("pages"):
        collect_static(out)
        fresh_analyze(out)
        results["pages"] = measure_levels(levels, gen.year, repeat, out)
        judge_limit(results["limit"], results["pages"])
    with phase("random"):
        fresh_analyze(out)
        results["random"] = measure_random(gen.year, out)
    with phase("write"):
        results["write"] = measure_write(gen, feds, repeat, out)
    with phase("submissions"):
        results["submissions"] = measure_submissions(gen, feds, repeat, out)
    with phase("export"):
        city = largest_city(gen.year)
        leader = make_user(f"bench-export-leader-{city.code}", city, Role.LEADER)
        results["export"] = {"largest_city": measure_export(gen, city, leader, repeat, out)}
    county_staff = make_user("bench-county-staff", feds["county"], Role.STAFF)
    if skip_http:
        results["http"] = None
    else:
        from .load import run_http

        city_leader = make_user("bench-city-leader", feds["city"], Role.LEADER)
        settle(out)
        with phase("http"):
            results["http"] = run_http(
                gen=gen, staff=county_staff, leader=city_leader, feds=feds, seconds=load_seconds, out=out
            )
        remove_bench_activities(feds["county"], out)
    # Last: the imported rows stay (thousands of activities on one county would skew the HTTP mix).
    with phase("import"):
        results["import"] = measure_import(gen, feds["county"], county_staff, scale.import_rows, repeat, out)
    save()
    return results


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]
