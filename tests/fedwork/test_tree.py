import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from fedwork import services
from fedwork.models import Federation, Level, Role
from tests import factories


def codes(queryset):
    return sorted(queryset.values_list("code", flat=True))


def test_path_and_depth_follow_the_parent_chain(tree):
    assert tree["furong"].path == "00/43/4301/430102/"
    assert tree["furong"].depth == 3
    assert tree["furong"].ancestor_codes == ["00", "43", "4301"]


def test_subtree_is_the_federation_and_everything_below(tree):
    assert codes(Federation.objects.subtree(tree["changsha"])) == ["4301", "430102", "430102001", "430104"]
    assert codes(Federation.objects.descendants(tree["changsha"])) == ["430102", "430102001", "430104"]
    assert codes(Federation.objects.subtree(tree["dingwangtai"])) == ["430102001"]


def test_children_are_direct_children_only(tree):
    assert codes(Federation.objects.children_of(tree["changsha"])) == ["430102", "430104"]
    assert codes(Federation.objects.children_of(tree["nation"])) == ["37", "43"]


def test_ancestors_come_top_down(tree):
    assert list(Federation.objects.ancestors_of(tree["dingwangtai"]).values_list("code", flat=True)) == [
        "00",
        "43",
        "4301",
        "430102",
    ]


def test_code_prefix_does_not_leak_into_subtree(tree):
    # "43010" is not below "4301/" even though the code starts with the same digits.
    stray = factories.federation("43010", "干扰", Level.CITY, tree["hunan"])
    assert stray.code not in codes(Federation.objects.subtree(tree["changsha"]))


def test_moving_a_federation_carries_its_subtree(tree):
    services.federation_move(federation=tree["furong"], parent=tree["jinan"], by=None)
    township = Federation.objects.get(code="430102001")
    assert township.path == "00/37/3701/430102/430102001/"
    assert township.depth == 4
    assert codes(Federation.objects.subtree(tree["jinan"])) == ["3701", "370102", "430102", "430102001"]
    assert codes(Federation.objects.subtree(tree["changsha"])) == ["4301", "430104"]


def test_moving_up_a_level_shifts_depths(tree):
    services.federation_move(federation=tree["furong"], parent=tree["nation"], by=None)
    assert Federation.objects.get(code="430102001").depth == 2


def test_a_federation_cannot_become_its_own_ancestor(tree):
    changsha = tree["changsha"]
    changsha.parent = Federation.objects.get(code="430102001")
    with pytest.raises(ValidationError):
        changsha.full_clean()
    with pytest.raises(ValidationError):
        changsha.save()
    changsha.parent = changsha
    with pytest.raises(ValidationError):
        changsha.save()
    for inside in [Federation.objects.get(code="430102001"), tree["changsha"]]:
        with pytest.raises(ValidationError):
            services.federation_move(federation=Federation.objects.get(code="4301"), parent=inside, by=None)
    assert Federation.objects.get(code="4301").path == "00/43/4301/"


def test_codes_are_unique(tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.federation("4301", "重复", Level.CITY, tree["hunan"])


def test_code_may_not_contain_a_path_separator(tree):
    stray = Federation(code="43/99", name="错误", level=Level.CITY, parent=tree["hunan"])
    with pytest.raises(ValidationError) as error:
        stray.full_clean()
    assert "code" in error.value.message_dict


def test_deleting_a_federation_with_children_is_refused(tree):
    with pytest.raises(ProtectedError):
        tree["changsha"].delete()
    assert Federation.objects.filter(code="4301").exists()


def test_deleting_a_federation_with_members_is_refused(tree):
    factories.user("someone", tree["yuelu"], Role.STAFF)
    with pytest.raises(ProtectedError):
        tree["yuelu"].delete()


def test_a_leaf_without_records_can_be_deleted(tree):
    tree["yuelu"].delete()
    assert not Federation.objects.filter(code="430104").exists()


def test_members_need_a_federation_and_role(tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.user("nobody", None, "")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.user("no-role", tree["hunan"], "")


def test_only_admins_reach_the_admin_site(tree):
    assert factories.user("a", tree["hunan"], Role.ADMIN).is_staff
    assert not factories.user("b", tree["hunan"], Role.LEADER).is_staff
    assert not factories.user("c", tree["hunan"], Role.STAFF).is_staff


def test_saving_a_changed_parent_directly_is_refused(tree):
    furong = tree["furong"]
    furong.parent = tree["jinan"]
    with pytest.raises(ValidationError):
        furong.save()
    assert Federation.objects.get(code="430102").path == "00/43/4301/430102/"


def test_only_the_system_and_superusers_make_roots(tree, people):
    with pytest.raises(ValidationError) as raised:
        services.federation_create(
            by=people["hunan_admin"], parent=None, code="99", name="新根", level=Level.PROVINCE
        )
    assert "parent" in raised.value.message_dict
    with pytest.raises(ValidationError):
        services.federation_move(federation=tree["furong"], parent=None, by=people["hunan_admin"])
    assert Federation.objects.get(code="430102").parent_id == tree["changsha"].pk
    root = services.federation_create(
        by=people["superuser"], parent=None, code="98", name="另一个根", level=Level.NATIONAL
    )
    assert root.path == "98/"


def test_an_admin_cannot_move_into_another_province(tree, people):
    with pytest.raises(ValidationError):
        services.federation_move(federation=tree["furong"], parent=tree["jinan"], by=people["hunan_admin"])
    assert Federation.objects.get(code="430102").parent_id == tree["changsha"].pk
