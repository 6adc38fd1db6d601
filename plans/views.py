from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fedwork import access, params
from fedwork.concurrency import StaleEditError
from fedwork.context_processors import selected_year
from fedwork.models import Federation

from . import services
from .forms import DocumentUploadForm, PlanForm, ReopenForm, SplitForm, TargetForm, WorkPointForm
from .models import IndicatorKind, Plan, Target, WorkPoint, format_decimal
from .parsing import DocumentError, ParsedPlan, parse_document
from .tree import build_point_tree


def _visible_plan(user, pk) -> Plan:
    return get_object_or_404(Plan.objects.for_user(user).select_related("federation", "implements"), pk=pk)


def _plan_for_edit(user, plan: Plan) -> Plan:
    """Outsiders and read-only users get 404; the caller still checks that the plan is a draft."""
    access.require_edit(user, plan.federation)
    return plan


def _locked(request, plan: Plan):
    messages.error(request, _("计划已发布，目标不能再修改；如需修改，请本级领导或管理员重新打开。"))
    return redirect(plan)


def _own_federation_for_writing(request):
    """The user's federation and selected year, for pages creating its records (404 when read-only)."""
    federation = access.home_federation(request.user)
    if federation is None:
        raise Http404
    access.require_edit(request.user, federation)
    return federation, selected_year(request)


def _model_fields(form) -> dict:
    """The cleaned values of a ModelForm's model fields, as keyword arguments for a service."""
    return {name: form.cleaned_data[name] for name in form._meta.fields if name in form.cleaned_data}


def _save_versioned(form, service, **kwargs) -> bool:
    """Save an edit through its service unless someone saved the record since the form was opened
    (then say so on the form)."""
    try:
        service(
            by=kwargs.pop("by"),
            seen_version=form.cleaned_data.get("seen_version"),
            **kwargs,
            **_model_fields(form),
        )
    except StaleEditError as error:
        form.add_error(None, error)
        return False
    return True


def _show_errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
def index(request):
    year = selected_year(request)
    federation = access.home_federation(request.user)
    if federation is None:
        raise Http404
    plans = Plan.objects.for_user(request.user).for_year(year).select_related("federation")
    own = plans.filter(federation=federation).first()
    upper = plans.filter(federation__code__in=federation.ancestor_codes).order_by("federation__depth")
    children = Federation.objects.children_of(federation).order_by("code")
    child_plans = {p.federation_id: p for p in plans.filter(federation__parent=federation)}
    context = {
        "federation": federation,
        "year": year,
        "own": own,
        "upper": upper,
        "child_rows": [(child, child_plans.get(child.pk)) for child in children],
        "may_create": own is None and access.can_edit_records(request.user, federation),
        "latest_year": None if own else Plan.objects.for_user(request.user).latest_year_of(federation, year),
    }
    return render(request, "plans/plan_list.html", context)


@login_required
def plan_create(request):
    federation, year = _own_federation_for_writing(request)
    form = PlanForm(
        request.POST or None,
        federation=federation,
        year=year,
        initial={"title": _("%(name)s%(year)s年工作要点") % {"name": federation.display_name, "year": year}},
    )
    if request.method == "POST" and form.is_valid():
        try:
            fields = {name: form.cleaned_data[name] for name in PlanForm.Meta.fields}
            plan = services.plan_create(federation=federation, year=year, by=request.user, **fields)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已创建工作要点草稿。"))
            return redirect(plan)
    return render(request, "plans/plan_form.html", {"form": form, "federation": federation, "year": year})


@login_required
def plan_detail(request, pk):
    plan = _visible_plan(request.user, pk)
    points = build_point_tree(plan, request.user)
    context = {
        "plan": plan,
        "points": points,
        "editable": access.may_edit_plan(request.user, plan),
        "may_publish": access.may_publish_plan(request.user, plan),
        "may_reopen": access.may_reopen_plan(request.user, plan),
        "may_archive": access.may_archive_plan(request.user, plan),
        "may_split": access.may_split_targets(request.user, plan)
        and Federation.objects.children_of(plan.federation).exists(),
        "missing_indicators": plan.targets.filter(indicator__isnull=True).count(),
        "unconfirmed_shares": plan.targets.unconfirmed_shares(),
        "planned_activities": plan.planned_activities.all(),
        "events": plan.events.select_related("by")[:20],
        "reopen_form": ReopenForm(),
    }
    return render(request, "plans/plan_detail.html", context)


@login_required
def plan_edit(request, pk):
    plan = _plan_for_edit(request.user, _visible_plan(request.user, pk))
    if not plan.is_draft:
        return _locked(request, plan)
    form = PlanForm(request.POST or None, instance=plan, federation=plan.federation, year=plan.year)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save_versioned(form, services.plan_update, plan=plan, by=request.user)
    ):
        messages.success(request, _("已保存。"))
        return redirect(plan)
    return render(
        request,
        "plans/plan_form.html",
        {"form": form, "plan": plan, "federation": plan.federation, "year": plan.year},
    )


@login_required
def plan_delete(request, pk):
    plan = _plan_for_edit(request.user, _visible_plan(request.user, pk))
    if not plan.is_draft:
        return _locked(request, plan)
    return _delete_with_impact(
        request,
        plan,
        lambda confirmed: services.plan_delete(plan=plan, by=request.user, confirmed=confirmed),
        plan=plan,
        what=_("工作要点草稿"),
        done=_("已删除草稿。"),
        after=reverse("plans:index"),
    )


def _transition(request, plan: Plan, change, success: str, **kwargs):
    """Run a status change service; its refusal becomes an error message, never a 500."""
    try:
        change(plan=plan, by=request.user, **kwargs)
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(request, success)
    return redirect(plan)


@require_POST
@login_required
def plan_publish(request, pk):
    plan = _plan_for_edit(request.user, _visible_plan(request.user, pk))
    return _transition(request, plan, services.plan_publish, _("已发布。下级可以看到本计划并贯彻落实。"))


@require_POST
@login_required
def plan_reopen(request, pk):
    plan = _visible_plan(request.user, pk)
    if not access.may_reopen_plan(request.user, plan):
        raise Http404
    form = ReopenForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _transition(
        request, plan, services.plan_reopen, _("计划已重新打开为草稿，此操作已记录。"), reason=reason
    )


@require_POST
@login_required
def plan_archive(request, pk):
    plan = _plan_for_edit(request.user, _visible_plan(request.user, pk))
    return _transition(request, plan, services.plan_archive, _("已归档。"))


def _point_for_edit(request, pk) -> WorkPoint:
    point = get_object_or_404(
        WorkPoint.objects.select_related("plan__federation"),
        pk=pk,
        plan__in=Plan.objects.for_user(request.user),
    )
    _plan_for_edit(request.user, point.plan)
    return point


@login_required
def point_create(request, plan_pk):
    plan = _plan_for_edit(request.user, _visible_plan(request.user, plan_pk))
    if not plan.is_draft:
        return _locked(request, plan)
    parent = None
    parent_pk = params.query_id(request, "parent") or params.query_id(request, "parent", data=request.POST)
    if parent_pk:
        parent = get_object_or_404(plan.points, pk=parent_pk)
    form = WorkPointForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        point = services.work_point_create(plan=plan, parent=parent, by=request.user, **_model_fields(form))
        messages.success(request, _("已添加工作要点。"))
        if "add_another" in request.POST:
            return redirect(f"{request.path}?parent={parent.pk}" if parent else request.path)
        return redirect(f"{plan.get_absolute_url()}#point-{point.pk}")
    return render(request, "plans/point_form.html", {"form": form, "plan": plan, "parent": parent})


@login_required
def point_edit(request, pk):
    point = _point_for_edit(request, pk)
    if not point.plan.is_draft:
        return _locked(request, point.plan)
    form = WorkPointForm(request.POST or None, instance=point, plan=point.plan)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save_versioned(form, services.work_point_update, point=point, by=request.user)
    ):
        messages.success(request, _("已保存。"))
        return redirect(f"{point.plan.get_absolute_url()}#point-{point.pk}")
    return render(
        request,
        "plans/point_form.html",
        {"form": form, "plan": point.plan, "point": point, "parent": point.parent},
    )


@login_required
def point_delete(request, pk):
    point = _point_for_edit(request, pk)
    plan = point.plan
    if not plan.is_draft:
        return _locked(request, plan)
    return _delete_with_impact(
        request,
        point,
        lambda confirmed: services.work_point_delete(point=point, by=request.user, confirmed=confirmed),
        plan=plan,
        what=_("工作要点（连同其下级要点和目标）"),
        done=_("已删除工作要点及其下级要点和目标。"),
    )


def _delete_with_impact(request, obj, delete, *, plan, what, done, after=None):
    """The confirmation page lists what else the deletion reaches (splits below, targets assigned from
    above, activities that lose their link); the service refuses what the page says it refuses."""
    impact = services.deletion_impact(obj)
    if request.method == "POST":
        try:
            delete(confirmed=request.POST.get("confirm_links") == "on")
        except ValidationError as error:
            _show_errors(request, error)
        else:
            messages.success(request, done)
            return redirect(after or plan)
    return render(
        request,
        "plans/confirm_delete.html",
        {"object": obj, "cancel_url": plan.get_absolute_url(), "what": what, "impact": impact},
    )


@require_POST
@login_required
def point_move(request, pk):
    point = _point_for_edit(request, pk)
    if not point.plan.is_draft:
        return _locked(request, point.plan)
    services.work_point_move(point=point, step=-1 if request.POST.get("direction") == "up" else 1)
    return redirect(f"{point.plan.get_absolute_url()}#point-{point.pk}")


def _target_for_user(request, pk) -> Target:
    return get_object_or_404(
        Target.objects.for_user(request.user).select_related("plan__federation", "work_point", "indicator"),
        pk=pk,
    )


@login_required
def target_create(request, point_pk):
    point = _point_for_edit(request, point_pk)
    plan = point.plan
    if not plan.is_draft:
        return _locked(request, plan)
    form = TargetForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        target = services.target_create(point=point, by=request.user, **_model_fields(form))
        messages.success(request, _("已添加目标：%(target)s") % {"target": target})
        if "add_another" in request.POST:
            return redirect(request.path)
        return redirect(f"{plan.get_absolute_url()}#point-{point.pk}")
    return render(request, "plans/target_form.html", {"form": form, "plan": plan, "point": point})


@login_required
def target_edit(request, pk):
    target = _target_for_user(request, pk)
    plan = _plan_for_edit(request.user, target.plan)
    if not plan.is_draft:
        return _locked(request, plan)
    form = TargetForm(request.POST or None, instance=target, plan=plan)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save_versioned(form, services.target_update, target=target, by=request.user)
    ):
        messages.success(request, _("已保存目标：%(target)s") % {"target": target})
        return redirect(f"{plan.get_absolute_url()}#point-{target.work_point_id}")
    return render(
        request,
        "plans/target_form.html",
        {"form": form, "plan": plan, "point": target.work_point, "target": target},
    )


@login_required
def target_delete(request, pk):
    target = _target_for_user(request, pk)
    plan = _plan_for_edit(request.user, target.plan)
    if not plan.is_draft:
        return _locked(request, plan)
    return _delete_with_impact(
        request,
        target,
        lambda confirmed: services.target_delete(target=target, by=request.user, confirmed=confirmed),
        plan=plan,
        what=_("目标"),
        done=_("已删除目标。"),
    )


@login_required
def target_split(request, pk):
    target = _target_for_user(request, pk)
    plan = target.plan
    if not access.may_split_targets(request.user, plan):
        raise Http404
    if target.indicator is None:
        messages.error(request, _("请先为该目标选择指标，再进行分解。"))
        return redirect(plan)
    rows = services.split_rows(target)
    children = [child for child, _existing in rows]
    last_year = services.last_year_results(target, children)
    # ?suggest=even|last_year (平均 / 按上年比例): the fields come filled with proposed shares, not saved.
    suggest = request.GET.get("suggest", "")
    suggestion = None
    if request.method != "POST" and suggest in services.SplitBasis.values:
        suggestion = services.split_suggestion(target=target, basis=suggest)
    initial = SplitForm.suggested_initial(suggestion, children) if suggestion else None
    form = SplitForm(request.POST or None, rows=rows, target=target, initial=initial)
    summary = None
    if request.method == "POST" and form.is_valid():
        try:
            summary = services.target_split(target=target, values=form.values(), by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
    if summary is not None:
        messages.success(
            request,
            _("已保存分解：新增 %(c)d，修改 %(u)d，撤回 %(r)d。")
            % {"c": summary.created, "u": summary.updated, "r": summary.removed},
        )
        if summary.is_short:
            messages.warning(
                request,
                _("分解合计比目标少 %(remainder)s%(unit)s。")
                % {"remainder": format_decimal(summary.remainder), "unit": target.unit},
            )
        if summary.is_over:
            messages.error(
                request,
                _("分解合计超出本级目标 %(excess)s%(unit)s，请核对。")
                % {"excess": format_decimal(summary.excess), "unit": target.unit},
            )
        return redirect(request.path)
    total = (
        sum(suggestion.values(), Decimal(0))
        if suggestion
        else sum((existing.value for _c, existing in rows if existing), Decimal(0))
    )
    context = {
        "target": target,
        "plan": plan,
        "form": form,
        "rows": [(*row, last_year.get(row[0].pk)) for row in form.bound_rows()],
        "total": total,
        "remainder": max(target.value - total, Decimal(0)),
        "excess": max(total - target.value, Decimal(0)),
        "shows_last_year": target.indicator.kind == IndicatorKind.SUM,
        "has_last_year": bool(last_year),
        "suggested": services.SplitBasis(suggest).label if suggestion else None,
        "suggest_none": suggest in services.SplitBasis.values and not suggestion and request.method != "POST",
        "last_year": target.plan.year - 1,
    }
    return render(request, "plans/target_split.html", context)


IMPORT_SALT = "plans.import-review"


def _review_payload(request, parsed, *, federation, year: int, name: str) -> str:
    """The parsed document, signed for this user, federation and year, for the review form to carry
    to the confirming POST (nothing is stored between the two steps)."""
    data = {"plan": parsed.to_json(), "federation": federation.pk, "year": year, "name": name}
    return signing.dumps(data, salt=f"{IMPORT_SALT}:{request.user.pk}", compress=True)


def _reviewed_document(request, federation):
    """(parsed plan, year, file name) from a review form's payload; ValidationError when it is not
    one this user was given for this federation."""
    try:
        data = signing.loads(request.POST.get("payload", ""), salt=f"{IMPORT_SALT}:{request.user.pk}")
        if data["federation"] != federation.pk:
            raise ValueError
        return ParsedPlan.from_json(data["plan"]), int(data["year"]), str(data["name"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise ValidationError(_("核对页已失效，请重新上传文档。")) from error


def _kept_points(request) -> set[int]:
    """The ticked points' numbers; anything but a plain ASCII number of a sane length (a forged
    "²" or a 5000-digit value, which int() refuses) is ignored like an unticked box."""
    return {
        int(value)
        for value in request.POST.getlist("keep")
        if value.isascii() and value.isdigit() and len(value) <= 9
    }


@login_required
def plan_import(request):
    """Upload a document, review what was read (untick a point to drop it with everything under it),
    then save the draft. The upload step parses and shows the review page; the review form's POST
    (``payload``) saves the kept branches through services.plan_import."""
    federation, year = _own_federation_for_writing(request)
    if request.method == "POST" and "payload" in request.POST:
        try:
            parsed, year, name = _reviewed_document(request, federation)
        except ValidationError as error:
            _show_errors(request, error)
            return redirect("plans:import")
        numbered = parsed.numbered_points()
        kept = _kept_points(request)
        if numbered and not kept & {index for index, _depth, _point in numbered}:
            messages.error(request, _("请至少保留一条要点。"))
            return _render_review(request, parsed, federation=federation, year=year, name=name, kept=kept)
        dropped = {index for index, _depth, _point in numbered} - kept
        try:
            plan = services.plan_import(
                parsed=parsed.without_branches(dropped),
                federation=federation,
                year=year,
                by=request.user,
                source_name=name,
            )
        except ValidationError as error:
            _show_errors(request, error)
            return _render_review(request, parsed, federation=federation, year=year, name=name, kept=kept)
        messages.success(
            request, _("已导入为草稿，请核对要点和目标（黄色标出的是识别出的目标原文），确认无误后发布。")
        )
        return redirect(plan)
    form = DocumentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        document = form.cleaned_data["document"]
        try:
            parsed = parse_document(document.read(), document.name)
            warning = parsed.year_warning(year)
            if warning and not form.cleaned_data["confirm_year"]:
                # "这份通知是2013年的，要导入为2014年计划吗？": the planner ticks and uploads again.
                form.fields["confirm_year"].widget = forms.CheckboxInput()
                raise ValidationError(warning)
        except DocumentError as error:
            form.add_error("document", str(error))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _render_review(request, parsed, federation=federation, year=year, name=document.name)
    return render(request, "plans/plan_import.html", {"form": form, "federation": federation, "year": year})


def _render_review(request, parsed, *, federation, year: int, name: str, kept: set[int] | None = None):
    rows = services.import_preview(parsed=parsed, federation=federation)
    context = {
        "federation": federation,
        "year": year,
        "parsed": parsed,
        "name": name,
        "rows": rows,
        "kept": kept,
        "target_count": sum(len(row.targets) for row in rows),
        "payload": _review_payload(request, parsed, federation=federation, year=year, name=name),
    }
    return render(request, "plans/plan_import_review.html", context)
