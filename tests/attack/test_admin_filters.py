"""Attacks on the admin's list filters: a NUL byte in a filter reached PostgreSQL, which refuses it
with an error (a 500); the admin answers it as any invalid filter (a redirect to ``?e=1``)."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    ("changelist", "parameter"),
    [
        ("admin:evidence_attachment_changelist", "kind"),
        ("admin:assessments_assessment_changelist", "status"),
        ("admin:assessments_scheme_changelist", "status"),
        ("admin:assessments_schemeitem_changelist", "rule"),
        ("admin:activities_activity_changelist", "status"),
    ],
)
def test_a_nul_byte_in_a_filter_is_an_invalid_filter_not_a_500(people, login, changelist, parameter):
    client = login(people["hunan_admin"])
    url = reverse(changelist)
    response = client.get(url, {parameter: "a\x00b"})
    assert response.status_code == 302 and response.url == f"{url}?e=1"
    assert client.get(url, {"q": "\x00"}).status_code in (200, 302)
    assert client.get(url).status_code == 200
