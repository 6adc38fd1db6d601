"""Double submissions and edits without a version (issue #13, finding 10).

- Two identical POSTs of the new-activity form (a double click, a resent page) created two
  activities: the form now carries a one-time token, and the second POST saves nothing.
- An edit POSTed without its version field was saved over a newer save: the version is required.
"""

import re
import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from activities.models import Activity, SubmissionToken
from fedwork.concurrency import ALREADY_SUBMITTED_MESSAGE, STALE_MESSAGE
from tests import factories

PARALLEL = 3


@pytest.fixture
def staff(people, login):
    client = login(people["furong_staff"])
    client.post(reverse("set-year"), {"year": "2013"})
    return client


def _data(activity_type, token=None, **extra):
    data = {
        "type": activity_type.pk,
        "title": "芙蓉区妇女创业培训班",
        "status": "done",
        "actual_start": "2013-05-10T09:00",
        "place": "芙蓉区妇女儿童之家",
        **extra,
    }
    if token is not None:
        data["form_token"] = token
    return data


def _token(client) -> str:
    page = client.get(reverse("activities:create")).content.decode()
    return re.search(r'name="form_token" value="([^"]+)"', page).group(1)


def test_the_form_carries_a_fresh_token_each_time(staff, training):
    assert _token(staff) != _token(staff)


def test_two_identical_posts_create_one_activity(staff, training):
    token = _token(staff)
    first = staff.post(reverse("activities:create"), _data(training, token))
    activity = Activity.objects.get()
    assert first.status_code == 302 and first.url == activity.get_absolute_url()

    second = staff.post(reverse("activities:create"), _data(training, token), follow=True)

    assert Activity.objects.count() == 1
    assert second.redirect_chain[0][0] == activity.get_absolute_url()
    assert str(ALREADY_SUBMITTED_MESSAGE) in second.content.decode()


def test_a_refused_form_keeps_its_token_usable(staff, training):
    token = _token(staff)
    refused = staff.post(reverse("activities:create"), _data(training, token, title=""))
    assert refused.status_code == 200 and Activity.objects.count() == 0
    assert f'value="{token}"' in refused.content.decode()
    assert staff.post(reverse("activities:create"), _data(training, token)).status_code == 302
    assert Activity.objects.count() == 1


def test_two_forms_create_two_activities(staff, training):
    for _ in range(2):
        staff.post(reverse("activities:create"), _data(training, _token(staff)))
    assert Activity.objects.count() == 2


@pytest.mark.parametrize("token", ["x", "a" * 65, "abc\x00defghijklmnopq", "①" * 20])
def test_a_malformed_token_is_a_form_error_not_a_500(staff, training, token):
    response = staff.post(reverse("activities:create"), _data(training, token))
    assert response.status_code == 200 and Activity.objects.count() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's concurrency")
@pytest.mark.django_db(transaction=True)
def test_concurrent_identical_posts_create_one_activity(people, training):
    session = Client()
    session.force_login(people["furong_staff"])
    session.post(reverse("set-year"), {"year": "2013"})
    token = _token(session)
    cookies = session.cookies
    barrier, statuses, errors = threading.Barrier(PARALLEL), [], []

    def post():
        client = Client()
        client.cookies = cookies
        try:
            barrier.wait()
            statuses.append(client.post(reverse("activities:create"), _data(training, token)).status_code)
        except BaseException as error:  # reported to the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == [] and statuses == [302] * PARALLEL
    assert Activity.objects.count() == 1
    assert SubmissionToken.objects.get(token=token).result_url == Activity.objects.get().get_absolute_url()


# --- Edits must carry the version they were opened with --------------------------------------------


def test_an_activity_edit_without_its_version_saves_nothing(staff, training):
    staff.post(reverse("activities:create"), _data(training, _token(staff)))
    activity = Activity.objects.get()
    response = staff.post(
        reverse("activities:edit", args=[activity.pk]), _data(training, title="无版本的修改")
    )
    assert response.status_code == 200
    assert str(STALE_MESSAGE) in response.content.decode()
    activity.refresh_from_db()
    assert activity.title == "芙蓉区妇女创业培训班"
    ok = staff.post(
        reverse("activities:edit", args=[activity.pk]),
        _data(training, title="有版本的修改", seen_version=activity.version),
    )
    assert ok.status_code == 302
    activity.refresh_from_db()
    assert activity.title == "有版本的修改"


@pytest.fixture
def draft(tree):
    indicator = factories.indicator("PX02", "培训妇女人数", "人", tree["nation"])
    plan = factories.plan(tree["furong"], year=2013, title="芙蓉区妇联2013年工作要点")
    point = factories.point(plan, "原来的要点", label="1")
    return {
        "plan": plan,
        "point": point,
        "target": factories.target(point, indicator, 300),
        "indicator": indicator,
    }


@pytest.mark.parametrize(
    ("url_name", "key", "data"),
    [
        ("plans:edit", "plan", lambda d: {"title": "无版本的修改"}),
        ("plans:point-edit", "point", lambda d: {"label": "1", "title": "无版本的修改"}),
        (
            "plans:target-edit",
            "target",
            lambda d: {
                "indicator": d["indicator"].pk,
                "comparator": ">=",
                "value": "9",
                "cadence": "year",
                "weight": "1",
            },
        ),
    ],
)
def test_plan_edits_without_their_version_save_nothing(staff, draft, url_name, key, data):
    record = draft[key]
    before = type(record).objects.filter(pk=record.pk).values().get()
    response = staff.post(reverse(url_name, args=[record.pk]), data(draft))
    assert response.status_code == 200
    assert str(STALE_MESSAGE) in response.content.decode()
    assert type(record).objects.filter(pk=record.pk).values().get() == before
    saved = staff.post(reverse(url_name, args=[record.pk]), {**data(draft), "seen_version": record.version})
    assert saved.status_code == 302
