"""Attacks on the plan import review page (#17): what a hostile or clumsy POST to the confirming
step can send besides the page's own checkboxes."""

import pytest
from django.urls import reverse

from plans.models import Plan
from tests.plans.test_import_review import REVIEWED, catalogue, review  # noqa: F401 (fixture)


@pytest.mark.parametrize("value", ["²", "9" * 5000, "-1", "１"])
def test_a_forged_keep_value_is_ignored_not_a_500(people, catalogue, login, value):  # noqa: F811
    client = login(people["hunan_staff"])
    page = review(client, "plan.txt", REVIEWED.encode())
    rows = [row.index for row in page.context["rows"]]
    response = client.post(
        reverse("plans:import"), {"payload": page.context["payload"], "keep": [*rows, value]}
    )
    assert response.status_code == 302
    assert Plan.objects.count() == 1
