"""The admin site is scoped like every other page."""

from django.urls import reverse

from fedwork.models import Federation, Level, Role, User


def change_url(obj):
    return reverse(f"admin:fedwork_{obj._meta.model_name}_change", args=[obj.pk])


def test_admin_lists_only_their_subtree(people, login):
    client = login(people["hunan_admin"])
    response = client.get(reverse("admin:fedwork_federation_changelist"))
    listed = {f.code for f in response.context["cl"].result_list}
    assert listed == {"43", "4301", "430102", "430102001", "430104"}
    response = client.get(reverse("admin:fedwork_user_changelist"))
    assert "lixia-staff" not in {u.username for u in response.context["cl"].result_list}
    assert "furong-staff" in {u.username for u in response.context["cl"].result_list}


def test_admin_cannot_open_outside_objects(people, tree, login):
    client = login(people["hunan_admin"])
    # Django's admin redirects to the index with a message for objects outside the queryset.
    for url in [
        change_url(tree["lixia"]),
        change_url(people["lixia_staff"]),
        change_url(people["superuser"]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == reverse("admin:index")


def test_admin_renames_a_county_in_their_subtree(people, tree, login):
    client = login(people["hunan_admin"])
    furong = tree["furong"]
    response = client.post(
        change_url(furong),
        {
            "code": furong.code,
            "name": "芙蓉区妇女联合会（新）",
            "short_name": "芙蓉区妇联",
            "level": Level.COUNTY,
            "parent": tree["changsha"].pk,
        },
    )
    assert response.status_code == 302
    furong.refresh_from_db()
    assert furong.name == "芙蓉区妇女联合会（新）"


def test_admin_cannot_move_a_county_outside_their_subtree(people, tree, login):
    client = login(people["hunan_admin"])
    furong = tree["furong"]
    response = client.post(
        change_url(furong),
        {
            "code": furong.code,
            "name": furong.name,
            "short_name": furong.short_name,
            "level": Level.COUNTY,
            "parent": tree["jinan"].pk,
        },
    )
    assert response.status_code == 200
    assert "parent" in response.context["adminform"].form.errors
    furong.refresh_from_db()
    assert furong.parent_id == tree["changsha"].pk


def test_admin_creates_a_user_in_their_subtree_only(people, tree, login):
    client = login(people["hunan_admin"])
    data = {
        "username": "furong-new",
        "federation": tree["furong"].pk,
        "role": Role.STAFF,
        "password1": "Qiang-mima-2026",
        "password2": "Qiang-mima-2026",
    }
    response = client.post(reverse("admin:fedwork_user_add"), data)
    assert response.status_code == 302
    assert User.objects.get(username="furong-new").federation == tree["furong"]
    response = client.post(
        reverse("admin:fedwork_user_add"), {**data, "username": "lixia-new", "federation": tree["lixia"].pk}
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="lixia-new").exists()


def test_leaders_and_staff_do_not_reach_the_admin_site(people, login):
    for persona in ["hunan_leader", "furong_staff"]:
        response = login(people[persona]).get(reverse("admin:fedwork_federation_changelist"))
        assert response.status_code == 302
        assert "/admin/login/" in response.url


def test_superuser_sees_everything(people, login):
    response = login(people["superuser"]).get(reverse("admin:fedwork_federation_changelist"))
    assert len(response.context["cl"].result_list) == Federation.objects.count()


def test_admin_refuses_deleting_a_federation_with_children(people, tree, login):
    client = login(people["superuser"])
    url = reverse("admin:fedwork_federation_delete", args=[tree["changsha"].pk])
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert "无法删除" in response.content.decode() or "不能删除" in response.content.decode()
    assert Federation.objects.filter(code="4301").exists()
