"""Finding 4 of issue #13: deleting a work point or target never reaches past its plan silently."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from activities import services as activity_services
from activities.models import Activity, ActivityStatus, ActivityType
from plans import services
from plans.models import PlanStatus, Target, WorkPoint
from tests import factories


@pytest.fixture
def split_down(tree, people):
    """湖南省's plan, reopened as a draft, whose training target was split to 长沙市 (published) and on
    to 芙蓉区; a 芙蓉区 activity meets nothing but serves 长沙市's point."""
    trained = factories.indicator("PX02", "培训妇女人数", "人", tree["nation"])
    hunan_plan = factories.plan(tree["hunan"], status=PlanStatus.PUBLISHED)
    point = factories.point(hunan_plan, "组织妇女在新农村建设中竞展风采", label="二")
    sub = factories.point(hunan_plan, "开展技能培训", label="（一）", parent=point)
    target = factories.target(sub, trained, 10000)
    services.target_split(
        target=target, values={tree["changsha"].pk: Decimal(3000)}, by=people["hunan_staff"]
    )
    city_target = Target.objects.get(parent_target=target)
    services.plan_publish(plan=city_target.plan, by=people["hunan_staff"])
    services.target_split(target=city_target, values={tree["furong"].pk: Decimal(500)}, by=None)
    services.plan_reopen(plan=hunan_plan, by=people["hunan_leader"], reason="调整")
    activity = activity_services.activity_save(
        activity=Activity(
            federation=tree["hunan"],
            year=2013,
            title="全省培训班",
            type=ActivityType.objects.ensure_defaults().get(name="培训"),
            status=ActivityStatus.DONE,
            planned_month=4,
        ),
        figures={trained: Decimal(40)},
        work_points=[sub],
        by=None,
    )
    return {"plan": hunan_plan, "point": point, "target": target, "city": city_target, "activity": activity}


def test_a_split_work_point_is_not_deleted_and_the_page_says_where(split_down, people, login):
    before = Target.objects.count()
    with pytest.raises(ValidationError):
        services.work_point_delete(point=split_down["point"], by=people["hunan_staff"], confirmed=True)
    client = login(people["hunan_staff"])
    url = reverse("plans:point-delete", args=[split_down["point"].pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "长沙市" in html and split_down["city"].plan.get_absolute_url() in html
    assert 'name="confirm_links"' not in html  # nothing to confirm: it is refused
    response = client.post(url, {"confirm_links": "on"})
    assert response.status_code == 200
    assert "已分解给下级的目标不能直接删除" in response.content.decode()
    assert Target.objects.count() == before
    assert WorkPoint.objects.filter(pk=split_down["point"].pk).exists()
    assert split_down["activity"].work_points.count() == 1


def test_a_split_target_is_not_deleted(split_down, people, login):
    client = login(people["hunan_staff"])
    response = client.post(reverse("plans:target-delete", args=[split_down["target"].pk]))
    assert response.status_code == 200
    assert "已分解给下级的目标不能直接删除" in response.content.decode()
    assert Target.objects.filter(pk=split_down["target"].pk).exists()
    assert Target.objects.filter(parent_target=split_down["city"]).count() == 1


def test_an_assigned_target_is_not_deleted_by_the_lower_federation(split_down, tree, people):
    furong_target = Target.objects.get(parent_target=split_down["city"])
    with pytest.raises(ValidationError):
        services.target_delete(target=furong_target, by=people["furong_staff"], confirmed=True)
    assert Target.objects.filter(pk=furong_target.pk).exists()


def test_activities_losing_their_link_are_listed_and_need_confirmation(tree, people, login, split_down):
    trained = split_down["target"].indicator
    plan = factories.plan(tree["furong"], year=2014)
    point = factories.point(plan, "巾帼建功")
    factories.target(point, trained, 50)
    activity = activity_services.activity_save(
        activity=Activity(
            federation=tree["furong"],
            year=2014,
            title="巾帼讲堂",
            type=ActivityType.objects.get(name="培训"),
            status=ActivityStatus.DONE,
            planned_month=3,
        ),
        figures={},
        work_points=[point],
        by=None,
    )
    client = login(people["furong_staff"])
    url = reverse("plans:point-delete", args=[point.pk])
    html = client.get(url).content.decode()
    assert "巾帼讲堂" in html and 'name="confirm_links"' in html
    assert client.post(url).status_code == 200  # without the tick: refused, the page again
    assert WorkPoint.objects.filter(pk=point.pk).exists()
    assert client.post(url, {"confirm_links": "on"}).status_code == 302
    assert not WorkPoint.objects.filter(pk=point.pk).exists()
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_withdrawing_a_split_that_was_split_further_is_refused(split_down, tree, people, login):
    client = login(people["hunan_staff"])
    url = reverse("plans:target-split", args=[split_down["target"].pk])
    response = client.post(url, {f"fed_{tree['changsha'].pk}": ""})
    assert response.status_code == 200
    assert "请先由其撤回下级的分解" in response.content.decode()
    assert Target.objects.filter(parent_target=split_down["city"]).count() == 1
    assert Target.objects.filter(pk=split_down["city"].pk).exists()
