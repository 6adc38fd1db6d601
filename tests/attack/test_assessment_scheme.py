"""Attacks on the scheme editor and import (#16): values a leader can type that the rest of the
assessment cannot carry."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments import services
from assessments.models import Rule, Scheme


def editor_post(scheme, rows):
    data = {
        "s-name": scheme.name,
        "s-excellent_from": "90",
        "s-good_from": "80",
        "s-pass_from": "60",
        "s-objection_days": "5",
        "items-TOTAL_FORMS": str(len(rows)),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for index, (name, points, rule) in enumerate(rows):
        data |= {
            f"items-{index}-area": "组织建设",
            f"items-{index}-name": name,
            f"items-{index}-max_points": points,
            f"items-{index}-rule": rule,
        }
    return data


def test_a_scheme_whose_full_marks_overflow_the_total_is_refused_in_chinese(tree, staff, login):
    # Two items of 99999.9 each: every item fits its column, but a child scoring full marks would
    # total 199999.8, which the total column (6 digits) cannot hold: the review would end in a 500.
    scheme = services.scheme_create(federation=tree["hunan"], year=2013, name="湖南省考核细则", by=None)
    client = login(staff["hunan_leader"])
    rows = [("妇女之家建设", "99999.9", Rule.JUDGED), ("创新加分", "99999.9", Rule.BONUS)]
    response = client.post(reverse("assessments:scheme", args=[scheme.pk]), editor_post(scheme, rows))
    assert response.status_code == 200
    assert "各项分值合计（含加分上限）不能超过 1000 分" in response.content.decode()
    assert not Scheme.objects.get(pk=scheme.pk).areas.exists()


def test_the_service_refuses_it_too_and_a_normal_scheme_still_saves(tree, staff):
    scheme = services.scheme_create(federation=tree["hunan"], year=2013, name="湖南省考核细则", by=None)
    save = {
        "scheme": scheme,
        "name": scheme.name,
        "excellent_from": Decimal(90),
        "good_from": Decimal(80),
        "pass_from": Decimal(60),
        "objection_days": 5,
        "by": staff["hunan_leader"],
    }
    big = [
        services.AreaDraft(
            "组织建设", [services.ItemDraft("甲", Decimal(600)), services.ItemDraft("乙", Decimal(401))]
        )
    ]
    with pytest.raises(ValidationError) as refused:
        services.scheme_save(areas=big, **save)
    assert "各项分值合计（含加分上限）不能超过 1000 分" in refused.value.messages[0]
    # Deductions do not raise the reachable total; 1000 exactly is fine.
    fine = [
        services.AreaDraft(
            "组织建设",
            [
                services.ItemDraft("甲", Decimal(600)),
                services.ItemDraft("乙", Decimal(400)),
                services.ItemDraft("扣分", Decimal(500), Rule.DEDUCTION),
            ],
        )
    ]
    services.scheme_save(areas=fine, **save)
    assert scheme.areas.get().items.count() == 3


@pytest.mark.parametrize("points", ["99999.95", "5000"])
def test_an_imported_deduction_too_big_for_its_column_is_refused_in_chinese(tree, staff, login, points):
    # 99999.95 passes the sheet's "below 100000" check and rounds to 100000.0: seven digits in a
    # six-digit column. A deduction is not part of the reachable total, so only a cap per item stops it.
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.assessments.test_import import workbook

    scheme = services.scheme_create(federation=tree["hunan"], year=2013, name="湖南省考核细则", by=None)
    sheet = workbook(
        [("组织建设", "妇女之家规范化建设", 100, "评审打分"), (None, "信息报送不及时", points, "扣分")]
    )
    client = login(staff["hunan_leader"])
    response = client.post(
        reverse("assessments:scheme-import", args=[scheme.pk]),
        {"file": SimpleUploadedFile("细则.xlsx", sheet)},
        follow=True,
    )
    assert response.status_code == 200
    assert "“信息报送不及时”的分值不能超过 1000 分。" in response.content.decode()
    assert not Scheme.objects.get(pk=scheme.pk).areas.exists()
