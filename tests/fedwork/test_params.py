"""Every page and API URL that takes a year, a date, a federation code, a month, an id or a token:
malformed values are refused (404, or the API's 422 for what is no number at all), never a 500,
and a valid value gives the page (issue #13, finding 12 and "one parser for request parameters").

Add a new page that takes one of these parameters to ``CASES``.
"""

from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.http import Http404
from django.urls import reverse

from activities.models import ActivityType, CalendarFeed
from fedwork import params
from fedwork.context_processors import SESSION_YEAR_KEY
from tests import factories

YEAR = 2013
FURONG = "430102"
BAD_VALUES = ["①①①①", "2013\x00", "abc", "99999", "-1", "", "430102\x00", "２０１３", " 2013", "2_013"]
REFUSED = {400, 404}


@dataclass(frozen=True)
class Case:
    """One parameter of one URL: ``url(value, objects)`` puts the value in place."""

    name: str
    url: object  # (value: str, objects: dict) -> (path, query dict)
    valid: object  # (objects: dict) -> str
    persona: str = "furong_staff"
    # The status of a value the parameter's own syntax accepts but that names nothing.
    overrides: tuple[tuple[str, int], ...] = ()
    refused: frozenset[int] = frozenset(REFUSED)

    def expected(self, value: str) -> set[int]:
        return {dict(self.overrides)[value]} if value in dict(self.overrides) else set(self.refused)


def _path(name, kwarg, **other):
    """A URL with ``value`` (quoted, so a NUL byte reaches the view's path) in place of ``kwarg``."""

    def build(value, objects):
        url = reverse(name, kwargs={kwarg: "PLACEHOLDER", **{k: v(objects) for k, v in other.items()}})
        return url.replace("PLACEHOLDER", quote(value, safe="")), {}

    return build


def _query(name, param, kwargs=lambda o: {}, extra=lambda o: {}):
    def build(value, objects):
        return reverse(name, kwargs=kwargs(objects)), {**extra(objects), param: value}

    return build


def _api(part):
    def build(value, objects):
        code, year = (quote(value, safe=""), YEAR) if part == "code" else (FURONG, quote(value, safe=""))
        return f"/api/v1/rollup/{code}/{year}/", {}

    return build


_code = {"code": lambda o: FURONG}
# The empty value: a blank form field means "not given" for these (the page's default, 200).
BLANK_IS_DEFAULT = (("", 200),)

CASES = [
    Case("federation-detail code", _path("federation-detail", "code"), lambda o: FURONG),
    Case("reports:dashboard code", _path("reports:dashboard", "code"), lambda o: FURONG),
    Case(
        "reports:dashboard as_of",
        _query("reports:dashboard", "as_of", lambda o: _code_kwargs()),
        lambda o: "2013-06-30",
        overrides=BLANK_IS_DEFAULT,
    ),
    Case("reports:export code", _path("reports:export", "code"), lambda o: FURONG),
    Case(
        "reports:export year", _query("reports:export", "year", lambda o: _code_kwargs()), lambda o: str(YEAR)
    ),
    Case(
        "reports:export as_of",
        _query("reports:export", "as_of", lambda o: _code_kwargs()),
        lambda o: "2013-06-30",
        overrides=BLANK_IS_DEFAULT,
    ),
    Case("reports:summary code", _path("reports:summary", "code"), lambda o: FURONG),
    Case(
        "reports:summary year",
        _query("reports:summary", "year", lambda o: _code_kwargs()),
        lambda o: str(YEAR),
    ),
    Case(
        "reports:summary as_of",
        _query("reports:summary", "as_of", lambda o: _code_kwargs()),
        lambda o: "2013-06-30",
        overrides=BLANK_IS_DEFAULT,
    ),
    Case("reports:summary-docx code", _path("reports:summary-docx", "code"), lambda o: FURONG),
    Case(
        "reports:summary-docx year",
        _query("reports:summary-docx", "year", lambda o: _code_kwargs()),
        lambda o: str(YEAR),
    ),
    Case("reports:audit code", _path("reports:audit", "code"), lambda o: FURONG, persona="hunan_admin"),
    Case("activities:calendar m", _query("activities:calendar", "m"), lambda o: "5"),
    Case(
        "activities:create type",
        _query("activities:create", "type"),
        lambda o: str(o["type"].pk),
        # A well-formed id that names no type only leaves the form's choice blank.
        overrides=(*BLANK_IS_DEFAULT, ("99999", 200)),
    ),
    Case(
        "activities:import-template year",
        _query("activities:import-template", "year"),
        lambda o: str(YEAR),
        overrides=(),
    ),
    Case(
        "activities:import-template federation",
        _query("activities:import-template", "federation"),
        lambda o: FURONG,
        overrides=BLANK_IS_DEFAULT,
    ),
    Case(
        "plans:point-create parent",
        _query("plans:point-create", "parent", lambda o: {"plan_pk": o["plan"].pk}),
        lambda o: str(o["point"].pk),
        overrides=BLANK_IS_DEFAULT,
    ),
    Case("activities:ical token", _path("activities:ical", "token"), lambda o: o["feed"].token, persona=""),
    # django-ninja types the path first: what is no integer at all is its 422, the rest fedwork's 404.
    Case("api:rollup_view code", _api("code"), lambda o: FURONG, refused=frozenset({404})),
    Case("api:rollup_view year", _api("year"), lambda o: str(YEAR), refused=frozenset({404, 422})),
    Case(
        "api:rollup_view as_of",
        lambda value, o: (f"/api/v1/rollup/{FURONG}/{YEAR}/", {"as_of": value}),
        lambda o: "2013-06-30",
        refused=frozenset({404, 422}),
    ),
]


def _code_kwargs():
    return {"code": FURONG}


@pytest.fixture
def objects(tree, people):
    plan = factories.plan(tree["furong"], year=YEAR)
    return {
        "plan": plan,
        "point": factories.point(plan),
        "type": ActivityType.objects.filter(is_active=True).first(),
        "feed": CalendarFeed.objects.create(federation=tree["furong"]),
        "people": people,
    }


def _client(client, objects, persona):
    if persona:
        client.force_login(objects["people"][persona])
        session = client.session
        session[SESSION_YEAR_KEY] = YEAR
        session.save()
    return client


def test_the_cases_name_real_urls():
    names = {case.name.split()[0] for case in CASES}
    for name in names - {"api:rollup_view"}:
        reverse(name, kwargs=_dummy_kwargs(name))


def _dummy_kwargs(name):
    if name in {"federation-detail"} or name.startswith("reports:"):
        return {"code": FURONG}
    if name == "plans:point-create":
        return {"plan_pk": 1}
    if name == "activities:ical":
        return {"token": "x"}
    return {}


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_valid_value_gives_the_page(case, client, objects):
    client = _client(client, objects, case.persona)
    path, query = case.url(case.valid(objects), objects)
    response = client.get(path, query)
    assert response.status_code == 200, (path, query, response.status_code)


@pytest.mark.parametrize("value", BAD_VALUES, ids=[repr(v) for v in BAD_VALUES])
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_malformed_value_is_refused_not_a_500(case, value, client, objects):
    client = _client(client, objects, case.persona)
    if value == "430102\x00" and "code" not in case.name and "token" not in case.name:
        value = "5\x00"
    path, query = case.url(value, objects)
    response = client.get(path, query)
    assert response.status_code in case.expected(value), (path, query, response.status_code)


# --- The parser itself ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["①①①①", "２０１３", "2013\x00", " 2013", "2_013", "99999", "-1", "", "2012", "abcd"]
)
def test_parse_year_refuses(text):
    with pytest.raises(Http404):
        params.parse_year(text)


def test_parse_year_takes_the_working_years(settings):
    assert params.parse_year(str(settings.FEDWORK_FIRST_YEAR)) == settings.FEDWORK_FIRST_YEAR
    assert params.parse_year(str(params.last_year())) == params.last_year()
    with pytest.raises(Http404):
        params.parse_year(str(params.last_year() + 1))


@pytest.mark.parametrize(
    "text",
    [
        "2013-02-30",
        "2013-1-1",
        "20130101",
        "1367280000",
        "2013-01-01T00:00",
        "２０１３-01-01",
        "2013-01-01\x00",
        "1999-01-01",
        "0001-01-01",
    ],
)
def test_parse_as_of_refuses(text):
    with pytest.raises(Http404):
        params.parse_as_of(text)


@pytest.mark.parametrize("text", ["0", "13", "①", "-1", "", "1 ", "001"])
def test_parse_month_refuses(text):
    with pytest.raises(Http404):
        params.parse_month(text)


@pytest.mark.parametrize("text", ["430102\x00", "", "a" * 33, "43 01", "４３", "43/01", "43.01"])
def test_parse_code_refuses(text):
    with pytest.raises(Http404):
        params.parse_code(text)


@pytest.mark.parametrize("text", ["abc", "0", "-1", "①", "1" * 19, "1.0", ""])
def test_parse_id_refuses(text):
    with pytest.raises(Http404):
        params.parse_id(text)


def test_valid_values_parse():
    assert params.parse_month("5") == 5 and params.parse_month("12") == 12
    assert params.parse_code("430102-a") == "430102-a"
    assert params.parse_id("42") == 42
    assert str(params.parse_as_of("2013-06-30")) == "2013-06-30"


def test_parse_as_of_takes_a_day_of_the_working_years(settings):
    assert params.parse_as_of(f"{settings.FEDWORK_FIRST_YEAR}-12-31").month == 12
