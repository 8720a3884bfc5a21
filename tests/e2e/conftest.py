"""Browser fixtures: a built store, the dashboard on loopback, Debian's chromium via Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.e2e.server import CHROMIUM_ARGS, built_data_dir, chromium_path, serve

REPO = Path(__file__).resolve().parents[2]

# Every test here drives a real browser; CI installs Debian's chromium and a missing one fails.
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def e2e_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory copied from data/ with a built vintage."""
    return built_data_dir(tmp_path_factory.mktemp("e2e"))


@pytest.fixture(scope="module")
def server(e2e_data: Path) -> Iterator[str]:
    """The dashboard's base URL."""
    with serve(e2e_data) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Debian chromium (never `playwright install`)."""
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield b
        b.close()


def new_page(browser: Browser) -> Page:
    """A page in a fresh browser context (no shared cookies or storage)."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1400})
    return ctx.new_page()
