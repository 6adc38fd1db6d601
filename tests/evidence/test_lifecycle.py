"""Deleting keeps files for the audit; purging removes them; storage use per federation."""

from django.urls import reverse

from activities import services as activity_services
from evidence import services
from evidence.models import Attachment
from tests.evidence.conftest import jpeg, make_activity, pdf, stored_files


def attach(activity, by, *files):
    return services.attachments_upload(activity=activity, files=list(files), by=by)


def test_the_uploader_deletes_a_file_which_is_kept(activity, people, login, media):
    (photo,) = attach(activity, people["furong_staff"], jpeg("误传.jpg"))
    files = stored_files(media)
    client = login(people["furong_staff"])
    response = client.post(reverse("evidence:delete", args=[photo.pk]))
    assert response.status_code == 302
    html = client.get(activity.get_absolute_url()).content.decode()
    assert "已删除“误传.jpg”" in html and "误传.jpg</div>" not in html
    photo.refresh_from_db()
    assert photo.deleted_by == people["furong_staff"] and photo.deleted_at is not None
    assert stored_files(media) == files  # still in the storage for the audit
    assert client.get(reverse("evidence:file", args=[photo.pk])).status_code == 404  # staff: gone
    client.force_login(people["hunan_admin"])
    assert client.get(reverse("evidence:file", args=[photo.pk])).status_code == 200  # admins: audit


def test_another_staff_member_may_not_delete_but_an_admin_may(
    activity, people, login, furong_other_staff, furong_admin
):
    first, second = attach(activity, people["furong_staff"], jpeg(), pdf())
    client = login(furong_other_staff)
    assert client.post(reverse("evidence:delete", args=[first.pk])).status_code == 404
    client.force_login(people["yuelu_staff"])
    assert client.post(reverse("evidence:delete", args=[first.pk])).status_code == 404
    assert Attachment.objects.shown().count() == 2
    client.force_login(furong_admin)
    assert client.post(reverse("evidence:delete", args=[second.pk])).status_code == 302
    assert list(Attachment.objects.shown()) == [first]


def test_deleting_the_activity_keeps_its_files(activity, people, media):
    (photo,) = attach(activity, people["furong_staff"], jpeg())
    files = stored_files(media)
    activity_services.activity_delete(activity=activity, by=people["furong_staff"])
    photo.refresh_from_db()
    assert photo.activity is None and photo.activity_deleted_at is not None
    assert photo.activity_title == "妇女技能培训班" and photo.deleted_at is None
    assert stored_files(media) == files


def test_deleting_the_activity_from_its_page_keeps_the_files(activity, people, login, media):
    attach(activity, people["furong_staff"], pdf())
    client = login(people["furong_staff"])
    assert client.post(reverse("activities:delete", args=[activity.pk])).status_code == 302
    assert Attachment.objects.get().activity_id is None
    assert len(stored_files(media)) == 1


def test_an_admin_purges_a_deleted_file_from_the_storage(
    activity, people, login, media, django_capture_on_commit_callbacks
):
    kept, deleted = attach(activity, people["furong_staff"], jpeg("留.jpg"), jpeg("删.jpg"))
    services.attachment_delete(attachment=deleted, by=people["furong_staff"])
    client = login(people["hunan_admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:evidence_attachment_changelist"),
            {"action": "purge", "_selected_action": [kept.pk, deleted.pk]},
            follow=True,
        )
    html = response.content.decode()
    assert "已清除 1 个文件。" in html and "1 个文件未清除" in html
    deleted.refresh_from_db()
    assert deleted.purged_by == people["hunan_admin"] and deleted.purged_at is not None
    assert deleted.file.name == "" and deleted.thumbnail.name == ""
    kept.refresh_from_db()
    assert kept.purged_at is None
    assert stored_files(media) == sorted([kept.file.name, kept.thumbnail.name])
    assert client.get(reverse("evidence:file", args=[deleted.pk])).status_code == 404


def test_staff_cannot_purge_in_the_admin(activity, people, login, media):
    (photo,) = attach(activity, people["furong_staff"], jpeg())
    services.attachment_delete(attachment=photo, by=people["furong_staff"])
    client = login(people["furong_staff"])
    response = client.post(
        reverse("admin:evidence_attachment_changelist"), {"action": "purge", "_selected_action": [photo.pk]}
    )
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    photo.refresh_from_db()
    assert photo.purged_at is None and len(stored_files(media)) == 2


def test_storage_use_is_summed_over_the_subtree_for_its_admins(
    activity, people, tree, login, django_assert_max_num_queries
):
    attach(activity, people["furong_staff"], pdf(), pdf("b.pdf"))
    yuelu = make_activity(tree["yuelu"], "岳麓区宣讲")
    (gone,) = attach(yuelu, people["yuelu_staff"], pdf("c.pdf"))
    services.attachment_delete(attachment=gone, by=people["yuelu_staff"])  # still takes space
    town = make_activity(tree["dingwangtai"], "街道宣讲")  # a grandchild's file counts in 芙蓉区's branch
    attach(town, people["furong_staff"], pdf("d.pdf"))
    size = Attachment.objects.first().size
    client = login(people["hunan_admin"])
    # Session, user, the top bar, the federation, its children, one grouped usage, the total, the kept;
    # the session keeping the top bar's 待办 count for the next pages (an UPDATE in a savepoint inside
    # the test's transaction: three queries).
    with django_assert_max_num_queries(13):
        response = client.get(reverse("evidence:storage", args=[tree["changsha"].code]))
    assert response.status_code == 200
    rows = {row["federation"].code: (row["count"], row["bytes"]) for row in response.context["rows"]}
    assert rows == {"4301": (0, 0), "430102": (3, 3 * size), "430104": (1, size)}
    html = response.content.decode()
    assert "合计 4 个文件" in html and "c.pdf" in html  # the deleted one is listed as kept
    # Its administrators find the page from the federation's page; others see no link.
    storage_url = reverse("evidence:storage", args=[tree["changsha"].code])
    assert storage_url in client.get(tree["changsha"].get_absolute_url()).content.decode()
    for persona in ["furong_staff", "changsha_leader", "yuelu_staff"]:
        client.force_login(people[persona])
        assert client.get(reverse("evidence:storage", args=[tree["changsha"].code])).status_code == 404
        assert storage_url not in client.get(tree["changsha"].get_absolute_url()).content.decode()


def test_upload_is_allowed_in_a_locked_period(activity, people, login, tree):
    """A file is not a figure: an approved report does not stop evidence being added afterwards."""
    from datetime import date

    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from submissions.models import Submission, SubmissionStatus

    Submission.objects.create(
        federation=tree["furong"],
        year=2013,
        frequency="year",
        number=1,
        status=SubmissionStatus.APPROVED,
        due_date=date(2014, 1, 5),
        first_submitted_at=timezone.now(),
        submitted_at=timezone.now(),
        submitted_by=people["furong_staff"],
    )
    try:
        activity_services.ensure_unlocked(activity)
        locked = False
    except ValidationError:
        locked = True
    assert locked, "the control: the activity's period is locked"
    client = login(people["furong_staff"])
    client.post(reverse("evidence:upload", args=[activity.pk]), {"files": [jpeg()]})
    assert Attachment.objects.filter(activity=activity).count() == 1


def test_the_admin_shows_a_file_through_the_checked_view_only(activity, people, login):
    (photo,) = attach(activity, people["furong_staff"], jpeg("合影.jpg"))
    client = login(people["hunan_admin"])
    page = client.get(reverse("admin:evidence_attachment_change", args=[photo.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="/evidence/{photo.pk}/"' in html
    assert photo.file.name not in html  # the storage path is never shown or linked
    client.force_login(people["lixia_staff"])
    assert client.get(reverse("admin:evidence_attachment_change", args=[photo.pk])).status_code == 302
