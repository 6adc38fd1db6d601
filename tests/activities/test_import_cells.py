"""Issue #13, findings 7, 12 and the template's year: the import reads what the sheet shows, for
federations the user may edit, from a template that carries its year and stores text as text."""

import zipfile
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from activities.importing import (
    ImportFileError,
    ImportRowsError,
    build_template,
    import_activities,
    parse_number_cell,
    template_year,
)
from activities.models import Activity, Figure
from tests import factories

from .test_import import (
    HEADERS,
    LOANS,
    TRAINED,
    good_row,
    plans,  # noqa: F401  (a fixture, used by every test here)
    upload,
    xlsx,
)

pytestmark = pytest.mark.usefixtures("plans")


def run(people, content: bytes, *, persona: str = "furong_staff", dry_run: bool = True):
    return import_activities(file_bytes=content, user=people[persona], year=2013, dry_run=dry_run)


def messages_of(report) -> list[str]:
    return [str(error) for error in report.errors]


# --- Finding 7a: formulas ------------------------------------------------------------------------


def test_a_formula_without_a_computed_value_is_a_row_error_not_a_blank(people):
    content = xlsx([good_row(**{TRAINED: "=100+50"})])  # openpyxl stores no cached result
    report = run(people, content)
    assert messages_of(report) == [
        f"第2行 {TRAINED}：公式没有计算结果，请在 Excel 中打开并保存后再导入，或直接填写数值"
    ]
    with pytest.raises(ImportRowsError):
        run(people, content, dry_run=False)
    assert not Activity.objects.exists()


def test_a_formula_with_its_computed_value_reads_the_value(people):
    # What Excel writes: the formula and the result it computed when saving.
    content = with_cached_values(
        xlsx([good_row(**{TRAINED: "=100+50"})]), {b"<f>100+50</f><v></v>": b"<f>100+50</f><v>150</v>"}
    )
    report = run(people, content, dry_run=False)
    assert report.imported == 1
    assert Figure.objects.get(indicator__code="PX02").value == 150


# --- Finding 7b: hidden sheets -------------------------------------------------------------------


def workbook_bytes(workbook) -> bytes:
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


def test_a_hidden_sheet_is_never_read_and_the_preview_names_the_sheet_read(people, login, settings, tmp_path):
    workbook = openpyxl.Workbook()
    hidden = workbook.active
    hidden.title = "旧数据"
    hidden.append(HEADERS)
    hidden.append(good_row(活动名称="隐藏表里的活动"))
    hidden.sheet_state = "hidden"
    shown = workbook.create_sheet("Sheet2")
    shown.append(HEADERS)
    shown.append(good_row(活动名称="看得见的活动"))
    content = workbook_bytes(workbook)

    report = run(people, content)
    assert [row.title for row in report.rows] == ["看得见的活动"]
    assert report.sheet_title == "Sheet2"
    settings.BASE_DIR = tmp_path
    client = login(people["furong_staff"])
    client.post(reverse("set-year"), {"year": "2013"})
    assert "读取的工作表：Sheet2" in upload(client, content).content.decode()


def test_a_hidden_activity_sheet_is_a_clear_error(people):
    workbook = openpyxl.Workbook()
    workbook.active.append(["别的内容"])
    data = workbook.create_sheet("活动")
    data.append(HEADERS)
    data.append(good_row())
    data.sheet_state = "hidden"
    with pytest.raises(ImportFileError, match="工作表“活动”已隐藏"):
        run(people, workbook_bytes(workbook))


# --- Finding 7c, 7d: numbers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("1,200", Decimal(1200)),
        ("12,345,678", Decimal(12345678)),
        ("1,200.5", Decimal("1200.5")),
        ("１，２００", Decimal(1200)),  # full-width digits and comma
        ("1，200", Decimal(1200)),  # the Chinese comma
        (" ８０ ", Decimal(80)),
    ],
)
def test_thousands_separators_are_read(text, number):
    assert parse_number_cell(text) == number


@pytest.mark.parametrize("text", ["2,5", "1,2", "1,2345", "1,20", ",200", "１，２", "2，5"])
def test_an_ambiguous_comma_is_an_error(text):
    with pytest.raises(ValueError, match="逗号只能作千位分隔符"):
        parse_number_cell(text)


def test_a_comma_error_names_the_row_and_column(people):
    report = run(people, xlsx([good_row(**{TRAINED: "2,5"})]))
    assert messages_of(report) == [
        f"第2行 {TRAINED}：逗号只能作千位分隔符（如 1,200）；小数请用小数点，如 2.5"
    ]


def with_cached_values(content: bytes, replacements: dict[bytes, bytes]) -> bytes:
    """The workbook with some cell values swapped in its sheet XML, as Excel would have cached them."""
    source = zipfile.ZipFile(BytesIO(content))
    output = BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                for old, new in replacements.items():
                    assert old in data
                    data = data.replace(old, new)
            target.writestr(name, data)
    return output.getvalue()


def test_float_noise_is_rounded_but_real_extra_precision_is_refused(people):
    # openpyxl writes floats rounded; Excel caches 0.1 + 0.2 with all seventeen digits.
    content = with_cached_values(
        xlsx([good_row(**{LOANS: 0.125, TRAINED: 151})]),
        {b"<v>0.125</v>": b"<v>0.30000000000000004</v>", b"<v>151</v>": b"<v>150.00000000000003</v>"},
    )
    report = run(people, content, dry_run=False)
    assert report.imported == 1
    values = {f.indicator.code: f.value for f in Figure.objects.all()}
    assert values == {"DK01": Decimal("0.30"), "PX01": 1, "PX02": 150}

    report = run(people, xlsx([good_row(**{LOANS: 0.305})]))
    assert messages_of(report) == [f"第2行 {LOANS}：最多保留2位小数"]


# --- Control characters --------------------------------------------------------------------------


def test_control_and_format_characters_are_removed_from_text(people):
    # (openpyxl refuses to write \x00-\x1f but \x7f, \x85 and the format characters pass.)
    row = good_row(活动名称="妇女\x7f创业\u200b培训班\u202e", 地点="芙蓉区\x85妇女\t儿童之家\n")
    run(people, xlsx([row]), dry_run=False)
    activity = Activity.objects.get()
    # fedwork.text.clean_text: control and format characters go; a tab in a one-line field is a space.
    assert (activity.title, activity.place) == ("妇女创业培训班", "芙蓉区妇女 儿童之家")


# --- Finding 12: staff import only for their own federation --------------------------------------


def test_staff_cannot_import_for_a_federation_below_them(people):
    report = run(people, xlsx([good_row(), good_row(单位代码="430102001")]))
    assert messages_of(report) == ["第3行 单位代码：无权为该妇联录入活动"]
    report = run(people, xlsx([good_row()]), persona="hunan_staff")
    assert messages_of(report) == ["第2行 单位代码：无权为该妇联录入活动"]
    # Outside the subtree it stays "not within reach", revealing nothing more.
    report = run(people, xlsx([good_row(单位代码="430104")]))
    assert messages_of(report) == ["第2行 单位代码：单位代码“430104”不在您的管辖范围内"]


def test_a_superuser_may_import_for_any_federation(people):
    report = run(people, xlsx([good_row(单位代码="430102001", 工作要点编号="2")]), persona="superuser")
    assert report.ok


# --- The template carries its year; text stays text ----------------------------------------------


def test_the_template_carries_its_year(tree):
    content = build_template(tree["furong"], 2013)
    assert template_year(content) == 2013
    workbook = openpyxl.load_workbook(BytesIO(content))
    assert workbook.defined_names["fedwork_year"].attr_text == "2013"
    help_rows = list(workbook["说明"].iter_rows(values_only=True))
    assert ("年度", "2013") in [row[:2] for row in help_rows]
    assert template_year(xlsx([good_row()])) is None


def test_the_command_takes_the_year_from_the_template(tree, people, tmp_path, capsys):
    workbook = openpyxl.load_workbook(BytesIO(build_template(tree["furong"], 2013)))
    headers = [cell.value for cell in workbook["活动"][1]]
    values = dict(zip(HEADERS, good_row(), strict=True))
    workbook["活动"].append([values.get(header) for header in headers])
    path = tmp_path / "filled.xlsx"
    path.write_bytes(workbook_bytes(workbook))
    call_command("import_activities", str(path), "--user", "furong-staff")
    assert "已导入 1 项活动（2013年）" in capsys.readouterr().out

    plain = tmp_path / "plain.xlsx"
    plain.write_bytes(xlsx([good_row()]))
    with pytest.raises(CommandError, match="请用 --year 指定年度"):
        call_command("import_activities", str(plain), "--user", "furong-staff")
    assert Activity.objects.count() == 1


def test_the_command_refuses_duplicates_unless_told(people, tmp_path, capsys):
    path = tmp_path / "twice.xlsx"
    path.write_bytes(xlsx([good_row(), good_row()]))
    with pytest.raises(CommandError, match="共 1 行重复"):
        call_command("import_activities", str(path), "--user", "furong-staff", "--year", "2013")
    assert "第3行：与第2行重复" in capsys.readouterr().err
    assert not Activity.objects.exists()
    call_command(
        "import_activities", str(path), "--user", "furong-staff", "--year", "2013", "--allow-duplicates"
    )
    assert Activity.objects.count() == 2


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","点我")', "+1+1", "-2+3", "@SUM(A1)", "=1+1"])
def test_user_text_in_the_template_is_stored_as_text(tree, text):
    plan = factories.plan(tree["furong"], year=2014)
    factories.point(plan, text, label="一")
    tree["furong"].name = text
    content = build_template(tree["furong"], 2014)
    workbook = openpyxl.load_workbook(BytesIO(content))  # not data_only: formulas would show as such
    cells = [cell for row in workbook["说明"].iter_rows() for cell in row if cell.value is not None]
    assert all(cell.data_type != "f" for cell in cells)
    point_cell = next(cell for cell in cells if cell.value == text)
    assert point_cell.data_type == "s"
    assert any(str(cell.value).startswith(text) for cell in cells if cell.row == 1)


def test_the_import_cleans_text_with_the_projects_one_rule():
    from fedwork.text import clean_text

    assert clean_text("a\x00b\u200bc\r\nd\te") == "abc d e"
    assert clean_text("a\x00b\r\nc\td\x1b", multiline=True) == "ab\nc\td"
    assert clean_text("普通　文字") == "普通　文字"
