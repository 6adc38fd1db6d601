from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from plans import services
from plans.models import Plan, PlanEvent, PlanStatus, Target, WorkPoint


@pytest.fixture
def city_target(tree, indicators, people):
    """长沙市 2013 published plan with a 500-person training target, to split among its two counties."""
    from tests import factories

    plan = factories.plan(tree["changsha"], status=PlanStatus.PUBLISHED)
    return factories.target(factories.point(plan, "培训", label="一"), indicators["trained"], 500)


def test_split_creates_child_plans_and_linked_targets(city_target, tree, people):
    furong, yuelu = tree["furong"], tree["yuelu"]
    summary = services.target_split(
        target=city_target, values={furong.pk: Decimal(300), yuelu.pk: Decimal(150)}, by=people["superuser"]
    )
    assert (summary.total, summary.remainder, summary.created) == (Decimal(450), Decimal(50), 2)
    assert summary.is_short
    furong_plan = Plan.objects.get(federation=furong, year=2013)
    assert furong_plan.status == PlanStatus.DRAFT
    assert furong_plan.implements == city_target.plan
    child = Target.objects.get(plan=furong_plan)
    assert (child.value, child.indicator, child.parent_target) == (
        Decimal(300),
        city_target.indicator,
        city_target,
    )
    assert child.work_point.implements == city_target.work_point
    assert PlanEvent.objects.filter(plan=city_target.plan, action="split").exists()


def test_resplitting_updates_and_withdraws(city_target, tree, people):
    furong, yuelu = tree["furong"], tree["yuelu"]
    services.target_split(
        target=city_target, values={furong.pk: Decimal(300), yuelu.pk: Decimal(200)}, by=None
    )
    summary = services.target_split(
        target=city_target, values={furong.pk: Decimal(320), yuelu.pk: None}, by=None
    )
    assert (summary.updated, summary.removed, summary.created) == (1, 1, 0)
    assert list(city_target.splits.values_list("plan__federation__code", "value")) == [
        ("430102", Decimal(320))
    ]
    # The county keeps its plan and its work point; only the assignment is withdrawn.
    assert Plan.objects.filter(federation=yuelu).exists()
    assert WorkPoint.objects.filter(plan__federation=yuelu).count() == 1


def test_split_reuses_an_existing_child_plan(city_target, tree):
    from tests import factories

    existing = factories.plan(tree["furong"], title="芙蓉区妇联自己的计划")
    services.target_split(target=city_target, values={tree["furong"].pk: Decimal(10)}, by=None)
    assert Target.objects.get(parent_target=city_target).plan == existing
    services.target_split(target=city_target, values={tree["furong"].pk: Decimal(10)}, by=None)
    assert WorkPoint.objects.filter(plan=existing).count() == 1  # no duplicate point on a second split


def test_over_splitting_is_allowed_without_remainder(city_target, tree):
    summary = services.target_split(target=city_target, values={tree["furong"].pk: Decimal(600)}, by=None)
    assert summary.remainder == 0 and not summary.is_short


def test_deleting_the_upper_target_withdraws_its_splits(city_target, tree):
    services.target_split(target=city_target, values={tree["furong"].pk: Decimal(10)}, by=None)
    city_target.delete()
    assert not Target.objects.filter(plan__federation=tree["furong"]).exists()


def test_publish_requires_indicators_and_reopen_is_recorded(tree, people, indicators):
    from tests import factories

    plan = factories.plan(tree["furong"])
    point = factories.point(plan)
    Target.objects.create(work_point=point, indicator=None, value=Decimal(5))
    with pytest.raises(ValidationError, match="未选择指标"):
        services.plan_publish(plan=plan, by=people["furong_staff"])
    Target.objects.filter(plan=plan).update(indicator=indicators["trained"])
    services.plan_publish(plan=plan, by=people["furong_staff"])
    assert plan.status == PlanStatus.PUBLISHED
    with pytest.raises(ValidationError):
        services.plan_reopen(plan=plan, by=people["furong_staff"])
    with pytest.raises(ValidationError):
        services.plan_reopen(plan=plan, by=people["changsha_leader"])
    services.plan_reopen(plan=plan, by=people["superuser"], reason="更正目标")
    assert plan.status == PlanStatus.DRAFT
    event = plan.events.first()
    assert (event.action, event.by, event.note) == ("reopened", people["superuser"], "更正目标")


def test_work_points_reorder(tree):
    from tests import factories

    plan = factories.plan(tree["furong"])
    first, second, third = (factories.point(plan, t, order=i) for i, t in enumerate(["甲", "乙", "丙"]))
    services.work_point_move(point=third, step=-1)
    assert list(plan.points.values_list("title", flat=True)) == ["甲", "丙", "乙"]
    services.work_point_move(point=first, step=-1)  # already first: nothing moves
    assert list(plan.points.values_list("title", flat=True)) == ["甲", "丙", "乙"]


def test_suggest_indicator_by_unit_and_keywords(indicators):
    catalogue = list(indicators.values())
    assert services.suggest_indicator("全省培训10000名巾帼扶贫骨干", "名", catalogue) == indicators["trained"]
    assert services.suggest_indicator("新增贷款3500万元", "万元", catalogue) == indicators["loans"]
    assert services.suggest_indicator("培训妇女300人", "篇", catalogue) is None
