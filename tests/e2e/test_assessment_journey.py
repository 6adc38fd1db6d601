"""The year-end assessment on a phone (390×844): 芙蓉区 staff attach a photo to an activity, cite it in
the self-assessment and submit; 长沙市's leader scores; 芙蓉区 objects to one item; the leader answers
and changes the score; 芙蓉区 accepts; the leader finalizes and the result is final.

Screenshots: tests/e2e/screenshots/assessment-self.png, assessment-review.png, assessment-final.png.
"""

from decimal import Decimal
from pathlib import Path

import pytest

from activities.models import Activity, ActivityStatus
from assessments import services
from assessments.models import Assessment, AssessmentStatus, Rule, Scheme
from fedwork.models import Federation, User

from .test_evidence_journey import photo
from .test_journeys import choose_year, fits_width, go_to, login

pytestmark = pytest.mark.skipif(
    not Path("/usr/bin/chromium").exists(),
    reason="end-to-end journeys need Debian's chromium at /usr/bin/chromium "
    "(apt-get install chromium fonts-noto-cjk)",
)
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

JUDGED = "妇女之家规范化建设"


def fresh_scheme() -> Assessment:
    """The demo's scheme is already far along: the journey starts from a newly published one."""
    Scheme.objects.all().delete()
    leader = User.objects.get(username="changsha-leader")
    scheme = services.scheme_create(
        federation=Federation.objects.get(code="4301"),
        year=2013,
        name="长沙市妇联2013年度考核细则",
        by=leader,
    )
    services.scheme_save(
        scheme=scheme,
        areas=[
            services.AreaDraft(
                "组织建设",
                [
                    services.ItemDraft("分解目标任务完成情况", Decimal(30), Rule.FROM_TARGETS),
                    services.ItemDraft(JUDGED, Decimal(60), Rule.JUDGED),
                ],
            ),
            services.AreaDraft(
                "加分与扣分",
                [
                    services.ItemDraft("创新加分", Decimal(5), Rule.BONUS),
                    services.ItemDraft("信息报送不及时", Decimal(5), Rule.DEDUCTION),
                ],
            ),
        ],
        by=leader,
    )
    services.scheme_publish(scheme=scheme, by=leader)
    return Assessment.objects.get(scheme=scheme, federation__code="430102")


def switch_to(page, username: str, federation_name: str):
    page.context.clear_cookies()
    login(page, username, federation_name)
    choose_year(page)


def item_card(page, scheme_item_name: str):
    return page.locator("fieldset, .card").filter(has_text=scheme_item_name).last


def test_assessment_journey_on_a_phone(phone, screenshot):
    page = phone
    assessment = fresh_scheme()
    items = {score.item.name: score.item for score in assessment.scores.select_related("item")}
    activity = (
        Activity.objects.filter(federation__code="430102", year=2013, status=ActivityStatus.DONE)
        .exclude(attachments__isnull=False)
        .order_by("-calendar_day")
        .first()
    )

    # 1. 芙蓉区 staff attach a photo to an activity.
    switch_to(page, "furong-staff", "芙蓉区妇联")
    page.goto(activity.get_absolute_url())
    evidence = page.get_by_test_id("evidence")
    page.set_input_files(
        "#evidence-files",
        [
            {
                "name": "妇女之家挂牌.jpg",
                "mimeType": "image/jpeg",
                "buffer": photo("#2e86c1", "2013:11:20 10:00:00"),
            }
        ],
    )
    evidence.get_by_role("button", name="上传", exact=True).click()
    expect(page.locator(".alert")).to_contain_text("已上传 1 个文件。")

    # 2. … cite it in the self-assessment and submit.
    go_to(page, "考核")
    page.get_by_test_id("own-assessments").get_by_role("link").first.click()
    page.get_by_role("link", name="填写自评").click()
    judged = page.get_by_test_id(f"item-{items[JUDGED].pk}")
    judged.get_by_label("自评分").fill("55")
    judged.get_by_label("自评说明").fill("全区妇女之家全部挂牌，活动台账齐全。")
    judged.get_by_label("妇女之家挂牌.jpg").check()
    page.get_by_test_id(f"item-{items['创新加分'].pk}").get_by_label("自评分").fill("3")
    # Every photo of 芙蓉区's year is offered (the demo's two and the new one), each with its thumbnail.
    expect(judged.locator("img")).to_have_count(3)
    expect(judged.locator("label").filter(has_text="妇女之家挂牌.jpg").locator("img")).to_have_count(1)
    assert fits_width(page)
    screenshot(page, "assessment-self", focus=judged)
    page.get_by_role("button", name="提交自评").click()
    expect(page.locator(".alert")).to_contain_text("自评已提交")
    expect(page.get_by_test_id("assessment-status")).to_have_text("待审核")
    expect(page.get_by_test_id(f"score-{items[JUDGED].pk}")).to_contain_text("妇女之家挂牌.jpg")

    # 3. The city's leader scores: the automatic item shows its figures.
    switch_to(page, "changsha-leader", "长沙市妇联")
    page.goto(assessment.get_absolute_url())
    page.get_by_role("link", name="审核评分").click()
    automatic = page.get_by_test_id(f"item-{items['分解目标任务完成情况'].pk}")
    expect(automatic.get_by_test_id("figures")).to_contain_text("完成率")
    review_card = page.get_by_test_id(f"item-{items[JUDGED].pk}")
    expect(review_card).to_contain_text("自评：55.0")
    # The cited photo opens through the access-checked view.
    expect(review_card.get_by_test_id("cited").locator("img")).to_have_count(1)
    review_card.get_by_label("审核分").fill("50")
    review_card.get_by_label("审核意见").fill("部分社区台账不全。")
    page.get_by_test_id(f"item-{items['创新加分'].pk}").get_by_label("审核分").fill("2")
    page.get_by_test_id(f"item-{items['信息报送不及时'].pk}").get_by_label("审核分").fill("1")
    assert fits_width(page)
    screenshot(page, "assessment-review", focus=review_card)
    page.get_by_role("button", name="评分完成").click()
    expect(page.locator(".alert")).to_contain_text("评分完成，异议期已开始")
    expect(page.get_by_test_id("assessment-status")).to_have_text("异议期")
    first_total = page.get_by_test_id("total").inner_text()

    # 4. 芙蓉区 objects to the judged item.
    switch_to(page, "furong-staff", "芙蓉区妇联")
    page.goto(assessment.get_absolute_url())
    card = page.get_by_test_id(f"score-{items[JUDGED].pk}")
    expect(card.get_by_test_id("review-points")).to_have_text("50.0")
    card.get_by_text("对本项提出异议").click()
    card.get_by_label("异议理由").fill("台账已补齐，见妇女之家挂牌照片。")
    card.get_by_role("button", name="提交异议").click()
    expect(page.locator(".alert")).to_contain_text("异议已提交")
    expect(page.get_by_test_id("assessment-status")).to_have_text("异议处理中")

    # 5. The city answers and changes the score.
    switch_to(page, "changsha-leader", "长沙市妇联")
    page.goto(assessment.get_absolute_url())
    answer = page.get_by_test_id("answer-form")
    answer.get_by_label("答复意见").fill("经复核，台账齐全，改为58分。")
    answer.get_by_label("调整后的分数（不改则留空）").fill("58")
    answer.get_by_role("button", name="答复").click()
    expect(page.locator(".alert")).to_contain_text("已答复异议")

    # 6. 芙蓉区 accepts; the city finalizes.
    switch_to(page, "furong-staff", "芙蓉区妇联")
    page.goto(assessment.get_absolute_url())
    expect(page.get_by_test_id("answer")).to_contain_text("经复核，台账齐全，改为58分。")
    page.get_by_role("button", name="确认无异议").click()
    expect(page.locator(".alert")).to_contain_text("已确认无异议")
    switch_to(page, "changsha-leader", "长沙市妇联")
    page.goto(assessment.get_absolute_url())
    page.get_by_role("button", name="确定考核结果").click()
    expect(page.get_by_test_id("assessment-status")).to_have_text("已确定")
    total = page.get_by_test_id("total").inner_text()
    assert Decimal(total) == Decimal(first_total) + 8
    assert fits_width(page)
    screenshot(page, "assessment-final", focus=page.get_by_test_id("result"))
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.FINAL and assessment.total == Decimal(total)


def test_leader_builds_a_scheme_and_reads_the_ranking_on_a_phone(phone, screenshot):
    page = phone
    switch_to(page, "changsha-leader", "长沙市妇联")
    # The demo's results: 芙蓉区 final, 岳麓区 objected; ranks for the city's leader only.
    demo_scheme = Scheme.objects.get(federation__code="4301", year=2013)
    page.goto(demo_scheme.get_absolute_url())
    page.get_by_role("link", name="查看考核结果与排名").click()
    results = page.get_by_test_id("results")
    expect(results.locator("tbody tr").first).to_contain_text("1")
    expect(results).to_contain_text("芙蓉区妇联")
    expect(results).to_contain_text("岳麓区妇联")
    assert fits_width(page)
    screenshot(page, "assessment-results", focus=results)

    # A new year's scheme, typed in the editor and published.
    Scheme.objects.all().delete()
    go_to(page, "考核")
    page.get_by_role("button", name="新建考核细则").click()
    editor = page.get_by_test_id("scheme-editor")
    rows = editor.get_by_test_id("item-row")
    expect(rows).to_have_count(3)
    for number, (area, name, points, rule) in enumerate(
        [
            ("组织建设", "妇女之家规范化建设", "60", "评审打分"),
            ("组织建设", "分解目标完成情况", "40", "按目标完成"),
        ]
    ):
        row = rows.nth(number)
        row.get_by_label("考核项目").fill(area)
        row.get_by_label("考核内容").fill(name)
        row.get_by_label("分值").fill(points)
        row.get_by_label("计分方式").select_option(label=rule)
    assert fits_width(page)
    screenshot(page, "assessment-scheme-editor", focus=rows.nth(1))
    editor.get_by_role("button", name="保存").click()
    expect(page.locator(".alert")).to_contain_text("考核细则已保存")
    page.get_by_role("button", name="发布考核细则").click()
    expect(page.locator(".alert")).to_contain_text("个下级妇联开始自评")
    expect(page.get_by_test_id("scheme-items")).to_contain_text("分解目标完成情况")
    scheme = Scheme.objects.get()
    assert [item.name for item in scheme.items()] == ["妇女之家规范化建设", "分解目标完成情况"]
    assert scheme.assessments.count() == Federation.objects.filter(parent__code="4301").count()
