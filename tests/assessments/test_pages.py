"""The assessment's pages, each for the allowed user, a read-only user, a sibling and an outsider,
read as the user reads them (page text), and the writes they make through the services."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import AssessmentStatus, ItemScore, Scheme, SchemeStatus


def text(response) -> str:
    return response.content.decode()


def self_post(world, **over):
    items = world["items"]
    judged, bonus, auto = items["妇女之家规范化建设"].pk, items["创新加分"].pk, items["妇女技能培训"].pk
    data = {
        f"i{judged}-points": "65",
        f"i{judged}-note": "妇女之家全部挂牌",
        f"i{judged}-attachments": [str(world["attachment"].pk)],
        f"i{bonus}-points": "3",
        f"i{bonus}-note": "",
        f"i{auto}-note": "培训45人",
        f"i{items['信息报送不及时'].pk}-note": "",
    }
    data.update(over)
    return data


def submitted(world, staff):
    furong = world["furong"]
    judged = world["items"]["妇女之家规范化建设"]
    services.self_assessment_save(
        assessment=furong,
        entries={judged.pk: services.SelfEntry(Decimal(65), "挂牌", [world["attachment"]])},
        by=staff["furong_staff"],
    )
    return services.assessment_submit(assessment=furong, by=staff["furong_staff"])


def reviewed(world, staff):
    furong = submitted(world, staff)
    services.review_save(
        assessment=furong,
        entries={world["items"]["妇女之家规范化建设"].pk: services.ReviewEntry(Decimal(60), "台账不全")},
        by=staff["changsha_leader"],
    )
    return services.assessment_review_complete(assessment=furong, by=staff["changsha_leader"])


# --- The self-assessment -----------------------------------------------------------------------------


def test_child_staff_fill_cite_and_submit(world, staff, login):
    client = login(staff["furong_staff"])
    url = reverse("assessments:self", kwargs={"pk": world["furong"].pk})
    page = client.get(url)
    assert page.status_code == 200
    assert "妇女之家规范化建设" in text(page) and "签到表.pdf" in text(page)
    assert "岳麓.pdf" not in text(page)  # a sibling's file is never offered
    response = client.post(url, {**self_post(world), "submit": "1"})
    assert response.status_code == 302
    furong = world["furong"]
    furong.refresh_from_db()
    assert furong.status == AssessmentStatus.SUBMITTED
    score = ItemScore.objects.get(assessment=furong, item=world["items"]["妇女之家规范化建设"])
    assert (score.self_points, list(score.attachments.all())) == (Decimal(65), [world["attachment"]])
    detail = client.get(furong.get_absolute_url(), follow=True)
    assert "自评已提交" in text(detail) and "签到表.pdf" in text(detail)


def test_points_over_the_maximum_are_refused_in_chinese(world, staff, login):
    client = login(staff["furong_staff"])
    url = reverse("assessments:self", kwargs={"pk": world["furong"].pk})
    judged = world["items"]["妇女之家规范化建设"].pk
    response = client.post(url, self_post(world, **{f"i{judged}-points": "75"}))
    assert response.status_code == 200
    assert "不能超过 70.0 分" in text(response)
    assert ItemScore.objects.get(assessment=world["furong"], item_id=judged).self_points is None


def test_a_sibling_file_id_is_refused(world, staff, login):
    client = login(staff["furong_staff"])
    judged = world["items"]["妇女之家规范化建设"].pk
    response = client.post(
        reverse("assessments:self", kwargs={"pk": world["furong"].pk}),
        self_post(world, **{f"i{judged}-attachments": [str(world["yuelu_attachment"].pk)]}),
    )
    assert response.status_code == 200
    assert not ItemScore.objects.get(assessment=world["furong"], item_id=judged).attachments.exists()


@pytest.mark.parametrize("persona", ["furong_leader", "changsha_leader", "yuelu_staff", "lixia_staff"])
def test_others_cannot_fill_the_self_assessment(world, staff, login, persona):
    client = login(staff[persona])
    url = reverse("assessments:self", kwargs={"pk": world["furong"].pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {**self_post(world), "submit": "1"}).status_code == 404
    world["furong"].refresh_from_db()
    assert world["furong"].status == AssessmentStatus.SELF


# --- The assessment page -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("furong_staff", 200),
        ("furong_leader", 200),
        ("changsha_leader", 200),
        ("changsha_staff", 200),
        ("hunan_leader", 200),
        ("yuelu_staff", 404),
        ("lixia_staff", 404),
    ],
)
def test_who_sees_an_assessment(world, staff, login, persona, status):
    response = login(staff[persona]).get(world["furong"].get_absolute_url())
    assert response.status_code == status
    if status == 200:
        assert "芙蓉区妇联" in text(response)


def test_scores_hidden_from_the_child_until_review_completes(world, staff, login):
    furong = submitted(world, staff)
    services.review_save(
        assessment=furong,
        entries={
            world["items"]["妇女之家规范化建设"].pk: services.ReviewEntry(Decimal(60), "台账不全的意见")
        },
        by=staff["changsha_leader"],
    )
    assert "台账不全的意见" not in text(login(staff["furong_staff"]).get(furong.get_absolute_url()))
    assert "台账不全的意见" in text(login(staff["changsha_leader"]).get(furong.get_absolute_url()))


# --- The review --------------------------------------------------------------------------------------


def test_reviewer_sees_figures_scores_and_completes(world, staff, login):
    furong = submitted(world, staff)
    client = login(staff["changsha_admin"])
    url = reverse("assessments:review", kwargs={"pk": furong.pk})
    page = client.get(url)
    assert page.status_code == 200
    assert "培训妇女人数 45/60人" in text(page) and "完成率 75.0%" in text(page)
    assert "签到表.pdf" in text(page)
    items = world["items"]
    data = {
        f"i{items['妇女之家规范化建设'].pk}-points": "60",
        f"i{items['妇女之家规范化建设'].pk}-comment": "台账不全",
        f"i{items['创新加分'].pk}-points": "2",
        f"i{items['信息报送不及时'].pk}-points": "1",
        "decision": "complete",
    }
    response = client.post(url, data, follow=True)
    assert "评分完成，异议期已开始" in text(response)
    furong.refresh_from_db()
    assert (furong.status, furong.total, furong.grade) == (AssessmentStatus.REVIEWED, Decimal("83.5"), "良好")
    assert "83.5" in text(response) and "良好" in text(response)


def test_reviewer_returns_one_item_for_evidence(world, staff, login):
    furong = submitted(world, staff)
    judged = world["items"]["妇女之家规范化建设"]
    client = login(staff["changsha_leader"])
    client.post(
        reverse("assessments:review", kwargs={"pk": furong.pk}),
        {f"i{judged.pk}-needs_evidence": "on", "decision": "return", "note": "请补充照片"},
    )
    furong.refresh_from_db()
    assert furong.status == AssessmentStatus.SELF
    page = login(staff["furong_staff"]).get(reverse("assessments:self", kwargs={"pk": furong.pk}))
    assert "上级退回：请补充材料" in text(page)


@pytest.mark.parametrize(
    "persona", ["changsha_staff", "furong_staff", "hunan_leader", "yuelu_staff", "lixia_staff"]
)
def test_only_the_assessing_leaders_and_admins_review(world, staff, login, persona):
    furong = submitted(world, staff)
    client = login(staff[persona])
    url = reverse("assessments:review", kwargs={"pk": furong.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {"decision": "complete"}).status_code == 404
    furong.refresh_from_db()
    assert furong.status == AssessmentStatus.SUBMITTED


# --- Objections, answers, the result -----------------------------------------------------------------


def test_objection_answer_and_finalize(world, staff, login):
    furong = reviewed(world, staff)
    score = ItemScore.objects.get(assessment=furong, item=world["items"]["妇女之家规范化建设"])
    child = login(staff["furong_staff"])
    child.post(reverse("assessments:objection", kwargs={"pk": score.pk}), {"reason": "台账已补齐"})
    furong.refresh_from_db()
    assert furong.status == AssessmentStatus.OBJECTION
    reviewer = login(staff["changsha_leader"])
    response = reviewer.post(
        reverse("assessments:answer", kwargs={"pk": score.pk}),
        {"answer": "经核实改为68分", "points": "68"},
        follow=True,
    )
    assert "已答复异议" in text(response) and "经核实改为68分" in text(response)
    # The window is still open: finalizing is refused with the date.
    response = reviewer.post(reverse("assessments:finalize", kwargs={"pk": furong.pk}), follow=True)
    assert "期满后才能确定结果" in text(response)
    furong.refresh_from_db()
    furong.objection_until = timezone.localdate() - timedelta(days=1)
    furong.save()
    reviewer.post(reverse("assessments:finalize", kwargs={"pk": furong.pk}))
    furong.refresh_from_db()
    assert (furong.status, furong.total) == (AssessmentStatus.FINAL, Decimal("90.5"))
    page = login(staff["furong_staff"]).get(furong.get_absolute_url())
    assert "已确定" in text(page) and "90.5" in text(page) and "优秀" in text(page)


@pytest.mark.parametrize("persona", ["furong_leader", "changsha_leader", "yuelu_staff", "lixia_staff"])
def test_only_the_child_staff_object(world, staff, login, persona):
    furong = reviewed(world, staff)
    score = ItemScore.objects.get(assessment=furong, item=world["items"]["妇女之家规范化建设"])
    response = login(staff[persona]).post(
        reverse("assessments:objection", kwargs={"pk": score.pk}), {"reason": "x"}
    )
    assert response.status_code == 404
    score.refresh_from_db()
    assert score.objection == ""


@pytest.mark.parametrize("persona", ["furong_staff", "changsha_staff", "yuelu_staff", "lixia_staff"])
def test_only_reviewers_answer_and_finalize(world, staff, login, persona):
    furong = reviewed(world, staff)
    score = ItemScore.objects.get(assessment=furong, item=world["items"]["妇女之家规范化建设"])
    services.objection_raise(score=score, reason="不同意", by=staff["furong_staff"])
    client = login(staff[persona])
    assert (
        client.post(reverse("assessments:answer", kwargs={"pk": score.pk}), {"answer": "x"}).status_code
        == 404
    )
    assert client.post(reverse("assessments:finalize", kwargs={"pk": furong.pk})).status_code == 404
    score.refresh_from_db()
    assert score.answer == ""


def test_child_accepts_and_the_reviewer_finalizes_at_once(world, staff, login):
    furong = reviewed(world, staff)
    login(staff["furong_staff"]).post(reverse("assessments:accept", kwargs={"pk": furong.pk}))
    login(staff["changsha_leader"]).post(reverse("assessments:finalize", kwargs={"pk": furong.pk}))
    furong.refresh_from_db()
    assert furong.is_final


# --- Results and ranking -----------------------------------------------------------------------------


def test_ranking_is_for_the_assessing_leaders_only(world, staff, login):
    reviewed(world, staff)
    url = reverse("assessments:results", kwargs={"pk": world["scheme"].pk})
    page = login(staff["changsha_leader"]).get(url)
    assert page.status_code == 200
    rows = [" ".join(row.split()) for row in text(page).split("<tr")[2:]]
    assert (
        "<td>1</td><td><a" in rows[0].replace("> <", "><") and "芙蓉区妇联" in rows[0] and "82.5" in rows[0]
    )
    assert "岳麓区妇联" in rows[1] and "待审核" not in rows[1] and "自评中" in rows[1]
    for persona in [
        "changsha_admin",
        "changsha_staff",
        "hunan_leader",
        "furong_staff",
        "yuelu_staff",
        "lixia_staff",
    ]:
        assert login(staff[persona]).get(url).status_code == 404, persona
    detail = login(staff["changsha_leader"]).get(world["scheme"].get_absolute_url())
    assert "查看考核结果与排名" in text(detail)
    assert "查看考核结果与排名" not in text(
        login(staff["changsha_admin"]).get(world["scheme"].get_absolute_url())
    )


# --- The scheme editor -------------------------------------------------------------------------------


def editor_post(rows, **settings):
    data = {
        "s-name": "芙蓉区妇联2013年度考核细则",
        "s-excellent_from": "90",
        "s-good_from": "80",
        "s-pass_from": "60",
        "s-objection_days": "5",
        "items-TOTAL_FORMS": str(len(rows)),
        "items-INITIAL_FORMS": "0",
    }
    data.update(settings)
    for number, (area, name, points, rule) in enumerate(rows):
        data.update(
            {
                f"items-{number}-area": area,
                f"items-{number}-name": name,
                f"items-{number}-max_points": points,
                f"items-{number}-rule": rule,
            }
        )
    return data


def test_leader_builds_and_publishes_a_scheme(tree, staff, login):
    client = login(staff["furong_leader"])
    client.post(reverse("assessments:scheme-create", kwargs={"code": "430102"}), {"name": "芙蓉区考核"})
    scheme = Scheme.objects.get(federation=tree["furong"])
    response = client.post(
        scheme.get_absolute_url(),
        editor_post(
            [
                ("组织建设", "妇女之家", "60", "judged"),
                ("组织建设", "台账", "40", "judged"),
                ("加分", "创新", "5", "bonus"),
            ]
        ),
        follow=True,
    )
    assert "考核细则已保存" in text(response)
    assert [(i.area.name, i.name) for i in scheme.items()] == [
        ("组织建设", "妇女之家"),
        ("组织建设", "台账"),
        ("加分", "创新"),
    ]
    client.post(reverse("assessments:scheme-publish", kwargs={"pk": scheme.pk}))
    scheme.refresh_from_db()
    assert scheme.status == SchemeStatus.PUBLISHED
    assert [a.federation.code for a in scheme.assessments.all()] == ["430102001"]


def test_bad_bands_are_refused_and_nothing_saved(tree, staff, login):
    client = login(staff["furong_leader"])
    scheme = services.scheme_create(federation=tree["furong"], year=2013, name="芙蓉区考核", by=None)
    response = client.post(
        scheme.get_absolute_url(),
        editor_post([("组织建设", "妇女之家", "60", "judged")], **{"s-good_from": "95"}),
    )
    assert response.status_code == 200 and "优秀 &gt; 良好" in text(response)
    assert not scheme.items().exists()


@pytest.mark.parametrize("persona", ["furong_staff", "changsha_leader", "yuelu_staff", "lixia_staff"])
def test_only_the_federations_leaders_and_admins_define_its_scheme(tree, staff, login, persona):
    scheme = services.scheme_create(federation=tree["furong"], year=2013, name="芙蓉区考核", by=None)
    client = login(staff[persona])
    response = client.post(scheme.get_absolute_url(), editor_post([("组织建设", "妇女之家", "60", "judged")]))
    assert response.status_code == 404
    assert client.post(reverse("assessments:scheme-publish", kwargs={"pk": scheme.pk})).status_code == 404
    assert (
        client.post(
            reverse("assessments:scheme-create", kwargs={"code": "430102"}), {"name": "x"}
        ).status_code
        == 404
    )
    assert not scheme.items().exists()
    assert Scheme.objects.filter(federation=tree["furong"]).count() == 1


def test_completing_with_a_judged_item_unscored_saves_nothing_and_keeps_the_typing(world, staff, login):
    furong = submitted(world, staff)
    bonus = world["items"]["创新加分"].pk
    response = login(staff["changsha_leader"]).post(
        reverse("assessments:review", kwargs={"pk": furong.pk}),
        {f"i{bonus}-points": "2", f"i{bonus}-comment": "有创新做法", "decision": "complete"},
    )
    assert response.status_code == 200
    assert "请先为以下考核内容评分：妇女之家规范化建设" in text(response)
    assert "有创新做法" in text(response)  # still on the page
    assert ItemScore.objects.get(assessment=furong, item_id=bonus).review_points is None
    furong.refresh_from_db()
    assert furong.status == AssessmentStatus.SUBMITTED


def test_returning_without_a_ticked_item_saves_nothing(world, staff, login):
    furong = submitted(world, staff)
    bonus = world["items"]["创新加分"].pk
    response = login(staff["changsha_leader"]).post(
        reverse("assessments:review", kwargs={"pk": furong.pk}),
        {f"i{bonus}-points": "2", "decision": "return"},
    )
    assert "请勾选需要补充材料的考核内容" in text(response)
    assert ItemScore.objects.get(assessment=furong, item_id=bonus).review_points is None


def test_an_item_follows_a_work_point_chosen_in_the_editor(world, tree, staff, login):
    scheme = services.scheme_create(federation=tree["changsha"], year=2014, name="长沙市2014", by=None)
    point = world["point"]
    point.plan.year = 2014
    point.plan.save(update_fields=["year"])
    data = editor_post([("目标", "技能培训", "30", "targets"), ("评审", "台账", "70", "judged")])
    data["items-0-work_point"] = str(point.pk)
    data["items-1-work_point"] = str(point.pk)  # not scored from targets: refused
    client = login(staff["changsha_leader"])
    response = client.post(scheme.get_absolute_url(), data)
    assert "只有“按目标完成”的考核内容才能关联指标或工作要点" in text(response)
    assert not scheme.items().exists()
    data["items-1-work_point"] = ""
    client.post(scheme.get_absolute_url(), data)
    assert [(i.name, i.work_point) for i in scheme.items()] == [("技能培训", point), ("台账", None)]


def test_a_cited_file_deleted_later_shows_as_deleted_without_a_link(world, staff, login):
    from evidence import services as evidence_services

    furong = submitted(world, staff)
    evidence_services.attachment_delete(attachment=world["attachment"], by=staff["furong_staff"])
    page = text(login(staff["changsha_leader"]).get(reverse("assessments:review", kwargs={"pk": furong.pk})))
    assert "签到表.pdf（已删除）" in page
    assert reverse("evidence:file", kwargs={"pk": world["attachment"].pk}) not in page
