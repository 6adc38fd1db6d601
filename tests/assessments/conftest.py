"""Assessment tests: 长沙市 assesses its counties (芙蓉区, 岳麓区) for 2013 with a small scheme —
one item scored from the training target, one judged item, a bonus and a deduction."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from activities import services as activity_services
from activities.models import Activity, ActivityStatus, ActivityType
from assessments import services
from assessments.models import Rule
from evidence import services as evidence_services
from fedwork.models import Role
from plans import services as plan_services
from plans.models import PlanStatus
from tests import factories


def make_activity(federation, figures=None, title="妇女技能培训班", points=()):
    return activity_services.activity_save(
        activity=Activity(
            federation=federation,
            year=2013,
            title=title,
            type=ActivityType.objects.ensure_defaults().get(name="培训"),
            status=ActivityStatus.DONE,
            planned_month=6,
        ),
        figures=figures or {},
        work_points=list(points),
        by=None,
    )


def pdf(name="签到表.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n%%EOF\n")


@pytest.fixture
def staff(tree, people):
    """The city's own staff and admin, and 芙蓉区's admin, besides the shared personas."""
    return {
        **people,
        "changsha_admin": factories.user("changsha-admin", tree["changsha"], Role.ADMIN),
        "changsha_staff": factories.user("changsha-staff", tree["changsha"], Role.STAFF),
        "furong_leader": factories.user("furong-leader", tree["furong"], Role.LEADER),
    }


@pytest.fixture
def world(tree, staff):
    """长沙市's published plan with a training target of 100 split 60 to 芙蓉区 and 40 to 岳麓区;
    芙蓉区 trained 45 (75 %), 岳麓区 trained 40 (100 %); a published scheme with four items."""
    trained = factories.indicator("PX01", "培训妇女人数", "人", tree["nation"])
    plan = factories.plan(tree["changsha"], status=PlanStatus.PUBLISHED)
    point = factories.point(plan)
    target = factories.target(point, trained, 100)
    plan_services.target_split(
        target=target,
        values={tree["furong"].pk: Decimal(60), tree["yuelu"].pk: Decimal(40)},
        by=staff["superuser"],
    )
    activity = make_activity(tree["furong"], {trained: Decimal(45)})
    make_activity(tree["yuelu"], {trained: Decimal(40)})
    (attachment,) = evidence_services.attachments_upload(
        activity=activity, files=[pdf()], by=staff["furong_staff"]
    )
    yuelu_activity = make_activity(tree["yuelu"], title="岳麓区活动")
    (yuelu_attachment,) = evidence_services.attachments_upload(
        activity=yuelu_activity, files=[pdf("岳麓.pdf")], by=staff["yuelu_staff"]
    )
    scheme = services.scheme_create(
        federation=tree["changsha"],
        year=2013,
        name="长沙市妇联2013年度县区考核细则",
        by=staff["changsha_leader"],
    )
    services.scheme_save(
        scheme=scheme,
        areas=[
            services.AreaDraft(
                "组织建设",
                [
                    services.ItemDraft("妇女技能培训", Decimal(30), Rule.FROM_TARGETS, indicator=trained),
                    services.ItemDraft("妇女之家规范化建设", Decimal(70), Rule.JUDGED),
                ],
            ),
            services.AreaDraft(
                "加分与扣分",
                [
                    services.ItemDraft("创新加分", Decimal(5), Rule.BONUS),
                    services.ItemDraft("信息报送不及时", Decimal(3), Rule.DEDUCTION),
                ],
            ),
        ],
        by=staff["changsha_leader"],
    )
    assessments = services.scheme_publish(scheme=scheme, by=staff["changsha_leader"])
    by_code = {a.federation.code: a for a in assessments}
    items = {item.name: item for item in scheme.items()}
    return {
        "scheme": scheme,
        "items": items,
        "furong": by_code["430102"],
        "yuelu": by_code["430104"],
        "attachment": attachment,
        "yuelu_attachment": yuelu_attachment,
        "trained": trained,
        "target": target,
        "point": point,
        "plan": plan,
    }
