"""The federation hierarchy and the people who work in it.

The tree is stored as a materialized path (``path = "00/43/4301/430102/"``) next to the parent
link: "this federation and everything below it" is one indexed prefix query
(``path LIKE '00/43/%'``, served by a pattern index on PostgreSQL), "its direct children" is one
indexed ``parent_id`` lookup, and the ancestors are read off the path without a query. A
library such as django-treebeard would add a second tree API next to our own codes; the path
built from GB/T 2260 codes is readable in the database and is all the reports need.
"""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .fields import CleanCharField

PATH_SEPARATOR = "/"
NATIONAL_CODE = "00"
CYCLE_MESSAGE = _("上级妇联不能是自身或其下级组织。")

# "In the subtree of F" for a county and below (depth 3 under the national root: 135–533
# federations, a township ~20) is filtered by the subtree's ids looked up first, not by a join on
# the path. PostgreSQL estimates ``path LIKE '00/43/4301/430102/%'`` from a 101-bucket histogram of
# 665,277 paths, so after each ANALYZE about a hundred counties are taken for ~6,700 federations
# and their upcoming list walks the whole country's calendar (24 ms to 2.6 s by luck, issue #18);
# ``federation_id IN (…ids…)`` is estimated from federation_id's own statistics instead. A subtree
# larger than SMALL_SUBTREE_MAX ids (an unusually deep unit) keeps the join: its estimate is sound.
SMALL_SUBTREE_DEPTH = 3
SMALL_SUBTREE_MAX = 2000


class Level(models.TextChoices):
    NATIONAL = "national", _("全国")
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")
    TOWNSHIP = "township", _("乡镇（街道）")
    VILLAGE = "village", _("村（社区）")
    UNIT = "unit", _("妇工委/直属单位")


TERRITORIAL_LEVELS = [
    Level.NATIONAL,
    Level.PROVINCE,
    Level.CITY,
    Level.COUNTY,
    Level.TOWNSHIP,
    Level.VILLAGE,
]


class FederationQuerySet(models.QuerySet):
    def subtree(self, federation: "Federation") -> "FederationQuerySet":
        """The federation and everything below it (one indexed prefix query)."""
        return self.filter(path__startswith=federation.path)

    def small_subtree_ids(self, federation: "Federation") -> list[int] | None:
        """The ids of the federation's subtree (itself included) when it is small: a county or below
        with at most SMALL_SUBTREE_MAX federations; None for a larger one, without a query above the
        county level. One index range scan on path."""
        if federation.depth < SMALL_SUBTREE_DEPTH:
            return None
        ids = list(
            Federation.objects.filter(path__startswith=federation.path)
            .order_by()
            .values_list("pk", flat=True)[: SMALL_SUBTREE_MAX + 1]
        )
        return ids if len(ids) <= SMALL_SUBTREE_MAX else None

    def subtree_q(self, federation: "Federation", field: str | None = "federation") -> Q:
        """The filter "in the subtree of ``federation``" that does not depend on the planner's luck.

        ``field`` leads from the filtered model to a federation ("federation",
        "activity__federation" …; None filters federations themselves). A small subtree
        (:meth:`small_subtree_ids`, one query) becomes ``<field>__in=[ids]``, a large one the
        indexed prefix join ``<field>__path__startswith``. Every page that filters by subtree uses
        this (through ``in_subtree`` querysets and fedwork.access.scope_to_user).
        """
        ids = self.small_subtree_ids(federation)
        if ids is not None:
            return Q(**{f"{field or 'pk'}__in": ids})
        return Q(**{f"{field}__path__startswith" if field else "path__startswith": federation.path})

    def descendants(self, federation: "Federation") -> "FederationQuerySet":
        return self.subtree(federation).exclude(pk=federation.pk)

    def children_of(self, federation: "Federation") -> "FederationQuerySet":
        return self.filter(parent=federation)

    def ancestors_of(self, federation: "Federation") -> "FederationQuerySet":
        """The federations above this one, from the top down."""
        return self.filter(code__in=federation.ancestor_codes).order_by("depth")

    def ancestor_pks(self, federation: "Federation") -> "FederationQuerySet":
        """The ancestors' primary keys as a subquery, for ``federation_id__in=``.

        ``federation__code__in`` joins the whole tree instead: a scan at 665,000 rows when ORed.
        """
        return self.filter(code__in=federation.ancestor_codes).values("pk")

    def search(self, text: str) -> "FederationQuerySet":
        text = text.strip()
        if not text:
            return self.none()
        return self.filter(Q(name__contains=text) | Q(short_name__contains=text) | Q(code__startswith=text))


class Federation(models.Model):
    code = models.CharField(
        _("代码"),
        max_length=32,
        unique=True,
        validators=[RegexValidator(r"^[0-9A-Za-z-]+$", _("代码只能包含数字、字母和连字符。"))],
        help_text=_("行政区划代码（GB/T 2260），妇工委、直属单位等使用生成的代码。"),
    )
    name = CleanCharField(_("名称"), max_length=100)
    short_name = CleanCharField(_("简称"), max_length=50, blank=True)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级妇联"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    # unique=True also gives PostgreSQL a varchar_pattern_ops index, so the subtree's
    # LIKE 'prefix%' is an index range scan whatever the database collation.
    path = models.CharField(_("路径"), max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("深度"), editable=False, default=0)

    objects = FederationQuerySet.as_manager()

    class Meta:
        verbose_name = _("妇联组织")
        verbose_name_plural = _("妇联组织")
        ordering = ["path"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        """Keeps path and depth in step with parent and code for a new federation.

        An existing federation whose parent or code changed is moved by fedwork.services.federation_move
        (which carries the subtree and its totals along); saving it here directly is refused.
        """
        if self._parent_is_inside_own_subtree():
            raise ValidationError(CYCLE_MESSAGE)
        new_path = self.compute_path()
        if self.pk and self.path and self.path != new_path:
            raise ValidationError(_("移动或改变代码请使用 federation_move，以便带上下级组织和汇总数。"))
        self.depth = new_path.count(PATH_SEPARATOR) - 1
        self.path = new_path
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("federation-detail", kwargs={"code": self.code})

    def clean(self):
        super().clean()
        if self._parent_is_inside_own_subtree():
            raise ValidationError({"parent": CYCLE_MESSAGE})

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def ancestor_codes(self) -> list[str]:
        return self.path.strip(PATH_SEPARATOR).split(PATH_SEPARATOR)[:-1]

    def is_in_subtree_of(self, other: "Federation") -> bool:
        return self.path.startswith(other.path)

    def compute_path(self) -> str:
        prefix = self.parent.path if self.parent_id else ""
        return f"{prefix}{self.code}{PATH_SEPARATOR}"

    def _parent_is_inside_own_subtree(self) -> bool:
        if not (self.parent_id and self.pk):
            return False
        return self.parent_id == self.pk or bool(self.path and self.parent.path.startswith(self.path))


class Role(models.TextChoices):
    STAFF = "staff", _("填报员")
    LEADER = "leader", _("领导")
    ADMIN = "admin", _("管理员")


class User(AbstractUser):
    """A person who works in one federation in one role (superusers may have neither)."""

    federation = models.ForeignKey(
        Federation,
        verbose_name=_("所属妇联"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, blank=True)
    work_year = models.PositiveSmallIntegerField(
        _("工作年度"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("顶栏最后选择的年度，下次登录时沿用。"),
    )

    objects = UserManager()

    # How a row reaches its federation, for fedwork.access (scoping, the admin, form choices).
    federation_lookup = "federation"

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=Q(is_superuser=True) | (Q(federation__isnull=False) & ~Q(role="")),
                name="fedwork_user_member_has_federation_and_role",
                violation_error_message=_("非超级管理员必须属于一个妇联并有一个角色。"),
            ),
        ]

    def __str__(self):
        full_name = self.get_full_name()
        return f"{full_name}（{self.username}）" if full_name else self.username

    def get_full_name(self) -> str:
        """The name as Chinese write it: family name first, no space (刘丽, not Django's "丽 刘").

        The one rule for every page, history entry, admin list and export that names a person
        (``str(user)`` uses it too). Names in Latin letters keep a space between the parts.
        """
        last, first = self.last_name.strip(), self.first_name.strip()
        separator = " " if (last + first).isascii() else ""
        return separator.join(part for part in (last, first) if part)

    def get_short_name(self) -> str:
        """How the admin greets a person (欢迎，刘丽): the full name, as Chinese colleagues address each
        other in writing, rather than Django's given name alone."""
        return self.get_full_name()

    def save(self, *args, **kwargs):
        # The Django admin site is for the hierarchy's administrators, not for every member.
        self.is_staff = self.is_superuser or self.role == Role.ADMIN
        super().save(*args, **kwargs)

    @property
    def role_label(self) -> str:
        if self.is_superuser and not self.role:
            return str(_("超级管理员"))
        return self.get_role_display()


class Event(models.Model):
    """One line of a record's own history (计划记录, 报送记录, 考核记录): an ``action`` from the
    subclass's ``Action`` choices, who did it (``by``), when (``at``, set on insert, never edited) and
    why (``note``). Subclasses declare ``action``, ``by`` and ``note`` themselves: who may vanish and
    how long a reason may be differ by record. Newest first."""

    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"
