"""Views on the bundled data checked against hand computations from the curated files."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st

from dashboard import pages
from dashboard.common import params
from etl.store import Store
from tests.dashboard.helpers import run

REPO = Path(__file__).resolve().parents[2]


def _closes(ticker: str) -> list[tuple[str, float]]:
    """(date, adjusted close) of one bundled series, read straight from the CSV."""
    with (REPO / "data" / "market" / "prices_daily.csv").open(encoding="utf-8") as fh:
        return [
            (r["date"], float(r["adj_close"])) for r in csv.DictReader(fh) if r["ticker"] == ticker
        ]


def test_one_event_window_by_hand(built_real_store: Path) -> None:
    """BABA over [-1,+1] around the March-2026-quarter results (2026-05-13), and its excess."""
    store = Store(built_real_store / "store")
    vid = str(store.current_id())
    view = pages.build("market", store.read_all(vid), params.parse({"vintage": vid, "win": "1"}))
    row = view.windows.query("ticker == 'BABA' and event == 'FY2026Q4 results'").iloc[0]
    baba, mchi = _closes("BABA"), _closes("MCHI")
    day0 = next(i for i, (d, _) in enumerate(baba) if d >= "2026-05-13")
    # [-1,+1]: from the close before day -1 (day -2) to the close of day +1.
    expected = (baba[day0 + 1][1] / baba[day0 - 2][1] - 1) * 100
    m0 = next(i for i, (d, _) in enumerate(mchi) if d >= "2026-05-13")
    bench = (mchi[m0 + 1][1] / mchi[m0 - 2][1] - 1) * 100
    assert row["from_close"] == baba[day0 - 2][0] and row["to_close"] == baba[day0 + 1][0]
    assert row["return_pct"] == pytest.approx(expected, rel=1e-12)
    assert row["excess_pct"] == pytest.approx(expected - bench, rel=1e-12)


def test_quarter_average_usd_cards_on_the_page(
    built_real_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the page, 'US$ (quarter avg)' shows revenue over the quarter's mean daily USD/CNY."""
    monkeypatch.setenv("AIIMPACT_DATA_DIR", str(built_real_store))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = run("overview", {"ccy": "USD_avg"})
    assert not at.exception
    store = Store(built_real_store / "store")
    facts = store.read("facts")
    revenue = float(
        facts.query("metric == 'revenue' and period_end == '2026-06-30' and entity == 'alibaba'")[
            "value"
        ].item()
    )
    with (REPO / "data" / "market" / "prices_daily.csv").open(encoding="utf-8") as fh:
        rates = [
            float(r["close"])
            for r in csv.DictReader(fh)
            if r["ticker"] == "USDCNY_PBOC" and "2026-04-01" <= r["date"] <= "2026-06-30"
        ]
    expected = revenue / (sum(rates) / len(rates)) / 1000  # US$ bn on the card
    card = next(m for m in at.metric if m.label == "Revenue")
    assert card.value == f"US${expected:,.1f}bn"
    assert all(m.value != "n/a" for m in at.metric[:5])


def test_overview_adoption_cards_use_the_latest_dense_point(built_real_store: Path) -> None:
    """The LM Arena card shows Qwen's newest score on file, with its date and model."""
    store = Store(built_real_store / "store")
    vid = str(store.current_id())
    view = pages.build("overview", store.read_all(vid), params.parse({"vintage": vid}))
    cards = dict(view.adoption_cards)
    arena = cards["lmarena_text_score"]
    facts = store.read("facts")
    qwen = facts.query("metric == 'lmarena_text_score' and entity == 'qwen'")
    newest = qwen.sort_values("period_end").iloc[-1]
    assert arena["label"] == newest["period_end"] and arena["value"] == newest["value"]
    assert arena["note"].startswith(str(newest["subject"]))
    assert pd.Timestamp(cards["hf_downloads_30d"]["period_end"]).year == 2025
