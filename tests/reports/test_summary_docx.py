"""The year-end summary's .docx: laid out by GB/T 9704 (党政机关公文格式), and holding the page's edits."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import docx
import pytest
from django.test import Client
from django.urls import reverse
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn

from activities import services
from activities.models import Activity, ActivityStatus, ActivityType
from reports.summary import build_summary
from reports.summary_docx import write_docx
from tests import factories

YEAR = 2013


@pytest.fixture
def draft(tree):
    nation = tree["nation"]
    trained = factories.indicator("PX02", "培训妇女人数", "人", nation)
    plan = factories.plan(tree["furong"])
    jobs = factories.point(plan, "促进妇女创业就业", label="一", order=1)
    training = factories.point(plan, "加强就业技能培训", label="（一）", order=1, parent=jobs)
    factories.target(training, trained, 1000)
    activity = Activity(
        federation=tree["furong"],
        year=YEAR,
        type=ActivityType.objects.get(name="培训"),
        title="培训",
        status=ActivityStatus.DONE,
        actual_start=datetime(YEAR, 5, 10, 9, tzinfo=ZoneInfo("Asia/Shanghai")),
    )
    services.activity_save(activity=activity, figures={trained: Decimal(400)}, by=None)
    return build_summary(tree["furong"], YEAR, date(YEAR, 12, 31))


def east_asia(run_or_style) -> str:
    element = run_or_style.element if hasattr(run_or_style, "style_id") else run_or_style._element
    return element.rPr.rFonts.get(qn("w:eastAsia"))


def read(buffer) -> docx.document.Document:
    return docx.Document(buffer)


def test_page_size_and_margins(draft):
    section = read(write_docx(draft)).sections[0]

    def mm(*lengths):  # Word stores twentieths of a point: 210 mm is 210.01 mm
        return tuple(round(length.mm, 1) for length in lengths)

    assert mm(section.page_width, section.page_height) == (210, 297)
    assert mm(section.top_margin, section.bottom_margin) == (37, 35)
    assert mm(section.left_margin, section.right_margin) == (28, 26)
    # The type area is 156 mm × 225 mm (版心).
    assert round(section.page_width.mm - section.left_margin.mm - section.right_margin.mm) == 156
    assert round(section.page_height.mm - section.top_margin.mm - section.bottom_margin.mm) == 225


def test_fonts_sizes_and_lines(draft):
    document = read(write_docx(draft))
    paragraphs = document.paragraphs
    texts = [p.text for p in paragraphs]
    title = paragraphs[0]
    assert title.text == "芙蓉区妇女联合会2013年工作总结（草稿）"
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert (title.runs[0].font.size.pt, east_asia(title.runs[0])) == (22, "方正小标宋简体")  # 二号小标宋

    heading = paragraphs[texts.index("一、促进妇女创业就业")]
    assert (heading.runs[0].font.size.pt, east_asia(heading.runs[0])) == (16, "黑体")  # 三号黑体
    sub = next(p for p in paragraphs if p.text.startswith("一（一）加强就业技能培训。"))
    label, body = sub.runs
    assert (label.font.size.pt, east_asia(label)) == (16, "楷体_GB2312")  # 三号楷体
    assert (body.font.size.pt, east_asia(body)) == (16, "仿宋_GB2312")  # 三号仿宋
    opening = paragraphs[texts.index(draft.opening)]
    assert east_asia(opening.runs[0]) == "仿宋_GB2312"
    assert opening.paragraph_format.first_line_indent.pt == 32  # 首行缩进两字

    # 22 lines a page: a fixed 28.95 pt pitch on 225 mm, also the document grid's.
    normal = document.styles["Normal"].paragraph_format
    assert normal.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert normal.line_spacing.pt == pytest.approx(28.95, abs=0.01)
    assert 225 / 25.4 * 72 / normal.line_spacing.pt == pytest.approx(22, abs=0.05)
    grid = document.sections[0]._sectPr.find(qn("w:docGrid"))
    assert (grid.get(qn("w:type")), grid.get(qn("w:linePitch"))) == ("lines", "579")
    # 28 characters a line: 三号 condensed by a quarter point fits 28 on the 156 mm line, not 29.
    spacing = document.styles["Normal"].element.rPr.find(qn("w:spacing")).get(qn("w:val"))
    pitch = 16 + int(spacing) / 20
    assert int(156 / 25.4 * 72 // pitch) == 28
    assert east_asia(document.styles["Normal"]) == "仿宋_GB2312"


def test_fonts_fall_back_where_they_are_missing(draft):
    document = read(write_docx(draft))
    part = next(r.target_part for r in document.part.rels.values() if r.reltype.endswith("/fontTable"))
    fonts = docx.oxml.parse_xml(part.blob)
    alternatives = {
        font.get(qn("w:name")): font.find(qn("w:altName")).get(qn("w:val"))
        for font in fonts.findall(qn("w:font"))
        if font.find(qn("w:altName")) is not None
    }
    assert alternatives["方正小标宋简体"] == "宋体"
    assert alternatives["仿宋_GB2312"] == "仿宋"
    assert alternatives["楷体_GB2312"] == "楷体"
    assert alternatives["黑体"] == "SimHei"


def footer_page_field(footer) -> tuple[str, str, list[str]]:
    paragraph = footer.paragraphs[0]
    instructions = [element.text for element in paragraph._p.iter(qn("w:instrText"))]
    return paragraph.text, paragraph.alignment, instructions


def test_page_numbers_outside_alternating(draft):
    document = read(write_docx(draft))
    assert document.settings.odd_and_even_pages_header_footer is True
    section = document.sections[0]
    odd_text, odd_alignment, odd_field = footer_page_field(section.footer)
    even_text, even_alignment, even_field = footer_page_field(section.even_page_footer)
    assert odd_text == even_text == "— 1 —"  # the cached value of the PAGE field
    assert odd_field == even_field == [" PAGE "]
    assert (odd_alignment, even_alignment) == (WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.LEFT)
    runs = section.footer.paragraphs[0].runs
    assert {(run.font.size.pt, east_asia(run)) for run in runs} == {(14, "宋体")}  # 4号宋体


# The page's edits reach the download ------------------------------------------------------------


def docx_url(code="430102"):
    return reverse("reports:summary-docx", kwargs={"code": code}) + f"?year={YEAR}&as_of=2013-12-31"


def posted(draft, **changes):
    data = {
        "title": draft.title,
        "heading": [section.heading for section in draft.sections],
        "text": [section.text for section in draft.sections],
    }
    data.update(changes)
    return data


def test_edits_made_on_the_page_go_into_the_docx(tree, people, login, draft):
    client = login(people["furong_staff"])
    page = client.get(reverse("reports:summary", kwargs={"code": "430102"}), {"year": YEAR}).content.decode()
    assert 'name="csrfmiddlewaretoken"' in page and 'method="post"' in page
    texts = [section.text for section in draft.sections]
    texts[1] = "一（一）加强就业技能培训。全年举办培训班20期。\n\n另有<b>手写</b>补充一段。"
    response = client.post(docx_url(), posted(draft, text=texts, title="芙蓉区妇联2013年工作总结"))
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(b"".join(response.streaming_content)))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "芙蓉区妇联2013年工作总结"
    assert "一（一）加强就业技能培训。全年举办培训班20期。" in paragraphs
    assert "另有<b>手写</b>补充一段。" in paragraphs  # plain text, never markup
    assert "一、促进妇女创业就业" in paragraphs
    assert paragraphs[-1] == draft.closing.paragraphs[-1]


def test_the_post_needs_the_csrf_token(tree, people, draft):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["furong_staff"])
    response = client.post(docx_url(), posted(draft))
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "  "}, "标题不能为空。"),
        ({"heading": ["一、只有一个标题"]}, "提交的总结内容不完整，请刷新页面后重试。"),
        ({"heading": [], "text": []}, "提交的总结内容不完整，请刷新页面后重试。"),
        ({"title": "长" * 201}, "标题不能超过200个字。"),
    ],
)
def test_bad_posts_show_the_page_with_a_chinese_error(tree, people, login, draft, changes, message):
    response = login(people["furong_staff"]).post(docx_url(), posted(draft, **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "<textarea" in response.content.decode()


def test_too_much_text_is_refused(tree, people, login, draft):
    texts = ["字" * 100_001, "字" * 100_000] + [""] * (len(draft.sections) - 2)
    response = login(people["furong_staff"]).post(docx_url(), posted(draft, text=texts))
    assert response.status_code == 400
    assert "总结内容过长，请删减后再下载。" in response.content.decode()


def test_a_sibling_county_cannot_post_either(tree, people, login, draft):
    response = login(people["yuelu_staff"]).post(docx_url(), posted(draft))
    assert response.status_code == 404


# Evidence cited as 附件 ---------------------------------------------------------------------------


def test_ticked_evidence_is_cited_as_attachments_after_the_body(tree, people, login, draft):
    """GB/T 9704 7.3.5.2: 附件：1．… below the body; a sibling's or another year's file id is ignored."""
    from evidence import services as evidence_services
    from tests.evidence.conftest import jpeg, make_activity, pdf

    staff = people["furong_staff"]
    own = make_activity(tree["furong"], "妇女之家挂牌仪式")
    photo, sheet = evidence_services.attachments_upload(
        activity=own, files=[jpeg("挂牌.jpg"), pdf()], by=staff
    )
    (sibling,) = evidence_services.attachments_upload(
        activity=make_activity(tree["yuelu"], "岳麓区宣讲"), files=[pdf("岳麓.pdf")], by=people["yuelu_staff"]
    )
    (last_year,) = evidence_services.attachments_upload(
        activity=make_activity(tree["furong"], "上年活动", year=2012), files=[pdf("旧.pdf")], by=staff
    )
    client = login(staff)
    page = client.get(reverse("reports:summary", kwargs={"code": "430102"}), {"year": YEAR}).content.decode()
    assert "挂牌.jpg（芙蓉区妇联：妇女之家挂牌仪式）" in page and "签到表.pdf（" in page
    assert "岳麓.pdf" not in page and "旧.pdf" not in page
    response = client.post(
        docx_url(),
        posted(draft, attachment=[str(photo.pk), str(sheet.pk), str(sibling.pk), str(last_year.pk), "x"]),
    )
    assert response.status_code == 200
    paragraphs = [p.text for p in docx.Document(io.BytesIO(b"".join(response.streaming_content))).paragraphs]
    cited = paragraphs[paragraphs.index(draft.closing.paragraphs[-1]) + 1 :]
    # Newest first, as the page lists them; the blank line GB/T 9704 asks for before 附件.
    assert cited == [
        "",
        "附件：1．签到表.pdf（芙蓉区妇联：妇女之家挂牌仪式）",
        "2．挂牌.jpg（芙蓉区妇联：妇女之家挂牌仪式）",
    ]
    one = client.post(docx_url(), posted(draft, attachment=[str(photo.pk)]))
    paragraphs = [p.text for p in docx.Document(io.BytesIO(b"".join(one.streaming_content))).paragraphs]
    assert paragraphs[-1] == "附件：挂牌.jpg（芙蓉区妇联：妇女之家挂牌仪式）"  # one file: no number
