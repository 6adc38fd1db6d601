"""The audit trail a federation's administrator reads: who changed which plan, target or activity."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from activities.models import Activity
from fedwork import access
from fedwork.db_router import reads_from_replica
from fedwork.models import Federation
from plans.models import Plan, Target, WorkPoint

SHOWN = 200
ACTIONS = {"+": _("新建"), "~": _("修改"), "-": _("删除")}


@dataclass
class Entry:
    at: datetime
    user: object
    action: str
    kind: str
    description: str
    federation: str
    changes: list[str]


def _previous_records(records: list) -> dict[int, object]:
    """The record before each update among ``records`` (history rows of one model), as
    simple_history's prev_record finds it (the same object's latest earlier row), in one query
    rather than one per row: {history_id: previous row}."""
    updated = [record for record in records if record.history_type == "~"]
    if not updated:
        return {}
    rows: dict[object, list] = {}
    for row in (
        type(updated[0]).objects.filter(id__in={record.id for record in updated}).order_by("history_date")
    ):
        rows.setdefault(row.id, []).append(row)
    previous = {}
    for record in updated:
        earlier = [row for row in rows.get(record.id, []) if row.history_date < record.history_date]
        if earlier:
            previous[record.history_id] = earlier[-1]
    return previous


def _instance(record):
    """The record as it was, built from its history row alone: simple_history's ``instance`` reads
    the fields history leaves out (an activity's calendar_day) from the live row, one query per entry."""
    model = record.instance_type
    return model(
        **{
            field.attname: getattr(record, field.attname)
            for field in model._meta.concrete_fields
            if hasattr(record, field.attname)
        }
    )


def _changes(record, previous) -> list[str]:
    if record.history_type != "~" or previous is None:
        return []
    delta = record.diff_against(previous)
    labels = {f.name: str(f.verbose_name) for f in record.instance_type._meta.fields}
    return [f"{labels.get(c.field, c.field)}：{c.old} → {c.new}" for c in delta.changes]


def audit_entries(federation, limit: int = SHOWN) -> list[Entry]:
    """The latest changes in the federation's subtree, deleted records included (history outlives them)."""
    in_subtree = Federation.objects.subtree_q(federation)
    plans = Plan.history.filter(in_subtree)
    plan_ids = plans.values("id")
    sources = [
        (_("工作要点（计划）"), plans.select_related("history_user", "federation"), lambda r: r.federation),
        (
            _("工作要点条目"),
            WorkPoint.history.filter(plan_id__in=plan_ids).select_related("history_user"),
            None,
        ),
        (
            _("目标任务"),
            Target.history.filter(plan_id__in=plan_ids).select_related("history_user", "indicator"),
            None,
        ),
        (
            _("活动"),
            Activity.history.filter(in_subtree).select_related("history_user", "federation"),
            lambda r: r.federation,
        ),
    ]
    entries = []
    for kind, records, federation_of in sources:
        records = list(records.order_by("-history_date")[:limit])
        previous = _previous_records(records)
        for record in records:
            owner = federation_of(record) if federation_of else None
            entries.append(
                Entry(
                    at=record.history_date,
                    user=record.history_user,
                    action=ACTIONS.get(record.history_type, ""),
                    kind=kind,
                    description=str(_instance(record)),
                    federation=owner.display_name if owner else "",
                    changes=_changes(record, previous.get(record.history_id)),
                )
            )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]


@login_required
@reads_from_replica
def audit(request, code):
    federation = access.get_federation_for_user_or_404(request.user, code)
    if not access.can_manage(request.user, federation):
        raise Http404
    return render(
        request, "reports/audit.html", {"federation": federation, "entries": audit_entries(federation)}
    )
