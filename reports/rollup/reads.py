"""The roll-up: results of a federation and everything below it, against its targets.

The one place that reads what leaders see (dashboards, the API, the annual Excel export, the
year-end summary, the assessment). It reads the pre-aggregated FigureTotal rows (kept current on
every write, see activities.totals) in a fixed number of queries, whatever the size of the tree:

- a sum indicator: the figures of done activities of F and every federation below it;
- a rate: recomputed from its summed numerator and denominator, never averaged;
- a coverage: the share of F's direct children whose own subtree reports the base indicator > 0
  (for F's children, the share of their own children: activities.Reach, a maintained count);
- a milestone: met when a done activity is marked as achieving the target.

Totals are kept per month, so a figure counts from the month it happened in. How each result is
judged (completion, status, score, rank, time progress) is ``judging``'s, not this module's.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import connection, connections, router
from django.utils.translation import gettext_lazy as _

from activities.models import COUNTED_STATUSES, Activity, FigureTotal, Reach
from fedwork.models import Federation
from plans.models import Indicator, IndicatorKind, Plan, Target, WorkPoint, outline

from .judging import (
    HUNDRED,
    Judge,
    Progress,
    count_done,
    count_lagging,
    counted_months,
    default_as_of,
    monthly_completion,
    percent_of,
    rank,
    weighted_score,
    year_on_year,
)


@dataclass
class ChildResult:
    """A direct child: the targets split to it, its subtree's results, its score and rank."""

    federation: Federation
    progress: list[Progress]
    score: Decimal | None
    rank: int | None = None

    @property
    def done_count(self) -> int:
        return count_done(self.progress)

    @property
    def lagging_count(self) -> int:
        """Targets lagging, overdue or not started: what a leader follows up (judging.LAGGING_STATUSES)."""
        return count_lagging(self.progress)


@dataclass
class Rollup:
    federation: Federation
    year: int
    as_of: date
    expected_share: Decimal
    progress: list[Progress]
    children: list[ChildResult]
    monthly_completion: list[Decimal | None]  # overall completion at the end of each month (sums only)
    approved_only: bool = False  # judged on approved reports' figures (仅已审核), not all recorded
    # 本级 and 下级 parts of each target's result, so that 本级 + Σ 下级 = the target's 完成 (合计):
    # own_figures[target pk] is what F's own activities did (its total less its children's); and
    # child_figures[(child pk, target pk)] is each child's subtree's figure for the target's indicator,
    # whether or not the target was split to that child. Sums and rates only: a coverage or a
    # milestone has no own part.
    own_figures: dict[int, Decimal | None] = field(default_factory=dict)
    child_figures: dict[tuple[int, int], Decimal | None] = field(default_factory=dict)

    def without_ranks(self) -> Rollup:
        """The same roll-up with the children's ranks taken out (for those who may not see rankings:
        fedwork.access.may_see_ranking); their scores stay."""
        for child in self.children:
            child.rank = None
        return self

    @property
    def overall_completion(self) -> Decimal | None:
        return weighted_score(self.progress) if self.progress else None

    @property
    def expected_percent(self) -> Decimal:
        """Time progress (时间进度) in percent: the expected share of the year by as_of."""
        return self.expected_share * HUNDRED

    @property
    def done_count(self) -> int:
        return count_done(self.progress)

    @property
    def lagging_first(self) -> list[Progress]:
        return sorted(
            self.progress, key=lambda p: (not p.is_lagging, _document_position(p.target), p.target.pk)
        )


def _document_position(target) -> tuple:
    """Where the target's work point stands in its plan (set by _targets when points nest)."""
    point = target.work_point
    return getattr(point, "document_position", ((point.order, point.pk),))


@dataclass(slots=True, eq=False)
class SplitTarget:
    """A child's share of an upper target, as the roll-up reads it: the child's Target row, with the
    upper target's indicator and work point objects shared rather than loaded again per child.

    Not a model instance: a county's roll-up reads hundreds of these per request, and building model
    instances was a fifth of its time. ``annual_value`` follows the model's rule.
    """

    COLUMNS: ClassVar = (  # Target's columns, in the order of the fields below
        "id",
        "parent_target_id",
        "comparator",
        "value",
        "max_value",
        "cadence",
        "due_date",
        "weight",
    )

    pk: int
    parent_target_id: int
    comparator: str
    value: Decimal
    max_value: Decimal | None
    cadence: str
    due_date: date | None
    weight: Decimal
    indicator: Indicator
    work_point: WorkPoint

    annual_value = Target.annual_value

    @property
    def indicator_id(self) -> int:
        return self.indicator.pk


# ---------------------------------------------------------------------------------------------------
# Reading the data. Every dashboard and API call runs the roll-up, and building its querysets took
# more CPU than PostgreSQL spent answering them; so, except for the targets themselves (model
# instances that pages and exports use), it reads with plain SQL in the ORM's types.


def _marks(values) -> str:
    """Placeholders for ``IN (…)``: one per value (callers skip empty lists)."""
    return ", ".join(["%s"] * len(values))


def _table(model) -> str:
    """A model's table, quoted for the SQL below (which names no table itself: a renamed model or an
    explicit through model keeps working)."""
    return connection.ops.quote_name(model._meta.db_table)


def _column(model, name: str) -> str:
    """A field's column, quoted (through tables name theirs after the models they link)."""
    return connection.ops.quote_name(model._meta.get_field(name).column)


def _approved_table() -> str:
    from submissions.models import ApprovedTotal

    return ApprovedTotal._meta.db_table


def _read_connection():
    return connections[router.db_for_read(FigureTotal)]


def _select(sql: str, params: list, fields: tuple = ()) -> list[tuple]:
    """The rows of a SELECT, each column converted as the ORM converts its model field (``fields``,
    None where nothing needs converting). On PostgreSQL nothing does: psycopg2 returns Decimal and
    date; SQLite returns numbers and dates as float and text. Read where the ORM would read the
    totals: the replica inside a view marked ``reads_from_replica`` (fedwork/db_router.py)."""
    connection = _read_connection()
    converters = [
        (position, converter)
        for position, field in enumerate(fields)
        if field is not None
        for converter in connection.ops.get_db_converters(field.cached_col)
        + field.get_db_converters(connection)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not converters:
        return rows
    converted = []
    for row in rows:
        row = list(row)
        for position, converter in converters:
            row[position] = converter(row[position], fields[position].cached_col, connection)
        converted.append(tuple(row))
    return converted


class _Totals:
    """Per-federation, per-indicator sums read from FigureTotal (for F: also per month)."""

    def __init__(
        self,
        federation: Federation,
        child_ids: list[int],
        indicator_ids: set[int],
        year: int,
        last_month: int,
        table: str = FigureTotal._meta.db_table,
    ):
        self.monthly: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 12)
        self.by_child: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
        if not indicator_ids or last_month == 0:
            return
        indicators = sorted(indicator_ids)
        rows = _select(
            f"SELECT indicator_id, month, value FROM {table}"
            f" WHERE federation_id = %s AND year = %s AND indicator_id IN ({_marks(indicators)})"
            " AND month <= %s",
            [federation.pk, year, *indicators, last_month],
            (None, None, FigureTotal._meta.get_field("value")),
        )
        for indicator_id, month, value in rows:
            self.monthly[indicator_id][month - 1] += value
        if child_ids:
            child_rows = _select(
                f"SELECT federation_id, indicator_id, SUM(value) FROM {table}"
                f" WHERE federation_id IN ({_marks(child_ids)}) AND year = %s"
                f" AND indicator_id IN ({_marks(indicators)}) AND month <= %s"
                " GROUP BY federation_id, indicator_id",
                [*child_ids, year, *indicators, last_month],
                (None, None, FigureTotal._meta.get_field("value")),
            )
            for federation_id, indicator_id, value in child_rows:
                self.by_child[(federation_id, indicator_id)] = value

    def own(self, indicator_id: int) -> Decimal:
        return sum(self.monthly[indicator_id], Decimal(0)) if indicator_id in self.monthly else Decimal(0)

    def child(self, federation_id: int, indicator_id: int) -> Decimal:
        return self.by_child.get((federation_id, indicator_id), Decimal(0))


def _targets(federation: Federation, year: int) -> list[Target]:
    """F's targets that have an indicator, in work-point order, with their indicator and work point
    (one object per indicator and per work point, shared by the targets)."""
    models = (Target, Indicator, WorkPoint)
    fields = [model._meta.concrete_fields for model in models]
    columns = ", ".join(
        f'{alias}."{field.column}"'
        for alias, model_fields in zip("tiw", fields, strict=True)
        for field in model_fields
    )
    rows = _select(
        f"SELECT {columns} FROM {_table(Target)} t JOIN {_table(Plan)} p ON p.id = t.plan_id"
        f" JOIN {_table(Indicator)} i ON i.id = t.indicator_id"
        f" JOIN {_table(WorkPoint)} w ON w.id = t.work_point_id"
        ' WHERE p.federation_id = %s AND p.year = %s ORDER BY w."order", w.id, t.id',
        [federation.pk, year],
        tuple(field for model_fields in fields for field in model_fields),
    )
    db = _read_connection().alias
    loaded = {Indicator: {}, WorkPoint: {}}

    def shared(model, values):  # one object per row id (the first column)
        if values[0] not in loaded[model]:
            loaded[model][values[0]] = model.from_db(db, None, values)
        return loaded[model][values[0]]

    first, second = len(fields[0]), len(fields[0]) + len(fields[1])
    targets = []
    for row in rows:
        target = Target.from_db(db, None, row[:first])
        target.indicator = shared(Indicator, row[first:second])
        target.work_point = shared(WorkPoint, row[second:])
        targets.append(target)
    points = loaded[WorkPoint].values()
    if any(point.parent_id for point in points):
        # w."order" numbers a point among its siblings only: 二（一）1． needs its ancestors' too.
        rows = WorkPoint.objects.filter(plan__federation=federation, plan__year=year).outline_rows()
    else:
        rows = [point.outline_row for point in points]  # all top-level: no query
    numbered = outline(rows)
    for point in points:
        # The full label (二（一）1．) the pages and the export print, and the document's order, in
        # which a plan typed with 2． before 1． still lists 1． first.
        point.full_text, point.document_position = numbered[point.pk]
    targets.sort(key=lambda target: (target.work_point.document_position, target.pk))
    return targets


def _split_target_rows(upper_ids: list[int], child_ids: list[int]) -> list[tuple]:
    """The children's shares of F's targets: (child id, indicator id, *SplitTarget.COLUMNS) per row."""
    columns = ("indicator_id", *SplitTarget.COLUMNS)
    return _select(
        f"SELECT p.federation_id, {', '.join('t.' + column for column in columns)}"
        f" FROM {_table(Target)} t JOIN {_table(Plan)} p ON p.id = t.plan_id"
        f" WHERE t.parent_target_id IN ({_marks(upper_ids)}) AND p.federation_id IN ({_marks(child_ids)})"
        " ORDER BY t.id",
        [*upper_ids, *child_ids],
        (None, *(Target._meta.get_field(column) for column in columns)),
    )


def _previous_totals(
    federation_ids: list[int], indicator_ids: set[int], year: int, last_month: int, table: str
) -> dict[tuple[int, int], Decimal]:
    """上年同期: per (federation, indicator), the sum of the year before ``year``'s totals over its
    months 1..last_month (totals are kept per month: the finest comparison they allow). One query."""
    if not federation_ids or not indicator_ids or last_month == 0:
        return {}
    indicators = sorted(indicator_ids)
    rows = _select(
        f"SELECT federation_id, indicator_id, SUM(value) FROM {table}"
        f" WHERE federation_id IN ({_marks(federation_ids)}) AND year = %s"
        f" AND indicator_id IN ({_marks(indicators)}) AND month <= %s"
        " GROUP BY federation_id, indicator_id",
        [*federation_ids, year - 1, *indicators, last_month],
        (None, None, FigureTotal._meta.get_field("value")),
    )
    return {(federation_id, indicator_id): value for federation_id, indicator_id, value in rows}


def previous_result(
    indicator: Indicator,
    federation_id: int,
    previous: dict[tuple[int, int], Decimal],
    child_ids: list[int] | None = None,
) -> Decimal | None:
    """Last year's result of one federation for an indicator, from ``_previous_totals``' rows.

    A sum: its total (None when no row was recorded). A rate: recomputed from last year's summed
    numerator and denominator (None without a denominator). A coverage: the share of ``child_ids``
    whose subtree reported the base > 0 (None when none of them reported it at all, or no children
    are given). A milestone: None (met or not, it has no figure to compare).
    """
    kind = indicator.kind
    if kind == IndicatorKind.SUM:
        return previous.get((federation_id, indicator.pk))
    if kind == IndicatorKind.RATE:
        denominator = previous.get((federation_id, indicator.denominator_id))
        return percent_of(previous.get((federation_id, indicator.numerator_id), Decimal(0)), denominator)
    if kind == IndicatorKind.COVERAGE and child_ids:
        values = [previous.get((child_id, indicator.base_id)) for child_id in child_ids]
        if all(value is None for value in values):
            return None
        return percent_of(sum(1 for value in values if value), len(child_ids))
    return None


def _milestones_met(target_ids: list[int], as_of: date) -> set[int]:
    """The milestone targets a done activity on or before as_of is marked as achieving."""
    if not target_ids:
        return set()
    through = Activity.achieves.through
    activity, target = _column(through, "activity"), _column(through, "target")
    rows = _select(
        f"SELECT DISTINCT aa.{target} FROM {_table(through)} aa"
        f" JOIN {_table(Activity)} a ON a.id = aa.{activity}"
        f" WHERE aa.{target} IN ({_marks(target_ids)}) AND a.status IN ({_marks(COUNTED_STATUSES)})"
        " AND a.calendar_day <= %s",
        [
            *target_ids,
            *(status.value for status in COUNTED_STATUSES),
            connection.ops.adapt_datefield_value(as_of),
        ],
    )
    return {target_id for (target_id,) in rows}


def _grandchildren_reached(
    child_ids: list[int], bases: set[int], year: int, last_month: int, source: str = Reach.Source.RECORDED
) -> tuple[dict[tuple[int, int], int], dict[int, int]]:
    """For coverage: per (child, base indicator), how many of the child's own children reported the
    base indicator > 0 in months 1..last_month; and per child, how many children it has.

    The first from activities.Reach (kept by every write: the children that first reached it in
    each month, summed up to last_month), an index range of at most twelve rows per pair instead of
    counting the grandchildren's totals; ``source`` is Reach.Source.APPROVED for 仅已审核."""
    bases = sorted(bases)
    reached = _select(
        f"SELECT parent_id, indicator_id, SUM(children) FROM {_table(Reach)}"
        f" WHERE source = %s AND parent_id IN ({_marks(child_ids)}) AND year = %s"
        f" AND indicator_id IN ({_marks(bases)}) AND month <= %s GROUP BY parent_id, indicator_id",
        [str(source), *child_ids, year, *bases, last_month],
    )
    counts = _select(
        f"SELECT parent_id, COUNT(*) FROM {_table(Federation)} WHERE parent_id IN ({_marks(child_ids)})"
        " GROUP BY parent_id",
        child_ids,
    )
    return {(parent, indicator): n for parent, indicator, n in reached if n}, dict(counts)


def _needed_indicators(indicators) -> set[int]:
    """The indicators whose totals the targets' indicators read (a rate reads two, coverage its base)."""
    ids = set()
    for indicator in indicators:
        ids.add(indicator.pk)
        ids.update(i for i in (indicator.numerator_id, indicator.denominator_id, indicator.base_id) if i)
    return ids


def rollup(
    federation: Federation, year: int, as_of: date | None = None, *, approved_only: bool = False
) -> Rollup:
    """The roll-up for F, a year and a date: F's targets with their results, and each direct child's.

    ``approved_only`` judges on the figures of approved reports (submissions.ApprovedTotal, 仅已审核)
    instead of everything recorded (FigureTotal, the default and real time); milestones are judged on
    the activities marked as achieving them either way.

    Each Progress (F's and the children's) carries ``previous``, the same federation's result for
    its indicator in year - 1 over the same months (上年同期, see previous_result), and so its
    ``change`` (同比增减): one more query, whatever the number of targets.
    """
    table = _approved_table() if approved_only else FigureTotal._meta.db_table
    source = Reach.Source.APPROVED if approved_only else Reach.Source.RECORDED
    as_of = as_of or default_as_of(year)
    last_month = counted_months(year, as_of)

    targets = _targets(federation, year)
    children = list(Federation.objects.children_of(federation).order_by("code"))
    child_ids = [child.pk for child in children]
    child_targets: dict[int, list[SplitTarget]] = defaultdict(list)
    if targets and children:
        # Hundreds of split targets at a county: share the upper target's indicator and work point
        # objects instead of building new ones for every child (the roll-up's main cost is Python).
        upper_by_id = {target.pk: target for target in targets}
        rows = _split_target_rows(list(upper_by_id), child_ids)
        others = {row[1] for row in rows} - {t.indicator_id for t in targets}
        indicators = {t.indicator_id: t.indicator for t in targets}
        if others:
            indicators.update(Indicator.objects.in_bulk(others))
        for child_id, indicator_id, *fields in rows:
            upper = upper_by_id[fields[1]]
            child_targets[child_id].append(SplitTarget(*fields, indicators[indicator_id], upper.work_point))
    all_targets = targets + [t for ts in child_targets.values() for t in ts]
    # Split targets share the upper targets' indicator objects: one pass over the distinct ones.
    indicator_ids = _needed_indicators({id(t.indicator): t.indicator for t in all_targets}.values())
    totals = _Totals(federation, child_ids, indicator_ids, year, last_month, table)
    # 同比: last year's totals of F and its children, same months, one query.
    previous = _previous_totals([federation.pk, *child_ids], indicator_ids, year, last_month, table)

    milestones_met = _milestones_met(
        [t.pk for t in all_targets if t.indicator.kind == IndicatorKind.MILESTONE], as_of
    )
    coverage_bases = {t.indicator.base_id for t in all_targets if t.indicator.kind == IndicatorKind.COVERAGE}
    grandchildren_with, grandchildren_all = {}, {}
    if coverage_bases and children:
        grandchildren_with, grandchildren_all = _grandchildren_reached(
            child_ids, coverage_bases, year, last_month, source
        )

    def achieved_for(target: Target, value_of, coverage) -> Decimal | None:
        indicator = target.indicator
        kind = indicator.kind
        if kind == IndicatorKind.SUM:
            return value_of(indicator.pk)
        if kind == IndicatorKind.RATE:
            return percent_of(value_of(indicator.numerator_id), value_of(indicator.denominator_id))
        if kind == IndicatorKind.COVERAGE:
            return coverage(indicator.base_id)
        return None  # a milestone: judged by the activities marked as achieving it

    def own_coverage(base_id: int) -> Decimal | None:
        # F's children's totals are read anyway: counting them here needs no Reach row.
        reached = sum(1 for child in children if totals.child(child.pk, base_id) > 0)
        return percent_of(reached, len(children))

    judge = Judge.on(year, as_of, Decimal(settings.FEDWORK_PROGRESS_TOLERANCE), milestones_met)
    progress = []
    monthly_by_indicator = totals.monthly
    for target in targets:
        monthly = (
            list(monthly_by_indicator[target.indicator_id])
            if target.indicator.kind == IndicatorKind.SUM
            else []
        )
        own_progress = judge.progress(target, achieved_for(target, totals.own, own_coverage), monthly)
        own_progress.previous = previous_result(target.indicator, federation.pk, previous, child_ids)
        progress.append(own_progress)

    # The children's part is the roll-up's inner loop (a county: 14 children × 50 targets).
    results = []
    for child in children:
        child_pk = child.pk
        grandchildren = grandchildren_all.get(child_pk, 0)

        def value_of(indicator_id, child_pk=child_pk):
            return totals.child(child_pk, indicator_id)

        def coverage(base_id, child_pk=child_pk, grandchildren=grandchildren):
            return percent_of(grandchildren_with.get((child_pk, base_id), 0), grandchildren)

        child_progress = [
            judge.progress(target, achieved_for(target, value_of, coverage), [])
            for target in child_targets.get(child_pk, ())
        ]
        if previous:
            for item in child_progress:
                item.previous = previous_result(item.target.indicator, child_pk, previous)
        score = weighted_score(child_progress) if child_progress else None
        results.append(ChildResult(child, child_progress, score))
    rank(results)

    own_figures: dict[int, Decimal | None] = {}
    child_figures: dict[tuple[int, int], Decimal | None] = {}

    def own_value(indicator_id: int) -> Decimal:
        return totals.own(indicator_id) - sum(
            (totals.child(child_pk, indicator_id) for child_pk in child_ids), Decimal(0)
        )

    for target in targets:
        if target.indicator.kind not in OWN_PART_KINDS:
            continue
        own_figures[target.pk] = achieved_for(target, own_value, None)
        for child_pk in child_ids:
            child_figures[(child_pk, target.pk)] = achieved_for(
                target, lambda indicator_id, child_pk=child_pk: totals.child(child_pk, indicator_id), None
            )
    return Rollup(
        federation,
        year,
        as_of,
        judge.share,
        progress,
        results,
        monthly_completion(progress, last_month),
        approved_only,
        own_figures,
        child_figures,
    )


def own_name(federation: Federation) -> str:
    """The 本级 row's name: 长沙市妇联（本级）."""
    return _("%(name)s（本级）") % {"name": federation.display_name}


# The kinds of indicator whose result splits into 本级 and 下级 parts (see Rollup.own_figures).
OWN_PART_KINDS = (IndicatorKind.SUM, IndicatorKind.RATE)


@dataclass
class IndicatorRow:
    """One indicator's recorded figures in a year: 本级, each direct child (in the order of
    IndicatorStatistics.children), and 合计 (the federation's subtree)."""

    indicator: Indicator
    own: Decimal
    children: list[Decimal]
    total: Decimal
    previous: Decimal | None = None  # 上年同期: the subtree's total the year before, same months

    @property
    def change(self) -> Decimal | None:
        """同比增减 of 合计, in percent (see year_on_year)."""
        return year_on_year(self.total, self.previous)


@dataclass
class IndicatorStatistics:
    """Every indicator recorded in a federation's subtree in a year up to a date (指标统计), with or
    without a target: what the offices call the 统计年报."""

    federation: Federation
    children: list[Federation]
    rows: list[IndicatorRow]

    def row_for(self, indicator_id: int) -> IndicatorRow | None:
        return next((row for row in self.rows if row.indicator.pk == indicator_id), None)


def indicator_statistics(
    federation: Federation, year: int, as_of: date, children: list[Federation] | None = None
) -> IndicatorStatistics:
    """The 指标统计 of F: four queries (F's totals, the children's, the indicators, F's totals the
    year before over the same months for 上年同期), whatever the tree."""
    if children is None:
        children = list(Federation.objects.children_of(federation).order_by("code"))
    last_month = counted_months(year, as_of)
    if last_month == 0:
        return IndicatorStatistics(federation, children, [])
    value_field = FigureTotal._meta.get_field("value")
    totals = dict(
        _select(
            f"SELECT indicator_id, SUM(value) FROM {FigureTotal._meta.db_table}"
            " WHERE federation_id = %s AND year = %s AND month <= %s GROUP BY indicator_id",
            [federation.pk, year, last_month],
            (None, value_field),
        )
    )
    by_child: dict[tuple[int, int], Decimal] = {}
    child_ids = [child.pk for child in children]
    if child_ids and totals:
        for child_id, indicator_id, value in _select(
            f"SELECT federation_id, indicator_id, SUM(value) FROM {FigureTotal._meta.db_table}"
            f" WHERE federation_id IN ({_marks(child_ids)}) AND year = %s AND month <= %s"
            " GROUP BY federation_id, indicator_id",
            [*child_ids, year, last_month],
            (None, None, value_field),
        ):
            by_child[(child_id, indicator_id)] = value
    previous = _previous_totals([federation.pk], set(totals), year, last_month, FigureTotal._meta.db_table)
    rows = []
    for indicator in Indicator.objects.filter(pk__in=totals).order_by("code", "pk"):
        total = totals[indicator.pk] or Decimal(0)
        values = [by_child.get((child_id, indicator.pk), Decimal(0)) for child_id in child_ids]
        rows.append(
            IndicatorRow(
                indicator,
                total - sum(values, Decimal(0)),
                values,
                total,
                previous.get((federation.pk, indicator.pk)),
            )
        )
    return IndicatorStatistics(federation, children, rows)


__all__ = [
    "ChildResult",
    "IndicatorRow",
    "IndicatorStatistics",
    "Rollup",
    "SplitTarget",
    "indicator_statistics",
    "own_name",
    "previous_result",
    "rollup",
]
