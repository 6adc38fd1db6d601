"""The top bar's 待办 count is kept in the session for a minute (submissions.todo.count_for_request):
a page after the first one reads no query for it, the user's own writes and a new day count afresh."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.models import ActivityStatus
from submissions import todo


def _todo_queries(client) -> tuple[int, str]:
    """(queries reading the 待办's tables, the top bar's html) of one page."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("submissions:notifications"))
    assert response.status_code == 200
    html = response.content.decode()
    bar = html[html.index('data-testid="todo-count"') :][:400]
    reading = [q["sql"] for q in queries if "submissions_reportingschedule" in q["sql"]]
    return len(reading), bar


@pytest.mark.parametrize(("persona", "count"), [("furong_staff", 3), ("changsha_leader", 2)])
def test_the_second_page_reads_no_query_for_the_count(persona, count, people, scenario, login):
    client = login(people[persona])
    first, bar = _todo_queries(client)
    assert first == 1 and f">{count}</span>" in bar
    second, bar = _todo_queries(client)
    assert second == 0 and f">{count}</span>" in bar


def test_the_users_own_write_counts_afresh(people, scenario, login):
    client = login(people["furong_staff"])
    _reads, bar = _todo_queries(client)
    assert ">3</span>" in bar
    activity = scenario["activity"]
    response = client.post(
        reverse("activities:edit", args=[activity.pk]),
        {
            "type": activity.type_id,
            "title": activity.title,
            "status": ActivityStatus.DONE,
            "actual_start": "2013-06-15T09:00",
            "seen_version": activity.version,
        },
    )
    assert response.status_code == 302
    reads, bar = _todo_queries(client)
    assert reads == 1 and ">2</span>" in bar  # the overdue activity is done


def test_others_writes_show_within_a_minute(people, scenario, login, monkeypatch):
    client = login(people["changsha_leader"])
    _reads, bar = _todo_queries(client)
    assert ">2</span>" in bar
    scenario["waiting"].delete()  # as if reviewed by another leader
    assert ">2</span>" in _todo_queries(client)[1]
    clock = todo.time.time()
    monkeypatch.setattr(todo.time, "time", lambda: clock + todo.COUNT_SECONDS + 1)
    reads, bar = _todo_queries(client)
    assert reads == 1 and ">1</span>" in bar


def test_a_new_day_or_year_counts_afresh(people, scenario, login, monkeypatch):
    client = login(people["furong_staff"])
    _todo_queries(client)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2013, 7, 4))
    assert _todo_queries(client)[0] == 1
    client.post(reverse("set-year"), {"year": "2012", "next": "/"})
    assert _todo_queries(client)[0] == 1
