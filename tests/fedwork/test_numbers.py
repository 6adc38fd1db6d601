"""Numbers as people read them (fedwork.numbers): thousand separators, one percentage format, "—"
for what cannot be computed, the unit after every figure — on the pages themselves."""

import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.urls import reverse

from activities import services
from activities.models import Activity, ActivityStatus, ActivityType
from fedwork.numbers import grouped, percent, quantity
from plans.models import PlanStatus
from tests import factories


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1000000, "1,000,000"),
        (Decimal("1198.00"), "1,198"),
        (Decimal("37.340"), "37.34"),
        (Decimal("37.345"), "37.35"),  # half up, as the offices round
        (Decimal("-1234.5"), "-1,234.5"),
        (Decimal("3E+2"), "300"),
        (0, "0"),
        (Decimal("-0.001"), "0"),
        ("99999999999", "99,999,999,999"),
        (None, ""),
        ("", ""),
        ("12e", ""),
    ],
)
def test_grouped(value, expected):
    assert grouped(value) == expected


def test_quantity_and_percent():
    assert quantity(Decimal("1000000"), "人") == "1,000,000人"
    assert quantity(Decimal("12.50"), "万元") == "12.5万元"
    assert quantity(None, "人") == "—"
    assert percent(Decimal("37.456")) == "37.5%"
    assert percent(100) == "100.0%"
    assert percent(Decimal("1234.56")) == "1,234.6%"
    assert percent(None) == "—"


def visible(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"(?s)<[^>]+>", " ", html))


@pytest.fixture
def big_plan(tree):
    """长沙市 2013: a target of 1,000,000 women trained, 1,234,567 recorded in 芙蓉区."""
    trained = factories.indicator("PX02", "培训妇女人数", "人", tree["nation"])
    plan = factories.plan(tree["changsha"], status=PlanStatus.PUBLISHED)
    factories.target(factories.point(plan, "促进妇女就业", label="一"), trained, 1000000)
    activity = Activity(
        federation=tree["furong"],
        year=2013,
        type=ActivityType.objects.first(),
        title="大型培训",
        status=ActivityStatus.DONE,
        actual_start=datetime(2013, 5, 10, 9, tzinfo=ZoneInfo("Asia/Shanghai")),
    )
    return services.activity_save(activity=activity, figures={trained: Decimal(1234567)}, by=None)


def test_the_dashboard_writes_figures_with_separators_and_units(people, login, big_plan):
    client = login(people["changsha_leader"])
    client.post(reverse("set-year"), {"year": "2013"})
    response = client.get(reverse("reports:dashboard", args=["4301"]), {"as_of": "2013-12-31"})
    text = visible(response.content.decode())
    assert "1,000,000人" in text and "1,234,567人" in text
    assert "123.5%" in text  # the completion bar: one decimal
    assert "1000000" not in text and "1234567" not in text


def test_the_activity_pages_write_figures_with_separators(people, login, big_plan):
    client = login(people["furong_staff"])
    detail = visible(client.get(reverse("activities:detail", args=[big_plan.pk])).content.decode())
    assert "1,234,567 人" in detail or "1,234,567人" in detail
    assert "1234567" not in detail


@pytest.mark.parametrize("library", ["fedwork_tags", "reports_tags"])
def test_the_template_filters_follow_the_same_rules(library):
    template = Template(
        f"{{% load {library} %}}{{{{ rate|percent }}}} {{{{ none|percent }}}} {{{{ big|grouped }}}}"
    )
    text = template.render(Context({"rate": Decimal("37.456"), "none": None, "big": Decimal("1000000.00")}))
    assert text == "37.5% — 1,000,000"
    quantity_text = Template("{% load fedwork_tags %}{{ big|quantity:'人' }}|{{ none|quantity:'人' }}")
    assert quantity_text.render(Context({"big": 1000000, "none": None})) == "1,000,000人|—"
