"""The scoring table (Excel, as offices print it) and the result letter (.docx), read as the user
reads them: cell values and paragraphs."""

from decimal import Decimal
from io import BytesIO

import docx
from django.urls import reverse
from openpyxl import load_workbook

from assessments import services
from assessments.models import ItemScore

from .test_services import TODAY, review, self_assess


def table(response):
    workbook = load_workbook(BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.worksheets[0]
    return sheet, [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_reviewer_table_has_every_item_scores_and_the_total(world, staff, login):
    furong = world["furong"]
    self_assess(world, staff, furong)
    review(world, staff, furong)
    response = login(staff["changsha_leader"]).get(
        reverse("assessments:table-xlsx", kwargs={"pk": furong.pk})
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    sheet, rows = table(response)
    assert rows[0][0] == "芙蓉区妇联2013年度考核评分表"
    assert rows[1][0] == "被考核单位：芙蓉区妇女联合会"
    assert rows[2] == ["序号", "考核项目", "考核内容", "分值", "自评分", "审核分", "审核意见"]
    assert rows[3][:6] == [1, "组织建设", "妇女技能培训", 30, None, 22.5]
    assert rows[4] == [2, None, "妇女之家规范化建设", 70, 65, 60, "台账不全"]  # the area cell is merged
    assert rows[5][2] == "创新加分（加分，上限5.0分）" and rows[5][3] is None and rows[5][5] == 2
    assert rows[-1][0] == "合计" and rows[-1][3] == 100 and rows[-1][5] == 83.5 and rows[-1][6] == "良好"
    assert "B4:B5" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9  # A4
    assert sheet["A3"].border.left.style == "thin"


def test_child_table_before_review_has_no_review_columns(world, staff, login):
    furong = world["furong"]
    self_assess(world, staff, furong)
    services.review_save(
        assessment=furong,
        entries={world["items"]["妇女之家规范化建设"].pk: services.ReviewEntry(Decimal(50), "秘密意见")},
        by=staff["changsha_leader"],
    )
    _sheet, rows = table(
        login(staff["furong_staff"]).get(reverse("assessments:table-xlsx", kwargs={"pk": furong.pk}))
    )
    assert rows[4] == [2, None, "妇女之家规范化建设", 70, 65, None, None]
    assert not any("秘密意见" in str(value) for row in rows for value in row)


def test_table_is_404_for_a_sibling_and_an_outsider(world, login, staff):
    for persona in ("yuelu_staff", "lixia_staff"):
        response = login(staff[persona]).get(
            reverse("assessments:table-xlsx", kwargs={"pk": world["furong"].pk})
        )
        assert response.status_code == 404


def test_the_letter_states_total_grade_and_areas(world, staff, login):
    furong = world["furong"]
    self_assess(world, staff, furong)
    review(world, staff, furong)
    services.assessment_accept(assessment=furong, by=staff["furong_staff"])
    services.assessment_finalize(assessment=furong, by=staff["changsha_leader"], today=TODAY)
    response = login(staff["furong_staff"]).get(reverse("assessments:letter-docx", kwargs={"pk": furong.pk}))
    assert response.status_code == 200
    document = docx.Document(BytesIO(b"".join(response.streaming_content)))
    paragraphs = [p.text for p in document.paragraphs if p.text]
    assert paragraphs[0] == "关于芙蓉区妇联2013年度考核结果的通知"
    assert paragraphs[1] == "芙蓉区妇女联合会："
    assert "考核总分为83.5分（满分105.0分），考核等次为良好。" in paragraphs[2]
    assert "组织建设：得分82.5分。" in paragraphs
    assert "长沙市妇女联合会" in paragraphs
    assert round(document.sections[0].page_width.mm) == 210  # A4, GB/T 9704


def test_no_letter_before_the_result_is_final(world, staff, login):
    response = login(staff["furong_staff"]).get(
        reverse("assessments:letter-docx", kwargs={"pk": world["furong"].pk}), follow=True
    )
    assert "考核结果确定后才能下载结果通知" in response.content.decode()
    assert not ItemScore.objects.filter(assessment=world["furong"], review_points__isnull=False).exists()
