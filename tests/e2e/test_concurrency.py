"""Publishing while browser sessions are open: no errors, each session keeps its vintage."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser

from etl.store import Store
from tests.e2e.conftest import new_page
from tests.e2e.server import REPO, expected_charts, page_url, wait_for_charts

pytestmark = pytest.mark.browser


def _build(data: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "etl", "build", "-q", "--data-dir", str(data)],
        cwd=REPO,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_publish_while_sessions_view(browser: Browser, server: str, e2e_data: Path) -> None:
    """Three sessions stay error-free and pinned while two builds publish at the same time."""
    pages = []
    counts = expected_charts(e2e_data)
    for key in ("overview", "spending", "profitability"):
        charts = counts[key]
        page = new_page(browser)
        page.goto(page_url(server, key))
        wait_for_charts(page, charts)
        pages.append((page, charts))
    pinned = [parse_qs(urlsplit(p.url).query)["vintage"][0] for p, _ in pages]
    path = e2e_data / "financials" / "alibaba_quarterly.csv"
    original = path.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(original)))
    rows[1][-1] += " (checked)"  # a note changes: new content, new vintage, same figures
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    edited = out.getvalue()
    assert edited != original
    try:
        path.write_text(edited, encoding="utf-8")
        builds = [_build(e2e_data), _build(e2e_data)]  # two at once: the lock serialises them
        for page, charts in pages:  # sessions keep working while the builds run
            page.get_by_role("radio", name="Calendar").click()
            wait_for_charts(page, charts)
        results = [b.communicate(timeout=120) for b in builds]
        assert [b.returncode for b in builds] == [0, 0], results
        store = Store(e2e_data / "store")
        current = store.current_id()
        assert current not in pinned and len(store.read("facts", current)) > 0
        for (page, charts), vintage in zip(pages, pinned, strict=True):
            page.get_by_role("radio", name="Fiscal (FY ends 31 Mar)").click()
            wait_for_charts(page, charts)
            page.get_by_text("Newer data exist").first.wait_for()
            assert parse_qs(urlsplit(page.url).query)["vintage"] == [vintage]
            assert page.locator("[data-testid=stException]").count() == 0
            page.context.close()
    finally:
        path.write_text(original, encoding="utf-8")
