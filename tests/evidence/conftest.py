"""Evidence tests: files go to a temporary MEDIA_ROOT; small generated files of every kind."""

import hashlib
import zipfile
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from activities import services as activity_services
from activities.models import Activity, ActivityStatus, ActivityType
from fedwork.models import Role
from tests import factories


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media) -> list[str]:
    """Every file under MEDIA_ROOT, as paths relative to it."""
    if not media.exists():
        return []
    return sorted(str(path.relative_to(media)) for path in media.rglob("*") if path.is_file())


def make_activity(federation, title="妇女技能培训班", year=2013):
    return activity_services.activity_save(
        activity=Activity(
            federation=federation,
            year=year,
            title=title,
            type=ActivityType.objects.ensure_defaults().get(name="培训"),
            status=ActivityStatus.DONE,
            planned_month=6,
            is_main=True,
        ),
        figures={},
        by=None,
    )


@pytest.fixture
def activity(tree):
    return make_activity(tree["furong"])


@pytest.fixture
def furong_other_staff(tree):
    return factories.user("furong-staff-2", tree["furong"], Role.STAFF)


@pytest.fixture
def furong_admin(tree):
    return factories.user("furong-admin", tree["furong"], Role.ADMIN)


def jpeg(
    name="photo.jpg", size=(640, 480), color=None, taken="2013:06:01 09:30:00", comment=b""
) -> SimpleUploadedFile:
    # A colour of its own per name: two photos of one upload are two pictures (the same picture twice
    # is refused as a duplicate).
    image = Image.new("RGB", size, color or tuple(hashlib.sha256(name.encode()).digest()[:3]))
    exif = Image.Exif()
    if taken:
        exif.get_ifd(0x8769)[36867] = taken
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (28.0, 11.0, 39.0), "E", (112.0, 58.0, 34.0)
    buffer = BytesIO()
    image.save(buffer, "JPEG", exif=exif, comment=comment)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def png(name="chart.png", size=(200, 100), text: dict | None = None) -> SimpleUploadedFile:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    for key, value in (text or {}).items():
        info.add_text(key, value)
    buffer = BytesIO()
    Image.new("RGBA", size, (200, 30, 30, 128)).save(buffer, "PNG", pnginfo=info)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def pdf(name="签到表.pdf") -> SimpleUploadedFile:
    # A comment of its own per name (of one length): two files, not a duplicate refused.
    body = (
        b"%PDF-1.4\n%"
        + hashlib.sha256(name.encode()).hexdigest().encode()
        + b"\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def ooxml(name: str, main: str, extra: dict | None = None) -> SimpleUploadedFile:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Override PartName="/main.xml" ContentType="{main}"/></Types>',
        )
        archive.writestr("main.xml", "<document/>")
        for part, content in (extra or {}).items():
            archive.writestr(part, content)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def docx(name="会议纪要.docx", **kwargs) -> SimpleUploadedFile:
    return ooxml(name, DOCX_MAIN, **kwargs)


def xlsx(name="名单.xlsx", **kwargs) -> SimpleUploadedFile:
    return ooxml(name, XLSX_MAIN, **kwargs)
