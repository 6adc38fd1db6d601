"""Login throttling behind the reverse proxy (issue #13, finding 11).

Every request reaches the app from the proxy (127.0.0.1 here, trusted through TRUSTED_PROXIES);
X-Forwarded-For names the client. Locking one account from one client must not lock it for the
others; one client trying many accounts is locked by address; and a forwarded-for header from an
address that is not a trusted proxy changes nothing.
"""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from fedwork.client_ip import client_ip
from tests.factories import PASSWORD

PROXY = "127.0.0.1"
CLIENT_A, CLIENT_B = "203.0.113.10", "203.0.113.20"
LOCKED = 429  # django-axes' lockout status


@pytest.fixture(autouse=True)
def behind_the_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    settings.FEDWORK_LOGIN_LIMIT_PER_ACCOUNT = 5
    settings.FEDWORK_LOGIN_LIMIT_PER_ADDRESS = 12


def _login(client, username, password, *, remote=PROXY, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    client.logout()
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_a_locked_account_is_locked_for_its_client_only(client, people):
    statuses = [_login(client, "hunan-admin", "wrong", forwarded=CLIENT_A).status_code for _ in range(5)]
    assert statuses == [200] * 4 + [LOCKED]  # the fifth failure locks
    assert _login(client, "hunan-admin", PASSWORD, forwarded=CLIENT_A).status_code == LOCKED
    response = _login(client, "hunan-admin", PASSWORD, forwarded=CLIENT_B)
    assert response.status_code == 302, response.status_code


def test_one_password_across_many_accounts_locks_the_address(client, people):
    statuses = [_login(client, f"user-{n}", "123456", forwarded=CLIENT_A).status_code for n in range(12)]
    assert statuses == [200] * 11 + [LOCKED]
    # Each account failed once only; the address is locked, for every account, from that client only.
    assert _login(client, "furong-staff", PASSWORD, forwarded=CLIENT_A).status_code == LOCKED
    assert _login(client, "furong-staff", PASSWORD, forwarded=CLIENT_B).status_code == 302


def test_a_few_failures_over_accounts_do_not_lock_the_address(client, people):
    for number in range(6):
        _login(client, f"user-{number}", "123456", forwarded=CLIENT_A)
    assert _login(client, "furong-staff", PASSWORD, forwarded=CLIENT_A).status_code == 302


def test_an_untrusted_address_cannot_choose_its_address(client, people):
    attacker = "198.51.100.7"
    for number in range(5):
        _login(client, "hunan-admin", "wrong", remote=attacker, forwarded=f"192.0.2.{number}")
    # The header was ignored: all five counted against the attacker's own address ...
    assert (
        _login(client, "hunan-admin", PASSWORD, remote=attacker, forwarded="192.0.2.99").status_code == LOCKED
    )
    # ... and none against the addresses it named.
    assert _login(client, "hunan-admin", PASSWORD, forwarded="192.0.2.1").status_code == 302


@pytest.mark.parametrize(
    ("remote", "headers", "expected"),
    [
        (PROXY, {"HTTP_X_FORWARDED_FOR": CLIENT_A}, CLIENT_A),
        # The client's own X-Forwarded-For is to the left of what the proxy appended.
        (PROXY, {"HTTP_X_FORWARDED_FOR": f"1.2.3.4, {CLIENT_A}"}, CLIENT_A),
        (PROXY, {"HTTP_X_FORWARDED_FOR": f"{CLIENT_A}, {PROXY}"}, CLIENT_A),
        (PROXY, {"HTTP_X_REAL_IP": CLIENT_B}, CLIENT_B),
        (PROXY, {"HTTP_X_FORWARDED_FOR": "junk"}, PROXY),
        (PROXY, {}, PROXY),
        (CLIENT_B, {"HTTP_X_FORWARDED_FOR": CLIENT_A, "HTTP_X_REAL_IP": CLIENT_A}, CLIENT_B),
    ],
)
def test_client_ip(remote, headers, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=remote, **headers)
    assert client_ip(request) == expected


def test_no_trusted_proxy_means_remote_addr(settings):
    settings.TRUSTED_PROXIES = []
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT_A)
    assert client_ip(request) == PROXY


def test_trusted_proxies_may_be_networks(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR=CLIENT_A)
    assert client_ip(request) == CLIENT_A
