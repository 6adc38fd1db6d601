"""Uploading evidence to an activity: several files at once, checked by content, images cleaned."""

from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from evidence.models import Attachment, AttachmentKind
from tests.evidence.conftest import docx, jpeg, pdf, png, stored_files, xlsx


def upload(client, activity, *files, xhr=False):
    extra = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"} if xhr else {}
    return client.post(reverse("evidence:upload", args=[activity.pk]), {"files": list(files)}, **extra)


def page_text(client, activity) -> str:
    return client.get(activity.get_absolute_url()).content.decode()


def test_staff_upload_several_files_and_see_them(activity, people, login, media):
    client = login(people["furong_staff"])
    response = upload(client, activity, jpeg("开班照片.jpg"), png(), pdf(), docx(), xlsx())
    assert response.status_code == 302 and response.url == activity.get_absolute_url()
    attachments = Attachment.objects.order_by("pk")
    assert [a.kind for a in attachments] == ["image", "image", "pdf", "word", "excel"]
    assert all(
        a.federation_id == activity.federation_id and a.uploaded_by == people["furong_staff"]
        for a in attachments
    )
    html = page_text(client, activity)
    assert "已上传 5 个文件。" in html
    for name in ["开班照片.jpg", "chart.png", "签到表.pdf", "会议纪要.docx", "名单.xlsx"]:
        assert name in html
    assert "不是必填项" in html  # photos are optional (burden-reduction rules)
    # Stored under the federation and year with random names (file and thumbnail of each image).
    files = stored_files(media)
    assert len(files) == 7
    assert all(path.startswith("evidence/430102/2013/") for path in files)
    assert not any("开班" in path or "签到" in path for path in files)


def test_the_script_gets_json_with_the_next_page(activity, people, login):
    client = login(people["furong_staff"])
    response = upload(client, activity, jpeg(), xhr=True)
    assert response.status_code == 200
    assert response.json() == {"ok": True, "count": 1, "next": activity.get_absolute_url()}
    refused = upload(client, activity, SimpleUploadedFile("a.jpg", b"MZ" + b"\0" * 64), xhr=True)
    assert refused.status_code == 400
    assert refused.json()["errors"] == [
        "“a.jpg”不是可接受的文件（只接受照片、PDF、Word .docx 和 Excel .xlsx）。"
    ]


def test_a_renamed_executable_is_refused_and_nothing_is_stored(activity, people, login, media):
    client = login(people["furong_staff"])
    executable = SimpleUploadedFile("合影.jpg", b"MZ\x90\x00\x03" + b"\x00" * 500, content_type="image/jpeg")
    response = upload(client, activity, jpeg(), executable)
    assert response.status_code == 302
    html = page_text(client, activity)
    assert "“合影.jpg”不是可接受的文件" in html
    assert Attachment.objects.count() == 0  # the good photo of the same upload is not kept either
    assert stored_files(media) == []


def test_an_elf_or_html_disguised_as_pdf_or_image_is_refused(activity, people, login):
    client = login(people["furong_staff"])
    for name, content in [
        ("报告.pdf", b"\x7fELF\x02\x01\x01" + b"\0" * 64),
        ("x.png", b"<html><script>alert(1)</script></html>"),
        ("x.docx", b"PK\x03\x04 not really a zip"),
    ]:
        upload(client, activity, SimpleUploadedFile(name, content))
    assert Attachment.objects.count() == 0


def test_legacy_office_files_and_macros_are_refused_with_the_way_out(activity, people, login):
    client = login(people["furong_staff"])
    upload(
        client, activity, SimpleUploadedFile("旧表.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    )
    html = page_text(client, activity)
    assert "请另存为 .docx/.xlsx 后再上传" in html
    upload(client, activity, xlsx("宏.xlsx", extra={"xl/vbaProject.bin": b"\0" * 10}))
    assert "含有宏" in page_text(client, activity)
    upload(client, activity, xlsx("zip.xlsx", extra={"bomb.xml": "A" * 5_000_000}))
    assert "解压后过大" in page_text(client, activity)
    assert Attachment.objects.count() == 0


def test_a_50_megapixel_png_is_refused(activity, people, login):
    client = login(people["furong_staff"])
    buffer = BytesIO()
    Image.new("1", (8000, 6250)).save(buffer, "PNG")  # 50 megapixels in a few kB
    upload(client, activity, SimpleUploadedFile("巨幅.png", buffer.getvalue()))
    assert "“巨幅.png”像素过多（8000×6250）" in page_text(client, activity)
    assert Attachment.objects.count() == 0


def test_a_large_phone_jpeg_is_decoded_smaller_not_refused(activity, people, login, settings):
    settings.FEDWORK_ATTACHMENT_MAX_PIXELS = 1_000_000
    client = login(people["furong_staff"])
    upload(client, activity, jpeg(size=(2000, 1500)))  # 3 MP over a 1 MP limit
    attachment = Attachment.objects.get()
    assert attachment.width * attachment.height <= 1_000_000
    assert (attachment.width, attachment.height) == (1000, 750)


def test_size_and_count_limits(activity, people, login, settings):
    settings.FEDWORK_ATTACHMENT_MAX_MB = 1
    settings.FEDWORK_ATTACHMENT_MAX_FILES = 2
    client = login(people["furong_staff"])
    big = SimpleUploadedFile("大文件.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 1))
    upload(client, activity, big)
    assert "“大文件.pdf”超过 1 MB，请压缩后再上传。" in page_text(client, activity)
    upload(client, activity, pdf("1.pdf"), pdf("2.pdf"), pdf("3.pdf"))
    assert "一次最多上传 2 个文件。" in page_text(client, activity)
    upload(client, activity)
    assert "请选择要上传的文件。" in page_text(client, activity)
    assert Attachment.objects.count() == 0


def test_metadata_is_stripped_from_the_served_image(activity, people, login):
    client = login(people["furong_staff"])
    script = "<script>alert('x')</script>"
    upload(
        client,
        activity,
        jpeg("a.jpg", comment=script.encode()),
        png("b.png", text={"Comment": script, "Author": "某某"}),
    )
    for attachment in Attachment.objects.all():
        for url in (
            reverse("evidence:file", args=[attachment.pk]),
            reverse("evidence:thumbnail", args=[attachment.pk]),
        ):
            served = b"".join(client.get(url).streaming_content)
            assert b"<script>" not in served and b"Exif" not in served and b"tEXt" not in served
            assert Image.open(BytesIO(served)).size  # still a picture
    photo = Attachment.objects.get(original_name="a.jpg")
    assert photo.kind == AttachmentKind.IMAGE and photo.content_type == "image/jpeg"


def test_the_exif_date_and_place_are_shown_for_information(activity, people, login):
    client = login(people["furong_staff"])
    upload(client, activity, jpeg("有日期.jpg"), jpeg("无日期.jpg", taken=""))
    html = page_text(client, activity)
    assert "拍摄于 2013-06-01 09:30 · 28.19417, 112.97611" in html
    assert html.count("拍摄于") == 1  # a photo without a date is fine, nothing is asked for


def test_orientation_is_applied_before_stripping(activity, people, login):
    image = Image.new("RGB", (300, 200), "navy")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° on display
    buffer = BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    client = login(people["furong_staff"])
    upload(client, activity, SimpleUploadedFile("竖拍.jpg", buffer.getvalue()))
    attachment = Attachment.objects.get()
    assert (attachment.width, attachment.height) == (200, 300)


def test_a_gif_becomes_a_png_named_so(activity, people, login):
    buffer = BytesIO()
    Image.new("P", (40, 40)).save(buffer, "GIF")
    client = login(people["furong_staff"])
    upload(client, activity, SimpleUploadedFile("动图.gif", buffer.getvalue()))
    attachment = Attachment.objects.get()
    assert (attachment.original_name, attachment.content_type) == ("动图.png", "image/png")


def test_the_users_file_name_is_cleaned_and_never_a_path():
    from evidence.checks import clean_name

    assert clean_name("..\\..\\windows\\合影.jpg") == "合影.jpg"
    assert clean_name("../../etc/passwd") == "passwd"
    assert clean_name("a\x00b\u202ec.jpg") == "abc.jpg"
    assert clean_name("...") == "附件"
    assert len(clean_name("长" * 300 + ".pdf")) == 120 and clean_name("长" * 300 + ".pdf").endswith(".pdf")


def test_a_hostile_file_name_does_not_reach_the_storage(activity, people, login, media):
    client = login(people["furong_staff"])
    upload(client, activity, pdf("../../../../tmp/evil.pdf"))
    attachment = Attachment.objects.get()
    assert attachment.original_name == "evil.pdf"
    assert attachment.file.name.startswith("evidence/430102/2013/") and "evil" not in attachment.file.name


def test_a_camera_clock_that_was_never_set_gives_no_date(activity, people, login):
    client = login(people["furong_staff"])
    upload(
        client,
        activity,
        jpeg("a.jpg", taken="0001:01:01 00:00:00"),
        jpeg("b.jpg", taken="2013:13:45 99:00:00"),
    )
    assert Attachment.objects.count() == 2
    assert not Attachment.objects.exclude(taken_at=None).exists()
    assert "拍摄于" not in page_text(client, activity)
