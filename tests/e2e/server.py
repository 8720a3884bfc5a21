"""Start the dashboard on a free loopback port and drive Debian's chromium with Playwright.

Shared by the browser tests, the screenshot script and the benchmarks. Never calls
`playwright install` (it cannot download here): chromium comes from Debian's package.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str:
    """Debian's chromium, or a clear error (a missing browser must fail, not skip)."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError("Debian's chromium is not installed: apt-get install -y chromium")


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve(
    data_dir: Path,
    port: int | None = None,
    script: Path | None = None,
    pid: list[int] | None = None,
) -> Iterator[str]:
    """Run `streamlit run` on loopback with AIIMPACT_DATA_DIR; yield the base URL.

    When `pid` is a list, the server's process id is appended to it (for memory readings).
    """
    port = port or free_port()
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script or REPO / "dashboard" / "app.py"),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    env = {**os.environ, "AIIMPACT_DATA_DIR": str(data_dir)}
    proc = subprocess.Popen(
        cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    if pid is not None:
        pid.append(proc.pid)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:  # noqa: S310
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                err = proc.stderr.read().decode() if proc.stderr else ""
                raise RuntimeError(f"streamlit did not start: {err[-2000:]}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def wait_for_charts(page: object, n: int, timeout_ms: int = 60_000) -> None:
    """Wait until n plotly charts are visible on a Playwright page."""
    page.locator(".js-plotly-plot").nth(n - 1).wait_for(state="visible", timeout=timeout_ms)  # type: ignore[attr-defined]


def expected_charts(data_dir: Path) -> dict[str, int]:
    """How many charts each page draws for the default view of the data directory's vintage."""
    from dashboard import pages
    from dashboard.common import params
    from etl.store import Store

    store = Store(data_dir / "store")
    vid = store.current_id()
    tables = store.read_all(vid)
    state = params.parse({"vintage": str(vid)})
    return {p.key: len(pages.build(p.key, tables, state).charts) for p in pages.PAGES}


def page_url(base: str, key: str) -> str:
    """The URL of a page (the default page at the root)."""
    from dashboard import pages

    return f"{base}/" if key == pages.DEFAULT.key else f"{base}/{pages.BY_KEY[key].url_path}"


def rss_mib(pid: int) -> float:
    """Resident memory of a process in MiB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def built_data_dir(parent: Path, build: bool = True) -> Path:
    """A copy of the repository's data/ (without store or caches) under parent, with a vintage."""
    from etl import pipeline

    data = parent / "data"
    shutil.copytree(REPO / "data", data, ignore=shutil.ignore_patterns("store", "cache"))
    if build:
        pipeline.run(data, progress=lambda _m: None)
    return data
