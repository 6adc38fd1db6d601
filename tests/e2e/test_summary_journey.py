"""The 长沙市 leader reads the year-end summary draft on a phone, corrects it, and downloads the .docx
with the correction in it (issue #17: edits made on the page go into the .docx).

A screenshot of the page lands in tests/e2e/screenshots/summary-phone.png.
"""

from pathlib import Path

import docx
import pytest

from .test_journeys import choose_year, fits_width, login

pytestmark = pytest.mark.skipif(
    not Path("/usr/bin/chromium").exists(),
    reason="end-to-end journeys need Debian's chromium at /usr/bin/chromium "
    "(apt-get install chromium fonts-noto-cjk)",
)
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


def test_changsha_leader_edits_the_summary_on_a_phone_and_downloads_it(phone, screenshot, tmp_path):
    page = phone
    login(page, "changsha-leader", "长沙市妇联")
    choose_year(page)
    page.goto("/reports/4301/summary/?year=2013&as_of=2013-12-31")
    expect(page.get_by_test_id("summary-title")).to_have_text("长沙市妇女联合会2013年工作总结（草稿）")
    # The shortcomings name the children that lag, with their figures.
    closing = page.get_by_role("textbox", name="存在的不足")
    expect(closing).to_contain_text("下级妇联中，")
    expect(closing).to_contain_text("低于序时进度（100.0%）")
    assert fits_width(page)

    opening = page.get_by_role("textbox", name="总体情况")
    edited = opening.input_value() + "\n以上数据已经各区县妇联核对。"
    opening.fill(edited)
    screenshot(page, "summary-phone", focus=opening)

    with page.expect_download() as download_info:
        page.get_by_test_id("summary-download").click()
    download = download_info.value
    assert download.suggested_filename == "长沙市妇联2013年工作总结（草稿）.docx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    paragraphs = [paragraph.text for paragraph in docx.Document(path).paragraphs]
    assert "以上数据已经各区县妇联核对。" in paragraphs
    assert any(text.startswith("下级妇联中，") for text in paragraphs)
