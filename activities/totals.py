"""Keeping FigureTotal current: every write of activities and figures applies its delta here.

A done activity contributes its figures to the month it happened in, for its own federation and
every ancestor. A write computes the contribution before and after and applies the difference as
atomic increments (INSERT … ON CONFLICT DO UPDATE SET value = value + excluded.value), so
concurrent writers never lose an update, with no batch job and no stale cache.
"""

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection, transaction

from fedwork.models import PATH_SEPARATOR, Federation

from .models import COUNTED_STATUSES, Activity, Figure, FigureTotal

# (federation path, year, month, indicator id) → value
Contribution = dict[tuple[str, int, int, int], Decimal]


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
    """What a (saved or about to be saved) activity adds to the totals: nothing unless it counts
    (Activity.counts_toward_totals)."""
    month = activity_month(activity)
    if not activity.counts_toward_totals or month is None:
        return {}
    result: Contribution = defaultdict(Decimal)
    for indicator_id, value in figures:
        result[(path, activity.year, month, indicator_id)] += value
    return result


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
    """Add the delta to the totals of each federation on the path and every ancestor."""
    if not delta:
        return
    codes = {code for path, *_rest in delta for code in path.strip(PATH_SEPARATOR).split(PATH_SEPARATOR)}
    ids = dict(Federation.objects.filter(code__in=codes).values_list("code", "pk"))
    rows: dict[tuple[int, int, int, int], Decimal] = defaultdict(Decimal)
    for (path, year, month, indicator_id), value in delta.items():
        for code in path.strip(PATH_SEPARATOR).split(PATH_SEPARATOR):
            rows[(ids[code], year, month, indicator_id)] += value
    increment(rows)


def increment(rows: dict[tuple[int, int, int, int], Decimal], model=FigureTotal) -> None:
    """Add {(federation id, year, month, indicator id): value} to a totals table of FigureTotal's shape
    (FigureTotal, or submissions.ApprovedTotal), as atomic increments."""
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
    # Its own transaction when called alone; inside a caller's, no savepoint (two more round trips per
    # save): a failed increment fails the whole write anyway.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement for all rows: psycopg2's executemany sends them one by one.
            from psycopg2.extras import execute_values

            execute_values(cursor.cursor, sql.replace("(%s, %s, %s, %s, %s)", "%s"), params, page_size=1000)
        else:
            cursor.executemany(sql, params)


def move_subtree(old_path: str, new_path: str) -> None:
    """A federation moved: its subtree's totals leave the old ancestors and join the new ones.

    Called by fedwork.services.federation_move inside the move's transaction."""
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


@transaction.atomic
def rebuild(federation: Federation | None = None, year: int | None = None) -> int:
    """Replace the stored totals (of a subtree and/or year) by a recomputation; returns rows written."""
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
    return len(expected)


def differences(federation: Federation | None = None, year: int | None = None) -> list[tuple]:
    """(key, stored, expected) for every total that does not match the raw figures."""
    have, want = stored(federation, year), recompute(federation, year)
    return [
        (key, have.get(key, Decimal(0)), want.get(key, Decimal(0)))
        for key in sorted(have.keys() | want.keys())
        if have.get(key, Decimal(0)) != want.get(key, Decimal(0))
    ]
