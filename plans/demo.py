"""Demo plans for 2013: the real Hunan notice and the Lixia standards, with Hunan's targets split down."""

from decimal import ROUND_FLOOR, Decimal

from django.conf import settings

from fedwork.models import Federation, User

from . import services
from .models import IndicatorKind, Plan, Target
from .parsing import parse_document

DEMO_YEAR = 2013
SEEDS = settings.BASE_DIR / "fixtures" / "seeds"
HUNAN_NOTICE = SEEDS / "hunan-2013-work-points-notice.txt"
LIXIA_STANDARDS = SEEDS / "lixia-2013-grassroots-standards.txt"
INDICATOR_CATALOGUE = settings.BASE_DIR / "fixtures" / "indicators.csv"
# How many of Hunan's largest count targets are split to the cities, and on to Changsha's counties.
SPLIT_TARGETS = 4


def seed() -> None:
    services.load_indicator_catalogue(INDICATOR_CATALOGUE)
    hunan_plan = _import_and_publish("43", HUNAN_NOTICE, "hunan-staff")
    _import_and_publish("370102", LIXIA_STANDARDS, "lixia-staff")
    if hunan_plan is not None:
        _split_down(hunan_plan)


def _import_and_publish(code: str, path, username: str) -> Plan | None:
    """Import once; a plan that already exists (the demo ran before) is left as users made it."""
    federation = Federation.objects.get(code=code)
    if Plan.objects.filter(federation=federation, year=DEMO_YEAR).exists():
        return None
    by = User.objects.filter(username=username).first()
    parsed = parse_document(path.read_bytes(), path.name)
    plan = services.plan_import(
        parsed=parsed, federation=federation, year=DEMO_YEAR, by=by, source_name=path.name
    )
    # The demo publishes what the parser could match; unmatched sentences stay in the text for review.
    plan.targets.filter(indicator__isnull=True).delete()
    return services.plan_publish(plan=plan, by=by)


def _shares(total: Decimal, weights: list[int], places: int) -> list[Decimal]:
    """Split total in proportion to weights, rounded to the indicator's places, summing exactly to total."""
    step = Decimal(1).scaleb(-places)
    weight_sum = sum(weights) or 1
    raw = [total * w / weight_sum for w in weights]
    shares = [r.quantize(step, rounding=ROUND_FLOOR) for r in raw]
    leftover = int((total - sum(shares)) / step)
    by_fraction = sorted(range(len(raw)), key=lambda i: raw[i] - shares[i], reverse=True)
    for i in by_fraction[:leftover]:
        shares[i] += step
    return shares


def _split_down(hunan_plan: Plan) -> None:
    staff = User.objects.filter(username="hunan-staff").first()
    # One target per indicator, of a size the demo's activities can reach.
    targets, seen = [], set()
    for target in hunan_plan.targets.select_related("indicator").order_by("-value"):
        reachable = IndicatorKind.SUM == target.indicator.kind and 100 <= target.value <= 100000
        if reachable and target.indicator_id not in seen:
            seen.add(target.indicator_id)
            targets.append(target)
    targets = targets[:SPLIT_TARGETS]
    for index, target in enumerate(targets):
        cities = list(
            Federation.objects.children_of(hunan_plan.federation).filter(level="city").order_by("code")
        )
        weights = [Federation.objects.children_of(city).count() for city in cities]
        # One target is deliberately split short, so the demo shows the red remainder.
        total = target.value if index else (target.value * Decimal("0.9")).quantize(Decimal(1))
        shares = _shares(total, weights, target.indicator.decimal_places)
        services.target_split(
            target=target, values={c.pk: s for c, s in zip(cities, shares, strict=True)}, by=staff
        )
    changsha_plan = Plan.objects.filter(federation__code="4301", year=DEMO_YEAR).first()
    if changsha_plan is None:
        return
    for target in Target.objects.filter(plan=changsha_plan).select_related("indicator"):
        counties = list(Federation.objects.children_of(changsha_plan.federation).order_by("code"))
        shares = _shares(target.value, [1] * len(counties), target.indicator.decimal_places)
        services.target_split(
            target=target, values={c.pk: s for c, s in zip(counties, shares, strict=True)}, by=None
        )
    if changsha_plan.is_draft:
        services.plan_publish(plan=changsha_plan, by=User.objects.filter(username="changsha-leader").first())
