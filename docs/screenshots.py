"""Take screenshots of every page, light and dark, in headless chromium: python docs/screenshots.py"""

from __future__ import annotations

import sys
import tempfile
from itertools import product
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from tests.e2e.server import (  # noqa: E402
    CHROMIUM_ARGS,
    built_data_dir,  # noqa: E402
    chromium_path,
    expected_charts,
    page_url,
    serve,
    wait_for_charts,
)

#: File suffix and viewport: a desktop (tall, to show whole pages) and a phone (390x844).
SIZES = (("", 1400, 1700), ("-phone", 390, 844))
#: Shots of a page scrolled to a chart below the first screen: (file stem, page, chart title).
#: The pledge burn-down and the KPI strip sit under the Spending page's first 1700 px.
SCROLLED = (("spending-promises", "spending", "Pledge burn-down"),)


def scrolled_shot(page: Page, base: str, name: str, title: str, out: Path) -> None:
    """Open a page, bring the chart whose title holds `title` to the top, and shoot the screen."""
    page.goto(page_url(base, name))
    chart = page.locator('[data-testid="stPlotlyChart"]').filter(has_text=title).first
    chart.wait_for()
    chart.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(1500)
    page.screenshot(path=str(out))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = built_data_dir(Path(tmp))
        with serve(data) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            for scheme, (suffix, width, height) in product(("light", "dark"), SIZES):
                ctx = browser.new_context(
                    viewport={"width": width, "height": height}, color_scheme=scheme
                )
                page = ctx.new_page()
                for name, n in expected_charts(data).items():
                    page.goto(page_url(base, name))
                    if n:
                        wait_for_charts(page, n)
                    else:
                        page.get_by_text("AI investment impact").first.wait_for()
                    page.wait_for_timeout(1500)
                    out = REPO / "docs" / f"{name}{suffix}-{scheme}.png"
                    page.screenshot(path=str(out))
                    print(out.relative_to(REPO))  # noqa: T201
                for stem, name, title in SCROLLED:
                    out = REPO / "docs" / f"{stem}{suffix}-{scheme}.png"
                    scrolled_shot(page, base, name, title, out)
                    print(out.relative_to(REPO))  # noqa: T201
                ctx.close()
            browser.close()


if __name__ == "__main__":
    main()
