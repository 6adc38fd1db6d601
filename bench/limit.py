"""The limit: the roll-up's numbers computed directly from the raw figures with bare SQL.

For a federation F it sums the done activities' figures of F's subtree, per direct child (and, for
coverages, per grandchild) and indicator, with the same month cut-off as the roll-up, in one query
over federations ⋈ activities ⋈ figures through the path prefix; a second tiny query counts each
child's children (the denominators of coverages). It runs on a raw driver connection (psycopg2, or
sqlite3 on SQLite), after creating the indexes that serve it best, and is compared number for number
with what ``reports.rollup`` returned.
"""

from __future__ import annotations

import sqlite3
import time
from collections import defaultdict
from decimal import Decimal

from django.db import connection

from activities.models import Activity, Figure
from fedwork.models import Federation
from plans.models import IndicatorKind

FEDERATIONS, ACTIVITIES, FIGURES = (
    Federation._meta.db_table,
    Activity._meta.db_table,
    Figure._meta.db_table,
)

PG_INDEXES = [
    (
        "bench_limit_federation_path",
        f"CREATE INDEX bench_limit_federation_path ON {FEDERATIONS} (path varchar_pattern_ops) INCLUDE (id)",
    ),
    (
        "bench_limit_activity",
        f"CREATE INDEX bench_limit_activity ON {ACTIVITIES} (federation_id, year, status) "
        f"INCLUDE (id, calendar_day, planned_month)",
    ),
    (
        "bench_limit_figure",
        f"CREATE INDEX bench_limit_figure ON {FIGURES} (activity_id) INCLUDE (indicator_id, value)",
    ),
]
SQLITE_INDEXES = [
    ("bench_limit_federation_path", f"CREATE INDEX bench_limit_federation_path ON {FEDERATIONS} (path, id)"),
    (
        "bench_limit_activity",
        f"CREATE INDEX bench_limit_activity ON {ACTIVITIES} "
        f"(federation_id, year, status, id, calendar_day, planned_month)",
    ),
    (
        "bench_limit_figure",
        f"CREATE INDEX bench_limit_figure ON {FIGURES} (activity_id, indicator_id, value)",
    ),
]

PG_SUMS = f"""
SELECT split_part(substr(f.path, %(start)s), '/', 1) AS child,
       split_part(substr(f.path, %(start)s), '/', 2) AS grandchild,
       fig.indicator_id,
       SUM(fig.value)
FROM {FEDERATIONS} f
JOIN {ACTIVITIES} a ON a.federation_id = f.id
JOIN {FIGURES} fig ON fig.activity_id = a.id
WHERE f.path LIKE %(prefix)s
  AND a.year = %(year)s
  AND a.status = 'done'
  AND (CASE WHEN EXTRACT(YEAR FROM a.calendar_day) = %(year)s THEN EXTRACT(MONTH FROM a.calendar_day)
            ELSE a.planned_month END) <= %(last_month)s
  AND fig.indicator_id = ANY(%(indicators)s)
GROUP BY 1, 2, 3
"""
SQLITE_SUMS = f"""
SELECT child,
       CASE WHEN instr(rest, '/') > 0 THEN substr(rest, 1, instr(rest, '/') - 1) ELSE '' END AS grandchild,
       indicator_id,
       SUM(value)
FROM (
    SELECT substr(f.rel, 1, instr(f.rel, '/') - 1) AS child, substr(f.rel, instr(f.rel, '/') + 1) AS rest,
           fig.indicator_id, fig.value
    FROM (SELECT id, substr(path, :start) AS rel FROM {FEDERATIONS} WHERE path LIKE :prefix) f
    JOIN {ACTIVITIES} a ON a.federation_id = f.id
    JOIN {FIGURES} fig ON fig.activity_id = a.id
    WHERE a.year = :year
      AND a.status = 'done'
      AND (CASE WHEN CAST(strftime('%Y', a.calendar_day) AS INTEGER) = :year
                THEN CAST(strftime('%m', a.calendar_day) AS INTEGER) ELSE a.planned_month END) <= :last_month
      AND fig.indicator_id IN ({{indicators}})
)
GROUP BY 1, 2, 3
"""
PG_CHILDREN = f"""
SELECT c.code, (SELECT COUNT(*) FROM {FEDERATIONS} g WHERE g.parent_id = c.id)
FROM {FEDERATIONS} c WHERE c.parent_id = %(federation)s
"""
SQLITE_CHILDREN = PG_CHILDREN.replace("%(federation)s", ":federation")


class Limit:
    """A raw connection to the bench database and the limit's indexes."""

    def __init__(self):
        settings_dict = connection.settings_dict
        self.vendor = connection.vendor
        if self.vendor == "postgresql":
            import psycopg2

            self.conn = psycopg2.connect(
                dbname=settings_dict["NAME"],
                user=settings_dict["USER"] or None,
                password=settings_dict["PASSWORD"] or None,
                host=settings_dict["HOST"] or None,
                port=settings_dict["PORT"] or None,
            )
            self.conn.autocommit = True
            self.driver = f"psycopg2 {psycopg2.__version__.split()[0]}"
            self.indexes = PG_INDEXES
        elif self.vendor == "sqlite":
            self.conn = sqlite3.connect(settings_dict["NAME"])
            self.driver = f"sqlite3 (SQLite {sqlite3.sqlite_version})"
            self.indexes = SQLITE_INDEXES
        else:  # pragma: no cover - the command refuses other databases
            raise RuntimeError(f"no limit query for {self.vendor}")

    def create_indexes(self) -> list[str]:
        cursor = self.conn.cursor()
        for _name, statement in self.indexes:
            cursor.execute(statement)
        cursor.execute("ANALYZE")
        if self.vendor == "sqlite":
            self.conn.commit()
        return [statement for _name, statement in self.indexes]

    def drop_indexes(self) -> None:
        cursor = self.conn.cursor()
        for name, _statement in self.indexes:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
        if self.vendor == "sqlite":
            self.conn.commit()

    def close(self) -> None:
        self.conn.close()

    def compute(self, federation: Federation, year: int, last_month: int, indicator_ids: list[int]):
        """(own sums, child sums, grandchild sums, child → number of its children) for F."""
        cursor = self.conn.cursor()
        params = {
            "start": len(federation.path) + 1,
            "prefix": federation.path + "%",
            "year": year,
            "last_month": last_month,
            "federation": federation.pk,
        }
        if self.vendor == "postgresql":
            cursor.execute(PG_SUMS, {**params, "indicators": list(indicator_ids)})
            rows = cursor.fetchall()
            cursor.execute(PG_CHILDREN, params)
        else:
            listed = ", ".join(str(int(pk)) for pk in indicator_ids) or "NULL"
            cursor.execute(SQLITE_SUMS.replace("{indicators}", listed), params)
            rows = cursor.fetchall()
            cursor.execute(SQLITE_CHILDREN, {"federation": federation.pk})
        children = dict(cursor.fetchall())
        own: dict[int, Decimal] = defaultdict(Decimal)
        by_child: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
        by_grandchild: dict[tuple[str, str, int], Decimal] = defaultdict(Decimal)
        for child, grandchild, indicator_id, value in rows:
            value = value if isinstance(value, Decimal) else Decimal(str(value))
            own[indicator_id] += value
            if child:
                by_child[(child, indicator_id)] += value
                if grandchild:
                    by_grandchild[(child, grandchild, indicator_id)] += value
        return own, by_child, by_grandchild, children

    def timed(self, federation, year, last_month, indicator_ids) -> tuple[float, tuple]:
        started = time.perf_counter()
        result = self.compute(federation, year, last_month, indicator_ids)
        return time.perf_counter() - started, result


def _achieved(indicator, value_of, coverage) -> Decimal | None:
    if indicator.kind == IndicatorKind.RATE:
        denominator = value_of(indicator.denominator_id)
        return value_of(indicator.numerator_id) / denominator * 100 if denominator else None
    if indicator.kind == IndicatorKind.COVERAGE:
        return coverage(indicator.base_id)
    if indicator.kind == IndicatorKind.MILESTONE:
        return None
    return value_of(indicator.pk)


def _same(a: Decimal | None, b: Decimal | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(Decimal(a) - Decimal(b)) <= Decimal("0.005") + abs(Decimal(b)) * Decimal("1e-9")


def compare(result, computed) -> dict:
    """Every achieved value of the roll-up (F's targets and each child's) against the limit's."""
    own, by_child, by_grandchild, children = computed
    checked = mismatches = 0
    examples = []

    def own_coverage(base_id):
        if not children:
            return None
        reached = sum(1 for code in children if by_child.get((code, base_id), 0) > 0)
        return Decimal(reached) / Decimal(len(children)) * 100

    def check(where, progress, expected):
        nonlocal checked, mismatches
        if progress.target.indicator.kind == IndicatorKind.MILESTONE:
            return
        checked += 1
        if not _same(progress.achieved, expected):
            mismatches += 1
            if len(examples) < 5:
                examples.append(f"{where} {progress.target.indicator.code}: {progress.achieved} ≠ {expected}")

    for progress in result.progress:
        check(
            result.federation.code,
            progress,
            _achieved(progress.target.indicator, lambda pk: own.get(pk, Decimal(0)), own_coverage),
        )
    for child in result.children:
        code = child.federation.code

        def value_of(pk, code=code):
            return by_child.get((code, pk), Decimal(0))

        def coverage(base_id, code=code):
            count = children.get(code, 0)
            if not count:
                return None
            reached = len(
                {g for (c, g, i), v in by_grandchild.items() if c == code and i == base_id and v > 0}
            )
            return Decimal(reached) / Decimal(count) * 100

        for progress in child.progress:
            check(code, progress, _achieved(progress.target.indicator, value_of, coverage))
    return {"checked": checked, "mismatches": mismatches, "examples": examples}
