"""The admin is a write path like any other: nothing out of a province admin's reach gets in.

The matrix is generated from the admin registry, so a model or a relation added later is covered
without editing this file: for every registered model, every foreign key and many-to-many field,
an id from another province is refused on the add form and on the change form of an object the
admin manages, and no table changes. One test per finding of issue #13 (1–3) follows.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse
from django.utils import timezone

from activities import services as activity_services
from activities.models import Activity, ActivityStatus, ActivityType, CalendarFeed
from assessments import services as assessment_services
from assessments.models import Assessment, ItemScore, Scheme, SchemeItem
from evidence import services as evidence_services
from evidence.models import Attachment
from fedwork import access
from fedwork.models import Federation, Level, User
from plans import services as plan_services
from plans.models import Indicator, Plan, PlanEvent, PlannedActivity, PlanStatus, Target
from submissions.models import Submission
from tests import factories


@pytest.fixture
def world(tree, people, settings, tmp_path):
    """A published plan with a point, a target, a planned activity and a done activity with a figure
    on each side: 长沙市 (Hunan, the admin's) and 历下区 (Shandong, out of reach)."""
    nation = tree["nation"]
    trained = factories.indicator("PX02", "培训妇女人数", "人", nation)
    made = {"trained": trained}
    Group.objects.create(name="省级审核组")
    training = ActivityType.objects.ensure_defaults().get(name="培训")
    for key, federation in [("in", tree["changsha"]), ("out", tree["lixia"])]:
        own = factories.indicator(f"OWN-{key}", f"自定指标{key}", "人", federation)
        plan = factories.plan(federation, status=PlanStatus.PUBLISHED)
        point = factories.point(plan)
        target = factories.target(point, trained, 100)
        planned = PlannedActivity.objects.create(plan=plan, title="三八表彰", month=3)
        activity = activity_services.activity_save(
            activity=Activity(
                federation=federation,
                year=2013,
                title="培训班",
                type=training,
                status=ActivityStatus.DONE,
                planned_month=5,
            ),
            figures={trained: Decimal(30)},
            work_points=[point],
            achieves=[],
            by=None,
        )
        CalendarFeed.objects.create(federation=federation)
        settings.MEDIA_ROOT = tmp_path / "media"
        (attachment,) = evidence_services.attachments_upload(
            activity=activity,
            files=[SimpleUploadedFile("签到表.pdf", b"%PDF-1.4\n%%EOF\n")],
            by=people["superuser"],
        )
        # The federation above assesses it, citing its file (the assessments app).
        scheme = assessment_services.scheme_create(
            federation=federation.parent, year=2013, name=f"考核{key}", by=None
        )
        assessment_services.scheme_save(
            scheme=scheme,
            areas=[
                assessment_services.AreaDraft(
                    "目标完成",
                    [assessment_services.ItemDraft("培训", Decimal(10), "targets", indicator=own)],
                )
            ],
            by=None,
        )
        (assessment,) = assessment_services.scheme_publish(scheme=scheme, by=None)
        item = scheme.items().get()
        assessment_services.self_assessment_save(
            assessment=assessment,
            entries={item.pk: assessment_services.SelfEntry(note="x", attachments=[attachment])},
            by=people["superuser"],
        )
        Submission.objects.create(
            federation=federation,
            year=2013,
            frequency="month",
            number=5,
            status="submitted",
            due_date=date(2013, 6, 5),
            first_submitted_at=timezone.now(),
            submitted_at=timezone.now(),
            submitted_by=people["superuser"],
        )
        made[key] = {
            "federation": federation,
            "indicator": own,
            "plan": plan,
            "point": point,
            "target": target,
            "planned": planned,
            "activity": activity,
        }
    return made


def snapshot() -> dict:
    """Every row of the domain tables, as plain values: any change shows up as a difference."""
    tables = [
        Federation,
        User,
        Indicator,
        Plan,
        PlanEvent,
        Target,
        PlannedActivity,
        Activity,
        CalendarFeed,
        Attachment,
        Scheme,
        SchemeItem,
        Assessment,
        ItemScore,
    ]
    return {model.__name__: sorted(map(repr, model.objects.values_list())) for model in tables}


def relation_fields(model):
    return [
        field
        for field in model._meta.get_fields()
        if isinstance(field, models.ForeignKey | models.ManyToManyField) and field.editable
    ]


def out_of_reach(user, model):
    return model._default_manager.exclude(pk__in=access.reachable(user, model).values("pk")).first()


def admin_cases():
    for model in admin.site._registry:
        for field in relation_fields(model):
            yield pytest.param(model, field.name, id=f"{model._meta.label}.{field.name}")


def refused(response, field_name) -> bool:
    if response.status_code == 403:
        return True
    if response.status_code != 200 or response.context is None or "adminform" not in response.context:
        return False
    form = response.context["adminform"].form
    # A field the form does not offer (groups and permissions, for non-superusers) is ignored.
    return field_name in form.errors or field_name not in form.fields


def model_admin_for(model):
    return admin.site._registry[model]


class _request:
    def __init__(self, user):
        self.user = user


@pytest.mark.parametrize(("model", "field_name"), list(admin_cases()))
def test_an_out_of_reach_id_is_refused_in_every_admin_form(model, field_name, world, people, login):
    admin_user = people["hunan_admin"]
    client = login(admin_user)
    field = model._meta.get_field(field_name)
    outside = out_of_reach(admin_user, field.related_model)
    if outside is None:
        pytest.skip(f"{field.related_model.__name__} is shared reference data: nothing is out of reach")
    value = [outside.pk] if field.many_to_many else outside.pk
    info = f"{model._meta.app_label}_{model._meta.model_name}"
    before = snapshot()

    add = client.post(reverse(f"admin:{info}_add"), {field_name: value})
    assert refused(add, field_name), (add.status_code, field_name)

    target = model_admin_for(model).get_queryset(_request(admin_user)).exclude(pk=admin_user.pk)
    if model is Federation:
        target = target.exclude(pk=admin_user.federation_id)
    obj = target.first()
    if obj is not None:
        change = client.post(reverse(f"admin:{info}_change", args=[obj.pk]), {field_name: value})
        assert refused(change, field_name), (change.status_code, field_name)
    assert snapshot() == before


def test_finding_1_no_target_into_another_provinces_plan(world, people, login):
    client = login(people["hunan_admin"])
    before = Target.objects.count()
    response = client.post(
        reverse("admin:plans_target_add"),
        {
            "work_point": world["out"]["point"].pk,
            "indicator": world["trained"].pk,
            "comparator": ">=",
            "value": "5",
            "cadence": "year",
            "weight": "1",
        },
    )
    assert response.status_code == 403
    assert Target.objects.count() == before
    assert not Target.objects.filter(plan=world["out"]["plan"]).exclude(pk=world["out"]["target"].pk).exists()


def test_finding_2_no_detaching_and_no_new_roots(world, tree, people, login):
    client = login(people["hunan_admin"])
    furong = tree["furong"]
    url = reverse("admin:fedwork_federation_change", args=[furong.pk])
    data = {"code": furong.code, "name": furong.name, "short_name": "", "level": Level.COUNTY, "parent": ""}
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    furong.refresh_from_db()
    assert furong.parent_id == tree["changsha"].pk
    assert furong.path == "00/43/4301/430102/"
    response = client.post(
        reverse("admin:fedwork_federation_add"),
        {"code": "99", "name": "新根", "short_name": "", "level": Level.PROVINCE, "parent": ""},
    )
    assert response.status_code == 200
    assert not Federation.objects.filter(code="99").exists()


def test_admin_moves_a_county_with_its_totals(world, tree, people, login):
    from activities.totals import differences

    client = login(people["hunan_admin"])
    furong = tree["furong"]
    furong_activity = activity_services.activity_save(
        activity=Activity(
            federation=furong,
            year=2013,
            title="村级培训",
            type=ActivityType.objects.get(name="培训"),
            status=ActivityStatus.DONE,
            planned_month=6,
        ),
        figures={world["trained"]: Decimal(7)},
        by=None,
    )
    assert furong_activity.pk
    response = client.post(
        reverse("admin:fedwork_federation_change", args=[furong.pk]),
        {
            "code": furong.code,
            "name": furong.name,
            "short_name": "",
            "level": Level.COUNTY,
            "parent": tree["hunan"].pk,
        },
    )
    assert response.status_code == 302
    assert Federation.objects.get(code="430102001").path == "00/43/430102/430102001/"
    assert differences() == []


def test_finding_3_admin_writes_that_skip_the_rules_are_gone(world, people, login):
    from activities.totals import differences

    client = login(people["superuser"])
    activity = world["in"]["activity"]
    plan = world["in"]["plan"]
    change = reverse("admin:activities_activity_change", args=[activity.pk])
    response = client.post(change, {"status": ActivityStatus.CANCELLED, "title": activity.title})
    assert response.status_code == 403
    response = client.post(reverse("admin:activities_activity_delete", args=[activity.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Activity.objects.get(pk=activity.pk).status == ActivityStatus.DONE
    plan_services.plan_reopen(plan=plan, by=people["superuser"])
    response = client.post(reverse("admin:plans_plan_change", args=[plan.pk]), {"status": "published"})
    assert response.status_code == 403
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT
    # History is shown but cannot be reverted around the services.
    history = client.get(reverse("admin:activities_activity_history", args=[activity.pk]))
    assert history.status_code == 200
    assert differences() == []


def test_users_are_deactivated_not_deleted(people, login):
    client = login(people["hunan_admin"])
    furong_staff = people["furong_staff"]
    response = client.post(reverse("admin:fedwork_user_delete", args=[furong_staff.pk]), {"post": "yes"})
    assert response.status_code == 403
    response = client.post(
        reverse("admin:fedwork_user_changelist"),
        {"action": "deactivate", "_selected_action": [furong_staff.pk, people["lixia_staff"].pk]},
    )
    assert response.status_code == 302
    furong_staff.refresh_from_db()
    assert furong_staff.is_active is False
    assert User.objects.get(pk=people["lixia_staff"].pk).is_active  # out of reach: untouched


def test_saving_a_user_without_role_or_federation_is_a_form_error(people, tree, login):
    client = login(people["hunan_admin"])
    staff = people["furong_staff"]
    url = reverse("admin:fedwork_user_change", args=[staff.pk])
    data = {
        "username": staff.username,
        "last_name": "",
        "first_name": "",
        "email": "",
        "federation": tree["furong"].pk,
        "role": "",
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "role" in response.context["adminform"].form.errors
    response = client.post(url, {**data, "role": "staff", "federation": ""})
    assert response.status_code == 200
    assert "federation" in response.context["adminform"].form.errors
    staff.refresh_from_db()
    assert (staff.role, staff.federation_id) == ("staff", tree["furong"].pk)


def test_history_form_cannot_write_an_activity_around_the_services(world, people, login):
    """simple_history's "history/<version>/" form saves what it is posted when the user may *view*
    the object (its POST checks no change permission); an activity's year, status or federation
    changed there would skip the counts, totals and locks (check_rollups found them)."""
    from activities.totals import differences

    activity = world["in"]["activity"]
    version = activity.history.latest("history_date")
    url = reverse("admin:activities_activity_simple_history", args=[activity.pk, version.history_id])
    before = Activity.objects.filter(pk=activity.pk).values().get()
    for user in [people["superuser"], people["hunan_admin"]]:
        client = login(user)
        assert client.get(url).status_code == 200  # the version is still shown
        response = client.post(
            url,
            {
                "federation": world["in"]["federation"].pk,
                "year": 2014,
                "title": "改过的名称",
                "type": activity.type_id,
                "status": ActivityStatus.CANCELLED,
                "planned_month": 5,
            },
        )
        assert response.status_code == 403
    assert Activity.objects.filter(pk=activity.pk).values().get() == before
    assert differences() == []
    # Nor does a deleted activity come back from its last version (a restore around the counts).
    pk = activity.pk
    activity_services.activity_delete(activity=activity, by=people["superuser"])
    client = login(people["superuser"])
    version = Activity.history.filter(id=pk).latest("history_date")
    url = reverse("admin:activities_activity_simple_history", args=[pk, version.history_id])
    response = client.post(
        url,
        {
            "federation": world["in"]["federation"].pk,
            "year": 2013,
            "title": activity.title,
            "type": activity.type_id,
            "status": ActivityStatus.DONE,
            "planned_month": 5,
        },
    )
    assert response.status_code == 403
    assert not Activity.objects.filter(pk=pk).exists()
    assert differences() == []
