import pytest
from django.contrib.auth import authenticate as django_authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from fedwork.demo import DEFAULT_PASSWORD
from fedwork.models import Federation, Level, Role, User


def authenticate(**credentials):
    # django-axes needs the request to count failed attempts.
    return django_authenticate(RequestFactory().post("/accounts/login/"), **credentials)


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)


def test_demo_hierarchy(seeded):
    hunan = Federation.objects.get(code="43")
    assert Federation.objects.subtree(hunan).filter(level=Level.CITY).count() == 14
    assert Federation.objects.subtree(hunan).filter(level=Level.COUNTY).count() == 134
    assert (
        Federation.objects.children_of(Federation.objects.get(code="430102"))
        .filter(level=Level.TOWNSHIP)
        .exists()
    )
    assert (
        Federation.objects.children_of(Federation.objects.get(code="430104"))
        .filter(level=Level.TOWNSHIP)
        .exists()
    )
    assert Federation.objects.filter(code__in=["37", "3701", "370102", "35", "3501"]).count() == 5
    assert not Federation.objects.filter(code="3702").exists()
    assert Federation.objects.children_of(hunan).filter(level=Level.UNIT).count() == 3


@pytest.mark.parametrize(
    ("username", "code", "role"),
    [
        ("hunan-leader", "43", Role.LEADER),
        ("hunan-staff", "43", Role.STAFF),
        ("changsha-leader", "4301", Role.LEADER),
        ("furong-staff", "430102", Role.STAFF),
        ("yuelu-staff", "430104", Role.STAFF),
        ("lixia-staff", "370102", Role.STAFF),
    ],
)
def test_demo_accounts_log_in_with_the_default_password(seeded, username, code, role):
    user = authenticate(username=username, password=DEFAULT_PASSWORD)
    assert user is not None
    assert (user.federation.code, user.role) == (code, role)


def test_admin_is_a_superuser(seeded):
    assert User.objects.get(username="admin").is_superuser


def test_seeding_twice_duplicates_nothing_and_keeps_changed_passwords(seeded):
    counts = (Federation.objects.count(), User.objects.count())
    staff = User.objects.get(username="furong-staff")
    staff.set_password("Mine-2026-own")
    staff.save()
    call_command("seed_demo", verbosity=0)
    assert (Federation.objects.count(), User.objects.count()) == counts
    assert authenticate(username="furong-staff", password="Mine-2026-own") is not None


def test_once_keeps_what_users_entered(seeded, capsys):
    Federation.objects.filter(code="430102").update(name="用户改过的名字")
    call_command("seed_demo", "--once")
    assert "已存在" in capsys.readouterr().out
    assert Federation.objects.get(code="430102").name == "用户改过的名字"


def test_explicit_password(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", "--password", "Another-9876", verbosity=0)
    assert authenticate(username="hunan-leader", password="Another-9876") is not None


def test_refuses_to_run_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.exists()
    call_command("seed_demo", "--force", verbosity=0)
    assert User.objects.filter(username="admin").exists()
