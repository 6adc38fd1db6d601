"""How the plan importer's findings (issue #14) reach the draft: the year check, speech items as
notes, quarterly cadence."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plans import services
from plans.models import Plan, Target, WorkPoint
from plans.parsing import parse_document
from tests import factories

NOTICE = """关于印发《某区妇联2013年工作要点》的通知

一、服务发展大局
今年要做好三件事：一是全年培训妇女300人以上；二是每季度召开1次妇女议事会；三是加强宣传。
二、维护妇女权益
开展普法宣传10场。
"""


def test_a_notice_of_another_year_needs_the_planners_yes(tree, people, login):
    factories.indicator("PX02", "培训妇女人数", "人", tree["nation"], keywords="培训")
    client = login(people["furong_staff"])
    client.post(reverse("set-year"), {"year": "2014"})
    upload = SimpleUploadedFile("notice.txt", NOTICE.encode())
    response = client.post(reverse("plans:import"), {"document": upload})
    assert response.status_code == 200
    assert "这份通知是2013年的，要导入为2014年计划吗？" in response.content.decode()
    assert 'name="confirm_year"' in response.content.decode()
    assert not Plan.objects.exists()
    upload = SimpleUploadedFile("notice.txt", NOTICE.encode())
    review = client.post(reverse("plans:import"), {"document": upload, "confirm_year": "on"})
    assert "2014年度工作要点" in review.content.decode()  # the review page says which year it saves
    keep = [row.index for row in review.context["rows"]]
    response = client.post(reverse("plans:import"), {"payload": review.context["payload"], "keep": keep})
    assert response.status_code == 302
    assert Plan.objects.get().year == 2014


def test_speech_items_become_notes_and_quarterly_targets_count_four_times(tree, people):
    factories.indicator("PX02", "培训妇女人数", "人", tree["nation"], keywords="培训")
    factories.indicator("HY02", "召开妇女议事会次数", "次", tree["nation"], keywords="议事会")
    parsed = parse_document(NOTICE.encode(), "notice.txt")
    plan = services.plan_import(
        parsed=parsed, federation=tree["furong"], year=2013, by=people["furong_staff"]
    )
    titles = list(WorkPoint.objects.filter(plan=plan).values_list("title", flat=True))
    assert not any(title.startswith(("一是", "培训")) for title in titles), titles
    values = {t.source_text: (t.value, t.cadence) for t in Target.objects.filter(plan=plan)}
    quarterly = next(text for text in values if "每季度" in text)
    assert values[quarterly] == (4, "year")


def test_a_tables_deadline_becomes_the_targets_due_date(tree, people):
    from datetime import date

    from plans.services import due_date_from_text

    assert due_date_from_text("6月底前", 2013) == date(2013, 6, 30)
    assert due_date_from_text("9月15日前", 2013) == date(2013, 9, 15)
    assert due_date_from_text("2月", 2013) == date(2013, 2, 28)
    assert due_date_from_text("长期坚持", 2013) is None
    text = "某区妇联2013年重点任务\n序号\t工作任务\t目标\t完成时限\n1\t举办巾帼讲堂\t30场\t6月底前\n"
    plan = services.plan_import(
        parsed=parse_document(text.encode(), "tasks.txt"), federation=tree["furong"], year=2013, by=None
    )
    assert list(Target.objects.filter(plan=plan).values_list("value", "due_date")) == [
        (30, date(2013, 6, 30))
    ]
