"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser)."""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's async-safety check
# would otherwise refuse the ORM calls the tests make between page actions.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(
                f"Chromium not found at {CHROMIUM}; CI must install it (apt-get install chromium)."
            )
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def artifacts() -> Path:
    """Where screenshots go: test-artifacts/ at the top of the checkout (kept by CI)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def screenshot(artifacts):
    """Full-page screenshot after lazy images below the fold have loaded."""

    def take(page, name: str) -> Path:
        page.evaluate(
            """async () => {
                for (let y = 0; y < document.body.scrollHeight; y += window.innerHeight) {
                    window.scrollTo(0, y);
                    await new Promise(r => setTimeout(r, 50));
                }
                window.scrollTo(0, 0);
                await Promise.all([...document.images].map(img => img.complete ? null :
                    new Promise(r => { img.onload = img.onerror = r; })));
            }"""
        )
        path = artifacts / name
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def signed_in(browser, live_server):
    """`signed_in(user)` → a new page logged in as `user` (a session cookie, no login form)."""
    from django.conf import settings
    from django.test import Client

    contexts = []

    def open_page(user, viewport=None):
        client = Client()
        client.force_login(user)
        context = browser.new_context(viewport=viewport or {"width": 1366, "height": 1000})
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def axe():
    """axe-core as shipped inside axe-playwright-python: nothing is fetched at test time."""
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def audit(axe):
    """`audit(page)` → the axe-core violations on `page` that fail the build, as readable lines.

    Serious and critical ones always fail; moderate and minor ones fail unless
    `a11y_allowlist.ALLOWLIST` excuses that rule on that element, with a reason.
    """
    from urllib.parse import urlsplit

    from .a11y_allowlist import is_allowed

    def run(page) -> list[str]:
        # Two frames: scripts that finish the page on the next frame (admin_labels.js) have run.
        page.evaluate(
            "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )
        failing = []
        for violation in axe.run(page).response["violations"]:
            targets = [
                " ".join(map(str, node["target"]))
                for node in violation["nodes"]
                if not is_allowed(violation, node, urlsplit(page.url).path)
            ]
            if targets:
                failing.append(
                    f"{violation['id']} ({violation['impact']}): {'; '.join(targets[:6])}"
                    f" [{len(targets)} element(s)] {violation['help']}"
                )
        return failing

    return run
