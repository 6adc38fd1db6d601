"""Login throttling, security headers, health check and request ids."""

from django.urls import reverse

from tests.factories import PASSWORD


def test_repeated_failed_logins_lock_the_account_with_a_chinese_message(client, people, settings):
    for _ in range(settings.FEDWORK_LOGIN_LIMIT_PER_ACCOUNT - 1):
        response = client.post(reverse("login"), {"username": "furong-staff", "password": "wrong"})
        assert response.status_code == 200
    response = client.post(reverse("login"), {"username": "furong-staff", "password": "wrong"})
    assert response.status_code == 429  # the limit-th failure locks
    response = client.post(reverse("login"), {"username": "furong-staff", "password": PASSWORD})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302  # still not logged in


def test_a_successful_login_resets_the_count(client, people, settings):
    for _ in range(settings.FEDWORK_LOGIN_LIMIT_PER_ACCOUNT - 1):
        client.post(reverse("login"), {"username": "furong-staff", "password": "wrong"})
    client.post(reverse("login"), {"username": "furong-staff", "password": PASSWORD})
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": "furong-staff", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "furong-staff", "password": PASSWORD})
    assert response.status_code == 302


def test_security_headers(client, people, login):
    response = login(people["furong_staff"]).get(reverse("home"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )
    assert "frame-ancestors 'none'" in policy


def test_pages_carry_no_inline_script(people, login, tree):
    import re

    client = login(people["changsha_leader"])
    for url in [
        reverse("home"),
        reverse("federation-detail", args=["4301"]),
        reverse("plans:index"),
        reverse("activities:calendar"),
        reverse("reports:dashboard", args=["4301"]),
    ]:
        html = client.get(url).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (url, tag)


def test_healthz_reports_the_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_every_response_has_a_request_id(client, db):
    response = client.get(reverse("login"))
    assert len(response["X-Request-ID"]) == 32
    response = client.get(reverse("login"), headers={"X-Request-ID": "lb-1234"})
    assert response["X-Request-ID"] == "lb-1234"
    response = client.get(reverse("login"), headers={"X-Request-ID": "bad id with spaces"})
    assert response["X-Request-ID"] != "bad id with spaces"


def test_uploads_are_capped(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 12 * 1024 * 1024


def test_defusedxml_is_installed_for_openpyxl():
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML
