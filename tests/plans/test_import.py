"""Importing a work-points document: the command, the upload page, and bad files."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from plans.models import Indicator, Plan, PlanStatus, Target
from plans.services import load_indicator_catalogue

SEEDS = Path(settings.BASE_DIR) / "fixtures" / "seeds"
HUNAN = SEEDS / "hunan-2013-work-points-notice.txt"
LIXIA = SEEDS / "lixia-2013-grassroots-standards.txt"


@pytest.fixture
def catalogue(tree):
    load_indicator_catalogue(Path(settings.BASE_DIR) / "fixtures" / "indicators.csv")


def test_catalogue_has_at_least_30_indicators_of_every_kind(catalogue):
    from plans.models import Indicator

    assert Indicator.objects.count() >= 30
    kinds = set(Indicator.objects.values_list("kind", flat=True))
    assert kinds == {"sum", "rate", "coverage", "milestone"}
    rate = Indicator.objects.get(code="XF03")
    assert (rate.numerator.code, rate.denominator.code) == ("XF02", "XF01")


def test_dry_run_json_prints_the_outline_and_saves_nothing(catalogue, capsys):
    call_command("import_plan", str(HUNAN), "--federation", "43", "--year", "2013", "--dry-run", "--json")
    data = json.loads(capsys.readouterr().out)
    # #14 added keys (baselines, year, source; approximate and review_note on targets); none renamed.
    assert set(data) >= {"title", "doc_number", "points", "activities"}
    assert data["doc_number"] == "湘妇字〔2013〕3号"
    assert [p["label"] for p in data["points"]] == ["一", "二"]
    assert len(data["activities"]) == 18
    point = data["points"][1]["children"][0]["children"][0]
    assert set(point) >= {"label", "title", "targets", "children"}
    assert (
        point["targets"][0].items()
        >= {
            "text": "培育1000名岗位明星、技术女能手",
            "value": 1000,
            "max_value": None,
            "unit": "名",
            "comparator": ">=",
            "per": None,
        }.items()
    )
    assert not Plan.objects.exists()


def test_import_builds_a_draft_with_suggested_indicators(catalogue, capsys):
    call_command("import_plan", str(LIXIA), "--federation", "370102", "--year", "2013")
    plan = Plan.objects.get(federation__code="370102", year=2013)
    assert plan.status == PlanStatus.DRAFT
    assert plan.doc_number == "历下妇发〔2013〕12号"
    targets = {t.source_text: t for t in Target.objects.filter(plan=plan).select_related("indicator")}
    assert targets["每月上报信息不少于2条"].indicator.code == "XC02"
    assert targets["每月上报信息不少于2条"].annual_value == 24
    # The clause before it took the catalogue's XC01: counting one article toward both would count it
    # twice, so the importer proposes the plan's own indicator, named after the clause.
    assert targets["每年新闻宣传报道省级不少于1篇"].indicator.code == "XC01"
    city = targets["市级不少于2篇"].indicator
    assert (city.owner.code, city.unit) == ("370102", Indicator.objects.get(code="XC01").unit)
    assert city.name.endswith("（市级）")
    assert not Target.objects.filter(plan=plan).unconfirmed_shares()
    assert targets["案件处结率达98%以上"].indicator.code == "XF03"
    recruiting = targets["每年举办妇女专场招聘会1-2场次"]
    assert (recruiting.comparator, recruiting.value, recruiting.max_value) == ("range", 1, 2)
    assert "已生成草稿" in capsys.readouterr().out


def test_importing_twice_for_the_same_year_is_refused(catalogue):
    call_command("import_plan", str(LIXIA), "--federation", "370102", "--year", "2013", verbosity=0)
    with pytest.raises(CommandError, match="已有工作要点"):
        call_command("import_plan", str(LIXIA), "--federation", "370102", "--year", "2013")
    assert Plan.objects.count() == 1


def test_bad_files_and_codes_are_clear_errors(catalogue, tmp_path):
    binary = tmp_path / "x.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    with pytest.raises(CommandError, match="不是文本"):
        call_command("import_plan", str(binary), "--federation", "43", "--year", "2013")
    with pytest.raises(CommandError, match="无法读取"):
        call_command("import_plan", str(tmp_path / "missing.txt"), "--federation", "43", "--year", "2013")
    with pytest.raises(CommandError, match="找不到代码"):
        call_command("import_plan", str(LIXIA), "--federation", "99", "--year", "2013")
    assert not Plan.objects.exists()


def upload(client, name, content):
    return client.post(reverse("plans:import"), {"document": SimpleUploadedFile(name, content)})


def test_upload_creates_a_draft_and_highlights_targets(people, catalogue, login):
    client = login(people["lixia_staff"])
    client.post(reverse("set-year"), {"year": "2013"})
    review = upload(client, "lixia.txt", LIXIA.read_bytes())
    assert review.status_code == 200 and "核对导入内容" in review.content.decode()
    assert not Plan.objects.exists()  # nothing is saved before the planner confirms
    keep = [row.index for row in review.context["rows"]]
    response = client.post(reverse("plans:import"), {"payload": review.context["payload"], "keep": keep})
    plan = Plan.objects.get(federation__code="370102")
    assert response.url == plan.get_absolute_url()
    page = client.get(plan.get_absolute_url()).content.decode()
    assert '<mark class="target-source">每月上报信息不少于2条</mark>' in page
    assert "确认并发布" in page


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "空文件"),
        ("picture.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "不是文本"),
        ("sheet.xlsx", b"PK\x03\x04garbage", "文档"),
        ("fake.docx", b"this is not a zip", "Word"),
    ],
)
def test_upload_of_a_bad_file_shows_the_reason_and_saves_nothing(
    people, catalogue, login, name, content, message
):
    response = upload(login(people["lixia_staff"]), name, content)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["document"])
    assert not Plan.objects.exists()


def test_leaders_cannot_import(people, catalogue, login):
    client = login(people["hunan_leader"])
    assert client.get(reverse("plans:import")).status_code == 404
    assert upload(client, "lixia.txt", LIXIA.read_bytes()).status_code == 404
    assert not Plan.objects.exists()
