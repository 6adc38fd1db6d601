"""The leaders' dashboard and the roll-up API, with their permissions."""

import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import jsonschema
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities import services
from activities.models import Activity, ActivityStatus, ActivityType
from plans import services as plan_services
from plans.models import PlanStatus
from tests import factories

BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def city_plan(tree):
    """长沙市 2013: 500 women to train, split 300 / 200 between 芙蓉区 and 岳麓区; figures recorded below."""
    trained = factories.indicator("PX02", "培训妇女人数", "人", tree["nation"])
    plan = factories.plan(tree["changsha"], status=PlanStatus.PUBLISHED)
    target = factories.target(factories.point(plan, "促进妇女就业", label="一"), trained, 500)
    plan_services.target_split(
        target=target, values={tree["furong"].pk: Decimal(300), tree["yuelu"].pk: Decimal(200)}, by=None
    )
    for federation, value in [(tree["dingwangtai"], 150), (tree["yuelu"], 40)]:
        activity = Activity(
            federation=federation,
            year=2013,
            type=ActivityType.objects.first(),
            title="培训",
            status=ActivityStatus.DONE,
            actual_start=datetime(2013, 5, 10, 9, tzinfo=BEIJING),
        )
        services.activity_save(activity=activity, figures={trained: Decimal(value)}, by=None)
    return plan


def api_url(code, year=2013):
    return reverse("api:rollup_view", kwargs={"code": code, "year": year})


def test_api_returns_the_rollup(people, login, city_plan):
    data = login(people["changsha_leader"]).get(api_url("4301"), {"as_of": "2013-12-31"}).json()
    assert (data["federation"], data["year"], data["as_of"], data["expected_share"]) == (
        "4301",
        2013,
        "2013-12-31",
        1.0,
    )
    assert data["targets"] == [
        {
            "indicator": "PX02",
            "name": "培训妇女人数",
            "unit": "人",
            "work_point": "一",
            "target": 500.0,
            "achieved": 190.0,
            "completion": 38.0,
            "status": "滞后",
            "previous": None,  # nothing recorded in 2012
            "change": None,
        }
    ]
    children = {c["federation"]: c for c in data["children"]}
    assert (children["430102"]["score"], children["430102"]["rank"]) == (50.0, 1)
    assert (children["430104"]["score"], children["430104"]["rank"]) == (20.0, 2)
    assert children["430102"]["targets"][0]["achieved"] == 150.0
    assert len(data["monthly"]) == 12 and data["monthly"][4]["completion"] == 38.0


def test_api_responses_match_the_openapi_schema(people, login, city_plan):
    client = login(people["changsha_leader"])
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/rollup/{code}/{year}/" in schema["paths"]
    component = schema["components"]["schemas"]["RollupOut"]
    resolver = {"components": schema["components"], **component}
    for code in ["4301", "430102", "430104"]:
        jsonschema.validate(client.get(api_url(code)).json(), resolver)


def test_api_permissions(people, login, client, city_plan):
    assert client.get(api_url("4301")).status_code == 401  # anonymous
    furong = login(people["furong_staff"])
    assert furong.get(api_url("4301")).status_code == 404  # an ancestor is outside a county's reach
    assert furong.get(api_url("430104")).status_code == 404  # a sibling
    assert furong.get(api_url("430102")).status_code == 200
    assert login(people["lixia_staff"]).get(api_url("4301")).status_code == 404
    assert login(people["changsha_leader"]).get(api_url("4301", 1900)).status_code == 404


def test_api_bad_as_of_is_a_client_error(people, login, city_plan):
    response = login(people["changsha_leader"]).get(api_url("4301"), {"as_of": "not-a-date"})
    assert 400 <= response.status_code < 500


def test_dashboard_shows_targets_children_and_drill_down(people, login, city_plan):
    client = login(people["changsha_leader"])
    client.post(reverse("set-year"), {"year": "2013"})
    response = client.get(reverse("reports:dashboard", args=["4301"]), {"as_of": "2013-12-31"})
    html = response.content.decode()
    assert "长沙市妇联 2013年目标完成情况" in html
    assert "培训妇女人数" in html
    assert '<span class="badge status-badge status-lagging">滞后</span>' in html
    assert reverse("reports:dashboard", args=["430102"]) in html  # drill down
    # Each child's row: its split targets, how many are done, how many lag (here 150 of 300 at year end).
    furong_row = re.search(r"芙蓉区妇联</a></td>(.*?)</tr>", html, re.S).group(1)
    cells = re.findall(r'<td class="text-end[^"]*"[^>]*>(\d+)</td>', furong_row)
    assert cells == ["1", "0", "1"]
    assert "text-danger" in furong_row
    assert [c.federation.code for c in response.context["children"]] == ["430102", "430104"]
    assert response.context["lagging"][0].achieved == 190
    assert reverse("reports:export", args=["4301"]) in html
    down = client.get(reverse("reports:dashboard", args=["430102"]), {"as_of": "2013-12-31"})
    assert [f.code for f in down.context["breadcrumb"]] == ["4301"]  # and back up
    assert down.context["result"].progress[0].achieved == 150


def test_an_empty_year_offers_the_latest_year_with_a_plan(people, login, city_plan):
    client = login(people["changsha_leader"])
    client.post(reverse("set-year"), {"year": "2014"})
    html = client.get(reverse("reports:dashboard", args=["4301"])).content.decode()
    assert "长沙市妇联2014年度没有已设定指标的目标任务。" in html
    assert '<input type="hidden" name="year" value="2013">' in html
    assert "查看2013年度" in html
    client.post(reverse("set-year"), {"year": "2013"})
    assert "查看2013年度" not in client.get(reverse("reports:dashboard", args=["4301"])).content.decode()


def test_reports_index_goes_to_the_users_federation(people, login):
    response = login(people["furong_staff"]).get(reverse("reports:index"))
    assert response.url == reverse("reports:dashboard", args=["430102"])


@pytest.mark.parametrize(
    ("persona", "code"), [("furong_staff", "430104"), ("changsha_leader", "43"), ("lixia_staff", "4301")]
)
def test_dashboard_outside_reach_is_404(people, login, persona, code):
    assert login(people[persona]).get(reverse("reports:dashboard", args=[code])).status_code == 404


def test_dashboard_bad_as_of_is_404(people, login):
    response = login(people["changsha_leader"]).get(
        reverse("reports:dashboard", args=["4301"]), {"as_of": "2013-13-45"}
    )
    assert response.status_code == 404


def test_dashboard_lists_overdue_and_upcoming_activities(people, login, tree):
    kind = ActivityType.objects.first()
    Activity(
        federation=tree["furong"], year=2013, type=kind, title="逾期的活动", planned_start=date(2013, 3, 1)
    ).save()
    client = login(people["changsha_leader"])
    client.post(reverse("set-year"), {"year": "2013"})
    response = client.get(reverse("reports:dashboard", args=["4301"]))
    assert [a.title for a in response.context["overdue"]] == ["逾期的活动"]


def test_dashboard_query_count_is_bounded(people, login, city_plan, django_assert_max_num_queries):
    client = login(people["changsha_leader"])
    client.post(reverse("set-year"), {"year": "2013"})
    # The first page after the year switch keeps the top bar's 待办 count in the session (an UPDATE in a
    # savepoint inside the test's transaction), which the next pages then read without a query.
    with django_assert_max_num_queries(23):
        response = client.get(reverse("reports:dashboard", args=["4301"]))
    assert response.status_code == 200 and response.context["result"].progress


@pytest.mark.parametrize(
    ("persona", "code", "expected"),
    [
        ("changsha_leader", "4301", []),  # one's own federation: nothing above it is within reach
        ("changsha_leader", "430102", ["4301"]),
        ("changsha_leader", "430102001", ["4301", "430102"]),
        ("hunan_leader", "430102", ["43", "4301"]),
        ("superuser", "430102", ["00", "43", "4301"]),
    ],
)
def test_dashboard_breadcrumb_shows_the_visible_ancestors(people, login, persona, code, expected):
    response = login(people[persona]).get(reverse("reports:dashboard", args=[code]))
    assert [f.code for f in response.context["breadcrumb"]] == expected
    assert response.context["federation"].code == code


def test_own_dashboard_and_api_need_no_federation_lookup(people, login, city_plan):
    """The user's own federation is loaded with the user: neither it nor (there is none within
    reach) its ancestors are read again."""
    client = login(people["changsha_leader"])
    client.post(reverse("set-year"), {"year": "2013"})
    for url in [reverse("reports:dashboard", args=["4301"]), api_url("4301")]:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        lookups = [
            q["sql"]
            for q in queries.captured_queries
            if re.search(r'"fedwork_federation"\."code" (=|IN)', q["sql"])
        ]
        assert lookups == [], url


def test_dashboard_escapes_names_from_users(people, login, city_plan, tree):
    from plans.models import Indicator

    Indicator.objects.filter(code="PX02").update(name="培训<script>x</script>", unit="<b>人")
    tree["furong"].short_name = '芙蓉"区<i>'
    tree["furong"].save()
    client = login(people["changsha_leader"])
    client.post(reverse("set-year"), {"year": "2013"})
    html = client.get(reverse("reports:dashboard", args=["4301"]), {"as_of": "2013-12-31"}).content.decode()
    assert "<script>x" not in html and "<b>人" not in html and "<i>" not in html
    assert "培训&lt;script&gt;x&lt;/script&gt;" in html
    assert "&lt;b&gt;人" in html
    assert (
        f'{reverse("reports:dashboard", args=["430102"])}?as_of=2013-12-31">芙蓉&quot;区&lt;i&gt;</a>' in html
    )


@pytest.mark.parametrize("places", [1, 2, 4])
def test_api_numbers_round_as_round_does(places):
    from api.reports import _number

    values = ["0", "-0", "150", "150.00", "2.675", "0.125", "12.5", "99.95", "1E+3", "123456789.005"]
    values += [str(Decimal(n) / Decimal(7)) for n in range(-20, 200, 3)]
    for text in values:
        value = Decimal(text)
        assert repr(_number(value, places)) == repr(round(float(value), places)), text
    assert _number(None) is None


def test_rankings_are_for_the_ranking_federations_leaders_only(people, login, city_plan):
    """No public point rankings (the burden-reduction rules): 长沙市's leaders see its children's ranks;
    the province's leader and 长沙市's own staff see the scores without them."""
    from fedwork.models import Role

    changsha_staff = factories.user("changsha-staff", city_plan.federation, Role.STAFF)
    for user, sees in [
        (people["changsha_leader"], True),
        (people["hunan_leader"], False),
        (changsha_staff, False),
    ]:
        client = login(user)
        client.post(reverse("set-year"), {"year": "2013"})
        page = client.get(reverse("reports:dashboard", args=["4301"]), {"as_of": "2013-12-31"})
        assert page.status_code == 200
        ranks = [child.rank for child in page.context["children"]]
        assert (ranks == [1, 2]) if sees else (ranks == [None, None]), (user, ranks)
        data = client.get(api_url("4301"), {"as_of": "2013-12-31"}).json()
        assert [child["rank"] is not None for child in data["children"]] == [sees, sees]


def test_api_parameter_errors_are_in_chinese(people, login, city_plan):
    """A malformed parameter answers 422 with a Chinese message naming it, never pydantic's English."""
    client = login(people["changsha_leader"])
    response = client.get("/api/v1/completeness/4301/2013/month/first/")
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail == [{"loc": ["path", "number"], "msg": "应为整数"}]
    response = client.get(api_url("4301"), {"as_of": "not-a-date"})
    assert response.status_code == 422
    assert [error["msg"] for error in response.json()["detail"]] == ["应为日期（如 2013-06-30）"]
