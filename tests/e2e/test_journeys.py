"""The four journeys people make through fedwork, in a real browser against the live server.

1. 芙蓉区 staff records a training with its figures on a phone and finds it on the calendar;
2. the 长沙市 leader sees 芙蓉区's new figure in the city's totals, drills down and back, exports Excel;
3. the 湖南省 planner imports the 2013 notice, corrects a target, publishes and splits it to the cities;
4. 芙蓉区 staff imports an activities workbook, sees the bad row's error, fixes the file and imports it.

Each journey keeps a screenshot of its last page in tests/e2e/screenshots/. The data is the demo
(``seed_demo``) in the 2013 work year, chosen in the top bar's selector as a user would.
"""

import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone

from activities.models import Activity, ActivityStatus, ActivityType
from activities.services import activity_save
from fedwork.models import Federation, Level, User
from plans.demo import HUNAN_NOTICE
from plans.models import Indicator, Plan, PlanStatus, Target

pytestmark = pytest.mark.skipif(
    not Path("/usr/bin/chromium").exists(),
    reason="end-to-end journeys need Debian's chromium at /usr/bin/chromium "
    "(apt-get install chromium fonts-noto-cjk)",
)
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

YEAR = 2013
PASSWORD = "demo12345"
HUNAN_TITLE = "关于贯彻全国妇联十届五次执委会议精神切实做好2013年工作的通知"


# ---------------------------------------------------------------------------------------------------
# Steps every journey takes


def open_menu_if_collapsed(page):
    """On a phone the top bar folds behind the ☰ button; open it as a user would."""
    toggler = page.locator("button.navbar-toggler")
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
        expect(page.locator("#mainnav")).to_have_class(re.compile(r"\bshow\b"))


def login(page, username: str, federation_name: str):
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="妇联工作管理")).to_be_visible()
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    open_menu_if_collapsed(page)
    identity = page.get_by_test_id("current-identity")
    expect(identity).to_contain_text(federation_name)
    expect(identity).to_contain_text(username)


def choose_year(page, year: int = YEAR):
    """Pick the work year in the top bar; the selector submits itself and the page comes back."""
    open_menu_if_collapsed(page)
    with page.expect_navigation():
        page.select_option("#year-select", str(year))
    open_menu_if_collapsed(page)
    expect(page.locator("#year-select")).to_have_value(str(year))


def go_to(page, nav_label: str):
    """Follow one of the top bar's links: 计划, 活动, 报表, 组织体系."""
    open_menu_if_collapsed(page)
    page.locator("#mainnav").get_by_role("link", name=nav_label, exact=True).click()


def heading(page):
    return page.locator("main h1")


def number_in(text: str) -> Decimal:
    """The number in a cell such as "1,234人" or "98.5%"."""
    match = re.search(r"-?[0-9][0-9,]*(?:\.[0-9]+)?", text)
    assert match, f"no number in {text!r}"
    return Decimal(match.group(0).replace(",", ""))


def fits_width(page) -> bool:
    """No sideways scrolling of the whole page (tables scroll inside their own box)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


# ---------------------------------------------------------------------------------------------------
# 1. 芙蓉区 staff records a training on a phone


def test_furong_staff_records_a_training_on_a_phone(phone, screenshot):
    page = phone
    title = "芙蓉区巾帼创业就业技能培训班（第三期）"
    point = Target.objects.get(
        plan__federation__code="430102", plan__year=YEAR, indicator__code="PX02"
    ).work_point

    login(page, "furong-staff", "芙蓉区妇联")
    choose_year(page)
    go_to(page, "活动")
    expect(heading(page)).to_have_text("芙蓉区妇联 2013年活动")

    page.get_by_role("link", name="填报活动").click()
    expect(heading(page)).to_have_text("填报活动 · 芙蓉区妇联 2013年")
    page.select_option("#id_type", label="培训")
    page.fill("#id_title", title)
    expect(page.locator("#id_status")).to_have_value(ActivityStatus.DONE)
    # Choosing the work point brings its target's figure (培训妇女人数) first; the others wait.
    option = f"{point.full_label()}{point.title}"[:60]
    page.select_option("#id_work_point", label=option)
    trained, classes = page.locator("input[name=fig_PX02]"), page.locator("input[name=fig_PX01]")
    expect(trained).to_be_visible()
    expect(classes).to_be_hidden()
    trained.fill("36")
    page.get_by_role("button", name="显示全部指标").click()
    expect(classes).to_be_visible()
    classes.fill("1")
    page.fill("#id_actual_start", "2013-03-14T09:30")
    page.fill("#id_place", "芙蓉区妇女儿童之家")
    assert fits_width(page), "the recording form scrolls sideways on a 390px phone"
    page.get_by_role("button", name="保存", exact=True).click()

    expect(page.locator(".alert")).to_contain_text(f"已保存活动“{title}”。")
    expect(heading(page)).to_contain_text(title)
    expect(heading(page)).to_contain_text("已完成")
    figures = page.locator("table").filter(has_text="培训妇女人数")
    expect(figures.locator("tr", has_text="培训妇女人数")).to_contain_text("36 人")
    expect(figures.locator("tr", has_text="举办培训班期数")).to_contain_text("1 期")
    details = page.locator("dl")
    expect(details).to_contain_text("09:30")
    expect(details).to_contain_text("芙蓉区妇女儿童之家")
    expect(details).to_contain_text(point.title)

    activity = Activity.objects.get(title=title)
    assert activity.federation.code == "430102"
    assert activity.year == YEAR and activity.status == ActivityStatus.DONE
    assert timezone.localtime(activity.actual_start).replace(tzinfo=None) == datetime(2013, 3, 14, 9, 30)
    assert {f.indicator.code: f.value for f in activity.figures.select_related("indicator")} == {
        "PX01": Decimal(1),
        "PX02": Decimal(36),
    }
    assert list(activity.work_points.all()) == [point]

    # The calendar opens on January of a past year; the user pages forward to March.
    go_to(page, "活动")
    month = page.get_by_test_id("calendar-month")
    expect(month).to_have_text("2013年1月")
    page.get_by_role("link", name="2月 ›").click()
    expect(month).to_have_text("2013年2月")
    page.get_by_role("link", name="3月 ›").click()
    expect(month).to_have_text("2013年3月")
    # On a phone the day shows a dot; tapping it lists the day's activities below the grid.
    day = page.locator(
        "table.calendar-grid a.day-link", has=page.locator(".day-number", has_text=re.compile(r"^14$"))
    )
    expect(day.locator(".dot.status-done")).to_have_count(1)
    day.click()
    listed = page.get_by_test_id("day-list")
    expect(listed).to_contain_text("3月14日（星期四）")
    expect(listed.locator("a.day-item", has_text=title)).to_contain_text("已完成")
    screenshot(page, "journey-1-phone-calendar")


# ---------------------------------------------------------------------------------------------------
# 2. The 长沙市 leader follows 芙蓉区's new figure up, down and into Excel


def _achieved(page, indicator_name: str) -> Decimal:
    """The 完成 cell of a target in the dashboard's 各项工作要点 section."""
    section = page.locator("section").filter(has=page.get_by_role("heading", name="各项工作要点"))
    row = section.locator("table.targets-table tbody tr").filter(
        has=page.locator("td:first-child", has_text=indicator_name)
    )
    expect(row).to_have_count(1)
    return number_in(row.locator("td").nth(2).inner_text())


def _child_row(page, child_name: str):
    row = page.locator("table.children-table tbody tr").filter(
        has=page.get_by_role("link", name=child_name, exact=True)
    )
    expect(row).to_have_count(1)
    return row


def test_changsha_leader_sees_furong_figure_drills_down_and_exports(desktop, screenshot, tmp_path):
    page = desktop
    indicator_name, added = "培训妇女人数", Decimal(37)

    login(page, "changsha-leader", "长沙市妇联")
    choose_year(page)
    go_to(page, "报表")
    expect(heading(page)).to_have_text("长沙市妇联 2013年目标完成情况")
    expect(page.get_by_text("统计截止 2013-12-31")).to_be_visible()
    city_before = _achieved(page, indicator_name)
    # A child's row gives its score and counts; its figures are one click down.
    _child_row(page, "芙蓉区妇联").get_by_role("link", name="芙蓉区妇联", exact=True).click()
    expect(heading(page)).to_have_text("芙蓉区妇联 2013年目标完成情况")
    furong_before = _achieved(page, indicator_name)
    page.go_back()
    expect(heading(page)).to_have_text("长沙市妇联 2013年目标完成情况")

    # Meanwhile 芙蓉区 records a training with 37 women trained (as the form would save it).
    furong = Federation.objects.get(code="430102")
    activity_save(
        activity=Activity(
            federation=furong,
            year=YEAR,
            type=ActivityType.objects.get(name="培训"),
            title="芙蓉区女农民工技能培训",
            status=ActivityStatus.DONE,
            actual_start=timezone.make_aware(datetime(2013, 5, 20, 9, 0)),
        ),
        figures={Indicator.objects.get(code="PX02"): added},
        by=User.objects.get(username="furong-staff"),
    )

    page.reload()
    city_after = _achieved(page, indicator_name)
    assert city_after - city_before == added

    # Down to 芙蓉区 through the children table, and back up through the breadcrumb.
    page.locator("table.children-table").get_by_role("link", name="芙蓉区妇联", exact=True).click()
    expect(heading(page)).to_have_text("芙蓉区妇联 2013年目标完成情况")
    breadcrumb = page.locator("ol.breadcrumb")
    expect(breadcrumb).to_contain_text("长沙市妇联")
    expect(breadcrumb.locator(".active")).to_have_text("芙蓉区妇联")
    assert _achieved(page, indicator_name) - furong_before == added
    breadcrumb.get_by_role("link", name="长沙市妇联").click()
    expect(heading(page)).to_have_text("长沙市妇联 2013年目标完成情况")
    assert _achieved(page, indicator_name) == city_after

    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出Excel").click()
    download = download_info.value
    assert download.suggested_filename == "长沙市妇联2013年工作目标完成情况汇总表.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    workbook = openpyxl.load_workbook(path, read_only=True)
    assert "目标完成情况" in workbook.sheetnames
    rows = list(workbook["目标完成情况"].iter_rows(values_only=True))
    header_index = next(i for i, row in enumerate(rows) if row and "完成值" in row)
    header = rows[header_index]
    indicator_col, achieved_col = header.index("指标"), header.index("完成值")
    exported = [row[achieved_col] for row in rows[header_index + 1 :] if row[indicator_col] == indicator_name]
    assert exported == [city_after], exported
    # The charts are drawn from the numbers the page embeds once it loads, with a one-second
    # animation; let them settle so the screenshot shows what a person sees.
    page.wait_for_function(
        "() => window.echarts && echarts.getInstanceByDom(document.getElementById('chart-children'))"
    )
    page.wait_for_timeout(1500)
    screenshot(page, "journey-2-changsha-dashboard")


# ---------------------------------------------------------------------------------------------------
# 3. The 湖南省 planner imports the notice, corrects a target, publishes and splits it


def test_hunan_planner_imports_corrects_publishes_and_splits(desktop, screenshot):
    page = desktop
    # The demo imported the notice already; the planner starts from before that, with no 2013 plans in
    # Hunan (the province's and those its splits created below it).
    hunan = Federation.objects.get(code="43")
    Plan.objects.filter(year=YEAR, federation__path__startswith=hunan.path).delete()
    cities = list(Federation.objects.children_of(hunan).filter(level=Level.CITY).order_by("code"))
    assert len(cities) == 14

    login(page, "hunan-staff", "湖南省妇联")
    choose_year(page)
    go_to(page, "计划")
    expect(heading(page)).to_have_text("湖南省妇联 2013年度工作要点")
    expect(page.get_by_text("湖南省妇联2013年度尚无工作要点。")).to_be_visible()

    page.get_by_role("link", name="导入文档").click()
    expect(heading(page)).to_have_text("导入湖南省妇联2013年度工作要点")
    page.set_input_files("#id_document", str(HUNAN_NOTICE))
    page.get_by_role("button", name="上传并核对").click()

    # The review page, before anything is saved: the planner drops the first part (the speeches of the
    # national meeting) with everything under it in one click; the branch greys out.
    expect(heading(page)).to_contain_text("核对导入内容")
    study = page.locator("li.import-point").filter(has_text="学习贯彻全国妇联十届五次执委会议精神")
    speech = page.locator("li.import-point").filter(has_text="李源潮同志讲话主要精神")
    expect(page.locator("li.import-target")).to_have_count(5)
    study.get_by_role("checkbox").uncheck()
    expect(study).to_have_class(re.compile(r"\bopacity-50\b"))
    expect(speech).to_have_class(re.compile(r"\bopacity-50\b"))
    expect(speech.get_by_role("checkbox")).to_be_checked()  # it follows its parent on the server
    screenshot(page, "plan-import-review", focus=speech)
    assert not Plan.objects.filter(federation=hunan, year=YEAR).exists()
    page.get_by_role("button", name="导入勾选的要点为草稿").click()

    # Review the draft: title, status, the recognised targets with their source sentences marked.
    expect(page.locator(".alert")).to_contain_text("已导入为草稿")
    expect(heading(page)).to_contain_text(HUNAN_TITLE)
    expect(heading(page)).to_contain_text("草稿")
    targets = page.locator("li.target")
    expect(targets).to_have_count(5)
    expect(page.get_by_text("待定指标")).to_have_count(0)
    expect(page.locator("mark.target-source").first).to_be_visible()
    expect(page.get_by_role("heading", name="主要活动安排")).to_be_visible()
    expect(page.get_by_text("李源潮同志讲话主要精神")).to_have_count(0)
    stars = targets.filter(has_text="培育岗位明星技术女能手人数")
    expect(stars).to_have_count(1)
    expect(stars).to_contain_text("不少于1,000名")

    # Correct one target: the province means 1200 岗位明星、技术女能手, not 1000.
    stars.get_by_role("link", name="修改", exact=True).click()
    expect(heading(page)).to_have_text("修改目标")
    expect(page.locator("#id_value")).to_have_value("1000.00")
    page.fill("#id_value", "1200")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".alert")).to_contain_text("已保存目标")
    expect(stars).to_contain_text("不少于1,200名")

    page.get_by_role("button", name="确认并发布").click()
    expect(page.locator(".alert-success").first).to_contain_text("已发布。下级可以看到本计划并贯彻落实。")
    expect(heading(page)).to_contain_text("已发布")
    expect(page.get_by_text("本计划已发布，要点和目标已锁定")).to_be_visible()
    plan = Plan.objects.get(federation=hunan, year=YEAR)
    assert plan.status == PlanStatus.PUBLISHED

    # Split the corrected target among the 14 cities: 长沙市 160, the others 80 each.
    stars.get_by_role("link", name="分解到下级").click()
    expect(heading(page)).to_have_text("指标分解：培育岗位明星技术女能手人数")
    expect(page.locator("[data-split-target]")).to_have_text("不少于1,200名")
    values = {city.display_name: (160 if city.code == "4301" else 80) for city in cities}
    total, remainder = page.locator("[data-split-total]"), page.locator("[data-split-remainder]")
    page.get_by_label("长沙市妇联", exact=True).fill("160")
    expect(total).to_have_text("160")
    expect(remainder).to_have_text("1,040")
    expect(remainder).to_have_class(re.compile(r"\btext-danger\b"))
    for name, value in values.items():
        page.get_by_label(name, exact=True).fill(str(value))
    expect(total).to_have_text("1,200")
    expect(remainder).to_have_text("0")
    expect(remainder).not_to_have_class(re.compile(r"\btext-danger\b"))
    page.get_by_role("button", name="保存分解").click()
    expect(page.locator(".alert-success")).to_contain_text("已保存分解：新增 14，修改 0，撤回 0。")
    expect(page.locator(".alert-warning")).to_have_count(0)
    for city in cities:
        row = page.locator("table.split-table tbody tr").filter(has_text=city.display_name)
        expect(row.locator("input")).to_have_value(str(values[city.display_name]))
        expect(row.locator("td").nth(2)).to_have_text("草稿")

    target = Target.objects.get(plan=plan, indicator__code="JY04")
    assert target.value == Decimal(1200)
    children = {t.plan.federation.code: t.value for t in Target.objects.filter(parent_target=target)}
    assert children == {c.code: Decimal(values[c.display_name]) for c in cities}
    assert Plan.objects.get(federation__code="4301", year=YEAR).status == PlanStatus.DRAFT

    page.get_by_role("link", name="返回计划").click()
    expect(stars.locator(".text-success")).to_have_text("已分解 1,200")
    screenshot(page, "journey-3-hunan-plan", focus=stars)


# ---------------------------------------------------------------------------------------------------
# 4. 芙蓉区 staff imports a workbook, fixes the bad row, imports it


def _fill_rows(template: Path, rows: list[dict], output: Path) -> None:
    workbook = openpyxl.load_workbook(template)
    sheet = workbook["活动"]
    headers = [cell.value for cell in sheet[1]]
    for values in rows:
        assert set(values) <= set(headers), set(values) - set(headers)
        sheet.append([values.get(header) for header in headers])
    workbook.save(output)


def test_furong_staff_imports_a_workbook_after_fixing_the_bad_row(desktop, screenshot, tmp_path):
    page = desktop
    trained_column = "培训妇女人数（人）"
    good = {
        "单位代码": "430102",
        "活动名称": "芙蓉区家庭教育公益讲座",
        "活动类型": "培训",
        "开始日期": date(2013, 4, 10),
        "地点": "芙蓉区妇女儿童之家",
        trained_column: 25,
    }
    bad = {
        "单位代码": "430102",
        "活动名称": "芙蓉区巾帼志愿者培训",
        "活动类型": "培训",
        "开始日期": date(2013, 4, 12),
        "地点": "文艺路街道社区活动室",
        trained_column: -5,
    }

    login(page, "furong-staff", "芙蓉区妇联")
    choose_year(page)
    go_to(page, "活动")
    page.get_by_role("link", name="Excel导入").click()
    expect(heading(page)).to_have_text("导入芙蓉区妇联2013年已完成的活动")

    with page.expect_download() as download_info:
        page.get_by_test_id("template-link").click()
    download = download_info.value
    assert download.suggested_filename == "活动导入模板-430102-2013.xlsx"
    template = tmp_path / download.suggested_filename
    download.save_as(template)

    first_try = tmp_path / "芙蓉区活动-有错.xlsx"
    _fill_rows(template, [good, bad], first_try)
    page.set_input_files("#id_file", str(first_try))
    page.get_by_role("button", name="上传并预览").click()

    expect(heading(page)).to_have_text("导入预览：2013年活动")
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_contain_text("发现 1 处错误，未导入任何活动")
    error_rows = errors.locator("tbody tr")
    expect(error_rows).to_have_count(1)
    expect(error_rows.locator("td").nth(0)).to_have_text("第3行")
    expect(error_rows.locator("td").nth(1)).to_have_text(trained_column)
    expect(error_rows.locator("td").nth(2)).to_contain_text("不能为负数")
    expect(page.locator("[data-row-error]")).to_contain_text(bad["活动名称"])
    expect(page.get_by_test_id("confirm-import")).to_have_count(0)
    assert not Activity.objects.filter(title__in=[good["活动名称"], bad["活动名称"]]).exists()

    fixed = tmp_path / "芙蓉区活动-已改.xlsx"
    _fill_rows(template, [good, {**bad, trained_column: 5}], fixed)
    page.get_by_role("link", name="重新上传").click()
    page.set_input_files("#id_file", str(fixed))
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_test_id("import-ok")).to_contain_text("共 2 项活动，检查通过")
    expect(page.get_by_test_id("import-errors")).to_have_count(0)
    page.get_by_test_id("confirm-import").click()

    expect(page.locator(".alert-success")).to_contain_text("已导入 2 项活动（2013年）。")
    expect(heading(page)).to_have_text("芙蓉区妇联 2013年活动")
    own = page.locator(".list-group-item", has_text=good["活动名称"])
    expect(own).to_contain_text("培训妇女人数 25人")
    second = page.locator(".list-group-item", has_text=bad["活动名称"])
    expect(second).to_contain_text("培训妇女人数 5人")

    imported = {
        a.title: a
        for a in Activity.objects.filter(title__in=[good["活动名称"], bad["活动名称"]]).select_related(
            "federation"
        )
    }
    assert {title: a.federation.code for title, a in imported.items()} == {
        good["活动名称"]: "430102",
        bad["活动名称"]: "430102",
    }
    for row in (good, bad):
        activity = imported[row["活动名称"]]
        assert activity.year == YEAR and activity.status == ActivityStatus.DONE
        assert [(f.indicator.code, f.value) for f in activity.figures.select_related("indicator")] == [
            ("PX02", Decimal(row[trained_column] if row is good else 5))
        ]
    screenshot(page, "journey-4-imported-list", focus=second)
