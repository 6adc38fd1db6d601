"""芙蓉区 staff attach two photos to an activity on a phone — one chosen from the gallery, one from
the camera input — watch the upload, and see both thumbnails with the date the photos carry.

A screenshot of the result lands in tests/e2e/screenshots/evidence-phone.png.
"""

from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image

from activities.models import Activity, ActivityStatus
from evidence.models import Attachment

from .test_journeys import choose_year, fits_width, login

pytestmark = pytest.mark.skipif(
    not Path("/usr/bin/chromium").exists(),
    reason="end-to-end journeys need Debian's chromium at /usr/bin/chromium "
    "(apt-get install chromium fonts-noto-cjk)",
)
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


def photo(color: str, taken: str) -> bytes:
    image = Image.new("RGB", (1200, 900), color)
    exif = Image.Exif()
    exif.get_ifd(0x8769)[36867] = taken
    buffer = BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_staff_attach_two_photos_on_a_phone(phone, screenshot):
    page = phone
    activity = (
        Activity.objects.filter(federation__code="430102", year=2013, status=ActivityStatus.DONE)
        .exclude(attachments__isnull=False)
        .order_by("-calendar_day")
        .first()
    )
    login(page, "furong-staff", "芙蓉区妇联")
    choose_year(page)
    page.goto(activity.get_absolute_url())
    evidence = page.get_by_test_id("evidence")
    expect(evidence).to_contain_text("暂无佐证材料。")
    expect(evidence).to_contain_text("不是必填项")

    # A program renamed as a photo is refused on the page, before anything is stored.
    page.set_input_files(
        "#evidence-files",
        [{"name": "照片.jpg", "mimeType": "image/jpeg", "buffer": b"MZ\x90\x00" + b"\x00" * 200}],
    )
    evidence.get_by_role("button", name="上传", exact=True).click()
    expect(page.locator("[data-evidence-errors]")).to_contain_text("“照片.jpg”不是可接受的文件")
    assert not Attachment.objects.filter(activity=activity).exists()

    page.set_input_files(
        "#evidence-files",
        [
            {
                "name": "培训现场.jpg",
                "mimeType": "image/jpeg",
                "buffer": photo("#4a90d9", "2013:06:01 09:30:00"),
            }
        ],
    )
    page.set_input_files(
        "#evidence-camera",
        [{"name": "image.jpg", "mimeType": "image/jpeg", "buffer": photo("#e67e22", "2013:06:01 10:05:00")}],
    )
    expect(evidence).to_contain_text("已选择 2 个文件")
    with page.expect_request(lambda request: request.url.endswith("/upload/")) as sent:
        evidence.get_by_role("button", name="上传", exact=True).click()
    # Sent by the page's script (with its progress bar), not as a plain form.
    assert sent.value.headers.get("x-requested-with") == "XMLHttpRequest"

    expect(page.locator(".alert")).to_contain_text("已上传 2 个文件。")
    thumbnails = evidence.get_by_test_id("evidence-list").locator("img")
    expect(thumbnails).to_have_count(2)
    for index in range(2):
        thumbnail = thumbnails.nth(index)
        expect(thumbnail).to_be_visible()
        # The picture really loaded through the access-checked view (a broken image has no width).
        assert thumbnail.evaluate("img => img.complete && img.naturalWidth") > 0
    expect(evidence).to_contain_text("拍摄于 2013-06-01 09:30")
    expect(evidence).to_contain_text("拍摄于 2013-06-01 10:05")
    expect(evidence).to_contain_text("培训现场.jpg")
    assert fits_width(page)
    screenshot(page, "evidence-phone", focus=evidence)
    assert Attachment.objects.filter(activity=activity).count() == 2
