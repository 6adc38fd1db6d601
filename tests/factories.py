"""Plain factory functions for test data."""

from fedwork.models import Federation, Level, User

PASSWORD = "test-pass-9f3k"


def federation(code: str, name: str, level: str, parent: Federation | None = None) -> Federation:
    return Federation.objects.create(
        code=code, name=f"{name}妇女联合会", short_name=f"{name}妇联", level=level, parent=parent
    )


def user(username: str, federation: Federation | None, role: str = "", **extra) -> User:
    member = User(username=username, federation=federation, role=role, **extra)
    member.set_password(PASSWORD)
    member.save()
    return member


def build_tree() -> dict[str, Federation]:
    """全国 → 湖南 → 长沙 → 芙蓉区 → 定王台街道; 长沙 → 岳麓区; 全国 → 山东 → 济南 → 历下区."""
    nation = federation("00", "全国", Level.NATIONAL)
    hunan = federation("43", "湖南省", Level.PROVINCE, nation)
    changsha = federation("4301", "长沙市", Level.CITY, hunan)
    furong = federation("430102", "芙蓉区", Level.COUNTY, changsha)
    dingwangtai = federation("430102001", "定王台街道", Level.TOWNSHIP, furong)
    yuelu = federation("430104", "岳麓区", Level.COUNTY, changsha)
    shandong = federation("37", "山东省", Level.PROVINCE, nation)
    jinan = federation("3701", "济南市", Level.CITY, shandong)
    lixia = federation("370102", "历下区", Level.COUNTY, jinan)
    return {
        "nation": nation,
        "hunan": hunan,
        "changsha": changsha,
        "furong": furong,
        "dingwangtai": dingwangtai,
        "yuelu": yuelu,
        "shandong": shandong,
        "jinan": jinan,
        "lixia": lixia,
    }


def indicator(code: str, name: str, unit: str, owner: Federation, **extra):
    from plans.models import Indicator

    return Indicator.objects.create(code=code, name=name, unit=unit, owner=owner, **extra)


def plan(federation: Federation, year: int = 2013, **extra):
    from plans.models import Plan

    extra.setdefault("title", f"{federation.short_name}{year}年工作要点")
    return Plan.objects.create(federation=federation, year=year, **extra)


def point(plan, title: str = "加强就业技能培训", label: str = "1", **extra):
    from plans.models import WorkPoint

    return WorkPoint.objects.create(plan=plan, title=title, label=label, **extra)


def target(point, indicator, value, **extra):
    from decimal import Decimal

    from plans.models import Target

    return Target.objects.create(work_point=point, indicator=indicator, value=Decimal(value), **extra)
