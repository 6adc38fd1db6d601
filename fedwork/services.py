"""Writes to the federation tree: creating, renaming and moving federations.

Every entry (the admin, the division loader's renames aside, commands, tests) goes through here, so
the rules hold whatever the door: only superusers create roots, a federation has a parent otherwise,
it never moves below itself, and a move carries its subtree's paths and roll-up totals along in the
same transaction.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils.translation import gettext as _

from . import access
from .models import CYCLE_MESSAGE, PATH_SEPARATOR, Federation, User

PARENT_REQUIRED = _("请选择上级妇联：只有超级管理员可以创建或设置顶级组织。")


def check_parent(federation: Federation, parent: Federation | None, by: User | None) -> None:
    """Raise ValidationError({"parent": …}) unless ``parent`` may hold ``federation`` for ``by``.

    ``by=None`` is the system itself (commands, the demo, migrations): it may create roots.
    """
    if parent is None:
        if by is not None and not by.is_superuser:
            raise ValidationError({"parent": PARENT_REQUIRED})
        return
    if by is not None and not access.can_manage(by, parent):
        raise ValidationError({"parent": _("上级妇联不在您的管理范围内。")})
    if federation.pk and (parent.pk == federation.pk or parent.path.startswith(federation.path)):
        raise ValidationError({"parent": CYCLE_MESSAGE})


@transaction.atomic
def federation_create(*, by: User | None, parent: Federation | None, **fields) -> Federation:
    """Create a federation under ``parent``; fields are the model's (code, name, short_name, level).

    Errors: ValidationError on a missing or out-of-reach parent, or invalid fields.
    """
    federation = Federation(parent=parent, **fields)
    check_parent(federation, parent, by)
    federation.full_clean(exclude=["path", "depth"])
    federation.save()
    return federation


@transaction.atomic
def federation_update(*, federation: Federation, by: User | None, **fields) -> Federation:
    """Rename or re-level a federation (name, short_name, level); code and parent change through
    :func:`federation_move`."""
    for name, value in fields.items():
        if name not in ("name", "short_name", "level"):
            raise ValueError(f"federation_update cannot change {name}")
        setattr(federation, name, value)
    federation.full_clean(exclude=["path", "depth", "parent"])
    federation.save(update_fields=[*fields])
    return federation


@transaction.atomic
def federation_move(
    *, federation: Federation, parent: Federation | None, by: User | None, code: str | None = None
) -> Federation:
    """Hang ``federation`` (and everything below it) under ``parent``, and/or give it a new ``code``.

    Paths and depths of the whole subtree change in one UPDATE; the subtree's roll-up totals leave
    the old ancestors and join the new ones (activities.totals.move_subtree), in this transaction.
    Errors: ValidationError when the federation or the parent is out of ``by``'s reach, the parent is
    missing (non-superusers), or inside the federation's own subtree.
    """
    from activities import totals  # the roll-up belongs to the activities app

    current = Federation.objects.select_for_update().get(pk=federation.pk)
    if by is not None and not access.can_manage(by, current):
        raise ValidationError(_("该组织不在您的管理范围内。"))
    check_parent(current, parent, by)
    old_path = current.path
    federation.parent = parent
    if code is not None:
        federation.code = code
    federation.path = federation.compute_path()
    federation.depth = federation.path.count(PATH_SEPARATOR) - 1
    federation.full_clean(exclude=["path", "depth", "parent"])
    if federation.path == old_path:
        return federation
    federation.save()
    depth_shift = federation.path.count(PATH_SEPARATOR) - old_path.count(PATH_SEPARATOR)
    Federation.objects.filter(path__startswith=old_path).exclude(pk=federation.pk).update(
        path=Concat(Value(federation.path), Substr("path", len(old_path) + 1, Length("path"))),
        depth=F("depth") + depth_shift,
    )
    totals.move_subtree(old_path, federation.path)
    return federation


def user_set_work_year(*, user: User, year: int) -> None:
    """Remember the work year ``user`` chose in the top bar, so the next login opens on it.

    ``year`` is a year fedwork.params.is_year accepts (the caller validated it: YearForm). One
    UPDATE of that column only, so it never overwrites an administrator's concurrent edit of the user.
    """
    if user.work_year != year:
        user.work_year = year
        User.objects.filter(pk=user.pk).update(work_year=year)
