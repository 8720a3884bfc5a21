"""Hover in a real browser: the pointer inside a bar names that bar, not a nearby line's marker."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.e2e.conftest import new_page
from tests.e2e.server import expected_charts, page_url, wait_for_charts

pytestmark = pytest.mark.browser

#: Per capex bar of the Overview's headline chart: where to point (8 px inside the bar's top)
#: and how far the nearest marker of another trace is from there, in screen pixels.
PROBES = """() => {
  const gd = document.querySelectorAll('.js-plotly-plot')[0], fl = gd._fullLayout;
  const r = gd.getBoundingClientRect(), xa = fl.xaxis, ya = fl.yaxis;
  const px = (t, k) => [r.left + xa._offset + xa.d2p(t.x[k]), r.top + ya._offset + ya.d2p(t.y[k])];
  const bars = gd._fullData.find(t => t.name === 'Capex');
  const others = gd._fullData.filter(t => t.type === 'scatter' && t.visible !== false);
  const out = [];
  for (let k = 0; k < bars.x.length; k++) {
    const [x, top] = px(bars, k), [, base] = [0, r.top + ya._offset + ya.d2p(0)];
    if (base - top < 30) continue;  // too small a bar to point inside
    const y = top + 8;
    let nearest = Infinity;
    for (const t of others) for (let j = 0; j < t.x.length; j++) {
      if (t.y[j] === null || Number.isNaN(t.y[j])) continue;
      const [ox, oy] = px(t, j);
      nearest = Math.min(nearest, Math.hypot(ox - x, oy - y));
    }
    out.push({x, y, nearest, label: bars.customdata[k][0]});
  }
  return out;
}"""


def test_pointer_inside_a_bar_names_the_bar(browser: Browser, server: str, e2e_data: Path) -> None:
    """Where a line's marker is near (8-19 px, inside plotly's default reach), the bar still wins."""
    page = new_page(browser)
    page.goto(page_url(server, "overview"))
    wait_for_charts(page, expected_charts(e2e_data)["overview"])
    page.wait_for_timeout(1000)
    probes = [p for p in page.evaluate(PROBES) if 8 <= p["nearest"] < 20]
    assert probes, "no bar with another trace's marker close by: the check would prove nothing"
    for p in probes:
        page.mouse.move(p["x"], p["y"])
        label = page.locator(".hoverlayer .hovertext").first
        label.wait_for(state="attached", timeout=10_000)
        text = label.text_content() or ""
        assert text.startswith(f"{p['label']}Capex:"), (p, text)
        page.mouse.move(1, 1)
