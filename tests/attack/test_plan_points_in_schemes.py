"""Attacks across #16 and the plans: a work point an assessment item follows (按目标完成, restricted to
that point) is deleted from the draft plan — the database protects the item's link, which was a 500."""

from decimal import Decimal

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import Rule
from plans.models import WorkPoint
from tests import factories


@pytest.fixture
def followed_point(tree, people):
    """长沙市's draft plan with a point (and a sub-point) that its draft scheme's item follows."""
    plan = factories.plan(tree["changsha"])
    point = factories.point(plan, title="加强妇女之家建设")
    factories.point(plan, title="规范化建设", label="（1）", parent=point)
    scheme = services.scheme_create(federation=tree["changsha"], year=2013, name="长沙市考核细则", by=None)
    services.scheme_save(
        scheme=scheme,
        name=scheme.name,
        excellent_from=Decimal(90),
        good_from=Decimal(80),
        pass_from=Decimal(60),
        objection_days=5,
        areas=[
            services.AreaDraft(
                "组织建设",
                [services.ItemDraft("妇女之家建设", Decimal(20), Rule.FROM_TARGETS, work_point=point)],
            )
        ],
        by=people["changsha_leader"],
    )
    return point


def test_deleting_a_point_an_item_follows_is_refused_in_chinese(followed_point, tree, login):
    from fedwork.models import Role

    staff = factories.user("changsha-staff", tree["changsha"], Role.STAFF)
    client = login(staff)
    response = client.post(reverse("plans:point-delete", args=[followed_point.pk]), follow=True)
    assert response.status_code == 200
    assert "考核细则“长沙市考核细则”的考核内容“妇女之家建设”按此要点计分" in response.content.decode()
    assert WorkPoint.objects.filter(pk=followed_point.pk).exists()


def test_deleting_the_plan_is_refused_the_same_way(followed_point, tree, login):
    from fedwork.models import Role

    staff = factories.user("changsha-staff", tree["changsha"], Role.STAFF)
    client = login(staff)
    response = client.post(reverse("plans:delete", args=[followed_point.plan.pk]), follow=True)
    assert response.status_code == 200
    assert "考核细则“长沙市考核细则”的考核内容“妇女之家建设”按此要点计分" in response.content.decode()
    assert WorkPoint.objects.filter(pk=followed_point.pk).exists()


def test_deleting_its_sub_point_is_still_allowed(followed_point, tree, login):
    from fedwork.models import Role

    staff = factories.user("changsha-staff", tree["changsha"], Role.STAFF)
    sub = WorkPoint.objects.get(parent=followed_point)
    response = login(staff).post(reverse("plans:point-delete", args=[sub.pk]), follow=True)
    assert response.status_code == 200
    assert not WorkPoint.objects.filter(pk=sub.pk).exists()
