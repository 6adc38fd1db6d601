"""Every write of the assessment: the scheme, the self-assessment, the review, objections and the
result. Each function is atomic and locks the assessment row it moves, so two reviewers (or a
reviewer and the child) never interleave a transition. Access is decided by the caller with
``fedwork.access`` (may_define_scheme, may_self_assess, may_review_assessment …); these functions
check the state machine and the data, raising ValidationError with a Chinese message.

State machine (AssessmentStatus): SELF → SUBMITTED → (returned: SELF) → REVIEWED (objection window
open) → OBJECTION (an objection waits for its answer) → REVIEWED → FINAL.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evidence.models import Attachment
from fedwork.models import Federation

from . import scoring
from .models import (
    Assessment,
    AssessmentEvent,
    AssessmentStatus,
    ItemScore,
    Rule,
    Scheme,
    SchemeArea,
    SchemeItem,
    SchemeStatus,
)

Action = AssessmentEvent.Action

# The highest total a scheme may reach (its items' points, bonus caps included, deductions not): a
# total must fit the 6-digit total column with room to spare, and schemes are written out of 100 or
# 1000 points (the Lixia standards, 济妇发〔2013〕40号).
MAX_SCHEME_TOTAL = Decimal(1000)


@dataclass
class ItemDraft:
    """One item as an editor or an import gives it (points in points, not percent)."""

    name: str
    max_points: Decimal
    rule: str = Rule.JUDGED
    indicator: object = None
    work_point: object = None


@dataclass
class AreaDraft:
    name: str
    items: list[ItemDraft] = field(default_factory=list)


# --- The scheme --------------------------------------------------------------------------------------


def scheme_create(*, federation: Federation, year: int, name: str, by) -> Scheme:
    """A draft scheme of ``federation`` for ``year``; one per federation and year (ValidationError,
    also when a double click's second request loses the race to the unique constraint)."""
    exists = ValidationError(_("%(year)d年的考核细则已经存在。") % {"year": year})
    if Scheme.objects.filter(federation=federation, year=year).exists():
        raise exists
    try:
        with transaction.atomic():
            return Scheme.objects.create(federation=federation, year=year, name=name, created_by=by)
    except IntegrityError as error:
        raise exists from error


@transaction.atomic
def scheme_save(
    *,
    scheme: Scheme,
    areas: list[AreaDraft],
    by,
    name: str | None = None,
    excellent_from: Decimal | None = None,
    good_from: Decimal | None = None,
    pass_from: Decimal | None = None,
    objection_days: int | None = None,
) -> Scheme:
    """Replace a draft scheme's settings, areas and items (the editor sends the whole scheme; a
    setting left out, None, keeps the scheme's own: the model's defaults are 90/80/60 and 5 days).

    Raises ValidationError when the scheme is published, the bands do not descend (优秀 > 良好 >
    合格 ≥ 0), an item has no name or points ≤ 0 or above MAX_SCHEME_TOTAL, the items' points with
    the bonus caps add up to more than MAX_SCHEME_TOTAL, or an item not scored from targets names an
    indicator or work point."""
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    if not scheme.is_draft:
        raise ValidationError(_("考核细则已发布，不能再修改。"))
    name = scheme.name if name is None else name
    excellent_from = scheme.excellent_from if excellent_from is None else excellent_from
    good_from = scheme.good_from if good_from is None else good_from
    pass_from = scheme.pass_from if pass_from is None else pass_from
    objection_days = scheme.objection_days if objection_days is None else objection_days
    if not (excellent_from > good_from > pass_from >= 0):
        raise ValidationError(_("分数线须满足：优秀 > 良好 > 合格 ≥ 0。"))
    errors = []
    for area in areas:
        if not area.name:
            errors.append(_("考核项目名称不能为空。"))
        for item in area.items:
            if not item.name:
                errors.append(_("“%(area)s”中有考核内容未填写。") % {"area": area.name})
            if item.max_points is None or item.max_points <= 0:
                errors.append(_("“%(item)s”的分值须大于 0。") % {"item": item.name})
            elif item.max_points > MAX_SCHEME_TOTAL:
                errors.append(
                    _("“%(item)s”的分值不能超过 %(max)s 分。") % {"item": item.name, "max": MAX_SCHEME_TOTAL}
                )
            if item.rule not in Rule.values:
                errors.append(_("“%(item)s”的计分方式无效。") % {"item": item.name})
            elif item.rule != Rule.FROM_TARGETS and (item.indicator or item.work_point):
                errors.append(_("只有“按目标完成”的考核内容才能关联指标或工作要点。"))
    reachable = sum(
        (
            item.max_points
            for area in areas
            for item in area.items
            if item.max_points and item.rule != Rule.DEDUCTION
        ),
        Decimal(0),
    )
    if reachable > MAX_SCHEME_TOTAL:
        errors.append(
            _("各项分值合计（含加分上限）不能超过 %(max)s 分，现为 %(total)s 分。")
            % {"max": MAX_SCHEME_TOTAL, "total": reachable}
        )
    if errors:
        raise ValidationError(errors)
    scheme.name = name
    scheme.excellent_from, scheme.good_from, scheme.pass_from = excellent_from, good_from, pass_from
    scheme.objection_days = objection_days
    scheme.save()
    scheme.areas.all().delete()
    for area_order, area in enumerate(areas, start=1):
        made = SchemeArea.objects.create(scheme=scheme, name=area.name, order=area_order)
        SchemeItem.objects.bulk_create(
            SchemeItem(
                area=made,
                name=item.name,
                max_points=item.max_points,
                rule=item.rule,
                indicator=item.indicator,
                work_point=item.work_point,
                order=item_order,
            )
            for item_order, item in enumerate(area.items, start=1)
        )
    return scheme


def scheme_import(*, scheme: Scheme, file_bytes: bytes, by, filename: str = "scheme.xlsx") -> Scheme:
    """Replace a draft scheme's areas and items with those of an Excel sheet (``.xlsx``) or of a
    standards document (``.txt``, ``.docx``, ``.pdf``: through the plan parser), chosen by
    ``filename``'s extension (assessments.importing), keeping its name, bands and window. All or
    nothing: ImportFileError or SchemeRowsError (every bad row) leave the scheme as it was; so does
    ValidationError from scheme_save."""
    from .importing import read_scheme, read_scheme_document  # the importer builds this module's drafts

    if filename.lower().endswith(".xlsx"):
        areas = read_scheme(file_bytes)
    else:
        areas = read_scheme_document(file_bytes, filename)
    return scheme_save(scheme=scheme, areas=areas, by=by)


@transaction.atomic
def scheme_publish(*, scheme: Scheme, by) -> list[Assessment]:
    """Publish a draft scheme: every direct child of the assessing federation gets its assessment
    (status 自评中) with one empty score per item. Raises ValidationError without items or
    children."""
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    if not scheme.is_draft:
        raise ValidationError(_("考核细则已发布。"))
    items = list(scheme.items())
    if not items:
        raise ValidationError(_("考核细则还没有考核内容，不能发布。"))
    children = list(Federation.objects.children_of(scheme.federation).order_by("code"))
    if not children:
        raise ValidationError(_("本单位没有下级妇联，无需考核。"))
    scheme.status = SchemeStatus.PUBLISHED
    scheme.published_at = timezone.now()
    scheme.save(update_fields=["status", "published_at"])
    Assessment.objects.bulk_create(Assessment(scheme=scheme, federation=child) for child in children)
    made = list(Assessment.objects.filter(scheme=scheme))
    ItemScore.objects.bulk_create(ItemScore(assessment=a, item=item) for a in made for item in items)
    return made


# --- The child's self-assessment ---------------------------------------------------------------------


@dataclass
class SelfEntry:
    """What the child enters for one item: points (ignored for items scored from targets), a note,
    and the attachments it cites."""

    points: Decimal | None = None
    note: str = ""
    attachments: list[Attachment] = field(default_factory=list)


def _locked(assessment: Assessment) -> Assessment:
    return Assessment.objects.select_for_update().select_related("scheme", "federation").get(pk=assessment.pk)


def _scores(assessment: Assessment) -> dict[int, ItemScore]:
    return {s.item_id: s for s in assessment.scores.select_related("item", "item__area")}


def _check_points(item: SchemeItem, points: Decimal | None, errors: list) -> None:
    if points is not None and not (0 <= points <= item.max_points):
        errors.append(
            _("“%(item)s”的分数须在 0 到 %(max)s 之间。") % {"item": item.name, "max": item.max_points}
        )


@transaction.atomic
def self_assessment_save(*, assessment: Assessment, entries: dict[int, SelfEntry], by) -> Assessment:
    """Store the child's self scores, notes and cited files (``entries`` keyed by item pk).

    Only while the assessment is 自评中. A cited file must be one of the child's own subtree's
    attachments and still shown; anything else (a sibling's file, a deleted one) is refused, and
    nothing is saved (ValidationError)."""
    assessment = _locked(assessment)
    if assessment.status != AssessmentStatus.SELF:
        raise ValidationError(_("自评已提交，不能再修改。"))
    scores = _scores(assessment)
    allowed = set(Attachment.objects.in_subtree(assessment.federation).shown().values_list("pk", flat=True))
    errors: list[str] = []
    for item_pk, entry in entries.items():
        score = scores.get(item_pk)
        if score is None:
            errors.append(_("考核内容不存在。"))
            continue
        if not score.item.is_automatic:
            _check_points(score.item, entry.points, errors)
        if any(a.pk not in allowed for a in entry.attachments):
            errors.append(_("只能引用本单位及下级的佐证材料。"))
    if errors:
        raise ValidationError(errors)
    for item_pk, entry in entries.items():
        score = scores[item_pk]
        score.self_points = None if score.item.is_automatic else entry.points
        score.self_note = entry.note
        score.save(update_fields=["self_points", "self_note"])
        score.attachments.set(entry.attachments)
    AssessmentEvent.objects.create(assessment=assessment, action=Action.SELF_SAVED, by=by)
    return assessment


@transaction.atomic
def assessment_submit(*, assessment: Assessment, by) -> Assessment:
    """自评 → 待审核. Every judged item needs a self score (bonus and deduction items may stay
    empty: nothing claimed); ValidationError names the missing ones."""
    assessment = _locked(assessment)
    if assessment.status != AssessmentStatus.SELF:
        raise ValidationError(_("只有自评中的考核才能提交。"))
    missing = [
        s.item.name
        for s in _scores(assessment).values()
        if s.item.rule == Rule.JUDGED and s.self_points is None
    ]
    if missing:
        raise ValidationError(_("请先填写以下考核内容的自评分：%(items)s") % {"items": "、".join(missing)})
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.save(update_fields=["status", "updated_at"])
    AssessmentEvent.objects.create(assessment=assessment, action=Action.SUBMITTED, by=by)
    return assessment


# --- The upper federation's review -------------------------------------------------------------------


@dataclass
class ReviewEntry:
    """The reviewer's points (ignored for items scored from targets) and comment for one item."""

    points: Decimal | None = None
    comment: str = ""


@transaction.atomic
def review_save(*, assessment: Assessment, entries: dict[int, ReviewEntry], by) -> Assessment:
    """Store review points and comments while the assessment waits for review (待审核). Points
    outside [0, max] are refused (ValidationError), nothing saved."""
    assessment = _locked(assessment)
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise ValidationError(_("只有待审核的考核才能评分。"))
    scores = _scores(assessment)
    errors: list[str] = []
    for item_pk, entry in entries.items():
        if item_pk not in scores:
            errors.append(_("考核内容不存在。"))
        elif not scores[item_pk].item.is_automatic:
            _check_points(scores[item_pk].item, entry.points, errors)
    if errors:
        raise ValidationError(errors)
    for item_pk, entry in entries.items():
        score = scores[item_pk]
        if not score.item.is_automatic:
            score.review_points = entry.points
        score.review_comment = entry.comment
        score.save(update_fields=["review_points", "review_comment"])
    AssessmentEvent.objects.create(assessment=assessment, action=Action.REVIEW_SAVED, by=by)
    return assessment


@transaction.atomic
def assessment_return(*, assessment: Assessment, item_pks: list[int], note: str, by) -> Assessment:
    """退回补充材料: send a submitted assessment back to the child with the named items marked as
    needing more evidence (the marks clear when the child submits again and the reviewer scores)."""
    assessment = _locked(assessment)
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise ValidationError(_("只有待审核的考核才能退回。"))
    scores = _scores(assessment)
    chosen = [scores[pk] for pk in item_pks if pk in scores]
    if not chosen:
        raise ValidationError(_("请勾选需要补充材料的考核内容。"))
    assessment.scores.update(needs_evidence=False)
    assessment.scores.filter(pk__in=[s.pk for s in chosen]).update(needs_evidence=True)
    assessment.status = AssessmentStatus.SELF
    assessment.save(update_fields=["status", "updated_at"])
    for score in chosen:
        AssessmentEvent.objects.create(
            assessment=assessment, action=Action.RETURNED, item=score.item, by=by, note=note[:500]
        )
    return assessment


def lines(assessment: Assessment, *, self_side: bool = False) -> list[scoring.Line]:
    """The assessment's items as scoring lines: review points (or self points with ``self_side``)."""
    return [
        scoring.Line(s.item.rule, s.item.max_points, s.self_points if self_side else s.review_points)
        for s in assessment.scores.select_related("item")
    ]


def _store_total(assessment: Assessment) -> None:
    assessment.total = scoring.total(lines(assessment))
    assessment.grade = scoring.grade(assessment.total, assessment.scheme)


@transaction.atomic
def assessment_review_complete(*, assessment: Assessment, by, today: date | None = None) -> Assessment:
    """评分完成: items scored from targets take their points from the roll-up (scoring.target_figures),
    the total and grade are computed, and the objection window opens for the scheme's number of days
    (its last day is ``objection_until``). Every judged item needs review points (ValidationError)."""
    assessment = _locked(assessment)
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise ValidationError(_("只有待审核的考核才能完成评分。"))
    scores = _scores(assessment)
    missing = [s.item.name for s in scores.values() if s.item.rule == Rule.JUDGED and s.review_points is None]
    if missing:
        raise ValidationError(_("请先为以下考核内容评分：%(items)s") % {"items": "、".join(missing)})
    automatic = [s for s in scores.values() if s.item.is_automatic]
    if automatic:
        figures = scoring.target_figures(assessment.scheme).get(assessment.federation_id, {})
        for score in automatic:
            found = figures.get(score.item_id)
            score.review_points = scoring.points_from_completion(
                score.item.max_points, found.completion if found else None
            )
            score.save(update_fields=["review_points"])
    assessment.scores.update(needs_evidence=False)
    today = today or timezone.localdate()
    assessment.objection_until = today + timedelta(days=assessment.scheme.objection_days)
    assessment.status = AssessmentStatus.REVIEWED
    _store_total(assessment)
    assessment.save()
    AssessmentEvent.objects.create(assessment=assessment, action=Action.REVIEWED, by=by)
    return assessment


# --- Objections and the result -----------------------------------------------------------------------


def _window_open(assessment: Assessment, today: date) -> bool:
    return assessment.objection_until is not None and today <= assessment.objection_until


@transaction.atomic
def objection_raise(*, score: ItemScore, reason: str, by, today: date | None = None) -> ItemScore:
    """The child objects to one item's score, with a reason, while the window is open; one objection
    per item. The assessment waits (异议处理中) until every objection is answered."""
    assessment = _locked(score.assessment)
    today = today or timezone.localdate()
    if assessment.status not in (AssessmentStatus.REVIEWED, AssessmentStatus.OBJECTION):
        raise ValidationError(_("当前不能提出异议。"))
    if assessment.accepted_at is not None or not _window_open(assessment, today):
        raise ValidationError(_("异议期已过，不能再提出异议。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写异议理由。"))
    score = ItemScore.objects.select_for_update().get(pk=score.pk)
    if score.objection:
        raise ValidationError(_("该考核内容已经提出过异议。"))
    score.objection, score.objected_at = reason, timezone.now()
    score.save(update_fields=["objection", "objected_at"])
    assessment.status = AssessmentStatus.OBJECTION
    assessment.save(update_fields=["status", "updated_at"])
    AssessmentEvent.objects.create(
        assessment=assessment, action=Action.OBJECTED, item=score.item, by=by, note=reason[:500]
    )
    return score


@transaction.atomic
def objection_answer(*, score: ItemScore, answer: str, points: Decimal | None, by) -> ItemScore:
    """The reviewer answers an objection, keeping the score (``points`` None) or changing it within
    [0, max]; the total and grade follow. When no objection is left open the assessment is back in
    its window (or ready to finalize once the window has passed)."""
    assessment = _locked(score.assessment)
    score = ItemScore.objects.select_for_update().select_related("item").get(pk=score.pk)
    if not score.has_open_objection:
        raise ValidationError(_("该考核内容没有待答复的异议。"))
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError(_("请填写答复意见。"))
    if points is not None:
        errors: list[str] = []
        _check_points(score.item, points, errors)
        if errors:
            raise ValidationError(errors)
        score.review_points = points
    score.answer, score.answered_at = answer, timezone.now()
    score.save(update_fields=["review_points", "answer", "answered_at"])
    if not any(s.has_open_objection for s in assessment.scores.all()):
        assessment.status = AssessmentStatus.REVIEWED
    _store_total(assessment)
    assessment.save()
    note = (
        answer
        if points is None
        else _("改为 %(points)s 分：%(answer)s") % {"points": points, "answer": answer}
    )
    AssessmentEvent.objects.create(
        assessment=assessment, action=Action.ANSWERED, item=score.item, by=by, note=note[:500]
    )
    return score


@transaction.atomic
def assessment_accept(*, assessment: Assessment, by) -> Assessment:
    """The child declares it has no (further) objection (确认无异议): the window closes early."""
    assessment = _locked(assessment)
    if assessment.status != AssessmentStatus.REVIEWED or assessment.accepted_at is not None:
        raise ValidationError(_("当前不能确认。"))
    assessment.accepted_at = timezone.now()
    assessment.save(update_fields=["accepted_at", "updated_at"])
    AssessmentEvent.objects.create(assessment=assessment, action=Action.ACCEPTED, by=by)
    return assessment


def may_finalize_now(assessment: Assessment, today: date | None = None) -> bool:
    """Reviewed, no objection open, and the window over (or the child accepted the scores)."""
    today = today or timezone.localdate()
    return assessment.status == AssessmentStatus.REVIEWED and (
        assessment.accepted_at is not None or not _window_open(assessment, today)
    )


@transaction.atomic
def assessment_finalize(*, assessment: Assessment, by, today: date | None = None) -> Assessment:
    """确定结果: the scores, total and grade become final. Only after the objection window (or the
    child's 确认无异议) with every objection answered (ValidationError otherwise)."""
    assessment = _locked(assessment)
    if not may_finalize_now(assessment, today):
        if assessment.status == AssessmentStatus.OBJECTION:
            raise ValidationError(_("还有异议未答复，不能确定结果。"))
        if assessment.status == AssessmentStatus.REVIEWED:
            raise ValidationError(
                _("异议期至 %(date)s，期满后才能确定结果。")
                % {"date": f"{assessment.objection_until:%Y-%m-%d}"}
            )
        raise ValidationError(_("当前不能确定结果。"))
    _store_total(assessment)
    assessment.status = AssessmentStatus.FINAL
    assessment.save()
    AssessmentEvent.objects.create(assessment=assessment, action=Action.FINALIZED, by=by)
    return assessment
