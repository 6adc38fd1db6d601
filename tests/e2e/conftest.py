"""Real-browser journeys: Debian's chromium driven by Playwright against pytest-django's live server.

- ``browser`` (module scope) starts Playwright and chromium once for the journeys of a module; while it
  runs, an asyncio loop is running in the main thread, so Django's async-unsafe guard is switched off
  for exactly that time (the test's own ORM calls and the transactional flush run then too).
- ``demo`` builds the demo (``seed_demo``) in the live server's database for each journey; the
  transactional flush after each journey empties it again.
- ``phone`` / ``desktop`` open a fresh browser context (its own cookies) on the live server; a failed
  journey leaves ``screenshots/<test>-failed.png``, ``screenshot`` keeps a journey's last page.
"""

import importlib
import os
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# Generous for CI machines; a journey step on this machine takes well under a second.
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium fonts-noto-cjk)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    # Playwright's sync API keeps an event loop running in this thread; Django would otherwise refuse
    # every ORM call made from here (fixtures, assertions, the flush) as "async-unsafe".
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_api.sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _restore_migration_data():
    """Put back the rows the data migrations write (the activity types: 0002_activity_types is the
    project's only data migration).

    A transactional test ends with a flush that empties every table, the migrations' rows included:
    the journeys need them back after an earlier transactional test, and later tests after a journey.
    """
    migration = importlib.import_module("activities.migrations.0002_activity_types")
    migration.add_types(django_apps, None)


@pytest.fixture
def demo(live_server, transactional_db, browser):
    _restore_migration_data()
    call_command("seed_demo", "--force", verbosity=0)


def _new_page(browser, live_server, viewport):
    context = browser.new_context(
        base_url=live_server.url,
        viewport=viewport,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        accept_downloads=True,
        # Bootstrap then skips its transitions (the phone menu opens at once, scrolling is instant).
        reduced_motion="reduce",
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context, context.new_page()


@pytest.fixture
def desktop(request, browser, live_server, demo):
    context, page = _new_page(browser, live_server, DESKTOP)
    yield page
    _screenshot_on_failure(request, page)
    context.close()


@pytest.fixture
def phone(request, browser, live_server, demo):
    context, page = _new_page(browser, live_server, PHONE)
    yield page
    _screenshot_on_failure(request, page)
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _screenshot_on_failure(request, page):
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        try:
            save_screenshot(page, f"{request.node.name}-failed")
        except Exception:  # the page may be gone; the failure itself is what matters
            pass


@pytest.fixture
def screenshot():
    """``screenshot(page, "journey-1")`` keeps the page as tests/e2e/screenshots/journey-1.png.

    With ``focus=locator`` the shot is the screen around that element (a long page's whole length is
    no use to a person looking); without, the whole page.
    """
    return save_screenshot


def save_screenshot(page, name: str, focus=None) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    if focus is not None:
        focus.first.evaluate("element => element.scrollIntoView({block: 'center', behavior: 'instant'})")
    page.screenshot(path=str(path), full_page=focus is None)
    return path
