"""The demo: a slice of the real hierarchy and one account per persona, built idempotently."""

import importlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings

from .divisions import load_divisions, read_divisions, read_level
from .models import Federation, Level, Role, User

DIVISIONS_FIXTURE = settings.BASE_DIR / "fixtures" / "divisions"
DEMO_STREETS = DIVISIONS_FIXTURE / "demo_streets.csv"
DEFAULT_PASSWORD = "demo12345"

# Outside Hunan the demo keeps only these units (and their ancestors).
OTHER_PROVINCE_UNITS = {"37", "3701", "370102", "35", "3501"}

# Non-territorial bodies led by the provincial federation: (code, name, short name).
DEMO_UNITS = [
    ("43-U01", "湖南省直机关妇女工作委员会", "省直机关妇工委"),
    ("43-U02", "湖南省高校妇女工作委员会", "高校妇工委"),
    ("43-U03", "湖南省妇女儿童活动中心", "省妇儿活动中心"),
]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    federation_code: str | None
    role: str
    last_name: str
    first_name: str
    description: str


DEMO_ACCOUNTS = [
    DemoAccount("admin", None, "", "系统", "管理员", "超级管理员，可见全部"),
    DemoAccount("hunan-admin", "43", Role.ADMIN, "周", "敏", "湖南省妇联 管理员（管理本省用户与组织）"),
    DemoAccount("hunan-leader", "43", Role.LEADER, "李", "红", "湖南省妇联 领导"),
    DemoAccount("hunan-staff", "43", Role.STAFF, "王", "芳", "湖南省妇联 填报员（计划处）"),
    DemoAccount("changsha-leader", "4301", Role.LEADER, "陈", "静", "长沙市妇联 领导"),
    DemoAccount("furong-staff", "430102", Role.STAFF, "刘", "丽", "芙蓉区妇联 填报员"),
    DemoAccount("yuelu-staff", "430104", Role.STAFF, "张", "燕", "岳麓区妇联 填报员"),
    DemoAccount("lixia-staff", "370102", Role.STAFF, "赵", "娜", "历下区妇联 填报员"),
]


def demo_is_seeded() -> bool:
    return User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS]).count() == len(DEMO_ACCOUNTS)


def _demo_divisions():
    """Hunan down to counties, Changsha's 芙蓉区 and 岳麓区 down to townships, and a few others."""
    levels = list(read_divisions(DIVISIONS_FIXTURE, provinces=["43", "37", "35"], depth=Level.COUNTY))
    levels = [
        [d for d in level if d.code.startswith("43") or d.code in OTHER_PROVINCE_UNITS] for level in levels
    ]
    with Path(DEMO_STREETS).open(encoding="utf-8-sig", newline="") as handle:
        levels.append(read_level(handle, Level.TOWNSHIP, "areaCode"))
    return levels


def seed_hierarchy() -> None:
    load_divisions(_demo_divisions())
    hunan = Federation.objects.get(code="43")
    for code, name, short_name in DEMO_UNITS:
        Federation.objects.update_or_create(
            code=code, defaults={"name": name, "short_name": short_name, "level": Level.UNIT, "parent": hunan}
        )


def seed_users(*, password: str | None = None) -> None:
    """Create the demo accounts; an existing account keeps its password unless one is given."""
    federations = {
        f.code: f
        for f in Federation.objects.filter(
            code__in=[a.federation_code for a in DEMO_ACCOUNTS if a.federation_code]
        )
    }
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(username=account.username).first()
        created = user is None
        if created:
            user = User(username=account.username)
        user.federation = federations.get(account.federation_code)
        user.role = account.role
        user.last_name, user.first_name = account.last_name, account.first_name
        user.is_superuser = account.federation_code is None
        user.is_active = True
        if created or password:
            user.set_password(password or DEFAULT_PASSWORD)
        user.save()


def seed_apps() -> None:
    """Let every app that has a ``demo`` module with ``seed()`` add its part, in INSTALLED_APPS order.

    The core does not import the apps built on it; each app brings its own demo data.
    """
    for config in apps.get_app_configs():
        if config.name == "fedwork" or not config.module.__spec__.submodule_search_locations:
            continue
        if importlib.util.find_spec(f"{config.name}.demo") is None:
            continue
        importlib.import_module(f"{config.name}.demo").seed()
