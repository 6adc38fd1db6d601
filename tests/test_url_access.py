"""Every URL of the site, checked for who may reach it; generated from the URL configuration.

Each named URL must be in ``ROUTES`` (how to build it from 芙蓉区's records, and whether it writes), in
``PUBLIC`` (with the reason it needs no login), or in the admin site (checked as a group): a new URL
that is in none of them fails :func:`test_every_url_is_covered`. For each route:

- anonymous: a redirect to the login page (401 for the API);
- 芙蓉区's own staff: reaches it (a control, so the 404s below are not just a bad URL);
- 岳麓区's staff (a sibling county): 404 on 芙蓉区's records; on pages about their own federation,
  none of 芙蓉区's titles;
- 长沙市's leader (who may read 芙蓉区) POSTing to every writing URL: 404, and nothing changed
  in the database; 岳麓区's staff, who may write their own records, the same on 芙蓉区's.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern
from django.utils import timezone
from PIL import Image

from activities import services as activity_services
from activities.models import Activity, ActivityStatus, ActivityType, CalendarFeed
from assessments import services as assessment_services
from evidence import services as evidence_services
from fedwork.context_processors import SESSION_YEAR_KEY
from fedwork.models import Role
from plans.models import PlanStatus
from submissions.models import Notification, Submission, SubmissionStatus
from tests import factories

BEIJING = ZoneInfo("Asia/Shanghai")
LOGIN_URL = "/accounts/login/"
ADMIN_LOGIN_URL = "/admin/login/"
# Words that appear only in 芙蓉区's records: a sibling's page showing one has leaked them.
SECRET_PLAN = "芙蓉区机密草稿要点"
SECRET_PUBLISHED = "芙蓉区机密已发布要点"
SECRET_POINT = "芙蓉区机密工作要点"
SECRET_ACTIVITY = "芙蓉区机密培训活动"
SECRETS = [SECRET_PLAN, SECRET_PUBLISHED, SECRET_POINT, SECRET_ACTIVITY]


def _walk(resolver: URLResolver, prefix: str = "", namespaces: tuple[str, ...] = ()):
    """(qualified name or None, route text, pattern) of every URL pattern, nested includes too."""
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern, route, namespaces + ((pattern.namespace,) if pattern.namespace else ()))
        elif isinstance(pattern, URLPattern):
            name = ":".join(namespaces + (pattern.name,)) if pattern.name else None
            yield name, route, pattern


ALL_PATTERNS = list(_walk(get_resolver()))


@dataclass(frozen=True)
class Route:
    """How to reach a URL with 芙蓉区's records, and what it does."""

    # "object": about one of 芙蓉区's records (a sibling gets a 404); "own": about the user's own
    # federation or account (a sibling gets their own page, which must not show 芙蓉区's records).
    scope: str
    kwargs: Callable[[dict], dict[str, Any]] = lambda objects: {}
    query: Callable[[dict], dict[str, Any]] = lambda objects: {}
    # Changes records: leaders (and, for objects, a sibling's staff) must be refused.
    writes: bool = False
    post_only: bool = False
    # Data that a permitted user's POST would get saved with.
    post: Callable[[dict], dict[str, Any]] = lambda objects: {}
    api: bool = False
    # Who may use it on 芙蓉区's records (the control that the URL is built right).
    owner: str = "furong_staff"
    # What the owner gets: the page, or (for a POST-only action or a page that forwards) a redirect.
    reached: int = 200
    # An evidence file answers anonymous visitors with a 404, not a login redirect (issue #16).
    anonymous_404: bool = False


def _plan(key):
    return lambda o: {"pk": o[key].pk}


def _draft_point(o):
    return {"pk": o["point"].pk}


def _draft_target(o):
    return {"pk": o["target"].pk}


def _activity_data(o):
    return {
        "type": o["activity_type"].pk,
        "title": "被篡改的活动",
        "status": ActivityStatus.DONE,
        "actual_start": f"{o['year']}-01-05 09:00",
        "place": "x",
    }


def _target_data(o):
    return {
        "indicator": o["indicator"].pk,
        "comparator": ">=",
        "value": "7",
        "cadence": "year",
        "weight": "1",
    }


FURONG = "430102"

ROUTES: dict[str, Route] = {
    # fedwork
    "home": Route("own"),
    "set-year": Route("own", post_only=True, post=lambda o: {"year": o["year"], "next": "/"}, reached=302),
    "federation-browse": Route("own", reached=302),  # to the user's own federation
    "federation-detail": Route("object", kwargs=lambda o: {"code": FURONG}),
    "password_change": Route("own"),
    "password_change_done": Route("own"),
    # plans
    "plans:index": Route("own"),
    "plans:create": Route("own", writes=True, post=lambda o: {"title": "领导新建的计划"}),
    "plans:import": Route("own", writes=True),
    "plans:detail": Route("object", kwargs=_plan("draft")),
    "plans:edit": Route("object", kwargs=_plan("draft"), writes=True, post=lambda o: {"title": "被篡改"}),
    "plans:delete": Route("object", kwargs=_plan("draft"), writes=True),
    "plans:publish": Route("object", kwargs=_plan("draft"), writes=True, post_only=True, reached=302),
    # Reopening is for the plan's own leaders and admins (not staff, not leaders above).
    "plans:reopen": Route(
        "object",
        kwargs=_plan("published"),
        writes=True,
        post_only=True,
        post=lambda o: {"reason": "x"},
        owner="furong_leader",
        reached=302,
    ),
    "plans:archive": Route("object", kwargs=_plan("published"), writes=True, post_only=True, reached=302),
    "plans:point-create": Route(
        "object",
        kwargs=lambda o: {"plan_pk": o["draft"].pk},
        writes=True,
        post=lambda o: {"label": "9", "title": "被添加的要点"},
    ),
    "plans:point-edit": Route(
        "object", kwargs=_draft_point, writes=True, post=lambda o: {"label": "1", "title": "被篡改"}
    ),
    "plans:point-delete": Route("object", kwargs=_draft_point, writes=True),
    "plans:point-move": Route(
        "object",
        kwargs=_draft_point,
        writes=True,
        post_only=True,
        post=lambda o: {"direction": "down"},
        reached=302,
    ),
    "plans:target-create": Route(
        "object", kwargs=lambda o: {"point_pk": o["point"].pk}, writes=True, post=_target_data
    ),
    "plans:target-edit": Route("object", kwargs=_draft_target, writes=True, post=_target_data),
    "plans:target-delete": Route("object", kwargs=_draft_target, writes=True),
    "plans:target-split": Route(
        "object",
        kwargs=_draft_target,
        writes=True,
        post=lambda o: {f"fed_{o['dingwangtai'].pk}": "5"},
    ),
    # activities
    "activities:index": Route("own", reached=302),  # to the calendar
    "activities:calendar": Route("own"),
    "activities:list": Route("own"),
    "activities:create": Route("own", writes=True, post=_activity_data),
    "activities:detail": Route("object", kwargs=lambda o: {"pk": o["activity"].pk}),
    "activities:edit": Route(
        "object", kwargs=lambda o: {"pk": o["activity"].pk}, writes=True, post=_activity_data
    ),
    "activities:delete": Route("object", kwargs=lambda o: {"pk": o["activity"].pk}, writes=True),
    # GET shows the private feed address, POST replaces its token.
    "activities:feed": Route("own", writes=True),
    "activities:import-template": Route("object", query=lambda o: {"federation": FURONG, "year": o["year"]}),
    "activities:import": Route("own", writes=True),
    # Without an uploaded file to confirm, back to the upload page.
    "activities:import-confirm": Route("own", writes=True, post_only=True, reached=302),
    # reports
    "reports:index": Route("own", reached=302),  # to the user's own dashboard
    "reports:dashboard": Route("object", kwargs=lambda o: {"code": FURONG}),
    "reports:export": Route("object", kwargs=lambda o: {"code": FURONG}),
    "reports:summary": Route("object", kwargs=lambda o: {"code": FURONG}),
    "reports:summary-docx": Route("object", kwargs=lambda o: {"code": FURONG}),
    # The change log of a subtree is for its admins.
    "reports:audit": Route("object", kwargs=lambda o: {"code": FURONG}, owner="hunan_admin"),
    # periodic reports
    "submissions:index": Route("own"),
    # Without a schedule from above: refused with a message, back to the list.
    "submissions:submit": Route(
        "own", writes=True, post_only=True, post=lambda o: {"frequency": "month", "number": "1"}, reached=302
    ),
    "submissions:schedule": Route(
        "own",
        writes=True,
        post=lambda o: {
            "month_on": "on",
            "month_day": "5",
            "quarter_day": "5",
            "half_day": "5",
            "year_day": "5",
        },
    ),
    "submissions:detail": Route("object", kwargs=lambda o: {"pk": o["submission"].pk}),
    # 定王台's report is reviewed by 芙蓉区's leaders, not by 长沙市's nor by a sibling.
    "submissions:review": Route(
        "object",
        kwargs=lambda o: {"pk": o["submission"].pk},
        writes=True,
        post_only=True,
        post=lambda o: {"decision": "approve", "seen_version": o["submission"].version},
        owner="furong_leader",
        reached=302,
    ),
    "submissions:completeness": Route(
        "object", kwargs=lambda o: {"code": FURONG, "frequency": "month", "number": 1}
    ),
    # The burden ledger is for the leaders and admins at and above the federation.
    "submissions:burden": Route("object", kwargs=lambda o: {"code": FURONG}, owner="furong_leader"),
    "submissions:notifications": Route("own"),
    "submissions:notification-read": Route(
        "object", kwargs=lambda o: {"pk": o["notification"].pk}, post_only=True, reached=302
    ),
    "submissions:notifications-read-all": Route("own", post_only=True, reached=302),
    "submissions:reminders": Route("own"),
    # evidence files (佐证材料): served only through the access rule
    "evidence:upload": Route(
        "object", kwargs=lambda o: {"pk": o["activity"].pk}, writes=True, post_only=True, reached=302
    ),
    "evidence:file": Route("object", kwargs=lambda o: {"pk": o["attachment"].pk}, anonymous_404=True),
    "evidence:thumbnail": Route("object", kwargs=lambda o: {"pk": o["attachment"].pk}, anonymous_404=True),
    "evidence:delete": Route(
        "object", kwargs=lambda o: {"pk": o["attachment"].pk}, writes=True, post_only=True, reached=302
    ),
    # Storage use of a subtree is for its administrators.
    "evidence:storage": Route("object", kwargs=lambda o: {"code": FURONG}, owner="hunan_admin"),
    # the year-end assessment (考核): 长沙市 assesses 芙蓉区 (self-assessment under way); 芙蓉区's own
    # draft scheme for 定王台街道. Reviewers (the assessing federation's leaders) do write: not "writes".
    "assessments:index": Route("own"),
    "assessments:scheme-create": Route(
        "object", kwargs=lambda o: {"code": FURONG}, post_only=True, owner="furong_leader", reached=302
    ),
    "assessments:scheme": Route("object", kwargs=lambda o: {"pk": o["scheme"].pk}, owner="furong_leader"),
    # Without a file: refused with a message, back to the scheme.
    "assessments:scheme-import": Route(
        "object", kwargs=lambda o: {"pk": o["scheme"].pk}, post_only=True, owner="furong_leader", reached=302
    ),
    "assessments:scheme-publish": Route(
        "object", kwargs=lambda o: {"pk": o["scheme"].pk}, post_only=True, owner="furong_leader", reached=302
    ),
    "assessments:results": Route("object", kwargs=lambda o: {"pk": o["scheme"].pk}, owner="furong_leader"),
    "assessments:detail": Route("object", kwargs=lambda o: {"pk": o["assessment"].pk}),
    "assessments:table-xlsx": Route("object", kwargs=lambda o: {"pk": o["assessment"].pk}),
    # Not final yet: back to the assessment with a message.
    "assessments:letter-docx": Route("object", kwargs=lambda o: {"pk": o["assessment"].pk}, reached=302),
    "assessments:self": Route("object", kwargs=lambda o: {"pk": o["assessment"].pk}, writes=True),
    # Not submitted yet: the reviewer is sent back to the assessment with a message.
    "assessments:review": Route(
        "object", kwargs=lambda o: {"pk": o["assessment"].pk}, owner="changsha_leader", reached=302
    ),
    "assessments:accept": Route(
        "object", kwargs=lambda o: {"pk": o["assessment"].pk}, writes=True, post_only=True, reached=302
    ),
    "assessments:finalize": Route(
        "object",
        kwargs=lambda o: {"pk": o["assessment"].pk},
        post_only=True,
        owner="changsha_leader",
        reached=302,
    ),
    "assessments:objection": Route(
        "object",
        kwargs=lambda o: {"pk": o["score"].pk},
        writes=True,
        post_only=True,
        post=lambda o: {"reason": "不同意"},
        reached=302,
    ),
    "assessments:answer": Route(
        "object",
        kwargs=lambda o: {"pk": o["score"].pk},
        post_only=True,
        post=lambda o: {"answer": "维持"},
        owner="changsha_leader",
        reached=302,
    ),
    # the JSON API
    "api:rollup_view": Route("object", kwargs=lambda o: {"code": FURONG, "year": o["year"]}, api=True),
    "api:completeness_view": Route(
        "object",
        kwargs=lambda o: {"code": FURONG, "year": o["year"], "frequency": "month", "number": 1},
        api=True,
    ),
}

PUBLIC = {
    "healthz": "the load balancers' probe: says only whether the database answers",
    "login": "the login page itself",
    "logout": "logging out needs no login (POST only; it ends whatever session there is)",
    "activities:ical": "phones cannot log in: the unguessable token in the URL is the key (checked below)",
    "api:openapi-json": "the API's description only, no data; every operation it lists requires a session",
    "api:api-root": "django-ninja's root prefix: no view of its own, answers 404 (checked below)",
}

WRITING = sorted(name for name, route in ROUTES.items() if route.writes)
WRITING_OBJECTS = sorted(name for name, route in ROUTES.items() if route.writes and route.scope == "object")
OBJECT_ROUTES = sorted(name for name, route in ROUTES.items() if route.scope == "object")
OWN_ROUTES = sorted(name for name, route in ROUTES.items() if route.scope == "own")


@pytest.fixture
def furong(tree, people, settings, tmp_path):
    """芙蓉区's records this year: a draft plan with a point and a target, last year's published plan,
    an activity with a figure, and the calendar feeds of 芙蓉区 and 长沙市."""
    year = timezone.localdate().year
    indicator = factories.indicator("PX02", "培训妇女人数", "人", tree["nation"])
    draft = factories.plan(tree["furong"], year=year, title=SECRET_PLAN)
    point = factories.point(draft, SECRET_POINT, label="1")
    factories.point(draft, "第二个要点", label="2", order=2)
    target = factories.target(point, indicator, 300)
    published = factories.plan(
        tree["furong"], year=year - 1, title=SECRET_PUBLISHED, status=PlanStatus.PUBLISHED
    )
    factories.target(factories.point(published, SECRET_POINT, label="1"), indicator, 100)
    activity_type = ActivityType.objects.filter(is_active=True).first()
    activity = Activity(
        federation=tree["furong"],
        year=year,
        type=activity_type,
        title=SECRET_ACTIVITY,
        status=ActivityStatus.DONE,
        actual_start=datetime.combine(timezone.localdate(), time(9), tzinfo=BEIJING),
        is_main=True,
    )
    activity_services.activity_save(activity=activity, figures={indicator: Decimal(40)}, by=None)
    settings.MEDIA_ROOT = tmp_path / "media"
    photo = BytesIO()
    Image.new("RGB", (64, 48), "teal").save(photo, "JPEG")
    (attachment,) = evidence_services.attachments_upload(
        activity=activity, files=[SimpleUploadedFile("合影.jpg", photo.getvalue())], by=people["furong_staff"]
    )
    furong_leader = factories.user("furong-leader", tree["furong"], Role.LEADER)
    township_staff = factories.user("dingwangtai-staff", tree["dingwangtai"], Role.STAFF)
    submission = Submission.objects.create(
        federation=tree["dingwangtai"],
        year=year - 1,
        frequency="month",
        number=12,
        status=SubmissionStatus.SUBMITTED,
        due_date=date(year, 1, 5),
        first_submitted_at=timezone.now(),
        submitted_at=timezone.now(),
        submitted_by=township_staff,
    )
    notification = Notification.objects.create(
        user=people["furong_staff"], text=SECRET_ACTIVITY, url=submission.get_absolute_url()
    )
    feeds = {
        code: CalendarFeed.objects.create(federation=tree[code]) for code in ("furong", "changsha", "yuelu")
    }
    scheme = assessment_services.scheme_create(
        federation=tree["furong"], year=year, name="芙蓉区考核", by=None
    )
    city_scheme = assessment_services.scheme_create(
        federation=tree["changsha"], year=year, name="长沙市考核", by=None
    )
    assessment_services.scheme_save(
        scheme=city_scheme,
        areas=[
            assessment_services.AreaDraft(
                "组织建设", [assessment_services.ItemDraft("妇女之家", Decimal(10))]
            )
        ],
        by=None,
    )
    assessment = next(
        a
        for a in assessment_services.scheme_publish(scheme=city_scheme, by=None)
        if a.federation == tree["furong"]
    )
    return {
        "year": year,
        "indicator": indicator,
        "draft": draft,
        "point": point,
        "target": target,
        "published": published,
        "activity": activity,
        "attachment": attachment,
        "activity_type": activity_type,
        "dingwangtai": tree["dingwangtai"],
        "feeds": feeds,
        "submission": submission,
        "notification": notification,
        "scheme": scheme,
        "assessment": assessment,
        "score": assessment.scores.get(),
        "people": {**people, "furong_leader": furong_leader},
    }


def _url(name: str, objects: dict) -> str:
    route = ROUTES[name]
    url = reverse(name, kwargs=route.kwargs(objects))
    query = route.query(objects)
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def _as(client, user, year):
    client.force_login(user)
    session = client.session
    session[SESSION_YEAR_KEY] = year
    session.save()
    return client


def _snapshot() -> dict[str, list[dict]]:
    """Every row of every model of the project's apps (history tables included)."""
    rows = {}
    for label in ("fedwork", "plans", "activities", "reports", "submissions", "evidence", "assessments"):
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models():
            rows[model._meta.label] = list(model.objects.order_by("pk").values())
    return rows


def _assert_login_redirect(response, login_url: str) -> None:
    assert response.status_code == 302, response.status_code
    assert response.url.startswith(login_url), response.url


# --- The table covers the URL configuration ----------------------------------------------------------


def test_every_url_is_covered():
    uncovered = []
    for name, route, _pattern in ALL_PATTERNS:
        if route.startswith("admin/"):
            continue  # the admin site: checked as a group below
        if name is None or (name not in ROUTES and name not in PUBLIC):
            uncovered.append(f"{name or '(unnamed)'} {route}")
    assert not uncovered, "URLs without an access check (add them to ROUTES or PUBLIC): " + ", ".join(
        uncovered
    )
    names = {name for name, _route, _pattern in ALL_PATTERNS}
    stale = sorted((set(ROUTES) | set(PUBLIC)) - names)
    assert not stale, f"ROUTES/PUBLIC name URLs that no longer exist: {stale}"
    assert not set(ROUTES) & set(PUBLIC)


# --- Anonymous visitors --------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_anonymous_is_sent_to_login(name, client, furong):
    route = ROUTES[name]
    url = _url(name, furong)
    before = _snapshot()
    response = client.post(url, route.post(furong)) if route.post_only else client.get(url)
    if route.api:
        assert response.status_code == 401
    elif route.anonymous_404:
        assert response.status_code == 404, response.status_code
    else:
        _assert_login_redirect(response, LOGIN_URL)
    if route.writes:
        response = client.post(url, route.post(furong))
        _assert_login_redirect(response, LOGIN_URL)
    assert _snapshot() == before


# --- The owner: a control that the table builds working URLs --------------------------------------


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_owner_reaches_it(name, client, people, furong):
    route = ROUTES[name]
    client = _as(client, furong["people"][route.owner], furong["year"])
    url = _url(name, furong)
    response = client.post(url, route.post(furong)) if route.post_only else client.get(url)
    assert response.status_code == route.reached, response.status_code


# --- A sibling county ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", OBJECT_ROUTES)
def test_sibling_gets_404_on_records(name, client, people, furong):
    route = ROUTES[name]
    client = _as(client, people["yuelu_staff"], furong["year"])
    before = _snapshot()
    url = _url(name, furong)
    response = client.post(url, route.post(furong)) if route.post_only else client.get(url)
    assert response.status_code == 404, response.status_code
    for secret in SECRETS:
        assert secret not in response.content.decode(errors="replace")
    assert _snapshot() == before


@pytest.mark.parametrize("name", OWN_ROUTES)
def test_sibling_pages_do_not_show_records(name, client, people, furong):
    route = ROUTES[name]
    client = _as(client, people["yuelu_staff"], furong["year"])
    url = _url(name, furong)
    if route.post_only:
        response = client.post(url, route.post(furong), follow=True)
    else:
        response = client.get(url, follow=True)
    assert response.status_code == 200, response.status_code
    content = response.content.decode(errors="replace")
    leaked = [secret for secret in SECRETS if secret in content]
    assert not leaked, f"岳麓区's {name} shows 芙蓉区's {leaked}"


@pytest.mark.parametrize("name", WRITING_OBJECTS)
def test_sibling_staff_cannot_write_records(name, client, people, furong):
    route = ROUTES[name]
    client = _as(client, people["yuelu_staff"], furong["year"])
    before = _snapshot()
    response = client.post(_url(name, furong), route.post(furong))
    assert response.status_code == 404, response.status_code  # refusals are 404s, as for outsiders
    assert _snapshot() == before


# --- A leader above (reads 芙蓉区, edits nothing) ----------------------------------------------------


@pytest.mark.parametrize("name", WRITING)
def test_leader_cannot_write(name, client, people, furong):
    route = ROUTES[name]
    client = _as(client, people["changsha_leader"], furong["year"])
    if route.scope == "object" and not route.post_only:
        # The leader may read the record: the refusal below is about writing, not about reach.
        read = client.get(_url(name, furong))
        assert read.status_code == 404, read.status_code  # the form: no page for those who may not write
    before = _snapshot()
    response = client.post(_url(name, furong), route.post(furong))
    assert response.status_code == 404, response.status_code  # refusals are 404s, as for outsiders
    assert _snapshot() == before


def test_leader_reads_the_county_records(client, people, furong):
    """The leader's 404s above are refusals to write: reading the same records works."""
    client = _as(client, people["changsha_leader"], furong["year"])
    for name in ["plans:detail", "activities:detail", "reports:dashboard", "federation-detail"]:
        assert client.get(_url(name, furong)).status_code == 200, name


# --- Public URLs --------------------------------------------------------------------------------


def test_public_urls_need_no_login(client, furong):
    assert client.get(reverse("login")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    feed = client.get(furong["feeds"]["furong"].get_absolute_url())
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    assert SECRET_ACTIVITY in feed.content.decode()
    assert client.get(reverse("activities:ical", kwargs={"token": "x" * 43})).status_code == 404
    # The sibling's feed lists its own activities, not 芙蓉区's.
    assert SECRET_ACTIVITY not in client.get(furong["feeds"]["yuelu"].get_absolute_url()).content.decode()
    schema = client.get(reverse("api:openapi-json"))
    assert schema.status_code == 200 and "paths" in schema.json()
    assert client.get(reverse("api:api-root")).status_code == 404


# --- The admin site -----------------------------------------------------------------------------

# Example paths of the admin's regular-expression patterns, recognised by a telling part of the regex
# (the list of apps in the app index changes with INSTALLED_APPS); the rest are built from their routes.
ADMIN_REGEX_EXAMPLES = [
    ("(?P<app_label>", "/admin/plans/"),
    ("/history/([^/]+)/$", "/admin/activities/activity/1/history/1/"),
    ("(?P<url>.*)$", "/admin/no-such-page/"),
]


def _admin_example(route: str, pattern) -> str:
    if isinstance(pattern.pattern, RegexPattern):
        for part, example in ADMIN_REGEX_EXAMPLES:
            if part in route:
                return example
        raise AssertionError(f"add an example path for the admin pattern {route!r}")
    return "/" + re.sub(r"<(?:\w+:)?\w+>", "1", route)


ADMIN_PATHS = sorted(
    {
        (name or "(unnamed)", _admin_example(route, pattern))
        for name, route, pattern in ALL_PATTERNS
        if route.startswith("admin/")
    }
)


@pytest.mark.parametrize(("name", "path"), ADMIN_PATHS, ids=[f"{n} {p}" for n, p in ADMIN_PATHS])
def test_admin_site_is_for_admins_only(name, path, client, people, tree):
    # Logging out of the admin site sends non-staff to its index, which sends them on to the login.
    login_url = reverse("admin:index") if name == "admin:logout" else ADMIN_LOGIN_URL
    if name == "admin:login":
        # Anonymous visitors: see test_admin_login_page_opens below; others get the form, not the site.
        for persona in ("changsha_leader", "furong_staff"):
            client.force_login(people[persona])
            response = client.get(path)
            assert response.status_code == 200 and "app_list" not in response.context
        return
    _assert_login_redirect(client.get(path), login_url)
    for persona in ("changsha_leader", "furong_staff"):
        client.force_login(people[persona])
        _assert_login_redirect(client.get(path), login_url)
        client.logout()


def test_admin_login_page_opens(client, tree):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()


def test_admin_cannot_open_a_federation_outside_their_subtree(client, people, tree):
    client.force_login(people["hunan_admin"])
    url = reverse("admin:fedwork_federation_change", args=[tree["lixia"].pk])
    response = client.get(url)
    assert response.status_code == 302 and response.url == reverse("admin:index")
    own = client.get(reverse("admin:fedwork_federation_change", args=[tree["furong"].pk]))
    assert own.status_code == 200
