"""django-import-export resources for indicators and targets, and the admin pages that use them."""

import io

import openpyxl
import tablib
from django.urls import reverse

from plans.admin import IndicatorResource, TargetResource
from plans.models import Indicator
from tests import factories


def test_indicators_export_to_xlsx_and_read_back(indicators):
    data = IndicatorResource().export().export("xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("code", "name", "unit", "kind")
    assert ("PX02", "培训妇女人数", "人", "sum") in [row[:4] for row in rows[1:]]


def test_indicator_import_updates_by_code_and_rejects_bad_rows_whole(indicators, tree):
    dataset = tablib.Dataset(headers=["code", "name", "unit", "kind", "decimal_places", "owner"])
    dataset.append(["PX02", "培训妇女人数（新）", "人", "sum", 0, "00"])
    dataset.append(["ZZ99", "新指标", "个", "sum", 0, "no-such-federation"])
    result = IndicatorResource().import_data(dataset, dry_run=False, use_transactions=True)
    assert result.has_validation_errors() or result.has_errors()
    assert Indicator.objects.get(code="PX02").name == "培训妇女人数"  # nothing half-saved
    assert not Indicator.objects.filter(code="ZZ99").exists()


def test_targets_export_with_federation_and_year(tree, indicators):
    plan = factories.plan(tree["furong"])
    factories.target(factories.point(plan), indicators["trained"], 300)
    dataset = TargetResource().export()
    row = dict(zip(dataset.headers, dataset[0], strict=True))
    assert (row["federation"], row["year"], row["indicator"], row["value"]) == (
        "430102",
        "2013",
        "PX02",
        "300.00",
    )


def test_admin_export_page_offers_xlsx_to_an_administrator(people, login, indicators):
    response = login(people["hunan_admin"]).get(reverse("admin:plans_indicator_export"))
    assert response.status_code == 200
    assert "xlsx" in response.content.decode()
    # Imports write across federations: administrators of a province do not get them.
    assert login(people["hunan_admin"]).get(reverse("admin:plans_indicator_import")).status_code == 403
