"""What an uploaded evidence file really is, decided by its content, never by its name.

:func:`inspect_upload` reads one uploaded file and returns a :class:`CheckedFile` ready to store, or
raises :class:`RefusedFile` with a Chinese message. Accepted:

- photos (JPEG, PNG, WebP, GIF, recognised by Pillow): decoded and re-encoded from their pixels only,
  so EXIF, comments, text chunks, ICC profiles and anything appended to the file are gone; the EXIF
  orientation is applied first (ImageOps.exif_transpose), the shooting time and GPS position are read
  before stripping (information only). Stored at most ``MAX_STORED_SIDE`` pixels on the long side,
  with a thumbnail of ``THUMBNAIL_SIDE``;
- PDF (starts with ``%PDF-``), stored as uploaded;
- Word .docx and Excel .xlsx: a zip whose ``[Content_Types].xml`` declares the document's main part,
  with the same container limits as the activity import (unpacked size, entry count, compression
  ratio); macro-enabled documents (a ``vbaProject.bin`` part) are refused. Stored as uploaded.

Refused: everything else, legacy .doc/.xls included (OLE2 files carry macros and cannot be checked
like the zip formats; Word and Excel save them as .docx/.xlsx in one step), and any image larger than
``settings.FEDWORK_ATTACHMENT_MAX_PIXELS`` (a 50-megapixel PNG unpacks to 150 MB of memory). A phone
JPEG over that limit is still taken: JPEG decodes at 1/2, 1/4 or 1/8 scale (Image.draft) for the cost
of the smaller picture.
"""

import hashlib
import re
import warnings
import zipfile
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import PurePath

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from fedwork.text import clean_text

MAX_STORED_SIDE = 4096
THUMBNAIL_SIDE = 320
# Docx/xlsx containers: the same kind of limits the activity import applies to workbooks.
MAX_ZIP_ENTRIES = 2000
MAX_ZIP_UNPACKED_BYTES = 300 * 1024 * 1024
MAX_ZIP_RATIO = 100

IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
OOXML = {
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        "word",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".docx",
    ),
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": (
        "excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".xlsx",
    ),
}
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATETIME_ORIGINAL, DATETIME = 36867, 306
EARLIEST_PHOTO_YEAR = 1990


class RefusedFile(Exception):
    """An upload that is not stored; ``str(error)`` is the Chinese reason shown to the user."""


@dataclass
class CheckedFile:
    """A file ready to store: ``content`` is what gets written (re-encoded for images)."""

    kind: str  # Attachment.Kind value: image, pdf, word, excel
    content_type: str
    extension: str  # with the dot: ".jpg"
    content: bytes
    original_name: str
    width: int | None = None
    height: int | None = None
    thumbnail: bytes | None = None
    taken_at: datetime | None = None  # naive, as the camera wrote it (local time)
    place: str = ""

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def max_bytes() -> int:
    return settings.FEDWORK_ATTACHMENT_MAX_MB * 1024 * 1024


def clean_name(name: str) -> str:
    """The user's file name for display and downloads only: no folders, no control characters, at
    most 120 characters; "附件" when nothing is left. Never used as a storage path."""
    name = re.split(r"[\\/]", name or "")[-1]
    name = clean_text(name).strip(" .")
    if len(name) > 120:
        suffix = PurePath(name).suffix[:10]
        name = name[: 120 - len(suffix)] + suffix
    return name or _("附件")


def _with_extension(name: str, extension: str) -> str:
    stem = PurePath(name).stem if PurePath(name).suffix else name
    return f"{stem or _('附件')}{extension}"


def inspect_upload(uploaded) -> CheckedFile:
    """Check one ``UploadedFile`` by content and return it ready to store.

    Raises RefusedFile (Chinese message naming the file) when it is empty, larger than
    ``FEDWORK_ATTACHMENT_MAX_MB``, of a type not accepted, damaged, or an image over the pixel limit.
    """
    name = clean_name(getattr(uploaded, "name", ""))
    if uploaded.size == 0:
        raise RefusedFile(_("“%(name)s”是空文件。") % {"name": name})
    if uploaded.size > max_bytes():
        raise RefusedFile(
            _("“%(name)s”超过 %(size)d MB，请压缩后再上传。")
            % {"name": name, "size": settings.FEDWORK_ATTACHMENT_MAX_MB}
        )
    uploaded.seek(0)
    data = uploaded.read(max_bytes() + 1)
    if data.startswith(b"%PDF-"):
        return CheckedFile("pdf", "application/pdf", ".pdf", data, _with_extension(name, ".pdf"))
    if data.startswith(b"PK\x03\x04"):
        kind, content_type, extension = _office_document(data, name)
        return CheckedFile(kind, content_type, extension, data, _with_extension(name, extension))
    if data.startswith(OLE2_MAGIC):
        raise RefusedFile(
            _("“%(name)s”是旧版 Word/Excel 文件（.doc/.xls），请另存为 .docx/.xlsx 后再上传。")
            % {"name": name}
        )
    return _image(data, name)


def _office_document(data: bytes, name: str) -> tuple[str, str, str]:
    not_office = RefusedFile(
        _("“%(name)s”不是可接受的文件（只接受照片、PDF、Word .docx 和 Excel .xlsx）。") % {"name": name}
    )
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                raise RefusedFile(_("“%(name)s”内部文件过多，无法接受。") % {"name": name})
            unpacked = sum(info.file_size for info in infos)
            packed = sum(info.compress_size for info in infos) or 1
            if unpacked > MAX_ZIP_UNPACKED_BYTES or unpacked / packed > MAX_ZIP_RATIO:
                raise RefusedFile(_("“%(name)s”解压后过大，无法接受。") % {"name": name})
            names = {info.filename.lower() for info in infos}
            if "[content_types].xml" not in names:
                raise not_office
            types = archive.read("[Content_Types].xml")
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, EOFError) as error:
        raise not_office from error
    if any(entry.endswith("vbaproject.bin") for entry in names):
        raise RefusedFile(_("“%(name)s”含有宏，不能上传；请另存为不含宏的 .docx/.xlsx。") % {"name": name})
    for main_part, found in OOXML.items():
        if main_part in types:
            return found
    raise not_office


def _image(data: bytes, name: str) -> CheckedFile:
    refused = RefusedFile(
        _("“%(name)s”不是可接受的文件（只接受照片、PDF、Word .docx 和 Excel .xlsx）。") % {"name": name}
    )
    limit = settings.FEDWORK_ATTACHMENT_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            # Our own limit (below) is lower than Pillow's warning threshold and says so in Chinese.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(data))  # reads the header only
            if image.format not in IMAGE_FORMATS:
                raise refused
            if image.width * image.height > limit and image.format == "JPEG":
                # The smallest of the decoder's scales (1/2, 1/4, 1/8) that brings it within the limit.
                scale = next((s for s in (2, 4, 8) if (image.width // s) * (image.height // s) <= limit), 8)
                image.draft("RGB", (image.width // scale, image.height // scale))
            if image.width * image.height > limit:
                raise RefusedFile(
                    _("“%(name)s”像素过多（%(width)d×%(height)d），请缩小到 %(limit)d 万像素以内再上传。")
                    % {"name": name, "width": image.width, "height": image.height, "limit": limit // 10000}
                )
            source_format = image.format
            taken_at, place = _exif_information(image)
            # Decoded and shrunk first (in place: one full-size copy in memory at most), then turned
            # upright; the bound is a square, so turning does not change it.
            image.thumbnail((MAX_STORED_SIDE, MAX_STORED_SIDE))
            image = ImageOps.exif_transpose(image)
    except RefusedFile:
        raise
    except Image.DecompressionBombError as error:
        raise RefusedFile(
            _("“%(name)s”像素过多，请缩小到 %(limit)d 万像素以内再上传。")
            % {"name": name, "limit": limit // 10000}
        ) from error
    except UnidentifiedImageError as error:
        raise refused from error
    except (OSError, ValueError, SyntaxError) as error:
        raise RefusedFile(_("“%(name)s”已损坏，无法打开。") % {"name": name}) from error
    clean, extension, content_type, save_as = _pixels_only(image, source_format)
    content = _encode(clean, save_as)
    thumbnail = clean.copy()
    thumbnail.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    return CheckedFile(
        "image",
        content_type,
        extension,
        content,
        _with_extension(name, extension),
        width=clean.width,
        height=clean.height,
        thumbnail=_encode(_flatten(thumbnail), "JPEG"),
        taken_at=taken_at,
        place=place,
    )


def _pixels_only(image: Image.Image, source_format: str) -> tuple[Image.Image, str, str, str]:
    """A fresh image holding the pixels and nothing else (no info, EXIF, ICC, palette tricks): a JPEG
    stays a JPEG; every other format becomes a PNG (lossless, keeps transparency)."""
    if source_format == "JPEG":
        mode, extension, content_type, save_as = "RGB", ".jpg", "image/jpeg", "JPEG"
    else:
        has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        mode = "RGBA" if has_alpha else "RGB"
        extension, content_type, save_as = ".png", "image/png", "PNG"
    converted = image.convert(mode)
    return Image.frombytes(mode, converted.size, converted.tobytes()), extension, content_type, save_as


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode == "RGBA":
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image


def _encode(image: Image.Image, save_as: str) -> bytes:
    buffer = BytesIO()
    if save_as == "JPEG":
        image.save(buffer, "JPEG", quality=85, optimize=True)
    else:
        image.save(buffer, "PNG", optimize=False)
    return buffer.getvalue()


def _exif_information(image: Image.Image) -> tuple[datetime | None, str]:
    """The shooting time (DateTimeOriginal, else DateTime) and GPS position a photo carries, for
    information only; anything unreadable is ignored."""
    try:
        exif = image.getexif()
    except Exception:  # a damaged EXIF block is the camera's problem, never the user's
        return None, ""
    taken_at = None
    try:
        raw = exif.get_ifd(EXIF_IFD).get(DATETIME_ORIGINAL) or exif.get(DATETIME)
        if isinstance(raw, bytes):
            raw = raw.decode("ascii", "replace")
        if raw:
            taken_at = datetime.strptime(str(raw).strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except Exception:
        taken_at = None
    if taken_at is not None and not (EARLIEST_PHOTO_YEAR <= taken_at.year <= datetime.now().year + 1):
        taken_at = None  # a camera with an unset clock (0001, 2080): no date rather than a wrong one
    place = ""
    try:
        gps = exif.get_ifd(GPS_IFD)
        latitude, longitude = _degrees(gps.get(2), gps.get(1)), _degrees(gps.get(4), gps.get(3))
        if latitude is not None and longitude is not None:
            place = f"{latitude:.5f}, {longitude:.5f}"
    except Exception:
        place = ""
    return taken_at, place


def _degrees(value, reference) -> float | None:
    if not value or len(value) != 3:
        return None
    degrees, minutes, seconds = (float(part) for part in value)
    result = degrees + minutes / 60 + seconds / 3600
    if isinstance(reference, bytes):
        reference = reference.decode("ascii", "replace")
    if str(reference).strip("\x00 ").upper() in ("S", "W"):
        result = -result
    if not (-180 <= result <= 180):
        return None
    return result
