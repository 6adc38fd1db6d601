"""The assessment's arithmetic, in one place: item points by rule, the total, the grade, and the
completion behind the items scored from targets.

Rules, after the practice the Lixia standards describe (``seeds/lixia-2013-grassroots-standards.txt``:
areas with 主要内容 and 目标任务, checked at year end and used "作为年底评先树优的重要依据") and the
"双考双评" scheme it implements (济妇发〔2013〕40号: 目标考核 plus 评议):

- **按目标完成 (FROM_TARGETS)**: max × capped completion / 100, completion being the weighted mean of
  the child's capped target completions — the roll-up's weighted score
  (``reports.rollup.weighted_score``), restricted to the item's indicator or work point when it names
  one; both capped by the roll-up's one rule (``reports.rollup.capped``: within 0…100 %);
- **评审打分 (JUDGED)**: the reviewer's points, within [0, max];
- **加分 (BONUS, 创新加分)**: within [0, cap], the item's max being its cap;
- **扣分 (DEDUCTION)**: within [0, cap], subtracted;
- the total is never below 0; the grade is the highest band whose lower bound the total reaches.

All points are Decimals rounded to one decimal place (the tables print 一位小数).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from plans.models import WorkPoint
from reports.rollup import HUNDRED, capped, rollup, weighted_score

from .models import Rule, Scheme, SchemeItem

ZERO = Decimal(0)
TENTH = Decimal("0.1")


def rounded(points: Decimal) -> Decimal:
    """One decimal place, half up (how the offices round a score)."""
    return points.quantize(TENTH, rounding=ROUND_HALF_UP)


def clamp(points: Decimal | None, maximum: Decimal) -> Decimal:
    """``points`` within [0, maximum]; None counts as 0 (an item nobody scored earns nothing)."""
    if points is None:
        return ZERO
    return min(max(points, ZERO), maximum)


def points_from_completion(maximum: Decimal, completion: Decimal | None) -> Decimal:
    """FROM_TARGETS: ``maximum`` × the capped completion (reports.rollup.capped: within 0…100 %) / 100;
    ``completion`` in percent (120 = 120 %), None (no target split to the child) earning 0. Rounded
    to 0.1."""
    if completion is None:
        return ZERO
    return rounded(maximum * (capped(completion) / HUNDRED))


@dataclass(frozen=True, slots=True)
class Line:
    """One item's part in a total: its rule, its maximum (cap) and the points given (None: none)."""

    rule: str
    maximum: Decimal
    points: Decimal | None


def total(lines: Iterable[Line]) -> Decimal:
    """Σ base items (clamped to their max) + Σ bonuses (each capped) − Σ deductions (each capped),
    never below 0. Never more than Σ max of the base items + Σ bonus caps."""
    result = ZERO
    for line in lines:
        points = clamp(line.points, line.maximum)
        result += -points if line.rule == Rule.DEDUCTION else points
    return max(rounded(result), ZERO)


def maximum_total(lines: Iterable[Line]) -> Decimal:
    """The most a total can reach: Σ max of the base items and bonus caps (deductions add nothing)."""
    return sum((line.maximum for line in lines if line.rule != Rule.DEDUCTION), ZERO)


def grade(points: Decimal | None, scheme: Scheme) -> str:
    """优秀 / 良好 / 合格 / 不合格 by the scheme's lower bounds; "" when there is no total yet."""
    if points is None:
        return ""
    if points >= scheme.excellent_from:
        return _("优秀")
    if points >= scheme.good_from:
        return _("良好")
    if points >= scheme.pass_from:
        return _("合格")
    return _("不合格")


@dataclass(slots=True)
class Figures:
    """What an automatic item rests on for one child: the targets' progress (reports.rollup.Progress)
    and their weighted completion in percent (None: no target split to the child)."""

    progress: list
    completion: Decimal | None


def target_figures(scheme: Scheme, as_of: date | None = None) -> dict[int, dict[int, Figures]]:
    """``{child federation pk: {item pk: Figures}}`` for the scheme's FROM_TARGETS items.

    One roll-up of the assessing federation (``reports.rollup.rollup``, at the year's end unless
    ``as_of`` is given) holds every direct child's split targets and results; an item keeps the
    targets of its indicator, or of its work point, or all of them, and their weighted score is its
    completion — the same arithmetic as the dashboard's score, so the two never disagree.
    """
    items = [item for item in scheme.items() if item.rule == Rule.FROM_TARGETS]
    if not items:
        return {}
    result = rollup(scheme.federation, scheme.year, as_of or date(scheme.year, 12, 31))
    under = _points_under({item.work_point_id for item in items if item.work_point_id})
    figures: dict[int, dict[int, Figures]] = {}
    for child in result.children:
        figures[child.federation.pk] = {item.pk: _figures_for(item, child.progress, under) for item in items}
    return figures


def _points_under(point_ids: set[int]) -> dict[int, set[int]]:
    """Each work point's id with those of the points nested under it (one query per plan involved):
    an item following 二、 counts the targets of （一）, （二） … too."""
    if not point_ids:
        return {}
    rows = WorkPoint.objects.filter(plan__points__pk__in=point_ids).values_list("pk", "parent_id").distinct()
    children: dict[int, list[int]] = {}
    for pk, parent_id in rows:
        children.setdefault(parent_id, []).append(pk)
    under = {}
    for point_id in point_ids:
        found, todo = {point_id}, [point_id]
        while todo:
            for child in children.get(todo.pop(), ()):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        under[point_id] = found
    return under


def _figures_for(item: SchemeItem, progress: list, under: dict[int, set[int]]) -> Figures:
    if item.indicator_id:
        kept = [p for p in progress if p.target.indicator.pk == item.indicator_id]
    elif item.work_point_id:
        points = under.get(item.work_point_id, {item.work_point_id})
        kept = [p for p in progress if p.target.work_point.pk in points]
    else:
        kept = list(progress)
    completion = weighted_score(kept) if kept else None
    return Figures(kept, completion)
