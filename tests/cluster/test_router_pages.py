"""Pages through the replica router: a second SQLite database stands in for the replica.

The suite runs without DATABASE_REPLICA_URL; this module adds a ``replica`` alias for its own
duration (it must exist before each test's database set-up): a SQLite file migrated like the
primary, holding a copy of the federations in which 芙蓉区 is renamed, so that a page says which
database it read (the 长沙市 leader's own federation comes with the user, from the primary).
"""

import time

import pytest
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext

from fedwork import db_router
from fedwork.db_router import REPLICA, WROTE_AT_SESSION_KEY
from fedwork.models import Federation

from .test_router import add_alias, choices_in_marked_view, marked_request, remove_alias

COPY = "（副本）"  # in 芙蓉区's name on the replica
BOTH = [DEFAULT_DB_ALIAS, REPLICA]


@pytest.fixture(scope="module", autouse=True)
def replica_file(tmp_path_factory, django_db_setup, django_db_blocker):
    path = tmp_path_factory.mktemp("replica") / "replica.sqlite3"
    add_alias(path)
    with django_db_blocker.unblock():
        call_command("migrate", database=REPLICA, verbosity=0)
    yield path
    remove_alias()


@pytest.fixture
def replica(tree):
    """The tree copied to the replica, with 芙蓉区 renamed there."""
    Federation.objects.using(REPLICA).bulk_create(list(Federation.objects.order_by("path")))
    Federation.objects.using(REPLICA).filter(code="430102").update(
        name=f"芙蓉区{COPY}妇女联合会", short_name=f"芙蓉区{COPY}妇联"
    )


@pytest.mark.django_db(databases=BOTH, transaction=True)
def test_the_dashboard_reads_the_replica_and_the_page_after_a_write_the_primary(replica, people, client):
    client.force_login(people["changsha_leader"])
    page = client.get("/reports/430102/").content.decode()
    assert COPY in page
    session = client.session
    session[WROTE_AT_SESSION_KEY] = time.time()
    session.save()
    page = client.get("/reports/430102/").content.decode()
    assert COPY not in page
    assert "芙蓉区妇联" in page


@pytest.mark.django_db(databases=BOTH, transaction=True)
def test_the_api_reads_the_replica_the_roll_ups_plain_sql_included(replica, people, client):
    client.force_login(people["changsha_leader"])
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary:
            response = client.get("/api/v1/rollup/430102/2013/")
    assert response.status_code == 200
    assert COPY in response.json()["name"]
    # reports.rollup reads targets and totals with plain SQL, on the connection the router names.
    assert any("plans_target" in query["sql"] for query in on_replica.captured_queries)
    assert not any("plans_target" in query["sql"] for query in on_primary.captured_queries)


@pytest.mark.django_db(databases=BOTH, transaction=True)
def test_a_post_stamps_the_session_so_the_next_page_reads_the_primary(replica, people, client, settings):
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE[:4],
        "fedwork.db_router.ReadYourWritesMiddleware",
        *settings.MIDDLEWARE[4:],
    ]
    assert settings.MIDDLEWARE[3] == "django.contrib.sessions.middleware.SessionMiddleware"
    client.force_login(people["changsha_leader"])
    client.post("/year/", {"year": 2013, "next": "/"})
    assert client.session[WROTE_AT_SESSION_KEY] > time.time() - 5
    page = client.get("/reports/430102/").content.decode()
    assert "芙蓉区妇联" in page
    assert COPY not in page


@pytest.mark.django_db(databases=BOTH, transaction=True)
def test_a_replica_that_fails_during_the_view_is_left_for_the_primary(tmp_path, tree, people, client):
    migrated = connections.settings[REPLICA]["NAME"]
    connections[REPLICA].close()
    connections.settings[REPLICA]["NAME"] = str(tmp_path / "empty.sqlite3")  # no tables: queries fail
    try:
        client.force_login(people["changsha_leader"])
        response = client.get("/reports/430102/")
        assert response.status_code == 200
        assert "芙蓉区妇联" in response.content.decode()
        assert db_router.state.lag is None
        # Until the next check, the replica is not tried again.
        assert choices_in_marked_view(marked_request())["federation"] == DEFAULT_DB_ALIAS
    finally:
        connections[REPLICA].close()
        connections.settings[REPLICA]["NAME"] = migrated


@pytest.mark.django_db(databases=BOTH, transaction=True)
def test_healthz_shows_the_replica(replica, client):
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["replica"] == {"state": "ok", "lag_seconds": 0.0, "max_lag_seconds": 5.0}
