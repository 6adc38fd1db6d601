"""The text layer of a PDF, page by page, without its running headers and footers.

pypdf reads it (pure Python, maintained, no system library). The cleaning that text copied out of a
PDF needs as well (page numbers, hard line wraps, labels split from their numbers) is done on the
text afterwards by the parser, so a .txt that came from a PDF gets it too.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter

from django.utils.translation import gettext as _

from . import DocumentError, _check_time, _pdf_message

# A work-points notice has 5 to 50 pages; a book-length PDF is not one.
MAX_PDF_PAGES = 300
# Fewer visible characters than this per page on average: the pages are pictures (a scan).
MIN_CHARS_PER_PAGE = 20
# A line at the top or bottom of this share of the pages is a running header or footer.
RUNNING_SHARE = 0.5
RUNNING_MAX_CHARS = 60
DIGITS = re.compile(r"\d+")


def pdf_text(data: bytes) -> str:
    """The PDF's text, its pages one after another; DocumentError (in Chinese) when it has none."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    # pypdf reports what it repairs in a damaged file through logging; that is not ours to show.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    unreadable = DocumentError(_("无法读取这个 PDF 文件（文件可能已损坏）。") + _pdf_message())
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError(_("PDF 文件设有密码，请先取消密码后再上传"))
        pages = reader.pages
        if len(pages) > MAX_PDF_PAGES:
            raise DocumentError(
                _("PDF 文件页数过多（不能超过 %(count)d 页），请分成几个文件导入") % {"count": MAX_PDF_PAGES}
            )
        texts = []
        for page in pages:
            _check_time()
            texts.append((page.extract_text() or "").replace("\x00", ""))
    except DocumentError:
        raise
    except PdfReadError:
        raise unreadable from None
    except Exception:  # noqa: BLE001 - on a damaged file pypdf raises all kinds (KeyError, ValueError …)
        raise unreadable from None
    if not texts:
        raise unreadable
    visible = sum(len("".join(text.split())) for text in texts)
    if visible < MIN_CHARS_PER_PAGE * len(texts):
        raise DocumentError(
            _(
                "这个 PDF 文件没有文字层（可能是扫描件），无法读出其中的文字。请先用文字识别（OCR）"
                "转成带文字的 PDF 或 Word 文档再上传。"
            )
        )
    # A form feed starts each page, as pdftotext writes it: the parser joins a sentence a page cut.
    pages = _without_running_lines([text.split("\n") for text in texts])
    return "\n".join("\f" + "\n".join(page) for page in pages)


def _without_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """The pages' lines without the first and last lines that most pages share (the numbers in them
    aside: 第3页 and 第4页 are one running footer)."""
    if len(pages) < 3:
        return pages
    edges: Counter[str] = Counter()
    for page in pages:
        lines = [line.strip() for line in page if line.strip()]
        for line in {*lines[:1], *lines[-1:]}:
            if len(line) <= RUNNING_MAX_CHARS:
                edges[DIGITS.sub("#", line)] += 1
    running = {line for line, count in edges.items() if count >= max(2, len(pages) * RUNNING_SHARE)}
    result = []
    for page in pages:
        lines = [line for line in page if line.strip()]
        while lines and DIGITS.sub("#", lines[0].strip()) in running:
            lines.pop(0)
        while lines and DIGITS.sub("#", lines[-1].strip()) in running:
            lines.pop()
        result.append(lines)
    return result
