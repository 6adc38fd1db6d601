"""The permission matrix: each role × own / ancestor / descendant / sibling federation × view / edit."""

import pytest
from django.http import Http404

from fedwork import access
from fedwork.models import Federation

# (persona, federation, may view, may edit records, may manage)
MATRIX = [
    # staff: their own federation only for editing, their subtree for viewing
    ("furong_staff", "furong", True, True, False),
    ("furong_staff", "dingwangtai", True, False, False),  # descendant
    ("furong_staff", "changsha", False, False, False),  # ancestor
    ("furong_staff", "yuelu", False, False, False),  # sibling
    ("furong_staff", "lixia", False, False, False),  # cousin in another province
    # leaders read their whole subtree and edit nothing
    ("changsha_leader", "changsha", True, False, False),
    ("changsha_leader", "furong", True, False, False),
    ("changsha_leader", "dingwangtai", True, False, False),
    ("changsha_leader", "hunan", False, False, False),
    ("changsha_leader", "jinan", False, False, False),
    ("hunan_leader", "furong", True, False, False),
    ("hunan_leader", "shandong", False, False, False),
    # admins manage users and the hierarchy of their subtree, they do not fill in records
    ("hunan_admin", "hunan", True, False, True),
    ("hunan_admin", "furong", True, False, True),
    ("hunan_admin", "nation", False, False, False),
    ("hunan_admin", "lixia", False, False, False),
    # provincial staff edit the province's own records, not a county's
    ("hunan_staff", "hunan", True, True, False),
    ("hunan_staff", "changsha", True, False, False),
    ("superuser", "lixia", True, True, True),
]


@pytest.mark.parametrize(("persona", "place", "view", "edit", "manage"), MATRIX)
def test_permission_matrix(people, tree, persona, place, view, edit, manage):
    user, federation = people[persona], tree[place]
    assert access.can_view(user, federation) is view
    assert access.can_edit_records(user, federation) is edit
    assert access.can_manage(user, federation) is manage
    assert access.visible_federations(user).filter(pk=federation.pk).exists() is view


def test_visible_federations_are_the_users_subtree(people):
    visible = access.visible_federations(people["changsha_leader"])
    assert sorted(visible.values_list("code", flat=True)) == ["4301", "430102", "430102001", "430104"]
    assert access.visible_federations(people["superuser"]).count() == Federation.objects.count()


def test_anonymous_users_see_nothing(tree):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert not access.visible_federations(anonymous).exists()
    assert not access.can_view(anonymous, tree["hunan"])
    assert not access.can_edit_records(anonymous, tree["hunan"])


def test_inactive_users_edit_nothing(people, tree):
    staff = people["furong_staff"]
    staff.is_active = False
    assert not access.can_edit_records(staff, tree["furong"])


def test_ancestor_ids_are_what_hands_down_to_a_user(people, tree):
    ids = access.ancestor_ids(people["furong_staff"])
    assert sorted(ids) == sorted([tree["nation"].pk, tree["hunan"].pk, tree["changsha"].pk])
    assert access.ancestor_ids(people["superuser"]) == []


def test_records_are_scoped_through_their_federation(people, tree):
    from fedwork.models import User

    members = access.scope_to_user(User.objects.all(), people["changsha_leader"])
    assert sorted(members.values_list("username", flat=True)) == [
        "changsha-leader",
        "furong-staff",
        "yuelu-staff",
    ]


def test_get_object_for_user_or_404_hides_outsiders(people, tree):
    from fedwork.models import User

    lixia_user = people["lixia_staff"]
    with pytest.raises(Http404):
        access.get_object_for_user_or_404(User.objects.all(), people["furong_staff"], pk=lixia_user.pk)
    assert (
        access.get_object_for_user_or_404(
            User.objects.all(), people["hunan_leader"], pk=people["furong_staff"].pk
        )
        == people["furong_staff"]
    )
