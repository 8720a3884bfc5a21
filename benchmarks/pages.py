"""Per page: warm server-side run time and time until every chart is visible, next to a floor.

The floor is measured in the same run: the same figures rendered from memory by a bare Streamlit
script (benchmarks/floor_app.py). Target: every page within 1.2x of its floor.
Run: python benchmarks/pages.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import pickle
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from playwright.sync_api import sync_playwright  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from dashboard import params, views  # noqa: E402
from etl.store import Store  # noqa: E402
from tests.e2e.server import (  # noqa: E402
    CHROMIUM_ARGS,
    built_data_dir,  # noqa: E402
    chromium_path,
    serve,
)

PAGES = {
    "overview": "",
    "spending": "spending",
    "profitability": "profitability",
    "market": "market",
    "sources": "sources",
}
APP_PAGES = {
    "spending": "app_pages/spending.py",
    "profitability": "app_pages/profitability.py",
    "market": "app_pages/market.py",
    "sources": "app_pages/sources.py",
}


def _floor_content(data: Path) -> dict[str, dict[str, object]]:
    store = Store(data / "store")
    vid = store.current_id()
    tables = store.read_all(vid)
    state = params.parse({"vintage": str(vid)})
    out = {}
    for page in PAGES:
        view = views.build(page, tables, state)
        out[page] = {
            "figures": [c.figure for c in view.charts],
            "table": view.data if page == "sources" else None,
        }
    return out


def _server_side(runs: int, floor_pickle: Path) -> dict[str, tuple[float, float]]:
    """Median warm AppTest run time per page: (app, floor)."""
    out = {}
    for page, _ in PAGES.items():
        app_times, floor_times = [], []
        for i in range(runs + 1):
            at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=120)
            at.run()
            if page in APP_PAGES:
                at.switch_page(APP_PAGES[page]).run()
            start = time.perf_counter()
            at.run()
            if i:
                app_times.append(time.perf_counter() - start)
            ft = AppTest.from_file(str(REPO / "benchmarks" / "floor_app.py"), default_timeout=120)
            ft.query_params["page"] = page
            ft.run()
            start = time.perf_counter()
            ft.run()
            if i:
                floor_times.append(time.perf_counter() - start)
        out[page] = (statistics.median(app_times), statistics.median(floor_times))
    return out


def _browser(data: Path, runs: int) -> dict[str, tuple[float, float]]:
    """Median time from navigation until every chart (or the table) is visible: (app, floor)."""
    expected = {p: len(c["figures"]) for p, c in _floor_content(data).items()}
    out = {}
    with (
        serve(data) as app,
        serve(data, script=REPO / "benchmarks" / "floor_app.py") as floor,
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for page, path in PAGES.items():
            times: dict[str, list[float]] = {"app": [], "floor": []}
            for i in range(runs + 1):
                for kind, url in (("app", f"{app}/{path}"), ("floor", f"{floor}/?page={page}")):
                    ctx = browser.new_context(viewport={"width": 1400, "height": 1400})
                    tab = ctx.new_page()
                    start = time.perf_counter()
                    tab.goto(url)
                    if expected[page]:
                        tab.locator(".js-plotly-plot").nth(expected[page] - 1).wait_for(
                            state="visible", timeout=90_000
                        )
                    elif page == "sources":
                        tab.locator("[data-testid=stDataFrame]").first.wait_for(
                            state="visible", timeout=90_000
                        )
                    else:
                        tab.get_by_text("AI investment impact").first.wait_for(timeout=90_000)
                    if i:
                        times[kind].append(time.perf_counter() - start)
                    ctx.close()
            out[page] = (statistics.median(times["app"]), statistics.median(times["floor"]))
        browser.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = built_data_dir(Path(tmp))
        pickled = Path(tmp) / "floor.pkl"
        pickled.write_bytes(pickle.dumps(_floor_content(data)))
        os.environ["AIIMPACT_DATA_DIR"] = str(data)
        os.environ["AIIMPACT_FLOOR_PICKLE"] = str(pickled)
        server = _server_side(args.runs, pickled)
        browser = _browser(data, args.runs)
    print(f"median of {args.runs} warm runs each; ratio = app / floor (target <= 1.2)")
    print(
        f"{'page':<14}{'server app':>11}{'floor':>8}{'ratio':>7}   {'browser app':>12}{'floor':>8}{'ratio':>7}"
    )
    for page in PAGES:
        sa, sf = server[page]
        ba, bf = browser[page]
        print(
            f"{page:<14}{sa:>10.3f}s{sf:>7.3f}s{sa / sf:>7.2f}   {ba:>11.2f}s{bf:>7.2f}s{ba / bf:>7.2f}"
        )


if __name__ == "__main__":
    main()
