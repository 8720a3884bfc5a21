"""The snapshot download in a real browser: a vintage gone since the page opened is an error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from etl.store import Store
from tests.e2e.conftest import new_page
from tests.e2e.server import built_data_dir, serve, wait_for_charts

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def own_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory of this module's own: the test removes a vintage file from it."""
    return built_data_dir(tmp_path_factory.mktemp("snapdl"))


@pytest.fixture(scope="module")
def own_server(own_data: Path) -> Iterator[str]:
    with serve(own_data) as base:
        yield base


def test_download_of_a_vanished_vintage_says_so(
    browser: Browser, own_server: str, own_data: Path
) -> None:
    """Remove the vintage after the page opened, click Download: an error names the vintage."""
    store = Store(own_data / "store")
    vintage = str(store.current_id())
    page = new_page(browser)
    page.goto(f"{own_server}/?vintage={vintage}")
    wait_for_charts(page, 1)
    page.get_by_text("Share this view").click()
    button = page.get_by_role("button", name="Download snapshot (.zip)")
    button.wait_for()
    path = store.vintages_dir / f"{vintage}.duckdb"
    aside = path.with_name("aside.bin")
    path.rename(aside)
    try:
        button.click()
        error = page.get_by_text("could not be built")
        error.first.wait_for(timeout=30_000)
        assert vintage in error.first.inner_text()
    finally:
        aside.rename(path)
