"""The Peers page in a real browser, on the bundled data."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.e2e.conftest import new_page
from tests.e2e.server import expected_charts, page_url, wait_for_charts
from tests.e2e.test_pages import TRACES

pytestmark = pytest.mark.browser


def test_peers_page_draws_capex_and_standing_offline(
    browser: Browser, server: str, e2e_data: Path
) -> None:
    """Trailing capex, capex intensity, then spend against standing: all with real points."""
    assert expected_charts(e2e_data)["peers"] == 4
    page = new_page(browser)
    page.goto(page_url(server, "peers"))
    wait_for_charts(page, 4, timeout_ms=120_000)
    charts = {c["title"]: {t["name"]: t["n"] for t in c["traces"]} for c in page.evaluate(TRACES)}
    ttm = next(v for k, v in charts.items() if "Capex over the trailing four quarters" in k)
    for company in ("Alibaba", "Microsoft", "Alphabet", "Amazon", "Meta"):
        assert ttm[company] >= 12, company  # 2023Q1..2026Q2 where four quarters are on file
    ratio = next(v for k, v in charts.items() if "Capex intensity" in k)
    assert ratio["Alibaba"] >= 12 and ratio["Alphabet"] >= 12  # where revenue is on file
    standing = next(v for k, v in charts.items() if "Spend against standing" in k)
    assert standing["Alibaba · qwen"] >= 8 and standing["Alphabet · google"] >= 8
    assert standing["Microsoft · openai (partner lab)"] >= 8
    months = next(v for k, v in charts.items() if "Months behind the frontier" in k)
    assert months == standing
    assert page.locator(".js-plotly-plot .scatterlayer path.js-line").count() >= 10
    page.context.close()
