"""The Sources page's records view, built from a vintage's sources table and a small manifest."""

from __future__ import annotations

import pandas as pd

from dashboard.app_pages.sources.view import records
from dashboard.common import safe
from etl.models import METRICS

SOURCES = pd.DataFrame(
    {
        "source_id": ["a", "b"],
        "publisher": ["Alibaba", "SEC"],
        "url": ["https://a.example/x) [y", "https://b.example/"],
        "published": ["2025-05-15", "not a date"],
        "accessed": ["2026-01-02", "2026-01-03"],
    }
)
MANIFEST = {
    "created_at": "2026-01-04T05:06:07.123456+00:00",
    "warnings": ["one source is stale"],
    "inputs": [{"path": "data/curated/facts.csv", "sha256": "ab"}],
    "sources": {"edgar": {"status": "ok", "rows": 3}, "yahoo": {"status": "skipped"}},
    "crosscheck": {"shared": 5, "agree": 4, "differ": [{"metric": "capex", "delta": 1.0}]},
    "crosscheck_annual": {"compared": 0},
    "crosscheck_sec_xbrl": {"shared": 2, "agree": 2, "differ": []},
}


def test_records_hold_what_the_page_lays_out() -> None:
    r = records(SOURCES, MANIFEST)
    assert [c.title for c in r.checks] == [
        "The company's filings (edgar) against the curated files",
        "The peers' filings (sec_xbrl) against the curated peer figures",
    ]  # no annual years compared: that check is left out
    edgar, peers = r.checks
    assert edgar.caption == (
        "5 figures in both: 4 agree; 1 differ (the charts draw the filing's figure)."
    )
    assert edgar.rows is not None and edgar.rows.to_dict("records") == [
        {"metric": "capex", "delta": 1.0}
    ]
    assert peers.rows is None and peers.caption.startswith("2 figures in both: 2 agree; 0 differ")
    assert r.created == "2026-01-04 05:06:07"
    assert r.warnings == ("one source is stale",)
    assert list(r.inputs["path"]) == ["data/curated/facts.csv"]
    assert list(r.status.columns) == ["source", "status", "rows"]
    assert list(r.status["source"]) == ["edgar", "yahoo"]
    assert list(r.status["status"]) == ["ok", "skipped"]
    assert r.newest == "Newest curated document: 2025-05-15; accessed 2026-01-03."
    assert list(r.sources["url"]) == [safe.web_url(u) for u in SOURCES["url"]]
    assert list(r.sources["publisher"]) == ["Alibaba", "SEC"]
    assert list(r.definitions["metric"]) == list(METRICS)


def test_annual_check_and_an_empty_manifest() -> None:
    annual = {
        "compared": 2,
        "agree": 1,
        "differ": [{"fy": "FY2025"}],
        "rows": [{"fy": "FY2024"}, {"fy": "FY2025"}],
    }
    r = records(SOURCES, {"crosscheck_annual": annual})
    (check,) = r.checks
    assert check.title.startswith("Alibaba's 20-F annual capex")
    assert check.caption == ("2 fiscal years: 1 agree within RMB 2 mn of rounding; 1 differ.")
    assert check.rows is not None and len(check.rows) == 2
    empty = records(SOURCES, {})
    assert empty.checks == () and empty.warnings == () and empty.created == ""
    assert empty.inputs.empty and empty.status.empty
