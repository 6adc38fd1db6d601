"""Who gets an evidence file: its federation and the ones above; nobody else, whatever the URL."""

from django.urls import reverse

from evidence import services
from evidence.models import Attachment
from tests import factories
from tests.evidence.conftest import docx, jpeg, make_activity, pdf


def attach(activity, by, *files):
    return services.attachments_upload(activity=activity, files=list(files), by=by)


def file_url(attachment, kind="file"):
    return reverse(f"evidence:{kind}", args=[attachment.pk])


def test_the_owner_and_the_federations_above_get_the_file(activity, people, login, client):
    (photo,) = attach(activity, people["furong_staff"], jpeg())
    for persona in ["furong_staff", "changsha_leader", "hunan_admin", "superuser"]:
        client.force_login(people[persona])
        response = client.get(file_url(photo))
        assert response.status_code == 200, persona
        assert b"".join(response.streaming_content).startswith(b"\xff\xd8")  # a JPEG


def test_a_sibling_never_gets_a_file_even_by_guessing(activity, people, login, tree):
    photo, sheet = attach(activity, people["furong_staff"], jpeg(), docx())
    own = attach(make_activity(tree["yuelu"], "岳麓区培训"), people["yuelu_staff"], jpeg())[0]
    client = login(people["yuelu_staff"])
    assert client.get(file_url(own)).status_code == 200  # the control: their own file opens
    for pk in range(1, own.pk + 5):  # every id there is, and some that are not
        if pk == own.pk:
            continue
        for kind in ("file", "thumbnail"):
            assert client.get(reverse(f"evidence:{kind}", args=[pk])).status_code == 404
    page = client.get(activity.get_absolute_url())
    assert page.status_code == 404
    for persona in ["lixia_staff"]:
        client.force_login(people[persona])
        assert client.get(file_url(photo)).status_code == 404
        assert client.get(file_url(sheet)).status_code == 404


def test_anonymous_gets_404_not_a_login_page(activity, people, client):
    (photo,) = attach(activity, people["furong_staff"], jpeg())
    for kind in ("file", "thumbnail"):
        response = client.get(file_url(photo, kind))
        assert response.status_code == 404
    assert client.get(reverse("evidence:file", args=[photo.pk + 100])).status_code == 404


def test_lower_federations_see_the_main_activity_but_not_its_files(activity, people, tree, client):
    attach(activity, people["furong_staff"], jpeg("县里的照片.jpg"))
    township = factories.user("dingwangtai-staff", tree["dingwangtai"], "staff")
    client.force_login(township)
    page = client.get(activity.get_absolute_url())
    assert page.status_code == 200  # an upper federation's main activity is shown below
    html = page.content.decode()
    assert activity.title in html and "县里的照片.jpg" not in html and "佐证材料" not in html
    assert client.get(file_url(Attachment.objects.get())).status_code == 404


def test_headers_say_what_the_file_is_and_sandbox_it(activity, people, login):
    photo, document, sheet = attach(activity, people["furong_staff"], jpeg("合影.jpg"), pdf(), docx())
    client = login(people["furong_staff"])
    response = client.get(file_url(photo))
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline;")
    assert "%E5%90%88%E5%BD%B1.jpg" in response["Content-Disposition"]  # 合影.jpg, RFC 5987
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox;")
    response = client.get(file_url(document))
    assert (response["Content-Type"], response["Content-Disposition"][:7]) == ("application/pdf", "inline;")
    assert "sandbox" in response["Content-Security-Policy"]
    response = client.get(file_url(sheet))
    assert (
        response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert response["Content-Disposition"].startswith("attachment;")
    assert client.get(file_url(sheet, "thumbnail")).status_code == 404  # no thumbnail for documents


def test_only_the_federations_own_staff_upload(activity, people, login):
    url = reverse("evidence:upload", args=[activity.pk])
    for persona in ["changsha_leader", "hunan_admin", "yuelu_staff", "lixia_staff"]:
        client = login(people[persona])
        assert client.post(url, {"files": [jpeg()]}).status_code == 404, persona
        html = client.get(activity.get_absolute_url()).content.decode()
        assert 'name="files"' not in html
    assert Attachment.objects.count() == 0
    client = login(people["furong_staff"])
    html = client.get(activity.get_absolute_url()).content.decode()
    assert 'capture="environment"' in html and "multiple" in html


def test_the_page_lists_files_in_a_bounded_number_of_queries(
    activity, people, login, django_assert_max_num_queries
):
    attach(activity, people["furong_staff"], *[jpeg(f"{n}.jpg") for n in range(6)])
    client = login(people["furong_staff"])
    client.get(activity.get_absolute_url())
    with django_assert_max_num_queries(20):
        html = client.get(activity.get_absolute_url()).content.decode()
    assert html.count("拍摄于") == 6
