"""Phone-first pages on a 390×844 screen (issue #17), in a real browser against the demo:

1. 芙蓉区 staff taps a day of the month and reads its activities below the grid, then the week;
2. the 湖南省 leader searches the province's activities (含下级) and pages through them;
3. 芙蓉区 staff opens the home page: today's, this month's and overdue activities under 填报活动.

Each keeps a screenshot in tests/e2e/screenshots/ (phone-*.png).
"""

import re
from pathlib import Path

import pytest

from activities.models import Activity

from .test_journeys import YEAR, choose_year, fits_width, go_to, heading, login

pytestmark = pytest.mark.skipif(
    not Path("/usr/bin/chromium").exists(),
    reason="end-to-end journeys need Debian's chromium at /usr/bin/chromium "
    "(apt-get install chromium fonts-noto-cjk)",
)
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

TAP = 44  # px: the smallest target a thumb hits reliably


def height(locator) -> float:
    return locator.bounding_box()["height"]


def test_a_day_of_the_month_lists_its_activities_below_the_grid(phone, screenshot):
    page = phone
    busy = (
        Activity.objects.filter(federation__code="430102", year=YEAR, calendar_day__month=5)
        .order_by("calendar_day")
        .first()
    )
    assert busy is not None, "the demo has 芙蓉区 activities in May 2013"
    login(page, "furong-staff", "芙蓉区妇联")
    choose_year(page)
    go_to(page, "活动")
    page.goto("/activities/calendar/?m=5")
    expect(page.get_by_test_id("calendar-month")).to_have_text("2013年5月")

    day = page.locator("table.calendar-grid a.day-link").filter(
        has=page.locator(".day-number", has_text=re.compile(rf"^{busy.calendar_day.day}$"))
    )
    expect(day.locator(".dot").first).to_be_visible()
    expect(page.locator("a.activity-chip").first).to_be_hidden()  # no chips squeezed into 52 px cells
    assert height(day) >= TAP and day.bounding_box()["width"] >= TAP
    day.click()

    listed = page.get_by_test_id("day-list")
    expect(listed).to_contain_text(f"5月{busy.calendar_day.day}日")
    item = listed.locator("a.day-item", has_text=busy.title)
    expect(item).to_be_visible()
    assert height(item) >= TAP
    assert fits_width(page), "the month scrolls sideways on a 390px phone"
    screenshot(page, "phone-calendar-day", focus=listed)

    page.get_by_role("link", name="周", exact=True).click()
    expect(page.get_by_test_id("calendar-week")).to_contain_text("月")
    expect(page.locator(".week-days")).to_contain_text("星期一")
    screenshot(page, "phone-calendar-week")


def test_a_city_leader_sees_counts_per_county_under_below(phone, screenshot):
    page = phone
    login(page, "changsha-leader", "长沙市妇联")
    choose_year(page)
    page.goto("/activities/calendar/?m=5&below=on")
    listed = page.get_by_test_id("day-list")
    # Some day of May has activities below the city: pick the first dotted day.
    dotted = page.locator("table.calendar-grid a.day-link").filter(has=page.locator(".dot")).first
    dotted.click()
    groups = listed.locator("details.branch-group")
    expect(groups.first).to_be_visible()
    summary = groups.first.locator("summary")
    expect(summary).to_contain_text(re.compile(r"妇联\s*\d+项"))
    assert height(summary) >= TAP
    screenshot(page, "phone-calendar-below", focus=listed)


def test_the_leader_searches_and_pages_through_the_provinces_activities(phone, screenshot):
    page = phone
    login(page, "hunan-leader", "湖南省妇联")
    choose_year(page)
    go_to(page, "活动")
    page.get_by_role("link", name="列表", exact=True).click()
    expect(heading(page)).to_have_text("湖南省妇联 2013年活动")

    page.check("#id_below")
    page.get_by_role("button", name="搜索").click()
    count = page.get_by_test_id("result-count")
    expect(count).to_contain_text("第 1–30 项")
    total = int(re.search(r"共 (\d+) 项", count.inner_text()).group(1))
    assert total > 30
    expect(page.locator(".activity-results > a")).to_have_count(30)
    next_page = page.get_by_role("link", name="下一页 ›")
    assert height(next_page) >= TAP
    next_page.click()
    expect(page.get_by_test_id("page-number")).to_contain_text("第 2 /")

    page.fill("#id_q", "培训")
    page.fill("#id_date_from", "2013-05-01")
    page.fill("#id_date_to", "2013-06-30")
    page.get_by_role("button", name="搜索").click()
    results = page.locator(".activity-results > a")
    expect(results.first).to_be_visible()
    found = int(re.search(r"共 (\d+) 项", count.inner_text()).group(1))
    assert 0 < found < total
    for text in results.all_inner_texts()[:10]:
        assert "培训" in text
    assert re.search(r"[56]月\d+日", results.first.inner_text())
    assert fits_width(page), "the activity list scrolls sideways on a 390px phone"
    screenshot(page, "phone-activity-search")


def test_staff_home_shows_the_days_work_under_a_big_button(phone, screenshot):
    page = phone
    login(page, "furong-staff", "芙蓉区妇联")
    page.goto("/")
    section = page.get_by_test_id("staff-home")
    record = section.get_by_role("link", name="填报活动")
    expect(record).to_be_visible()
    assert height(record) >= 56 and record.bounding_box()["width"] >= 300
    expect(section).to_contain_text("今天（")
    expect(section).to_contain_text("本月（")
    overdue = Activity.objects.filter(federation__code="430102").overdue().count()
    if overdue:
        expect(section).to_contain_text("已逾期")
    assert fits_width(page)
    screenshot(page, "phone-staff-home")
    record.click()
    expect(heading(page)).to_contain_text("填报活动")
