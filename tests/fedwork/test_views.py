import pytest
from django.urls import reverse

from fedwork.context_processors import SESSION_YEAR_KEY


def detail(code):
    return reverse("federation-detail", kwargs={"code": code})


def test_home_shows_the_users_federation_and_role(people, login):
    response = login(people["furong_staff"]).get(reverse("home"))
    html = response.content.decode()
    assert "芙蓉区妇女联合会" in html
    assert "填报员" in html
    assert "下属乡镇（街道）" in html


def test_home_counts_what_lies_below(people, login):
    response = login(people["hunan_leader"]).get(reverse("home"))
    assert response.context["level_counts"] == [("市级", 1), ("县级", 2), ("乡镇（街道）", 1)]


def test_anonymous_users_are_sent_to_login(client, tree):
    for url in [reverse("home"), detail("43"), reverse("federation-browse"), reverse("plans:index")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_browse_starts_at_the_users_federation(people, login):
    response = login(people["changsha_leader"]).get(reverse("federation-browse"))
    assert response.url == detail("4301")


def test_federation_page_lists_children_and_breadcrumb_within_reach(people, login):
    response = login(people["changsha_leader"]).get(detail("430102"))
    html = response.content.decode()
    assert [f.code for f in response.context["breadcrumb"]] == ["4301"]  # nothing above the leader's reach
    assert [f.code for f in response.context["children"]] == ["430102001"]
    assert "定王台街道妇女联合会" in html
    assert "湖南省妇联" not in html


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("furong_staff", "430104"),  # sibling
        ("furong_staff", "4301"),  # ancestor
        ("changsha_leader", "370102"),  # another province
        ("changsha_leader", "does-not-exist"),
    ],
)
def test_outsiders_get_404(people, login, persona, code):
    assert login(people[persona]).get(detail(code)).status_code == 404


def test_search_stays_inside_the_subtree(people, login):
    response = login(people["changsha_leader"]).get(detail("4301"), {"q": "区"})
    assert sorted(f.code for f in response.context["results"]) == ["430102", "430104"]
    response = login(people["changsha_leader"]).get(detail("4301"), {"q": "历下"})
    assert response.context["results"] == []
    assert "没有找到匹配的组织" in response.content.decode()


def test_search_by_code_prefix(people, login):
    response = login(people["hunan_leader"]).get(detail("43"), {"q": "430102"})
    assert sorted(f.code for f in response.context["results"]) == ["430102", "430102001"]


def test_members_are_listed_for_admins_only(people, login):
    assert "furong-staff" in login(people["hunan_admin"]).get(detail("430102")).content.decode()
    response = login(people["hunan_leader"]).get(detail("430102"))
    assert response.context["members"] is None
    assert "本级用户" not in response.content.decode()


def test_year_selector_remembers_the_year(people, login):
    client = login(people["furong_staff"])
    response = client.post(reverse("set-year"), {"year": "2013", "next": detail("430102")})
    assert response.url == detail("430102")
    assert client.session[SESSION_YEAR_KEY] == 2013
    assert "2013年度" in client.get(reverse("home")).content.decode()


def test_year_selector_rejects_bad_years_and_foreign_redirects(people, login):
    client = login(people["furong_staff"])
    response = client.post(
        reverse("set-year"), {"year": "1900", "next": "https://evil.example/"}, follow=True
    )
    # The page it lands on keeps the default year in the session, never the rejected one.
    assert client.session.get(SESSION_YEAR_KEY) != 1900
    assert "请选择有效的年度" in response.content.decode()
    assert response.redirect_chain[0][0] == "/"


def test_top_bar_shows_federation_role_and_navigation(people, login):
    html = login(people["changsha_leader"]).get(reverse("home")).content.decode()
    for text in ["长沙市妇联", "领导", "计划", "活动", "报表", "年度"]:
        assert text in html
    assert "系统管理" not in html  # leaders do not reach the admin site
