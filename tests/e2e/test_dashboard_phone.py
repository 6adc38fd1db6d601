"""Dashboards on a phone (issue #17), in a real browser at 390×844 on the demo's 2013.

The 长沙市 leader opens the city's and 芙蓉区's dashboards: the targets and children tables are
stacked cards (name, figures, bar, status), no table cell narrower than 40 px holds text, nothing in
a card is smaller than 12 px, the children-score chart names each child in full (its labels wrap),
and every target card shows 上年同期 and 同比增减. The 湖南省 planner's split page says "超出 …" in red
as soon as the shares typed add up to more than the target. Screenshots land in
tests/e2e/screenshots/dashboard-phone-*.png.
"""

import re
from pathlib import Path

import pytest

from plans.models import Target
from tests.e2e import test_journeys as journeys

pytestmark = pytest.mark.skipif(
    not Path("/usr/bin/chromium").exists(),
    reason="end-to-end journeys need Debian's chromium at /usr/bin/chromium "
    "(apt-get install chromium fonts-noto-cjk)",
)
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

YEAR = 2013
MIN_CELL_WIDTH = 40  # px: narrower than this, a cell holding text reads one character a line
MIN_FONT_SIZE = 12  # px

# Every visible table cell with text, with its width: [{text, width}] for those narrower than ``min``.
NARROW_CELLS_JS = """(min) => Array.from(document.querySelectorAll('main table td, main table th'))
  .filter(cell => cell.offsetParent !== null && cell.innerText.trim() !== '')
  .map(cell => ({text: cell.innerText.trim().slice(0, 20), width: cell.getBoundingClientRect().width}))
  .filter(cell => cell.width < min)"""

# Every visible element inside the stacked tables that carries text of its own (or a ::before
# label), with its computed font size: those smaller than ``min``.
SMALL_TEXT_JS = """(min) => {
  const small = [];
  for (const element of document.querySelectorAll('.stack-table *')) {
    if (element.offsetParent === null) continue;
    const own = Array.from(element.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
    const size = parseFloat(getComputedStyle(element).fontSize);
    if (own && size < min) small.push({text: element.innerText.trim().slice(0, 20), size});
    const before = getComputedStyle(element, '::before');
    const label = before.content && before.content !== 'none' && before.content !== 'normal';
    if (label && parseFloat(before.fontSize) < min)
      small.push({text: before.content, size: parseFloat(before.fontSize)});
  }
  return small;
}"""


def login(page, username, federation_name):
    """Log in and pick the work year in the top bar, as the journeys do (behind ☰ on a phone)."""
    journeys.login(page, username, federation_name)
    journeys.choose_year(page, YEAR)


def open_dashboard(page, code):
    page.goto(f"/reports/{code}/?as_of={YEAR}-12-31")
    expect(page.locator("h1")).to_contain_text(f"{YEAR}年目标完成情况")


def assert_readable(page):
    narrow = page.evaluate(NARROW_CELLS_JS, MIN_CELL_WIDTH)
    assert narrow == [], f"table cells narrower than {MIN_CELL_WIDTH} px: {narrow[:5]}"
    small = page.evaluate(SMALL_TEXT_JS, MIN_FONT_SIZE)
    assert small == [], f"text under {MIN_FONT_SIZE} px in the cards: {small[:5]}"


def assert_stacked(page, table_class):
    """Each row of the table is a card: the header is hidden, the row is as wide as the screen's
    content and its name sits on top, above the figures."""
    table = page.locator(f"table.{table_class}").first
    expect(table).to_be_visible()
    assert table.locator("thead").first.is_hidden()
    row = table.locator("tbody tr").first
    box = row.bounding_box()
    assert box["width"] > 300, box
    cells = row.locator("td")
    title = row.locator("td.card-title-cell").bounding_box()
    for index in range(cells.count()):
        cell = cells.nth(index)
        if "card-title-cell" in (cell.get_attribute("class") or "") or not cell.is_visible():
            continue  # the name; or a child without split targets, whose zeros are left out
        assert cell.bounding_box()["y"] >= title["y"] + title["height"] - 1  # below the name
        assert cell.bounding_box()["width"] > 250  # a line of its own, not a column


def test_city_and_county_dashboards_read_as_cards_on_a_phone(phone, screenshot):
    page = phone
    login(page, "changsha-leader", "长沙市妇联")

    open_dashboard(page, "4301")
    assert_stacked(page, "targets-table")
    assert_stacked(page, "children-table")
    assert_readable(page)
    first_target = page.locator("table.targets-table tbody tr").first
    expect(first_target.locator("td[data-label='上年同期']")).to_be_visible()
    expect(first_target.locator("td[data-label='同比增减']")).to_have_text(re.compile(r"^(—|[+-]?\d+\.\d%)$"))
    screenshot(page, "dashboard-phone-city-targets", focus=page.locator("table.targets-table"))
    screenshot(page, "dashboard-phone-city-children", focus=page.locator("table.children-table"))

    # The children-score chart: every child's full name, wrapping rather than cut off.
    chart = page.locator("#chart-children")
    chart.scroll_into_view_if_needed()
    page.wait_for_function("() => echarts.getInstanceByDom(document.getElementById('chart-children'))")
    axis = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('chart-children')).getOption().yAxis[0]"
    )
    names = page.locator("table.children-table td.card-title-cell a").all_inner_texts()
    assert axis["axisLabel"]["overflow"] == "break"
    assert axis["axisLabel"]["fontSize"] >= MIN_FONT_SIZE
    # One bar per child with a score (长沙市's nine districts and counties), named as in the table.
    scored = page.locator("table.children-table td.bar-cell .progress").count()
    assert set(axis["data"]) <= set(names) and len(axis["data"]) == scored == 9
    screenshot(page, "dashboard-phone-city-chart", focus=chart)

    open_dashboard(page, "430102")
    expect(page.locator("h1")).to_contain_text("芙蓉区妇联")
    assert_stacked(page, "targets-table")
    assert_stacked(page, "children-table")
    assert_readable(page)
    screenshot(page, "dashboard-phone-county", focus=page.locator("table.children-table"))


def test_the_split_page_says_how_far_over_the_target_as_you_type(phone, screenshot):
    page = phone
    login(page, "hunan-staff", "湖南省妇联")
    target = (
        Target.objects.filter(plan__federation__code="43", plan__year=YEAR, splits__isnull=False)
        .distinct()
        .order_by("pk")
        .first()
    )
    page.goto(f"/plans/targets/{target.pk}/split/")
    inputs = page.locator("input[data-split-value]")
    for index in range(inputs.count()):
        inputs.nth(index).fill("")
    inputs.first.fill(str(int(target.value) + 100))
    remainder = page.locator("[data-split-remainder]")
    expect(remainder).to_have_text("超出 100")
    expect(remainder).to_have_class(re.compile(r"\btext-danger\b"))
    expect(page.locator("[data-split-remainder-label]")).to_have_text("超出本级目标")
    inputs.first.fill(str(int(target.value) - 5))
    expect(remainder).to_have_text("5")
    expect(page.locator("[data-split-remainder-label]")).to_have_text("剩余未分解")
    inputs.first.fill(str(int(target.value) + 100))
    screenshot(page, "dashboard-phone-split-over", focus=remainder)


def test_a_township_without_targets_sees_its_own_year_on_a_phone(phone, screenshot):
    page = phone
    login(page, "changsha-leader", "长沙市妇联")
    open_dashboard(page, "430102001")  # 文艺路街道: the demo splits no targets down to townships
    expect(page.locator("#chart-monthly")).to_have_count(0)
    counts = page.get_by_test_id("activity-counts")
    expect(counts).to_contain_text("本年活动")
    figures = page.get_by_test_id("own-figures")
    expect(figures.locator(".figure-card").first).to_contain_text("上年同期")
    expect(page.get_by_test_id("recent-activities").locator("li").first).not_to_have_text("暂无")
    expect(page.get_by_test_id("plan-link")).to_have_count(0)  # the city's plans are not the township's
    assert_readable(page)
    screenshot(page, "dashboard-phone-township", focus=figures)
