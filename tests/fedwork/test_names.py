"""A person is named as Chinese write it, family name first and no space (刘丽, not 丽 刘), by one
rule (User.get_full_name) on every page, history entry and admin list that names them."""

import re

from django.urls import reverse

from activities import services as activity_services
from activities.models import Activity, ActivityStatus, ActivityType
from fedwork.models import Role, User
from tests import factories


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", response.content.decode())
    return re.sub(r"\s+", " ", re.sub(r"(?s)<[^>]+>", " ", html))


def test_full_name_is_family_name_first_without_a_space():
    assert User(last_name="刘", first_name="丽").get_full_name() == "刘丽"
    assert User(last_name="欧阳", first_name="娜娜").get_full_name() == "欧阳娜娜"
    assert User(last_name="刘", first_name="").get_full_name() == "刘"
    assert User(last_name="Smith", first_name="Anna").get_full_name() == "Smith Anna"
    assert str(User(username="liuli", last_name="刘", first_name="丽")) == "刘丽（liuli）"
    assert str(User(username="liuli")) == "liuli"


def test_the_admin_lists_and_the_member_list_show_the_chinese_order(tree, people, login):
    factories.user("liuli", tree["hunan"], Role.STAFF, last_name="刘", first_name="丽")
    admin_user = people["hunan_admin"]
    admin_user.last_name, admin_user.first_name = "欧阳", "娜娜"
    admin_user.save()
    client = login(admin_user)
    assert "欢迎， 欧阳娜娜" in text_of(client.get(reverse("admin:index")))
    admin_list = text_of(client.get(reverse("admin:fedwork_user_changelist")))
    assert "刘丽" in admin_list and "丽 刘" not in admin_list
    members = text_of(client.get(reverse("federation-detail", args=[tree["hunan"].code])))
    assert "刘丽" in members and "丽 刘" not in members


def test_the_activity_page_and_its_history_show_the_chinese_order(tree, people, login):
    staff = people["furong_staff"]
    staff.last_name, staff.first_name = "王", "芳"
    staff.save()
    activity = Activity(
        federation=tree["furong"],
        year=2013,
        title="家庭教育讲座",
        type=ActivityType.objects.ensure_defaults().first(),
        status=ActivityStatus.DONE,
        planned_month=5,
    )
    activity._history_user = staff  # what simple_history's middleware sets from the request
    activity = activity_services.activity_save(activity=activity, figures={}, by=staff)
    assert activity.history.first().history_user == staff
    text = text_of(login(staff).get(reverse("activities:detail", args=[activity.pk])))
    assert "王芳（furong-staff）" in text and "芳 王" not in text
