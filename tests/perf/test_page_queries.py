"""Every page reads a bounded number of queries, and the same number however many children and
activities its federation has (issue #18).

Each page is fetched by the persona it is for (the owner in tests/test_url_access.py's ROUTES, and
the leaders of the province and the city for their dashboards), its status checked, its queries
counted; then the tree grows (a new township under 芙蓉区 and a new county under 长沙市, each with
done, overdue and upcoming activities, figures and a photo, and more of 芙蓉区's own), and the count
must not change. A page's count is taken on its second visit: the first one of a session also
counts the top bar's 待办, which later pages reuse (submissions.todo.count_for_request).
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from activities import services as activity_services
from activities.models import Activity, ActivityStatus
from evidence import services as evidence_services
from fedwork.context_processors import SESSION_YEAR_KEY
from fedwork.models import Level
from submissions import todo
from tests import factories
from tests.test_url_access import BEIJING, ROUTES, _url

# The most queries each page may take, as measured (session and user included; the top bar's 待办
# count kept in the session). A page that needs more must say why here.
BOUNDS = {
    "federation-browse": 2,
    "federation-detail": 4,
    "password_change": 3,
    "password_change_done": 3,
    "plans:index": 9,
    "plans:create": 4,
    "plans:import": 3,
    "plans:detail": 17,
    "plans:edit": 7,
    "plans:delete": 10,
    "plans:point-create": 6,
    "plans:point-edit": 6,
    "plans:point-delete": 10,
    "plans:target-create": 7,
    "plans:target-edit": 7,
    "plans:target-delete": 8,
    "plans:target-split": 9,
    "activities:index": 2,
    "activities:calendar": 8,
    "activities:list": 11,
    "activities:create": 7,
    "activities:detail": 9,
    "activities:edit": 12,
    "activities:delete": 5,
    "activities:feed": 4,
    "activities:import-template": 8,
    "activities:import": 3,
    "reports:index": 2,
    "reports:export": 23,
    "reports:summary": 15,
    "reports:summary-docx": 12,
    "submissions:index": 7,
    "submissions:schedule": 4,
    "submissions:detail": 7,
    "submissions:completeness": 6,
    "submissions:burden": 8,
    "submissions:notifications": 4,
    "submissions:reminders": 4,
    "evidence:file": 3,
    "evidence:thumbnail": 3,
    "evidence:storage": 9,
    "assessments:index": 5,
    "assessments:scheme": 11,
    "assessments:results": 5,
    "assessments:detail": 9,
    "assessments:table-xlsx": 5,
    "assessments:letter-docx": 3,
    "assessments:self": 9,
    "assessments:review": 3,
    "api:rollup_view": 8,
    "api:completeness_view": 5,
    "export:city": 15,
    "summary:city": 8,
    "api:rollup:city": 4,
    "calendar:below": 11,
    # The month's counts from activities.ActivityCount: the children's ids, then their counts (issue #18).
    "calendar:city-below": 11,
    "calendar:week": 10,
    "calendar:day": 11,
    "list:below": 12,
    "list:city-below": 11,
    "home": 17,
    "reports:dashboard": 17,
    "dashboard:province": 20,
    "dashboard:city": 20,
    "dashboard:county": 17,
    "dashboard:township": 20,
    "reports:audit": 20,
}


def _route_pages():
    for name, route in ROUTES.items():
        if route.post_only:
            continue
        yield name, route.owner, (lambda o, name=name: _url(name, o)), route.reached


EXTRA_PAGES = [
    # The dashboard at each level, each read by its own leader or staff.
    ("dashboard:province", "hunan_leader", lambda o: reverse("reports:dashboard", args=["43"]), 200),
    ("dashboard:city", "changsha_leader", lambda o: reverse("reports:dashboard", args=["4301"]), 200),
    ("dashboard:county", "furong_staff", lambda o: reverse("reports:dashboard", args=["430102"]), 200),
    ("dashboard:township", "furong_staff", lambda o: reverse("reports:dashboard", args=["430102001"]), 200),
    ("export:city", "changsha_leader", lambda o: reverse("reports:export", args=["4301"]), 200),
    ("summary:city", "changsha_leader", lambda o: reverse("reports:summary", args=["4301"]), 200),
    (
        "api:rollup:city",
        "changsha_leader",
        lambda o: reverse("api:rollup_view", args=["4301", o["year"]]),
        200,
    ),
    # The calendar: the month with everything below (含下级), a week, a chosen day's list.
    ("calendar:below", "furong_staff", lambda o: reverse("activities:calendar") + "?below=on", 200),
    ("calendar:city-below", "changsha_leader", lambda o: reverse("activities:calendar") + "?below=on", 200),
    ("calendar:week", "furong_staff", lambda o: reverse("activities:calendar") + "?v=week&below=on", 200),
    ("calendar:day", "furong_staff", lambda o: _day_url(o), 200),
    ("list:below", "furong_staff", lambda o: reverse("activities:list") + "?below=on", 200),
    ("list:city-below", "changsha_leader", lambda o: reverse("activities:list") + "?below=on", 200),
]
PAGES = [*_route_pages(), *EXTRA_PAGES]


def _day_url(objects) -> str:
    today = timezone.localdate()
    return reverse("activities:calendar") + f"?m={today.month}&d={today.day}&below=on"


def _photo(name: str) -> SimpleUploadedFile:
    data = BytesIO()
    Image.new("RGB", (32, 24), "teal").save(data, "JPEG")
    return SimpleUploadedFile(name, data.getvalue())


def _activity(federation, objects, title: str, **fields) -> Activity:
    activity = Activity(
        federation=federation, year=objects["year"], type=objects["activity_type"], title=title, **fields
    )
    figures = {objects["indicator"]: Decimal(7)} if fields.get("status") == ActivityStatus.DONE else {}
    return activity_services.activity_save(activity=activity, figures=figures, by=None)


def _grow(objects, tree, people, number: int) -> None:
    """A new township under 芙蓉区 and a new county under 长沙市, each with a done activity (a figure,
    a photo), an overdue and an upcoming planned one; 芙蓉区 gets the same three of its own."""
    year = objects["year"]
    today = timezone.localdate()
    township = factories.federation(
        f"430102{300 + number}", f"新街道{number}", Level.TOWNSHIP, tree["furong"]
    )
    county = factories.federation(f"4301{70 + number}", f"新区{number}", Level.COUNTY, tree["changsha"])
    for federation in (township, county, tree["furong"]):
        done = _activity(
            federation,
            objects,
            f"培训{number}",
            status=ActivityStatus.DONE,
            actual_start=datetime.combine(today, time(10), tzinfo=BEIJING),
        )
        _activity(
            federation,
            objects,
            f"逾期{number}",
            status=ActivityStatus.PLANNED,
            planned_start=date(year, 1, 10),
        )
        _activity(
            federation,
            objects,
            f"即将{number}",
            status=ActivityStatus.PLANNED,
            planned_start=min(today + timedelta(days=1), date(year, 12, 31)),
        )
        if federation == tree["furong"]:
            evidence_services.attachments_upload(
                activity=done, files=[_photo(f"{number}.jpg")], by=people["furong_staff"]
            )


def _count(client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    return response.status_code, [query["sql"] for query in queries]


@pytest.mark.parametrize(("page", "persona", "url", "status"), PAGES, ids=[page[0] for page in PAGES])
def test_a_page_reads_the_same_few_queries_whatever_the_size(
    page, persona, url, status, furong, tree, client, monkeypatch
):
    # However slowly the tree grows on a busy machine, the top bar's count stays kept in the session.
    monkeypatch.setattr(todo, "COUNT_SECONDS", 24 * 3600)
    people = furong["people"]
    client.force_login(people[persona])
    session = client.session
    session[SESSION_YEAR_KEY] = furong["year"]
    session.save()
    _grow(furong, tree, people, 1)
    address = url(furong)
    client.get(address)  # the session's first page also counts the 待办 for the top bar
    small_status, small = _count(client, address)
    for number in (2, 3):
        _grow(furong, tree, people, number)
    large_status, large = _count(client, address)
    assert small_status == large_status == status
    grown = "\n".join(sql[:200] for sql in large if sql not in small or large.count(sql) > small.count(sql))
    assert len(large) == len(small), (
        f"{page}: {len(small)} queries with one new child, {len(large)} with three:\n{grown}"
    )
    assert len(large) <= BOUNDS[page]
