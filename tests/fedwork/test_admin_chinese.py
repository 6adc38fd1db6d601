"""The admin reads in Chinese: every registered model's add and change pages, as a superuser and as
a province administrator, carry none of Django's English defaults (help texts, password-hash
internals, the LDAP hint), and the brand is the system's name, not "fedwork"."""

import re

import pytest
from django.contrib import admin
from django.urls import reverse

from activities.models import CalendarFeed
from evidence.models import Attachment
from fedwork.models import User
from plans.models import Indicator
from tests.integrity.test_admin_scope import world  # noqa: F401  (a fixture)

# Words of Django's English defaults a page may show when a translation or an override is missing.
ENGLISH = re.compile(r"[A-Za-z][A-Za-z’']{2,}(?: [A-Za-z’']+)*")
# What may stay in Latin letters: codes, file formats, the data of the test's world.
ALLOWED = {"Excel", "Word", "CSV", "XLSX", "xlsx", "csv", "API", "iCalendar", "PDF", "docx", "txt"}
ALLOWED |= {"IP", "HTTP", "GET", "POST"}
# Keys on the keyboard, in Django's Chinese hint "按住 Control 键，或者 Mac 上的 Command 键…".
ALLOWED |= {"Control", "Command", "Mac"}
# Records django-axes writes (data, not the admin's words): "<unknown>" for a missing header, and
# its log entries' names ("Access Log for root @ …"), which it does not translate.
AXES_RECORD_NAME = re.compile(r"Access Log for \S+")
ALLOWED |= {"unknown"}
ALLOWED |= {"SHA"}  # the checksum's name (SHA-256), as every office tool writes it


def visible_text(html: str) -> str:
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    html = re.sub(r"(?s)<!--.*?-->", " ", html)
    html = re.sub(r"(?s)<[^>]+>", " ", html)
    return re.sub(r"&[a-z#0-9]+;", " ", html)


def english_words(html: str, allowed: set[str]) -> list[str]:
    text = AXES_RECORD_NAME.sub(" ", visible_text(html))
    return sorted({m for m in ENGLISH.findall(text) if m not in ALLOWED | allowed})


def admin_pages(user):
    for model, model_admin in admin.site._registry.items():
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        yield f"admin:{info}_changelist", reverse(f"admin:{info}_changelist")
        yield f"admin:{info}_add", reverse(f"admin:{info}_add")
        obj = model_admin.get_queryset(type("R", (), {"user": user})()).order_by("pk").first()
        if obj is not None:
            yield f"admin:{info}_change", reverse(f"admin:{info}_change", args=[obj.pk])
            if model is User:  # Django names the user admin's password page after auth's user
                name = "admin:auth_user_password_change"
                yield name, reverse(name, args=[obj.pk])


@pytest.mark.parametrize("persona", ["superuser", "hunan_admin"])
def test_no_english_on_any_admin_page(persona, world, people, login):  # noqa: F811
    user = people[persona]
    client = login(user)
    client.raise_request_exception = False  # read-only models refuse their add page (403)
    # The world's own data in Latin letters (usernames, codes) is what users typed, not the admin's.
    typed = [*User.objects.values_list("username", flat=True)]
    typed += Indicator.objects.values_list("code", flat=True)
    typed += CalendarFeed.objects.values_list("token", flat=True)
    # An evidence file's name, checksum and MIME type are the file's data, not the admin's words.
    for values in Attachment.objects.values_list("original_name", "sha256", "content_type"):
        typed += values
    allowed = {word for text in typed for word in re.findall(r"[A-Za-z]+", text)}
    found = {}
    for name, url in [("admin:index", reverse("admin:index")), *admin_pages(user)]:
        response = client.get(url)
        if response.status_code != 200:
            continue
        words = english_words(response.content.decode(), allowed)
        if words:
            found[name] = words
    assert found == {}


def page_text(response) -> str:
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", visible_text(response.content.decode()))


def test_the_brand_is_the_system_name(people, login, client):
    # The login page too: Django's LoginView puts the host name in its own "site_name".
    login_page = client.get(reverse("login")).content.decode()
    assert re.search(r"<h1[^>]*>妇联工作管理系统</h1>", login_page)
    assert "<title>登录 · 妇联工作管理系统</title>" in login_page
    client = login(people["hunan_admin"])
    admin_index = page_text(client.get(reverse("admin:index")))
    assert "妇联工作管理系统" in admin_index and "fedwork" not in admin_index
    home = client.get(reverse("home")).content.decode()
    title = re.search(r"<title>(.*?)</title>", home, re.S).group(1)
    assert "妇联工作管理系统" in title and "fedwork" not in title


def test_the_user_form_shows_no_password_hash_internals(people, login):
    client = login(people["superuser"])
    member = people["furong_staff"]
    text = page_text(client.get(reverse("admin:fedwork_user_change", args=[member.pk])))
    assert "已设置密码" in text and "重新设置密码" in text
    for internal in ("md5", "pbkdf2", "算法", "迭代", "盐", "哈希", member.password[-8:]):
        assert internal not in text, internal
    assert "停用后不能登录" in text  # is_active's help, in Chinese words


def test_the_password_page_has_no_ldap_and_sets_the_password(people, login):
    client = login(people["hunan_admin"])
    member = people["furong_staff"]
    url = reverse("admin:auth_user_password_change", args=[member.pk])
    text = page_text(client.get(url))
    assert "LDAP" not in text and "单点登录" not in text and "基于密码的" not in text
    assert "密码至少要8个字符。" in text and "你的密码" not in text
    response = client.post(url, {"password1": "Hn-2026-fulian", "password2": "Hn-2026-fulian"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("Hn-2026-fulian")


def test_the_password_page_refuses_an_empty_password(people, login):
    client = login(people["hunan_admin"])
    member = people["furong_staff"]
    before = member.password
    response = client.post(reverse("admin:auth_user_password_change", args=[member.pk]), {})
    assert response.status_code == 200
    assert "此项必填。" in page_text(response)
    member.refresh_from_db()
    assert member.password == before


def test_the_federation_form_hides_path_and_depth(people, login, tree):
    client = login(people["superuser"])
    text = page_text(client.get(reverse("admin:fedwork_federation_change", args=[tree["changsha"].pk])))
    assert "长沙市" in text
    assert "路径" not in text and "深度" not in text


def test_plans_are_named_with_their_year_and_federation(world, people, login):  # noqa: F811
    plan = world["in"]["plan"]
    assert str(plan) == f"2013年 {plan.federation.display_name}：{plan.title}"
    client = login(people["hunan_admin"])
    text = page_text(client.get(reverse("admin:plans_target_changelist")))
    assert f"2013年 {plan.federation.display_name}" in text


def test_permissions_are_named_in_chinese(people, login):
    client = login(people["superuser"])
    text = page_text(client.get(reverse("admin:auth_group_add")))
    assert "活动 | 添加" in text or "| 活动 | 添加" in text
    assert "Can add" not in text and "historical" not in text
