"""The benchmark behind ``manage.py bench``: data generation, measurements, the bare-SQL limit, the HTTP
load and the result table.

The command's parent process creates a database of its own, migrates it and runs the worker
(``manage.py bench --worker``) against it in a subprocess, so that everything measured is the app's own
code on its own schema; see ``bench/management/commands/bench.py``.
"""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings


@dataclass(frozen=True)
class Scale:
    name: str
    # Province codes to load (None: the whole country).
    provinces: tuple[str, ...] | None
    # Figures (activity values) to generate; activities carry three each.
    figures: int
    # Rows of the timed Excel import.
    import_rows: int
    # Large scales are meaningless (and too slow) on SQLite.
    requires_postgres: bool
    # The shape of a synthesised tree: cities per province, counties per city, townships per county,
    # villages per township (the real tree's averages); used when the division CSVs are missing.
    shape: tuple[int, int, int, int]


SCALES = {
    "small": Scale("small", ("43",), 9_000, 1_000, False, (1, 9, 14, 6)),
    "province": Scale("province", ("43",), 1_000_000, 10_000, True, (14, 9, 14, 17)),
    "national": Scale("national", None, 10_000_000, 10_000, True, (11, 9, 14, 15)),
}


@dataclass(frozen=True)
class Sample:
    """The path every measurement walks down: 全国 → 湖南 → 长沙 → 芙蓉区 → its first township."""

    nation: str = "00"
    province: str = "43"
    city: str = "4301"
    county: str = "430102"


SAMPLE = Sample()
LEVELS = ["nation", "province", "city", "county", "township"]
# Whose children's reports completeness is measured for: the nation's provinces (31 at national scale,
# one below it), the province's cities (a wide upper level at every scale) and the county's townships.
COMPLETENESS_LEVELS = ["nation", "province", "county"]

# Goals of issue #18 (national scale, this 2-core machine, measured by the bench), and #15's reports.
GOALS = {
    # Every page at every level and over the random counties and townships: server time.
    "page_p50_ms": 50,
    "page_p99_ms": 150,
    # The roll-up as users get it (the API page at the nation) against the honest limit.
    "limit_ratio": 50,
    "rollup_queries": 15,
    "write_ms": 10,
    "import_rows_per_s": 2000,
    # The export of the largest city (the city with the most activities).
    "export_city_s": 5,
    "export_city_mb": 300,
    "http_errors": 0,
    "http_p99_ms": 500,
    "http_rps": 100,
    # CPU per request of the HTTP mix, the whole machine's (the app, PostgreSQL, the load generator).
    "cpu_ms_per_request": 15,
    # Periodic reports (#15): completeness of the nation's provinces and of a county's townships, and
    # submitting a township's month holding 500 figures.
    "completeness_ms": 50,
    "submit_ms": 200,
}

DEFAULT_REPEAT = 7
DEFAULT_LOAD_SECONDS = 30
HTTP_USERS = 50
HTTP_SPAWN_RATE = 25
HTTP_WORKERS = 2
# Heavy measurements (exports, imports) run at most this many times, whatever --repeat says.
HEAVY_REPEAT = 3


def default_divisions() -> Path:
    return Path(settings.BASE_DIR).parent / "shared" / "data" / "divisions"


def stats(samples: list[float]) -> dict:
    """median (min–max) of a list of values, as a dict; the median of an even count is the mean of two."""
    ordered = sorted(samples)
    n = len(ordered)
    if not n:
        return {"median": None, "min": None, "max": None, "n": 0}
    middle = n // 2
    median = ordered[middle] if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return {"median": round(median, 3), "min": round(ordered[0], 3), "max": round(ordered[-1], 3), "n": n}
