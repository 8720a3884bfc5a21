"""What the pages draw in a real browser on the bundled data."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.e2e.conftest import new_page
from tests.e2e.server import expected_charts, page_url, wait_for_charts

pytestmark = pytest.mark.browser

TRACES = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(d => ({
  title: (d.layout.title || {}).text || '',
  traces: d._fullData.map(t => ({name: t.name, n: Array.from(t.y || []).filter(v => v !== null && !Number.isNaN(v)).length}))}))"""


def test_frontier_chart_renders_real_points(browser: Browser, server: str, e2e_data: Path) -> None:
    """'Qwen against the frontier on LM Arena' is drawn with Qwen's and the rival's history."""
    page = new_page(browser)
    page.goto(page_url(server, "spending"))
    wait_for_charts(page, expected_charts(e2e_data)["spending"])
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.js-plotly-plot')).some("
        "d => (((d.layout || {}).title || {}).text || '').includes('against the frontier'))",
        timeout=60_000,
    )
    charts = page.evaluate(TRACES)
    titles = [c["title"] for c in charts]
    frontier = next((c for c in charts if "against the frontier" in c["title"]), None)
    assert frontier is not None, titles
    counts = {t["name"]: t["n"] for t in frontier["traces"]}
    assert counts["Qwen's best model"] >= 50
    assert counts["Best rival model (any other lab)"] == counts["Qwen's best model"]
    # the drawn SVG has a path per line, not an empty plot
    assert page.locator(".js-plotly-plot .scatterlayer path.js-line").count() >= 2


def test_market_page_draws_offline(browser: Browser, server: str, e2e_data: Path) -> None:
    """The Market page draws its two charts and the event table from the bundled closes."""
    page = new_page(browser)
    page.goto(page_url(server, "market"))
    wait_for_charts(page, expected_charts(e2e_data)["market"])
    charts = page.evaluate(TRACES)
    prices = {t["name"]: t["n"] for t in charts[0]["traces"]}
    assert prices["BABA"] > 500 and prices["9988.HK"] > 500
    page.get_by_text("Returns around each event").wait_for()


def test_pledge_burndown_and_kpi_strip_follow_the_link(
    browser: Browser, server: str, e2e_data: Path
) -> None:
    """A link in US$ from FY2025Q1 draws the burn-down in US$ with its statements and the KPI
    strip from FY2025Q1 on, each quarter a link to its release; the URL keeps the view."""
    page = new_page(browser)
    page.goto(page_url(server, "spending") + "?ccy=USD&from=FY2025Q1")
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.js-plotly-plot')).some("
        "d => (((d.layout || {}).title || {}).text || '').replace(/<br>/g, ' ')"
        ".includes('KPI strip'))",
        timeout=90_000,
    )
    # Titles wrap at the chart's width: compare them with the line breaks as spaces.
    charts = [{**c, "title": c["title"].replace("<br>", " ")} for c in page.evaluate(TRACES)]
    titles = [c["title"] for c in charts]
    burn = next((c for c in charts if "Pledge burn-down" in c["title"]), None)
    assert burn is not None, titles
    assert "US$" in burn["title"]
    names = {t["name"]: t["n"] for t in burn["traces"]}
    assert names["Capex since the pledge, cumulative"] >= 5
    assert names["Statements (the company)"] >= 3
    assert names["Statements (reported by others)"] >= 1  # the reported RMB 480 bn
    strip = page.evaluate(
        """() => { const d = Array.from(document.querySelectorAll('.js-plotly-plot'))
             .find(d => ((d.layout.title || {}).text || '').replace(/<br>/g, ' ')
               .includes('KPI strip'));
           return {x: Array.from(d._fullData[0].x), links: Array.from(
             d.querySelectorAll('.xtick a')).map(a => a.getAttribute('href')
             || a.getAttributeNS('http://www.w3.org/1999/xlink', 'href'))}; }"""
    )
    assert strip["x"][0] == "FY2025Q1"
    assert len(strip["links"]) == len(strip["x"])
    assert all(h.startswith("https://") for h in strip["links"])
    assert "ccy=USD" in page.url and "from=FY2025Q1" in page.url


#: The drawn x axes of the first chart: plotly's own axis type and the tick labels on screen.
X_AXES = """() => {
  const d = document.querySelectorAll('.js-plotly-plot')[0];
  const axes = Object.keys(d._fullLayout).filter(k => /^xaxis\\d*$/.test(k)).map(k => d._fullLayout[k]);
  return {types: axes.map(a => a.type),
          ticks: Array.from(d.querySelectorAll('.xaxislayer-above text')).map(t => t.textContent)};
}"""


def test_spending_axis_reads_dates_when_a_series_is_empty(browser: Browser, server: str) -> None:
    """FY2026Q4-FY2027Q1 holds no 30-day download figure: a note, and the x axis still reads dates."""
    page = new_page(browser)
    page.goto(f"{page_url(server, 'spending')}?from=FY2026Q4&to=FY2027Q1")
    wait_for_charts(page, 1)
    page.get_by_text("Hugging Face downloads, last 30 days: nothing in this date range").wait_for()
    page.wait_for_function(
        "() => document.querySelectorAll('.js-plotly-plot')[0].querySelectorAll('.xaxislayer-above text').length > 0",
        timeout=60_000,
    )
    axes = page.evaluate(X_AXES)
    assert axes["types"] and set(axes["types"]) == {"date"}, axes
    years = [t for t in axes["ticks"] if t.strip()]
    assert years and all(("2026" in t) or t[:3].isalpha() for t in years), years
    assert not any(t.strip().lstrip("−-").isdigit() and len(t.strip()) <= 2 for t in years), years


def test_adoption_table_fits_a_phone(browser: Browser, server: str, e2e_data: Path) -> None:
    """At 390 px wide the Overview's adoption table stays within the screen: no cell is cut."""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(page_url(server, "overview"))
    wait_for_charts(page, expected_charts(e2e_data)["overview"])
    page.get_by_text("Adoption: latest figures").wait_for()
    widths = page.evaluate(
        "() => Array.from(document.querySelectorAll('[data-testid=stMain] table'))"
        ".map(t => [t.getBoundingClientRect().right, t.rows.length])"
    )
    assert widths and all(rows >= 6 for _right, rows in widths), widths
    assert all(right <= 390 for right, _rows in widths), widths
    page.close()
