"""Per page: time until every chart is drawn in headless Chromium, next to two floors, and why.

Measured in one run, median of --runs after a warm-up, each from a new browser context:
- app: the dashboard (`streamlit run dashboard/app.py`) on a built copy of data/;
- elements floor (benchmarks/elements_floor_app.py): the same page elements (navigation, sidebar
  controls, share box, cards, page controls, figures, tables) from pre-built content, without the
  dashboard's own work (no store reads, no view building, no URL sync, no callbacks);
- bare floor (benchmarks/floor_app.py): the same figures and tables only.
Both floors draw the page's own figures and the tables the app draws on a first load (read from
an AppTest run of the app), so a page that draws fewer rows draws fewer in its floors too; and
they draw the figures at the app's widths (its wide layout, its charts side by side in columns).
Also: a page switch (click in the top navigation from the overview) and a control change (the
Quarters control to Calendar), script runs per load and the time of each phase in a run
(AIIMPACT_PROFILE), bytes of forward messages over the websocket, the figure JSON (hover data,
shapes), and the JS/CSS chunks each page loads. Run: python benchmarks/pages.py [--runs 5] [--pages sources market]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pickle
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402

from dashboard import pages, snapshot  # noqa: E402
from dashboard.common import params  # noqa: E402
from etl import periods  # noqa: E402
from etl.store import Store  # noqa: E402
from tests.e2e.server import CHROMIUM_ARGS, built_data_dir, chromium_path, page_url, serve  # noqa: E402

WIDGETS: dict[str, list[tuple[str, str, list[str]]]] = {
    "spending": [
        ("segmented", "Capex", ["Quarterly", "TTM", "Cumulative since Apr 2025"]),
        ("segmented", "Transform", ["Level", "Indexed (=100)", "YoY %"]),
        ("slider", "Lead/lag of capex (quarters)", []),
        ("popover_multiselect", "Adoption series", ["a", "b", "c", "d"]),
    ],
    "overview": [("quarter_slider", "Quarter", [])],
    "market": [("segmented", "Event window", ["[-1,+1]", "[-1,+5]", "[0,+20]"])],
    "sources": [("text", "Search figures", [])],
}


def content(data: Path) -> dict[str, dict[str, Any]]:
    """What each page shows, built once, for both floors; plus the figure weights."""
    store = Store(data / "store")
    vid = str(store.current_id())
    tables = store.read_all(vid)
    state = params.parse({"vintage": vid})
    out: dict[str, dict[str, Any]] = {}
    for page in pages.PAGES:
        view = pages.build(page.key, tables, state)
        quarters = sorted({str(q) for q in tables["facts"]["fiscal_period"] if str(q)})
        drawn_tables, rows = drawn(data, page.key, [c.figure for c in view.charts])
        out[page.key] = {
            "figures": [c.figure for c in view.charts],
            "rows": rows,
            "tables": drawn_tables,
            "cards": [
                (label, "¥1.0bn" if row is not None else "n/a", "FY2027Q1 · source")
                for label, row, _ in getattr(view, "cards", ())
            ],
            "adoption_table": getattr(view, "adoption_table", ""),
            "heading": getattr(view, "heading", ""),
            "widgets": WIDGETS.get(page.key, []),
            "captions": ["caption"] * (2 if page.key == "market" else 1),
            "quarters": [periods.fiscal_to_period_end(q).isoformat() for q in quarters],
            "link": f"http://127.0.0.1/{page.key}?vintage={vid}",
            "citation": snapshot.citation(page.key, vid, "2026-12-01", "http://127.0.0.1/"),
        }
    return out


def drawn(
    data: Path, key: str, figures: list[Any]
) -> tuple[list[Any], list[tuple[int, list[int]]]]:
    """The tables the page draws on its first load, and how it lays out its charts, read from an
    AppTest run of the app itself, so that both floors draw exactly the app's tables (the same
    rows, in the same order) and its figures at the same widths.

    Chart rows are (columns, figure indices): (1, [0]) is a chart across the page; (2, [2, 3])
    two charts side by side in two columns.
    """
    from streamlit.testing.v1 import AppTest

    os.environ["AIIMPACT_DATA_DIR"] = str(data)
    at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=120)
    at.run()
    if key != pages.DEFAULT.key:
        at.switch_page(pages.BY_KEY[key].script).run()
    titles = [json.loads(f.to_json())["layout"].get("title", {}).get("text") for f in figures]
    rows: list[tuple[int, list[int]]] = []
    parents: list[Any] = []
    placed: set[int] = set()

    def walk(node: Any, parent: Any, columns: int) -> None:
        if getattr(node, "type", None) == "plotly_chart":
            title = json.loads(node.proto.spec)["layout"].get("title", {}).get("text")
            # The first not yet placed with this title; one the view lacks is a benchmark error.
            index = next(i for i, t in enumerate(titles) if t == title and i not in placed)
            placed.add(index)
            if parent is not None and parents and parents[-1] is parent:
                rows[-1][1].append(index)
            else:
                rows.append((columns, [index]))
                parents.append(parent)
            return
        children = getattr(node, "children", None)
        if not isinstance(children, dict):
            return
        columns_here = [c for c in children.values() if getattr(c, "type", None) == "column"]
        for child in children.values():
            if getattr(child, "type", None) == "column":
                walk(child, node, len(columns_here))
            else:
                walk(child, parent, columns)

    walk(at.main, None, 1)
    if sorted(i for _, idx in rows for i in idx) != list(range(len(figures))):
        raise RuntimeError(f"{key}: the app drew {rows}, not its view's {len(figures)} charts")
    return [table.value for table in at.dataframe], rows


def weights(c: dict[str, dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Figure JSON bytes, hover data bytes (customdata) and shapes per page."""
    out = {}
    for page, item in c.items():
        total = custom = shapes = 0
        for fig in item["figures"]:
            spec = fig.to_plotly_json()
            total += len(fig.to_json())
            custom += sum(
                len(json.dumps(t.get("customdata", []), default=str)) for t in spec["data"]
            )
            shapes += len(spec["layout"].get("shapes", []))
        out[page] = {"figure_kb": total // 1024, "hover_kb": custom // 1024, "shapes": shapes}
    return out


#: True once the page's charts are drawn (each holds plotly's SVG and has a size) and its first
#: table has a size. Checked in the page on every animation frame: Playwright's own waits poll at
#: growing intervals (up to 500 ms apart in wait_for), which rounded a page's time up by as much.
DRAWN = """([charts, tables]) => {
  const box = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const plots = Array.from(document.querySelectorAll('.js-plotly-plot'))
    .filter(p => p.querySelector('.main-svg') && box(p));
  const grids = Array.from(document.querySelectorAll('[data-testid=stDataFrame]')).filter(box);
  return plots.length >= charts && grids.length >= tables;
}"""


def _wait_drawn(tab: Page, charts: int, tables: int) -> None:
    if not charts and not tables:
        tab.get_by_text("AI investment impact").first.wait_for(timeout=90_000)
        return
    tab.wait_for_function(DRAWN, arg=[charts, min(tables, 1)], polling="raf", timeout=90_000)


def _load(browser: Browser, url: str, charts: int, tables: int) -> dict[str, Any]:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1400})
    tab = ctx.new_page()
    chunks: dict[str, int] = {}
    frames = {"bytes": 0}

    def on_response(r: Any) -> None:
        if r.url.split("?")[0].endswith((".js", ".css")):
            with contextlib.suppress(Exception):  # a response without a body is not a chunk
                chunks[r.url.rsplit("/", 1)[-1]] = len(r.body())

    def on_socket(ws: Any) -> None:
        ws.on(
            "framereceived",
            lambda payload: frames.__setitem__("bytes", frames["bytes"] + len(payload)),
        )

    tab.on("response", on_response)
    tab.on("websocket", on_socket)
    start = time.perf_counter()
    tab.goto(url)
    _wait_drawn(tab, charts, tables)
    elapsed = time.perf_counter() - start
    tab.wait_for_timeout(300)
    ctx.close()
    return {"time": elapsed, "chunks": chunks, "ws_bytes": frames["bytes"]}


def _switch(browser: Browser, base: str, key: str, charts: int, tables: int) -> float:
    """From the loaded overview, click the page in the top navigation; time until drawn."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1400})
    tab = ctx.new_page()
    tab.goto(f"{base}/")
    _wait_drawn(tab, 1, 0)
    start = time.perf_counter()
    title = pages.BY_KEY[key].title
    link = tab.get_by_role("link", name=title).filter(visible=True)
    if link.count():
        link.first.click()
    else:  # a narrow top navigation keeps the last pages in its "N more" menu
        tab.locator("[data-testid=stTopNavSection]").first.click()
        tab.get_by_role("menuitem", name=title).first.click()
    tab.wait_for_url(f"**/{key}**", timeout=30_000)
    _wait_drawn(tab, charts, tables)
    elapsed = time.perf_counter() - start
    ctx.close()
    return elapsed


#: The control changed per page, and what shows the change has been drawn.
CONTROLS = {
    "overview": (
        "Calendar",
        "(d.layout.xaxis.ticktext || []).some(t => /^20\\d\\dQ[1-4]$/.test(t))",
    ),
    "profitability": (
        "Calendar",
        "(d.layout.xaxis.ticktext || []).some(t => /^20\\d\\dQ[1-4]$/.test(t))",
    ),
    "spending": ("TTM", "d.data.some(t => t.name === 'Capex, trailing twelve months')"),
}


def _control(browser: Browser, url: str, charts: int, key: str) -> float:
    """Change one control; time until a chart shows the change."""
    label, drawn = CONTROLS[key]
    ctx = browser.new_context(viewport={"width": 1400, "height": 1400})
    tab = ctx.new_page()
    tab.goto(url)
    _wait_drawn(tab, charts, 0)
    start = time.perf_counter()
    tab.get_by_text(label, exact=True).first.click()
    tab.wait_for_function(
        f"() => Array.from(document.querySelectorAll('.js-plotly-plot')).some(d => {drawn})",
        timeout=60_000,
    )
    elapsed = time.perf_counter() - start
    ctx.close()
    return elapsed


def _profile_lines(path: Path, since: int) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return [json.loads(x) for x in lines[since:]]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument(
        "--pages",
        nargs="+",
        choices=[p.key for p in pages.PAGES],
        default=[p.key for p in pages.PAGES],
        help="measure only these pages (default: every page)",
    )
    ap.add_argument(
        "--loads-only",
        action="store_true",
        help="skip the page-switch and control-change timings (about half the run)",
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = built_data_dir(Path(tmp))
        c = content(data)
        pickled = Path(tmp) / "floor.pkl"
        pickled.write_bytes(pickle.dumps(c))
        prof = Path(tmp) / "profile.jsonl"
        os.environ.update(AIIMPACT_FLOOR_PICKLE=str(pickled), AIIMPACT_PROFILE=str(prof))
        rows, details = [], {}
        with (
            serve(data) as app,
            serve(data, script=REPO / "benchmarks" / "elements_floor_app.py") as elements,
            serve(data, script=REPO / "benchmarks" / "floor_app.py") as bare,
            sync_playwright() as p,
        ):
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            for key in args.pages:
                n, t = len(c[key]["figures"]), len(c[key]["tables"])
                urls = {
                    "app": page_url(app, key),
                    "elements": page_url(elements, key),
                    "bare": f"{bare}/?page={key}",
                }
                times: dict[str, list[float]] = {k: [] for k in urls}
                runs_per_load, loads = [], {}
                for i in range(args.runs + 1):
                    for kind, url in urls.items():
                        seen = len(_profile_lines(prof, 0))
                        got = _load(browser, url, n, t)
                        if kind == "app":
                            runs_per_load.append(len(_profile_lines(prof, seen)))
                            loads = got
                        if i:
                            times[kind].append(got["time"])
                switch = (
                    statistics.median(_switch(browser, app, key, n, t) for _ in range(args.runs))
                    if key != "overview" and not args.loads_only
                    else float("nan")
                )
                control = (
                    statistics.median(
                        _control(browser, urls["app"], n, key) for _ in range(args.runs)
                    )
                    if key in CONTROLS and not args.loads_only
                    else float("nan")
                )
                med = {k: statistics.median(v) for k, v in times.items()}
                rows.append(
                    (
                        key,
                        med["app"],
                        med["elements"],
                        med["bare"],
                        switch,
                        control,
                        max(runs_per_load),
                    )
                )
                details[key] = {"chunks": loads["chunks"], "ws_bytes": loads["ws_bytes"]}
                print(_row(*rows[-1]), flush=True)  # as it comes: a later failure keeps it
            browser.close()
        phases = _phases(_profile_lines(prof, 0))
    _report(rows, details, weights(c), phases, args.runs)


def _phases(lines: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, list[float]]] = {}
    for line in lines:
        slot = out.setdefault(line["page"], {})
        for name, seconds in {**line["phases"], "whole run": line["total"]}.items():
            slot.setdefault(name, []).append(seconds)
    return {p: {k: statistics.median(v) for k, v in d.items()} for p, d in out.items()}


def _row(key: str, a: float, e: float, b: float, sw: float, ctl: float, nruns: int) -> str:
    return (
        f"{key:<14}{a:>6.2f}s{e:>9.2f}s{b:>6.2f}s{a / e:>10.2f}{a / b:>10.2f}{sw:>7.2f}s"
        f"{ctl:>8.2f}s{nruns:>10}"
    )


def _report(
    rows: list[tuple[Any, ...]],
    details: dict[str, Any],
    weight: dict[str, dict[str, int]],
    phases: dict[str, dict[str, float]],
    runs: int,
) -> None:
    print(f"median of {runs} cold loads each (new browser context), headless Chromium, same run")
    print(
        f"{'page':<14}{'app':>7}{'elements':>10}{'bare':>7}{'app/elem':>10}{'app/bare':>10}{'switch':>8}{'control':>9}{'runs/load':>10}"
    )
    for row in rows:
        print(_row(*row))
    print("\nserver time per script run (median seconds; warm runs included):")
    for key, ph in phases.items():
        print(f"  {key:<14}" + ", ".join(f"{k} {v:.3f}" for k, v in sorted(ph.items())))
    print("\nwhat each page sends and loads:")
    for key, d in details.items():
        js = sorted(d["chunks"].items(), key=lambda kv: -kv[1])
        total = sum(v for _, v in js) // 1024
        top = ", ".join(f"{n.split('.')[0]} {v // 1024} KiB" for n, v in js[:4])
        w = weight.get(key, {})
        print(
            f"  {key:<14}websocket {d['ws_bytes'] // 1024} KiB; figures {w.get('figure_kb', 0)} KiB "
            f"(hover data {w.get('hover_kb', 0)} KiB, {w.get('shapes', 0)} shapes); "
            f"{len(js)} JS/CSS files, {total} KiB; largest: {top}"
        )


if __name__ == "__main__":
    main()
