"""Compare a parsed document with what a reader expects of it (an ``expected.json`` entry).

Used by ``manage.py import_plan --score DIR`` and by tests/plans/test_cases.py, so that the numbers the
command prints and the tests' verdicts come from one comparison. The format is described in the
``_about`` entry of tests/plans/cases/expected.json.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from . import ParsedPlan, ParsedPoint, ParsedTarget

# Units a reader treats as one: 场 and 场次 count the same sessions.
SAME_UNIT = {"场次": "场"}
LABEL_NOISE = re.compile(r"[\s、．.，,：:]+$|\s+")
TITLE_NOISE = re.compile(r"[\s，,。；;：:、“”\"'（）()]+")


@dataclass
class Score:
    targets_expected: int = 0
    targets_found: int = 0  # expected targets the parser found (value, unit and what else is given)
    false_targets: int = 0  # targets the parser proposed that no expectation accounts for
    headings_expected: int = 0
    headings_right: int = 0
    problems: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.targets_expected += other.targets_expected
        self.targets_found += other.targets_found
        self.false_targets += other.false_targets
        self.headings_expected += other.headings_expected
        self.headings_right += other.headings_right

    @property
    def perfect(self) -> bool:
        return not self.problems


def normal_label(label: str) -> str:
    return LABEL_NOISE.sub("", label)


def normal_title(title: str) -> str:
    return TITLE_NOISE.sub("", title)


def located_points(points: list[ParsedPoint], path: str = "") -> Iterator[tuple[str, ParsedPoint]]:
    """Each point with its label path ("一/（一）"); points without a label are looked through."""
    for point in points:
        label = normal_label(point.label)
        here = f"{path}/{label}".strip("/") if label else path
        yield here, point
        yield from located_points(point.children, here)


def located_targets(plan: ParsedPlan) -> list[tuple[str, ParsedTarget]]:
    return [(path, target) for path, point in located_points(plan.points) for target in point.targets]


def _same_value(expected, value: Decimal) -> bool:
    return Decimal(str(expected)) == value


def _target_matches(expected: dict, path: str, target: ParsedTarget) -> bool:
    if not _same_value(expected["value"], target.value):
        return False
    if SAME_UNIT.get(expected["unit"], expected["unit"]) != SAME_UNIT.get(target.unit, target.unit):
        return False
    if "comparator" in expected and expected["comparator"] != target.comparator:
        return False
    if "per" in expected and expected["per"] != target.per:
        return False
    return "at" not in expected or expected["at"] == path


def score_plan(plan: ParsedPlan, expected: dict) -> Score:
    """How ``plan`` fares against one file's expectations; ``problems`` says what is wrong, in words."""
    score = Score()
    found = located_targets(plan)
    unmatched = list(found)
    for wanted in expected.get("targets", []):
        score.targets_expected += 1
        match = next((item for item in unmatched if _target_matches(wanted, *item)), None)
        if match is None:
            score.problems.append(f"missing target {wanted}")
        else:
            score.targets_found += 1
            unmatched.remove(match)
    for path, target in unmatched:
        score.false_targets += 1
        score.problems.append(f"false target {_json_value(target.value)} {target.unit} at {path!r}")
    for number in expected.get("not_targets", []):
        if any(_same_value(number, target.value) for _path, target in found):
            score.problems.append(f"{number} became a target")

    points = dict(located_points(plan.points))
    labelled = {path for path in points if path}
    listed = set()
    for heading in expected.get("headings", []):
        score.headings_expected += 1
        listed.add(heading["at"])
        point = points.get(heading["at"])
        title = normal_title(point.title) if point else None
        wanted = normal_title(heading["title"])
        prefix = heading.get("match") == "prefix"
        if point is not None and (title == wanted or prefix and title.startswith(wanted)):
            score.headings_right += 1
        else:
            score.problems.append(f"heading {heading['at']!r}: {None if point is None else point.title!r}")
    if expected.get("tree") == "exact" and labelled - listed:
        score.problems.append(f"unexpected points {sorted(labelled - listed)}")
    for path in expected.get("no_own_targets", []):
        if points.get(path) is not None and points[path].targets:
            score.problems.append(f"{path!r} has targets of its own")

    if "title" in expected and normal_title(plan.title) != normal_title(expected["title"]):
        score.problems.append(f"title {plan.title!r}")
    if "titles" in expected and normal_title(plan.title) not in {normal_title(t) for t in expected["titles"]}:
        score.problems.append(f"title {plan.title!r}")
    if "title_not" in expected and normal_title(plan.title) == normal_title(expected["title_not"]):
        score.problems.append(f"title {plan.title!r}")
    if "doc_number" in expected and plan.doc_number != expected["doc_number"]:
        score.problems.append(f"doc_number {plan.doc_number!r}")
    return score


def _json_value(value: Decimal) -> str:
    return str(int(value)) if value == value.to_integral_value() else str(value)
