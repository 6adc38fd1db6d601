"""The roll-up totals stay equal to a recomputation from the raw figures after every kind of write."""

from datetime import datetime
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from activities import services, totals
from activities.models import Activity, ActivityStatus, FigureTotal
from fedwork.services import federation_move

BEIJING = ZoneInfo("Asia/Shanghai")


def total(federation, indicator, year=2013, month=None):
    rows = FigureTotal.objects.filter(federation=federation, indicator=indicator, year=year)
    if month:
        rows = rows.filter(month=month)
    return sum((r.value for r in rows), Decimal(0))


def record(federation, activity_type, figures, *, by=None, status=ActivityStatus.DONE, month=5, year=2013):
    activity = Activity(
        federation=federation,
        year=year,
        type=activity_type,
        title="培训",
        status=status,
        actual_start=datetime(year, month, 10, 9, tzinfo=BEIJING),
    )
    return services.activity_save(activity=activity, figures=figures, by=by)


def assert_consistent():
    assert totals.differences() == []
    assert totals.reach_differences() == []
    call_command("check_rollups", stdout=StringIO())


def test_a_saved_figure_is_in_every_ancestors_totals(tree, training, activity_indicators):
    trained = activity_indicators["trained"]
    record(tree["dingwangtai"], training, {trained: Decimal(150)})
    for place in ["dingwangtai", "furong", "changsha", "hunan", "nation"]:
        assert total(tree[place], trained, month=5) == 150
    assert total(tree["yuelu"], trained) == 0
    assert_consistent()


def test_edits_status_changes_and_deletes_keep_totals_exact(tree, training, activity_indicators):
    trained, sessions = activity_indicators["trained"], activity_indicators["sessions"]
    activity = record(tree["furong"], training, {trained: Decimal(100), sessions: Decimal(1)})
    record(tree["yuelu"], training, {trained: Decimal(40)})
    assert total(tree["changsha"], trained) == 140
    services.activity_save(activity=activity, figures={trained: Decimal(120), sessions: None}, by=None)
    assert (total(tree["changsha"], trained), total(tree["changsha"], sessions)) == (160, 0)
    activity.actual_start = datetime(2013, 7, 1, 9, tzinfo=BEIJING)  # moved to July
    services.activity_save(activity=activity, figures={}, by=None)
    assert (total(tree["furong"], trained, month=5), total(tree["furong"], trained, month=7)) == (0, 120)
    activity.status = ActivityStatus.CANCELLED
    services.activity_save(activity=activity, figures={}, by=None)
    assert total(tree["changsha"], trained) == 40
    activity.status = ActivityStatus.DONE
    services.activity_save(activity=activity, figures={}, by=None)
    assert total(tree["changsha"], trained) == 160
    assert_consistent()
    services.activity_delete(activity=activity, by=None)
    assert total(tree["changsha"], trained) == 40
    assert_consistent()


def test_planned_activities_do_not_count_until_done(tree, training, activity_indicators):
    trained = activity_indicators["trained"]
    activity = record(tree["furong"], training, {trained: Decimal(50)}, status=ActivityStatus.PLANNED)
    assert total(tree["furong"], trained) == 0
    activity.status = ActivityStatus.DONE
    services.activity_save(activity=activity, figures={}, by=None)
    assert total(tree["hunan"], trained) == 50
    assert_consistent()


def test_moving_an_activity_to_another_federation_or_year(tree, training, activity_indicators):
    trained = activity_indicators["trained"]
    activity = record(tree["furong"], training, {trained: Decimal(30)})
    activity.federation = tree["lixia"]
    services.activity_save(activity=activity, figures={}, by=None)
    assert (total(tree["changsha"], trained), total(tree["jinan"], trained)) == (0, 30)
    activity.year = 2014
    activity.actual_start = datetime(2014, 3, 1, 9, tzinfo=BEIJING)
    services.activity_save(activity=activity, figures={}, by=None)
    assert (total(tree["jinan"], trained), total(tree["jinan"], trained, year=2014)) == (0, 30)
    assert_consistent()


def test_moving_a_federation_moves_its_totals(tree, training, activity_indicators):
    trained = activity_indicators["trained"]
    record(tree["dingwangtai"], training, {trained: Decimal(70)})
    federation_move(federation=tree["furong"], parent=tree["jinan"], by=None)
    assert (total(tree["changsha"], trained), total(tree["hunan"], trained)) == (0, 0)
    assert (
        total(tree["jinan"], trained),
        total(tree["shandong"], trained),
        total(tree["nation"], trained),
    ) == (70, 70, 70)
    assert_consistent()


def test_rebuild_and_check_commands(tree, training, activity_indicators):
    trained = activity_indicators["trained"]
    record(tree["furong"], training, {trained: Decimal(10)})
    FigureTotal.objects.filter(federation=tree["hunan"]).update(value=Decimal(999))
    with pytest.raises(CommandError, match="1 处不一致"):
        call_command("check_rollups", stdout=StringIO(), stderr=StringIO())
    call_command("rebuild_rollups", "--year", "2013", stdout=StringIO())
    assert total(tree["hunan"], trained) == 10
    assert_consistent()
    call_command("rebuild_rollups", "--federation", "4301", stdout=StringIO())
    assert_consistent()


def test_an_excel_import_adds_to_the_totals(tree, people, training, activity_indicators):
    import io

    import openpyxl

    from activities.importing import import_activities

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["单位代码", "活动名称", "活动类型", "开始日期", "培训妇女人数（人）"])
    sheet.append(["430102", "培训一", "培训", "2013-03-01", 20])
    sheet.append(["430102", "培训二", "培训", "2013-04-01", 5])
    buffer = io.BytesIO()
    workbook.save(buffer)
    import_activities(file_bytes=buffer.getvalue(), user=people["furong_staff"], year=2013, dry_run=False)
    trained = activity_indicators["trained"]
    assert (total(tree["furong"], trained, month=3), total(tree["furong"], trained, month=4)) == (20, 5)
    assert total(tree["nation"], trained) == 25
    assert_consistent()


def test_the_benchs_cleanup_takes_its_activities_out_of_the_totals(tree, training, activity_indicators):
    from bench.measure import remove_bench_activities

    trained = activity_indicators["trained"]
    kept = record(tree["dingwangtai"], training, {trained: Decimal(7)})
    for title in ("导入测试活动 1", "load-1-1"):
        activity = record(tree["dingwangtai"], training, {trained: Decimal(100)})
        Activity.objects.filter(pk=activity.pk).update(title=title)
    record(tree["yuelu"], training, {trained: Decimal(100)})  # another county: not the bench's
    Activity.objects.filter(federation=tree["yuelu"]).update(title="load-2-1")
    assert total(tree["changsha"], trained) == 307

    remove_bench_activities(tree["furong"], StringIO())

    assert list(Activity.objects.filter(federation=tree["dingwangtai"])) == [kept]
    assert (total(tree["furong"], trained), total(tree["changsha"], trained)) == (7, 107)
    assert_consistent()


def test_an_import_of_several_batches_keeps_the_totals_exact(tree, people, training, activity_indicators):
    """The import writes in batches of BATCH_SIZE and applies the totals once: check_rollups stays clean."""
    import io

    import openpyxl

    from activities.importing import BATCH_SIZE, import_activities

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["单位代码", "活动名称", "活动类型", "开始日期", "结束日期", "培训妇女人数（人）"])
    rows = BATCH_SIZE + 3
    for number in range(rows):
        month = number % 12 + 1
        sheet.append(["430102", f"培训{number}", "培训", f"2013-{month:02d}-01", f"2013-{month:02d}-02", 2])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = import_activities(
        file_bytes=buffer.getvalue(), user=people["furong_staff"], year=2013, dry_run=False
    )
    assert report.imported == rows
    assert Activity.history.filter(history_type="+").count() == rows
    assert total(tree["nation"], activity_indicators["trained"]) == 2 * rows
    assert_consistent()
