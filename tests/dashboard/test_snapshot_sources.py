"""A derived point (a margin, capex intensity, a difference) names every source's URL, not the
first one only, in the view's data and so in a snapshot's data.csv."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd

from dashboard import pages, snapshot
from dashboard.common import frames, params
from etl.store import Store


def _quarter(value: float, source: str) -> pd.DataFrame:
    """One SYNTHETIC quarterly figure from `source`."""
    return pd.DataFrame(
        {
            "period_end": [pd.Timestamp("2026-06-30")],
            "value": [value],
            "unit": ["RMB_mn"],
            "source": [f"Synthetic {source}"],
            "source_id": [source],
            "source_url": [f"https://example.invalid/{source}"],
            "note": [""],
        }
    )


def test_ratio_and_difference_keep_both_urls() -> None:
    """Both figures' URLs, in the order of their source ids; one URL when the source is one."""
    a, b = _quarter(20.0, "syn_a"), _quarter(80.0, "syn_b")
    for derived in (frames.ratio(a, b), frames.difference(a, b)):
        row = derived.iloc[0]
        assert row["source_id"] == "syn_a ; syn_b"
        assert row["source_url"] == "https://example.invalid/syn_a ; https://example.invalid/syn_b"
    assert frames.ratio(a, a).iloc[0]["source_url"] == "https://example.invalid/syn_a"


def test_snapshot_data_csv_lists_every_url_of_a_derived_point(built_real_store: Path) -> None:
    """In the profitability snapshot, each row has as many URLs as source ids."""
    store = Store(built_real_store / "store")
    vid = str(store.current_id())
    tables = store.read_all(vid)
    state = params.parse({"vintage": vid})
    view = pages.build("profitability", tables, state)
    data = snapshot.bundle(view, state, tables, {"created_at": "x"}, "https://x.invalid/")
    rows = pd.read_csv(io.BytesIO(zipfile.ZipFile(io.BytesIO(data)).read("data.csv")))
    derived = rows[rows["source_id"].str.contains(" ; ", regex=False)]
    assert len(derived) > 0
    ids = derived["source_id"].str.split(" ; ").str.len()
    urls = derived["source_url"].str.split(" ; ").str.len()
    assert (ids == urls).all()
