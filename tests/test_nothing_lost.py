"""Nothing is lost: concurrent edits are refused, not overwritten; history is kept; backups restore."""

import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse

from activities import services
from activities.models import Activity, ActivityType
from api.reports import rollup_out
from fedwork.models import Federation
from plans.models import Target
from reports.rollup import rollup
from tests import factories

BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def trained(tree):
    return factories.indicator("PX02", "培训妇女人数", "人", tree["nation"])


def activity_post(activity, **extra):
    data = {
        "type": activity.type_id,
        "title": activity.title,
        "status": "done",
        "actual_start": "2013-05-10T09:00",
        "seen_version": activity.version,
    }
    data.update(extra)
    return data


def test_second_of_two_concurrent_activity_edits_is_refused(people, login, tree, trained):
    activity = Activity(
        federation=tree["furong"],
        year=2013,
        type=ActivityType.objects.first(),
        title="原名称",
        status="done",
        actual_start=datetime(2013, 5, 10, 9, tzinfo=BEIJING),
    )
    services.activity_save(activity=activity, figures={trained: Decimal(10)}, by=None)
    client = login(people["furong_staff"])
    url = reverse("activities:edit", args=[activity.pk])
    first = activity_post(activity, title="第一个人的修改", fig_PX02="20")
    second = activity_post(activity, title="第二个人的修改", fig_PX02="30")  # opened the same version
    assert client.post(url, first).status_code == 302
    response = client.post(url, second)
    assert response.status_code == 200
    assert "已被他人修改" in response.content.decode()
    activity.refresh_from_db()
    assert (activity.title, activity.version) == ("第一个人的修改", 2)
    assert activity.figures.get().value == 20


def test_second_of_two_concurrent_target_edits_is_refused(people, login, tree, trained):
    plan = factories.plan(tree["furong"])
    target = factories.target(factories.point(plan), trained, 300)
    client = login(people["furong_staff"])
    url = reverse("plans:target-edit", args=[target.pk])
    base = {"indicator": trained.pk, "comparator": ">=", "cadence": "year", "weight": "1", "seen_version": 1}
    assert client.post(url, {**base, "value": "310"}).status_code == 302
    response = client.post(url, {**base, "value": "999"})
    assert "已被他人修改" in response.content.decode()
    target.refresh_from_db()
    assert target.value == 310


def test_history_is_kept_for_plans_targets_and_splits_even_after_deletion(people, login, tree, trained):
    from plans import services as plan_services

    plan = factories.plan(tree["changsha"], status="published")
    target = factories.target(factories.point(plan), trained, 500)
    plan_services.target_split(target=target, values={tree["furong"].pk: Decimal(300)}, by=None)
    split = Target.objects.get(parent_target=target)
    split_pk = split.pk
    split.delete()
    assert Target.history.filter(id=split_pk, history_type="-").exists()
    page = login(people["hunan_admin"]).get(reverse("reports:audit", args=["4301"])).content.decode()
    assert "删除" in page and "目标任务" in page and "培训妇女人数" in page


def test_audit_trail_is_for_the_federations_admins(people, login, tree):
    assert login(people["changsha_leader"]).get(reverse("reports:audit", args=["4301"])).status_code == 404
    assert login(people["furong_staff"]).get(reverse("reports:audit", args=["430102"])).status_code == 404
    assert login(people["hunan_admin"]).get(reverse("reports:audit", args=["370102"])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_dumpdata_loaddata_round_trip_keeps_every_rollup(settings, tmp_path):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    codes = ["43", "4301", "430102", "370102"]

    def snapshot():
        return {code: rollup_out(rollup(Federation.objects.get(code=code), 2013)) for code in codes}

    before = snapshot()
    assert before["4301"]["targets"] and any(t["achieved"] for t in before["4301"]["targets"])
    backup = tmp_path / "backup.json"
    call_command(
        "dumpdata",
        "--natural-foreign",
        "--exclude",
        "contenttypes",
        "--exclude",
        "auth.permission",
        "--exclude",
        "admin.logentry",
        "--exclude",
        "sessions",
        "--output",
        str(backup),
        verbosity=0,
    )
    call_command("flush", "--no-input", verbosity=0)
    assert not Federation.objects.exists()
    call_command("loaddata", str(backup), verbosity=0)
    assert snapshot() == before
    out = io.StringIO()
    call_command("check_rollups", stdout=out)
    assert "一致" in out.getvalue()
