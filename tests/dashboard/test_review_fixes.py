"""Regression tests for what review found in the dashboard (each failed before its fix)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from dashboard import pages, snapshot
from dashboard.common import params, theme
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


def test_snapshot_metadata_lists_exactly_the_sources_in_view(built_real_store: Path) -> None:
    """metadata.json names every source whose figures are in the view's data, and no other."""
    vid, tables = _tables(built_real_store)
    facts = tables["facts"]
    for page in ("overview", "spending", "profitability"):
        state = params.parse({"vintage": vid})
        view = pages.build(page, tables, state)
        data = snapshot.bundle(view, state, tables, {"created_at": "x"}, "https://x.invalid/")
        meta = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("metadata.json"))
        listed = {s["source_id"] for s in meta["sources"]}
        # Independently of the view's own columns: the source of every figure it shows.
        shown = view.data.merge(
            facts[["metric", "period_end", "source_id"]].assign(
                period_end=lambda f: f["period_end"].astype(str)
            ),
            on=["period_end", "source_id"],
            how="inner",
        )
        assert set(shown["source_id"]) <= listed, page
        assert listed == set(view.data["source_id"].str.split(" ; ").explode()), page


def test_negative_amounts_put_the_sign_before_the_currency() -> None:
    """A free cash flow outflow reads -¥17.3bn, not ¥-17.3bn."""
    assert theme.money(-17_300.0, "RMB_mn") == "-¥17.3bn"
    assert theme.money(-250.0, "USD_mn") == "-US$250mn"
    assert theme.money(243_380.0, "RMB_mn") == "¥243.4bn"


def test_first_build_failure_says_what_really_happened(
    synthetic_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A held publish lock is reported as such, not as invalid curated files; bad files are."""
    from dashboard.common import data
    from etl.store import Store as _Store

    monkeypatch.setenv("AIIMPACT_DATA_DIR", str(synthetic_dir))
    monkeypatch.setattr(data, "FIRST_BUILD_LOCK_WAIT", 0.5)
    with _Store(synthetic_dir / "store").lock(1):
        busy = data.ensure_vintage()
    assert busy.vintage is None and "another build is publishing" in busy.problem
    (synthetic_dir / "financials" / "bad.csv").write_text(
        "entity,metric,fiscal_period,period_end,value,unit,source_id\n"
        "alibaba,revenue,FY2026Q2,2025-09-30,12x,RMB_mn,syn_release\n",
        encoding="utf-8",
    )
    invalid = data.ensure_vintage()
    assert invalid.vintage is None and "did not validate" in invalid.problem
    assert "bad.csv:2 field 'value'" in invalid.problem
