"""The assessment's pages: the scheme editor, the child's self-assessment, the reviewer's page,
objections and answers, the result and the siblings' results. Every write goes through
assessments.services; every access question through fedwork.access (outsiders get 404)."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from evidence.models import Attachment
from fedwork import access
from fedwork.context_processors import selected_year
from plans.models import Indicator, WorkPoint
from reports.views.summary import DOCX_CONTENT_TYPE

from . import export, importing, scoring, services
from .forms import (
    AnswerForm,
    ItemRowFormSet,
    ObjectionForm,
    ReviewScoreForm,
    SchemeCreateForm,
    SchemeSettingsForm,
    SelfScoreForm,
)
from .models import Assessment, AssessmentStatus, ItemScore, Scheme, SchemeStatus


def _error_text(error: ValidationError) -> str:
    return "；".join(error.messages)


def _scheme_or_404(user, pk: int) -> Scheme:
    scheme = get_object_or_404(Scheme.objects.select_related("federation"), pk=pk)
    if not access.may_see_scheme(user, scheme):
        raise Http404
    return scheme


def _assessment_or_404(user, pk: int) -> Assessment:
    assessment = get_object_or_404(
        Assessment.objects.select_related("scheme", "scheme__federation", "federation"), pk=pk
    )
    if not access.may_see_assessment(user, assessment):
        raise Http404
    return assessment


def _score_or_404(user, pk: int) -> ItemScore:
    score = get_object_or_404(
        ItemScore.objects.select_related(
            "item",
            "assessment",
            "assessment__scheme",
            "assessment__scheme__federation",
            "assessment__federation",
        ),
        pk=pk,
    )
    if not access.may_see_assessment(user, score.assessment):
        raise Http404
    return score


@login_required
def index(request):
    """The user's own assessments and, for leaders and admins, the scheme their federation defines."""
    federation, year = access.home_federation(request.user), selected_year(request)
    if federation is None:
        raise Http404
    own = Assessment.objects.filter(
        federation=federation, scheme__year=year, scheme__status=SchemeStatus.PUBLISHED
    )
    scheme = Scheme.objects.filter(federation=federation, year=year).first()
    return render(
        request,
        "assessments/index.html",
        {
            "federation": federation,
            "year": year,
            "own": own.select_related("scheme", "scheme__federation"),
            "scheme": scheme,
            "may_define": access.may_define_scheme(request.user, federation),
            "create_form": SchemeCreateForm(
                initial={
                    "name": _("%(name)s%(year)d年度考核细则")
                    % {"name": federation.display_name, "year": year}
                }
            ),
        },
    )


@login_required
@require_POST
def scheme_create(request, code: str):
    """A draft scheme of the federation ``code`` for the selected year."""
    federation, year = access.get_federation_for_user_or_404(request.user, code), selected_year(request)
    if not access.may_define_scheme(request.user, federation):
        raise Http404
    form = SchemeCreateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写考核细则名称。"))
        return redirect("assessments:index")
    try:
        scheme = services.scheme_create(
            federation=federation, year=year, name=form.cleaned_data["name"], by=request.user
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("assessments:index")
    return redirect(scheme)


def _indicators(scheme: Scheme):
    """The indicators of the assessing federation's targets that year: what an item can follow."""
    return (
        Indicator.objects.filter(targets__plan__federation=scheme.federation, targets__plan__year=scheme.year)
        .distinct()
        .order_by("code")
    )


def _work_points(scheme: Scheme):
    """The work points of the assessing federation's plans that year: what an item can follow."""
    return WorkPoint.objects.filter(plan__federation=scheme.federation, plan__year=scheme.year).order_by(
        "plan", "order", "pk"
    )


def _rows_initial(scheme: Scheme) -> list[dict]:
    return [
        {
            "area": item.area.name,
            "name": item.name,
            "max_points": item.max_points,
            "rule": item.rule,
            "indicator": item.indicator,
            "work_point": item.work_point,
        }
        for item in scheme.items()
    ]


def _areas_from(formset) -> list[services.AreaDraft]:
    """Consecutive rows with the same area name form one area, in the order given."""
    areas: list[services.AreaDraft] = []
    for form in formset:
        data = form.cleaned_data
        if not data or data.get("DELETE"):
            continue
        if not areas or areas[-1].name != data["area"]:
            areas.append(services.AreaDraft(data["area"]))
        areas[-1].items.append(
            services.ItemDraft(
                data["name"],
                data["max_points"],
                data["rule"],
                indicator=data.get("indicator"),
                work_point=data.get("work_point"),
            )
        )
    return areas


@login_required
def scheme_detail(request, pk: int):
    """The scheme: an editor while it is a draft (for its federation's leaders and admins), then the
    list of the children's assessments and where each stands."""
    scheme = _scheme_or_404(request.user, pk)
    may_edit = scheme.is_draft and access.may_define_scheme(request.user, scheme.federation)
    choices = {"indicators": _indicators(scheme), "work_points": _work_points(scheme)}
    settings_form = SchemeSettingsForm(instance=scheme, prefix="s")
    formset = ItemRowFormSet(initial=_rows_initial(scheme), prefix="items", form_kwargs=choices)
    if request.method == "POST":
        if not may_edit:
            raise Http404
        settings_form = SchemeSettingsForm(
            request.POST, instance=Scheme.objects.get(pk=scheme.pk), prefix="s"
        )
        formset = ItemRowFormSet(request.POST, prefix="items", form_kwargs=choices)
        if settings_form.is_valid() and formset.is_valid():
            data = settings_form.cleaned_data
            try:
                services.scheme_save(
                    scheme=scheme,
                    name=data["name"],
                    excellent_from=data["excellent_from"],
                    good_from=data["good_from"],
                    pass_from=data["pass_from"],
                    objection_days=data["objection_days"],
                    areas=_areas_from(formset),
                    by=request.user,
                )
            except ValidationError as error:
                messages.error(request, _error_text(error))
            else:
                messages.success(request, _("考核细则已保存。"))
                return redirect(scheme)
    assessments = []
    if not scheme.is_draft and (access.can_view(request.user, scheme.federation)):
        assessments = scheme.assessments.select_related("federation")
    return render(
        request,
        "assessments/scheme_detail.html",
        {
            "scheme": scheme,
            "items": scheme.items(),
            "may_edit": may_edit,
            "settings_form": settings_form,
            "formset": formset,
            "assessments": assessments,
            "may_see_results": access.may_see_assessment_results(request.user, scheme),
        },
    )


@login_required
@require_POST
def scheme_import(request, pk: int):
    """Replace a draft scheme's items with an uploaded Excel sheet or standards document (all or
    nothing)."""
    scheme = _scheme_or_404(request.user, pk)
    if not scheme.is_draft or not access.may_define_scheme(request.user, scheme.federation):
        raise Http404
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择要导入的 Excel 文件。"))
        return redirect(scheme)
    if upload.size > importing.MAX_FILE_BYTES:
        messages.error(request, _("文件过大，无法导入。"))
        return redirect(scheme)
    try:
        services.scheme_import(scheme=scheme, file_bytes=upload.read(), by=request.user, filename=upload.name)
    except importing.ImportFileError as error:
        messages.error(request, str(error))
    except importing.SchemeRowsError as error:
        messages.error(
            request, _("导入失败，未保存任何内容：") + "；".join(str(e) for e in error.errors[:50])
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("已导入考核细则，请核对各项分值后再发布。"))
    return redirect(scheme)


@login_required
@require_POST
def scheme_publish(request, pk: int):
    scheme = _scheme_or_404(request.user, pk)
    if not scheme.is_draft or not access.may_define_scheme(request.user, scheme.federation):
        raise Http404
    try:
        made = services.scheme_publish(scheme=scheme, by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("考核细则已发布，%(count)d 个下级妇联开始自评。") % {"count": len(made)})
    return redirect(scheme)


@login_required
def scheme_results(request, pk: int):
    """All the children's totals, grades and ranks: the assessing federation's leaders only."""
    scheme = _scheme_or_404(request.user, pk)
    if not access.may_see_assessment_results(request.user, scheme):
        raise Http404
    rows = list(scheme.assessments.select_related("federation"))
    ranked = sorted((a for a in rows if a.total is not None), key=lambda a: -a.total)
    rank, previous = 0, None
    for position, assessment in enumerate(ranked, start=1):
        if assessment.total != previous:
            rank, previous = position, assessment.total
        assessment.rank = rank
    return render(
        request,
        "assessments/scheme_results.html",
        {"scheme": scheme, "ranked": ranked, "pending": [a for a in rows if a.total is None]},
    )


def _score_rows(assessment: Assessment):
    scores = list(
        assessment.scores.select_related("item", "item__area", "item__indicator").prefetch_related(
            "attachments"
        )
    )
    return scores


@login_required
def assessment_detail(request, pk: int):
    """One child's assessment: item by item with self and review scores, evidence, objections and
    answers; the forms each user may use at this stage (self-assessment, review, objection,
    answer, finalize) are on the pages they lead to."""
    assessment = _assessment_or_404(request.user, pk)
    user = request.user
    reviewing = access.may_review_assessment(user, assessment)
    own = access.may_self_assess(user, assessment)
    today = timezone.localdate()
    window_open = (
        assessment.objection_until is not None
        and today <= assessment.objection_until
        and assessment.accepted_at is None
    )
    figures = {}
    if (
        reviewing
        and any(s.item.is_automatic for s in assessment.scores.select_related("item"))
        and not assessment.is_final
    ):
        figures = scoring.target_figures(assessment.scheme).get(assessment.federation_id, {})
    scores = _score_rows(assessment)
    for score in scores:
        score.figures = figures.get(score.item_id)
    return render(
        request,
        "assessments/assessment_detail.html",
        {
            "assessment": assessment,
            "scheme": assessment.scheme,
            "scores": scores,
            "self_total": scoring.total(services.lines(assessment, self_side=True)),
            "maximum": scoring.maximum_total(services.lines(assessment)),
            "reviewing": reviewing,
            "own": own,
            "may_edit_self": own and assessment.status == AssessmentStatus.SELF,
            "may_review": reviewing and assessment.status == AssessmentStatus.SUBMITTED,
            "may_object": own
            and assessment.status in (AssessmentStatus.REVIEWED, AssessmentStatus.OBJECTION)
            and window_open,
            "may_accept": own and assessment.status == AssessmentStatus.REVIEWED and window_open,
            "may_answer": reviewing and assessment.status == AssessmentStatus.OBJECTION,
            "may_finalize": reviewing and services.may_finalize_now(assessment, today),
            "shows_scores": assessment.status not in (AssessmentStatus.SELF, AssessmentStatus.SUBMITTED)
            or reviewing,
            "objection_form": ObjectionForm(),
            "answer_form": AnswerForm(),
            "events": assessment.events.select_related("by", "item")[:50],
        },
    )


def _citable(assessment: Assessment):
    return (
        Attachment.objects.in_subtree(assessment.federation)
        .shown()
        .filter(year=assessment.scheme.year)
        .select_related("federation")
        .order_by("activity_title", "pk")
    )


@login_required
def self_assessment(request, pk: int):
    """The child's self-assessment: points, note and cited evidence per item; save or submit."""
    assessment = _assessment_or_404(request.user, pk)
    if not access.may_self_assess(request.user, assessment):
        raise Http404
    if assessment.status != AssessmentStatus.SELF:
        messages.info(
            request, _("自评已提交，当前状态：%(status)s。") % {"status": assessment.get_status_display()}
        )
        return redirect(assessment)
    scores = _score_rows(assessment)
    citable = _citable(assessment)

    def form_for(score, data=None):
        initial = {
            "points": score.self_points,
            "note": score.self_note,
            "attachments": list(score.attachments.all()),
        }
        return SelfScoreForm(
            data, prefix=f"i{score.item_id}", item=score.item, attachments=citable, initial=initial
        )

    forms = [(score, form_for(score, request.POST if request.method == "POST" else None)) for score in scores]
    if request.method == "POST" and all(form.is_valid() for _score, form in forms):
        entries = {
            score.item_id: services.SelfEntry(
                form.cleaned_data.get("points"),
                form.cleaned_data["note"],
                list(form.cleaned_data["attachments"]),
            )
            for score, form in forms
        }
        try:
            # Save and submit together or not at all; the page keeps what was typed.
            with transaction.atomic():
                services.self_assessment_save(assessment=assessment, entries=entries, by=request.user)
                if "submit" in request.POST:
                    services.assessment_submit(assessment=assessment, by=request.user)
            if "submit" in request.POST:
                messages.success(request, _("自评已提交，等待上级妇联审核。"))
                return redirect(assessment)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("自评已保存。"))
            return redirect("assessments:self", pk=assessment.pk)
    elif request.method == "POST":
        messages.error(request, _("请按提示修改后再保存。"))
    return render(
        request,
        "assessments/self_assessment.html",
        {
            "assessment": assessment,
            "scheme": assessment.scheme,
            "forms": forms,
            "has_citable": citable.exists(),
        },
    )


@login_required
def review(request, pk: int):
    """The reviewer's page: self score, evidence, the figures behind automatic items; review
    points, comment, 退回补充材料 per item; save, return, or 评分完成."""
    assessment = _assessment_or_404(request.user, pk)
    if not access.may_review_assessment(request.user, assessment):
        raise Http404
    if assessment.status != AssessmentStatus.SUBMITTED:
        messages.info(
            request, _("当前状态为“%(status)s”，不能评分。") % {"status": assessment.get_status_display()}
        )
        return redirect(assessment)
    scores = _score_rows(assessment)
    figures = scoring.target_figures(assessment.scheme).get(assessment.federation_id, {})
    forms = []
    for score in scores:
        score.figures = figures.get(score.item_id)
        initial = {
            "points": score.review_points,
            "comment": score.review_comment,
            "needs_evidence": score.needs_evidence,
        }
        data = request.POST if request.method == "POST" else None
        forms.append(
            (score, ReviewScoreForm(data, prefix=f"i{score.item_id}", item=score.item, initial=initial))
        )
    if request.method == "POST" and all(form.is_valid() for _score, form in forms):
        entries = {
            score.item_id: services.ReviewEntry(form.cleaned_data.get("points"), form.cleaned_data["comment"])
            for score, form in forms
        }
        returned = [score.item_id for score, form in forms if form.cleaned_data["needs_evidence"]]
        decision = request.POST.get("decision")
        try:
            # Scores and the decision together or not at all; the page keeps what was typed.
            with transaction.atomic():
                services.review_save(assessment=assessment, entries=entries, by=request.user)
                if decision == "return":
                    services.assessment_return(
                        assessment=assessment,
                        item_pks=returned,
                        note=request.POST.get("note", ""),
                        by=request.user,
                    )
                elif decision == "complete":
                    services.assessment_review_complete(assessment=assessment, by=request.user)
            if decision == "return":
                messages.success(request, _("已退回，请下级妇联补充材料。"))
                return redirect(assessment)
            if decision == "complete":
                messages.success(request, _("评分完成，异议期已开始。"))
                return redirect(assessment)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("评分已保存。"))
            return redirect("assessments:review", pk=assessment.pk)
    elif request.method == "POST":
        messages.error(request, _("请按提示修改后再保存。"))
    return render(
        request,
        "assessments/review.html",
        {"assessment": assessment, "scheme": assessment.scheme, "forms": forms},
    )


@login_required
@require_POST
def objection(request, pk: int):
    """The child objects to one item (pk: the item's score) within the window."""
    score = _score_or_404(request.user, pk)
    if not access.may_self_assess(request.user, score.assessment):
        raise Http404
    form = ObjectionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("请填写异议理由。"))
        services.objection_raise(score=score, reason=form.cleaned_data["reason"], by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("异议已提交，等待上级妇联答复。"))
    return redirect(score.assessment)


@login_required
@require_POST
def answer(request, pk: int):
    """The reviewer answers an objection, keeping or changing the score."""
    score = _score_or_404(request.user, pk)
    if not access.may_review_assessment(request.user, score.assessment):
        raise Http404
    form = AnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([m for errors in form.errors.values() for m in errors])
        services.objection_answer(
            score=score,
            answer=form.cleaned_data["answer"],
            points=form.cleaned_data["points"],
            by=request.user,
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("已答复异议。"))
    return redirect(score.assessment)


@login_required
@require_POST
def accept(request, pk: int):
    assessment = _assessment_or_404(request.user, pk)
    if not access.may_self_assess(request.user, assessment):
        raise Http404
    try:
        services.assessment_accept(assessment=assessment, by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("已确认无异议。"))
    return redirect(assessment)


@login_required
@require_POST
def finalize(request, pk: int):
    assessment = _assessment_or_404(request.user, pk)
    if not access.may_review_assessment(request.user, assessment):
        raise Http404
    try:
        services.assessment_finalize(assessment=assessment, by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("考核结果已确定。"))
    return redirect(assessment)


def _scores_visible(user, assessment: Assessment) -> bool:
    """Review scores are the reviewers' until the review is complete; then the child's too."""
    return access.may_review_assessment(user, assessment) or assessment.status not in (
        AssessmentStatus.SELF,
        AssessmentStatus.SUBMITTED,
    )


@login_required
def table_xlsx(request, pk: int):
    """The scoring table (考核评分表) as Excel, for whoever may see the assessment."""
    assessment = _assessment_or_404(request.user, pk)
    output = io.BytesIO()
    export.write_table(assessment, output, with_review=_scores_visible(request.user, assessment))
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=export.table_filename(assessment),
        content_type=export.XLSX_CONTENT_TYPE,
    )


@login_required
def letter_docx(request, pk: int):
    """The result letter (考核结果通知) as Word, once the result is final."""
    assessment = _assessment_or_404(request.user, pk)
    if not assessment.is_final:
        messages.error(request, _("考核结果确定后才能下载结果通知。"))
        return redirect(assessment)
    return FileResponse(
        export.letter_docx(assessment),
        as_attachment=True,
        filename=export.letter_filename(assessment),
        content_type=DOCX_CONTENT_TYPE,
    )
