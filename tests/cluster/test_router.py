"""The replica router's choices (fedwork/db_router.py) with a ``replica`` alias added for each test.

The suite runs without DATABASE_REPLICA_URL; here the alias points at a SQLite file never queried:
these tests ask the router where a read would go. test_router_pages.py sends pages through it.
"""

import time

import pytest
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, router, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from activities.models import Activity
from fedwork import db_router
from fedwork.db_router import REPLICA, WROTE_AT_SESSION_KEY, reads_from_replica
from fedwork.models import Federation, User
from fedwork.views import server_error


def add_alias(path) -> None:
    """A ``replica`` alias on a SQLite file, with Django's defaults filled in."""
    # configure_settings fills in Django's defaults; it insists on a default alias beside.
    configured = connections.configure_settings(
        {DEFAULT_DB_ALIAS: {}, REPLICA: {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}}
    )
    connections.settings[REPLICA] = configured[REPLICA]


def remove_alias() -> None:
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


@pytest.fixture
def replica_alias(tmp_path):
    """A replica alias whose database is never queried (the decision tests)."""
    add_alias(tmp_path / "unused.sqlite3")
    yield
    remove_alias()


def choices_in_marked_view(request) -> dict:
    """What the router decides inside a marked view for this request."""
    seen = {}

    @reads_from_replica
    def view(request):
        seen["federation"] = router.db_for_read(Federation)
        seen["activity_write"] = router.db_for_write(Activity)
        seen["user"] = router.db_for_read(User)
        seen["session"] = router.db_for_read(session_model())
        return HttpResponse()

    view(request)
    return seen


def session_model():
    from django.contrib.sessions.models import Session

    return Session


def marked_request(method="get", wrote_at=None):
    request = getattr(RequestFactory(), method)("/reports/4301/")
    request.session = {} if wrote_at is None else {WROTE_AT_SESSION_KEY: wrote_at}
    return request


def test_without_a_replica_every_read_goes_to_the_primary():
    assert not db_router.replica_configured()
    assert choices_in_marked_view(marked_request())["federation"] == DEFAULT_DB_ALIAS
    assert router.db_for_read(Federation) == DEFAULT_DB_ALIAS


def test_a_marked_view_reads_from_the_replica_and_writes_to_the_primary(replica_alias):
    choices = choices_in_marked_view(marked_request())
    assert choices["federation"] == REPLICA
    assert choices["activity_write"] == DEFAULT_DB_ALIAS
    # The signed-in user and the session are read where they were just written.
    assert choices["user"] == DEFAULT_DB_ALIAS
    assert choices["session"] == DEFAULT_DB_ALIAS


def test_an_unmarked_view_reads_from_the_primary(replica_alias):
    assert router.db_for_read(Federation) == DEFAULT_DB_ALIAS


def test_a_post_reads_from_the_primary(replica_alias):
    assert choices_in_marked_view(marked_request("post"))["federation"] == DEFAULT_DB_ALIAS


def test_read_your_writes_within_the_window_then_the_replica_again(replica_alias, settings):
    settings.FEDWORK_REPLICA_MAX_LAG_SECONDS = 5
    assert choices_in_marked_view(marked_request(wrote_at=time.time() - 1))["federation"] == DEFAULT_DB_ALIAS
    assert choices_in_marked_view(marked_request(wrote_at=time.time() - 6))["federation"] == REPLICA


def test_a_lagging_replica_is_not_read(replica_alias, settings):
    settings.FEDWORK_REPLICA_MAX_LAG_SECONDS = 5
    db_router.state.lag = 5.5
    assert choices_in_marked_view(marked_request())["federation"] == DEFAULT_DB_ALIAS
    db_router.state.lag = 4.5
    assert choices_in_marked_view(marked_request())["federation"] == REPLICA


def test_an_unreachable_replica_is_not_read_until_the_next_check(replica_alias, settings):
    settings.FEDWORK_REPLICA_CHECK_SECONDS = 60
    db_router.state.lag = None
    assert choices_in_marked_view(marked_request())["federation"] == DEFAULT_DB_ALIAS


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_on_the_primary_reads_stay_there(replica_alias):
    seen = {}

    @reads_from_replica
    def view(request):
        with transaction.atomic():
            seen["inside"] = router.db_for_read(Federation)
        seen["after"] = router.db_for_read(Federation)
        return HttpResponse()

    view(marked_request())
    assert seen == {"inside": DEFAULT_DB_ALIAS, "after": REPLICA}


def test_a_database_that_does_not_answer_is_a_503_in_chinese():
    try:
        raise OperationalError("server login has been failing")
    except OperationalError:
        response = server_error(RequestFactory().get("/reports/4301/"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "系统暂时不可用" in response.content.decode()


def test_any_other_error_stays_a_500():
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500


@pytest.mark.django_db
def test_healthz_without_a_replica_says_nothing_of_one(client):
    assert "replica" not in client.get("/healthz").json()
