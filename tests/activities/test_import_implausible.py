"""Issue #17: an implausible figure in the Excel import asks for confirmation, as the activity form does
(services.implausible_figure): flagged in the preview, saved only once 以上数值已核对无误 is ticked."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from activities.importing import BATCH_SIZE, ImportDuplicatesError, ImportImplausibleError, import_activities
from activities.models import Activity, Figure

from .test_import import (
    LOANS,
    TRAINED,
    confirm,
    good_row,
    plans,  # noqa: F401  (a fixture, used by every test here)
    texts,
    upload,
    xlsx,
)

pytestmark = pytest.mark.usefixtures("plans")

HUGE = 99_999_999_999  # 99,999,999,999人: a phone number in the wrong box
WARNING = "“培训妇女人数”为99,999,999,999人，数值异常大，请核对（是否多输了0？）。"


def huge_file() -> bytes:
    return xlsx([good_row(活动名称="正常的活动"), good_row(活动名称="多输了0的活动", **{TRAINED: HUGE})])


def test_the_preview_lists_the_row_and_column_of_an_implausible_figure(staff_client):
    response = upload(staff_client, huge_file())
    report = response.context["report"]
    assert [str(warning) for warning in report.implausible] == [f"第3行 {TRAINED}：{WARNING}"]
    html = response.content.decode()
    assert 'data-testid="import-implausible"' in html
    assert "有 1 个数值异常大，请核对是否多输了0。" in html
    assert f'data-label="列">{TRAINED}</td>' in html and WARNING in html
    assert "以上数值已核对无误" in html and html.count("data-row-implausible") == 1
    assert not Activity.objects.exists()


def test_confirm_without_the_tick_saves_nothing_and_says_why_then_once_ticked_saves_once(staff_client):
    token = upload(staff_client, huge_file()).context["token"]
    refused = confirm(staff_client, token)
    assert refused.status_code == 200
    assert not Activity.objects.exists() and not Figure.objects.exists()
    assert any("有数值异常大" in text and "未保存任何活动" in text for text in texts(refused))
    assert refused.context["token"] == token  # the same preview, confirmable once ticked
    assert "以上数值已核对无误" in refused.content.decode()

    saved = confirm(staff_client, token, implausible_checked="1")
    assert saved.url == reverse("activities:list")
    assert sorted(Activity.objects.values_list("title", flat=True)) == ["多输了0的活动", "正常的活动"]
    assert Figure.objects.get(activity__title="多输了0的活动", indicator__name="培训妇女人数").value == HUGE
    again = confirm(staff_client, token, implausible_checked="1")  # a double click
    assert "该文件已导入，未重复保存。" in texts(again)
    assert Activity.objects.count() == 2


def test_the_importer_refuses_all_or_nothing_without_the_flag(people):
    user = people["furong_staff"]
    with pytest.raises(ImportImplausibleError, match="有 1 个数值异常大"):
        import_activities(file_bytes=huge_file(), user=user, year=2013, dry_run=False)
    assert not Activity.objects.exists()  # not even the plausible first row
    report = import_activities(
        file_bytes=huge_file(), user=user, year=2013, dry_run=False, allow_implausible=True
    )
    assert report.imported == 2 and Activity.objects.count() == 2


def test_plausible_figures_are_not_flagged(people):
    # Just below the limits: 9,999,999人 and 999,999万元.
    content = xlsx([good_row(**{TRAINED: 9_999_999, LOANS: Decimal("999999")})])
    report = import_activities(file_bytes=content, user=people["furong_staff"], year=2013, dry_run=True)
    assert report.ok and report.implausible == [] and report.rows[0].implausible == []
    report = import_activities(file_bytes=content, user=people["furong_staff"], year=2013, dry_run=False)
    assert report.imported == 1


def test_the_limit_itself_is_flagged_for_money_too(people):
    content = xlsx([good_row(**{LOANS: 1_000_000})])  # 1,000,000万元 = 100亿元
    report = import_activities(file_bytes=content, user=people["furong_staff"], year=2013, dry_run=True)
    assert [(warning.row, warning.column) for warning in report.implausible] == [(2, LOANS)]


def test_a_huge_duplicate_needs_both_ticks(staff_client, people):
    content = xlsx([good_row(**{TRAINED: HUGE})])
    import_activities(
        file_bytes=content, user=people["furong_staff"], year=2013, dry_run=False, allow_implausible=True
    )
    response = upload(staff_client, content)
    report = response.context["report"]
    assert [row.number for row in report.duplicates] == [2] and len(report.implausible) == 1
    token = response.context["token"]

    refused = confirm(staff_client, token, implausible_checked="1")
    assert any("有重复的行" in text for text in texts(refused)) and Activity.objects.count() == 1
    refused = confirm(staff_client, token, duplicates_checked="1")
    assert any("有数值异常大" in text for text in texts(refused)) and Activity.objects.count() == 1
    confirm(staff_client, token, duplicates_checked="1", implausible_checked="1")
    assert Activity.objects.count() == 2

    with pytest.raises(ImportDuplicatesError):
        import_activities(
            file_bytes=content, user=people["furong_staff"], year=2013, dry_run=False, allow_implausible=True
        )
    with pytest.raises(ImportImplausibleError):
        import_activities(
            file_bytes=content, user=people["furong_staff"], year=2013, dry_run=False, allow_duplicates=True
        )
    assert Activity.objects.count() == 2


def test_the_command_refuses_implausible_figures_unless_confirmed(people, tmp_path, capsys):
    path = tmp_path / "huge.xlsx"
    path.write_bytes(huge_file())
    command = ["import_activities", str(path), "--user", "furong-staff", "--year", "2013"]
    with pytest.raises(CommandError, match="有 1 个数值异常大.*加 --confirm-implausible 再导入"):
        call_command(*command)
    assert f"第3行 {TRAINED}：{WARNING}" in capsys.readouterr().err
    with pytest.raises(CommandError, match="--confirm-implausible"):
        call_command(*command, "--dry-run")
    assert not Activity.objects.exists()
    call_command(*command, "--confirm-implausible")
    assert Activity.objects.count() == 2
    assert "已导入 2 项活动（2013年）" in capsys.readouterr().out


def test_a_huge_figure_in_a_later_batch_rolls_back_the_earlier_batches(people):
    rows = [good_row(活动名称=f"第{number}项") for number in range(BATCH_SIZE)]
    rows.append(good_row(活动名称="最后一项", **{TRAINED: HUGE}))  # row 1002, in the second batch
    with pytest.raises(ImportImplausibleError) as refusal:
        import_activities(file_bytes=xlsx(rows), user=people["furong_staff"], year=2013, dry_run=False)
    report = refusal.value.report
    assert [str(warning) for warning in report.implausible] == [f"第1002行 {TRAINED}：{WARNING}"]
    assert report.imported == 0
    assert not Activity.objects.exists() and not Figure.objects.exists()
