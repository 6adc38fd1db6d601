"""Keeping FigureTotal current: every write of activities and figures applies its delta here.

A done activity contributes its figures to the month it happened in, for its own federation and
every ancestor. A write computes the contribution before and after and applies the difference as
atomic increments (INSERT … ON CONFLICT DO UPDATE SET value = value + excluded.value), so
concurrent writers never lose an update, with no batch job and no stale cache.

The same increments keep Reach, the count behind coverage indicators: per federation, indicator,
year and month, how many of its direct children first reached the indicator (their total > 0)
that month. A child's first month depends on all twelve of its monthly totals, so writers of one
(federation, year, indicator) are serialised (a transaction-scoped advisory lock on PostgreSQL;
SQLite serialises every writer) while they compare its months before and after their increment.

And ActivityCount, the number of activities per federation's subtree, calendar day, status and due
date (the summary's and the calendar's counts): every activity adds one to its own key, whatever its
status, through the same contributions (a key tagged COUNT beside the figures' keys), so the same
before/after difference moves it when an activity changes day or status, is deleted or imported.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Min, Q

from fedwork.models import PATH_SEPARATOR, Federation

from .models import (
    COUNTED_STATUSES,
    NEVER_DUE,
    NO_DAY,
    Activity,
    ActivityCount,
    ActivityStatus,
    Figure,
    FigureTotal,
    Reach,
)

# (federation path, year, month, indicator id) → value; and, for the activity itself,
# (COUNT, federation path, year, day, month, status, due) → 1 (ActivityCount's key, see count_key)
Contribution = dict[tuple, Decimal]
COUNT = "#count"
# (federation id, year, day, month, status, due) → activities
CountRows = dict[tuple[int, int, date, int, str, date], int]
# (federation id, year, indicator id): the unit whose first month with a total > 0 Reach follows
ReachKey = tuple[int, int, int]


def activity_month(activity: Activity, *, fresh: bool = False) -> int | None:
    """The month of its year an activity counts in: its calendar day's, else its planned month.

    ``fresh`` recomputes the day from the dates (an unsaved change); otherwise the stored day is used.
    """
    day = (
        activity.compute_calendar_day()
        if fresh
        else (activity.calendar_day or activity.compute_calendar_day())
    )
    if day is not None and day.year == activity.year:
        return day.month
    return activity.planned_month


def contribution(activity: Activity, figures: Iterable[tuple[int, Decimal]], path: str) -> Contribution:
    """What a (saved or about to be saved) activity adds to the totals (nothing unless it counts,
    Activity.counts_toward_totals) and, whatever its status, one to its ActivityCount key."""
    result: Contribution = defaultdict(Decimal)
    result[count_key(activity, path)] = Decimal(1)
    month = activity_month(activity)
    if not activity.counts_toward_totals or month is None:
        return result
    for indicator_id, value in figures:
        result[(path, activity.year, month, indicator_id)] += value
    return result


def count_key(activity: Activity, path: str) -> tuple:
    """The activity's key in the contributions for ActivityCount (COUNT first, then the federation's
    path, the year, the calendar day or NO_DAY, the planned month of an activity without a calendar day
    or 0, the status, and a planned activity's last day or NEVER_DUE), from its stored dates (set by
    Activity.save and the import)."""
    day = activity.calendar_day
    last_day = activity.planned_last_day
    due = last_day if activity.status == ActivityStatus.PLANNED and last_day is not None else NEVER_DUE
    month = 0 if day is not None else (activity.planned_month or 0)
    return (COUNT, path, activity.year, day or NO_DAY, month, str(activity.status), due)


def stored_state(activity_id: int) -> tuple[Activity | None, Contribution]:
    """The activity as the database holds it now (before a change), and its contribution."""
    activity = Activity.objects.select_related("federation").filter(pk=activity_id).first()
    if activity is None:
        return None, {}
    figures = activity.figures.values_list("indicator_id", "value")
    return activity, contribution(activity, figures, activity.federation.path)


def stored_contribution(activity_id: int) -> Contribution:
    """The contribution of an activity as the database holds it now (before a change)."""
    return stored_state(activity_id)[1]


def difference(after: Contribution, before: Contribution) -> Contribution:
    delta: Contribution = defaultdict(Decimal)
    for key, value in after.items():
        delta[key] += value
    for key, value in before.items():
        delta[key] -= value
    return {key: value for key, value in delta.items() if value}


def apply(delta: Contribution) -> None:
    """Add the delta to the totals (and the ActivityCount rows, its COUNT keys) of each federation on
    the path and every ancestor."""
    if not delta:
        return
    paths = {key[1] if key[0] == COUNT else key[0] for key in delta}
    codes = {code for path in paths for code in path.strip(PATH_SEPARATOR).split(PATH_SEPARATOR)}
    ids = dict(Federation.objects.filter(code__in=codes).values_list("code", "pk"))
    rows: dict[tuple[int, int, int, int], Decimal] = defaultdict(Decimal)
    counts: CountRows = defaultdict(int)
    for key, value in delta.items():
        if key[0] == COUNT:
            _count, path, *rest = key
            for code in path.strip(PATH_SEPARATOR).split(PATH_SEPARATOR):
                counts[(ids[code], *rest)] += int(value)
            continue
        path, year, month, indicator_id = key
        for code in path.strip(PATH_SEPARATOR).split(PATH_SEPARATOR):
            rows[(ids[code], year, month, indicator_id)] += value
    increment(rows)
    increment_counts(counts)


def increment_counts(rows: CountRows) -> None:
    """Add {(federation id, year, day, month, status, due): activities} to ActivityCount, as atomic
    increments in a fixed order (as the totals: two writers lock shared ancestors' rows alike)."""
    params = [(*key, value) for key, value in sorted(rows.items()) if value]
    if not params:
        return
    table = ActivityCount._meta.db_table
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        _execute_many(
            cursor,
            f"INSERT INTO {table} (federation_id, year, day, month, status, due, count)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (federation_id, year, day, month, status, due)"
            f" DO UPDATE SET count = {table}.count + excluded.count",
            params,
        )


def increment(rows: dict[tuple[int, int, int, int], Decimal], model=FigureTotal) -> None:
    """Add {(federation id, year, month, indicator id): value} to a totals table of FigureTotal's shape
    (FigureTotal, or submissions.ApprovedTotal), as atomic increments; and, where a federation's first
    month with a total > 0 moves (0 → > 0, back to 0, or to another month), move it in its parent's
    Reach count of the same source, in the same transaction."""
    table = model._meta.db_table
    sql = (
        f"INSERT INTO {table} (federation_id, year, month, indicator_id, value) VALUES (%s, %s, %s, %s, %s) "
        f"ON CONFLICT (federation_id, year, indicator_id, month) "
        f"DO UPDATE SET value = {table}.value + excluded.value"
    )
    # A fixed order, so that two writers touching the same ancestors lock the rows in the same order.
    params = [(*key, value) for key, value in sorted(rows.items()) if value]
    if not params:
        return
    keys = sorted({(federation, year, indicator) for federation, year, _month, indicator, _ in params})
    # Its own transaction when called alone; inside a caller's, no savepoint (two more round trips per
    # save): a failed increment fails the whole write anyway.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        _lock_reach_keys(cursor, model, keys)
        before = _positive_months(cursor, table, keys)
        _execute_many(cursor, sql, params)
        after: dict[ReachKey, dict[int, Decimal]] = {key: dict(months) for key, months in before.items()}
        for federation_id, year, month, indicator_id, value in params:
            months = after.setdefault((federation_id, year, indicator_id), {})
            months[month] = months.get(month, Decimal(0)) + value
        moved = {}
        for key in keys:
            old, new = _first_month(before.get(key, {})), _first_month(after.get(key, {}))
            if old != new:
                moved[key] = (old, new)
        if moved:
            _move_reach(cursor, model, moved)


def _execute_many(cursor, sql: str, params: list[tuple]) -> None:
    """Run an INSERT … VALUES (%s, …) for every row of ``params``, in their order."""
    if connection.vendor == "postgresql":
        # One statement for all rows: psycopg2's executemany sends them one by one.
        from psycopg2.extras import execute_values

        values = "(" + ", ".join(["%s"] * len(params[0])) + ")"
        execute_values(cursor.cursor, sql.replace(values, "%s"), params, page_size=1000)
    else:
        cursor.executemany(sql, params)


# ---------------------------------------------------------------------------------------------------
# Reach: how many direct children reached an indicator, kept beside the totals (see Reach)


def reach_source(model) -> str:
    """The Reach.source that follows a totals table: FigureTotal or submissions.ApprovedTotal."""
    return REACH_SOURCES[model._meta.label_lower]


REACH_SOURCES = {
    "activities.figuretotal": Reach.Source.RECORDED,
    "submissions.approvedtotal": Reach.Source.APPROVED,
}


def totals_model(source: str):
    """The totals table a Reach.source follows (the inverse of reach_source)."""
    label = next(label for label, value in REACH_SOURCES.items() if value == source)
    return apps.get_model(label)


def _lock_reach_keys(cursor, model, keys: list[ReachKey]) -> None:
    """Serialise the writers of each (federation, year, indicator) of a totals table until commit.

    Why: whether a federation reached an indicator by month m depends on its totals of months 1..m,
    and two writers of different months of one federation would each see the other's month still
    at 0 and both count the federation as newly reached. A transaction-scoped advisory lock per key,
    taken in sorted order (the same order as the totals rows), makes the second wait for the first's
    commit. SQLite lets one writer at a time anyway.
    """
    if connection.vendor != "postgresql" or not keys:
        return
    source = 1 if reach_source(model) == Reach.Source.APPROVED else 0
    numbers = sorted({_lock_number(source, *key) for key in keys})
    # The subquery's order is the order of locking (a deadlock-free order shared by every writer).
    cursor.execute(
        "SELECT COUNT(pg_advisory_xact_lock(n)) FROM (SELECT unnest(%s::bigint[]) AS n ORDER BY n) AS keys",
        [numbers],
    )


def _lock_number(source: int, federation_id: int, year: int, indicator_id: int) -> int:
    """One signed 64-bit advisory lock number per key. Two keys may share a number (ids beyond 2³⁰,
    years beyond 511 apart): they then merely wait for each other."""
    number = ((federation_id & 0x3FFFFFFF) << 33) | ((indicator_id & 0xFFFFFF) << 9) | (year % 512)
    number = (number << 1 | source) & 0xFFFFFFFFFFFFFFFF
    return number - (1 << 64) if number >= 1 << 63 else number


def _positive_months(cursor, table: str, keys: list[ReachKey]) -> dict[ReachKey, dict[int, Decimal]]:
    """The months with a total > 0 of each key, as the table holds them now: {key: {month: value}}."""
    federations = sorted({key[0] for key in keys})
    years = sorted({key[1] for key in keys})
    indicators = sorted({key[2] for key in keys})
    wanted = set(keys)
    cursor.execute(
        f"SELECT federation_id, year, indicator_id, month, value FROM {table}"
        f" WHERE federation_id IN ({_marks(federations)}) AND year IN ({_marks(years)})"
        f" AND indicator_id IN ({_marks(indicators)}) AND value > 0",
        [*federations, *years, *indicators],
    )
    found: dict[ReachKey, dict[int, Decimal]] = {}
    for federation_id, year, indicator_id, month, value in cursor.fetchall():
        key = (federation_id, year, indicator_id)
        if key in wanted:
            # SQLite hands numerics back as float or int; compared with Decimal deltas, not summed
            # into anything stored.
            found.setdefault(key, {})[month] = value if isinstance(value, Decimal) else Decimal(str(value))
    return found


def _first_month(months: dict[int, Decimal]) -> int | None:
    """The first month whose total is > 0 (figures are never negative: from then on the running
    total stays > 0); None when none is."""
    return min((month for month, value in months.items() if value > 0), default=None)


def _marks(values) -> str:
    return ", ".join(["%s"] * len(values))


def _move_reach(cursor, model, moved: dict[ReachKey, tuple[int | None, int | None]]) -> None:
    """Move each federation's first month (old → new, None: never) in its parent's Reach count.

    The parents are read FOR SHARE: a concurrent federation_move (which holds the moved federation's
    row FOR UPDATE) then either waits for this write or is waited for, so a federation is counted
    under the parent it ends up with, never under both or neither."""
    federation_ids = sorted({key[0] for key in moved})
    table = Federation._meta.db_table
    lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
    cursor.execute(
        f"SELECT id, parent_id FROM {table} WHERE id IN ({_marks(federation_ids)}) AND parent_id IS NOT NULL"
        f" ORDER BY id{lock}",
        federation_ids,
    )
    parents = dict(cursor.fetchall())
    changes: dict[tuple[int, int, int, int], int] = defaultdict(int)
    for (federation_id, year, indicator_id), (old, new) in moved.items():
        parent_id = parents.get(federation_id)
        if parent_id is None:  # a root: no one counts it
            continue
        if old is not None:
            changes[(parent_id, year, indicator_id, old)] -= 1
        if new is not None:
            changes[(parent_id, year, indicator_id, new)] += 1
    _add_reach(cursor, reach_source(model), changes)


def _add_reach(cursor, source: str, changes: dict[tuple[int, int, int, int], int]) -> None:
    """Add {(parent id, year, indicator id, month): children} to Reach rows of a source, as atomic
    increments in a fixed order (as the totals)."""
    params = [(source, *key, value) for key, value in sorted(changes.items()) if value]
    if not params:
        return
    table = Reach._meta.db_table
    _execute_many(
        cursor,
        f"INSERT INTO {table} (source, parent_id, year, indicator_id, month, children)"
        " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (source, parent_id, year, indicator_id, month)"
        f" DO UPDATE SET children = {table}.children + excluded.children",
        params,
    )


def _reach_sql(model, federation: Federation | None, year: int | None) -> tuple[str, list]:
    """A SELECT of the Reach rows a totals table implies (parent id, year, indicator id, month,
    children): the COUNT of each parent's children by the first month their total was > 0.

    ``federation`` limits it to the parents in its subtree and its own parent (whose count its
    totals are part of); ``year`` to one year."""
    table, federations = model._meta.db_table, Federation._meta.db_table
    where, params = ["t.value > 0", "f.parent_id IS NOT NULL"], []
    if year is not None:
        where.append("t.year = %s")
        params.append(year)
    if federation is not None and federation.parent_id is None:
        where.append("f.path LIKE %s")
        params.append(federation.path + "%")
    elif federation is not None:
        where.append("(f.path LIKE %s OR f.parent_id = %s)")
        params += [federation.path + "%", federation.parent_id]
    sql = (
        "SELECT parent_id, year, indicator_id, first_month, COUNT(*) FROM ("
        " SELECT f.parent_id AS parent_id, t.year AS year, t.indicator_id AS indicator_id,"
        " MIN(t.month) AS first_month"
        f" FROM {table} t JOIN {federations} f ON f.id = t.federation_id"
        f" WHERE {' AND '.join(where)}"
        " GROUP BY f.parent_id, t.federation_id, t.year, t.indicator_id"
        ") firsts GROUP BY parent_id, year, indicator_id, first_month"
    )
    return sql, params


def _reach_scope(rows, federation: Federation | None, year: int | None):
    """Reach rows (a queryset) in the scope of _reach_sql."""
    if year is not None:
        rows = rows.filter(year=year)
    if federation is not None:
        inside = Q(parent__path__startswith=federation.path)
        rows = rows.filter(inside | Q(parent_id=federation.parent_id) if federation.parent_id else inside)
    return rows


def recompute_reach(federation: Federation | None = None, year: int | None = None) -> dict:
    """The Reach counts the stored totals imply (both sources), in the scope of _reach_sql:
    {(source, parent id, year, indicator id, month): children}, zeros left out."""
    expected = {}
    with connection.cursor() as cursor:
        for source in Reach.Source:
            sql, params = _reach_sql(totals_model(source), federation, year)
            cursor.execute(sql, params)
            for parent_id, year_, indicator_id, month, children in cursor.fetchall():
                expected[(source.value, parent_id, year_, indicator_id, month)] = children
    return expected


def stored_reach(federation: Federation | None = None, year: int | None = None) -> dict:
    """The stored Reach counts in the scope of _reach_sql, as recompute_reach returns them."""
    rows = _reach_scope(Reach.objects.exclude(children=0), federation, year)
    return {
        (source, parent_id, year_, indicator_id, month): children
        for source, parent_id, year_, indicator_id, month, children in rows.values_list(
            "source", "parent_id", "year", "indicator_id", "month", "children"
        )
    }


def reach_differences(federation: Federation | None = None, year: int | None = None) -> list[tuple]:
    """(key, stored, expected) for every Reach count that does not match the stored totals (keys as
    recompute_reach's); check_rollups reports them beside the totals' differences."""
    return _mismatches(stored_reach(federation, year), recompute_reach(federation, year), 0)


@transaction.atomic
def rebuild_reach(federation: Federation | None = None, year: int | None = None) -> int:
    """Replace the stored Reach counts (both sources, in the scope of _reach_sql) by those the stored
    totals imply, SQL-side (INSERT … SELECT: the bench builds millions of totals this way); returns
    the rows written."""
    _reach_scope(Reach.objects.all(), federation, year).delete()
    written = 0
    table = Reach._meta.db_table
    with connection.cursor() as cursor:
        for source in Reach.Source:
            sql, params = _reach_sql(totals_model(source), federation, year)
            cursor.execute(
                f"INSERT INTO {table} (source, parent_id, year, indicator_id, month, children)"
                f" SELECT %s, reached.* FROM ({sql}) reached",
                [source.value, *params],
            )
            written += cursor.rowcount
    return written


def move_subtree(old_path: str, new_path: str) -> None:
    """A federation moved: its subtree's totals and activity counts leave the old ancestors and join
    the new ones, and
    the federation itself leaves its old parent's Reach counts and joins the new parent's.

    Called by fedwork.services.federation_move inside the move's transaction (which holds the
    federation's row FOR UPDATE, see _move_reach)."""
    code = new_path.strip(PATH_SEPARATOR).split(PATH_SEPARATOR)[-1]
    old_ancestors = old_path.strip(PATH_SEPARATOR).split(PATH_SEPARATOR)[:-1]
    new_ancestors = new_path.strip(PATH_SEPARATOR).split(PATH_SEPARATOR)[:-1]
    ids = dict(
        Federation.objects.filter(code__in=[code, *old_ancestors, *new_ancestors]).values_list("code", "pk")
    )
    own = FigureTotal.objects.filter(federation_id=ids[code]).values_list(
        "year", "month", "indicator_id", "value"
    )
    rows: dict[tuple[int, int, int, int], Decimal] = defaultdict(Decimal)
    for year, month, indicator_id, value in own:
        for ancestor in old_ancestors:
            rows[(ids[ancestor], year, month, indicator_id)] -= value
        for ancestor in new_ancestors:
            rows[(ids[ancestor], year, month, indicator_id)] += value
    increment(rows)
    counts: CountRows = defaultdict(int)
    for key in (
        ActivityCount.objects.filter(federation_id=ids[code])
        .exclude(count=0)
        .values_list(*COUNT_KEY, "count")
    ):
        *rest, number = key
        for ancestor in old_ancestors:
            counts[(ids[ancestor], *rest)] -= number
        for ancestor in new_ancestors:
            counts[(ids[ancestor], *rest)] += number
    increment_counts(counts)
    old_parent = ids[old_ancestors[-1]] if old_ancestors else None
    new_parent = ids[new_ancestors[-1]] if new_ancestors else None
    if old_parent != new_parent:
        _move_membership(ids[code], old_parent, new_parent)


def _move_membership(federation_id: int, old_parent: int | None, new_parent: int | None) -> None:
    """Take a federation's first months (per source, year and indicator) out of its old parent's
    Reach counts and into its new parent's (its own totals do not change in a move)."""
    with connection.cursor() as cursor:
        for source in Reach.Source:
            firsts = (
                totals_model(source)
                .objects.filter(federation_id=federation_id, value__gt=0)
                .values_list("year", "indicator_id")
                .annotate(first=Min("month"))
                .order_by()
            )
            changes: dict[tuple[int, int, int, int], int] = defaultdict(int)
            for year, indicator_id, first in firsts:
                if old_parent is not None:
                    changes[(old_parent, year, indicator_id, first)] -= 1
                if new_parent is not None:
                    changes[(new_parent, year, indicator_id, first)] += 1
            _add_reach(cursor, source.value, changes)


def recompute(federation: Federation | None = None, year: int | None = None) -> dict:
    """The totals computed from the raw figures: {(federation id, year, month, indicator id): value}."""
    figures = Figure.objects.filter(activity__status__in=COUNTED_STATUSES)
    if year is not None:
        figures = figures.filter(activity__year=year)
    if federation is not None:
        figures = figures.filter(activity__federation__path__startswith=federation.path)
    delta: Contribution = defaultdict(Decimal)
    activities: dict[int, list] = {}
    for activity_id, indicator_id, value in figures.values_list(
        "activity_id", "indicator_id", "value"
    ).iterator():
        activities.setdefault(activity_id, []).append((indicator_id, value))
    activity_ids = list(activities)
    for chunk_start in range(0, len(activity_ids), 5000):
        chunk = activity_ids[chunk_start : chunk_start + 5000]
        for activity in Activity.objects.filter(pk__in=chunk).select_related("federation"):
            for key, value in contribution(
                activity, activities[activity.pk], activity.federation.path
            ).items():
                if key[0] != COUNT:
                    delta[key] += value
    codes = {code for path, *_rest in delta for code in path.strip(PATH_SEPARATOR).split(PATH_SEPARATOR)}
    ids = dict(Federation.objects.filter(code__in=codes).values_list("code", "pk"))
    expected: dict[tuple[int, int, int, int], Decimal] = defaultdict(Decimal)
    for (path, year_, month, indicator_id), value in delta.items():
        for code in path.strip(PATH_SEPARATOR).split(PATH_SEPARATOR):
            expected[(ids[code], year_, month, indicator_id)] += value
    if federation is not None:
        # Ancestors above the federation also hold other subtrees' figures: compare only the subtree.
        inside = set(Federation.objects.subtree(federation).values_list("pk", flat=True))
        expected = defaultdict(Decimal, {k: v for k, v in expected.items() if k[0] in inside})
    return {key: value for key, value in expected.items() if value}


def stored(federation: Federation | None = None, year: int | None = None) -> dict:
    rows = FigureTotal.objects.exclude(value=0)
    if year is not None:
        rows = rows.filter(year=year)
    if federation is not None:
        rows = rows.filter(federation__path__startswith=federation.path)
    return {
        (f, y, m, i): v
        for f, y, m, i, v in rows.values_list("federation_id", "year", "month", "indicator_id", "value")
    }


# ---------------------------------------------------------------------------------------------------
# ActivityCount: activities per subtree, day, status and due date

COUNT_KEY = ("year", "day", "month", "status", "due")
# count_key's day, month, status and due in SQL, of an activity aliased ``a`` (NO_DAY, NEVER_DUE)
COUNT_KEY_SQL = (
    "COALESCE(a.calendar_day, '0001-01-01'),"
    " CASE WHEN a.calendar_day IS NULL THEN COALESCE(a.planned_month, 0) ELSE 0 END, a.status,"
    " CASE WHEN a.status = 'planned' AND a.planned_last_day IS NOT NULL THEN a.planned_last_day"
    " ELSE '9999-12-31' END"
)


def recompute_counts(federation: Federation | None = None, year: int | None = None) -> CountRows:
    """The ActivityCount rows the activities imply (of a subtree and/or year), counted in Python from
    each activity's count_key, independently of the SQL that builds them in bulk:
    {(federation id, year, day, month, status, due): activities}."""
    activities = Activity.objects.all()
    if year is not None:
        activities = activities.filter(year=year)
    if federation is not None:
        activities = activities.filter(federation__path__startswith=federation.path)
    by_path: dict[tuple, int] = defaultdict(int)
    fields = ("federation__path", "year", "calendar_day", "planned_month", "status", "planned_last_day")
    for path, year_, day, planned_month, status, last_day in activities.values_list(*fields).iterator():
        activity = Activity(
            year=year_,
            calendar_day=day,
            planned_month=planned_month,
            status=status,
            planned_last_day=last_day,
        )
        by_path[count_key(activity, path)[1:]] += 1
    codes = {code for path, *_rest in by_path for code in path.strip(PATH_SEPARATOR).split(PATH_SEPARATOR)}
    ids = dict(Federation.objects.filter(code__in=codes).values_list("code", "pk"))
    inside = (
        None
        if federation is None
        else set(Federation.objects.subtree(federation).values_list("pk", flat=True))
    )
    expected: CountRows = defaultdict(int)
    for (path, *rest), number in by_path.items():
        for code in path.strip(PATH_SEPARATOR).split(PATH_SEPARATOR):
            if inside is None or ids[code] in inside:  # ancestors above also count other subtrees
                expected[(ids[code], *rest)] += number
    return dict(expected)


def _counts_scope(federation: Federation | None, year: int | None):
    rows = ActivityCount.objects.all()
    if year is not None:
        rows = rows.filter(year=year)
    if federation is not None:
        rows = rows.filter(federation__path__startswith=federation.path)
    return rows


def stored_counts(federation: Federation | None = None, year: int | None = None) -> CountRows:
    """The stored ActivityCount rows in the scope of recompute_counts, zeros left out."""
    rows = _counts_scope(federation, year).exclude(count=0)
    return {(pk, *key): number for pk, *key, number in rows.values_list("federation_id", *COUNT_KEY, "count")}


def count_differences(federation: Federation | None = None, year: int | None = None) -> list[tuple]:
    """(key, stored, expected) for every ActivityCount row that does not match the activities (keys as
    recompute_counts'); check_rollups reports them beside the totals' differences."""
    return _mismatches(stored_counts(federation, year), recompute_counts(federation, year), 0)


def _fill_counts_sql(cursor, activities: str, federations: str, counts: str, year: int | None) -> None:
    """Fill the counts table from the activities, SQL-side: each federation's own activities counted
    per key, then each level added into its parent, bottom up (as the bench builds FigureTotal)."""
    cursor.execute(
        "CREATE TEMPORARY TABLE activity_count_fill (federation_id bigint, depth integer, year integer,"
        " day date, month integer, status varchar(16), due date, n integer)"
    )
    where = "" if year is None else f"WHERE a.year = {int(year)}"
    cursor.execute(
        f"INSERT INTO activity_count_fill SELECT a.federation_id, f.depth, a.year, {COUNT_KEY_SQL}, COUNT(*)"
        f" FROM {activities} a JOIN {federations} f ON f.id = a.federation_id {where}"
        " GROUP BY 1, 2, 3, 4, 5, 6, 7"
    )
    cursor.execute("SELECT MAX(depth) FROM activity_count_fill")
    deepest = cursor.fetchone()[0] or 0
    for depth in range(deepest, 0, -1):
        cursor.execute(
            "INSERT INTO activity_count_fill"
            f" SELECT f.parent_id, {depth - 1}, c.year, c.day, c.month, c.status, c.due, SUM(c.n)"
            f" FROM activity_count_fill c JOIN {federations} f ON f.id = c.federation_id"
            f" WHERE c.depth = {depth} GROUP BY f.parent_id, c.year, c.day, c.month, c.status, c.due"
        )
    cursor.execute(
        f"INSERT INTO {counts} (federation_id, year, day, month, status, due, count)"
        " SELECT federation_id, year, day, month, status, due, SUM(n) FROM activity_count_fill"
        " GROUP BY federation_id, year, day, month, status, due"
    )
    cursor.execute("DROP TABLE activity_count_fill")


def build_counts(year: int | None = None) -> int:
    """Fill ActivityCount (of one year, or all) SQL-side, for an empty table of a bulk-loaded
    database (the bench's); returns the rows written. rebuild_counts is the checked, Python way."""
    table = ActivityCount._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        _fill_counts_sql(cursor, Activity._meta.db_table, Federation._meta.db_table, table, year)
        cursor.execute(
            f"SELECT COUNT(*) FROM {table}" + ("" if year is None else f" WHERE year = {int(year)}")
        )
        return cursor.fetchone()[0]


@transaction.atomic
def rebuild_counts(federation: Federation | None = None, year: int | None = None) -> int:
    """Replace the stored ActivityCount rows (of a subtree and/or year) by recompute_counts; returns
    the rows written."""
    _counts_scope(federation, year).delete()
    expected = recompute_counts(federation, year)
    ActivityCount.objects.bulk_create(
        [
            ActivityCount(federation_id=pk, year=y, day=d, month=m, status=s, due=due, count=n)
            for (pk, y, d, m, s, due), n in expected.items()
        ],
        batch_size=5000,
    )
    return len(expected)


@transaction.atomic
def rebuild(federation: Federation | None = None, year: int | None = None) -> int:
    """Replace the stored totals (of a subtree and/or year) by a recomputation, the Reach counts by
    those the totals imply (rebuild_reach) and the activity counts (rebuild_counts); returns the
    totals rows written."""
    rows = FigureTotal.objects.all()
    if year is not None:
        rows = rows.filter(year=year)
    if federation is not None:
        rows = rows.filter(federation__path__startswith=federation.path)
    rows.delete()
    expected = recompute(federation, year)
    FigureTotal.objects.bulk_create(
        [
            FigureTotal(federation_id=f, year=y, month=m, indicator_id=i, value=v)
            for (f, y, m, i), v in expected.items()
        ],
        batch_size=5000,
    )
    rebuild_reach(federation, year)
    rebuild_counts(federation, year)
    return len(expected)


def differences(federation: Federation | None = None, year: int | None = None) -> list[tuple]:
    """(key, stored, expected) for every total that does not match the raw figures."""
    return _mismatches(stored(federation, year), recompute(federation, year), Decimal(0))


def _mismatches(have: dict, want: dict, zero) -> list[tuple]:
    """(key, stored, expected), in key order, for every key whose stored value (``have``) differs from
    the expected one (``want``); a key missing on one side counts as ``zero`` there. The one
    comparison behind differences, reach_differences and count_differences."""
    return [
        (key, have.get(key, zero), want.get(key, zero))
        for key in sorted(have.keys() | want.keys())
        if have.get(key, zero) != want.get(key, zero)
    ]
