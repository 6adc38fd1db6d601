"""Schemathesis against the live OpenAPI document of /api/v1/, in-process over WSGI.

The schema is loaded from the running app (``/api/v1/openapi.json``), every operation is driven with
generated cases (positive and negative data, and positive data aimed at real federation codes and work
years so the roll-up itself runs), logged in with a session cookie, and every response must be no 5xx,
conform to the schema (status-independent checks: body and content type), and never show a federation
outside the user's reach.
"""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from activities import services
from activities.models import Activity, ActivityStatus, ActivityType
from fedwork import params
from plans import services as plan_services
from plans.models import PlanStatus
from submissions.periods import SPAN
from tests import factories

BEIJING = ZoneInfo("Asia/Shanghai")
SCHEMA_PATH = "/api/v1/openapi.json"
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
EXAMPLES_PER_STRATEGY = 40
# Codes the personas may or may not reach; "" and junk are left to the generator.
CODES = ["00", "43", "4301", "430102", "430102001", "430104", "37", "370102", "999999"]
# Mostly working years (fedwork.params answers 404 outside FEDWORK_FIRST_YEAR..next year).
YEARS = [2012, 2013, 2014, 2101]
# Which codes each persona may see (the rest must be a 404, never data).
REACH = {
    "changsha_leader": {"4301", "430102", "430102001", "430104"},
    "furong_staff": {"430102", "430102001"},
}

executed: dict[str, int] = {}


@pytest.fixture
def city_data(tree):
    """长沙市 2013: 500 women to train, split 300 / 200 to 芙蓉区 and 岳麓区, with recorded figures."""
    trained = factories.indicator("PX02", "培训妇女人数", "人", tree["nation"])
    loans = factories.indicator("DK01", "小额担保贷款金额", "万元", tree["nation"], decimal_places=2)
    plan = factories.plan(tree["changsha"], status=PlanStatus.PUBLISHED)
    point = factories.point(plan, "促进妇女就业", label="一")
    target = factories.target(point, trained, 500)
    factories.target(point, loans, "120.5")
    plan_services.target_split(
        target=target, values={tree["furong"].pk: Decimal(300), tree["yuelu"].pk: Decimal(200)}, by=None
    )
    kind = ActivityType.objects.first()
    for federation, value, month in [
        (tree["dingwangtai"], 150, 3),
        (tree["furong"], 25, 7),
        (tree["yuelu"], 40, 5),
        (tree["lixia"], 999, 5),
    ]:
        activity = Activity(
            federation=federation,
            year=2013,
            type=kind,
            title=f"{federation.short_name}培训",
            status=ActivityStatus.DONE,
            actual_start=datetime(2013, month, 10, 9, tzinfo=BEIJING),
        )
        services.activity_save(
            activity=activity, figures={trained: Decimal(value), loans: Decimal("10.25")}, by=None
        )
    return plan


@pytest.fixture
def api_schema(db):
    """The schema as the app serves it, with the app itself as schemathesis' in-process transport.

    Like Django's test client, requests must not close the database connection when they start or
    finish: on PostgreSQL that would end the test's transaction (SQLite's in-memory database ignores it).
    """
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi(SCHEMA_PATH, WSGIHandler())
    finally:
        for signal in (signals.request_started, signals.request_finished):
            signal.connect(close_old_connections)


def _strategies(operation, reach):
    """Free generation (valid and invalid), plus valid cases aimed at real codes and years."""
    # Half the aimed cases at codes the user reaches, so the roll-up itself runs often.
    codes = st.one_of(st.sampled_from(sorted(reach)), st.sampled_from(CODES))
    # A period operation (/completeness/…/{frequency}/{number}/) is aimed at real periods too: free
    # frequencies and numbers are nearly always a 404 and would never reach the computation.
    periods = (
        st.sampled_from([(f, n) for f, span in SPAN.items() for n in range(1, 12 // span + 1)])
        if "{frequency}" in operation.path
        else st.none()
    )

    def path(code, year, period):
        values = {"code": code, "year": year}
        if period:
            values.update(frequency=str(period[0]), number=period[1])
        return values

    aimed = st.tuples(codes, st.sampled_from(YEARS), periods).flatmap(
        lambda t: operation.as_strategy(path_parameters=path(*t))
    )
    # Any calendar day of the working years (fedwork.params refuses others, which the free generation
    # above still tries), as the optional ?as_of= of an aimed case.
    days = st.dates(
        min_value=date(django_settings.FEDWORK_FIRST_YEAR, 1, 1), max_value=date(params.last_year(), 12, 31)
    )
    aimed_as_of = st.tuples(codes, st.sampled_from(YEARS), periods, days).flatmap(
        lambda t: operation.as_strategy(path_parameters=path(*t[:3]), query={"as_of": t[3].isoformat()})
    )
    return {
        "positive": operation.as_strategy(GenerationMode.POSITIVE),
        "negative": operation.as_strategy(GenerationMode.NEGATIVE),
        "aimed": aimed,
        "aimed_as_of": aimed_as_of,
    }


@pytest.mark.parametrize("persona", ["changsha_leader", "furong_staff"])
def test_every_operation_survives_generated_requests(api_schema, people, city_data, client, persona):
    client.force_login(people[persona])
    cookies = {"sessionid": client.cookies["sessionid"].value}
    reach = REACH[persona]
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert operations, "the OpenAPI document lists no operation"
    statuses: dict[int, int] = {}
    for operation in operations:
        for strategy in _strategies(operation, reach).values():

            @settings(
                max_examples=EXAMPLES_PER_STRATEGY,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy)
            def run(case):
                response = case.call(cookies=cookies)
                case.validate_response(response, checks=CHECKS)
                if response.status_code == 200:
                    code = (case.path_parameters or {}).get("code")
                    assert code in reach, f"{persona} got {code}'s data: {case.formatted_path}"
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                executed[persona] = executed.get(persona, 0) + 1

            run()
    print(f"schemathesis cases as {persona}: {sum(statuses.values())} by status {statuses}")
    # The aimed cases must really have reached the roll-up, not only its 404s and 422s.
    assert statuses.get(200, 0) >= 10 and statuses.get(404) and statuses.get(422), statuses


def test_operations_refuse_anonymous_requests(api_schema, city_data):
    """Without a session every operation answers 401 (django-ninja's django_auth), never data."""
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=10, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(path_parameters={"code": "4301", "year": 2013}))
        def run(case):
            response = case.call()
            assert response.status_code == 401, case.formatted_path
            executed["anonymous"] = executed.get("anonymous", 0) + 1

        run()
    print(f"schemathesis cases anonymous: {executed['anonymous']}")


def test_the_schema_covers_the_rollup(api_schema):
    labels = {result.ok().label for result in api_schema.get_all_operations()}
    assert "GET /api/v1/rollup/{code}/{year}/" in labels
