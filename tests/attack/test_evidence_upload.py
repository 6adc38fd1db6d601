"""Attacks on evidence uploads (#17): a double click, a second tab, the same photo picked twice."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evidence.models import Attachment

SHEET = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def upload(client, activity, *files):
    return client.post(reverse("evidence:upload", args=[activity.pk]), {"files": list(files)}, follow=True)


def test_the_same_file_uploaded_twice_is_stored_once(world, staff, login):
    activity = world["attachment"].activity
    client = login(staff["furong_staff"])
    before = Attachment.objects.filter(activity=activity).count()
    first = upload(client, activity, SimpleUploadedFile("会议记录.pdf", SHEET))
    assert "已上传 1 个文件。" in first.content.decode()
    # The double click's second request (or a second tab) sends the same bytes again.
    second = upload(client, activity, SimpleUploadedFile("会议记录(1).pdf", SHEET))
    assert "“会议记录(1).pdf”与已上传的“会议记录.pdf”内容相同，未重复上传。" in second.content.decode()
    assert Attachment.objects.filter(activity=activity).count() == before + 1


def test_the_same_file_twice_in_one_upload_is_refused_and_nothing_is_stored(world, staff, login):
    activity = world["attachment"].activity
    client = login(staff["furong_staff"])
    before = Attachment.objects.count()
    response = upload(
        client, activity, SimpleUploadedFile("甲.pdf", SHEET), SimpleUploadedFile("乙.pdf", SHEET)
    )
    assert "“乙.pdf”与“甲.pdf”内容相同，未重复上传。" in response.content.decode()
    assert Attachment.objects.count() == before


def test_a_deleted_copy_does_not_block_uploading_it_again(world, staff, login):
    activity = world["attachment"].activity
    client = login(staff["furong_staff"])
    upload(client, activity, SimpleUploadedFile("会议记录.pdf", SHEET))
    made = Attachment.objects.get(original_name="会议记录.pdf")
    client.post(reverse("evidence:delete", args=[made.pk]))
    response = upload(client, activity, SimpleUploadedFile("会议记录.pdf", SHEET))
    assert "已上传 1 个文件。" in response.content.decode()
    assert Attachment.objects.filter(original_name="会议记录.pdf").count() == 2
