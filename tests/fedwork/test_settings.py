"""Production settings: loud when a secret is missing, clean under `check --deploy`."""

import os
import subprocess
import sys

from django.conf import settings
from django.urls import reverse


def manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_in_production():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="False",
        SECRET_KEY="x" * 20 + "-a-real-production-secret-Kq8#vL2@pZ",
        ALLOWED_HOSTS="fedwork.example.org",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_without_a_secret_key_fails_loudly():
    result = manage("check", DEBUG="False")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_locale_and_time_zone():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_I18N and settings.USE_TZ


def test_an_english_browser_still_gets_chinese_messages(client):
    """No English catalogue yet: every message, Django's own included, stays Chinese."""
    response = client.post(
        reverse("login"), {"username": "", "password": ""}, HTTP_ACCEPT_LANGUAGE="en-US,en"
    )
    html = response.content.decode()
    assert "此项必填。" in html
    assert "This field is required." not in html
