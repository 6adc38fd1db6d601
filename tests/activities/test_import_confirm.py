"""Issue #13, finding 6: a preview is confirmed by its own id, exactly once; duplicates need a tick."""

import threading
from pathlib import Path

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from activities.importing import ImportDuplicatesError, import_activities
from activities.models import Activity, ActivityType

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


def test_confirm_in_one_tab_saves_that_tabs_file_not_the_last_upload(staff_client):
    tab_a = upload(staff_client, xlsx([good_row(活动名称="A表的活动")])).context["token"]
    tab_b = upload(staff_client, xlsx([good_row(活动名称="B表的活动"), good_row(活动名称="B表第二项")]))
    tab_b = tab_b.context["token"]
    confirm(staff_client, tab_a)
    assert list(Activity.objects.values_list("title", flat=True)) == ["A表的活动"]
    confirm(staff_client, tab_b)
    assert Activity.objects.count() == 3


def test_a_second_confirm_of_the_same_preview_saves_nothing_and_says_so(staff_client, tmp_path):
    token = upload(staff_client, xlsx([good_row()])).context["token"]
    first = confirm(staff_client, token)
    assert first.url == reverse("activities:list")
    second = confirm(staff_client, token)  # double click, or the back button and confirm again
    assert second.status_code == 302
    assert "该文件已导入，未重复保存。" in texts(second)
    assert Activity.objects.count() == 1
    assert not list((tmp_path / "var" / "imports").glob("*.xlsx"))


def test_a_token_not_previewed_in_this_session_is_refused(staff_client, people, login):
    token = upload(staff_client, xlsx([good_row()])).context["token"]
    other = Client()
    other.force_login(people["furong_staff"])
    response = confirm(other, token)
    assert response.url == reverse("activities:import")
    assert "没有待确认的导入，或已过期，请重新上传文件。" in texts(response)
    response = confirm(staff_client, "../../etc/passwd")
    assert response.url == reverse("activities:import")
    assert not Activity.objects.exists()


def test_only_the_last_five_previews_are_kept(staff_client, tmp_path):
    tokens = [upload(staff_client, xlsx([good_row(活动名称=f"第{i}份")])).context["token"] for i in range(7)]
    assert len(list((tmp_path / "var" / "imports").glob("*.xlsx"))) == 5
    assert confirm(staff_client, tokens[0]).url == reverse("activities:import")  # dropped
    confirm(staff_client, tokens[-1])
    assert list(Activity.objects.values_list("title", flat=True)) == ["第6份"]


# --- Duplicates ----------------------------------------------------------------------------------


def test_the_same_file_twice_is_flagged_and_needs_the_tick(staff_client):
    content = xlsx([good_row(), good_row(活动名称="第二期", **{LOANS: 0.3})])
    confirm(staff_client, upload(staff_client, content).context["token"])
    assert Activity.objects.count() == 2

    response = upload(staff_client, content)
    html = response.content.decode()
    report = response.context["report"]
    assert [row.number for row in report.duplicates] == [2, 3]
    assert "与已有活动重复（活动“芙蓉区妇女创业培训班”，2013-05-10）" in html
    assert "我已核对，这些重复行确实是新活动" in html and html.count("data-row-duplicate") == 2
    token = response.context["token"]

    refused = confirm(staff_client, token)  # without the tick
    assert refused.status_code == 200 and Activity.objects.count() == 2
    assert any("有重复的行" in text for text in texts(refused))
    assert refused.context["token"] == token  # the same preview, confirmable once ticked

    confirm(staff_client, token, duplicates_checked="1")
    assert Activity.objects.count() == 4


def test_rows_repeated_within_the_file_are_flagged(people):
    content = xlsx([good_row(), good_row(活动名称="别的活动"), good_row()])
    report = import_activities(file_bytes=content, user=people["furong_staff"], year=2013, dry_run=True)
    assert [(row.number, row.duplicate_of) for row in report.duplicates] == [(4, "与第2行重复")]
    with pytest.raises(ImportDuplicatesError):
        import_activities(file_bytes=content, user=people["furong_staff"], year=2013, dry_run=False)
    assert not Activity.objects.exists()
    report = import_activities(
        file_bytes=content, user=people["furong_staff"], year=2013, dry_run=False, allow_duplicates=True
    )
    assert report.imported == 3


def test_a_different_figure_or_date_is_not_a_duplicate(people):
    user = people["furong_staff"]
    import_activities(file_bytes=xlsx([good_row()]), user=user, year=2013, dry_run=False)
    other_figure = good_row(**{TRAINED: 151})
    other_place_same_everything_else = good_row(地点="别处")  # the place is not part of "the same"
    report = import_activities(
        file_bytes=xlsx([other_figure, other_place_same_everything_else]), user=user, year=2013, dry_run=True
    )
    assert [row.number for row in report.duplicates] == [3]


def test_the_duplicate_check_takes_a_few_queries_per_batch(people, django_assert_max_num_queries):
    user = people["furong_staff"]
    rows = [good_row(活动名称=f"培训班第{i}期") for i in range(300)]
    import_activities(file_bytes=xlsx(rows), user=user, year=2013, dry_run=False)
    with django_assert_max_num_queries(30):
        report = import_activities(file_bytes=xlsx(rows), user=user, year=2013, dry_run=True)
    assert len(report.duplicates) == 300


# --- Two confirms at once (PostgreSQL: real concurrent transactions) ------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent database connections")
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_confirms_import_once(tree, people, settings, tmp_path: Path):
    settings.BASE_DIR = tmp_path
    # An earlier transactional test may have flushed the types the migrations seeded.
    ActivityType.objects.ensure_defaults()
    client = Client()
    client.force_login(people["furong_staff"])
    client.post(reverse("set-year"), {"year": "2013"})
    rows = [good_row(活动名称=f"培训班第{i}期") for i in range(200)]
    token = upload(client, xlsx(rows)).context["token"]
    assert token
    cookies = client.cookies
    barrier = threading.Barrier(2)
    results: list = []

    def press_confirm() -> None:
        twin = Client()
        twin.cookies = cookies  # the same browser session, two requests
        barrier.wait()
        try:
            results.append(texts(confirm(twin, token)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press_confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Activity.objects.count() == 200
    assert sorted(len(r) for r in results) == [1, 1]
    assert any("该文件已导入，未重复保存。" in r for r in results)
    assert any("已导入 200 项活动（2013年）。" in r for r in results)
