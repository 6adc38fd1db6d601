"""Demo assessment: 长沙市 assesses its counties for 2013 with a scheme built from the areas of the
Lixia standards (seeds/lixia-2013-grassroots-standards.txt: 组织建设, 宣传教育, 妇女发展, 妇女维权,
儿童工作, 两规实施), plus bonus and deduction items. 芙蓉区's result is final (after an objection that
changed a score), 岳麓区 has an objection waiting for its answer, 天心区 waits for review, the other
counties are still assessing themselves."""

from decimal import Decimal

from evidence.models import Attachment
from fedwork.models import Federation, User
from plans.demo import DEMO_YEAR

from . import services
from .models import Rule, Scheme

AREAS = [
    (
        "组织建设",
        [
            ("基层妇联组织和妇女之家规范化建设", 15, Rule.JUDGED),
            ("专项经费单独建帐、专款专用", 5, Rule.JUDGED),
        ],
    ),
    (
        "宣传教育",
        [("选树宣传先进典型，新闻报道达标", 10, Rule.JUDGED), ("每月上报信息不少于2条", 5, Rule.JUDGED)],
    ),
    ("妇女发展", [("分解目标任务完成情况", 30, Rule.FROM_TARGETS)]),
    ("妇女维权", [("妇女信访案件及时受理、办结", 10, Rule.JUDGED)]),
    ("儿童工作", [("儿童之家建设和家庭教育", 10, Rule.JUDGED)]),
    ("两规实施", [("妇女儿童发展规划监测评估", 15, Rule.JUDGED)]),
    ("加分与扣分", [("工作创新（创新加分）", 5, Rule.BONUS), ("信息报送不及时", 5, Rule.DEDUCTION)]),
]

# (self points, review points) of the judged items, in the scheme's order; bonus and deduction last.
FURONG = [(14, 13), (5, 5), (9, 8), (5, 4), (9, 9), (8, 7), (13, 12)]
YUELU = [(13, 12), (4, 4), (8, 7), (5, 5), (9, 8), (9, 8), (12, 11)]


def _self_entries(items, points, attachments):
    judged = [item for item in items if item.rule == Rule.JUDGED]
    entries = {
        item.pk: services.SelfEntry(
            Decimal(own), "对照细则逐项自查，台账齐全。", attachments if n == 0 else []
        )
        for n, (item, (own, _review)) in enumerate(zip(judged, points, strict=False))
    }
    bonus = next(item for item in items if item.rule == Rule.BONUS)
    entries[bonus.pk] = services.SelfEntry(Decimal(3), "开展“巾帼家美”积分超市试点。")
    return entries


def _review_entries(items, points):
    judged = [item for item in items if item.rule == Rule.JUDGED]
    entries = {
        item.pk: services.ReviewEntry(Decimal(review), "" if review == own else "台账有缺项，酌情扣分。")
        for item, (own, review) in zip(judged, points, strict=False)
    }
    bonus = next(item for item in items if item.rule == Rule.BONUS)
    deduction = next(item for item in items if item.rule == Rule.DEDUCTION)
    entries[bonus.pk] = services.ReviewEntry(Decimal(2), "创新做法可在全市推广。")
    entries[deduction.pk] = services.ReviewEntry(Decimal(1), "二季度信息迟报一次。")
    return entries


def seed() -> None:
    changsha = Federation.objects.filter(code="4301").first()
    leader = User.objects.filter(username="changsha-leader").first()
    if (
        changsha is None
        or leader is None
        or Scheme.objects.filter(federation=changsha, year=DEMO_YEAR).exists()
    ):
        return
    scheme = services.scheme_create(
        federation=changsha,
        year=DEMO_YEAR,
        name=f"长沙市妇联{DEMO_YEAR}年度县（市、区）妇联工作考核细则",
        by=leader,
    )
    services.scheme_save(
        scheme=scheme,
        areas=[
            services.AreaDraft(
                area, [services.ItemDraft(name, Decimal(points), rule) for name, points, rule in items]
            )
            for area, items in AREAS
        ],
        by=leader,
    )
    assessments = {a.federation.code: a for a in services.scheme_publish(scheme=scheme, by=leader)}
    items = list(scheme.items())
    judged = [item for item in items if item.rule == Rule.JUDGED]

    furong_staff = User.objects.filter(username="furong-staff").first()
    if furong_staff and "430102" in assessments:
        furong = assessments["430102"]
        photos = list(Attachment.objects.in_subtree(furong.federation).shown().filter(year=DEMO_YEAR)[:2])
        services.self_assessment_save(
            assessment=furong, entries=_self_entries(items, FURONG, photos), by=furong_staff
        )
        services.assessment_submit(assessment=furong, by=furong_staff)
        services.review_save(assessment=furong, entries=_review_entries(items, FURONG), by=leader)
        services.assessment_review_complete(assessment=furong, by=leader)
        score = furong.scores.get(item=judged[0])
        services.objection_raise(
            score=score, reason="妇女之家挂牌和活动台账已补充上传，请复核。", by=furong_staff
        )
        services.objection_answer(
            score=score, answer="经复核，台账齐全，改为14分。", points=Decimal(14), by=leader
        )
        services.assessment_accept(assessment=furong, by=furong_staff)
        services.assessment_finalize(assessment=furong, by=leader)

    yuelu_staff = User.objects.filter(username="yuelu-staff").first()
    if yuelu_staff and "430104" in assessments:
        yuelu = assessments["430104"]
        services.self_assessment_save(
            assessment=yuelu, entries=_self_entries(items, YUELU, []), by=yuelu_staff
        )
        services.assessment_submit(assessment=yuelu, by=yuelu_staff)
        services.review_save(assessment=yuelu, entries=_review_entries(items, YUELU), by=leader)
        services.assessment_review_complete(assessment=yuelu, by=leader)
        services.objection_raise(
            score=yuelu.scores.get(item=judged[2]),
            reason="全年在省级媒体报道2篇，附件已上传，扣分依据不足。",
            by=yuelu_staff,
        )

    # 天心区 has no demo account: the demo's superuser filled in its self-assessment for it.
    admin = User.objects.filter(username="admin", is_superuser=True).first()
    if admin and "430103" in assessments:
        tianxin = assessments["430103"]
        services.self_assessment_save(assessment=tianxin, entries=_self_entries(items, YUELU, []), by=admin)
        services.assessment_submit(assessment=tianxin, by=admin)
