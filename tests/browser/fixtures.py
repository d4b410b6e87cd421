"""Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server.

Reuse them for any page: `page` (a desktop-sized tab that records console
errors), `phone_tab` (the same at a phone's width), `new_tab()` (a tab of one's
own for each person a test follows), `portal_data` (the strategy
and the demo data loaded), `sign_in(page, user)`, and `look_at(page, name)`
which checks a page the way every browser test should: no console error,
no serious or critical axe-core violation, and a screenshot for reviewers.
"""

import os
from dataclasses import dataclass, field

import pytest
from django.core.cache import cache

from tests import snapshots
from tests.services import CHROMIUM, ROOT, need_browser

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--disable-gpu"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
BLOCKING_IMPACTS = {"serious", "critical"}


@dataclass
class Tab:
    """A browser tab and what went wrong in it."""

    page: object
    console_errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def browser():
    need_browser()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM would refuse to run beside it.
    # Only while the browser runs: a deployment check started by another test must not inherit it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def _open(browser, live_server, viewport) -> tuple:
    context = browser.new_context(viewport=viewport, base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(15_000)
    # A page load waits for the server and every stylesheet and script: on two cores shared by the suite's parallel
    # processes, their browsers and live servers, a 0.7 s form once took over 15 s, so a load gets twice a click's time.
    context.set_default_navigation_timeout(30_000)
    page = context.new_page()
    tab = Tab(page)
    page.on("console", lambda message: tab.console_errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: tab.console_errors.append(str(error)))
    return context, tab


@pytest.fixture
def tab(browser, live_server):
    context, tab = _open(browser, live_server, DESKTOP)
    yield tab
    context.close()


@pytest.fixture
def page(tab):
    """A desktop-sized tab on the live server; `tab.console_errors` collects what went wrong."""
    return tab.page


@pytest.fixture
def new_tab(browser, live_server):
    """Opens a tab in a browser context of its own, one per person a test follows: each keeps its own session."""
    contexts = []

    def open_tab(viewport=DESKTOP) -> Tab:
        context, tab = _open(browser, live_server, viewport)
        contexts.append(context)
        return tab

    yield open_tab
    for context in contexts:
        context.close()


@pytest.fixture
def phone_tab(browser, live_server):
    context, tab = _open(browser, live_server, PHONE)
    yield tab
    context.close()


def build_portal() -> None:
    from asem_portal.content import load_strategy
    from asem_portal.demo import load_demo
    from objectives.services import refresh_computed_indicators

    load_strategy()
    load_demo()
    refresh_computed_indicators()


@pytest.fixture(scope="session")
def portal_snapshot(django_db_setup, django_db_blocker):
    """The portal built once per test process, with what its commits start (refreshes, totals) done too."""
    cache.clear()
    with django_db_blocker.unblock():
        snapshot = snapshots.take(build_portal, commit=True)
    cache.clear()
    return snapshot


@pytest.fixture
def portal_data(transactional_db, portal_snapshot):
    """The portal a newcomer runs: the strategy, its partners and record, and the demo data."""
    if portal_snapshot.fits():
        portal_snapshot.restore()
    else:
        build_portal()
    cache.clear()


def sign_in(page, user, password: str = PASSWORD) -> None:
    """Sign in through the portal's sign-in page, as a person would.

    Not the admin's login form: that one refuses every account without staff rights, so a focal point "signed in"
    there stays anonymous and each workspace page checked after it is the sign-in page instead.
    """
    page.goto("/accounts/sign-in/?next=" + ("/admin/" if user.is_staff else "/workspace/"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def axe_violations(page) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]


def describe(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[node['target'] for node in v['nodes']][:5]}" for v in violations
    )


def look_at(tab: Tab, name: str) -> None:
    """Screenshot the page for reviewers, then fail on console errors or serious accessibility violations."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    assert tab.console_errors == [], f"{name}: console errors {tab.console_errors}"
    violations = axe_violations(tab.page)
    assert violations == [], f"{name}: axe-core found\n{describe(violations)}"
