"""A real browser for the back office: Playwright driving Debian's Chromium, headless.

Playwright's own browser download does not work here, so the system Chromium
(`apt-get install chromium`, done by `.ci/run`) is launched by path. Without it these
tests fail, saying so: they never skip.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


def chromium_or_fail(path: Path) -> Path:
    """`path` when Chromium is there; otherwise fail the test, saying how to install it."""
    if not path.exists():
        pytest.fail(
            f"Chromium not found at {path}: install it with "
            "`apt-get update && apt-get install -y chromium` (.ci/run does)."
        )
    return path


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    return chromium_or_fail(CHROMIUM)


@pytest.fixture
def browser(chromium_path: Path) -> Iterator[Any]:
    """Chromium, for one test. Playwright's sync API runs an event loop in this thread,
    so while it is open the test itself must not touch the database (Django refuses):
    request fixtures that write data before this one, and check results in the page."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium_path), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
