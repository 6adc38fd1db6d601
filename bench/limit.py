"""The honest limit: the roll-up's numbers computed from the raw figures by the best plain query a DBA
would write, with a table and an index of the bench's own (never the app's).

What it computes, for a federation F at depth d: the figures of the counted activities of F's subtree
summed per direct child and grandchild of F and indicator, through the month of the as-of day (the
activity's calendar day's month, else its planned month, as ``activities.totals.activity_month``).
F's own sums, each child's sums and each child's coverage (how many of its children reached an
indicator) follow in Python; ``compare`` checks them number for number against what ``reports.rollup``
returned. A second tiny query names F's children and counts theirs (the coverages' denominators).

The raw table (``bench_limit_figure``), built from the app's figures and activities before the timing,
its rows written in the covering index's order, int4 ids where they fit: one row per figure, with
the year, whether its activity counts (``status`` in ``COUNTED_STATUSES``), its month, its indicator,
its value, and the ids of its federation's ancestors at each depth
(``a1`` province … ``a5`` village: the path's codes as per-level columns, NULL below the federation's
own depth). One covering B-tree, ``(year, counted, a1, a2, a3, a4, a5, indicator_id, month) INCLUDE
(value)``: every subtree is one contiguous range of it (F's own and its ancestors' ids are all known
from F's path, so the condition is an equality on each level down to F's), the grouping columns are
in it, and after ``VACUUM`` the scan is index-only. The query::

    SELECT a{d+1}, a{d+2}, indicator_id, SUM(value) FROM bench_limit_figure
    WHERE year = Y AND counted AND a1 = … AND a{d} = F AND month <= M AND indicator_id = ANY(…)
    GROUP BY 1, 2, 3

Each measurement runs the query under a few session settings (``VARIANTS``): the planner's choice with
parallel workers allowed and cheap (``max_parallel_workers_per_gather = 2``, the machine's cores;
``parallel_setup_cost = parallel_tuple_cost = 0``), the same without parallel workers, and a parallel
sequential scan of the table with index scans off; each is warmed up and timed once per level and the
fastest is the limit, timed ``repeat`` times; its ``EXPLAIN (ANALYZE, BUFFERS)`` is kept
(``limit.plan``). ``work_mem`` is 64 MB in all (a hash of the nation's ~17,000 groups fits).

What was tried (2026-11-29, province scale: Hunan to villages, 31,692 federations, 1,000,000 figures;
this 2-core machine, PostgreSQL 15, shared with four other benchmarks: load average 10–16, so every
figure is several times what a quiet machine gives and only the orders between them mean much; the
SQL alone, median of 5 after a warm-up, ms, nation / province / city / county / township):

- the previous limit, federations ⋈ activities ⋈ figures on ``path LIKE`` grouped on
  ``split_part(substr(path …))``, with covering indexes on the three tables: 13,818 / 16,716 / 716 /
  83 / 10 (a hash join over every activity of the year, then the string keys; at national scale the
  same query took 19.6 s, sorting on disk);
- a raw table carrying the path as text, ``path LIKE 'prefix%'`` on a covering index
  ``(year, counted, path text_pattern_ops, indicator_id, month) INCLUDE (value)``, grouped on the
  codes cut out of the path: 3,908 / 4,958 / 449 / 56 / 16 with parallel workers, 7,612 / 9,415 / 455
  / 45 / 7 without (the string functions per row cost more than the scan);
- the per-level id columns and the covering index above (kept): 1,329 / 2,142 / 234 / 32 / 12 with
  parallel workers allowed, 2,854 / 6,045 / 608 / 76 / 56 without; a parallel sequential scan of the
  table: 1,474 / 2,384 / 689 / 361 / 416. Below the city the plan is a serial index-only range scan and
  a GroupAggregate in index order whatever the settings (8.4 ms for 芙蓉区 in its EXPLAIN ANALYZE, 0.5
  ms for a township: the differences between the variants there are the machine's load);
- SUM over the values stored as whole fen (bigint) instead of numeric: 1,203 / 1,912 / 385 / 33 / 9
  with parallel workers, within the noise of numeric here; not kept, as it changes the figures' type
  (the app's column is numeric) and the limit sums the app's figures as they are.

Tried again (2026-11-29 evening, issue #18 asked for the reporter's design; province-scale database,
the SQL alone, median of 3 after a warm-up, each design under the three variants in turn, the
fastest shown; load average 10–12 — five benchmarks and test suites on two cores — so only the
ratios between designs measured side by side mean anything), nation / province / city / county:

- the per-level id columns as before (bigint ids, rows in the order of the join): 1,293 / 2,220 /
  316 / 29 ms;
- the same columns narrowed (int4 ids and indicator, smallint year) and the table written in the
  covering index's order (``CREATE TABLE … AS … ORDER BY`` the index's key, so an index range is also
  a range of the heap, 122 MB instead of 170 MB): 857 / 1,085 / 303 / 26 ms — **kept**;
- the reporter's design, the federation's code as ``text COLLATE "C"`` (narrow, in key order),
  covering index ``(year, counted, code, indicator_id, month) INCLUDE (value)``, a subtree the range
  ``code >= '43' AND code < '44'``, grouped on ``left(code, n)``: 1,327 / 1,870 / 416 / 29 ms — the
  per-row ``left()`` costs more than the narrower key saves, as the path's string functions did.

On SQLite (the test suite's ``--scale small``) the same table and index (``value`` as the index's last
key: SQLite has no INCLUDE) and one variant; the plan is SQLite's ``EXPLAIN QUERY PLAN``.
"""

from __future__ import annotations

import sqlite3
import time
from collections import defaultdict
from decimal import Decimal

from django.db import connection

from activities.models import COUNTED_STATUSES, Activity, Figure
from fedwork.models import Federation
from plans.models import IndicatorKind

FEDERATIONS, ACTIVITIES, FIGURES = (
    Federation._meta.db_table,
    Activity._meta.db_table,
    Figure._meta.db_table,
)
TABLE = "bench_limit_figure"
ANCESTORS = "bench_limit_ancestors"
INDEX = "bench_limit_figure_cover"
DEPTHS = 5  # province (1) … village (5); the nation (0) is every row
LEVEL_COLUMNS = [f"a{depth}" for depth in range(1, DEPTHS + 1)]
WORK_MEM = "64MB"
# Session settings per variant (PostgreSQL); each is tried per level and the fastest kept.
VARIANTS = {
    "index, parallel": {
        "max_parallel_workers_per_gather": "2",
        "parallel_setup_cost": "0",
        "parallel_tuple_cost": "0",
        "enable_seqscan": "on",
        "enable_indexscan": "on",
        "enable_indexonlyscan": "on",
        "enable_bitmapscan": "on",
    },
    "index, serial": {
        "max_parallel_workers_per_gather": "0",
        "parallel_setup_cost": "1000",
        "parallel_tuple_cost": "0.1",
        "enable_seqscan": "on",
        "enable_indexscan": "on",
        "enable_indexonlyscan": "on",
        "enable_bitmapscan": "on",
    },
    "seq scan, parallel": {
        "max_parallel_workers_per_gather": "2",
        "parallel_setup_cost": "0",
        "parallel_tuple_cost": "0",
        "enable_seqscan": "on",
        "enable_indexscan": "off",
        "enable_indexonlyscan": "off",
        "enable_bitmapscan": "off",
    },
}
SQLITE_VARIANTS = {"index": {}}


def _month_sql(vendor: str) -> str:
    if vendor == "postgresql":
        return (
            "CAST(CASE WHEN EXTRACT(YEAR FROM a.calendar_day) = a.year "
            "THEN EXTRACT(MONTH FROM a.calendar_day) ELSE a.planned_month END AS smallint)"
        )
    return (
        "CASE WHEN CAST(strftime('%Y', a.calendar_day) AS INTEGER) = a.year "
        "THEN CAST(strftime('%m', a.calendar_day) AS INTEGER) ELSE a.planned_month END"
    )


def sums_sql(depth: int, vendor: str) -> str:
    """The limit's query for a federation at ``depth`` (0 the nation … 4 a township)."""
    child = f"a{depth + 1}" if depth + 1 <= DEPTHS else "NULL"
    grandchild = f"a{depth + 2}" if depth + 2 <= DEPTHS else "NULL"
    pg = vendor == "postgresql"
    param = (lambda name: f"%({name})s") if pg else (lambda name: f":{name}")
    conditions = [f"year = {param('year')}", "counted"]
    conditions += [f"a{level} = {param(f'a{level}')}" for level in range(1, depth + 1)]
    conditions.append(f"month <= {param('last_month')}")
    conditions.append("indicator_id = ANY(%(indicators)s)" if pg else "indicator_id IN ({indicators})")
    return (
        f"SELECT {child}, {grandchild}, indicator_id, SUM(value) FROM {TABLE}\n"
        f"WHERE {' AND '.join(conditions)}\n"
        "GROUP BY 1, 2, 3"
    )


CHILDREN_SQL = (
    f"SELECT c.id, c.code, COUNT(g.id) FROM {FEDERATIONS} c "
    f"LEFT JOIN {FEDERATIONS} g ON g.parent_id = c.id "
    f"WHERE c.parent_id = {{federation}} GROUP BY c.id, c.code"
)


class Limit:
    """A raw driver connection to the bench database, the limit's table and its query."""

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
            self.variants = VARIANTS
        elif self.vendor == "sqlite":
            self.conn = sqlite3.connect(settings_dict["NAME"])
            self.driver = f"sqlite3 (SQLite {sqlite3.sqlite_version})"
            self.variants = SQLITE_VARIANTS
        else:  # pragma: no cover - the command refuses other databases
            raise RuntimeError(f"no limit query for {self.vendor}")
        self.current_variant = None

    @property
    def pg(self) -> bool:
        return self.vendor == "postgresql"

    # --- the table ------------------------------------------------------------------------------

    def build(self, tree) -> list[str]:
        """Create and fill the raw table and its covering index from the app's tables; returns the
        statements (for the report). ``tree`` is ``bench.generate.Tree``."""
        cursor = self.conn.cursor()
        self.drop()
        # int4 ids when they fit (they always do short of two thousand million federations): a
        # narrower row and index read faster (see the module's docstring).
        id_type = ("integer" if max(tree.path, default=0) < 2**31 else "bigint") if self.pg else "INTEGER"
        cursor.execute(
            f"CREATE TABLE {ANCESTORS} (id {id_type} PRIMARY KEY, "
            + ", ".join(f"{column} {id_type}" for column in LEVEL_COLUMNS)
            + ")"
        )
        rows = []
        for pk, path in tree.path.items():
            ids = [tree.by_code[code] for code in path.rstrip("/").split("/")][1:]
            rows.append([pk, *(ids + [None] * DEPTHS)[:DEPTHS]])
        placeholder = "%s" if self.pg else "?"
        insert = f"INSERT INTO {ANCESTORS} VALUES ({', '.join([placeholder] * (DEPTHS + 1))})"
        if self.pg:
            from psycopg2.extras import execute_values

            execute_values(cursor, f"INSERT INTO {ANCESTORS} VALUES %s", rows, page_size=5000)
        else:
            cursor.executemany(insert, rows)
        counted = ", ".join(f"'{status}'" for status in COUNTED_STATUSES)
        levels = ", ".join(f"anc.{column}" for column in LEVEL_COLUMNS)
        key = f"year, counted, {', '.join(LEVEL_COLUMNS)}, indicator_id, month"
        narrow = (
            ("CAST(a.year AS smallint)", "CAST(fig.indicator_id AS integer)")
            if self.pg and id_type == "integer"
            else ("a.year", "fig.indicator_id")
        )
        create = (
            f"CREATE TABLE {TABLE} AS\n"
            f"SELECT {narrow[0]} AS year, (a.status IN ({counted})) AS counted, {levels},\n"
            f"       {narrow[1]} AS indicator_id, {_month_sql(self.vendor)} AS month, fig.value\n"
            f"FROM {FIGURES} fig JOIN {ACTIVITIES} a ON a.id = fig.activity_id\n"
            f"JOIN {ANCESTORS} anc ON anc.id = a.federation_id\n"
            f"ORDER BY {key}"
        )
        index = (
            f"CREATE INDEX {INDEX} ON {TABLE} ({key}) INCLUDE (value)"
            if self.pg
            else f"CREATE INDEX {INDEX} ON {TABLE} ({key}, value)"
        )
        cursor.execute(create)
        cursor.execute(f"DROP TABLE {ANCESTORS}")
        cursor.execute(index)
        # VACUUM sets the visibility map, without which an "index-only" scan visits the heap.
        cursor.execute(f"VACUUM ANALYZE {TABLE}" if self.pg else f"ANALYZE {TABLE}")
        if not self.pg:
            self.conn.commit()
        return [create, index]

    def drop(self) -> None:
        cursor = self.conn.cursor()
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        cursor.execute(f"DROP TABLE IF EXISTS {ANCESTORS}")
        if not self.pg:
            self.conn.commit()

    def close(self) -> None:
        self.conn.close()

    # --- the query --------------------------------------------------------------------------------

    def use(self, variant: str) -> None:
        if not self.pg or self.current_variant == variant:
            return
        cursor = self.conn.cursor()
        cursor.execute(f"SET work_mem = '{WORK_MEM}'")
        for name, value in self.variants[variant].items():
            cursor.execute(f"SET {name} = {value}")
        self.current_variant = variant

    def _statement(self, federation: Federation, indicator_ids, last_month: int, year: int):
        ancestors = self._ancestor_ids(federation)
        params = {"year": year, "last_month": last_month}
        params.update({f"a{level}": pk for level, pk in enumerate(ancestors[1:], start=1)})
        sql = sums_sql(federation.depth, self.vendor)
        if self.pg:
            params["indicators"] = list(indicator_ids)
        else:
            listed = ", ".join(str(int(pk)) for pk in indicator_ids) or "NULL"
            sql = sql.replace("{indicators}", listed)
        return sql, params

    def _ancestor_ids(self, federation: Federation) -> list[int]:
        """The ids of the federations on F's path, the nation first and F last (read with F)."""
        if not hasattr(federation, "_bench_path_ids"):
            codes = federation.path.rstrip("/").split("/")
            by_code = dict(Federation.objects.filter(code__in=codes).values_list("code", "pk"))
            federation._bench_path_ids = [by_code[code] for code in codes]
        return federation._bench_path_ids

    def compute(self, federation: Federation, year: int, last_month: int, indicator_ids: list[int]):
        """(own sums, child sums, grandchild sums, child code → number of its children) for F."""
        cursor = self.conn.cursor()
        sql, params = self._statement(federation, indicator_ids, last_month, year)
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        cursor.execute(CHILDREN_SQL.format(federation=int(federation.pk)))
        code_of, children = {}, {}
        for pk, code, count in cursor.fetchall():
            code_of[pk] = code
            children[code] = count
        own: dict[int, Decimal] = defaultdict(Decimal)
        by_child: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
        by_grandchild: dict[tuple[str, int, int], Decimal] = defaultdict(Decimal)
        for child, grandchild, indicator_id, value in rows:
            value = value if isinstance(value, Decimal) else Decimal(str(value))
            own[indicator_id] += value
            if child is not None:
                code = code_of[child]
                by_child[(code, indicator_id)] += value
                if grandchild is not None:
                    by_grandchild[(code, grandchild, indicator_id)] += value
        return own, by_child, by_grandchild, children

    def timed(self, federation, year, last_month, indicator_ids) -> tuple[float, tuple]:
        started = time.perf_counter()
        result = self.compute(federation, year, last_month, indicator_ids)
        return time.perf_counter() - started, result

    def best_variant(self, federation, year, last_month, indicator_ids) -> tuple[str, dict[str, float]]:
        """Each variant warmed up and timed once; the fastest one's name and every variant's ms."""
        tried = {}
        for variant in self.variants:
            self.use(variant)
            self.compute(federation, year, last_month, indicator_ids)
            seconds, _unused = self.timed(federation, year, last_month, indicator_ids)
            tried[variant] = round(seconds * 1000, 3)
        return min(tried, key=tried.get), tried

    def plan(self, federation, year, last_month, indicator_ids) -> str:
        """The query's plan under the current variant: EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL,
        EXPLAIN QUERY PLAN on SQLite; the statement first."""
        sql, params = self._statement(federation, indicator_ids, last_month, year)
        cursor = self.conn.cursor()
        if self.pg:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            lines = [row[0] for row in cursor.fetchall()]
            shown = cursor.mogrify(sql, params).decode()
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            lines = [f"{row[0]} {row[1]} {row[-1]}" for row in cursor.fetchall()]
            shown = sql
        return shown + "\n" + "\n".join(lines)


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
