"""On a phone, a figure box takes what the user types: text the browser would have dropped (12e) is
shown as an error, an implausible figure asks for 确认无误, and only then is the activity saved.

Screenshots: tests/e2e/screenshots/figure-input-12e.png and figure-input-confirm.png."""

from pathlib import Path

import pytest

from activities.models import Activity
from tests.e2e.test_journeys import choose_year, fits_width, go_to, heading, login

pytestmark = pytest.mark.skipif(
    not Path("/usr/bin/chromium").exists(), reason="needs Debian's chromium at /usr/bin/chromium"
)
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


def test_a_phone_user_is_told_about_a_bad_and_an_implausible_figure(phone, screenshot):
    page = phone
    title = "芙蓉区家庭教育宣讲（核对数字）"
    login(page, "furong-staff", "芙蓉区妇联")
    choose_year(page)
    go_to(page, "活动")
    page.get_by_role("link", name="填报活动").click()
    page.select_option("#id_type", label="培训")
    page.fill("#id_title", title)
    page.get_by_role("button", name="显示全部指标").click()
    trained = page.locator("input[name=fig_PX02]")
    expect(trained).to_have_attribute("inputmode", "numeric")
    trained.fill("12e")
    page.fill("#id_actual_start", "2013-03-14T09:30")
    page.get_by_role("button", name="保存", exact=True).click()

    box = page.locator(".figure-field", has=page.locator("input[name=fig_PX02]"))
    expect(box).to_contain_text("请填写数字，如 120 或 12.5")
    expect(page.locator("input[name=fig_PX02]")).to_have_value("12e")
    assert fits_width(page)
    screenshot(page, "figure-input-12e", focus=box)
    assert not Activity.objects.filter(title=title).exists()

    page.locator("input[name=fig_PX02]").fill("99999999999")
    page.get_by_role("button", name="保存", exact=True).click()
    box = page.locator(".figure-field", has=page.locator("input[name=fig_PX02]"))
    expect(box).to_contain_text("99,999,999,999人，数值异常大，请核对")
    tick = page.get_by_label("确认无误：以上数值已核对")
    expect(tick).to_be_visible()
    assert fits_width(page)
    screenshot(page, "figure-input-confirm", focus=tick)
    assert not Activity.objects.filter(title=title).exists()

    tick.check()
    page.get_by_role("button", name="保存", exact=True).click()
    expect(heading(page)).to_contain_text(title)
    expect(page.locator("table").filter(has_text="培训妇女人数")).to_contain_text("99,999,999,999")
