"""A scheme from an Excel sheet: all or nothing, each bad row named with its row, column and reason;
hostile files refused by the activity import's checks."""

from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from assessments import importing, services
from assessments.models import Rule


def workbook(rows, headers=("考核项目", "考核内容", "分值", "计分方式"), merge=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    if merge:
        sheet.merge_cells(merge)
    output = BytesIO()
    book.save(output)
    return output.getvalue()


GOOD = [
    ("组织建设", "妇女之家规范化建设", 30, "评审打分"),
    (None, "妇女技能培训", "20", "按目标完成"),
    ("维权服务", "信访办结", 2.5, ""),
    ("加分与扣分", "创新加分", 5, "加分"),
    (None, "信息报送不及时", "3分", "扣分"),
]


def test_a_good_sheet_gives_areas_and_items_in_order():
    areas = importing.read_scheme(workbook(GOOD))
    assert [(a.name, [(i.name, i.max_points, i.rule) for i in a.items]) for a in areas] == [
        (
            "组织建设",
            [
                ("妇女之家规范化建设", Decimal(30), Rule.JUDGED),
                ("妇女技能培训", Decimal(20), Rule.FROM_TARGETS),
            ],
        ),
        ("维权服务", [("信访办结", Decimal("2.5"), Rule.JUDGED)]),
        (
            "加分与扣分",
            [("创新加分", Decimal(5), Rule.BONUS), ("信息报送不及时", Decimal(3), Rule.DEDUCTION)],
        ),
    ]


def test_merged_area_cells_continue_the_area():
    rows = [("组织建设", "甲", 10, ""), ("", "乙", 10, ""), ("", "丙", 10, "")]
    areas = importing.read_scheme(workbook(rows, merge="A2:A4"))
    assert [(a.name, len(a.items)) for a in areas] == [("组织建设", 3)]


def test_every_bad_row_is_named_and_nothing_returned():
    rows = [
        *GOOD,
        ("组织建设", "", 10, ""),
        ("组织建设", "台账", "十分", ""),
        ("组织建设", "宣传", 5, "随便"),
    ]
    with pytest.raises(importing.SchemeRowsError) as caught:
        importing.read_scheme(workbook(rows))
    assert [str(error) for error in caught.value.errors] == [
        "第7行 考核内容：不能为空",
        "第8行 分值：应为大于 0 的数字，如 10 或 2.5",
        "第9行 计分方式：应为“按目标完成”“评审打分”“加分”或“扣分”，不是“随便”",
    ]


def test_a_missing_column_is_refused():
    with pytest.raises(importing.ImportFileError, match="缺少列：计分方式"):
        importing.read_scheme(workbook([("组织建设", "甲", 10)], headers=("考核项目", "考核内容", "分值")))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"MZ\x90\x00" + b"\x00" * 100, "不是 Excel"),
        (b"", "文件为空"),
        (b"PK\x03\x04garbage", "损坏"),
    ],
)
def test_hostile_files_are_refused(content, message):
    with pytest.raises(importing.ImportFileError, match=message):
        importing.read_scheme(content)


def test_upload_replaces_the_draft_items_or_keeps_them_all(tree, staff, login):
    scheme = services.scheme_create(federation=tree["furong"], year=2013, name="芙蓉区考核", by=None)
    client = login(staff["furong_leader"])
    url = reverse("assessments:scheme-import", kwargs={"pk": scheme.pk})
    response = client.post(url, {"file": SimpleUploadedFile("细则.xlsx", workbook(GOOD))}, follow=True)
    assert "已导入考核细则" in response.content.decode()
    assert [item.name for item in scheme.items()] == [
        "妇女之家规范化建设",
        "妇女技能培训",
        "信访办结",
        "创新加分",
        "信息报送不及时",
    ]
    bad = workbook([("组织建设", "新内容", 10, ""), ("组织建设", "台账", -1, "")])
    response = client.post(url, {"file": SimpleUploadedFile("细则.xlsx", bad)}, follow=True)
    assert "导入失败，未保存任何内容：第3行 分值" in response.content.decode()
    assert len(scheme.items()) == 5 and "新内容" not in [item.name for item in scheme.items()]


@pytest.mark.parametrize("persona", ["furong_staff", "changsha_leader", "yuelu_staff", "lixia_staff"])
def test_only_the_schemes_leaders_import(tree, staff, login, persona):
    scheme = services.scheme_create(federation=tree["furong"], year=2013, name="芙蓉区考核", by=None)
    response = login(staff[persona]).post(
        reverse("assessments:scheme-import", kwargs={"pk": scheme.pk}),
        {"file": SimpleUploadedFile("细则.xlsx", workbook(GOOD))},
    )
    assert response.status_code == 404
    assert not scheme.items().exists()


LIXIA = Path("/work/shared/seeds/lixia-2013-grassroots-standards.txt")


@pytest.mark.skipif(not LIXIA.exists(), reason="the Lixia standards seed is not on this machine")
def test_the_lixia_standards_give_six_areas_and_their_targets():
    areas = importing.read_scheme_document(LIXIA.read_bytes(), "lixia.txt")
    assert [area.name for area in areas] == [
        "组织建设",
        "宣传教育",
        "妇女发展",
        "妇女维权",
        "儿童工作",
        "两规实施",
    ]
    assert sum(item.max_points for area in areas for item in area.items) == 100
    development = areas[2]
    assert [item.name for item in development.items][1] == "培训妇女300人以上"
    assert [item.name for item in areas[5].items] == ["主要内容落实情况"]
    assert all(item.rule == Rule.JUDGED for area in areas for item in area.items)


def test_a_document_upload_fills_the_draft(tree, staff, login):
    scheme = services.scheme_create(federation=tree["furong"], year=2013, name="芙蓉区考核", by=None)
    text = (
        "关于加强基层妇联工作的意见\n一、组织建设\n全面提升妇女之家建设水平，培训妇女300人以上。\n"
        "二、宣传教育\n每月上报信息不少于2条。\n"
    )
    response = login(staff["furong_leader"]).post(
        reverse("assessments:scheme-import", kwargs={"pk": scheme.pk}),
        {"file": SimpleUploadedFile("标准.txt", text.encode())},
        follow=True,
    )
    assert "已导入考核细则" in response.content.decode()
    assert [(i.area.name, i.name, i.max_points) for i in scheme.items()] == [
        ("组织建设", "培训妇女300人以上", Decimal(50)),
        ("宣传教育", "每月上报信息不少于2条", Decimal(50)),
    ]


def test_an_unreadable_document_is_refused_in_chinese(tree, staff, login):
    scheme = services.scheme_create(federation=tree["furong"], year=2013, name="芙蓉区考核", by=None)
    response = login(staff["furong_leader"]).post(
        reverse("assessments:scheme-import", kwargs={"pk": scheme.pk}),
        {"file": SimpleUploadedFile("标准.docx", b"PK\x03\x04garbage")},
        follow=True,
    )
    assert "文件不是有效的 Word 文档（.docx）" in response.content.decode()
    assert not scheme.items().exists()
