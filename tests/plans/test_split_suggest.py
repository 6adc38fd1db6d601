"""The split page's suggestions (issue #17): 平均 and 按上年比例 (children's shares in proportion to
their results the year before, rounded to the indicator's places, summing to the target exactly),
and a split that exceeds the target reads "超出 …" in red instead of "剩余 0"."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from activities import services as activity_services
from activities.models import Activity, ActivityStatus, ActivityType
from fedwork.models import Role
from plans import services
from plans.models import PlanStatus, Target
from tests import factories

BEIJING = ZoneInfo("Asia/Shanghai")


def record(federation, figures, *, year, status=ActivityStatus.DONE):
    activity = Activity(
        federation=federation,
        year=year,
        type=ActivityType.objects.get(name="培训"),
        title="培训",
        status=status,
        actual_start=datetime(year, 4, 10, 9, tzinfo=BEIJING),
    )
    activity_services.activity_save(activity=activity, figures=figures, by=None)


@pytest.fixture
def city(tree, indicators):
    """长沙市 2013, published: 1000 trained and 100.00 万元 of loans to split among 芙蓉区 and 岳麓区.

    2012: 芙蓉区 trained 320 (through its 定王台街道 too: 300 + 20) and lent 3 万元, 岳麓区 trained 80
    (and a planned 500 that does not count) and lent 4 万元; the 2013 figures must not count either.
    """
    plan = factories.plan(tree["changsha"], status=PlanStatus.PUBLISHED)
    point = factories.point(plan, "加强就业技能培训", label="一")
    trained, loans = indicators["trained"], indicators["loans"]
    record(tree["furong"], {trained: Decimal(300), loans: Decimal(3)}, year=2012)
    record(tree["dingwangtai"], {trained: Decimal(20)}, year=2012)
    record(tree["yuelu"], {trained: Decimal(80), loans: Decimal(4)}, year=2012)
    record(tree["yuelu"], {trained: Decimal(500)}, year=2012, status=ActivityStatus.PLANNED)
    record(tree["yuelu"], {trained: Decimal(900)}, year=2013)
    return {
        "trained": factories.target(point, trained, 1000),
        "loans": factories.target(point, loans, "100.00"),
        "staff": factories.user("changsha-staff", tree["changsha"], Role.STAFF),
    }


def test_last_years_results_are_the_childrens_done_figures_of_the_year_before(tree, city):
    children = [tree["furong"], tree["yuelu"]]
    assert services.last_year_results(city["trained"], children) == {
        tree["furong"].pk: 320,
        tree["yuelu"].pk: 80,
    }


def test_last_year_proportions_add_up_to_the_target(tree, city):
    furong, yuelu = tree["furong"].pk, tree["yuelu"].pk
    shares = services.split_suggestion(target=city["trained"], basis="last_year")
    assert shares == {furong: 800, yuelu: 200}
    # 3 : 4 of 100.00 万元 at two places: 42.85 + 57.14 = 99.99, the cent left goes to the largest.
    loans = services.split_suggestion(target=city["loans"], basis="last_year")
    assert loans == {furong: Decimal("42.85"), yuelu: Decimal("57.15")}
    assert sum(loans.values()) == Decimal("100.00")
    assert services.split_suggestion(target=city["trained"], basis="even") == {furong: 500, yuelu: 500}
    with pytest.raises(ValueError):
        services.split_suggestion(target=city["trained"], basis="median")


@given(
    total=st.integers(min_value=0, max_value=10**9),
    places=st.integers(min_value=0, max_value=2),
    weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=30),
)
def test_apportion_sums_exactly_and_never_goes_negative(total, places, weights):
    value = Decimal(total).scaleb(-places)
    shares = services.apportion(value, {i: Decimal(w) for i, w in enumerate(weights)}, places)
    if not any(weights):
        assert shares == {}
        return
    assert sum(shares.values()) == value
    quantum = Decimal(1).scaleb(-places)
    assert all(share >= 0 and share == share.quantize(quantum) for share in shares.values())
    assert set(shares) == {i for i, w in enumerate(weights) if w}


def split_page(client, target, **query):
    response = client.get(reverse("plans:target-split", args=[target.pk]), query)
    assert response.status_code == 200
    return response.content.decode()


def field_value(html, federation):
    match = re.search(rf'name="fed_{federation.pk}"[^>]*?value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="fed_{federation.pk}"', html
    )
    return match.group(1) if match else ""


def test_the_page_fills_last_years_proportions_and_shows_last_year(tree, city, login):
    client = login(city["staff"])
    html = split_page(client, city["trained"])
    assert "平均" in html and "按上年比例" in html and "2012年完成" in html
    assert re.findall(r'data-testid="last-year">([^<]*)<', html) == ["320人", "80人"]
    assert field_value(html, tree["furong"]) == ""  # nothing suggested until asked

    html = split_page(client, city["trained"], suggest="last_year")
    assert (field_value(html, tree["furong"]), field_value(html, tree["yuelu"])) == ("800", "200")
    assert "已按“按上年比例”填入建议值" in html
    html = split_page(client, city["trained"], suggest="even")
    assert (field_value(html, tree["furong"]), field_value(html, tree["yuelu"])) == ("500", "500")
    assert not Target.objects.filter(parent_target=city["trained"]).exists()  # a suggestion saves nothing


def test_without_last_year_results_the_button_is_disabled(tree, city, login, indicators):
    point = city["trained"].work_point
    other = factories.indicator("XX01", "新指标", "个", tree["nation"])
    target = factories.target(point, other, 10)
    html = split_page(login(city["staff"]), target, suggest="last_year")
    assert re.search(r"<button[^>]*disabled[^>]*>按上年比例</button>", html)
    assert "无法按上年比例分配" in html
    assert field_value(html, tree["furong"]) == ""


def test_a_split_over_the_target_says_by_how_much_in_red(tree, city, login):
    client = login(city["staff"])
    url = reverse("plans:target-split", args=[city["trained"].pk])
    values = {f"fed_{tree['furong'].pk}": "700", f"fed_{tree['yuelu'].pk}": "400"}
    response = client.post(url, values, follow=True)
    html = response.content.decode()
    alert = re.search(r'<div class="alert alert-danger[^"]*"[^>]*>\s*([^<]*?)\s*<', html)
    assert alert.group(1) == "分解合计超出本级目标 100人，请核对。"
    footer = re.search(r"<tfoot>.*</tfoot>", html, re.S).group(0)
    label, remainder = re.search(
        r"<td data-split-remainder-label[^>]*>([^<]*)</td><td data-split-remainder ([^>]*)>([^<]*)<", footer
    ).group(1, 3)
    assert (label, remainder) == ("超出本级目标", "超出 100")
    assert 'class="text-danger fw-semibold"' in re.search(r"<td data-split-remainder [^>]*>", footer).group(0)
    assert '<td data-split-total class="text-danger">1,100</td>' in footer


def test_suggestions_are_for_the_owning_staff_only(tree, city, people, login):
    for persona in ["changsha_leader", "furong_staff", "lixia_staff"]:
        response = login(people[persona]).get(
            reverse("plans:target-split", args=[city["trained"].pk]), {"suggest": "last_year"}
        )
        assert response.status_code == 404
