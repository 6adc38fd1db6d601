"""Finding 5 of issue #13: a figure counts toward exactly the targets that measure it."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from plans import services
from plans.models import Indicator, PlanStatus, Target
from tests import factories


@pytest.fixture
def training_plan(tree):
    """A draft with one training target on 培训妇女人数 (the 2013 notice's first of three)."""
    trained = factories.indicator("PX02", "培训妇女人数", "人", tree["nation"], keywords="培训")
    plan = factories.plan(tree["furong"])
    point = factories.point(plan, "组织妇女在新农村建设中竞展风采")
    factories.target(point, trained, 10000, source_text="培训10000名巾帼扶贫骨干和女农民工")
    return plan


def payload(indicator, **extra):
    return {
        "indicator": indicator.pk,
        "comparator": ">=",
        "value": "1000",
        "cadence": "year",
        "weight": "1",
        "source_text": "培训1000名科技致富带头人",
        **extra,
    }


def test_a_second_target_on_the_same_indicator_needs_the_planners_confirmation(training_plan, people, login):
    client = login(people["furong_staff"])
    point = training_plan.points.get()
    trained = Indicator.objects.get(code="PX02")
    url = reverse("plans:target-create", args=[point.pk])
    response = client.post(url, payload(trained))
    assert response.status_code == 200
    assert "已使用指标“培训妇女人数”" in str(response.context["form"].errors["indicator"])
    assert Target.objects.filter(plan=training_plan).count() == 1
    response = client.post(url, payload(trained, shares_indicator="on"))
    assert response.status_code == 302
    assert set(Target.objects.filter(plan=training_plan).values_list("shares_indicator", flat=True)) == {True}
    assert not training_plan.targets.unconfirmed_shares()


def test_publishing_with_an_unconfirmed_share_is_refused_and_the_page_warns(training_plan, people, login):
    trained = Indicator.objects.get(code="PX02")
    point = training_plan.points.get()
    factories.target(point, trained, 1000, source_text="培训1000名科技致富带头人")  # e.g. an old import
    with pytest.raises(ValidationError, match="共用指标"):
        services.plan_publish(plan=training_plan, by=people["furong_staff"])
    training_plan.refresh_from_db()
    assert training_plan.status == PlanStatus.DRAFT
    page = login(people["furong_staff"]).get(training_plan.get_absolute_url()).content.decode()
    assert 'id="shared-indicators"' in page and "培训1000名科技致富带头人" in page
    assert "共用指标，未确认" in page


def test_the_document_importer_proposes_a_distinct_indicator(tree, people):
    factories.indicator("PX02", "培训妇女人数", "人", tree["nation"], keywords="培训")
    from plans.parsing import parse_document

    text = (
        "湖南省妇联2013年工作要点\n一、服务发展\n"
        "全省培训10000名巾帼扶贫骨干和女农民工，培训1000名科技致富带头人，全省培训失业妇女、女农民工100万人。\n"
    )
    parsed = parse_document(text.encode(), "notice.txt")
    plan = services.plan_import(parsed=parsed, federation=tree["hunan"], year=2013, by=people["hunan_staff"])
    names = [t.indicator.name for t in plan.targets.select_related("indicator").order_by("pk")]
    assert names == ["培训妇女人数", "培训科技致富带头人人数", "培训失业妇女、女农民工人数"]
    assert not plan.targets.unconfirmed_shares()
    services.plan_publish(plan=plan, by=people["hunan_staff"])
