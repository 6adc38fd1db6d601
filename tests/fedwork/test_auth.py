from django.urls import reverse

from tests.factories import PASSWORD


def test_login_page_is_in_chinese(client, db):
    html = client.get(reverse("login")).content.decode()
    assert "用户名" in html and "密码" in html and "登录" in html


def test_login_and_logout(client, people):
    response = client.post(reverse("login"), {"username": "furong-staff", "password": PASSWORD}, follow=True)
    assert response.context["user"].username == "furong-staff"
    assert "芙蓉区妇女联合会" in response.content.decode()
    response = client.post(reverse("logout"), follow=True)
    assert not response.context["user"].is_authenticated
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_shows_a_chinese_error(client, people):
    response = client.post(reverse("login"), {"username": "furong-staff", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert not response.context["user"].is_authenticated


def test_password_change(client, people):
    client.force_login(people["furong_staff"])
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Xin-mima-2026!", "new_password2": "Xin-mima-2026!"},
    )
    assert response.url == reverse("password_change_done")
    people["furong_staff"].refresh_from_db()
    assert people["furong_staff"].check_password("Xin-mima-2026!")


def test_weak_new_password_is_refused_in_chinese(client, people):
    client.force_login(people["furong_staff"])
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert "密码" in str(response.context["form"].errors["new_password2"])
    people["furong_staff"].refresh_from_db()
    assert people["furong_staff"].check_password(PASSWORD)
