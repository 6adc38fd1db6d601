"""The plan page's work-point tree, read in a fixed number of queries whatever the plan's size."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from .models import Plan, Target, WorkPoint


@dataclass
class TargetRow:
    target: Target
    split_total: Decimal | None
    # The plan's other targets of the same indicator: a figure counts toward all of them.
    shared_with: list[Target] = field(default_factory=list)


@dataclass
class PointNode:
    point: WorkPoint
    targets: list[TargetRow] = field(default_factory=list)
    children: list["PointNode"] = field(default_factory=list)
    implementations: list[WorkPoint] = field(default_factory=list)

    @property
    def highlights(self) -> list[str]:
        return [row.target.source_text for row in self.targets if row.target.source_text]


def build_point_tree(plan: Plan, user) -> list[PointNode]:
    """Top-level nodes with their children, targets, split totals and the lower points implementing them."""
    nodes = {point.pk: PointNode(point) for point in plan.points.select_related("implements")}
    split_totals = dict(
        Target.objects.filter(parent_target__plan=plan)
        .values_list("parent_target")
        .annotate(total=Sum("value"))
        .order_by()
    )
    targets = list(plan.targets.select_related("indicator", "work_point").order_by("pk"))
    by_indicator: dict[int, list[Target]] = {}
    for target in targets:
        if target.indicator_id:
            by_indicator.setdefault(target.indicator_id, []).append(target)
    for target in targets:
        shared = [t for t in by_indicator.get(target.indicator_id, []) if t.pk != target.pk]
        nodes[target.work_point_id].targets.append(TargetRow(target, split_totals.get(target.pk), shared))
    implementations = (
        WorkPoint.objects.filter(implements__plan=plan, plan__in=Plan.objects.for_user(user))
        .select_related("plan__federation")
        .order_by("plan__federation__code")
    )
    for lower in implementations:
        nodes[lower.implements_id].implementations.append(lower)
    roots = []
    for node in nodes.values():
        parent_id = node.point.parent_id
        (nodes[parent_id].children if parent_id in nodes else roots).append(node)
    return roots
