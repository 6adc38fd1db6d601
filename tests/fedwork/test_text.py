"""Issue #13: control characters are removed from every text field at entry (forms, imports, admin).

A title pasted from Word with a vertical tab (\\x0b) made the county and city Excel exports answer
500 (openpyxl's IllegalCharacterError); NUL bytes reached the database.
"""

import unicodedata

import pytest
from django.urls import reverse

from activities.models import Activity, ActivityType
from fedwork.fields import CleanCharField, CleanTextField
from fedwork.models import Federation, Level
from fedwork.text import _REMOVED_RE, clean_text


@pytest.mark.parametrize(
    ("value", "single", "multi"),
    [
        ("妇女创业培训班", "妇女创业培训班", "妇女创业培训班"),
        ("培训\x0b班\x00", "培训班", "培训班"),
        ("  前后空白 ", "前后空白", "  前后空白 "),
        ("第一行\r\n第二行\r第三行", "第一行 第二行 第三行", "第一行\n第二行\n第三行"),
        ("甲\t乙\n\n丙", "甲 乙 丙", "甲\t乙\n\n丙"),
        ("零\u200b宽\u200d字\ufeff符\u00ad", "零宽字符", "零宽字符"),
        ("方向\u202e标记\u200f", "方向标记", "方向标记"),
        ("C1\x85\x9f控制", "C1控制", "C1控制"),
        ("段\u2028落\u2029", "段 落", "段\n落\n"),
        ("全角\u3000空格", "全角\u3000空格", "全角\u3000空格"),
        ('=HYPERLINK("x")', '=HYPERLINK("x")', '=HYPERLINK("x")'),
        ("\ufffe\uffff\ud800非字符", "非字符", "非字符"),
        ("标签\U000e0041字符", "标签字符", "标签字符"),
        ("\x0b", "", ""),
    ],
)
def test_clean_text(value, single, multi):
    assert clean_text(value) == single
    assert clean_text(value, multiline=True) == multi


def test_clean_text_removes_every_control_and_format_character_of_unicode():
    # The module scans only the planes that hold such characters; this scans them all, once.
    kept = {"\t", "\n", "\r", "\u2028", "\u2029"}
    for cp in range(0x110000):
        char = chr(cp)
        if unicodedata.category(char) in ("Cc", "Cf", "Cs") and char not in kept:
            assert _REMOVED_RE.match(char), hex(cp)
    assert not _REMOVED_RE.search("".join(chr(cp) for cp in range(0x20, 0x7F)) + "中文，。、“”\u3000😀")


def test_the_fields_deconstruct_to_their_own_path():
    assert CleanCharField(max_length=5).deconstruct()[1] == "fedwork.fields.CleanCharField"
    assert CleanTextField().deconstruct()[1] == "fedwork.fields.CleanTextField"


def test_a_form_post_stores_a_title_pasted_with_control_characters_clean(tree, people, login):
    client = login(people["furong_staff"])
    client.post(reverse("set-year"), {"year": "2013"})
    data = {
        "type": ActivityType.objects.get(name="培训").pk,
        "title": "芙蓉区\x0b妇女创业\x00培训班",
        "status": "done",
        "actual_start": "2013-05-10T09:00",
        "place": "妇女儿童之家\r\n二楼",
        "description": "第一行\r\n第二行\x0c",
    }
    response = client.post(reverse("activities:create"), data)
    assert response.status_code == 302
    activity = Activity.objects.get(federation=tree["furong"])
    assert (activity.title, activity.place, activity.description) == (
        "芙蓉区妇女创业培训班",
        "妇女儿童之家 二楼",
        "第一行\n第二行",
    )


def test_a_title_of_only_control_characters_is_refused_as_empty(tree, people, login):
    client = login(people["furong_staff"])
    client.post(reverse("set-year"), {"year": "2013"})
    data = {"type": ActivityType.objects.get(name="培训").pk, "title": "\x0b\x00", "status": "done"}
    response = client.post(reverse("activities:create"), data)
    assert response.status_code == 200
    assert "title" in response.context["form"].errors
    assert not Activity.objects.exists()


def test_bulk_create_stores_clean_text(tree):
    training = ActivityType.objects.get(name="培训")
    Activity.objects.bulk_create(
        [
            Activity(
                federation=tree["furong"],
                year=2013,
                type=training,
                title="导入\x0b的\x00活动",
                place="\t地点\n",
            )
        ]
    )
    assert Activity.objects.values_list("title", "place").get() == ("导入的活动", "地点")


def test_save_stores_clean_text(tree):
    federation = Federation(code="430199", name="新\x0b区妇联", short_name="\x00新区", level=Level.COUNTY)
    federation.parent = tree["changsha"]
    federation.save()
    federation.refresh_from_db()
    assert (federation.name, federation.short_name) == ("新区妇联", "新区")


def test_the_federation_admin_change_form_stores_clean_text(people, tree, login):
    client = login(people["hunan_admin"])
    furong = tree["furong"]
    response = client.post(
        reverse("admin:fedwork_federation_change", args=[furong.pk]),
        {
            "code": furong.code,
            "name": "芙蓉区\x0b妇女联合会\x00",
            "short_name": "芙蓉区\u200b妇联",
            "level": Level.COUNTY,
            "parent": tree["changsha"].pk,
        },
    )
    assert response.status_code == 302
    furong.refresh_from_db()
    assert (furong.name, furong.short_name) == ("芙蓉区妇女联合会", "芙蓉区妇联")


def test_max_length_is_checked_after_cleaning(people, tree, login):
    client = login(people["hunan_admin"])
    furong = tree["furong"]
    response = client.post(
        reverse("admin:fedwork_federation_change", args=[furong.pk]),
        {
            "code": furong.code,
            "name": "芙蓉区妇联",
            "short_name": "短" * 50 + "\x00" * 10,
            "level": Level.COUNTY,
            "parent": tree["changsha"].pk,
        },
    )
    assert response.status_code == 302
    furong.refresh_from_db()
    assert furong.short_name == "短" * 50


def test_update_and_bulk_update_store_clean_text(tree):
    Federation.objects.filter(pk=tree["furong"].pk).update(name="芙蓉区\x0b妇联\x00")
    tree["yuelu"].short_name = "岳麓\x0c区妇联"
    Federation.objects.bulk_update([tree["yuelu"]], ["short_name"])
    names = dict(Federation.objects.filter(code__in=["430102", "430104"]).values_list("code", "name"))
    assert names["430102"] == "芙蓉区妇联"
    assert Federation.objects.get(code="430104").short_name == "岳麓区妇联"


def test_lookups_take_their_text_as_given(tree):
    # Cleaning the lookup would turn a search for "\x0b" into a search for "", which matches every row.
    assert not Federation.objects.filter(name__contains="\x0b").exists()
    assert Federation.objects.filter(name__contains=" ").count() == 0
