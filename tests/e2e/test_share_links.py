"""Share links in a real browser: a URL reproduces the view, and stays pinned to its vintage."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
from playwright.sync_api import Browser, Page

from dashboard import pages, snapshot
from dashboard.common import params
from etl import pipeline
from etl.store import Store
from tests.e2e.conftest import new_page
from tests.e2e.server import expected_charts, wait_for_charts

pytestmark = pytest.mark.browser

CHART_DATA = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(
  d => d._fullData.filter(t => t.visible !== false).map(
    t => ({name: t.name, x: Array.from(t.x || []).map(String), y: Array.from(t.y || [])})))"""

# Per page: the query that opens it with non-default state, and one control to change by hand.
SCENARIOS = {
    "": ({"basis": "calendar"}, "US$ (release rate)"),
    "spending": ({"capex": "cumulative", "lag": "1"}, "Indexed (=100)"),
    "profitability": ({"ccy": "USD"}, "Calendar"),
    "sources": ({"q": "capex"}, "US$ (quarter avg)"),
    "market": ({"win": "20"}, "Calendar"),
    "peers": ({"view": "index"}, "US$ bn"),
}


def _open(page: Page, url: str, charts: int) -> None:
    page.goto(url)
    if charts:
        wait_for_charts(page, charts)
    else:
        page.get_by_text("AI investment impact").first.wait_for()
    page.locator("[role=radio][aria-checked=true]").nth(1).wait_for()  # the sidebar controls
    page.wait_for_timeout(1200)


def _clean(charts: list[list[dict[str, Any]]]) -> list[list[dict[str, Any]]]:
    """NaN never equals NaN; compare missing values as None."""
    return [
        [{**t, "y": [None if isinstance(v, float) and v != v else v for v in t["y"]]} for t in fig]
        for fig in charts
    ]


def _state(page: Page) -> dict[str, Any]:
    checked = page.evaluate(
        "() => Array.from(document.querySelectorAll('[role=radio][aria-checked=true]')).map(e => e.innerText)"
    )
    return {
        "query": parse_qs(urlsplit(page.url).query),
        "checked": sorted(checked),
        "charts": page.evaluate(CHART_DATA),
    }


@pytest.mark.parametrize("path", list(SCENARIOS), ids=[p or "overview" for p in SCENARIOS])
def test_link_reproduces_the_view(browser: Browser, server: str, path: str, e2e_data: Path) -> None:
    """Set controls, take the URL, open it in a fresh context: same controls, same chart data."""
    query, control = SCENARIOS[path]
    charts = expected_charts(e2e_data)[path or "overview"]
    page = new_page(browser)
    _open(page, f"{server}/{path}?" + "&".join(f"{k}={v}" for k, v in query.items()), charts)
    url0, charts0 = page.url, _clean(page.evaluate(CHART_DATA))
    page.get_by_role("radio", name=control).click()
    page.wait_for_function("u => location.href !== u", arg=url0, timeout=30_000)
    for _ in range(60):  # wait for the rerun to redraw the charts
        if not charts or _clean(page.evaluate(CHART_DATA)) != charts0:
            break
        page.wait_for_timeout(500)
    page.wait_for_timeout(1500)
    before = _state(page)
    assert "vintage" in before["query"]
    assert control in before["checked"]
    other = new_page(browser)
    _open(other, page.url, charts)
    after = _state(other)
    assert after["query"] == before["query"]
    assert after["checked"] == before["checked"]
    assert after["charts"] == before["charts"]
    page.context.close()
    other.context.close()


def _revenue_point(page: Page, period: str) -> float:
    charts = page.evaluate(CHART_DATA)
    ebita = next(t for t in charts[0] if t["name"] == "Adjusted EBITA")
    return float(ebita["y"][[x[:10] for x in ebita["x"]].index(period)])


def test_pinned_link_survives_a_newer_vintage(
    browser: Browser, server: str, e2e_data: Path
) -> None:
    """After a publish, the old link shows the old figure with a notice; a plain link the new one."""
    page = new_page(browser)
    _open(page, f"{server}/", 1)
    pinned = page.url
    old_vintage = parse_qs(urlsplit(pinned).query)["vintage"][0]
    old = _revenue_point(page, "2026-03-31")
    path = e2e_data / "financials" / "alibaba_quarterly.csv"
    text = path.read_text(encoding="utf-8")
    needle = f",adjusted_ebita,FY2026Q4,2026-03-31,{old:.0f},"
    assert needle in text
    path.write_text(
        text.replace(needle, f",adjusted_ebita,FY2026Q4,2026-03-31,{old + 1:.0f},"),
        encoding="utf-8",
    )
    try:
        new_vintage = pipeline.run(e2e_data, progress=lambda _m: None).vintage
        assert new_vintage != old_vintage
        again = new_page(browser)
        _open(again, pinned, 1)
        assert _revenue_point(again, "2026-03-31") == old
        again.get_by_text("Newer data exist").first.wait_for()
        assert new_vintage in again.content()
        fresh = new_page(browser)
        _open(fresh, f"{server}/", 1)
        assert _revenue_point(fresh, "2026-03-31") == old + 1
        assert parse_qs(urlsplit(fresh.url).query)["vintage"] == [new_vintage]
    finally:
        path.write_text(text, encoding="utf-8")
        pipeline.run(e2e_data, progress=lambda _m: None)


def test_unknown_vintage_link_offers_current_data(browser: Browser, server: str) -> None:
    """A link to a vintage that does not exist explains itself and shows the current data."""
    page = new_page(browser)
    _open(page, f"{server}/?vintage=v0123456789ab", 1)
    page.get_by_text("not published here").first.wait_for()
    assert parse_qs(urlsplit(page.url).query)["vintage"] != ["v0123456789ab"]


def test_snapshot_opens_offline_and_its_csv_is_the_view(
    browser: Browser, e2e_data: Path, tmp_path: Path
) -> None:
    """The snapshot HTML shows its charts with the network off; its CSV equals the view's data."""
    vintage = Store(e2e_data / "store").current_id()
    link = f"profitability?vintage={vintage}&ccy=RMB"
    snap = snapshot.from_query(link, e2e_data)
    page_name = snap.page
    bundle = zipfile.ZipFile(io.BytesIO(snap.data))
    assert sorted(bundle.namelist()) == ["CITATION.txt", "data.csv", "metadata.json", "view.html"]
    html_path = tmp_path / "view.html"
    html_path.write_bytes(bundle.read("view.html"))
    ctx = browser.new_context(offline=True)
    page = ctx.new_page()
    page.goto(html_path.as_uri())
    wait_for_charts(page, 4, timeout_ms=30_000)
    assert page.locator(".js-plotly-plot").count() == 4
    ctx.close()
    state = params.parse({"vintage": vintage, "ccy": "RMB"})
    tables = Store(e2e_data / "store").read_all(vintage)
    expected = pages.build(page_name, tables, state).data
    got = pd.read_csv(io.BytesIO(bundle.read("data.csv")))
    assert len(got) == len(expected) > 0
    assert got["value"].round(6).tolist() == pd.to_numeric(expected["value"]).round(6).tolist()
    meta = json.loads(bundle.read("metadata.json"))
    assert meta["vintage"] == vintage and "free_cash_flow" in meta["definitions"]
    assert vintage in bundle.read("CITATION.txt").decode()
