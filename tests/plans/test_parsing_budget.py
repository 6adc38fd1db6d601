"""Finding 8: the plan importer's cost is bounded.

A 50 KB .docx cost 22–34 s of CPU (a regular expression with a leading ``\\s*`` searched from every
position of a run of spaces, lines joined again and again were measured whole each time, and every
unclosed quote searched the rest of the text for its closer), and a small deeply nested one answered
500 (a RecursionError while reading its XML). Every pass is now linear, the sizes are capped and the
main loops check a deadline; every refusal is a DocumentError with a Chinese message.

No wall-time asserts: the adversarial documents must parse within a time limit that the quadratic
code overran by minutes, and the deadline itself is checked with a limit of zero.
"""

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plans import parsing
from plans.models import Plan
from plans.parsing import DocumentError, parse_document, parse_text

SEEDS = Path(settings.BASE_DIR) / "fixtures" / "seeds"
NAMESPACE = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
TOO_COMPLEX = "文档过于复杂，无法在限定时间内解析"


def docx(body_xml: str, **members: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "word/document.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><w:document {NAMESPACE}>'
            f"<w:body>{body_xml}</w:body></w:document>",
        )
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def paragraphs(*texts: str) -> str:
    return "".join(f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>' for text in texts)


def adversarial_docx() -> bytes:
    """A small .docx of what made the parser quadratic, around ordinary points with a target."""
    wrapped = ["妇女培训、"] * 6000  # lines ending in 、 are joined into one
    return docx(
        paragraphs(
            "湖南省妇联2013年工作要点",
            "一、促进妇女就业",
            "全省培训妇女300人以上。" + " " * 100_000 + "做好宣传。",  # a run of spaces (layout by hand)
            "“" * 30_000 + "开展宣传",  # quotes never closed
            *wrapped,
            "二、维护妇女权益",
            "办理来信来访。",
        )
    )


def test_the_adversarial_docx_parses_within_a_budget_the_quadratic_code_overran():
    data = adversarial_docx()
    assert len(data) < 60_000
    plan = parse_document(data, "要点.docx", time_limit=5)
    assert [(point.label, point.title) for point in plan.points] == [
        ("一", "促进妇女就业"),
        ("二", "维护妇女权益"),
    ]
    assert [(t.value, t.unit, t.comparator) for t in plan.points[0].targets][:1] == [(300, "人", ">=")]


@pytest.mark.parametrize("name", ["hunan-2013-work-points-notice.txt", "lixia-2013-grassroots-standards.txt"])
def test_real_documents_parse_well_within_one_second(name):
    plan = parse_document((SEEDS / name).read_bytes(), name, time_limit=1)
    assert plan.points


def test_the_deadline_stops_parsing_with_a_chinese_message(settings):
    data = (SEEDS / "hunan-2013-work-points-notice.txt").read_bytes()
    with pytest.raises(DocumentError, match=TOO_COMPLEX):
        parse_document(data, "要点.txt", time_limit=0)
    with pytest.raises(DocumentError, match=TOO_COMPLEX):
        parse_text(data.decode("utf-8"), time_limit=0)
    settings.PLAN_IMPORT_TIME_LIMIT = 0
    with pytest.raises(DocumentError, match=TOO_COMPLEX):
        parse_document(data, "要点.txt")
    with pytest.raises(DocumentError, match=TOO_COMPLEX):
        parse_document(docx(paragraphs("一、促进就业", "培训妇女300人。")), "要点.docx")


def nested_sdt(depth: int) -> str:
    return "<w:sdt><w:sdtContent>" * depth + paragraphs("一、促进就业") + "</w:sdtContent></w:sdt>" * depth


def nested_tables(depth: int) -> str:
    return "<w:tbl><w:tr><w:tc>" * depth + paragraphs("一、促进就业") + "</w:tc></w:tr></w:tbl>" * depth


@pytest.mark.parametrize("body", [nested_sdt(10_000), nested_tables(10_000)], ids=["sdt", "tables"])
def test_a_deeply_nested_docx_is_refused(body):
    data = docx(body)
    assert len(data) < 50_000
    with pytest.raises(DocumentError, match="嵌套过深"):
        parse_document(data, "要点.docx")


def test_reasonable_nesting_still_reads():
    plan = parse_document(docx(nested_sdt(20) + nested_tables(5)), "要点.docx")
    assert [point.title for point in plan.points] == ["促进就业", "促进就业"]


def test_a_docx_that_inflates_too_far_is_refused():
    zeros = b"\0" * (parsing.MAX_DOCX_UNPACKED_BYTES + 1)
    with pytest.raises(DocumentError, match="解压后过大"):
        parse_document(docx(paragraphs("一、促进就业"), **{"word/media/image1.png": zeros}), "要点.docx")
    big = paragraphs("一、促进就业") + "<w:p/>" * (parsing.MAX_DOCX_XML_BYTES // 6)
    with pytest.raises(DocumentError, match="解压后过大"):
        parse_document(docx(big), "要点.docx")


def test_too_much_text_or_too_many_paragraphs_is_refused():
    with pytest.raises(DocumentError, match="文档文字过多"):
        parse_text("一" * (parsing.MAX_TEXT_CHARS + 1))
    with pytest.raises(DocumentError, match="文档文字过多"):
        parse_document(b"a" * (parsing.MAX_TEXT_CHARS + 1), "要点.txt")
    with pytest.raises(DocumentError, match="文档段落过多"):
        parse_text("一\n" * (parsing.MAX_PARAGRAPHS + 1))
    with pytest.raises(DocumentError, match="文档段落过多"):
        parse_document(docx("<w:p/>" * (parsing.MAX_PARAGRAPHS + 2)), "要点.docx")
    with pytest.raises(DocumentError, match="5 MB"):
        parse_document(b"a" * (parsing.MAX_DOCUMENT_BYTES + 1), "要点.txt")


@pytest.mark.parametrize("name", ["要点.pdf", "要点.txt"])
def test_a_pdf_is_refused_with_what_to_do(name):
    with pytest.raises(DocumentError, match="PDF 文件请先复制其中的文字，保存为 .txt 或粘贴后再导入"):
        parse_document(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", name)


def test_page_numbers_inside_lines_and_month_notes_are_still_removed():
    assert parsing._remove_inline_page_numbers("培训妇女  - 3 -  300人") == "培训妇女300人"
    assert parsing._remove_inline_page_numbers("page - 3 - two") == "page two"
    assert parsing._remove_inline_page_numbers("第一段 第 2 页 共 9 页 第二段") == "第一段第二段"
    plan = parse_text("附件：主要活动安排\n1．召开全省妇联执委会议   （3月）\n2．举办培训班\n")
    assert [(a.title, a.month) for a in plan.activities] == [
        ("召开全省妇联执委会议", 3),
        ("举办培训班", None),
    ]


def test_the_import_page_shows_the_refusal_of_a_nested_docx(people, login):
    client = login(people["lixia_staff"])
    client.post(reverse("set-year"), {"year": "2013"})
    document = SimpleUploadedFile("要点.docx", docx(nested_sdt(10_000)))
    response = client.post(reverse("plans:import"), {"document": document})
    assert response.status_code == 200
    assert "Word 文档结构嵌套过深，无法解析" in " ".join(response.context["form"].errors["document"])
    assert not Plan.objects.exists()
