import pytest
from django.urls import reverse

from activities.models import ActivityType
from tests import factories


@pytest.fixture
def activity_indicators(tree):
    nation = tree["nation"]
    return {
        "sessions": factories.indicator("PX01", "举办培训班期数", "期", nation),
        "trained": factories.indicator("PX02", "培训妇女人数", "人", nation),
        "loans": factories.indicator("DK01", "小额担保贷款金额", "万元", nation, decimal_places=2),
        "shandong_only": factories.indicator("SD01", "山东特色指标", "个", tree["shandong"]),
    }


@pytest.fixture
def training():
    return ActivityType.objects.ensure_defaults().get(name="培训")


@pytest.fixture
def staff_client(people, login, settings, tmp_path):
    """芙蓉区's staff, logged in, working in 2013; stored uploads go to tmp_path/var/imports."""
    settings.BASE_DIR = tmp_path
    client = login(people["furong_staff"])
    client.post(reverse("set-year"), {"year": "2013"})
    return client
