"""The 湖南省 administrator's admin pages read in Chinese in a real browser: the brand, a member's
form without password-hash internals, the password page without the LDAP switch, the federation form
without 路径/深度. Screenshots: tests/e2e/screenshots/admin-user-change.png, admin-password.png."""

import re
from pathlib import Path

import pytest

from fedwork.models import User

pytestmark = pytest.mark.skipif(
    not Path("/usr/bin/chromium").exists(), reason="needs Debian's chromium at /usr/bin/chromium"
)
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


def test_the_province_administrator_reads_the_admin_in_chinese(desktop, screenshot):
    page = desktop
    page.goto("/accounts/login/")
    page.fill("#id_username", "hunan-admin")
    page.fill("#id_password", "demo12345")
    page.get_by_role("button", name="登录").click()
    page.goto("/admin/")
    expect(page.locator("#site-name")).to_have_text("妇联工作管理系统")

    member = User.objects.get(username="furong-staff")
    page.goto(f"/admin/fedwork/user/{member.pk}/change/")
    form = page.locator("#user_form")
    expect(form).to_contain_text("已设置密码。")
    for internal in ("pbkdf2", "算法", "迭代", "盐", "哈希", "Designates", "Required"):
        expect(form).not_to_contain_text(internal)
    screenshot(page, "admin-user-change")

    page.get_by_role("link", name="重新设置密码").click()
    content = page.locator("#content")
    expect(content).not_to_contain_text("LDAP")
    expect(content).not_to_contain_text("基于密码的")
    expect(content).not_to_contain_text("你的密码")
    expect(page.get_by_role("button", name="保存新密码")).to_be_visible()
    screenshot(page, "admin-password")

    page.goto(f"/admin/fedwork/federation/{member.federation_id}/change/")
    expect(page.locator("#id_name")).to_have_value(re.compile("芙蓉区"))
    expect(page.locator("#federation_form")).not_to_contain_text("路径")
    expect(page.locator("#federation_form")).not_to_contain_text("深度")
