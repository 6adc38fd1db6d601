"""Attacks on cited evidence (#16 × #17): a file an assessment cites is the record the reviewer and
the result rest on; deleting it hides it (the assessment says 已删除), but nobody purges it."""

from decimal import Decimal

from django.urls import reverse

from activities import services as activity_services
from assessments import services
from evidence.models import Attachment


def cite(world, staff):
    """芙蓉区 cites its sign-in sheet for the judged item and submits."""
    assessment, item = world["furong"], world["items"]["妇女之家规范化建设"]
    services.self_assessment_save(
        assessment=assessment,
        entries={item.pk: services.SelfEntry(Decimal(60), "见签到表", [world["attachment"]])},
        by=staff["furong_staff"],
    )
    services.assessment_submit(assessment=assessment, by=staff["furong_staff"])
    return world["attachment"]


def test_a_deleted_cited_file_is_kept_for_the_audit_not_purged(
    world, staff, login, django_capture_on_commit_callbacks
):
    # Deleting a cited file is allowed (the assessment shows it as 已删除); purging it is not: the
    # administrators of the reviewing federation still open it to check the score.
    attachment = cite(world, staff)
    login(staff["furong_staff"]).post(reverse("evidence:delete", args=[attachment.pk]))
    attachment.refresh_from_db()
    assert attachment.deleted_at is not None
    client = login(staff["hunan_admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:evidence_attachment_changelist"),
            {"action": "purge", "_selected_action": [attachment.pk]},
            follow=True,
        )
    assert "1 个文件被考核引用，未清除" in response.content.decode()
    attachment.refresh_from_db()
    assert attachment.purged_at is None and attachment.file.storage.exists(attachment.file.name)
    assert client.get(reverse("evidence:file", args=[attachment.pk])).status_code == 200


def test_a_cited_file_of_a_deleted_activity_is_not_purged(
    world, staff, login, django_capture_on_commit_callbacks
):
    attachment = cite(world, staff)
    activity_services.activity_delete(activity=attachment.activity, by=staff["furong_staff"])
    client = login(staff["hunan_admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:evidence_attachment_changelist"),
            {"action": "purge", "_selected_action": [attachment.pk]},
            follow=True,
        )
    html = response.content.decode()
    assert "已清除 0 个文件。" in html and "1 个文件被考核引用，未清除" in html
    attachment = Attachment.objects.get(pk=attachment.pk)
    assert attachment.purged_at is None and attachment.file.storage.exists(attachment.file.name)
    reviewer = login(staff["changsha_leader"])
    assert reviewer.get(reverse("evidence:file", args=[attachment.pk])).status_code == 200


def test_an_uncited_deleted_file_is_purged_as_before(world, staff, login, django_capture_on_commit_callbacks):
    cite(world, staff)
    other = world["yuelu_attachment"]  # cited by nobody
    login(staff["yuelu_staff"]).post(reverse("evidence:delete", args=[other.pk]))
    client = login(staff["hunan_admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:evidence_attachment_changelist"),
            {"action": "purge", "_selected_action": [other.pk]},
            follow=True,
        )
    assert "已清除 1 个文件。" in response.content.decode()
    other.refresh_from_db()
    assert other.purged_at is not None and other.file.name == ""
