"""One roll-up per page (issue #18): the dashboard embeds its charts' numbers instead of having its
script ask the API for a second roll-up, and the export, the summary and the API run one each.

A roll-up is counted by its first query, the one that reads the federation's targets with their
indicators and work points (reports.rollup.reads._targets), which no other code sends."""

import json
import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.models import Indicator
from reports.rollup import rollup
from tests.reports.test_dashboard_api import city_plan  # noqa: F401  (the fixture)

YEAR_END = "2013-12-31"


def rollups_in(queries: CaptureQueriesContext) -> int:
    marker = f"JOIN {connection.ops.quote_name(Indicator._meta.db_table)} i ON i.id = t.indicator_id"
    return sum(marker in query["sql"] for query in queries.captured_queries)


def embedded_chart(html: str) -> dict:
    found = re.search(r'<script id="rollup-data" type="application/json">(.*?)</script>', html, re.S)
    assert found, "the dashboard embeds no chart data"
    return json.loads(found.group(1))


@pytest.fixture
def leader(people, login, city_plan):  # noqa: F811
    client = login(people["changsha_leader"])
    client.post(reverse("set-year"), {"year": "2013"})
    return client


def test_a_roll_up_is_counted_once(tree, city_plan):  # noqa: F811
    with CaptureQueriesContext(connection) as queries:
        rollup(tree["changsha"], 2013, date(2013, 12, 31))
    assert rollups_in(queries) == 1


@pytest.mark.parametrize("view", ["all", "approved"])
def test_the_dashboard_runs_one_roll_up_and_embeds_the_charts_numbers(leader, view):
    with CaptureQueriesContext(connection) as queries:
        page = leader.get(reverse("reports:dashboard", args=["4301"]), {"as_of": YEAR_END, "view": view})
    assert page.status_code == 200
    assert rollups_in(queries) == 1
    html = page.content.decode()
    assert "/api/v1/rollup/" not in html  # the page's script has nothing to fetch
    chart = embedded_chart(html)
    api = leader.get("/api/v1/rollup/4301/2013/", {"as_of": YEAR_END, "view": view}).json()
    # The same numbers the API gives other systems, for the same roll-up.
    assert chart["monthly"] == api["monthly"]
    assert chart["children"] == [{"name": c["name"], "score": c["score"]} for c in api["children"]]
    if view == "all":
        assert chart["monthly"][4] == {"month": 5, "completion": 38.0, "expected": 41.4}
        assert chart["children"] == [
            {"name": "芙蓉区妇女联合会", "score": 50.0},
            {"name": "岳麓区妇女联合会", "score": 20.0},
        ]
    else:  # nothing approved: the charts show it, not the recorded figures
        assert {month["completion"] for month in chart["monthly"]} == {0.0}


def test_a_dashboard_without_targets_embeds_no_chart(people, login, city_plan):  # noqa: F811
    client = login(people["furong_staff"])
    client.post(reverse("set-year"), {"year": "2013"})
    html = client.get(reverse("reports:dashboard", args=["430102001"])).content.decode()
    assert 'id="rollup-data"' not in html and 'id="chart-monthly"' not in html


def test_the_api_runs_one_roll_up(leader):
    with CaptureQueriesContext(connection) as queries:
        assert leader.get("/api/v1/rollup/4301/2013/", {"as_of": YEAR_END}).status_code == 200
    assert rollups_in(queries) == 1


def test_the_export_runs_one_roll_up(leader):
    with CaptureQueriesContext(connection) as queries:
        response = leader.get(reverse("reports:export", args=["4301"]), {"year": "2013", "as_of": YEAR_END})
        b"".join(response.streaming_content)
    assert response.status_code == 200
    assert rollups_in(queries) == 1


@pytest.mark.parametrize("name", ["reports:summary", "reports:summary-docx"])
def test_the_summary_runs_one_roll_up(leader, name):
    with CaptureQueriesContext(connection) as queries:
        response = leader.get(reverse(name, args=["4301"]), {"year": "2013"})
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    assert rollups_in(queries) == 1
