"""Offline first: loading any page asks nothing of any host but the app itself."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Request

from dashboard import pages
from tests.e2e.conftest import new_page
from tests.e2e.server import expected_charts, page_url, wait_for_charts

pytestmark = pytest.mark.browser

#: Schemes the browser resolves in memory, never on the network.
LOCAL_SCHEMES = {"data", "blob", "about"}


def test_no_page_requests_another_host(browser: Browser, server: str, e2e_data: Path) -> None:
    """Every page, fully drawn, requested only the app's own origin (favicon and assets too)."""
    own = urlsplit(server).netloc
    charts = expected_charts(e2e_data)
    page = new_page(browser)
    seen: list[str] = []
    outside: list[str] = []

    def record(request: Request) -> None:
        seen.append(request.url)
        parts = urlsplit(request.url)
        if parts.scheme not in LOCAL_SCHEMES and parts.netloc != own:
            outside.append(request.url)

    page.on("request", record)
    for p in pages.PAGES:
        page.goto(page_url(server, p.key))
        if charts[p.key]:
            wait_for_charts(page, charts[p.key])
        # The favicon is set by the script's first message, long before the charts are drawn.
        page.locator("link[rel~=icon]").first.wait_for(state="attached")
    # The check must have watched real traffic: the app's own page, scripts and websocket.
    assert any(urlsplit(u).netloc == own for u in seen)
    assert outside == [], sorted(set(outside))[:20]
