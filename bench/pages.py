"""Pages as users get them: server time through Django's whole stack, at every level and for random
counties and townships.

Each page is requested with ``django.test.Client`` in the worker's own process, logged in as a person
of the federation the page is about (a leader for the dashboard, the roll-up API, the calendar with
含下级 and the statistics view; staff for their own calendar and the activity form), with DEBUG off:
middleware, sessions, access checks, the view, its queries and the template, everything but the socket.
``time.perf_counter`` around ``client.get`` is the server time, ``time.process_time`` the CPU the worker
spent (Python, the driver; PostgreSQL's own CPU is not in it). Every timed answer must be a 200: a 404
or a 500 is recorded as the page's failure, never as a time.

The phase starts with a fresh ``ANALYZE``, as a server sees after autovacuum: a page whose speed
depends on the statistics' luck shows it here, in the random counties and townships above all
(ANALYZE samples the federations' paths anew each time, and a misestimated subtree picks a plan that
walks the whole country).

Shapes (``measure_pages``)::

    {"levels": {level: code},
     "pages": {level: {page: {"code", "url", "status": "ok" | "HTTP 404" …, "ms": spread,
                              "cpu_ms": spread, "queries", "bytes"}}},
     "random": {"counties"|"townships": {"dashboard"|"api": {"n", "p50_ms", "p99_ms", "worst_ms",
                "worst_code", "failures": [...]}}}}

where a spread is ``bench.stats`` plus ``p99`` (milliseconds; the nearest-rank 99th percentile).
"""

from __future__ import annotations

import random
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from fedwork.models import Federation, Role, User

from . import stats
from .generate import say

PAGE_LEVELS = ["nation", "province", "city", "county", "township", "village"]
# What each page is, in the order the table prints them; who asks for it ("leader" or "staff").
PAGES = {
    "dashboard": "leader",
    "api": "leader",
    "calendar": "staff",
    "calendar_below": "leader",
    "form": "staff",
    "statistics": "leader",
}
# The statistics view: the first of these URL names that exists. fedwork has no page of its own for
# statistics today (指标统计 is a section of the dashboard); the year-end summary (年度总结草稿) states the
# year's figures per work point and is the page that comes nearest.
STATISTICS_URLS = ("activities:statistics", "reports:statistics", "reports:summary")
RANDOM_SAMPLE = 100
RANDOM_SEED = 18
RANDOM_PAGES = ("dashboard", "api")
RANDOM_DEPTHS = {"counties": 3, "townships": 4}
HOST = "127.0.0.1"


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile (``share`` in 0…1) of a list; None for an empty one."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[min(len(ordered), int(rank)) - 1]


def spread(values: list[float]) -> dict:
    """``bench.stats`` (median, min, max, n) plus the p99, rounded to µs."""
    found = stats(values)
    p99 = percentile(values, 0.99)
    found["p99"] = round(p99, 3) if p99 is not None else None
    return found


def statistics_url_name() -> str:
    for name in STATISTICS_URLS:
        try:
            reverse(name, kwargs={"code": "00"})
        except NoReverseMatch:
            continue
        return name
    raise RuntimeError(f"none of {STATISTICS_URLS} is a URL name")


def page_url(page: str, code: str, year: int) -> str:
    """The URL of a page about the federation ``code`` (the calendar and the form are the logged-in
    person's own federation's)."""
    if page == "dashboard":
        return reverse("reports:dashboard", kwargs={"code": code})
    if page == "api":
        return f"/api/v1/rollup/{code}/{year}/"
    if page == "calendar":
        return reverse("activities:calendar")
    if page == "calendar_below":
        return reverse("activities:calendar") + "?below=on"
    if page == "form":
        return reverse("activities:create")
    if page == "statistics":
        return reverse(statistics_url_name(), kwargs={"code": code})
    raise ValueError(page)


def _people(federations: list[Federation], role: str, year: int, prefix: str) -> dict[int, User]:
    """One person per federation in ``role``, kept from an earlier run on a reused database. No
    password: they are logged in with ``Client.force_login`` (PBKDF2 for 200 people would take a
    minute and measures nothing)."""
    names = {f"{prefix}-{role}-{federation.code}": federation for federation in federations}
    found = {user.username: user for user in User.objects.filter(username__in=names)}
    missing = [
        User(
            username=name,
            federation=federation,
            role=role,
            work_year=year,
            password=make_password(None),
        )
        for name, federation in names.items()
        if name not in found
    ]
    User.objects.bulk_create(missing, batch_size=1000)
    users = {user.username: user for user in User.objects.filter(username__in=names)}
    User.objects.filter(username__in=names).exclude(work_year=year).update(work_year=year)
    return {names[name].pk: user for name, user in users.items()}


class Browser:
    """A logged-in Django test client that times GETs and checks their status."""

    def __init__(self):
        self.client = Client(HTTP_HOST=HOST, raise_request_exception=False)
        self.backend = settings.AUTHENTICATION_BACKENDS[-1]
        self.user_pk = None

    def login(self, user: User) -> None:
        if self.user_pk != user.pk:
            self.client.force_login(user, backend=self.backend)
            self.user_pk = user.pk

    def get(self, url: str) -> tuple[int, float, float, int]:
        """(status, server ms, CPU ms, bytes) of one GET."""
        cpu, started = time.process_time(), time.perf_counter()
        response = self.client.get(url)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        return response.status_code, elapsed * 1000, cpu * 1000, len(response.content)

    def queries(self, url: str) -> tuple[int, int]:
        """(status, number of SQL queries) of one untimed GET."""
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(url)
        return response.status_code, len(captured)


def collect_static(out) -> None:
    """The static files and their manifest, which every page names (DEBUG is off, as in production:
    without them a page is a 500). Skipped when the manifest is newer than every source file: whitenoise
    compresses each file anew (a minute on two busy cores), and nothing a page's time depends on changes."""
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.exists():
        newest = max(
            (
                Path(storage.path(path)).stat().st_mtime
                for finder in finders.get_finders()
                for path, storage in finder.list(["CVS", ".*", "*~"])
            ),
            default=0,
        )
        if manifest.stat().st_mtime >= newest:
            say(out, "collectstatic: up to date\n")
            return
    started = time.perf_counter()
    call_command("collectstatic", interactive=False, verbosity=0)
    say(out, f"collectstatic: {time.perf_counter() - started:.1f} s\n")


def fresh_analyze(out) -> None:
    """ANALYZE every table: the statistics a server has after autovacuum, sampled anew."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    say(out, f"analyze: {time.perf_counter() - started:.1f} s\n")


def time_page(browser: Browser, url: str, repeat: int) -> dict:
    """One page at one level: a warm-up that counts the queries, then ``repeat`` timed GETs."""
    status, queries = browser.queries(url)
    entry = {"url": url, "queries": queries, "status": "ok" if status == 200 else f"HTTP {status}"}
    if status != 200:
        return entry
    times, cpus, size = [], [], 0
    for _ in range(repeat):
        status, ms, cpu, size = browser.get(url)
        if status != 200:
            entry["status"] = f"HTTP {status}"
            return entry
        times.append(ms)
        cpus.append(cpu)
    entry.update({"ms": spread(times), "cpu_ms": spread(cpus), "bytes": size})
    return entry


def measure_levels(levels: dict[str, Federation], year: int, repeat: int, out) -> dict:
    """Every page at every level (``levels``: level → federation), ``repeat`` times each."""
    browser = Browser()
    feds = list(levels.values())
    people = {role: _people(feds, role, year, "bench-page") for role in (Role.LEADER, Role.STAFF)}
    section: dict = {}
    for level, federation in levels.items():
        section[level] = {}
        for page, who in PAGES.items():
            browser.login(people[Role.LEADER if who == "leader" else Role.STAFF][federation.pk])
            entry = time_page(browser, page_url(page, federation.code, year), repeat)
            entry["code"] = federation.code
            section[level][page] = entry
            shown = (
                f"{entry['ms']['median']:>9.2f} ms (p99 {entry['ms']['p99']:.2f}), "
                f"cpu {entry['cpu_ms']['median']:.2f} ms"
                if entry["status"] == "ok"
                else f"FAILED: {entry['status']}"
            )
            say(out, f"page {level:<9} {page:<15} {shown}  {entry['queries']} queries\n")
    return section


def measure_random(year: int, out, sample: int = RANDOM_SAMPLE, seed: int = RANDOM_SEED) -> dict:
    """The dashboard and the API, once each, for ``sample`` random counties and townships (a seeded
    RNG; fewer where fewer exist), each asked by a leader of its own: p50, p99 and the worst."""
    rng = random.Random(seed)
    browser = Browser()
    section: dict = {}
    for name, depth in RANDOM_DEPTHS.items():
        codes = sorted(Federation.objects.filter(depth=depth).values_list("code", flat=True))
        chosen = rng.sample(codes, min(sample, len(codes)))
        federations = list(Federation.objects.filter(code__in=chosen))
        by_code = {federation.code: federation for federation in federations}
        leaders = _people(federations, Role.LEADER, year, "bench-random")
        times: dict[str, list[tuple[float, str]]] = {page: [] for page in RANDOM_PAGES}
        failures: dict[str, list[str]] = {page: [] for page in RANDOM_PAGES}
        for code in chosen:
            federation = by_code[code]
            browser.login(leaders[federation.pk])
            for page in RANDOM_PAGES:
                status, ms, _cpu, _size = browser.get(page_url(page, code, year))
                if status == 200:
                    times[page].append((ms, code))
                else:
                    failures[page].append(f"{code}: HTTP {status}")
        section[name] = {}
        for page in RANDOM_PAGES:
            values = [ms for ms, _code in times[page]]
            worst = max(times[page], default=(None, None))
            entry = {
                "n": len(values),
                "asked": len(chosen),
                "p50_ms": _rounded(percentile(values, 0.50)),
                "p99_ms": _rounded(percentile(values, 0.99)),
                "worst_ms": _rounded(worst[0]),
                "worst_code": worst[1],
                "failures": failures[page][:10],
                "failed": len(failures[page]),
            }
            section[name][page] = entry
            say(
                out,
                f"random {name:<9} {page:<9} n={entry['n']} p50 {entry['p50_ms']} ms, "
                f"p99 {entry['p99_ms']} ms, worst {entry['worst_ms']} ms ({entry['worst_code']})"
                + (f", {entry['failed']} FAILED" if entry["failed"] else "")
                + "\n",
            )
    return section


def _rounded(value: float | None) -> float | None:
    return round(value, 3) if value is not None else None
