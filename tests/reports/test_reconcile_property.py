"""合计 = 本级 + Σ 下级 on every sheet of the annual export, for every indicator, on random trees (#17).

Hypothesis builds a city with a random shape of districts and townships, records random activities
(done, planned, cancelled; figures for two indicators, one of them split to some children), and the
exported workbook must reconcile: in 指标统计, 下级完成情况 and 活动统计 each 合计 is 本级 plus the
children, and the totals equal a naive recomputation from the figures themselves.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activities import services
from activities.models import Activity, ActivityStatus, ActivityType, Figure
from fedwork.models import Federation, Level
from plans.models import PlanStatus
from reports.export import build_annual_workbook
from tests import factories

BEIJING = ZoneInfo("Asia/Shanghai")
YEAR = 2013
YEAR_END = date(YEAR, 12, 31)

shapes = st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=6)  # children per node
activities = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=20),  # which federation (modulo the tree's size)
        st.integers(min_value=1, max_value=12),  # month
        st.sampled_from(
            [ActivityStatus.DONE, ActivityStatus.DONE, ActivityStatus.PLANNED, ActivityStatus.CANCELLED]
        ),
        st.integers(min_value=0, max_value=900),  # trained
        st.one_of(st.none(), st.integers(min_value=0, max_value=50)),  # screened (often not recorded)
    ),
    max_size=15,
)
splits = st.lists(st.integers(min_value=0, max_value=400), max_size=3)  # shares for the first children


def _number(value) -> Decimal:
    return Decimal(str(value)) if isinstance(value, int | float) else Decimal(0)


def _body(sheet, first_row: int) -> tuple[tuple, list[tuple], tuple]:
    """(本级 row, children rows, 合计 row) of a sheet whose rows run 本级, children…, 合计."""
    rows = [row for row in sheet.iter_rows(min_row=first_row, values_only=True) if row[1]]
    assert rows[0][1].endswith("（本级）") and rows[-1][1] == "合计", [row[1] for row in rows]
    return rows[0], rows[1:-1], rows[-1]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shape=shapes, recorded=activities, shares=splits)
def test_every_sheet_adds_up_on_random_trees(tree, shape, recorded, shares):
    nation = tree["nation"]
    with transaction.atomic():
        trained = factories.indicator("RP01", "培训妇女人数", "人", nation)
        screened = factories.indicator("RP02", "两癌筛查人数", "人", nation)
        root = Federation.objects.create(code="98", name="测试市妇联", level=Level.CITY, parent=tree["hunan"])
        nodes, queue = [root], [root]
        for count in shape:
            parent = queue.pop(0) if queue else root
            for _ in range(count):
                child = Federation.objects.create(
                    code=f"98{len(nodes):02d}",
                    name=f"第{len(nodes)}区妇联",
                    level=Level.COUNTY,
                    parent=parent,
                )
                nodes.append(child)
                queue.append(child)
        children = [node for node in nodes if node.parent_id == root.pk]
        plan = factories.plan(root, status=PlanStatus.PUBLISHED)
        upper = factories.target(factories.point(plan, "促进就业", label="一"), trained, 2000)
        for child, share in zip(children, shares, strict=False):
            point = factories.point(factories.plan(child, status=PlanStatus.PUBLISHED), "落实", label="一")
            factories.target(point, trained, share, parent_target=upper)
        kind = ActivityType.objects.get(name="培训")
        for index, month, status, a, b in recorded:
            figures = {trained: Decimal(a)} | ({screened: Decimal(b)} if b is not None else {})
            activity = Activity(
                federation=nodes[index % len(nodes)],
                year=YEAR,
                type=kind,
                title="培训",
                status=status,
                actual_start=datetime(YEAR, month, 10, 9, tzinfo=BEIJING),
            )
            services.activity_save(activity=activity, figures=figures, by=None)

        book = openpyxl.load_workbook(io.BytesIO(build_annual_workbook(root, YEAR, YEAR_END)))

        def naive(indicator) -> Decimal:
            figures = Figure.objects.filter(
                indicator=indicator,
                activity__status=ActivityStatus.DONE,
                activity__year=YEAR,
                activity__federation__path__startswith=root.path,
            )
            return sum((figure.value for figure in figures), Decimal(0))

        # 指标统计: every indicator recorded, 本级 + each child = 合计 = the figures themselves.
        statistics = book["指标统计"]
        header = [cell.value for cell in statistics[3]]
        first_child, total_column = header.index("本级"), header.index("合计")
        by_name = {row[1]: row for row in statistics.iter_rows(min_row=4, values_only=True) if row[1]}
        for indicator in (trained, screened):
            expected = naive(indicator)
            if indicator.name not in by_name:  # recorded only on planned or cancelled activities, if at all
                assert expected == 0
                continue
            row = by_name[indicator.name]
            parts = sum((_number(value) for value in row[first_child:total_column]), Decimal(0))
            assert parts == _number(row[total_column]) == expected, (indicator.name, row)

        # 下级完成情况: in each 完成 column, 本级 + Σ 下级 = 合计 = 目标完成情况's 完成值.
        targets = {
            row[2]: row for row in book["目标完成情况"].iter_rows(min_row=4, values_only=True) if row[2]
        }
        sheet = book["下级完成情况"]
        if shares[: len(children)]:  # some child got a share: one 完成 column per split target
            sub_header = [cell.value for cell in sheet[4]]
            done_columns = [index for index, value in enumerate(sub_header) if value == "完成"]
            assert done_columns, sub_header
            own, rows, total = _body(sheet, 5)
            assert len(rows) == len(children)
            for column in done_columns:
                parts = _number(own[column]) + sum((_number(row[column]) for row in rows), Decimal(0))
                assert parts == _number(total[column]) == naive(trained)
            assert _number(targets["培训妇女人数"][5]) == naive(trained)

        # 活动统计: each count column adds up, and 活动总数 is every activity of the year in the subtree.
        own, rows, total = _body(book["活动统计"], 5)
        assert len(rows) == len(children)
        for column in range(2, len(total)):
            assert _number(own[column]) + sum((_number(row[column]) for row in rows), Decimal(0)) == _number(
                total[column]
            )
        assert total[2] == Activity.objects.filter(year=YEAR, federation__path__startswith=root.path).count()
        transaction.set_rollback(True)
