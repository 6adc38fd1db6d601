"""The assessment's state machine and its data checks: 自评 → 审核 → 异议 → 确定, with returns for
evidence, caps on points, cited files limited to the child's own subtree, and the audit trail."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assessments import services
from assessments.models import AssessmentEvent, AssessmentStatus, ItemScore

SelfEntry, ReviewEntry = services.SelfEntry, services.ReviewEntry
TODAY = date(2014, 1, 10)


def self_assess(world, staff, assessment, attachments=()):
    items = world["items"]
    services.self_assessment_save(
        assessment=assessment,
        entries={
            items["妇女技能培训"].pk: SelfEntry(note="全年培训45人"),
            items["妇女之家规范化建设"].pk: SelfEntry(Decimal(65), "妇女之家全部挂牌", list(attachments)),
            items["创新加分"].pk: SelfEntry(Decimal(3), "巾帼创业项目"),
        },
        by=staff["furong_staff"],
    )
    return services.assessment_submit(assessment=assessment, by=staff["furong_staff"])


def review(world, staff, assessment, judged=Decimal(60)):
    items = world["items"]
    services.review_save(
        assessment=assessment,
        entries={
            items["妇女之家规范化建设"].pk: ReviewEntry(judged, "台账不全"),
            items["创新加分"].pk: ReviewEntry(Decimal(2), "有创新"),
            items["信息报送不及时"].pk: ReviewEntry(Decimal(1), "迟报一次"),
        },
        by=staff["changsha_leader"],
    )
    return services.assessment_review_complete(
        assessment=assessment, by=staff["changsha_leader"], today=TODAY
    )


def score_of(assessment, item):
    return ItemScore.objects.get(assessment=assessment, item=item)


def test_publish_gives_every_direct_child_an_assessment_with_every_item(world, tree):
    scheme = world["scheme"]
    assert sorted(a.federation.code for a in scheme.assessments.all()) == ["430102", "430104"]
    assert world["furong"].scores.count() == 4
    assert world["furong"].status == AssessmentStatus.SELF
    with pytest.raises(ValidationError):
        services.scheme_publish(scheme=scheme, by=None)


def test_published_scheme_cannot_be_edited(world, staff):
    with pytest.raises(ValidationError, match="已发布"):
        services.scheme_save(
            scheme=world["scheme"],
            name="x",
            excellent_from=Decimal(90),
            good_from=Decimal(80),
            pass_from=Decimal(60),
            objection_days=5,
            areas=[],
            by=staff["changsha_leader"],
        )


def test_bands_must_descend(tree, staff):
    scheme = services.scheme_create(federation=tree["hunan"], year=2013, name="湖南", by=None)
    with pytest.raises(ValidationError, match="优秀 > 良好"):
        services.scheme_save(
            scheme=scheme,
            name="湖南",
            excellent_from=Decimal(80),
            good_from=Decimal(80),
            pass_from=Decimal(60),
            objection_days=5,
            areas=[],
            by=None,
        )


def test_full_journey_to_a_final_grade(world, staff):
    furong = world["furong"]
    self_assess(world, staff, furong, [world["attachment"]])
    furong.refresh_from_db()
    assert furong.status == AssessmentStatus.SUBMITTED
    assert list(score_of(furong, world["items"]["妇女之家规范化建设"]).attachments.all()) == [
        world["attachment"]
    ]

    furong = review(world, staff, furong)
    assert furong.status == AssessmentStatus.REVIEWED
    assert furong.objection_until == TODAY + timedelta(days=5)
    # 30 × 75 % = 22.5 from the target, 60 judged, +2 bonus, −1 deduction.
    assert score_of(furong, world["items"]["妇女技能培训"]).review_points == Decimal("22.5")
    assert furong.total == Decimal("83.5")
    assert furong.grade == "良好"

    judged = score_of(furong, world["items"]["妇女之家规范化建设"])
    services.objection_raise(score=judged, reason="台账已补齐，见附件", by=staff["furong_staff"], today=TODAY)
    furong.refresh_from_db()
    assert furong.status == AssessmentStatus.OBJECTION
    with pytest.raises(ValidationError, match="异议未答复"):
        services.assessment_finalize(
            assessment=furong, by=staff["changsha_leader"], today=TODAY + timedelta(10)
        )

    services.objection_answer(
        score=judged, answer="经核实，改为68分", points=Decimal(68), by=staff["changsha_leader"]
    )
    furong.refresh_from_db()
    assert furong.status == AssessmentStatus.REVIEWED
    assert furong.total == Decimal("91.5")
    with pytest.raises(ValidationError, match="期满后"):
        services.assessment_finalize(assessment=furong, by=staff["changsha_leader"], today=TODAY)

    furong = services.assessment_finalize(
        assessment=furong, by=staff["changsha_leader"], today=TODAY + timedelta(6)
    )
    assert (furong.status, furong.total, furong.grade) == (AssessmentStatus.FINAL, Decimal("91.5"), "优秀")
    actions = list(furong.events.order_by("at", "pk").values_list("action", flat=True))
    assert actions == [
        "self_saved",
        "submitted",
        "review_saved",
        "reviewed",
        "objected",
        "answered",
        "finalized",
    ]
    answered = furong.events.get(action=AssessmentEvent.Action.ANSWERED)
    assert (answered.by, answered.item) == (staff["changsha_leader"], world["items"]["妇女之家规范化建设"])


def test_accepting_closes_the_window_early(world, staff):
    furong = world["furong"]
    self_assess(world, staff, furong)
    review(world, staff, furong)
    services.assessment_accept(assessment=furong, by=staff["furong_staff"])
    with pytest.raises(ValidationError, match="异议期已过"):
        services.objection_raise(
            score=score_of(furong, world["items"]["创新加分"]),
            reason="x",
            by=staff["furong_staff"],
            today=TODAY,
        )
    furong = services.assessment_finalize(assessment=furong, by=staff["changsha_leader"], today=TODAY)
    assert furong.is_final


def test_objection_after_the_window_is_refused(world, staff):
    furong = world["furong"]
    self_assess(world, staff, furong)
    review(world, staff, furong)
    score = score_of(furong, world["items"]["妇女之家规范化建设"])
    with pytest.raises(ValidationError, match="异议期已过"):
        services.objection_raise(
            score=score, reason="不同意", by=staff["furong_staff"], today=TODAY + timedelta(6)
        )
    with pytest.raises(ValidationError, match="理由"):
        services.objection_raise(score=score, reason="  ", by=staff["furong_staff"], today=TODAY)
    score.refresh_from_db()
    assert score.objection == ""


def test_return_for_evidence_marks_items_and_reopens_the_self_assessment(world, staff):
    furong = world["furong"]
    self_assess(world, staff, furong)
    item = world["items"]["妇女之家规范化建设"]
    services.assessment_return(
        assessment=furong, item_pks=[item.pk], note="请补充照片", by=staff["changsha_leader"]
    )
    furong.refresh_from_db()
    assert furong.status == AssessmentStatus.SELF
    assert [s.item for s in furong.scores.filter(needs_evidence=True)] == [item]
    # The child adds its evidence and submits again; the review clears the marks.
    self_assess(world, staff, furong, [world["attachment"]])
    review(world, staff, furong)
    assert not furong.scores.filter(needs_evidence=True).exists()


def test_points_outside_the_maximum_save_nothing(world, staff):
    furong = world["furong"]
    items = world["items"]
    with pytest.raises(ValidationError, match="0 到 70"):
        services.self_assessment_save(
            assessment=furong,
            entries={
                items["创新加分"].pk: SelfEntry(Decimal(4), "ok"),
                items["妇女之家规范化建设"].pk: SelfEntry(Decimal(71)),
            },
            by=staff["furong_staff"],
        )
    assert score_of(furong, items["创新加分"]).self_points is None


def test_a_sibling_file_cannot_be_cited(world, staff):
    furong = world["furong"]
    item = world["items"]["妇女之家规范化建设"]
    with pytest.raises(ValidationError, match="本单位及下级"):
        services.self_assessment_save(
            assessment=furong,
            entries={item.pk: SelfEntry(Decimal(60), "", [world["yuelu_attachment"]])},
            by=staff["furong_staff"],
        )
    assert not score_of(furong, item).attachments.exists()


def test_submit_needs_every_judged_item_and_review_complete_too(world, staff):
    furong = world["furong"]
    with pytest.raises(ValidationError, match="妇女之家规范化建设"):
        services.assessment_submit(assessment=furong, by=staff["furong_staff"])
    self_assess(world, staff, furong)
    with pytest.raises(ValidationError, match="请先为"):
        services.assessment_review_complete(assessment=furong, by=staff["changsha_leader"], today=TODAY)
    with pytest.raises(ValidationError, match="已提交"):
        services.self_assessment_save(assessment=furong, entries={}, by=staff["furong_staff"])


def test_the_total_never_goes_below_zero(world, staff):
    yuelu = world["yuelu"]
    items = world["items"]
    services.self_assessment_save(
        assessment=yuelu,
        entries={items["妇女之家规范化建设"].pk: SelfEntry(Decimal(0))},
        by=staff["yuelu_staff"],
    )
    services.assessment_submit(assessment=yuelu, by=staff["yuelu_staff"])
    yuelu = review(world, staff, yuelu, judged=Decimal(0))
    # 30 (岳麓区 met its target) + 0 + 2 − 1
    assert yuelu.total == Decimal(31)
    assert yuelu.grade == "不合格"
