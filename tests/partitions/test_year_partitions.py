"""Year partitions on PostgreSQL (migration 0016, activities.partitions): the migration on a
database with data, writes after it, and archiving a closed year. SQLite keeps plain tables."""

import gzip
import subprocess
from datetime import datetime
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from activities import partitions, services, totals
from activities.models import Activity, ActivityCount, ActivityStatus, Figure, FigureTotal, Reach
from plans.models import PlanStatus
from submissions.models import ApprovedTotal
from tests import factories

BEIJING = ZoneInfo("Asia/Shanghai")
THIS_YEAR = timezone.localdate().year
LAST_YEAR = THIS_YEAR - 1
BEFORE = [("activities", "0015_figure_year")]
PARTITIONED = partitions.TABLES

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="年度分区仅在 PostgreSQL 上")


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def record(federation, activity_type, figures, *, year, month=5, work_points=None):
    activity = Activity(
        federation=federation,
        year=year,
        type=activity_type,
        title="培训",
        status=ActivityStatus.DONE,
        actual_start=datetime(year, month, 10, 9, tzinfo=BEIJING),
    )
    return services.activity_save(activity=activity, figures=figures, by=None, work_points=work_points)


def snapshot() -> dict:
    """What must survive the migration unchanged: row counts, every total and reach count."""
    return {
        "counts": {
            model.__name__: model.objects.count()
            for model in (Activity, Figure, FigureTotal, Reach, Activity.history.model, Figure.history.model)
        },
        "totals": sorted(
            FigureTotal.objects.values_list("federation_id", "year", "month", "indicator_id", "value")
        ),
        "reach": sorted(
            Reach.objects.values_list("source", "parent_id", "year", "indicator_id", "month", "children")
        ),
        "links": Activity.work_points.through.objects.count(),
        "approved": sorted(
            ApprovedTotal.objects.values_list("federation_id", "year", "month", "indicator_id", "value")
        ),
    }


def partitions_of(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = %s::regclass", [table]
        )
        return {name for (name,) in cursor.fetchall()}


def in_partition(table: str, year: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}_y{year}")
        return cursor.fetchone()[0]


def assert_rollups_clean():
    assert totals.differences() == []
    assert totals.reach_differences() == []
    call_command("check_rollups", stdout=StringIO())


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_migration_partitions_a_database_with_data_and_keeps_every_total(
    tree, training, activity_indicators
):
    trained, sessions = activity_indicators["trained"], activity_indicators["sessions"]
    migrate(BEFORE)
    try:
        assert not partitions.is_partitioned()
        point = factories.point(factories.plan(tree["furong"], year=THIS_YEAR))
        last = record(
            tree["dingwangtai"], training, {trained: Decimal(150), sessions: Decimal(2)}, year=LAST_YEAR
        )
        record(tree["yuelu"], training, {trained: Decimal(40)}, year=LAST_YEAR, month=11)
        this = record(tree["furong"], training, {trained: Decimal(80)}, year=THIS_YEAR, work_points=[point])
        services.activity_save(activity=this, figures={sessions: Decimal(1)}, by=None)  # history rows
        before = snapshot()
        highest = Activity.objects.order_by("-pk").values_list("pk", flat=True).first()
    finally:
        migrate(latest())

    assert partitions.is_partitioned()
    for table in PARTITIONED:
        assert {
            f"{table}_y{LAST_YEAR}",
            f"{table}_y{THIS_YEAR}",
            f"{table}_y{THIS_YEAR + 1}",
            f"{table}_default",
        } <= (partitions_of(table)), table
    assert snapshot() == before
    assert_rollups_clean()
    assert (in_partition("activities_activity", LAST_YEAR), in_partition("activities_figure", LAST_YEAR)) == (
        2,
        3,
    )
    assert (
        in_partition("activities_figuretotal", THIS_YEAR)
        == FigureTotal.objects.filter(year=THIS_YEAR).count()
    )
    # The partial indexes of 0013 and the INCLUDE key of 0007 are partitioned indexes now.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, pg_get_indexdef(oid) FROM pg_class WHERE relkind = 'I' AND relname = ANY(%s)",
            [
                [
                    "activities_planned_year_day",
                    "activities_total_unique",
                    "activities_figure_one_per_indicator",
                ]
            ],
        )
        indexes = dict(cursor.fetchall())
    assert "WHERE ((status)::text = 'planned'::text)" in indexes["activities_planned_year_day"]
    assert "INCLUDE (value)" in indexes["activities_total_unique"]
    assert "(activity_id, indicator_id, year)" in indexes["activities_figure_one_per_indicator"]

    # Writes go on through the one write path; ids continue from the old sequence.
    new = record(tree["lixia"], training, {trained: Decimal(7)}, year=THIS_YEAR)
    assert new.pk > highest
    assert Figure.objects.get(activity=new).year == THIS_YEAR
    # An activity moved to another year takes its figures to that year's partition.
    last.year = THIS_YEAR
    services.activity_save(activity=last, figures={trained: Decimal(151)}, by=None)
    assert set(Figure.objects.filter(activity=last).values_list("year", flat=True)) == {THIS_YEAR}
    assert in_partition("activities_figure", LAST_YEAR) == 1
    assert_rollups_clean()

    # Deleting an activity deletes its figures and links: through the service, and in raw SQL (the
    # composite foreign key's ON DELETE CASCADE, the links' trigger).
    services.activity_delete(activity=last, by=None)
    assert not Figure.objects.filter(activity_id=last.pk).exists()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM activities_activity WHERE id = %s", [this.pk])
    assert not Figure.objects.filter(activity_id=this.pk).exists()
    assert not Activity.work_points.through.objects.filter(activity_id=this.pk).exists()
    # A link to a missing activity is refused, as its foreign key did.
    with pytest.raises(IntegrityError), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO activities_activity_work_points (activity_id, workpoint_id) VALUES (%s, %s)",
            [this.pk, point.pk],
        )


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_migration_reverses_to_plain_tables(tree, training, activity_indicators):
    record(tree["furong"], training, {activity_indicators["trained"]: Decimal(5)}, year=THIS_YEAR)
    before = snapshot()
    migrate(BEFORE)
    try:
        assert not partitions.is_partitioned()
        assert snapshot() == before
        assert_rollups_clean()
    finally:
        migrate(latest())
    assert snapshot() == before


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_archive_year_detaches_and_dumps_a_closed_year_and_leaves_this_year_alone(
    tmp_path, tree, training, activity_indicators
):
    partitions.ensure_year(LAST_YEAR)
    trained = activity_indicators["trained"]
    last = record(tree["dingwangtai"], training, {trained: Decimal(150)}, year=LAST_YEAR)
    point = factories.point(factories.plan(tree["furong"], year=LAST_YEAR, status=PlanStatus.ARCHIVED))
    services.activity_save(activity=last, figures={}, by=None, work_points=[point])
    record(tree["furong"], training, {trained: Decimal(80)}, year=THIS_YEAR)
    # Approved reports' totals of both years (as submissions.services adds them), with their Reach.
    for year in (LAST_YEAR, THIS_YEAR):
        totals.increment(
            {
                (tree[place].pk, year, 6, trained.pk): Decimal(10)
                for place in ["furong", "changsha", "hunan", "nation"]
            },
            ApprovedTotal,
        )
    approved_this_year = sorted(
        ApprovedTotal.objects.filter(year=THIS_YEAR).values_list("federation_id", "value")
    )
    this_year = sorted(
        FigureTotal.objects.filter(year=THIS_YEAR).values_list("federation_id", "month", "value")
    )
    changsha_before = totals.stored(tree["changsha"], THIS_YEAR)
    counts_this_year = sorted(
        ActivityCount.objects.filter(year=THIS_YEAR).values_list("federation_id", "count")
    )
    assert ActivityCount.objects.filter(year=LAST_YEAR).exists()

    with pytest.raises(CommandError, match="尚未结束"):
        call_command("archive_year", str(THIS_YEAR), "--to", str(tmp_path / "now.sql.gz"))
    # A folder that does not exist, or a file already there: a clear error, nothing detached.
    with pytest.raises(CommandError, match="目录.*不存在"):
        call_command("archive_year", str(LAST_YEAR), "--to", str(tmp_path / "no-such-folder" / "a.sql.gz"))
    (tmp_path / "taken.sql.gz").write_bytes(b"kept")
    with pytest.raises(CommandError, match="已存在"):
        call_command("archive_year", str(LAST_YEAR), "--to", str(tmp_path / "taken.sql.gz"))
    assert (tmp_path / "taken.sql.gz").read_bytes() == b"kept"
    assert f"activities_activity_y{LAST_YEAR}" in partitions_of("activities_activity")
    archive = tmp_path / "last.sql.gz"
    out = StringIO()
    call_command("archive_year", str(LAST_YEAR), "--to", str(archive), stdout=out)
    # Twice: the year has no partitions any more.
    with pytest.raises(CommandError, match="没有分区"):
        call_command("archive_year", str(LAST_YEAR), "--to", str(tmp_path / "again.sql.gz"))
    assert not (tmp_path / "again.sql.gz").exists()

    assert f"{LAST_YEAR} 年已归档" in out.getvalue()
    for table in PARTITIONED:
        assert f"{table}_y{LAST_YEAR}" not in partitions_of(table)
    assert in_partition("activities_activity", LAST_YEAR) == 1  # kept, detached
    assert not Activity.objects.filter(year=LAST_YEAR).exists()
    assert not FigureTotal.objects.filter(year=LAST_YEAR).exists()
    assert not Activity.work_points.through.objects.filter(activity_id=last.pk).exists()
    assert not ApprovedTotal.objects.filter(year=LAST_YEAR).exists()
    assert not ActivityCount.objects.filter(year=LAST_YEAR).exists()
    assert sorted(ActivityCount.objects.filter(year=THIS_YEAR).values_list("federation_id", "count")) == (
        counts_this_year
    )
    assert sorted(ApprovedTotal.objects.filter(year=THIS_YEAR).values_list("federation_id", "value")) == (
        approved_this_year
    )
    assert (
        sorted(FigureTotal.objects.filter(year=THIS_YEAR).values_list("federation_id", "month", "value"))
        == this_year
    )
    assert totals.stored(tree["changsha"], THIS_YEAR) == changsha_before
    assert_rollups_clean()
    dump = gzip.open(archive, "rt", encoding="utf-8").read()
    assert "COPY activities_activity (" in dump and "COPY activities_figure (" in dump
    assert "COPY activities_activity_work_points (" in dump and "COPY submissions_approvedtotal (" in dump
    assert "COPY activities_activitycount (" in dump
    # A kept table blocks a new partition of that name until the operator moves it away.
    with pytest.raises(ValidationError, match="不是分区"):
        partitions.ensure_year(LAST_YEAR)
    with connection.cursor() as cursor:  # the kept tables' foreign keys would stop the test's flush
        cursor.execute("DROP TABLE " + ", ".join(f"{table}_y{LAST_YEAR}" for table in PARTITIONED))


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_an_archive_loads_back_with_psql(tmp_path, tree, training, activity_indicators):
    partitions.ensure_year(LAST_YEAR)
    trained = activity_indicators["trained"]
    record(tree["dingwangtai"], training, {trained: Decimal(150)}, year=LAST_YEAR)
    record(tree["yuelu"], training, {trained: Decimal(40)}, year=LAST_YEAR, month=11)
    totals.increment({(tree["yuelu"].pk, LAST_YEAR, 12, trained.pk): Decimal(40)}, ApprovedTotal)
    before = snapshot()
    counts_before = sorted(
        ActivityCount.objects.values_list("federation_id", "year", "day", "status", "count")
    )
    archive = tmp_path / "last.sql.gz"
    call_command("archive_year", str(LAST_YEAR), "--to", str(archive), "--drop", stdout=StringIO())
    assert Activity.objects.count() == 0
    assert ActivityCount.objects.count() == 0

    call_command("partitions", "--ensure", str(LAST_YEAR), stdout=StringIO())
    settings = connection.settings_dict
    subprocess.run(
        [
            "psql",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            settings["HOST"] or "127.0.0.1",
            "-p",
            str(settings["PORT"] or 5432),
            "-U",
            settings["USER"],
            "-d",
            settings["NAME"],
        ],
        input=gzip.decompress(archive.read_bytes()),
        check=True,
        capture_output=True,
    )
    assert snapshot() == before
    assert sorted(ActivityCount.objects.values_list("federation_id", "year", "day", "status", "count")) == (
        counts_before
    )
    assert_rollups_clean()


@postgres_only
@pytest.mark.django_db
def test_ensure_year_refuses_while_the_default_partition_holds_that_year(tree, training, activity_indicators):
    year = THIS_YEAR + 5
    record(tree["furong"], training, {activity_indicators["trained"]: Decimal(1)}, year=year)
    with pytest.raises(ValidationError, match="默认分区"):
        partitions.ensure_year(year)
    assert partitions.ensure_year(THIS_YEAR) == []  # made by the migration


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite's refusal")
@pytest.mark.django_db
def test_sqlite_refuses_clearly():
    with pytest.raises(CommandError, match="仅 PostgreSQL 支持"):
        call_command("archive_year", "2013")
    with pytest.raises(CommandError, match="仅 PostgreSQL 支持"):
        call_command("partitions")


@postgres_only
def test_a_link_made_and_its_activity_deleted_in_one_transaction_commits(tree, training, activity_indicators):
    """The links' deferred trigger (activities_activity_exists) is checked at commit for every link row
    inserted in the transaction, even one deleted since with its activity: PostgreSQL fires a
    deferred constraint trigger for a dead row (its own foreign keys skip them). An activity saved
    with a work point and deleted in one transaction made the commit fail with "no such activity"."""
    point = factories.point(factories.plan(tree["furong"], year=THIS_YEAR))
    activity = record(tree["furong"], training, {}, year=THIS_YEAR, work_points=[point])
    services.activity_delete(activity=activity, by=None)
    connection.check_constraints()  # SET CONSTRAINTS ALL IMMEDIATE: what COMMIT checks
    # A link to a missing activity is still refused.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO activities_activity_work_points (activity_id, workpoint_id) VALUES (%s, %s)",
            [2_000_000_000, point.pk],
        )
        connection.check_constraints()
