import pytest

from plans.models import PlanStatus
from tests import factories


@pytest.fixture
def indicators(tree):
    nation = tree["nation"]
    return {
        "trained": factories.indicator("PX02", "培训妇女人数", "人", nation, keywords="培训、培训妇女"),
        "loans": factories.indicator(
            "DK01", "小额担保贷款金额", "万元", nation, decimal_places=2, keywords="贷款"
        ),
        "meeting": factories.indicator("HY01", "召开工作会议", "项", nation, kind="milestone"),
        # Defined by Shandong: out of reach for Hunan's federations.
        "shandong_only": factories.indicator("SD01", "山东特色指标", "个", tree["shandong"]),
    }


@pytest.fixture
def hunan_plan(tree, indicators):
    """湖南省 2013, published: one point with a training target of 10000 people."""
    plan = factories.plan(tree["hunan"], status=PlanStatus.PUBLISHED)
    point = factories.point(plan, "组织妇女在新农村建设中竞展风采", label="2")
    factories.target(point, indicators["trained"], 10000, source_text="全省培训10000名巾帼扶贫骨干和女农民工")
    return plan
