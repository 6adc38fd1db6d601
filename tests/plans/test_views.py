"""The plan pages as staff, leaders and outsiders use them."""

from decimal import Decimal

import pytest
from django.urls import reverse

from plans.models import Plan, PlanStatus, Target, WorkPoint
from tests import factories


@pytest.fixture
def furong_plan(tree, indicators):
    plan = factories.plan(tree["furong"])
    point = factories.point(plan, "加强就业技能培训", label="一")
    factories.target(point, indicators["trained"], 300, source_text="培训妇女300人以上")
    return plan


def errors(response, field):
    return " ".join(response.context["form"].errors.get(field, []))


def test_staff_builds_a_plan_in_the_browser(people, tree, indicators, login):
    client = login(people["furong_staff"])
    client.post(reverse("set-year"), {"year": "2013"})
    response = client.post(
        reverse("plans:create"),
        {"title": "芙蓉区妇联2013年工作要点", "doc_number": "芙妇字〔2013〕1号", "general_idea": "服务大局"},
    )
    plan = Plan.objects.get(federation=tree["furong"], year=2013)
    assert response.url == plan.get_absolute_url()
    client.post(reverse("plans:point-create", args=[plan.pk]), {"label": "一", "title": "服务经济发展"})
    top = WorkPoint.objects.get(plan=plan)
    client.post(
        reverse("plans:point-create", args=[plan.pk]) + f"?parent={top.pk}",
        {"label": "（一）", "title": "加强就业技能培训", "parent": top.pk},
    )
    child = WorkPoint.objects.get(plan=plan, parent=top)
    response = client.post(
        reverse("plans:target-create", args=[child.pk]),
        {
            "indicator": indicators["trained"].pk,
            "comparator": ">=",
            "value": "300",
            "cadence": "year",
            "weight": "1",
            "source_text": "培训妇女300人以上",
        },
    )
    assert response.status_code == 302
    target = Target.objects.get(plan=plan)
    assert (target.value, target.work_point) == (Decimal(300), child)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "加强就业技能培训" in page and "不少于300人" in page and "培训妇女人数" in page
    response = client.post(reverse("plans:publish", args=[plan.pk]), follow=True)
    assert "已发布" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"value": "-5"}, "value", "不能小于0"),
        ({"value": "很多"}, "value", "请输入数字"),
        ({"value": "12.5"}, "value", "应为整数"),
        ({"comparator": "range", "value": "5", "max_value": "2"}, "max_value", "上限值不能小于目标值"),
        ({"comparator": "range", "value": "5"}, "max_value", "需要填写上限值"),
        ({"weight": "0"}, "weight", "不能小于0.01"),
    ],
)
def test_bad_target_input_re_renders_with_chinese_errors(
    people, furong_plan, indicators, login, data, field, message
):
    point = furong_plan.points.get()
    payload = {
        "indicator": indicators["trained"].pk,
        "comparator": ">=",
        "value": "1",
        "cadence": "year",
        "weight": "1",
        **data,
    }
    response = login(people["furong_staff"]).post(reverse("plans:target-create", args=[point.pk]), payload)
    assert response.status_code == 200
    assert message in errors(response, field)
    assert Target.objects.filter(plan=furong_plan).count() == 1  # nothing saved


def test_indicator_out_of_reach_is_refused(people, furong_plan, indicators, login):
    point = furong_plan.points.get()
    response = login(people["furong_staff"]).post(
        reverse("plans:target-create", args=[point.pk]),
        {
            "indicator": indicators["shandong_only"].pk,
            "comparator": ">=",
            "value": "1",
            "cadence": "year",
            "weight": "1",
        },
    )
    assert "请选择本级可用的指标" in errors(response, "indicator")


def test_milestone_needs_a_due_date(people, furong_plan, indicators, login):
    point = furong_plan.points.get()
    response = login(people["furong_staff"]).post(
        reverse("plans:target-create", args=[point.pk]),
        {
            "indicator": indicators["meeting"].pk,
            "comparator": "=",
            "value": "1",
            "cadence": "year",
            "weight": "1",
        },
    )
    assert "完成期限" in errors(response, "due_date")


def test_leader_reads_but_cannot_edit(people, furong_plan, login):
    client = login(people["changsha_leader"])
    page = client.get(furong_plan.get_absolute_url()).content.decode()
    assert "加强就业技能培训" in page
    assert "添加工作要点" not in page and "确认并发布" not in page
    point = furong_plan.points.get()
    assert (
        client.post(reverse("plans:point-create", args=[furong_plan.pk]), {"title": "x"}).status_code == 404
    )
    assert client.post(reverse("plans:point-edit", args=[point.pk]), {"title": "x"}).status_code == 404
    assert client.post(reverse("plans:publish", args=[furong_plan.pk])).status_code == 404
    assert WorkPoint.objects.filter(plan=furong_plan).count() == 1


@pytest.mark.parametrize("persona", ["yuelu_staff", "lixia_staff", "hunan_staff"])
def test_others_cannot_reach_or_change_a_county_plan(people, furong_plan, login, persona):
    client = login(people[persona])
    target = furong_plan.targets.get()
    point = furong_plan.points.get()
    expected_view = 200 if persona == "hunan_staff" else 404  # the province sees below, edits nothing there
    assert client.get(furong_plan.get_absolute_url()).status_code == expected_view
    for url in [
        reverse("plans:target-edit", args=[target.pk]),
        reverse("plans:point-delete", args=[point.pk]),
        reverse("plans:target-delete", args=[target.pk]),
        reverse("plans:edit", args=[furong_plan.pk]),
    ]:
        assert client.post(url, {"value": "1", "title": "改"}).status_code == 404
    target.refresh_from_db()
    assert target.value == 300


def test_published_plan_is_locked_for_staff(people, furong_plan, indicators, login):
    furong_plan.status = PlanStatus.PUBLISHED
    furong_plan.save()
    target = furong_plan.targets.get()
    response = login(people["furong_staff"]).post(
        reverse("plans:target-edit", args=[target.pk]),
        {
            "indicator": indicators["trained"].pk,
            "comparator": ">=",
            "value": "1",
            "cadence": "year",
            "weight": "1",
        },
        follow=True,
    )
    assert "已发布" in response.content.decode()
    target.refresh_from_db()
    assert target.value == 300


def test_leader_reopens_a_published_plan(people, hunan_plan, login):
    response = login(people["hunan_leader"]).post(
        reverse("plans:reopen", args=[hunan_plan.pk]), {"reason": "调整目标"}, follow=True
    )
    assert "重新打开" in response.content.decode()
    hunan_plan.refresh_from_db()
    assert hunan_plan.status == PlanStatus.DRAFT
    assert "调整目标" in response.content.decode()  # the record shows on the page


def test_reopen_refused_to_staff_and_outsiders(people, hunan_plan, login):
    for persona in ["hunan_staff", "changsha_leader"]:
        assert login(people[persona]).post(reverse("plans:reopen", args=[hunan_plan.pk])).status_code == 404
    hunan_plan.refresh_from_db()
    assert hunan_plan.status == PlanStatus.PUBLISHED


def test_split_table_shows_children_and_saves(people, tree, hunan_plan, login):
    target = hunan_plan.targets.get()
    client = login(people["hunan_staff"])
    page = client.get(reverse("plans:target-split", args=[target.pk])).content.decode()
    assert "长沙市妇联" in page and "data-split-total" in page
    field = f"fed_{tree['changsha'].pk}"
    response = client.post(reverse("plans:target-split", args=[target.pk]), {field: "6000"}, follow=True)
    html = response.content.decode()
    assert "分解合计比目标少 4000人" in html
    child = Target.objects.get(parent_target=target)
    assert child.plan.federation == tree["changsha"] and child.value == 6000


def test_split_rejects_bad_values_and_saves_nothing(people, tree, hunan_plan, login):
    target = hunan_plan.targets.get()
    field = f"fed_{tree['changsha'].pk}"
    client = login(people["hunan_staff"])
    for bad, message in [("-1", "不能小于0"), ("abc", "请输入数字"), ("1.5", "最多保留0位小数")]:
        response = client.post(reverse("plans:target-split", args=[target.pk]), {field: bad})
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not Target.objects.filter(parent_target=target).exists()


def test_split_is_for_the_owning_staff_only(people, hunan_plan, login):
    target = hunan_plan.targets.get()
    for persona in ["hunan_leader", "changsha_leader", "lixia_staff"]:
        assert login(people[persona]).get(reverse("plans:target-split", args=[target.pk])).status_code == 404


def test_upper_plan_shows_which_lower_federations_took_a_point_up(people, tree, hunan_plan, login):
    target = hunan_plan.targets.get()
    from plans import services

    services.target_split(target=target, values={tree["changsha"].pk: Decimal(6000)}, by=None)
    page = login(people["hunan_leader"]).get(hunan_plan.get_absolute_url()).content.decode()
    assert "下级贯彻落实" in page and "长沙市妇联" in page


def test_plan_list_shows_own_upper_and_children(people, tree, hunan_plan, furong_plan, login):
    client = login(people["changsha_leader"])
    client.post(reverse("set-year"), {"year": "2013"})
    response = client.get(reverse("plans:index"))
    assert list(response.context["upper"]) == [hunan_plan]
    assert dict((c.code, p) for c, p in response.context["child_rows"]) == {
        "430102": furong_plan,
        "430104": None,
    }
    assert "尚未制定" in response.content.decode()


def test_split_table_shows_assigned_values_as_written(people, tree, hunan_plan, login):
    from plans import services

    target = hunan_plan.targets.get()
    services.target_split(target=target, values={tree["changsha"].pk: Decimal(60)}, by=None)
    page = login(people["hunan_staff"]).get(reverse("plans:target-split", args=[target.pk])).content.decode()
    assert 'value="60"' in page and "E+" not in page
