"""Every document case (tests/plans/cases, copied from the shared cases folder) gives what its entry in
cases/expected.json says: targets with value, unit, comparator, cadence and place; headings; nothing
taken for a target that is not one. The comparison is the one ``import_plan --score`` prints."""

import json
from pathlib import Path

import pytest

from plans.parsing import parse_document
from plans.parsing.scoring import score_plan

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
