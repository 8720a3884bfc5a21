"""Bounded load test on localhost: N concurrent headless browser sessions against one alone.

Prints p50/p95 time-to-charts and the server's memory. It talks only to 127.0.0.1, runs a fixed
number of rounds and stops by itself. Run: python benchmarks/load.py [--sessions 4] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from playwright.async_api import Browser, async_playwright  # noqa: E402

from tests.e2e.server import (  # noqa: E402
    CHROMIUM_ARGS,
    built_data_dir,  # noqa: E402
    chromium_path,
    expected_charts,
    page_url,
    rss_mib,
    serve,
)

TIMEOUT_MS = 90_000
#: (page key, charts it draws), filled from the built data before the sessions start.
PAGES: list[tuple[str, int]] = []


async def _session(browser: Browser, base: str, i: int) -> float:
    key, charts = PAGES[i % len(PAGES)]
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1400})
    page = await ctx.new_page()
    start = time.perf_counter()
    await page.goto(page_url(base, key))
    await (
        page.locator(".js-plotly-plot")
        .nth(charts - 1)
        .wait_for(state="visible", timeout=TIMEOUT_MS)
    )
    elapsed = time.perf_counter() - start
    await ctx.close()
    return elapsed


async def _rounds(base: str, sessions: int, rounds: int, pid: int) -> tuple[list[float], float]:
    times: list[float] = []
    peak = 0.0
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        await _session(browser, base, 0)  # warm-up
        for _ in range(rounds):
            times += await asyncio.gather(*(_session(browser, base, i) for i in range(sessions)))
            peak = max(peak, rss_mib(pid))
        await browser.close()
    return times, peak


def _pct(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]
        if len(values) > 1
        else values[0]
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = built_data_dir(Path(tmp))
        PAGES[:] = [(k, n) for k, n in expected_charts(data).items() if n]
        pid: list[int] = []
        with serve(data, pid=pid) as base:
            idle = rss_mib(pid[0])
            alone, mem_alone = asyncio.run(_rounds(base, 1, args.rounds, pid[0]))
            loaded, mem_loaded = asyncio.run(_rounds(base, args.sessions, args.rounds, pid[0]))
    print(f"server RSS idle {idle:.0f} MiB; rounds {args.rounds}; localhost only")
    print(f"{'sessions':<10}{'p50':>8}{'p95':>8}{'server RSS peak':>18}")
    print(f"{1:<10}{_pct(alone, 50):>7.2f}s{_pct(alone, 95):>7.2f}s{mem_alone:>15.0f} MiB")
    print(
        f"{args.sessions:<10}{_pct(loaded, 50):>7.2f}s{_pct(loaded, 95):>7.2f}s{mem_loaded:>15.0f} MiB"
    )
    print(f"p50 under load / alone: {_pct(loaded, 50) / _pct(alone, 50):.2f}x")


if __name__ == "__main__":
    main()
