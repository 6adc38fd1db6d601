"""The year chosen in the top bar is kept per user across logins (User.work_year); before a user
has chosen one, the top bar opens on the latest year with a plan they work under."""

from django.urls import reverse
from django.utils import timezone

from fedwork.context_processors import SESSION_YEAR_KEY
from tests import factories


def selected(client) -> str:
    """The year the top bar's selector shows as chosen."""
    html = client.get(reverse("home")).content.decode()
    start = html.index('id="year-select"')
    options = html[start : html.index("</select>", start)]
    return options.split(" selected>")[0].rsplit('value="', 1)[1].split('"')[0]


def test_the_chosen_year_is_kept_across_logins(people, client):
    staff = people["furong_staff"]
    client.force_login(staff)
    client.post(reverse("set-year"), {"year": "2014", "next": "/"})
    staff.refresh_from_db()
    assert staff.work_year == 2014
    client.post(reverse("logout"))
    assert SESSION_YEAR_KEY not in client.session
    client.force_login(staff)
    assert selected(client) == "2014"


def test_a_user_who_never_chose_opens_on_the_latest_year_with_a_plan(tree, people, client):
    factories.plan(tree["hunan"], year=2013)  # an upper federation's plan counts
    factories.plan(tree["lixia"], year=2015)  # another province's does not
    client.force_login(people["furong_staff"])
    assert selected(client) == "2013"


def test_without_any_plan_the_top_bar_opens_on_this_year(people, client):
    client.force_login(people["furong_staff"])
    assert selected(client) == str(timezone.localdate().year)


def test_a_rejected_year_is_not_remembered(people, client):
    staff = people["furong_staff"]
    client.force_login(staff)
    response = client.post(reverse("set-year"), {"year": "1900", "next": "/"}, follow=True)
    assert "请选择有效的年度" in response.content.decode()
    staff.refresh_from_db()
    assert staff.work_year is None
