"""The year-end summary draft: sentences computed by hand from a hand-built plan, the page and the .docx."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote
from zoneinfo import ZoneInfo

import docx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx.oxml.ns import qn

from activities import services
from activities.models import Activity, ActivityStatus, ActivityType
from reports.summary import build_summary, indicator_phrase
from tests import factories

BEIJING = ZoneInfo("Asia/Shanghai")
YEAR = 2013
YEAR_END = date(YEAR, 12, 31)

# What the data of the `furong_year` fixture must read as, worked out by hand:
# (percentages with one decimal and results with up to two, as the dashboard writes them)
# - 培训班 5 + 7 = 12 期 of 10 → 120.0 %; 培训妇女 500 + 700 = 1200 人 of 1000 → 120.0 %;
# - 贷款 3500.5 of 5000 万元 → 70.01 % → 70.0 %, 滞后 at the year's end (expected 100 %, tolerance 10);
# - 办结率 317 / 320 = 99.0625 % → 99.06 %, against 95 %: 104.28 % → 104.3 %, 已完成;
# - milestones: 示范点 achieved, 家庭文明档案 due 6月30日 and not achieved → 已逾期;
# - overall: (100 + 100 + 70.01 + 100 + 100 + 0) / 6 = 78.335 % → 78.3 %; 4 of 6 targets 已完成;
# - done activities in 芙蓉区's subtree: five in 芙蓉区 and one in 定王台街道 (岳麓区's and the planned
#   one do not count) → 6.
TRAINING = (
    "一（一）加强就业技能培训。全年共举办培训班12期，完成目标的120.0%，培训妇女1200人，完成目标的120.0%。"
)
LOANS = "一（二）推进小额担保贷款。全年共新增妇女小额担保贷款3500.50万元，完成目标的70.0%。"
RIGHTS = "全年来信来访办结率为99.06%，完成目标的104.3%，已完成年内建成妇女儿童之家示范点。"
ACTIVITIES_ONLY = "全年开展相关活动2项。"
OVERDUE = "建立家庭文明档案尚未完成。"
OPENING = (
    "2013年，芙蓉区妇联及下级妇联共开展活动6项。年度工作要点确定目标任务6项，已完成4项，总体完成率为78.3%。"
)
LAGGING = (
    "需加强：新增妇女小额担保贷款金额（目标不少于5000万元，实际3500.50万元，完成70.0%，滞后）；"
    "建立家庭文明档案（已逾期）。"
)


def record(federation, figures, *, month, status=ActivityStatus.DONE, work_points=None, achieves=None):
    activity = Activity(
        federation=federation,
        year=YEAR,
        type=ActivityType.objects.get(name="培训"),
        title="活动",
        status=status,
        actual_start=datetime(YEAR, month, 10, 9, tzinfo=BEIJING),
    )
    return services.activity_save(
        activity=activity, figures=figures, by=None, work_points=work_points, achieves=achieves
    )


@pytest.fixture
def furong_year(tree):
    """芙蓉区's 2013 plan: four top-level points, sums, a rate, two milestones, activities with figures."""
    nation = tree["nation"]
    sessions = factories.indicator("PX01", "举办培训班期数", "期", nation)
    trained = factories.indicator("PX02", "培训妇女人数", "人", nation)
    loans = factories.indicator("DK01", "新增妇女小额担保贷款金额", "万元", nation, decimal_places=2)
    received = factories.indicator("XF01", "受理来信来访件数", "件", nation)
    handled = factories.indicator("XF02", "办结来信来访件数", "件", nation)
    rate = factories.indicator(
        "XF03", "来信来访办结率", "%", nation, kind="rate", numerator=handled, denominator=received
    )
    model_home = factories.indicator("FJ01", "示范点建设", "项", nation, kind="milestone")
    archive = factories.indicator("JT01", "建立家庭文明档案", "项", nation, kind="milestone")

    plan = factories.plan(tree["furong"], YEAR)
    jobs = factories.point(plan, "促进妇女创业就业", label="一", order=1)
    training = factories.point(plan, "加强就业技能培训", label="（一）", order=2, parent=jobs)
    lending = factories.point(plan, "推进小额担保贷款", label="（二）", order=3, parent=jobs)
    rights = factories.point(plan, "维护妇女合法权益", label="二", order=4)
    self_building = factories.point(plan, "加强自身建设", label="三", order=5)
    family = factories.point(plan, "推进家庭文明建设", label="四", order=6)

    factories.target(training, sessions, 10)
    factories.target(training, trained, 1000)
    factories.target(lending, loans, 5000)
    factories.target(rights, rate, 95)
    home_target = factories.target(rights, model_home, 1, source_text="年内建成妇女儿童之家示范点。")
    factories.target(family, archive, 1, due_date=date(YEAR, 6, 30))

    record(tree["furong"], {sessions: Decimal(5), trained: Decimal(500)}, month=5)
    record(tree["dingwangtai"], {sessions: Decimal(7), trained: Decimal(700)}, month=6)
    record(tree["furong"], {loans: Decimal("3500.5")}, month=7)
    record(tree["furong"], {received: Decimal(320), handled: Decimal(317)}, month=8, achieves=[home_target])
    record(tree["furong"], {}, month=9, work_points=[self_building])
    record(tree["furong"], {}, month=10, work_points=[self_building])
    # Neither counts: one is still planned, the other is a sibling county's.
    record(tree["furong"], {}, month=11, status=ActivityStatus.PLANNED, work_points=[self_building])
    record(tree["yuelu"], {sessions: Decimal(100)}, month=5)
    return {"plan": plan, "sessions": sessions, "trained": trained, "jobs": jobs}


@pytest.mark.parametrize(
    ("name", "phrase"),
    [
        ("培训妇女人数", "培训妇女"),
        ("举办培训班期数", "举办培训班"),
        ("新增妇女小额担保贷款金额", "新增妇女小额担保贷款"),
        ("开展宣讲场次", "开展宣讲"),
        ("参训人次数", "参训"),
        ("受理来信来访", "受理来信来访"),
        ("人数", "人数"),  # nothing would be left: keep the name
    ],
)
def test_indicator_phrase(name, phrase):
    assert indicator_phrase(name) == phrase


def test_sentences_per_work_point(tree, furong_year):
    summary = build_summary(tree["furong"], YEAR, YEAR_END)
    assert summary.title == "芙蓉区妇女联合会2013年工作总结（草稿）"
    assert summary.opening == OPENING
    assert [section.heading for section in summary.points] == [
        "一、促进妇女创业就业",
        "二、维护妇女合法权益",
        "三、加强自身建设",
        "四、推进家庭文明建设",
    ]
    jobs, rights, self_building, family = summary.points
    # The top point has no targets of its own: its sub-points each get their own paragraph.
    assert jobs.paragraphs == [TRAINING, LOANS]
    assert rights.paragraphs == [RIGHTS]
    assert self_building.paragraphs == [ACTIVITIES_ONLY]
    assert family.paragraphs == [OVERDUE]


def test_lagging_targets_close_the_summary(tree, furong_year):
    summary = build_summary(tree["furong"], YEAR, YEAR_END)
    assert summary.closing is not None
    assert summary.closing.heading == "存在的不足"
    assert summary.closing.paragraphs == [LAGGING]
    assert summary.sections[-1] is summary.closing
    assert summary.sections[0].paragraphs == [OPENING]


def test_a_draft_before_the_year_end_says_as_of_when(tree, furong_year):
    summary = build_summary(tree["furong"], YEAR, date(YEAR, 6, 30))
    # Only May's and June's activities have happened: the training figures are complete, the rest not yet.
    assert summary.opening.startswith("截至2013年6月30日，芙蓉区妇联及下级妇联共开展活动2项。")
    assert summary.points[0].paragraphs == [
        "一（一）加强就业技能培训。截至6月30日，共举办培训班12期，完成目标的120.0%，培训妇女1200人，完成目标的120.0%。"
    ]
    assert summary.points[2].paragraphs == []  # 三's activities are in September and October


def test_a_point_with_targets_and_no_results_gets_no_sentence(tree, furong_year):
    nation_indicator = factories.indicator("HJ01", "开展宣讲场次", "场", tree["nation"])
    factories.target(furong_year["jobs"], nation_indicator, 20)
    summary = build_summary(tree["furong"], YEAR, YEAR_END)
    assert summary.points[0].paragraphs == [TRAINING, LOANS]
    assert "开展宣讲场次（目标不少于20场，未开始）" in summary.closing.paragraphs[0]


def test_a_federation_without_a_plan(tree):
    summary = build_summary(tree["yuelu"], YEAR, YEAR_END)
    assert summary.points == []
    assert summary.closing is None
    assert summary.opening == "2013年，岳麓区妇联共开展活动0项。年度工作要点未设定量化目标任务。"


def test_queries_are_bounded(tree, furong_year):
    with CaptureQueriesContext(connection) as small:
        build_summary(tree["furong"], YEAR, YEAR_END)
    plan = furong_year["plan"]
    for number in range(5):
        point = factories.point(plan, f"新增要点{number}", label=str(10 + number), order=10 + number)
        factories.target(point, furong_year["trained"], 100)
        record(tree["dingwangtai"], {furong_year["trained"]: Decimal(10)}, month=3, work_points=[point])
    with CaptureQueriesContext(connection) as large:
        summary = build_summary(tree["furong"], YEAR, YEAR_END)
    assert len(summary.points) == 9
    assert len(large.captured_queries) == len(small.captured_queries)


# The views ---------------------------------------------------------------------------------------


def summary_url(code: str = "430102", name: str = "reports:summary") -> str:
    return reverse(name, kwargs={"code": code})


def test_the_page_shows_the_draft_in_editable_text_boxes(tree, people, login, furong_year):
    client = login(people["furong_staff"])
    response = client.get(summary_url(), {"year": YEAR, "as_of": "2013-12-31"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "芙蓉区妇女联合会2013年工作总结（草稿）" in page
    assert f">{TRAINING}\n\n{LOANS}</textarea>" in page
    assert LAGGING in page
    assert page.count("<textarea") == 6  # the opening, four work points, the closing
    assert f"{summary_url(name='reports:summary-docx')}?year=2013&amp;as_of=2013-12-31" in page
    assert reverse("reports:dashboard", kwargs={"code": "430102"}) in page


def test_an_upper_leader_may_read_it_and_the_year_comes_from_the_session(tree, people, login, furong_year):
    client = login(people["hunan_leader"])
    session = client.session
    session["work_year"] = YEAR
    session.save()
    response = client.get(summary_url())
    assert response.status_code == 200
    assert response.context["summary"].year == YEAR
    assert "2013年工作总结（草稿）" in response.content.decode()


def test_the_docx_reads_back(tree, people, login, furong_year):
    client = login(people["furong_staff"])
    response = client.get(summary_url(name="reports:summary-docx"), {"year": YEAR, "as_of": "2013-12-31"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    # Non-ASCII file names travel RFC 5987-encoded.
    expected = quote("芙蓉区妇联2013年工作总结（草稿）.docx")
    assert f"filename*=utf-8''{expected}" in response["Content-Disposition"]
    document = docx.Document(io.BytesIO(b"".join(response.streaming_content)))
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert texts[0] == "芙蓉区妇女联合会2013年工作总结（草稿）"
    assert document.paragraphs[0].style.name == "Title"
    assert TRAINING in texts and LAGGING in texts
    heading = document.paragraphs[texts.index("一、促进妇女创业就业")]
    assert heading.style.name == "Heading 1"
    # The sub-point's label and title in 楷体, its figures in 仿宋, both 三号 (GB/T 9704;
    # see test_summary_docx).
    label_run, body_run = document.paragraphs[texts.index(TRAINING)].runs
    assert label_run.text == "一（一）加强就业技能培训。"
    assert label_run._element.rPr.rFonts.get(qn("w:eastAsia")) == "楷体_GB2312"
    assert body_run.font.size.pt == 16
    assert body_run._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert document.paragraphs[0].runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"


@pytest.mark.parametrize("name", ["reports:summary", "reports:summary-docx"])
def test_a_sibling_countys_user_gets_404(tree, people, login, furong_year, name):
    response = login(people["yuelu_staff"]).get(summary_url(name=name), {"year": YEAR})
    assert response.status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        {"as_of": "2013-02-30"},
        {"as_of": "yesterday"},
        {"as_of": "2013-6-1x"},
        {"year": "1999"},
        {"year": "2101"},
        {"year": "二〇一三"},
        {"year": "2013²"},
    ],
)
@pytest.mark.parametrize("name", ["reports:summary", "reports:summary-docx"])
def test_bad_parameters_are_404(tree, people, login, furong_year, query, name):
    response = login(people["furong_staff"]).get(summary_url(name=name), {"year": YEAR, **query})
    assert response.status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, tree):
    response = client.get(summary_url(), {"year": YEAR})
    assert response.status_code == 302
    assert "login" in response["Location"]
