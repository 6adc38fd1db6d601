import gzip
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from fedwork.models import Federation, Level


def write_sample(folder: Path, *, furong_name="芙蓉区") -> Path:
    (folder / "provinces.csv").write_text('code,name\n43,"湖南省"\n37,"山东省"\n', encoding="utf-8")
    (folder / "cities.csv").write_text(
        'code,name,provinceCode\n4301,"长沙市",43\n3701,"济南市",37\n', encoding="utf-8"
    )
    (folder / "areas.csv").write_text(
        "code,name,cityCode,provinceCode\n"
        f'430102,"{furong_name}",4301,43\n430104,"岳麓区",4301,43\n370102,"历下区",3701,37\n',
        encoding="utf-8",
    )
    with gzip.open(folder / "streets.csv.gz", "wt", encoding="utf-8") as handle:
        handle.write(
            'code,name,areaCode,provinceCode,cityCode\n430102001,"文艺路街道",430102,43,4301\n'
            '430104001,"岳麓街道",430104,43,4301\n'
        )
    with gzip.open(folder / "villages.csv.gz", "wt", encoding="utf-8") as handle:
        handle.write(
            "code,name,streetCode,provinceCode,cityCode,areaCode\n"
            '430102001001,"识字岭社区居委会",430102001,43,4301,430102\n'
            '430104001002,"桃花村村委会",430104001,43,4301,430104\n'
        )
    return folder


@pytest.fixture
def sample(tmp_path):
    return write_sample(tmp_path)


def test_loads_one_province_to_counties_by_default(db, sample):
    call_command("load_divisions", str(sample), "--province", "43", verbosity=0)
    assert sorted(Federation.objects.values_list("code", flat=True)) == [
        "00",
        "43",
        "4301",
        "430102",
        "430104",
    ]
    furong = Federation.objects.get(code="430102")
    assert furong.path == "00/43/4301/430102/"
    assert furong.level == Level.COUNTY
    assert furong.short_name == "芙蓉区妇联"


def test_loads_down_to_villages_with_clean_names(db, sample):
    call_command("load_divisions", str(sample), "--province", "43", "--depth", "village", verbosity=0)
    village = Federation.objects.get(code="430102001001")
    assert village.level == Level.VILLAGE
    assert village.short_name == "识字岭社区妇联"
    assert village.path == "00/43/4301/430102/430102001/430102001001/"
    assert Federation.objects.get(code="430104001002").short_name == "桃花村妇联"
    assert not Federation.objects.filter(code__startswith="37").exists()


def test_loading_again_changes_nothing_and_duplicates_nothing(db, sample):
    call_command("load_divisions", str(sample), "--depth", "village", verbosity=0)
    before = list(Federation.objects.order_by("code").values_list("pk", "code", "path"))
    call_command("load_divisions", str(sample), "--depth", "village", verbosity=0)
    assert list(Federation.objects.order_by("code").values_list("pk", "code", "path")) == before


def test_reloading_renames_and_adds_without_touching_existing_rows(db, sample):
    call_command("load_divisions", str(sample), "--province", "43", verbosity=0)
    furong_pk = Federation.objects.get(code="430102").pk
    write_sample(sample, furong_name="芙蓉新区")
    call_command("load_divisions", str(sample), "--province", "43", "--depth", "township", verbosity=0)
    furong = Federation.objects.get(code="430102")
    assert (furong.pk, furong.name) == (furong_pk, "芙蓉新区妇女联合会")
    assert Federation.objects.get(code="430102001").parent_id == furong_pk


def test_reports_counts(db, sample, capsys):
    call_command("load_divisions", str(sample), "--province", "43", verbosity=0)
    call_command("load_divisions", str(sample), "--province", "43", "--depth", "township", verbosity=0)
    assert "新增 2 个" in capsys.readouterr().out


def test_missing_folder_or_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="目录不存在"):
        call_command("load_divisions", str(tmp_path / "nope"), verbosity=0)
    (tmp_path / "provinces.csv").write_text("code,name\n43,湖南省\n", encoding="utf-8")
    with pytest.raises(CommandError, match="cities.csv"):
        call_command("load_divisions", str(tmp_path), verbosity=0)
    assert not Federation.objects.exists()  # nothing half-loaded


def test_wrong_columns_are_a_clear_error(db, tmp_path):
    (tmp_path / "provinces.csv").write_text("id,title\n43,湖南省\n", encoding="utf-8")
    with pytest.raises(CommandError, match="缺少列"):
        call_command("load_divisions", str(tmp_path), verbosity=0)


def test_bad_province_code_is_refused(db, sample):
    with pytest.raises(CommandError, match="两位数字"):
        call_command("load_divisions", str(sample), "--province", "hunan", verbosity=0)


def test_shipped_fixture_loads_the_whole_country_to_counties(db):
    from django.conf import settings

    call_command("load_divisions", str(settings.BASE_DIR / "fixtures" / "divisions"), verbosity=0)
    assert Federation.objects.filter(level=Level.PROVINCE).count() == 31
    assert Federation.objects.filter(level=Level.COUNTY).count() == 2978
    assert (
        Federation.objects.subtree(Federation.objects.get(code="43")).filter(level=Level.COUNTY).count()
        == 134
    )
