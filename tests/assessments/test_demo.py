"""The demo: 长沙市 assesses its counties for 2013 — one final (after an answered objection), one
objected, one under review, the rest assessing themselves."""

from django.core.management import call_command

from assessments.models import Assessment, AssessmentStatus, Scheme
from fedwork.models import User


def test_the_demo_has_a_mix_of_assessments(db, client):
    call_command("seed_demo", force=True, verbosity=0)
    call_command("seed_demo", force=True, verbosity=0)  # repeatable: one scheme only
    scheme = Scheme.objects.get()
    assert (scheme.federation.code, scheme.year) == ("4301", 2013)
    assert [area.name for area in scheme.areas.all()][:6] == [
        "组织建设",
        "宣传教育",
        "妇女发展",
        "妇女维权",
        "儿童工作",
        "两规实施",
    ]
    status = dict(Assessment.objects.values_list("federation__code", "status"))
    assert status["430102"] == AssessmentStatus.FINAL
    assert status["430104"] == AssessmentStatus.OBJECTION
    assert status["430103"] == AssessmentStatus.SUBMITTED
    assert AssessmentStatus.SELF in status.values()
    furong = Assessment.objects.get(federation__code="430102")
    cited = furong.scores.get(item__name="基层妇联组织和妇女之家规范化建设").attachments.all()
    assert sorted(a.original_name for a in cited) == ["活动现场.jpg", "签到合影.jpg"]
    client.force_login(User.objects.get(username="furong-staff"))
    page = client.get(furong.get_absolute_url()).content.decode()
    assert "已确定" in page and furong.grade in page and "经复核，台账齐全，改为14分。" in page
    client.force_login(User.objects.get(username="changsha-leader"))
    results = client.get(f"/assessments/scheme/{scheme.pk}/results/").content.decode()
    assert "芙蓉区妇联" in results and str(furong.total) in results
