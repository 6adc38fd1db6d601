"""Every document case (tests/plans/cases, copied from the shared cases folder) gives what its entry in
cases/expected.json says: targets with value, unit, comparator, cadence and place; headings; nothing
taken for a target that is not one. The comparison is the one ``import_plan --score`` prints."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from plans.parsing import parse_document
from plans.parsing.scoring import score_plan
from plans.services import plan_import

CASES = Path(__file__).resolve().parent / "cases"
EXPECTED = {
    name: entry
    for name, entry in json.loads((CASES / "expected.json").read_text(encoding="utf-8")).items()
    if not name.startswith("_")
}


def test_every_case_file_has_an_expectation():
    files = {path.name for path in CASES.iterdir() if path.suffix in (".txt", ".docx", ".pdf")}
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_case(name):
    plan = parse_document((CASES / name).read_bytes(), name)
    score = score_plan(plan, EXPECTED[name])
    assert score.problems == []


def test_import_plan_score_prints_the_same_comparison(tmp_path):
    out = io.StringIO()
    call_command("import_plan", "--score", str(CASES), stdout=out)
    lines = out.getvalue().splitlines()
    assert "D-verbs.txt：目标 4/4，误报 0，标题 5/5" in lines
    assert lines[-1] == "合计：目标 36/36（100%），误报 0，标题 27/27（100%）"

    # A folder whose expectations the parser does not meet says so, with the problems at -v 2.
    (tmp_path / "a.txt").write_text(
        "一、促进就业\n全省培训妇女300人以上，举办招聘会5场。\n", encoding="utf-8"
    )
    (tmp_path / "expected.json").write_text(
        json.dumps(
            {
                "a.txt": {
                    "targets": [{"value": 300, "unit": "人", "comparator": ">="}, {"value": 9, "unit": "场"}],
                    "headings": [{"at": "一", "title": "维护权益"}],
                }
            }
        ),
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("import_plan", "--score", str(tmp_path), verbosity=2, stdout=out)
    text = out.getvalue()
    assert "a.txt：目标 1/2，误报 1，标题 0/1（有问题）" in text
    assert "false target 5 场" in text
    assert text.splitlines()[-1] == "合计：目标 1/2（50%），误报 1，标题 0/1（0%）"


@pytest.fixture
def catalogue(tree):
    from django.conf import settings

    from plans.services import load_indicator_catalogue

    load_indicator_catalogue(Path(settings.BASE_DIR) / "fixtures" / "indicators.csv")


@pytest.mark.django_db
def test_every_case_imports_as_a_draft_with_its_targets(catalogue):
    # Today's plan_import takes the new shapes as they are: unlabelled points, sections, rows, speech
    # items; a quarterly or multi-year target is stored with the year cadence (its review_note says so).
    from fedwork.models import Federation
    from plans.models import Plan

    federation = Federation.objects.get(code="43")
    for year, name in enumerate(sorted(EXPECTED), start=2032):
        parsed = parse_document((CASES / name).read_bytes(), name)
        plan = plan_import(parsed=parsed, federation=federation, year=year, by=None, source_name=name)
        assert plan.targets.count() == len(EXPECTED[name]["targets"]), name
    assert Plan.objects.count() == len(EXPECTED)
