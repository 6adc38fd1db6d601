"""Year partitions of the activity tables on PostgreSQL (migration 0016, docs/scaling.md).

Activities, figures, totals, coverage counts and the history of activities and figures are
partitioned by RANGE (year): ``<table>_y<year>`` per year and ``<table>_default`` for any year that
has none. This module creates a year's partitions before its first row (``ensure_year``) and
detaches and archives a closed year (``archive_year``). SQLite has plain tables: both refuse there.
"""

import gzip
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

# Referenced tables first: the order of the archive's COPY blocks, so that it loads back in order.
TABLES = [
    "activities_activity",
    "activities_figure",
    "activities_figuretotal",
    "activities_reach",
    "activities_historicalactivity",
    "activities_historicalfigure",
]
FIGURE_FK = "activities_figure_activity_year_fk"  # migration 0016
# Rows outside the partitioned tables that point at an activity (no year of their own): archived
# with the year's activities, then removed (links) or cleared (attachments), as a delete would.
LINK_TABLES = ["activities_activity_work_points", "activities_activity_achieves"]
# Plain tables with rows of the year that follow the partitions' rows: archived and removed with them.
# The approved reports' totals, since the approved coverage counts (Reach, source "approved") that
# follow them leave with the year's Reach (the reports themselves stay, with their snapshots); and the
# activity counts (ActivityCount), which count the year's activities: left behind, check_rollups would
# find them without their activities.
YEAR_TABLES = ["submissions_approvedtotal", "activities_activitycount"]


def is_partitioned() -> bool:
    """Whether this database holds the activity tables partitioned (PostgreSQL after 0016)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = 'activities_activity'::regclass")
        return cursor.fetchone() is not None


def _require_partitions() -> None:
    if not is_partitioned():
        raise ValidationError(_("仅 PostgreSQL 支持按年度分区（当前数据库的活动表未分区）。"))


def partition_years() -> dict[int, dict[str, int]]:
    """{year: {table: estimated rows}} of the yearly partitions attached now (the planner's
    estimate, pg_class.reltuples: -1 before the first ANALYZE). PostgreSQL only."""
    _require_partitions()
    years: dict[int, dict[str, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT parent.relname, child.relname, child.reltuples::bigint FROM pg_inherits "
            "JOIN pg_class parent ON parent.oid = inhparent JOIN pg_class child ON child.oid = inhrelid "
            "WHERE parent.relname = ANY(%s) AND child.relkind = 'r'",
            [TABLES],
        )
        for parent, child, rows in cursor.fetchall():
            suffix = child.removeprefix(parent + "_y")
            if suffix.isdigit():
                years.setdefault(int(suffix), {})[parent] = rows
    return dict(sorted(years.items()))


def _in_default(cursor, year: int) -> dict[str, int]:
    counts = {}
    for table in TABLES:
        cursor.execute(f"SELECT count(*) FROM {table}_default WHERE year = %s", [year])
        if count := cursor.fetchone()[0]:
            counts[table] = count
    return counts


@transaction.atomic
def ensure_year(year: int) -> list[str]:
    """Create the year's partition of every partitioned table that lacks one; returns the tables
    created (empty when all existed). New partitions take the default partition's storage options.

    Refused (ValidationError) on SQLite, for a year outside 2000–2100, when a table of that name
    exists outside the partitions (kept by archive_year without --drop), and when the default
    partition already holds rows of the year (rows written before their partition existed): they
    would have to be moved first, and moving an activity moves its figures and links with it, which
    this does not do behind an operator's back. Takes a brief exclusive lock on each table.
    """
    _require_partitions()
    if not 2000 <= year <= 2100:
        raise ValidationError(_("年度应在 2000 至 2100 之间。"))
    created = []
    with connection.cursor() as cursor:
        if strays := _in_default(cursor, year):
            raise ValidationError(
                _("默认分区中已有 %(year)d 年的数据（%(tables)s），请先迁出后再建分区。")
                % {"year": year, "tables": "、".join(f"{t} {n} 行" for t, n in strays.items())}
            )
        for table in TABLES:
            name = f"{table}_y{year}"
            cursor.execute(
                "SELECT to_regclass(%s) IS NOT NULL, EXISTS (SELECT 1 FROM pg_inherits "
                "WHERE inhrelid = to_regclass(%s) AND inhparent = %s::regclass)",
                [name, name, table],
            )
            exists, attached = cursor.fetchone()
            if attached:
                continue
            if exists:
                raise ValidationError(
                    _("表 %(name)s 已存在但不是分区（归档时保留的表？），请先改名或删除。") % {"name": name}
                )
            cursor.execute(
                f"CREATE TABLE {name} PARTITION OF {table} FOR VALUES FROM ({year}) TO ({year + 1})"
            )
            cursor.execute("SELECT reloptions FROM pg_class WHERE oid = %s::regclass", [f"{table}_default"])
            if options := cursor.fetchone()[0]:
                cursor.execute(f"ALTER TABLE {name} SET ({', '.join(options)})")
            created.append(name)
    return created


def year_open_reason(year: int) -> str | None:
    """Why ``year`` is not closed, in Chinese, or None when it is closed. A year is closed when it
    is before the current year (Beijing time), every plan of the year is archived (PlanStatus) and
    every assessment of the year is final (AssessmentStatus.FINAL): nothing of it can change."""
    from assessments.models import Assessment, AssessmentStatus
    from plans.models import Plan, PlanStatus

    if year >= timezone.localdate().year:
        return _("%(year)d 年尚未结束，只能归档以前的年度。") % {"year": year}
    if n := Plan.objects.filter(year=year).exclude(status=PlanStatus.ARCHIVED).count():
        return _("%(year)d 年还有 %(n)d 个计划未归档。") % {"year": year, "n": n}
    if n := Assessment.objects.filter(scheme__year=year).exclude(status=AssessmentStatus.FINAL).count():
        return _("%(year)d 年还有 %(n)d 个考核未确定。") % {"year": year, "n": n}
    return None


@dataclass
class Archived:
    year: int
    tables: dict[str, int] = field(default_factory=dict)  # detached table → rows
    links: dict[str, int] = field(default_factory=dict)  # links and approved totals: table → rows removed
    attachments: int = 0  # attachments whose activity link was cleared
    dropped: bool = False
    path: Path | None = None


def _copy_block(cursor, target: str, query: str, out) -> None:
    """One COPY … FROM stdin block, as pg_dump writes it: the rows of ``query`` into ``target``,
    streamed from the server into ``out``."""
    cursor.execute(f"SELECT * FROM ({query}) AS q LIMIT 0")
    columns = ", ".join(c.name for c in cursor.description)
    out.write(f"COPY {target} ({columns}) FROM stdin;\n")
    cursor.copy_expert(f"COPY ({query}) TO STDOUT", out)
    out.write("\\.\n\n")


def _write_archive(cursor, year: int, activities: str, out, result: "Archived") -> None:
    out.write(f"-- fedwork: the archive of {year} (manage.py archive_year)\nBEGIN;\n\n")
    for table in TABLES:
        _copy_block(cursor, table, f"SELECT * FROM {table}_y{year}", out)
    for table in LINK_TABLES:
        _copy_block(cursor, table, f"SELECT * FROM {table} WHERE activity_id IN ({activities})", out)
    for table in YEAR_TABLES:
        _copy_block(cursor, table, f"SELECT * FROM {table} WHERE year = {int(year)}", out)
    cursor.execute(
        f"SELECT id, activity_id FROM evidence_attachment WHERE activity_id IN ({activities}) ORDER BY id"
    )
    for attachment_id, activity_id in cursor.fetchall():
        out.write(f"UPDATE evidence_attachment SET activity_id = {activity_id} WHERE id = {attachment_id};\n")
        result.attachments += 1
    out.write("\nCOMMIT;\n")


@transaction.atomic
def archive_year(year: int, *, to: Path, drop: bool) -> Archived:
    """Detach a closed year's partitions, write them to ``to`` (gzip'd SQL: COPY blocks into the
    parent tables, as pg_dump writes data), and drop them (``drop``) or keep them as plain tables
    named ``<table>_y<year>`` outside the partitioned tables, which no query reads any more.

    The year's activity links (work points, milestones), approved reports' totals
    (submissions.ApprovedTotal) and activity counts (ActivityCount) are archived and removed, and its
    attachments' activity links archived and cleared (the attachments themselves stay, with their
    activity title, as after a delete). The file loads back with
    ``manage.py partitions --ensure YEAR`` then ``gunzip -c FILE | psql``.

    Refused (ValidationError) on SQLite, for a year that is not closed (year_open_reason), when
    the year has no partitions or the default partition holds rows of it, when ``to`` exists and
    when its folder does not.
    All in one transaction: a failure leaves the partitions attached and the file unwritten.
    """
    _require_partitions()
    if reason := year_open_reason(year):
        raise ValidationError(reason)
    if to.exists():
        raise ValidationError(_("文件 %(path)s 已存在，不会覆盖。") % {"path": to})
    if not to.parent.is_dir():
        raise ValidationError(_("目录 %(path)s 不存在。") % {"path": to.parent})
    result = Archived(year=year, dropped=drop, path=to)
    with connection.cursor() as cursor:
        if strays := _in_default(cursor, year):
            raise ValidationError(
                _("默认分区中有 %(year)d 年的数据（%(tables)s），无法按分区归档。")
                % {"year": year, "tables": "、".join(strays)}
            )
        for table in TABLES:
            # Attached to its table: a table kept by an earlier archive_year is no partition any more.
            name = f"{table}_y{year}"
            cursor.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = to_regclass(%s) "
                "AND inhparent = %s::regclass)",
                [name, table],
            )
            if not cursor.fetchone()[0]:
                raise ValidationError(_("%(year)d 年没有分区 %(table)s。") % {"year": year, "table": table})
        activities = f"SELECT id FROM activities_activity_y{year}"
        partial = to.with_name(to.name + ".partial")
        try:
            with gzip.open(partial, "wt", encoding="utf-8") as out:
                _write_archive(cursor, year, activities, out, result)
            for table in LINK_TABLES:
                cursor.execute(f"DELETE FROM {table} WHERE activity_id IN ({activities})")
                result.links[table] = cursor.rowcount
            for table in YEAR_TABLES:
                cursor.execute(f"DELETE FROM {table} WHERE year = %s", [year])
                result.links[table] = cursor.rowcount
            cursor.execute(
                f"UPDATE evidence_attachment SET activity_id = NULL WHERE activity_id IN ({activities})"
            )
            # The figures' partition leaves first and drops its copy of the foreign key to
            # activities: PostgreSQL refuses to detach activities that rows elsewhere reference.
            for table in reversed(TABLES):
                name = f"{table}_y{year}"
                cursor.execute(f"SELECT count(*) FROM {name}")
                result.tables[name] = cursor.fetchone()[0]
                cursor.execute(f"ALTER TABLE {table} DETACH PARTITION {name}")
                cursor.execute(
                    "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f' "
                    "AND confrelid = 'activities_activity'::regclass",
                    [name],
                )
                for (constraint,) in cursor.fetchall():
                    cursor.execute(f'ALTER TABLE {name} DROP CONSTRAINT "{constraint}"')
                if drop:
                    cursor.execute(f"DROP TABLE {name}")
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    # Renamed last, still inside the transaction: a failure before leaves no file and every
    # partition attached.
    partial.rename(to)
    result.tables = {f"{t}_y{year}": result.tables[f"{t}_y{year}"] for t in TABLES}
    return result
