"""A unit without targets (issue #17): a township's dashboard shows its own year's work — activities
by status, figures by indicator with last year beside them, its latest done activities — instead of
an empty chart, and "去制定工作要点" leads to its own plans page, never someone else's."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from activities import services
from activities.models import Activity, ActivityStatus, ActivityType
from fedwork.models import Role
from tests import factories

BEIJING = ZoneInfo("Asia/Shanghai")
YEAR = 2013


def record(federation, title, figures, *, year=YEAR, month=5, status=ActivityStatus.DONE, planned=None):
    activity = Activity(
        federation=federation,
        year=year,
        type=ActivityType.objects.get(name="培训"),
        title=title,
        status=status,
        actual_start=datetime(year, month, 10, 9, tzinfo=BEIJING) if status == ActivityStatus.DONE else None,
        planned_start=planned,
    )
    return services.activity_save(activity=activity, figures=figures, by=None)


@pytest.fixture
def township(tree):
    """定王台街道 2013, no plan: two done trainings (120 + 30 trained, 130 screened), one planned in
    the past (overdue), one cancelled; 2012: 100 trained."""
    nation = tree["nation"]
    trained = factories.indicator("PX02", "培训妇女人数", "人", nation)
    screening = factories.indicator("LA01", "两癌筛查人数", "人", nation)
    dingwangtai = tree["dingwangtai"]
    record(dingwangtai, "巾帼家政培训", {trained: Decimal(120), screening: Decimal(1300)}, month=3)
    record(dingwangtai, "社区妇女创业培训", {trained: Decimal(30)}, month=6)
    record(dingwangtai, "三八节座谈会", {}, status=ActivityStatus.PLANNED, planned=date(YEAR, 3, 8))
    record(dingwangtai, "取消的讲座", {}, status=ActivityStatus.CANCELLED, planned=date(YEAR, 4, 8))
    record(dingwangtai, "上年培训", {trained: Decimal(100)}, year=YEAR - 1)
    return {
        "staff": factories.user("dingwangtai-staff", dingwangtai, Role.STAFF),
        "trained": trained,
    }


def dashboard(client, code="430102001"):
    client.post(reverse("set-year"), {"year": str(YEAR)})
    response = client.get(reverse("reports:dashboard", args=[code]), {"as_of": "2013-12-31"})
    assert response.status_code == 200
    return response.content.decode()


def section(html, testid):
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</section>", start) if "</section>" in html[start:] else None]


def text(fragment):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", fragment)).strip()


def test_a_township_sees_its_own_work_instead_of_empty_charts(tree, township, login):
    html = dashboard(login(township["staff"]))
    assert 'id="chart-monthly"' not in html and 'id="chart-children"' not in html
    counts = re.findall(r'class="display-6[^"]*">(\d+)</div>', section(html, "activity-counts"))
    # 本年活动, 已完成, 计划中, 已逾期: the cancelled one counts only among the 4.
    assert counts == ["4", "2", "0", "1"]

    figures = text(section(html, "own-figures"))
    assert "培训妇女人数 150人 上年同期 100人 · 同比 +50.0%" in figures
    assert "两癌筛查人数 1,300人 上年同期 — · 同比 —" in figures

    recent = text(section(html, "recent-activities"))
    assert recent.index("社区妇女创业培训") < recent.index("巾帼家政培训")  # latest first
    first = recent[recent.index("巾帼家政培训") :]
    assert "培训妇女人数 120人" in first and "两癌筛查人数 1,300人" in first
    assert "三八节座谈会" not in recent and "取消的讲座" not in recent and "上年培训" not in recent


def test_its_own_staff_are_sent_to_their_own_plans_page(tree, township, login):
    html = dashboard(login(township["staff"]))
    link = re.search(r'<a href="([^"]+)" data-testid="plan-link">([^<]+)</a>', html)
    assert link.group(1, 2) == (reverse("plans:index"), "去制定工作要点")


def test_a_leader_from_above_is_not_sent_to_their_own_plans(tree, township, people, login):
    html = dashboard(login(people["changsha_leader"]))
    assert 'data-testid="plan-link"' not in html  # 长沙市's plans page is not 定王台街道's
    assert "定王台街道妇联2013年度没有已设定指标的目标任务。" in html
    assert "培训妇女人数" in text(section(html, "own-figures"))


def test_with_a_plan_but_no_targets_the_link_opens_that_plan(tree, township, people, login):
    plan = factories.plan(tree["dingwangtai"])
    for persona in (township["staff"], people["changsha_leader"]):
        html = dashboard(login(persona))
        link = re.search(r'<a href="([^"]+)" data-testid="plan-link">([^<]+)</a>', html)
        assert link.group(1, 2) == (plan.get_absolute_url(), "查看本单位工作要点")


def test_outsiders_still_get_a_404(tree, township, people, login):
    client = login(people["lixia_staff"])
    assert client.get(reverse("reports:dashboard", args=["430102001"])).status_code == 404
