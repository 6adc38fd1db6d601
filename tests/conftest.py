"""Personas shared by every test: one per role and place in the tree.

- hunan_leader / hunan_admin / hunan_staff: the province (ancestors of Changsha's counties);
- changsha_leader: the city;
- furong_staff: a county's staff member; yuelu_staff: a sibling county's;
- lixia_staff: a cousin in another province; superuser: sees everything.
"""

import importlib
import os

import pytest
from hypothesis import HealthCheck, settings

from fedwork.models import Role
from tests import factories

# Property tests draw the same examples on every run, so a CI failure replays on any machine; set
# HYPOTHESIS_PROFILE=explore to draw new ones while hunting for bugs. No clock in either: Hypothesis's
# 200 ms deadline per example and its too-slow health check are wall-time asserts, and they failed a
# pure-Python scoring property on a machine at load 9 (CI runs the SQLite and PostgreSQL suites at once).
TIMELESS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("repeatable", derandomize=True, database=None, **TIMELESS)
settings.register_profile("explore", **TIMELESS)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture
def tree(db):
    return factories.build_tree()


@pytest.fixture
def people(tree):
    return {
        "superuser": factories.user("root", None, is_superuser=True),
        "hunan_admin": factories.user("hunan-admin", tree["hunan"], Role.ADMIN),
        "hunan_leader": factories.user("hunan-leader", tree["hunan"], Role.LEADER),
        "hunan_staff": factories.user("hunan-staff", tree["hunan"], Role.STAFF),
        "changsha_leader": factories.user("changsha-leader", tree["changsha"], Role.LEADER),
        "furong_staff": factories.user("furong-staff", tree["furong"], Role.STAFF),
        "yuelu_staff": factories.user("yuelu-staff", tree["yuelu"], Role.STAFF),
        "lixia_staff": factories.user("lixia-staff", tree["lixia"], Role.STAFF),
    }


@pytest.fixture
def login(client):
    """Log the test client in as a persona: ``login(people["furong_staff"])``."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture(scope="session")
def media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def uploads_in_a_temporary_folder(settings, media_root):
    # Uploaded evidence (the demo's photos too) never lands in the project's media/ folder.
    settings.MEDIA_ROOT = media_root


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The real hasher is slow by design; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _uses_transactions(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return "transactional_db" in getattr(item, "fixturenames", ()) or bool(
        marker and marker.kwargs.get("transaction")
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends with a flush that empties every table, the data migrations' rows
    included (the activity types of activities 0002): put them back for the tests that follow, in
    whatever order they run."""
    result = yield
    if nextitem is not None and _uses_transactions(item):
        from django.apps import apps as django_apps
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            importlib.import_module("activities.migrations.0002_activity_types").add_types(django_apps, None)
    return result
