"""Browser fixtures: Debian's Chromium driven by Playwright's sync API, never a download.

The live server runs in a thread of the test process against the test database. Live-server
tests are transactional: the database is flushed after each one, so every browser test
loads the demo data itself (`seeded` below) instead of relying on the session seed.
"""

import io
import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test.utils import override_settings

# Playwright's sync API runs an asyncio event loop in the test thread; without this Django
# refuses ORM calls made from the test (SynchronousOnlyOperation).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Screenshots go outside the repository.
SCREENSHOT_DIR = Path(os.environ.get("EDC_SCREENSHOT_DIR", "/tmp/shots"))  # noqa: S108


def chromium_path() -> str:
    """Debian's chromium; a missing browser fails the test run, it does not skip it."""
    path = shutil.which("chromium") or (
        "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None
    )
    if path is None:
        pytest.fail(
            "Browser tests need Debian's chromium (not found on PATH nor at /usr/bin/chromium): "
            "run 'sudo apt-get install -y chromium' (or 'make test' as root).",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def _plain_http_server():
    """The live server speaks plain HTTP: no redirect to HTTPS.

    SecurityMiddleware reads SECURE_SSL_REDIRECT once, when the server thread builds its
    middleware, so the function-scoped `settings` override in tests/conftest.py comes too
    late for the session-scoped live server: override it before the server starts.
    """
    with override_settings(SECURE_SSL_REDIRECT=False):
        yield


@pytest.fixture(scope="session")
def live_server(_plain_http_server, live_server):
    return live_server


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) per test, its base URL the live server.

    A script or style the Content Security Policy blocks (an inline one) fails the test:
    Chromium reports each refusal on the console."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    page = context.new_page()
    refused = []
    page.on(
        "console",
        lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    yield page
    context.close()
    assert not refused, f"the Content Security Policy refused: {refused}"


@pytest.fixture
def seeded(transactional_db):
    """The demo trials, sites, users and participants, loaded in this test's database."""
    call_command("seed_demo", force=True, stdout=io.StringIO())


@pytest.fixture
def screenshot():
    """Save a full-page PNG of `page` as <SCREENSHOT_DIR>/<name>.png."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOT_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def login(page):
    """Log in through the real login form; returns the page, on the page after login."""

    def do_login(username: str, password: str = "lserine-demo-2026"):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        return page

    return do_login
