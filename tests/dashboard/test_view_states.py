"""Views follow the view state: the quarter-average US$ cards, and capex drawn as bars or lines."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dashboard import pages
from dashboard.common import params
from etl.store import Store


def _tables(data_dir: Path) -> tuple[str, dict[str, pd.DataFrame]]:
    store = Store(data_dir / "store")
    vid = str(store.current_id())
    return vid, store.read_all(vid)


def _synthetic_fx(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The vintage plus SYNTHETIC daily CNY=X closes of 7.0 (not real rates)."""
    days = pd.bdate_range("2022-01-03", "2026-12-31")
    fx = pd.DataFrame(
        {
            "ticker": "CNY=X",
            "date": days.strftime("%Y-%m-%d"),
            "close": 7.0,
            "adj_close": float("nan"),
            "currency": "RMB_per_USD",
            "source_id": "synthetic_fx",
            "owner": "yahoo",
        }
    )
    return {**tables, "prices_daily": fx}


def test_quarter_average_usd_fills_the_overview_cards(built_real_store: Path) -> None:
    """With daily CNY=X closes, 'US$ (quarter avg)' converts every card at the average rate."""
    vid, tables = _tables(built_real_store)
    rmb = pages.build("overview", tables, params.parse({"vintage": vid}))
    usd = pages.build(
        "overview", _synthetic_fx(tables), params.parse({"vintage": vid, "ccy": "USD_avg"})
    )
    for (label, row_rmb, _), (_, row_usd, _) in zip(rmb.cards, usd.cards, strict=True):
        if row_rmb is None:
            continue
        assert row_usd is not None, label
        assert row_usd["unit"] == "USD_mn"
        assert row_usd["value"] == row_rmb["value"] / 7.0, label


def test_ttm_capex_is_a_line_whatever_its_name(built_real_store: Path) -> None:
    """The capex trace type follows the view state: TTM and cumulative are lines, not bars."""
    vid, tables = _tables(built_real_store)
    for capex, expected in (("ttm", "scatter"), ("cumulative", "scatter"), ("quarterly", "bar")):
        view = pages.build("spending", tables, params.parse({"vintage": vid, "capex": capex}))
        fig = view.charts[0].figure
        assert fig.data[0].type == expected, capex
        assert fig.data[0].name.startswith("Capex"), fig.data[0].name
