"""Attacks on the activity pages' query strings: a hand-edited address answers 404, never a 500."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize("day", ["9" * 5000, "99", "0", "²", "-1"])
def test_a_forged_calendar_day_is_a_404(people, login, day):
    client = login(people["furong_staff"])
    response = client.get(reverse("activities:calendar"), {"d": day})
    assert response.status_code == 404
