"""Scoring arithmetic: rules, caps, the total and the grade bands (property tests), and the
completion taken from the roll-up for items scored from targets."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from assessments import scoring
from assessments.models import Rule, Scheme

points = st.decimals(min_value=-50, max_value=200, places=1, allow_nan=False, allow_infinity=False)
maxima = st.decimals(min_value="0.1", max_value=100, places=1, allow_nan=False, allow_infinity=False)
lines = st.lists(
    st.builds(scoring.Line, st.sampled_from(Rule.values), maxima, st.one_of(st.none(), points)), max_size=12
)


@given(lines)
def test_total_never_exceeds_the_maxima_and_bonus_caps_nor_drops_below_zero(drawn):
    result = scoring.total(drawn)
    assert Decimal(0) <= result <= scoring.maximum_total(drawn)


@given(lines, maxima, points)
def test_a_bonus_never_adds_more_than_its_cap(drawn, cap, claimed):
    with_bonus = scoring.total([*drawn, scoring.Line(Rule.BONUS, cap, claimed)])
    assert with_bonus - scoring.total(drawn) <= cap


@given(lines, maxima, points)
def test_a_deduction_never_takes_more_than_its_cap_and_never_adds(drawn, cap, claimed):
    before = scoring.total(drawn)
    after = scoring.total([*drawn, scoring.Line(Rule.DEDUCTION, cap, claimed)])
    assert before - cap <= after <= before


@given(
    st.decimals(min_value=0, max_value=150, places=1),
    st.decimals(min_value=0, max_value=150, places=1),
)
def test_grade_bands_are_monotone(low, high):
    scheme = Scheme(excellent_from=Decimal(90), good_from=Decimal(80), pass_from=Decimal(60))
    order = ["不合格", "合格", "良好", "优秀"]
    low, high = sorted([low, high])
    assert order.index(scoring.grade(low, scheme)) <= order.index(scoring.grade(high, scheme))


def test_grade_boundaries_belong_to_the_upper_band():
    scheme = Scheme(excellent_from=Decimal(90), good_from=Decimal(80), pass_from=Decimal(60))
    assert [scoring.grade(Decimal(v), scheme) for v in ("90", "89.9", "80", "60", "59.9")] == [
        "优秀",
        "良好",
        "良好",
        "合格",
        "不合格",
    ]
    assert scoring.grade(None, scheme) == ""


def test_worked_example():
    drawn = [
        scoring.Line(Rule.FROM_TARGETS, Decimal(30), Decimal("22.5")),
        scoring.Line(Rule.JUDGED, Decimal(70), Decimal(80)),  # over the max: 70
        scoring.Line(Rule.BONUS, Decimal(5), Decimal(9)),  # over the cap: 5
        scoring.Line(Rule.DEDUCTION, Decimal(3), Decimal(2)),
    ]
    assert scoring.total(drawn) == Decimal("95.5")


@given(maxima, st.one_of(st.none(), st.decimals(min_value=-10, max_value=500, places=2)))
def test_points_from_completion_stay_within_the_maximum(maximum, completion):
    result = scoring.points_from_completion(maximum, completion)
    assert Decimal(0) <= result <= maximum


def test_points_from_completion_scale_and_cap():
    assert scoring.points_from_completion(Decimal(30), Decimal(75)) == Decimal("22.5")
    assert scoring.points_from_completion(Decimal(30), Decimal(130)) == Decimal(30)
    assert scoring.points_from_completion(Decimal(30), None) == Decimal(0)


def test_target_figures_follow_the_rollup_once_per_scheme(world, tree, django_assert_max_num_queries):
    scheme = world["scheme"]
    item = world["items"]["妇女技能培训"]
    with django_assert_max_num_queries(20):
        figures = scoring.target_figures(scheme)
    furong = figures[tree["furong"].pk][item.pk]
    yuelu = figures[tree["yuelu"].pk][item.pk]
    assert furong.completion == Decimal(75)
    assert yuelu.completion == Decimal(100)
    assert [p.achieved for p in furong.progress] == [Decimal(45)]
    assert world["items"]["妇女之家规范化建设"].pk not in figures[tree["furong"].pk]


def test_an_item_following_a_work_point_counts_the_points_nested_under_it(world, tree):
    from assessments.models import SchemeItem
    from tests import factories

    parent = factories.point(world["plan"], title="促进妇女发展", label="一")
    point = world["point"]
    point.parent = parent
    point.save(update_fields=["parent"])
    area = world["items"]["妇女技能培训"].area
    following_parent = SchemeItem.objects.create(
        area=area, name="促进妇女发展", max_points=Decimal(10), rule=Rule.FROM_TARGETS, work_point=parent
    )
    following_point = SchemeItem.objects.create(
        area=area, name="技能培训", max_points=Decimal(10), rule=Rule.FROM_TARGETS, work_point=point
    )
    other = factories.point(world["plan"], title="维权", label="二")
    following_other = SchemeItem.objects.create(
        area=area, name="维权", max_points=Decimal(10), rule=Rule.FROM_TARGETS, work_point=other
    )
    figures = scoring.target_figures(world["scheme"])[tree["furong"].pk]
    assert figures[following_parent.pk].completion == Decimal(75)
    assert figures[following_point.pk].completion == Decimal(75)
    assert figures[following_other.pk].completion is None  # no target: 0 points
    assert scoring.points_from_completion(Decimal(10), figures[following_other.pk].completion) == 0
