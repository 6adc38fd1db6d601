"""Writes that span several rows or models: publishing, splitting, importing a document."""

import calendar
import csv
import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from fedwork import access
from fedwork.concurrency import claim_version
from fedwork.divisions import ensure_national_root
from fedwork.models import Federation

from .models import (
    MONEY_UNIT,
    Cadence,
    Comparator,
    Indicator,
    IndicatorKind,
    Plan,
    PlanEvent,
    PlannedActivity,
    PlanStatus,
    Target,
    WorkPoint,
    format_decimal,
)

# Units that a document writes differently from the catalogue but that count the same thing.
UNIT_ALIASES = {"名": {"人", "名"}, "人": {"人", "名"}, "场": {"场", "场次"}, "场次": {"场", "场次"}}


def load_indicator_catalogue(path: Path, owner: Federation | None = None) -> int:
    """Create or update the standard indicators from a CSV file; returns how many it holds."""
    owner = owner or ensure_national_root()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with transaction.atomic():
        by_code = {}
        for row in rows:
            indicator, _created = Indicator.objects.update_or_create(
                code=row["code"],
                defaults={
                    "owner": owner,
                    "name": row["name"],
                    "unit": row["unit"],
                    "kind": IndicatorKind.SUM if row["kind"] == IndicatorKind.RATE else row["kind"],
                    "decimal_places": int(row["decimal_places"] or 0),
                    "keywords": row["keywords"],
                },
            )
            by_code[indicator.code] = indicator
        # Second pass: rates and coverages refer to indicators that may come later in the file.
        for row in rows:
            indicator = by_code[row["code"]]
            indicator.kind = row["kind"]
            indicator.numerator = by_code.get(row["numerator"]) if row["numerator"] else None
            indicator.denominator = by_code.get(row["denominator"]) if row["denominator"] else None
            indicator.base = by_code.get(row["base"]) if row["base"] else None
            indicator.save()
    return len(rows)


def _record(plan: Plan, action: str, by, note: str = "") -> None:
    PlanEvent.objects.create(plan=plan, action=action, by=by, note=note[:300])


@transaction.atomic
def plan_create(*, federation: Federation, year: int, by, **fields) -> Plan:
    if Plan.objects.filter(federation=federation, year=year).exists():
        raise ValidationError(
            _("%(name)s%(year)s年度已有工作要点。") % {"name": federation.display_name, "year": year}
        )
    plan = Plan.objects.create(federation=federation, year=year, created_by=by, **fields)
    _record(plan, PlanEvent.Action.CREATED, by)
    return plan


@transaction.atomic
def plan_publish(*, plan: Plan, by) -> Plan:
    """Publish a draft; every target must have its indicator by then."""
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(_("只有草稿可以发布。"))
    missing = plan.targets.filter(indicator__isnull=True).count()
    if missing:
        raise ValidationError(_("还有 %(count)d 个目标未选择指标，请补全后再发布。") % {"count": missing})
    shared = plan.targets.unconfirmed_shares()
    if shared:
        raise ValidationError(
            _(
                "有 %(count)d 个目标与本计划其他目标共用指标，但未确认统计口径相同（%(names)s）。"
                "请为统计对象不同的目标选用不同的指标，或在目标中勾选“共用指标”。"
            )
            % {"count": len(shared), "names": "、".join(sorted({t.indicator.name for t in shared}))}
        )
    plan.status = PlanStatus.PUBLISHED
    plan.save(update_fields=["status", "updated_at"])
    _record(plan, PlanEvent.Action.PUBLISHED, by)
    return plan


@transaction.atomic
def plan_reopen(*, plan: Plan, by, reason: str = "") -> Plan:
    if not access.may_reopen_plan(by, plan):
        raise ValidationError(_("只有本级领导或管理员可以重新打开已发布的计划。"))
    plan.status = PlanStatus.DRAFT
    plan.save(update_fields=["status", "updated_at"])
    _record(plan, PlanEvent.Action.REOPENED, by, reason)
    return plan


@transaction.atomic
def plan_archive(*, plan: Plan, by) -> Plan:
    if plan.status != PlanStatus.PUBLISHED:
        raise ValidationError(_("只有已发布的计划可以归档。"))
    plan.status = PlanStatus.ARCHIVED
    plan.save(update_fields=["status", "updated_at"])
    _record(plan, PlanEvent.Action.ARCHIVED, by)
    return plan


def work_point_move(*, point: WorkPoint, step: int) -> None:
    """Swap a work point with its previous (step -1) or next (step +1) sibling."""
    siblings = list(WorkPoint.objects.filter(plan_id=point.plan_id, parent_id=point.parent_id))
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == point.pk)
    other = index + step
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    with transaction.atomic():
        for order, sibling in enumerate(siblings):
            if sibling.order != order:
                sibling.order = order
                sibling.save(update_fields=["order"])


def next_order(plan: Plan, parent: WorkPoint | None) -> int:
    current = WorkPoint.objects.filter(plan=plan, parent=parent).aggregate(Max("order"))["order__max"]
    return 0 if current is None else current + 1


@dataclass
class SplitSummary:
    total: Decimal
    remainder: Decimal
    created: int
    updated: int
    removed: int
    excess: Decimal = Decimal(0)  # how far the split's sum exceeds the target (超出), 0 when it does not

    @property
    def is_short(self) -> bool:
        return self.remainder > 0

    @property
    def is_over(self) -> bool:
        return self.excess > 0


def split_rows(target: Target) -> list[tuple[Federation, Target | None]]:
    """Each direct child of the target's federation with what was split to it (or None)."""
    children = list(Federation.objects.children_of(target.plan.federation).order_by("code"))
    assigned = {split.plan.federation_id: split for split in target.splits.select_related("plan")}
    return [(child, assigned.get(child.pk)) for child in children]


class SplitBasis(models.TextChoices):
    """How split_suggestion proposes the children's shares."""

    EVEN = "even", _("平均")
    LAST_YEAR = "last_year", _("按上年比例")


def last_year_results(target: Target, children: list[Federation]) -> dict[int, Decimal]:
    """Each child's result for the target's indicator in the plan's year before (the whole year, from
    the pre-aggregated totals of done activities, activities.FigureTotal; one query), by federation
    id; children that recorded nothing are absent. Sum indicators only: a rate, a coverage or a
    milestone has no share to apportion, and gets {}."""
    from activities.models import FigureTotal

    if target.indicator is None or target.indicator.kind != IndicatorKind.SUM or not children:
        return {}
    rows = (
        FigureTotal.objects.filter(
            federation__in=children, year=target.plan.year - 1, indicator_id=target.indicator_id
        )
        .values("federation_id")
        .annotate(total=models.Sum("value"))
    )
    return {row["federation_id"]: row["total"] for row in rows if row["total"]}


def apportion(total: Decimal, weights: dict[int, Decimal], places: int) -> dict[int, Decimal]:
    """``total`` shared in proportion to ``weights`` (key → weight ≥ 0), each share rounded down to
    ``places`` decimals and what rounding left over given to the key of the largest weight (the
    first such key on a tie), so the shares add up to ``total`` exactly and none is negative.
    Keys of weight 0 get no share; {} when every weight is 0. E.g. 1000 by 320 : 80 : 0 at 0
    places → {a: 800, b: 200}; 100 by 1 : 1 : 1 → 34, 33, 33."""
    weights = {key: weight for key, weight in weights.items() if weight > 0}
    whole = sum(weights.values(), Decimal(0))
    if not whole:
        return {}
    quantum = Decimal(1).scaleb(-places)
    shares = {key: (total * weight / whole).quantize(quantum, ROUND_DOWN) for key, weight in weights.items()}
    largest = max(weights, key=lambda key: weights[key])  # max keeps the first of equal weights
    shares[largest] += total - sum(shares.values(), Decimal(0))
    return shares


def split_suggestion(*, target: Target, basis: str) -> dict[int, Decimal]:
    """Proposed shares of the target among its federation's direct children, by federation id
    (not saved: the split page fills its fields with them, the planner edits and saves).

    ``basis`` is a SplitBasis: "even" gives every child an equal share; "last_year" shares in
    proportion to each child's result for the indicator the year before (last_year_results;
    children without one get no share, and there is no suggestion when none has one). Shares are
    rounded to the indicator's decimal places and add up to the target's value exactly (apportion).
    Raises ValueError for an unknown basis.
    """
    children = [child for child, _existing in split_rows(target)]
    places = target.indicator.decimal_places if target.indicator else 2
    if basis == SplitBasis.EVEN:
        weights = {child.pk: Decimal(1) for child in children}
    elif basis == SplitBasis.LAST_YEAR:
        weights = last_year_results(target, children)
    else:
        raise ValueError(f"unknown split basis: {basis!r}")
    return apportion(target.value, weights, places)


def _child_work_point(target: Target, child_plan: Plan) -> WorkPoint:
    """The child's work point implementing the upper one, created the first time a value is split."""
    # Locked so that splits of two targets of one work point do not each create the child's point.
    upper = WorkPoint.objects.select_for_update().get(pk=target.work_point_id)
    point = WorkPoint.objects.filter(plan=child_plan, implements=upper).first()
    if point is None:
        point = WorkPoint.objects.create(
            plan=child_plan,
            implements=upper,
            label=upper.label,
            title=upper.title,
            order=next_order(child_plan, None),
        )
    return point


@transaction.atomic
def target_split(*, target: Target, values: dict[int, Decimal | None], by) -> SplitSummary:
    """Assign a value to each direct child (by federation id); None withdraws what was assigned.

    Each assigned value becomes a target in the child's plan for the year (created as a draft when
    missing), linked to the upper target. A withdrawal is refused (ValidationError, nothing saved)
    while the child has split its target further down. Concurrent splits of one target run one after the other
    (the target's row is locked first), so a child never gets two copies; the constraint
    plans_target_one_split_per_plan holds that in the database too.
    """
    target = Target.objects.select_for_update().get(pk=target.pk)
    plan = target.plan
    created = updated = removed = 0
    for child, existing in split_rows(target):
        value = values.get(child.pk)
        if value is None:
            if existing is not None:
                if existing.splits.exists():
                    # Withdrawing it would take the lower federations' own splits with it.
                    raise ValidationError(
                        _("%(name)s已将该目标继续分解到下级，请先由其撤回下级的分解，再撤回此项。")
                        % {"name": child.display_name}
                    )
                from activities.services import ensure_unlocked

                ensure_unlocked(*existing.achieved_by.all())  # their milestone links go with it
                existing.delete()
                removed += 1
            continue
        if existing is not None:
            if existing.value != value:
                existing.value = value
                existing.save(update_fields=["value"])
                updated += 1
            continue
        child_plan = Plan.objects.filter(federation=child, year=plan.year).first()
        if child_plan is None:
            try:
                # A split of another target may create the child's plan at the same moment: the
                # unique constraint plans_plan_one_per_federation_year refuses the second, which
                # then takes the first's plan.
                with transaction.atomic():
                    child_plan = Plan.objects.create(
                        federation=child,
                        year=plan.year,
                        title=_("%(name)s%(year)s年工作要点")
                        % {"name": child.display_name, "year": plan.year},
                        implements=plan,
                        created_by=by,
                    )
                    _record(child_plan, PlanEvent.Action.CREATED, by, _("由上级指标分解自动创建"))
            except IntegrityError:
                child_plan = Plan.objects.get(federation=child, year=plan.year)
        Target.objects.create(
            work_point=_child_work_point(target, child_plan),
            indicator=target.indicator,
            comparator=Comparator.AT_LEAST if target.comparator == Comparator.RANGE else target.comparator,
            value=value,
            cadence=target.cadence,
            due_date=target.due_date,
            weight=target.weight,
            source_text=target.source_text,
            parent_target=target,
        )
        created += 1
    total = sum((t.value for t in target.splits.all()), Decimal(0))
    summary = SplitSummary(
        total=total,
        remainder=max(target.value - total, Decimal(0)),
        created=created,
        updated=updated,
        removed=removed,
        excess=max(total - target.value, Decimal(0)),
    )
    _record(
        plan,
        PlanEvent.Action.SPLIT,
        by,
        _("%(target)s：分解合计 %(total)s") % {"target": target, "total": format_decimal(total)},
    )
    return summary


def suggest_indicator(text: str, unit: str, indicators: list[Indicator]) -> Indicator | None:
    """The catalogue indicator whose unit fits and whose keywords best match the target's sentence.

    With no keyword in the sentence, the only indicator counted in that unit (if there is just one).
    """
    units = UNIT_ALIASES.get(unit, {unit})
    fitting = [indicator for indicator in indicators if indicator.unit in units]
    best, best_score = None, 0
    for indicator in fitting:
        score = max((len(word) for word in indicator.keyword_list if word in text), default=0)
        if score > best_score:
            best, best_score = indicator, score
    if best is None and len(fitting) == 1:
        return fitting[0]
    return best


# A quantity with its unit ("1000名", "100万人", "２．５亿元"), and the scope words that open a clause.
_QUANTITY = re.compile(
    r"[0-9０-９][0-9０-９.．,，]*\s*[万千百亿]?\s*(?:人次|名|人|场次|场|期|个|篇|条|户|件|次|家|所|项|万元|元|%|％)?"
)
_SCOPE = re.compile(
    r"^(?:全省|全市|全县|全区|全镇|全乡|全州|各级|各地|今年|全年|每年|每月|每季度|力争|确保|共|累计)+"
)
_CONNECTORS = re.compile(r"(?:不少于|不低于|超过|以上|左右|达到|达|约|余|多)")


def propose_indicator_name(text: str, like: Indicator) -> str:
    """A name for a plan-specific indicator from the target's own words: "培训1000名科技致富带头人"
    → "培训科技致富带头人人数" (persons), "新建50个妇女之家" → "新建妇女之家数".

    ``like`` is the catalogue indicator the text also matched; its unit decides the suffix. The
    result is at most 100 characters (Indicator.name), never empty (falls back to like.name); a short
    qualifier names the catalogue indicator with it: "市级不少于2篇" → "宣传报道篇数（市级）".
    """
    phrase = _CONNECTORS.sub("", _QUANTITY.sub("", _SCOPE.sub("", text.strip())))
    phrase = re.sub(r"[，,。；;：:、\s]+$", "", re.sub(r"^[，,。；;：:、\s]+", "", phrase))
    if len(phrase) < 2:
        return like.name
    if len(phrase) <= 4:  # a qualifier, not a population: "市级不少于2篇" → 宣传报道篇数（市级）
        return f"{like.name[:90]}（{phrase}）"
    suffix = {"人": "人数", "名": "人数", "人次": "人次", "万元": "金额"}.get(like.unit, "数")
    if phrase.endswith(suffix):
        suffix = ""
    return f"{phrase[: 100 - len(suffix)]}{suffix}"


_DUE_DAY = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(?:(\d{1,2})日|(底|末|中旬|上旬|下旬))?")


def due_date_from_text(text: str, year: int) -> date | None:
    """A table's 完成时限 as a date of the plan's year: "6月底前" → 6-30, "9月15日前" → 9-15, "10月" → 10-31;
    None when the text names no month (全年, 长期坚持)."""
    match = _DUE_DAY.search(text or "")
    if match is None:
        return None
    year = int(match.group(1) or year)
    month = int(match.group(2))
    if not 1 <= month <= 12:
        return None
    last = calendar.monthrange(year, month)[1]
    day = int(match.group(3)) if match.group(3) else {"上旬": 10, "中旬": 20}.get(match.group(4), last)
    return date(year, month, min(max(day, 1), last))


# 上年 / 2012年 / 全年…: words that date a sentence but say nothing about what it counts.
_DATING = re.compile(r"(?:上|去|今|本|明|全)年度?|\d{4}年|[〇零一二三四五六七八九]{4}年")


def _measure_phrase(text: str) -> str:
    """What a sentence counts, without its number, scope and dating words: "上年培训妇女3000人次"
    and "全省培训妇女4000人次以上" both give "培训妇女"."""
    phrase = _CONNECTORS.sub("", _QUANTITY.sub("", _SCOPE.sub("", _DATING.sub("", text.strip()))))
    return re.sub(r"[，,。；;：:、\s“”（）()]+", "", phrase)


def match_baselines(targets: list, baselines: list, indicators: list[Indicator]) -> dict[int, object]:
    """Last year's results (``ParsedPlan.baselines``) beside the targets that measure the same thing.

    ``targets`` and ``baselines`` are plans.parsing.ParsedTarget lists; the result maps a position in
    ``targets`` to its baseline. Same measure means: a unit that counts the same (UNIT_ALIASES), and
    either the same suggested catalogue indicator or one sentence's counted phrase containing the
    other's ("培训妇女" in "培训妇女骨干"). Each baseline goes to the first such target, in reading order;
    a target without one is left out. The rule is the issue's (#14): "figures in a review section are
    kept as last year's results, shown next to the target where the same measure appears"."""
    free = list(baselines)
    result: dict[int, object] = {}
    for position, target in enumerate(targets):
        units = UNIT_ALIASES.get(target.unit, {target.unit})
        indicator = suggest_indicator(target.text, target.unit, indicators)
        phrase = _measure_phrase(target.text)
        for baseline in free:
            if baseline.unit not in units:
                continue
            other = _measure_phrase(baseline.text)
            same_phrase = min(len(phrase), len(other)) >= 2 and (phrase in other or other in phrase)
            same_indicator = indicator is not None and (
                indicator == suggest_indicator(baseline.text, baseline.unit, indicators)
            )
            if same_phrase or same_indicator:
                result[position] = baseline
                free.remove(baseline)
                break
    return result


@dataclass
class ImportTarget:
    """A target the review page proposes, with last year's result for its measure if one was found."""

    target: object  # plans.parsing.ParsedTarget
    baseline: object | None  # plans.parsing.ParsedTarget


@dataclass
class ImportRow:
    """One point of a parsed document on the review page: its checkbox number (``index``), depth in
    the tree (0 at the top), the point and its targets."""

    index: int
    depth: int
    point: object  # plans.parsing.ParsedPoint
    targets: list[ImportTarget]

    @property
    def display_label(self) -> str:
        """The label as the saved point will show it (一、 / （一） / 1．); a speech item's (一要) as is."""
        if self.point.kind == "speech":
            return self.point.label
        return WorkPoint(label=self.point.label).display_label


def import_preview(*, parsed, federation: Federation) -> list[ImportRow]:
    """The points of ``parsed`` (a plans.parsing.ParsedPlan) in reading order, as the import review
    page lists them before anything is saved, each target with its baseline (``match_baselines``
    against the indicators ``federation`` may use). Reads only."""
    numbered = parsed.numbered_points()
    targets = [target for _index, _depth, point in numbered for target in point.targets]
    baselines = match_baselines(targets, parsed.baselines, list(Indicator.objects.available_to(federation)))
    rows, position = [], 0
    for index, depth, point in numbered:
        items = []
        for target in point.targets:
            items.append(ImportTarget(target, baselines.get(position)))
            position += 1
        rows.append(ImportRow(index, depth, point, items))
    return rows


@transaction.atomic
def plan_import(*, parsed, federation: Federation, year: int, by, source_name: str = "") -> Plan:
    """Build a draft plan from a parsed work-points document (plans.parsing.ParsedPlan).

    Each target keeps its comparator, its approximate flag (约, 左右) and, where the document's review
    section reports the same measure, last year's result as ``baseline`` (``match_baselines``). The
    review page drops branches before calling this (``ParsedPlan.without_branches``)."""
    plan = plan_create(
        federation=federation,
        year=year,
        by=by,
        title=parsed.title[:200]
        or _("%(name)s%(year)s年工作要点") % {"name": federation.display_name, "year": year},
        doc_number=(parsed.doc_number or "")[:100],
        general_idea=parsed.general_idea,
    )
    indicators = list(Indicator.objects.available_to(federation))
    in_order = [target for _index, _depth, point in parsed.numbered_points() for target in point.targets]
    matched = match_baselines(in_order, parsed.baselines, indicators)
    baseline_of = {id(in_order[position]): baseline for position, baseline in matched.items()}
    used: set[int] = set()
    specific_codes: list[str] = []

    def distinct(indicator: Indicator | None, text: str) -> Indicator | None:
        """The catalogue indicator for its first target; a plan-specific one for later targets that
        the catalogue would also match (their populations differ, or they would count one figure
        twice): 培训科技致富带头人人数 beside 培训妇女人数."""
        if indicator is None or indicator.pk not in used:
            if indicator is not None:
                used.add(indicator.pk)
            return indicator
        specific = Indicator.objects.create(
            owner=federation,
            code=f"P{plan.pk}-{len(specific_codes) + 1}",
            name=propose_indicator_name(text, indicator),
            unit=indicator.unit,
            kind=indicator.kind,
            decimal_places=indicator.decimal_places,
        )
        used.add(specific.pk)
        specific_codes.append(specific.code)
        return specific

    def add_targets(point: WorkPoint, parsed_targets, due: str = "") -> None:
        previous: Indicator | None = None
        for parsed_target in parsed_targets:
            # "省级不少于1篇，市级不少于2篇": a clause without keywords counts what the one before did.
            indicator = suggest_indicator(parsed_target.text, parsed_target.unit, indicators)
            if indicator is None and previous is not None and previous.unit == parsed_target.unit:
                indicator = previous
            previous = indicator
            indicator = distinct(indicator, parsed_target.text)
            value, max_value = parsed_target.value, parsed_target.max_value
            if parsed_target.per == "quarter":  # 每季度1次: the year's target is four of them
                value, max_value = value * 4, max_value * 4 if max_value is not None else None
            baseline = baseline_of.get(id(parsed_target))
            baseline = baseline.value if baseline is not None else None
            if parsed_target.unit == "%" or parsed_target.unit == MONEY_UNIT:
                value = value.quantize(Decimal("0.01"))
                baseline = baseline.quantize(Decimal("0.01")) if baseline is not None else None
            Target.objects.create(
                work_point=point,
                indicator=indicator,
                comparator=parsed_target.comparator,
                value=value,
                max_value=max_value,
                cadence=Cadence.MONTH if parsed_target.per == "month" else Cadence.YEAR,
                due_date=due_date_from_text(due, year),
                source_text=parsed_target.text,
                approximate=parsed_target.approximate,
                baseline=baseline,
            )

    def add(points, parent):
        order = next_order(plan, parent) if parent is not None else 0
        for parsed_point in points:
            if parsed_point.kind == "speech" and parent is not None:
                # 一是…二要…: what a speech enumerates is a note under its point, not a point to record
                # against; its targets are the point's.
                note = f"{parsed_point.label}{parsed_point.title}{parsed_point.body}".strip()
                parent.body = f"{parent.body}\n{note}" if parent.body else note
                parent.save(update_fields=["body"])
                add_targets(parent, parsed_point.targets)
                add(parsed_point.children, parent)
                continue
            point = WorkPoint.objects.create(
                plan=plan,
                parent=parent,
                label=parsed_point.label[:16],
                title=parsed_point.title[:300],
                body=parsed_point.body,
                order=order,
            )
            order += 1
            add_targets(point, parsed_point.targets, parsed_point.due)
            add(parsed_point.children, point)

    add(parsed.points, None)
    PlannedActivity.objects.bulk_create(
        PlannedActivity(plan=plan, label=a.label[:16], title=a.title[:300], month=a.month, order=i)
        for i, a in enumerate(parsed.activities)
    )
    _record(plan, PlanEvent.Action.IMPORTED, by, source_name)
    return plan


# --- Editing a draft plan: every page writes points, targets and the plan itself through these ------


@transaction.atomic
def plan_update(*, plan: Plan, by, seen_version: int | None, **fields) -> Plan:
    """Change a draft plan's title, 文号, general idea or upper plan; a stale ``seen_version`` raises
    StaleEditError (fedwork.concurrency)."""
    claim_version(plan, seen_version)
    for name, value in fields.items():
        setattr(plan, name, value)
    plan.save()
    return plan


@transaction.atomic
def work_point_create(*, plan: Plan, parent: WorkPoint | None, by, **fields) -> WorkPoint:
    """Append a work point to a draft plan (at the end of its siblings)."""
    return WorkPoint.objects.create(plan=plan, parent=parent, order=next_order(plan, parent), **fields)


@transaction.atomic
def work_point_update(*, point: WorkPoint, by, seen_version: int | None, **fields) -> WorkPoint:
    claim_version(point, seen_version)
    for name, value in fields.items():
        setattr(point, name, value)
    point.save()
    return point


def _confirm_sharing(target: Target) -> None:
    """The planner confirmed that this target measures what the plan's other targets of its indicator
    measure: the confirmation holds for the whole group."""
    if target.shares_indicator and target.indicator_id:
        Target.objects.filter(plan_id=target.plan_id, indicator_id=target.indicator_id).exclude(
            pk=target.pk
        ).update(shares_indicator=True)


@transaction.atomic
def target_create(*, point: WorkPoint, by, **fields) -> Target:
    """Add a target to a draft plan's work point; Target.save() copies the plan from the point."""
    target = Target.objects.create(work_point=point, **fields)
    _confirm_sharing(target)
    return target


@transaction.atomic
def target_update(*, target: Target, by, seen_version: int | None, **fields) -> Target:
    claim_version(target, seen_version)
    for name, value in fields.items():
        setattr(target, name, value)
    target.save()
    _confirm_sharing(target)
    return target


@dataclass
class DeletionImpact:
    """What deleting a work point (with its sub-points) or a target would reach beyond itself.

    ``splits``: targets split from it to lower federations (in their plans; deletion is refused
    while they exist); ``assigned``: its targets that an upper federation split down to this one
    (refused: the upper federation withdraws them); ``activities``: activities that serve the points
    or meet the targets and would lose that link (listed; the user must confirm).
    """

    points: list[WorkPoint]
    targets: list[Target]
    splits: list[Target]
    assigned: list[Target]
    activities: list

    @property
    def is_blocked(self) -> bool:
        return bool(self.splits or self.assigned)

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.activities)


def deletion_impact(obj: Plan | WorkPoint | Target) -> DeletionImpact:
    """Everything that deleting ``obj`` would remove or unlink (see DeletionImpact)."""
    from activities.models import Activity

    if isinstance(obj, Target):
        points, targets = [], [obj]
    elif isinstance(obj, Plan):
        points = list(obj.points.all())
        targets = list(obj.targets.select_related("indicator"))
    else:
        points = [obj]
        frontier = [obj.pk]
        while frontier:
            children = list(WorkPoint.objects.filter(parent_id__in=frontier))
            points += children
            frontier = [child.pk for child in children]
        targets = list(Target.objects.filter(work_point__in=points).select_related("indicator"))
    target_ids = [target.pk for target in targets]
    splits = list(
        Target.objects.filter(parent_target_id__in=target_ids)
        .select_related("plan__federation", "indicator")
        .order_by("plan__federation__path")
    )
    assigned = [target for target in targets if target.parent_target_id]
    activities = list(
        Activity.objects.filter(
            models.Q(work_points__in=[point.pk for point in points]) | models.Q(achieves__in=target_ids)
        )
        .distinct()
        .select_related("federation")
        .order_by("calendar_day", "pk")
    )
    return DeletionImpact(points, targets, splits, assigned, activities)


def _refuse_if_followed(points: list[WorkPoint]) -> None:
    """An assessment item scored from targets may follow one work point (assessments.SchemeItem,
    protected link): the point stays until the scheme's editor drops the link (ValidationError)."""
    from django.apps import apps  # assessments depends on plans, not the other way round

    following = (
        apps.get_model("assessments", "SchemeItem")
        .objects.filter(work_point__in=[point.pk for point in points])
        .select_related("area__scheme")
        .order_by("pk")
    )
    errors = [
        _("考核细则“%(scheme)s”的考核内容“%(item)s”按此要点计分，不能删除；请先在考核细则中取消关联。")
        % {"scheme": item.area.scheme.name, "item": item.name}
        for item in following
    ]
    if errors:
        raise ValidationError(errors)


def _refuse_if_blocked(impact: DeletionImpact, confirmed: bool) -> None:
    _refuse_if_followed(impact.points)
    if impact.splits:
        raise ValidationError(
            _("已分解给下级的目标不能直接删除：请先在“分解到下级”页撤回分解（共 %(count)d 项）。")
            % {"count": len(impact.splits)}
        )
    if impact.assigned:
        raise ValidationError(_("由上级分解下达的目标不能删除；如需调整，请联系上级妇联。"))
    # Unlinking an activity changes it: not in a period an approved report has locked.
    from activities.services import ensure_unlocked

    ensure_unlocked(*impact.activities)
    if impact.needs_confirmation and not confirmed:
        raise ValidationError(
            _("有 %(count)d 项活动关联了要删除的要点或目标，请勾选确认后再删除。")
            % {"count": len(impact.activities)}
        )


@transaction.atomic
def work_point_delete(*, point: WorkPoint, by, confirmed: bool = False) -> DeletionImpact:
    """Delete a draft plan's work point with its sub-points and their targets.

    Refused (ValidationError) while any of those targets is split to lower federations or was
    assigned from above; activities serving them lose the link only when ``confirmed``.
    """
    impact = deletion_impact(point)
    _refuse_if_blocked(impact, confirmed)
    point.delete()
    return impact


@transaction.atomic
def target_delete(*, target: Target, by, confirmed: bool = False) -> DeletionImpact:
    """Delete a draft plan's target; refused like :func:`work_point_delete`."""
    impact = deletion_impact(target)
    _refuse_if_blocked(impact, confirmed)
    target.delete()
    return impact


@transaction.atomic
def plan_delete(*, plan: Plan, by, confirmed: bool = False) -> DeletionImpact:
    """Delete a draft plan; refused like :func:`work_point_delete` (its targets linked to splits above
    or below it, activities in a locked period), and its activities' links go only when ``confirmed``."""
    impact = deletion_impact(plan)
    if impact.splits or impact.assigned:
        raise ValidationError(_("该计划的目标与上下级的指标分解相关联，不能删除。"))
    _refuse_if_blocked(impact, confirmed)
    plan.delete()
    return impact
