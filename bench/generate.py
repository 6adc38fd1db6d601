"""Generating the benchmark's data on the bench database.

- the tree: the real GB/T 2260 divisions through ``load_divisions`` (or a synthesised tree of the same
  shape when the CSV folder is missing);
- the indicators: the catalogue (``fixtures/indicators.csv``) plus generated sum indicators, ~50;
- plans with a target per indicator for every federation down to county level, and for the sampled
  county's townships and the sampled township's villages, each target split from the upper one
  (``parent_target``), as ``target_split`` links them;
- activities spread over the year with three figures each (done ones), mostly at township and village
  level, written by COPY on PostgreSQL (executemany on SQLite), ``calendar_day`` and
  ``planned_last_day`` set as ``Activity.save`` derives them;
- FigureTotal built SQL-side: leaf sums with one INSERT … SELECT … GROUP BY, then bottom-up level by
  level into the parents; checked against ``activities.totals.differences`` on a sample subtree.
"""

from __future__ import annotations

import io
import random
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from activities import totals
from activities.models import Activity, ActivityStatus, ActivityType, Figure, FigureTotal
from fedwork.divisions import Division, ensure_national_root, load_divisions, read_divisions
from fedwork.models import Federation, Level
from fedwork.progress import ProgressBar
from plans.models import (
    Cadence,
    Comparator,
    Indicator,
    IndicatorKind,
    Plan,
    PlanStatus,
    Target,
    WorkPoint,
)
from plans.services import load_indicator_catalogue

from . import SAMPLE, Scale

SEED = 2013
DONE_SHARE = 0.9
FIGURES_PER_ACTIVITY = 3
CHUNK = 20_000
# Where activities happen, by depth (全国 0 … 村 5): mostly townships and villages.
DEPTH_SHARE = {0: 0.005, 1: 0.01, 2: 0.035, 3: 0.10, 4: 0.25, 5: 0.60}
# …but a federation's own activities in a year stay at a realistic number at the top (全国妇联 does
# not hold 18,000 activities a year); what the cap leaves goes to the levels below.
TOP_CAP = {0: 400, 1: 300, 2: 200}
PROVINCE_CODES = (
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65".split()
)
EXTRA_INDICATORS = [
    ("BJ01", "开展巾帼志愿服务项目数", "项", 0),
    ("BJ02", "走访联系妇女群众人次", "人次", 0),
    ("BJ03", "举办妇女议事会场次", "场次", 0),
    ("BJ04", "建立妇女微家个数", "个", 0),
    ("BJ05", "发展新兴领域妇联组织个数", "个", 0),
    ("BJ06", "开展心理健康服务人次", "人次", 0),
    ("BJ07", "举办巾帼电商培训期数", "期", 0),
    ("BJ08", "带动妇女增收人数", "人", 0),
    ("BJ09", "开展文明实践活动次数", "次", 0),
    ("BJ10", "表彰最美家庭户数", "户", 0),
    ("BJ11", "调解婚姻家庭纠纷件数", "件", 0),
    ("BJ12", "培育巾帼示范基地家数", "家", 0),
    ("BJ13", "筹集公益资金", "万元", 2),
]
# Typical magnitude of one activity's figure, by unit.
VALUE_RANGES = {
    "人": (5, 200),
    "名": (1, 10),
    "人次": (20, 500),
    "场": (1, 5),
    "场次": (1, 5),
    "期": (1, 3),
    "个": (1, 3),
    "篇": (1, 5),
    "条": (1, 8),
    "户": (1, 20),
    "件": (1, 10),
    "次": (1, 5),
    "家": (1, 5),
    "所": (1, 2),
    "项": (1, 2),
    "万元": (0.5, 30.0),
}
POINT_TITLES = [
    "强化思想政治引领，凝聚妇女奋进力量",
    "推动妇女创业就业，助力乡村振兴",
    "关注妇女健康，做好两癌检查救助",
    "依法维护妇女儿童合法权益",
    "加强家庭家教家风建设",
    "深化巾帼文明创建活动",
    "推进基层妇联组织建设",
    "加强宣传舆论和信息工作",
    "壮大巾帼志愿服务队伍",
    "做好困难妇女儿童帮扶关爱",
]
CHINESE_NUMBERS = "一二三四五六七八九十"
TOPICS = [
    "妇女技能培训班",
    "家庭教育讲座",
    "两癌筛查进村居",
    "巾帼志愿服务",
    "最美家庭宣讲",
    "普法宣传进社区",
    "困难妇女走访慰问",
    "妇女议事会",
    "巾帼创业分享会",
    "留守儿童关爱行动",
]
ACTIVITY_COLUMNS = [
    "id",
    "federation_id",
    "year",
    "title",
    "type_id",
    "planned_start",
    "planned_end",
    "planned_month",
    "actual_start",
    "actual_end",
    "place",
    "organiser",
    "description",
    "status",
    "is_main",
    "calendar_day",
    "planned_last_day",
    "created_by_id",
    "updated_by_id",
    "created_at",
    "updated_at",
    "version",
]
FIGURE_COLUMNS = ["id", "activity_id", "indicator_id", "value", "year"]


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def say(out, text: str) -> None:
    out.write(text)
    out.flush()


@dataclass
class Tree:
    """The loaded federations, as plain tuples (665,000 model instances would only cost memory)."""

    by_code: dict[str, int]
    parent: dict[int, int | None]
    depth: dict[int, int]
    path: dict[int, str]
    at_depth: dict[int, list[int]] = field(default_factory=dict)
    children: dict[int, list[int]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Tree:
        tree = cls({}, {}, {}, {})
        at_depth, children = defaultdict(list), defaultdict(list)
        for pk, code, path, depth, parent_id in Federation.objects.values_list(
            "pk", "code", "path", "depth", "parent_id"
        ).order_by("path"):
            tree.by_code[code] = pk
            tree.parent[pk] = parent_id
            tree.depth[pk] = depth
            tree.path[pk] = path
            at_depth[depth].append(pk)
            if parent_id is not None:
                children[parent_id].append(pk)
        tree.at_depth, tree.children = dict(at_depth), dict(children)
        return tree

    def __len__(self) -> int:
        return len(self.depth)


@dataclass
class Generated:
    year: int
    tree: Tree
    township: str  # the sampled township's code
    village: str  # the first village of the sampled township
    federations: int = 0
    activities: int = 0
    figures: int = 0
    plans: int = 0
    targets: int = 0
    totals_rows: int = 0
    divisions: str = ""
    seconds: dict = field(default_factory=dict)
    consistency: dict = field(default_factory=dict)
    submissions: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------------
# The tree


def _real_levels(scale: Scale, folder: Path) -> list[list[Division]]:
    levels = list(read_divisions(folder, provinces=scale.provinces, depth=Level.VILLAGE))
    if scale.name != "small":
        return levels
    # One county with its townships and villages (and the city's other counties, so it has siblings).
    provinces, cities, counties, townships, villages = levels
    provinces = [d for d in provinces if d.code == SAMPLE.province]
    cities = [d for d in cities if d.code == SAMPLE.city]
    counties = [d for d in counties if d.parent_code == SAMPLE.city]
    townships = [d for d in townships if d.parent_code == SAMPLE.county]
    township_codes = {d.code for d in townships}
    villages = [d for d in villages if d.parent_code in township_codes]
    return [provinces, cities, counties, townships, villages]


def synthesise_levels(scale: Scale) -> list[list[Division]]:
    """A tree of the real one's shape, with the sampled path's codes (43 → 4301 → 430102) in it."""
    cities_per, counties_per, townships_per, villages_per = scale.shape
    small = scale.name == "small"
    provinces = [
        Division(code, f"合成省{code}", "00", Level.PROVINCE) for code in (scale.provinces or PROVINCE_CODES)
    ]

    def below(parents: list[Division], count: int, digits: int, name: str, level: Level, suffix: str = ""):
        return [
            Division(f"{p.code}{i:0{digits}d}", f"{name}{p.code}{i:0{digits}d}{suffix}", p.code, level)
            for p in parents
            for i in range(1, count + 1)
        ]

    cities = below(provinces, cities_per, 2, "合成市", Level.CITY)
    counties = below(cities, counties_per, 2, "合成县", Level.COUNTY)
    township_parents = [c for c in counties if c.code == SAMPLE.county] if small else counties
    townships = below(township_parents, townships_per, 3, "合成镇", Level.TOWNSHIP)
    villages = below(townships, villages_per, 3, "合成村", Level.VILLAGE, "村民委员会")
    return [provinces, cities, counties, townships, villages]


def load_tree(scale: Scale, folder: Path | None, out) -> tuple[Tree, str]:
    if folder is not None:
        levels, source = _real_levels(scale, folder), f"CSV {folder}"
    else:
        levels, source = synthesise_levels(scale), "synthesised (no division CSVs)"
    say(out, f"tree: {source}\n")
    ensure_national_root()
    load_divisions(levels, progress=ProgressBar())
    return Tree.load(), source


# ---------------------------------------------------------------------------------------------------
# Indicators and plans


def load_indicators() -> list[Indicator]:
    load_indicator_catalogue(Path(settings.BASE_DIR) / "fixtures" / "indicators.csv")
    owner = ensure_national_root()
    for code, name, unit, places in EXTRA_INDICATORS:
        Indicator.objects.update_or_create(
            code=code,
            defaults={"owner": owner, "name": name, "unit": unit, "decimal_places": places, "keywords": ""},
        )
    return list(Indicator.objects.order_by("code"))


def _mean_value(indicator: Indicator) -> float:
    low, high = VALUE_RANGES.get(indicator.unit, (1, 5))
    return (low + high) / 2


def _target_fields(indicator: Indicator, expected_done: int, n_enterable: int, rng: random.Random, year: int):
    """(comparator, value, cadence, due_date) of a plan's target for this indicator."""
    if indicator.kind == IndicatorKind.RATE:
        return Comparator.AT_LEAST, Decimal(85), Cadence.YEAR, None
    if indicator.kind == IndicatorKind.COVERAGE:
        return Comparator.AT_LEAST, Decimal(70), Cadence.YEAR, None
    if indicator.kind == IndicatorKind.MILESTONE:
        return Comparator.AT_LEAST, Decimal(1), Cadence.YEAR, date(year, 6, 30)
    expected = expected_done * FIGURES_PER_ACTIVITY / n_enterable * _mean_value(indicator)
    value = max(1.0, expected * rng.uniform(0.8, 1.3))
    comparator, cadence = Comparator.AT_LEAST, Cadence.YEAR
    if indicator.code == "XF01":  # 信访件数：不超过
        comparator = Comparator.AT_MOST
    # No monthly cadence (报送工作信息：每月不少于…): the generated targets are yearly, as most are.
    places = indicator.decimal_places
    return comparator, Decimal(str(round(value, places) if places else int(value))), cadence, None


def create_plans(
    tree: Tree,
    plan_ids: list[int],
    indicators: list[Indicator],
    subtree_done: dict[int, int],
    year: int,
    rng: random.Random,
    out,
) -> tuple[int, int]:
    """Plans, work points and targets, top down, each target split from the parent plan's."""
    enterable = [i for i in indicators if i.kind == IndicatorKind.SUM]
    per_point = -(-len(indicators) // len(POINT_TITLES))
    plan_of: dict[int, int] = {}
    point_of: dict[tuple[int, int], int] = {}  # (federation, point index) → work point id
    target_of: dict[tuple[int, int], int] = {}  # (federation, indicator) → target id
    by_depth = defaultdict(list)
    for pk in plan_ids:
        by_depth[tree.depth[pk]].append(pk)
    progress = ProgressBar()
    n_plans = n_targets = done = 0
    for depth in sorted(by_depth):
        feds = by_depth[depth]
        with transaction.atomic():
            plans = Plan.objects.bulk_create(
                [
                    Plan(
                        federation_id=pk,
                        year=year,
                        title=f"{year}年工作要点（{tree.path[pk].rstrip('/').rsplit('/', 1)[-1]}）",
                        status=PlanStatus.PUBLISHED,
                        implements_id=plan_of.get(tree.parent[pk]),
                    )
                    for pk in feds
                ],
                batch_size=2000,
            )
            for plan in plans:
                plan_of[plan.federation_id] = plan.pk
            points = WorkPoint.objects.bulk_create(
                [
                    WorkPoint(
                        plan_id=plan_of[pk],
                        label=CHINESE_NUMBERS[index],
                        title=title,
                        order=index + 1,
                        implements_id=point_of.get((tree.parent[pk], index)),
                    )
                    for pk in feds
                    for index, title in enumerate(POINT_TITLES)
                ],
                batch_size=5000,
            )
            plan_fed = {plan_of[pk]: pk for pk in feds}
            for point in points:
                point_of[(plan_fed[point.plan_id], point.order - 1)] = point.pk
            targets = []
            for pk in feds:
                for position, indicator in enumerate(indicators):
                    comparator, value, cadence, due = _target_fields(
                        indicator, subtree_done.get(pk, 0), len(enterable), rng, year
                    )
                    targets.append(
                        Target(
                            work_point_id=point_of[(pk, position // per_point)],
                            plan_id=plan_of[pk],
                            indicator_id=indicator.pk,
                            comparator=comparator,
                            value=value,
                            cadence=cadence,
                            due_date=due,
                            parent_target_id=target_of.get((tree.parent[pk], indicator.pk)),
                        )
                    )
            created = Target.objects.bulk_create(targets, batch_size=5000)
            point_fed = {point_of[key]: key[0] for key in point_of}
            for target in created:
                target_of[(point_fed[target.work_point_id], target.indicator_id)] = target.pk
        n_plans += len(feds)
        n_targets += len(created)
        done += len(feds)
        progress("plans", done, len(plan_ids))
    say(out, f"plans: {n_plans:,} plans, {n_targets:,} targets (split down the tree by parent_target)\n")
    return n_plans, n_targets


# ---------------------------------------------------------------------------------------------------
# Bulk loading


@contextmanager
def bulk_mode(tables: list[str]):
    """On PostgreSQL: drop the tables' secondary indexes and constraints for the load, then rebuild
    them (the same definitions, read from the catalogue) in one pass each. A no-op on SQLite.

    Only constraints of their own (conparentid = 0): a foreign key to a partitioned table (figures
    to year-partitioned activities) has one derived constraint per partition, which go with it."""
    if not is_postgres():
        yield
        return
    saved: list[tuple[str, str, str]] = []  # (kind, table, definition)
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype <> 'p' AND conparentid = 0 ORDER BY contype DESC",
                [table],
            )
            constraints = cursor.fetchall()
            cursor.execute(
                "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
                "WHERE indrelid = %s::regclass AND NOT indisprimary AND indexrelid NOT IN "
                "(SELECT conindid FROM pg_constraint WHERE conrelid = %s::regclass)",
                [table, table],
            )
            indexes = cursor.fetchall()
            for name, definition in constraints:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                saved.append(
                    ("constraint", table, f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
                )
            for name, definition in indexes:
                cursor.execute(f"DROP INDEX {name}")
                # A partitioned table's index reads "ON ONLY t" (the parent alone, left invalid):
                # rebuilt "ON t" it is built on every partition (year partitions, migration 0016).
                saved.append(("index", table, definition.replace(" ON ONLY ", " ON ", 1)))
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '1GB'")
            # Unique and check constraints first, foreign keys after (they need the referenced keys).
            for _kind, _table, statement in sorted(saved, key=lambda s: ("FOREIGN KEY" in s[2], s[0])):
                cursor.execute(statement)
            cursor.execute("RESET maintenance_work_mem")


def _copy(table: str, columns: list[str], rows: list[tuple]) -> None:
    if is_postgres():
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join("\\N" if value is None else str(value) for value in row))
            buffer.write("\n")
        buffer.seek(0)
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)
    else:
        placeholders = ", ".join(["%s"] * len(columns))
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", rows)


def _reset_sequence(table: str) -> None:
    if is_postgres():
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )


def _next_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        return cursor.fetchone()[0] + 1


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)] if last >= first else []


def generate_activities(
    tree: Tree, indicators: list[Indicator], scale: Scale, year: int, rng: random.Random, out
) -> tuple[int, int, Counter]:
    """Activities (done ones with three figures each) spread over the year; returns counts and the
    done activities per federation."""
    activity_table, figure_table = Activity._meta.db_table, Figure._meta.db_table
    assert set(ACTIVITY_COLUMNS) == {f.column for f in Activity._meta.concrete_fields}, "activity columns"
    assert set(FIGURE_COLUMNS) == {f.column for f in Figure._meta.concrete_fields}, "figure columns"
    n_done = scale.figures // FIGURES_PER_ACTIVITY
    n_total = round(n_done / DONE_SHARE)
    n_planned = round((n_total - n_done) * 0.8)
    statuses = (
        [ActivityStatus.DONE.value] * n_done
        + [ActivityStatus.PLANNED.value] * n_planned
        + [ActivityStatus.CANCELLED.value] * (n_total - n_done - n_planned)
    )
    rng.shuffle(statuses)
    present = {d: s for d, s in DEPTH_SHARE.items() if tree.at_depth.get(d)}
    weight = sum(present.values())
    per_depth = {}
    for depth, share in present.items():
        count = round(n_total * share / weight)
        if depth in TOP_CAP:
            count = min(count, TOP_CAP[depth] * len(tree.at_depth[depth]))
        per_depth[depth] = count
    lower = [d for d in present if d not in TOP_CAP] or [max(present)]
    left, lower_weight = n_total - sum(per_depth.values()), sum(present[d] for d in lower)
    for depth in lower:
        per_depth[depth] += round(left * present[depth] / lower_weight)
    fed_ids: list[int] = []
    for depth, count in per_depth.items():
        fed_ids += rng.choices(tree.at_depth[depth], k=count)
    fed_ids = (fed_ids + rng.choices(tree.at_depth[max(present)], k=n_total))[:n_total]
    rng.shuffle(fed_ids)

    today = timezone.localdate()
    year_start, year_end = date(year, 1, 1), date(year, 12, 31)
    last_done = min(max(today, year_start), year_end)
    done_days = [d.isoformat() for d in _days(year_start, last_done)]
    future_days = [d.isoformat() for d in _days(last_done + timedelta(days=1), year_end)] or done_days
    past_days = [d.isoformat() for d in _days(year_start, last_done - timedelta(days=1))] or done_days
    all_days = [d.isoformat() for d in _days(year_start, year_end)]
    types = list(ActivityType.objects.filter(is_active=True).values_list("pk", "name"))
    enterable = [i for i in indicators if i.kind == IndicatorKind.SUM]
    ranges = [(i.pk, VALUE_RANGES.get(i.unit, (1, 5)), i.decimal_places) for i in enterable]
    main_depths = {0, 1, 2}
    pg = is_postgres()
    now = timezone.now().strftime("%Y-%m-%d %H:%M:%S") + ("+00" if pg else "")

    def moment(day: str, hour: int, minute: int) -> str:
        return f"{day} {hour:02d}:{minute:02d}:00" + ("+00" if pg else "")

    activity_id, figure_id = _next_id(activity_table), _next_id(figure_table)
    done_per_federation: Counter = Counter()
    progress = ProgressBar()
    written_figures = 0
    with bulk_mode([activity_table, figure_table]):
        for start in range(0, n_total, CHUNK):
            activities, figures = [], []
            for index in range(start, min(start + CHUNK, n_total)):
                status, federation_id = statuses[index], fed_ids[index]
                type_id, type_name = types[index % len(types)]
                actual_start = actual_end = None
                if status == ActivityStatus.DONE:
                    day = rng.choice(done_days)
                    hour = rng.randint(0, 9)  # 8:00–17:59 Beijing time is 0:00–9:59 UTC, the same day
                    actual_start = moment(day, hour, rng.randint(0, 59))
                    actual_end = moment(day, hour + 2, 0)
                    done_per_federation[federation_id] += 1
                    for indicator_id, (low, high), places in rng.sample(ranges, FIGURES_PER_ACTIVITY):
                        value = f"{rng.uniform(low, high):.2f}" if places else str(rng.randint(low, high))
                        figures.append((figure_id, activity_id, indicator_id, value, year))
                        figure_id += 1
                elif status == ActivityStatus.PLANNED:
                    day = rng.choice(future_days if rng.random() < 0.8 else past_days)
                else:
                    day = rng.choice(all_days)
                is_main = tree.depth[federation_id] in main_depths and rng.random() < 0.05
                activities.append(
                    (
                        activity_id,
                        federation_id,
                        year,
                        f"{type_name}：{TOPICS[index % len(TOPICS)]}",
                        type_id,
                        day,
                        day,
                        None,
                        actual_start,
                        actual_end,
                        "",
                        "",
                        "",
                        status,
                        ("t" if is_main else "f") if pg else is_main,
                        day,
                        day,
                        None,
                        None,
                        now,
                        now,
                        1,
                    )
                )
                activity_id += 1
            _copy(activity_table, ACTIVITY_COLUMNS, activities)
            _copy(figure_table, FIGURE_COLUMNS, figures)
            written_figures += len(figures)
            progress("activities", min(start + CHUNK, n_total), n_total)
        say(out, "rebuilding indexes and constraints …\n")
    _reset_sequence(activity_table)
    _reset_sequence(figure_table)
    return n_total, written_figures, done_per_federation


# ---------------------------------------------------------------------------------------------------
# FigureTotal, SQL-side


def build_totals(tree: Tree, year: int) -> int:
    """Leaf sums per (federation, month, indicator), then each level added into its parent, bottom up;
    then the Reach counts those totals imply (activities.totals.rebuild_reach, INSERT … SELECT) and the
    activity counts (activities.totals.build_counts, bottom up likewise)."""
    total_table = FigureTotal._meta.db_table
    activity_table, figure_table = Activity._meta.db_table, Figure._meta.db_table
    federation_table = Federation._meta.db_table
    month = (
        "CAST(EXTRACT(MONTH FROM a.calendar_day) AS integer)"
        if is_postgres()
        else "CAST(strftime('%m', a.calendar_day) AS integer)"
    )
    year = int(year)
    temp = "TEMPORARY TABLE" if is_postgres() else "TEMP TABLE"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE {temp} bench_sums (federation_id bigint, depth integer, month integer, "
            f"indicator_id bigint, value numeric)"
        )
        cursor.execute(
            f"INSERT INTO bench_sums "
            f"SELECT a.federation_id, f.depth, {month}, fig.indicator_id, SUM(fig.value) "
            f"FROM {figure_table} fig JOIN {activity_table} a ON a.id = fig.activity_id "
            f"JOIN {federation_table} f ON f.id = a.federation_id "
            f"WHERE a.status = 'done' AND a.year = {year} "
            f"GROUP BY a.federation_id, f.depth, {month}, fig.indicator_id"
        )
        for depth in range(max(tree.at_depth), 0, -1):
            cursor.execute(
                f"INSERT INTO bench_sums "
                f"SELECT f.parent_id, {depth - 1}, s.month, s.indicator_id, SUM(s.value) "
                f"FROM bench_sums s JOIN {federation_table} f ON f.id = s.federation_id "
                f"WHERE s.depth = {depth} GROUP BY f.parent_id, s.month, s.indicator_id"
            )
        with bulk_mode([total_table]):
            cursor.execute(
                f"INSERT INTO {total_table} (federation_id, year, month, indicator_id, value) "
                f"SELECT federation_id, {year}, month, indicator_id, SUM(value) FROM bench_sums "
                f"WHERE value <> 0 GROUP BY federation_id, month, indicator_id"
            )
        cursor.execute("DROP TABLE bench_sums")
        cursor.execute(f"SELECT COUNT(*) FROM {total_table}")
        rows = cursor.fetchone()[0]
    totals.rebuild_reach(year=year)
    totals.build_counts(year)  # activities.ActivityCount, the summary's and the calendar's counts
    return rows


def vacuum_analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if is_postgres() else "ANALYZE")


def check_totals(tree: Tree, township: str, year: int) -> dict:
    """The stored totals and activity counts of the sampled township's subtree against the raw
    figures and activities, and the nation's grand total against the sum of every done figure."""
    federation = Federation.objects.get(code=township)
    problems = totals.differences(federation=federation, year=year)
    problems += totals.count_differences(federation=federation, year=year)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COALESCE(SUM(value), 0) FROM {FigureTotal._meta.db_table} "
            f"WHERE federation_id = %s AND year = %s",
            [tree.by_code[SAMPLE.nation], year],
        )
        nation_total = Decimal(str(cursor.fetchone()[0]))
        cursor.execute(
            f"SELECT COALESCE(SUM(fig.value), 0) FROM {Figure._meta.db_table} fig "
            f"JOIN {Activity._meta.db_table} a ON a.id = fig.activity_id "
            f"WHERE a.status = 'done' AND a.year = %s",
            [year],
        )
        raw_total = Decimal(str(cursor.fetchone()[0]))
    return {
        "subtree": township,
        "differences": len(problems),
        "first_differences": [str(p) for p in problems[:5]],
        "nation_total": float(nation_total),
        "raw_total": float(raw_total),
        "nation_matches_raw": abs(nation_total - raw_total) < Decimal("0.01"),
    }


# ---------------------------------------------------------------------------------------------------
# Everything


def generate(scale: Scale, folder: Path | None, out) -> Generated:
    rng = random.Random(SEED)
    year = timezone.localdate().year
    started = time.perf_counter()
    seconds = {}

    tree, source = load_tree(scale, folder, out)
    seconds["tree"] = time.perf_counter() - started
    say(out, f"tree: {len(tree):,} federations\n")
    county_pk = tree.by_code[SAMPLE.county]
    township_pk = sorted(tree.children[county_pk], key=lambda pk: tree.path[pk])[0]
    township = tree.path[township_pk].rstrip("/").rsplit("/", 1)[-1]
    village_pk = sorted(tree.children[township_pk], key=lambda pk: tree.path[pk])[0]
    village = tree.path[village_pk].rstrip("/").rsplit("/", 1)[-1]
    indicators = load_indicators()
    say(out, f"indicators: {len(indicators)} (catalogue + generated sum indicators)\n")

    step = time.perf_counter()
    n_activities, n_figures, done_per_federation = generate_activities(
        tree, indicators, scale, year, rng, out
    )
    seconds["activities"] = time.perf_counter() - step
    say(out, f"activities: {n_activities:,} activities, {n_figures:,} figures\n")

    # Plans for every federation down to county level, the sampled county's townships and the
    # sampled township's villages; target values follow the subtree's expected results.
    step = time.perf_counter()
    subtree_done: dict[int, int] = defaultdict(int, done_per_federation)
    for depth in sorted(tree.at_depth, reverse=True):
        if depth == 0:
            continue
        for pk in tree.at_depth[depth]:
            if subtree_done.get(pk):
                subtree_done[tree.parent[pk]] += subtree_done[pk]
    plan_ids = [pk for depth in (0, 1, 2, 3) for pk in tree.at_depth.get(depth, [])]
    plan_ids += tree.children.get(county_pk, []) + tree.children.get(township_pk, [])
    n_plans, n_targets = create_plans(tree, plan_ids, indicators, subtree_done, year, rng, out)
    seconds["plans"] = time.perf_counter() - step

    step = time.perf_counter()
    totals_rows = build_totals(tree, year)
    seconds["totals"] = time.perf_counter() - step
    say(out, f"figure totals: {totals_rows:,} rows (built SQL-side, bottom up)\n")

    # The periodic reports (bench/submissions.py), bulk-written like the activities.
    from .submissions import generate_submissions

    step = time.perf_counter()
    submissions = generate_submissions(
        tree,
        year,
        rng,
        {county_pk, township_pk, village_pk},
        [i.pk for i in indicators if i.kind == IndicatorKind.SUM],
        out,
    )
    seconds["submissions"] = time.perf_counter() - step

    step = time.perf_counter()
    vacuum_analyze()
    seconds["vacuum"] = time.perf_counter() - step
    consistency = check_totals(tree, township, year)
    say(
        out,
        f"consistency: totals.differences({township}, {year}) = {consistency['differences']} differences; "
        "nation total "
        + ("matches" if consistency["nation_matches_raw"] else "DOES NOT MATCH")
        + " the raw figures\n",
    )
    seconds["total"] = time.perf_counter() - started
    return Generated(
        year=year,
        tree=tree,
        township=township,
        village=village,
        federations=len(tree),
        activities=n_activities,
        figures=n_figures,
        plans=n_plans,
        targets=n_targets,
        totals_rows=totals_rows,
        divisions=source,
        seconds={key: round(value, 1) for key, value in seconds.items()},
        consistency=consistency,
        submissions=submissions,
    )


def reuse(out) -> Generated:
    """The data of a database kept by an earlier run (``--keep``), for measuring again (``--reuse``).

    The write path's activities of earlier runs are still there; the imported rows and the HTTP run's
    saves were removed (measure.remove_bench_activities).
    """
    tree = Tree.load()
    year = Plan.objects.order_by("-year").values_list("year", flat=True).first()
    if year is None:
        raise RuntimeError("the database has no plans: it was not generated by bench")
    county_pk = tree.by_code[SAMPLE.county]
    township_pk = sorted(tree.children[county_pk], key=lambda pk: tree.path[pk])[0]
    village_pk = sorted(tree.children[township_pk], key=lambda pk: tree.path[pk])[0]
    township = tree.path[township_pk].rstrip("/").rsplit("/", 1)[-1]
    village = tree.path[village_pk].rstrip("/").rsplit("/", 1)[-1]
    say(out, f"reusing the kept database: {len(tree):,} federations, year {year}\n")
    consistency = check_totals(tree, township, year)
    return Generated(
        year=year,
        tree=tree,
        township=township,
        village=village,
        federations=len(tree),
        activities=Activity.objects.count(),
        figures=Figure.objects.count(),
        plans=Plan.objects.count(),
        targets=Target.objects.count(),
        totals_rows=FigureTotal.objects.count(),
        divisions="reused database kept by an earlier run (--reuse)",
        consistency=consistency,
        submissions=_submission_counts(year),
    )


def _submission_counts(year: int) -> dict:
    from submissions.models import ReportingSchedule, Submission

    return {
        "schedules": ReportingSchedule.objects.filter(year=year).count(),
        "submissions": Submission.objects.filter(year=year).count(),
    }
