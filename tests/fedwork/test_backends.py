"""The authentication backend loads the user's federation with the user: every page reads it."""

from fedwork.backends import UserBackend


def test_the_users_federation_comes_with_the_user(people, tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        user = UserBackend().get_user(people["furong_staff"].pk)
        assert user.federation == tree["furong"]


def test_an_inactive_or_unknown_user_is_nobody(people):
    staff = people["furong_staff"]
    staff.is_active = False
    staff.save()
    assert UserBackend().get_user(staff.pk) is None
    assert UserBackend().get_user(999_999) is None
