"""Excel import of activities: the template, good and bad files, reach, the preview pages and the commands."""

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise

from activities import totals
from activities.importing import (
    COLUMN_HELP,
    FIXED_COLUMNS,
    ImportFileError,
    ImportRowsError,
    RowError,
    build_template,
    import_activities,
)
from activities.models import Activity, ActivityStatus, Figure, FigureTotal
from activities.services import CHANGE_REASON
from plans.models import PlanStatus
from tests import factories

BEIJING = ZoneInfo("Asia/Shanghai")
TRAINED = "培训妇女人数（人）"
SESSIONS = "举办培训班期数（期）"
LOANS = "小额担保贷款金额（万元）"
HEADERS = [*FIXED_COLUMNS, SESSIONS, TRAINED, LOANS]


def xlsx(rows: list[list], headers: list[str] | None = HEADERS) -> bytes:
    """A workbook whose first sheet has the header row and the given data rows."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "活动"
    if headers is not None:
        sheet.append(headers)
    for row in rows:
        sheet.append(row)
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


def good_row(**overrides) -> list:
    """A row for 芙蓉区 in HEADERS' order; keyword names are the Chinese column names."""
    values = {
        "单位代码": "430102",
        "活动名称": "芙蓉区妇女创业培训班",
        "活动类型": "培训",
        "开始日期": datetime(2013, 5, 10),
        "结束日期": datetime(2013, 5, 12),
        "地点": "芙蓉区妇女儿童之家",
        "工作要点编号": "二（一）1",
        SESSIONS: 1,
        TRAINED: 150,
        LOANS: None,
    }
    values.update(overrides)
    return [values[header] for header in HEADERS]


@pytest.fixture
def plans(tree, activity_indicators):
    """芙蓉区's 2013 draft with 二 → （一） → 1, and 湖南省's published 2013 plan with point 2."""
    furong_plan = factories.plan(tree["furong"])
    top = factories.point(furong_plan, "促进妇女就业创业", label="二")
    middle = factories.point(furong_plan, "加强技能培训", label="（一）", parent=top)
    leaf = factories.point(furong_plan, "举办创业培训班", label="1", parent=middle)
    hunan_plan = factories.plan(tree["hunan"], status=PlanStatus.PUBLISHED)
    hunan_point = factories.point(hunan_plan, "组织妇女在新农村建设中竞展风采", label="2")
    return {"leaf": leaf, "hunan_point": hunan_point}


def run(people, content: bytes, *, dry_run: bool = False, persona: str = "furong_staff", year: int = 2013):
    return import_activities(file_bytes=content, user=people[persona], year=year, dry_run=dry_run)


# --- The template --------------------------------------------------------------------------------


def test_template_has_the_fixed_columns_then_one_per_enterable_indicator(tree, plans):
    workbook = openpyxl.load_workbook(BytesIO(build_template(tree["furong"], 2013)))
    sheet = workbook["活动"]
    headers = [cell.value for cell in sheet[1]]
    # Ordered by indicator code (DK01, PX01, PX02); 山东's own indicator is not Hunan's to record.
    assert headers == [*FIXED_COLUMNS, LOANS, SESSIONS, TRAINED]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    [validation] = sheet.data_validations.dataValidation
    assert str(validation.sqref) == "C2:C20001" and validation.type == "list"
    help_text = [cell for row in workbook["说明"].iter_rows(values_only=True) for cell in row if cell]
    assert "培训" in help_text and "会议" in help_text
    assert "二（一）1" in help_text and "举办创业培训班" in help_text
    assert "2" in help_text  # the province's published point can be served too


def test_template_download_for_a_visible_federation_only(people, plans, login):
    client = login(people["changsha_leader"])  # leaders may download, though not import
    response = client.get(reverse("activities:import-template"), {"federation": "430102", "year": "2013"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "430102-2013.xlsx" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(BytesIO(response.content))["活动"]
    assert [cell.value for cell in sheet[1]][:7] == FIXED_COLUMNS
    outsider = login(people["lixia_staff"])
    assert outsider.get(reverse("activities:import-template"), {"federation": "430102"}).status_code == 404


def test_a_filled_template_round_trips(tree, people, plans):
    workbook = openpyxl.load_workbook(BytesIO(build_template(tree["furong"], 2013)))
    sheet = workbook["活动"]
    sheet.append(["430102", "巾帼创业讲座", "宣传", date(2013, 6, 1), None, None, None, None, None, 30])
    output = BytesIO()
    workbook.save(output)
    report = run(people, output.getvalue())
    assert report.imported == 1
    assert Activity.objects.get().figures.get().value == 30


# --- A good file ---------------------------------------------------------------------------------


def test_good_file_imports_done_activities_with_figures_and_work_points(tree, people, plans):
    content = xlsx(
        [
            good_row(),
            good_row(
                单位代码=430102,  # typed as a number in Excel
                活动名称="芙蓉区妇女健康讲座",
                活动类型="义诊/健康",
                开始日期="2013/6/1",
                结束日期=None,
                地点=None,
                工作要点编号="2",  # served from the province's published plan
                **{SESSIONS: None, TRAINED: "80", LOANS: 12.5},
            ),
            [None] * len(HEADERS),  # blank rows are skipped, not errors
            good_row(活动名称="下午的座谈会", 开始日期=datetime(2013, 7, 3, 14, 30), 结束日期=None),
        ]
    )
    report = run(people, content)
    assert report.ok and report.imported == 3
    furong = Activity.objects.get(title="芙蓉区妇女创业培训班")
    assert (furong.federation, furong.year, furong.status) == (tree["furong"], 2013, ActivityStatus.DONE)
    assert furong.actual_start == datetime(2013, 5, 10, tzinfo=BEIJING)
    assert furong.actual_end == datetime(2013, 5, 12, tzinfo=BEIJING)
    assert furong.calendar_day == date(2013, 5, 10)
    assert (furong.created_by, furong.updated_by) == (people["furong_staff"], people["furong_staff"])
    assert furong.place == "芙蓉区妇女儿童之家"
    assert list(furong.work_points.all()) == [plans["leaf"]]
    assert {f.indicator.code: f.value for f in furong.figures.all()} == {"PX01": 1, "PX02": 150}
    # One audit entry per imported activity (who, when, "导入"); its figures are created with it.
    entry = furong.history.get()
    assert (entry.history_user, entry.history_type) == (people["furong_staff"], "+")
    assert entry.history_change_reason == CHANGE_REASON
    # The history row copies the activity as stored (written database-side, services.insert_history).
    tracked = [field.attname for field in Activity.history.model.tracked_fields]
    assert {name: getattr(entry, name) for name in tracked} == {
        name: getattr(furong, name) for name in tracked
    }
    assert abs((timezone.now() - entry.history_date).total_seconds()) < 60
    assert entry.instance.title == furong.title
    assert not Figure.history.filter(activity_id=furong.pk).exists()
    # The roll-up totals took the figures in (applied once, at the end of the import).
    assert FigureTotal.objects.get(
        federation=tree["changsha"], year=2013, month=5, indicator__code="PX02"
    ).value == Decimal(150)
    assert totals.differences(tree["changsha"], 2013) == []

    street = Activity.objects.get(title="芙蓉区妇女健康讲座")
    assert street.type.name == "义诊/健康"
    assert street.actual_start == datetime(2013, 6, 1, tzinfo=BEIJING) and street.actual_end is None
    assert list(street.work_points.all()) == [plans["hunan_point"]]
    assert {f.indicator.code: f.value for f in street.figures.all()} == {"PX02": 80, "DK01": Decimal("12.5")}

    afternoon = Activity.objects.get(title="下午的座谈会")
    assert afternoon.actual_start == datetime(2013, 7, 3, 14, 30, tzinfo=BEIJING)
    assert [row.number for row in report.rows] == [2, 3, 5]


def test_indicator_columns_may_be_left_out(people, plans):
    headers = [*FIXED_COLUMNS, TRAINED]
    report = run(people, xlsx([good_row()[:7] + [42]], headers=headers))
    assert report.imported == 1
    assert Figure.objects.get().value == 42


def test_dry_run_reports_the_rows_and_saves_nothing(people, plans):
    report = run(people, xlsx([good_row(), good_row(活动名称="第二期")]), dry_run=True)
    assert report.ok and report.imported == 0
    assert [(row.federation, row.title, row.work_point) for row in report.rows] == [
        ("芙蓉区妇联", "芙蓉区妇女创业培训班", "二（一）1 举办创业培训班"),
        ("芙蓉区妇联", "第二期", "二（一）1 举办创业培训班"),
    ]
    assert report.rows[0].dates == "2013-05-10 至 2013-05-12"
    assert report.rows[0].figures == ["举办培训班期数：1期", "培训妇女人数：150人"]
    assert not Activity.objects.exists()


# --- Bad rows: each is reported with row, column and reason, and nothing is saved ----------------


@pytest.mark.parametrize(
    ("bad_row", "column", "reason"),
    [
        (good_row(单位代码="999999"), "单位代码", "单位代码“999999”不存在"),
        (good_row(单位代码="430104"), "单位代码", "单位代码“430104”不在您的管辖范围内"),  # sibling county
        (good_row(单位代码="370102"), "单位代码", "单位代码“370102”不在您的管辖范围内"),
        (good_row(开始日期=datetime(2014, 1, 2), 结束日期=None), "开始日期", "日期不在2013年内"),
        (good_row(开始日期="2013-13-45"), "开始日期", "日期格式不正确，应为如 2013-05-10 的日期"),
        (good_row(开始日期=None), "开始日期", "不能为空"),
        (good_row(结束日期=datetime(2013, 5, 1)), "结束日期", "结束日期早于开始日期"),
        (good_row(**{TRAINED: "一百五十"}), TRAINED, "应为数字"),
        (good_row(**{TRAINED: -5}), TRAINED, "不能为负数"),
        (good_row(**{TRAINED: 1.5}), TRAINED, "“培训妇女人数”以人计，应为整数"),
        (good_row(活动类型="联欢"), "活动类型", "活动类型“联欢”不存在或已停用，请从“说明”表列出的类型中选择"),
        (good_row(活动名称=""), "活动名称", "不能为空"),
        (good_row(活动名称="长" * 201), "活动名称", "不能超过200个字"),
    ],
)
def test_a_bad_row_is_reported_and_nothing_is_saved(people, plans, bad_row, column, reason):
    content = xlsx([good_row(), bad_row])
    preview = run(people, content, dry_run=True)
    assert preview.errors == [RowError(3, column, reason)]
    assert [row.has_errors for row in preview.rows] == [False, True]
    with pytest.raises(ImportRowsError) as raised:
        run(people, content)
    assert raised.value.report.errors == [RowError(3, column, reason)]
    assert not Activity.objects.exists() and not Figure.objects.exists()


def test_an_unknown_work_point_number_is_a_row_error(people, plans):
    report = run(people, xlsx([good_row(工作要点编号="九（九）9")]), dry_run=True)
    [error] = report.errors
    assert (error.row, error.column) == (2, "工作要点编号")
    assert "找不到编号“九（九）9”" in error.reason


def test_every_error_of_every_row_is_listed(people, plans):
    report = run(
        people,
        xlsx(
            [
                good_row(单位代码="999999", 开始日期="昨天"),
                good_row(),
                good_row(**{SESSIONS: "两期", TRAINED: -1}),
            ]
        ),
        dry_run=True,
    )
    assert [(e.row, e.column) for e in report.errors] == [
        (2, "单位代码"),
        (2, "开始日期"),
        (4, SESSIONS),
        (4, TRAINED),
    ]
    assert report.error_rows == {2, 4}


@pytest.mark.parametrize(
    ("headers", "error"),
    [
        ([h for h in HEADERS if h != "开始日期"], RowError(1, "开始日期", "缺少必填列")),
        ([*HEADERS, "备注"], RowError(1, "备注", "未知的列（请使用下载的模板，不要修改列名）")),
        (
            [*HEADERS, "山东特色指标（个）"],
            RowError(1, "山东特色指标（个）", "未知的列（请使用下载的模板，不要修改列名）"),
        ),
        ([*HEADERS[:-1], TRAINED], RowError(1, TRAINED, "列名重复")),
    ],
)
def test_header_problems_are_reported_on_row_1_and_nothing_is_saved(people, plans, headers, error):
    content = xlsx([[f"x{i}" for i in range(len(headers))]], headers=headers)
    assert run(people, content, dry_run=True).errors == [error]
    with pytest.raises(ImportRowsError):
        run(people, content)
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "文件为空"),
        (b"name,date\n\xe5\x9f\xb9\xe8\xae\xad,2013-05-10\n", "不是 Excel（.xlsx）文件"),  # a CSV renamed
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "旧版 Excel"),
        (b"PK\x03\x04garbage that is no zip", "文件已损坏"),
        (xlsx([], headers=None), "工作表为空"),
        (xlsx([]), "没有数据"),
    ],
)
def test_a_file_that_is_not_a_filled_workbook_is_a_clear_error(people, plans, content, message):
    with pytest.raises(ImportFileError, match=message):
        run(people, content)
    assert not Activity.objects.exists()


def test_a_word_document_renamed_xlsx_is_refused(people, plans):
    import zipfile

    output = BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(ImportFileError, match="不是 Excel"):
        run(people, output.getvalue())


def test_only_staff_and_superusers_may_import(people, plans):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        run(people, xlsx([good_row()]), persona="changsha_leader")
    assert run(people, xlsx([good_row()]), persona="superuser").imported == 1


# --- The pages -----------------------------------------------------------------------------------


def upload(client, content: bytes, name: str = "活动.xlsx"):
    return client.post(reverse("activities:import"), {"file": SimpleUploadedFile(name, content)})


def confirm(client, token: str, **data):
    """POST the confirm step of the preview ``token`` (with the preview's ticks as ``data``)."""
    return client.post(reverse("activities:import-confirm"), {"token": token, **data})


def texts(response) -> list[str]:
    """The messages the response's request left for the next page."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_preview_shows_every_row_then_confirm_saves(staff_client, plans, tmp_path):
    page = staff_client.get(reverse("activities:import"))
    assert reverse("activities:import-template") in page.content.decode()

    response = upload(staff_client, xlsx([good_row(), good_row(活动名称="第二期培训班")]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "芙蓉区妇女创业培训班" in html and "第二期培训班" in html and "举办创业培训班" in html
    assert 'data-testid="confirm-import"' in html
    assert not Activity.objects.exists()
    assert len(list((tmp_path / "var" / "imports").glob("*.xlsx"))) == 1

    token = response.context["token"]
    assert f'name="token" value="{token}"' in html
    response = staff_client.post(reverse("activities:import-confirm"), {"token": token})
    assert response.status_code == 302 and response.url == reverse("activities:list")
    assert Activity.objects.count() == 2
    assert not list((tmp_path / "var" / "imports").glob("*.xlsx"))
    # The stored file is gone: confirming again imports nothing more.
    staff_client.post(reverse("activities:import-confirm"), {"token": token})
    assert Activity.objects.count() == 2


def test_preview_of_a_bad_file_lists_errors_and_offers_no_confirm(staff_client, plans):
    response = upload(staff_client, xlsx([good_row(), good_row(单位代码="430104")]))
    html = response.content.decode()
    assert "第3行" in html and "单位代码“430104”不在您的管辖范围内" in html
    assert html.count("data-row-error") == 1
    assert 'data-testid="confirm-import"' not in html
    staff_client.post(reverse("activities:import-confirm"))
    assert not Activity.objects.exists()


def test_upload_of_a_broken_file_shows_the_reason(staff_client, plans):
    response = upload(staff_client, b"just text", name="fake.xlsx")
    assert response.status_code == 200
    assert "不是 Excel（.xlsx）文件" in " ".join(response.context["form"].errors["file"])


@pytest.mark.parametrize("persona", ["hunan_leader", "hunan_admin", "changsha_leader"])
def test_leaders_and_admins_cannot_import(people, plans, login, persona):
    client = login(people[persona])
    assert client.get(reverse("activities:import")).status_code == 404
    assert upload(client, xlsx([good_row()])).status_code == 404
    assert client.post(reverse("activities:import-confirm")).status_code == 404
    assert not Activity.objects.exists()


# --- The commands --------------------------------------------------------------------------------


@pytest.fixture
def good_file(tmp_path) -> Path:
    path = tmp_path / "activities.xlsx"
    path.write_bytes(xlsx([good_row(), good_row(活动名称="第二期")]))
    return path


def test_command_dry_run_saves_nothing(people, plans, good_file, capsys):
    call_command("import_activities", str(good_file), "--user", "furong-staff", "--year", "2013", "--dry-run")
    assert "2 项活动可以导入" in capsys.readouterr().out
    assert not Activity.objects.exists()


def test_command_imports(people, plans, good_file, capsys):
    call_command("import_activities", str(good_file), "--user", "furong-staff", "--year", "2013")
    assert "已导入 2 项活动" in capsys.readouterr().out
    assert Activity.objects.filter(created_by=people["furong_staff"]).count() == 2


def test_command_prints_each_error_and_fails(people, plans, tmp_path, capsys):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx([good_row(单位代码="999999"), good_row(**{TRAINED: "很多"})]))
    with pytest.raises(CommandError, match="共 2 处错误"):
        call_command("import_activities", str(path), "--user", "furong-staff", "--year", "2013")
    err = capsys.readouterr().err
    assert "第2行 单位代码：单位代码“999999”不存在" in err
    assert f"第3行 {TRAINED}：应为数字" in err
    assert not Activity.objects.exists()


def test_command_refuses_leaders_and_bad_files(people, plans, good_file, tmp_path):
    with pytest.raises(CommandError, match="无权导入"):
        call_command("import_activities", str(good_file), "--user", "hunan-leader", "--year", "2013")
    renamed = tmp_path / "picture.xlsx"
    renamed.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    with pytest.raises(CommandError, match="不是 Excel"):
        call_command("import_activities", str(renamed), "--user", "furong-staff", "--year", "2013")
    assert not Activity.objects.exists()


def test_export_template_command(tree, plans, tmp_path, capsys):
    output = tmp_path / "template.xlsx"
    call_command(
        "export_activity_template", "--federation", "430102", "--year", "2013", "--output", str(output)
    )
    sheet = openpyxl.load_workbook(output)["活动"]
    assert [cell.value for cell in sheet[1]] == [*FIXED_COLUMNS, LOANS, SESSIONS, TRAINED]
    with pytest.raises(CommandError, match="找不到"):
        call_command(
            "export_activity_template", "--federation", "99", "--year", "2013", "--output", str(output)
        )


# --- Translation ---------------------------------------------------------------------------------


def test_messages_are_translated_when_shown_and_render_in_either_language(tree, people, plans):
    """The messages go through gettext at the moment they are shown. There is no English catalogue yet,
    so an English reader gets the Chinese text (gettext's fallback) rather than a crash."""
    content = xlsx([good_row(单位代码="999999")])
    # The template's column help is a lazy translation, turned into text only when a template is built.
    assert all(isinstance(text, Promise) for text in COLUMN_HELP.values())
    for language in ("en", "zh-hans"):
        with translation.override(language):
            [error] = run(people, content, dry_run=True).errors
            assert str(error) == "第2行 单位代码：单位代码“999999”不存在"
            with pytest.raises(ImportFileError, match="文件为空"):
                run(people, b"")
            workbook = openpyxl.load_workbook(BytesIO(build_template(tree["furong"], 2013)))
            help_text = [cell for row in workbook["说明"].iter_rows(values_only=True) for cell in row]
            assert "活动名称，不超过 200 字。" in help_text
            assert workbook.sheetnames == ["活动", "说明"]  # the file format does not change


# --- Bulk mode -----------------------------------------------------------------------------------


def test_importing_300_rows_takes_a_bounded_number_of_queries(people, plans, django_assert_max_num_queries):
    rows = [good_row(活动名称=f"培训班第{i}期") for i in range(300)]
    content = xlsx(rows)
    # Row by row would be at least 300 INSERTs (plus figures and links); in bulk mode it is a few batches.
    with django_assert_max_num_queries(60):
        report = run(people, content)
    assert report.imported == 300
    assert Figure.objects.count() == 600
    assert Activity.work_points.through.objects.count() == 300
