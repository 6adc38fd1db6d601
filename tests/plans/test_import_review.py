"""The import review page (#14): what the parser read is shown before anything is saved; the planner
drops a whole branch by unticking its point (its sub-points, targets and notes go with it, without
JavaScript); targets show their approximate flag and comparator, and last year's result for the same
measure (上年：…), both of which the saved targets keep."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from plans.models import Plan, Target, WorkPoint
from plans.parsing import ParsedPlan, parse_document, parse_text
from plans.services import load_indicator_catalogue, match_baselines

HUNAN = Path(django_settings.BASE_DIR) / "fixtures" / "notices" / "hunan-2013-work-points-notice.txt"

REVIEWED = """某区妇联2013年工作要点

一、2012年工作回顾
全年培训妇女3000人次，举办家庭教育讲座40场，发放小额担保贷款2.5亿元。

二、2013年工作安排
（一）促进就业
培训妇女4000人次以上，发放小额担保贷款3亿元。
（二）家庭教育
举办家庭教育讲座约50场，建立家长学校60余所。
"""


@pytest.fixture
def catalogue(tree):
    load_indicator_catalogue(Path(django_settings.BASE_DIR) / "fixtures" / "indicators.csv")


def review(client, name: str, content: bytes):
    client.post(reverse("set-year"), {"year": "2013"})
    response = client.post(reverse("plans:import"), {"document": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    return response


def rows_by_path(response) -> dict[str, int]:
    """Checkbox numbers by label path ("二/（一）/2"), as the page lists the points."""
    paths, stack = {}, []
    for row in response.context["rows"]:
        del stack[row.depth :]
        stack.append(row.point.label.rstrip("、．. "))
        paths["/".join(stack)] = row.index
    return paths


def test_unticking_a_point_drops_its_whole_branch(people, catalogue, login):
    client = login(people["hunan_staff"])
    page = review(client, "hunan.txt", HUNAN.read_bytes())
    text = page.content.decode()
    assert text.count('name="keep"') == len(page.context["rows"])
    assert "组织妇女在新农村建设中竞展风采" in text and "全省培训10000名巾帼扶贫骨干和女农民工" in text
    assert not Plan.objects.exists()

    paths = rows_by_path(page)
    dropped = paths["二/（一）"]
    # The child's box is still ticked (as a browser without JavaScript sends it): it follows its parent.
    keep = [index for path, index in paths.items() if path != "二/（一）"]
    response = client.post(reverse("plans:import"), {"payload": page.context["payload"], "keep": keep})
    assert response.status_code == 302
    plan = Plan.objects.get()
    titles = set(WorkPoint.objects.filter(plan=plan).values_list("title", flat=True))
    assert "服务“四化两型”，助推城乡妇女协调发展" not in titles
    assert not titles & {"引领妇女在新型工业化建设中建功立业", "组织妇女在新农村建设中竞展风采"}
    assert "加强维权服务，促进社会和谐稳定" in titles and "建强干部队伍" in titles
    values = sorted(Target.objects.filter(plan=plan).values_list("value", flat=True))
    assert values == [Decimal(20), Decimal(1_000_000)]  # 1000, 10000 and 1000 went with the branch
    assert dropped not in keep


def test_dropping_speech_items_drops_their_notes(people, catalogue, login):
    client = login(people["hunan_staff"])
    page = review(client, "hunan.txt", HUNAN.read_bytes())
    paths = rows_by_path(page)
    keep = [index for path, index in paths.items() if not path.startswith("一/（一）/1/")]
    client.post(reverse("plans:import"), {"payload": page.context["payload"], "keep": keep})
    point = WorkPoint.objects.get(title="深刻领会党中央对妇联工作的基本要求")
    assert "一是" not in point.body
    kept = WorkPoint.objects.get(title="深刻把握党的十八大对妇联工作的新要求")
    assert kept.body.startswith("一要根据坚持和发展中国特色社会主义的基本要求")


def test_approximate_quantities_and_baselines_are_shown_and_kept(people, catalogue, login):
    client = login(people["hunan_staff"])
    page = review(client, "plan.txt", REVIEWED.encode())
    text = page.content.decode()
    assert "上年：3,000人次" in text and "上年：25,000万元" in text and "上年：40场" in text
    assert '<span class="badge text-bg-warning" title="原文为约数">约</span> 50场' in text
    assert "≥60所" in text and "≥4,000人次" in text
    # The review section's figures are not proposed as targets.
    proposed = [item.target.value for row in page.context["rows"] for item in row.targets]
    assert sorted(proposed) == [50, 60, 4000, 30000]

    keep = [row.index for row in page.context["rows"]]
    client.post(reverse("plans:import"), {"payload": page.context["payload"], "keep": keep})
    plan = Plan.objects.get()
    saved = {t.value: (t.comparator, t.approximate, t.baseline) for t in Target.objects.filter(plan=plan)}
    assert saved == {
        Decimal(4000): (">=", False, Decimal(3000)),
        Decimal(30000): (">=", False, Decimal(25000)),
        Decimal(50): (">=", True, Decimal(40)),
        Decimal(60): (">=", False, None),
    }
    detail = client.get(plan.get_absolute_url()).content.decode()
    # Beside the target on the plan page, in its indicator's unit.
    assert re.search(
        r"不少于30,000万元</strong>\s*<span class=\"text-muted\">上年：25,000万元</span>", detail
    )
    assert detail.count('title="原文为约数">约</span>') == 1


def test_a_tampered_or_foreign_payload_saves_nothing(people, catalogue, login):
    client = login(people["hunan_staff"])
    page = review(client, "plan.txt", REVIEWED.encode())
    payload = page.context["payload"]
    response = client.post(
        reverse("plans:import"), {"payload": payload[:-3] + "xyz", "keep": [0]}, follow=True
    )
    assert "核对页已失效，请重新上传文档。" in response.content.decode()
    # Signed for another user: refused the same way.
    other = login(people["furong_staff"])
    response = other.post(reverse("plans:import"), {"payload": payload, "keep": [0]}, follow=True)
    assert "核对页已失效，请重新上传文档。" in response.content.decode()
    assert not Plan.objects.exists()


def test_dropping_every_point_is_refused(people, catalogue, login):
    client = login(people["hunan_staff"])
    page = review(client, "plan.txt", REVIEWED.encode())
    response = client.post(reverse("plans:import"), {"payload": page.context["payload"]})
    assert response.status_code == 200
    assert "请至少保留一条要点。" in response.content.decode()
    assert 'name="keep"' in response.content.decode()
    assert not Plan.objects.exists()


def test_read_only_users_and_outsiders_get_404(people, catalogue, login):
    page = review(login(people["hunan_staff"]), "plan.txt", REVIEWED.encode())
    for persona in ("hunan_leader",):
        client = login(people[persona])
        response = client.post(reverse("plans:import"), {"payload": page.context["payload"], "keep": [0]})
        assert response.status_code == 404
    assert not Plan.objects.exists()


def test_without_branches_and_the_json_round_trip():
    plan = parse_document(HUNAN.read_bytes(), HUNAN.name)
    again = ParsedPlan.from_json(plan.to_json())
    assert again.to_json() == plan.to_json() and again.general_idea == plan.general_idea
    numbered = plan.numbered_points()
    assert [index for index, _depth, _point in numbered] == list(range(len(numbered)))
    second = next(index for index, depth, point in numbered if depth == 0 and point.label.startswith("二"))
    pruned = plan.without_branches({second})
    assert [point.label for point in pruned.points] == ["一"]
    assert len(plan.points) == 2  # the original is untouched
    assert len(pruned.numbered_points()) == second


def test_baselines_match_the_same_measure_only():
    plan = parse_text(
        "一、2012年工作回顾\n全年培训巾帼扶贫骨干8000名，新建儿童之家5个。\n"
        "二、2013年工作要点\n全省培训10000名巾帼扶贫骨干和女农民工，新建妇女之家20个，培训女大学生300名。\n"
    )
    targets = [target for _i, _d, point in plan.numbered_points() for target in point.targets]
    matched = match_baselines(targets, plan.baselines, [])
    assert {targets[i].value: baseline.value for i, baseline in matched.items()} == {10000: 8000}


LABELS = ["一、", "二、", "三、", "（一）", "（二）", "1．", "2．", "第一条 "]
SENTENCES = [
    "促进就业。",
    "培训妇女300人以上。",
    "举办讲座约20场。",
    "新建妇女之家60余个。",
    "一是加强宣传；二是培训骨干50名。",
]


@given(
    lines=st.lists(st.tuples(st.sampled_from(LABELS), st.sampled_from(SENTENCES)), min_size=1, max_size=12),
    drops=st.sets(st.integers(min_value=0, max_value=30), max_size=5),
)
@settings(max_examples=60, deadline=None)
def test_a_dropped_point_takes_exactly_its_branch_with_it(lines, drops):
    plan = parse_text("某区妇联2013年工作要点\n" + "\n".join(label + text for label, text in lines))
    assert ParsedPlan.from_json(plan.to_json()).to_json() == plan.to_json()
    kept, path = [], []
    for index, depth, point in plan.numbered_points():
        del path[depth:]
        path.append(index)
        if not drops & set(path):
            kept.append((depth, point.label, point.title, [t.to_json() for t in point.targets]))
    pruned = plan.without_branches(drops)
    assert [
        (d, p.label, p.title, [t.to_json() for t in p.targets]) for _i, d, p in pruned.numbered_points()
    ] == kept
