"""The importer scored on real published notices (fixtures/notices, #14): the Hunan 2013 work-points
notice as text and printed to a PDF, and Lixia's 2013 standards, against what a reader finds in them
(fixtures/notices/expected.json). Goals from the issue: at least 90 % of the targets with the right
value and unit, at least 95 % of the headings, no false target."""

import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from plans.parsing import parse_document
from plans.parsing.scoring import Score, score_plan

from .test_parsing_pdf import notice_pdf

NOTICES = Path(__file__).resolve().parents[2] / "fixtures" / "notices"
EXPECTED = {
    name: entry
    for name, entry in json.loads((NOTICES / "expected.json").read_text(encoding="utf-8")).items()
    if not name.startswith("_")
}


def test_every_notice_has_an_expectation_and_the_pdf_is_the_printed_text():
    files = {path.name for path in NOTICES.iterdir() if path.suffix in (".txt", ".docx", ".pdf")}
    assert files == set(EXPECTED)
    text = (NOTICES / "hunan-2013-work-points-notice.txt").read_text(encoding="utf-8")
    printed = notice_pdf(text, running_header="湖南省妇女联合会文件")
    assert (NOTICES / "hunan-2013-work-points-notice.pdf").read_bytes() == printed


def test_the_real_notices_meet_the_goals():
    total = Score()
    for name, entry in EXPECTED.items():
        total.add(score_plan(parse_document((NOTICES / name).read_bytes(), name), entry))
    assert total.targets_expected >= 20 and total.headings_expected >= 70
    assert total.targets_found >= 0.9 * total.targets_expected
    assert total.headings_right >= 0.95 * total.headings_expected
    assert total.false_targets == 0


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_no_number_a_reader_rules_out_becomes_a_target(name):
    score = score_plan(parse_document((NOTICES / name).read_bytes(), name), EXPECTED[name])
    assert [problem for problem in score.problems if "became a target" in problem] == []


def test_import_plan_score_on_the_real_notices_prints_the_readme_figures():
    out = io.StringIO()
    call_command("import_plan", "--score", str(NOTICES), stdout=out)
    assert out.getvalue().splitlines()[-1] == "合计：目标 22/22（100%），误报 0，标题 73/73（100%）"


def test_import_plan_timing_prints_a_median():
    out = io.StringIO()
    lixia = NOTICES / "lixia-2013-grassroots-standards.txt"
    call_command("import_plan", str(lixia), "--timing", "3", stdout=out)
    seconds = r"\d+\.\d\d"
    assert re.fullmatch(
        rf"lixia-2013-grassroots-standards\.txt：解析 3 次，中位数 {seconds} 秒"
        rf"（最短 {seconds}，最长 {seconds}），3 条一级要点\n",
        out.getvalue(),
    )
    with pytest.raises(CommandError, match="请给出文档"):
        call_command("import_plan", "--timing", "3")
