"""Demo evidence: two generated photos on one of 芙蓉区's done activities of the demo year."""

from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from activities.models import Activity, ActivityStatus
from fedwork.models import User
from plans.demo import DEMO_YEAR

from . import services
from .models import Attachment


def _photo(name: str, when, colors: tuple[str, str]) -> SimpleUploadedFile:
    """A small picture (a hall, a banner, rows of seats) with the shooting time in its EXIF."""
    image = Image.new("RGB", (800, 600), colors[0])
    draw = ImageDraw.Draw(image)
    draw.rectangle((80, 60, 720, 160), fill=colors[1])
    for row in range(4):
        for seat in range(8):
            x, y = 90 + seat * 80, 260 + row * 80
            draw.ellipse((x, y, x + 50, y + 50), fill="#f0c9a0")
    exif = Image.Exif()
    exif.get_ifd(0x8769)[36867] = timezone.localtime(when).strftime("%Y:%m:%d %H:%M:%S")
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=80, exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def seed() -> None:
    if Attachment.objects.exists():
        return
    activity = (
        Activity.objects.filter(federation__code="430102", year=DEMO_YEAR, status=ActivityStatus.DONE)
        .exclude(actual_start=None)
        .order_by("calendar_day", "pk")
        .first()
    )
    if activity is None:
        return
    staff = User.objects.filter(federation=activity.federation, role="staff").first()
    services.attachments_upload(
        activity=activity,
        files=[
            _photo("活动现场.jpg", activity.actual_start, ("#d9e4f0", "#c0392b")),
            _photo("签到合影.jpg", activity.actual_start, ("#efe6d8", "#8e44ad")),
        ],
        by=staff,
    )
