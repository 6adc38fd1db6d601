from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from fedwork import access
from plans.models import Cadence, Comparator, Indicator, Plan, PlanStatus, Target
from tests import factories


def test_one_plan_per_federation_and_year(tree):
    factories.plan(tree["furong"], 2013)
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.plan(tree["furong"], 2013)
    factories.plan(tree["furong"], 2014)  # another year is fine


def test_target_values_are_checked_by_the_database(tree, indicators):
    point = factories.point(factories.plan(tree["furong"]))
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.target(point, indicators["trained"], -1)
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.target(point, indicators["trained"], 5, comparator=Comparator.RANGE, max_value=Decimal(2))
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.target(point, indicators["trained"], 5, weight=Decimal(0))


def test_target_takes_its_plan_from_the_work_point(tree, indicators):
    plan = factories.plan(tree["furong"])
    target = factories.target(factories.point(plan), indicators["trained"], 300)
    assert target.plan == plan


def test_monthly_target_counts_twelve_times_a_year(tree, indicators):
    point = factories.point(factories.plan(tree["furong"]))
    target = factories.target(point, indicators["trained"], 2, cadence=Cadence.MONTH)
    assert target.annual_value == 24
    assert target.describe_value() == "每月不少于2人"


def test_describe_range_and_decimals(tree, indicators):
    point = factories.point(factories.plan(tree["furong"]))
    assert (
        factories.target(
            point, indicators["trained"], 1, comparator=Comparator.RANGE, max_value=Decimal(2)
        ).describe_value()
        == "1–2人"
    )
    assert factories.target(point, indicators["loans"], "3500.50").describe_value() == "不少于3500.5万元"


def test_indicators_in_reach_are_those_defined_above_or_at_the_federation(tree, indicators):
    reach = set(Indicator.objects.available_to(tree["furong"]).values_list("code", flat=True))
    assert reach == {"PX02", "DK01", "HY01"}
    assert "SD01" in set(Indicator.objects.available_to(tree["lixia"]).values_list("code", flat=True))


def test_rate_indicator_needs_its_parts(tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.indicator("R1", "办结率", "%", tree["nation"], kind="rate")


def test_plans_for_user_include_published_ancestor_plans_only(people, tree, hunan_plan):
    draft_city = factories.plan(tree["changsha"])
    yuelu = factories.plan(tree["yuelu"])
    visible = set(Plan.objects.for_user(people["furong_staff"]))
    assert hunan_plan in visible  # published, handed down
    assert draft_city not in visible  # an ancestor's draft is not handed down
    assert yuelu not in visible  # sibling
    assert set(Plan.objects.for_user(people["changsha_leader"])) == {hunan_plan, draft_city, yuelu}
    assert Plan.objects.for_user(people["lixia_staff"]).count() == 0


def test_edit_rights(people, tree, hunan_plan):
    furong_plan = factories.plan(tree["furong"])
    assert access.may_edit_plan(people["furong_staff"], furong_plan)
    assert not access.may_edit_plan(people["changsha_leader"], furong_plan)
    assert not access.may_edit_plan(people["yuelu_staff"], furong_plan)
    assert not access.may_edit_plan(people["hunan_staff"], hunan_plan)  # published: locked
    assert access.may_reopen_plan(people["hunan_leader"], hunan_plan)
    assert access.may_reopen_plan(people["hunan_admin"], hunan_plan)
    assert not access.may_reopen_plan(people["hunan_staff"], hunan_plan)
    assert not access.may_reopen_plan(people["changsha_leader"], hunan_plan)
    assert access.may_split_targets(people["hunan_staff"], hunan_plan)
    assert not access.may_split_targets(people["hunan_leader"], hunan_plan)


def test_statuses(tree):
    assert factories.plan(tree["furong"]).status == PlanStatus.DRAFT
    assert Target._meta.get_field("weight").default == 1


def test_pages_write_targets_with_thousand_separators(tree, indicators):
    target = factories.target(factories.point(factories.plan(tree["furong"])), indicators["loans"], "30000")
    assert target.describe_value() == "不少于30000万元"  # as the notice and the summary write it
    assert target.display_value == "不少于30,000万元"  # as pages print numbers
