"""AppTest over every page on a store built from data/: no exception, charts, real values."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st

from etl.store import Store
from tests.dashboard.helpers import PAGES, decode, figures, run, trace


@pytest.fixture(autouse=True)
def _data(built_real_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIIMPACT_DATA_DIR", str(built_real_store))
    st.cache_data.clear()


def _value(data_dir: Path, metric: str, period_end: str) -> float:
    facts = Store(data_dir / "store").read("facts")
    row = facts[
        (facts.metric == metric) & (facts.period_end == period_end) & (facts.entity == "alibaba")
    ]
    return float(row["value"].item())


def _at(fig: dict, name: str, period_end: str) -> float:
    t = trace(fig, name)
    xs = [str(x)[:10] for x in t["x"]]
    return decode(t["y"])[xs.index(period_end)]


@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_page_renders(page: str) -> None:
    """Each page runs without an exception and pins the URL to the vintage."""
    at = run(page)
    assert not at.exception, [e.value for e in at.exception]
    assert re.fullmatch(r"v[0-9a-f]{12}", at.query_params["vintage"])


def test_overview_headline_matches_store(built_real_store: Path) -> None:
    """The headline chart shows the store's adjusted EBITA for the March 2026 quarter."""
    at = run("overview")
    fig = figures(at)[0]
    assert {"Capex", "Adjusted EBITA", "Free cash flow"} <= {t["name"] for t in fig["data"]}
    assert _at(fig, "Adjusted EBITA", "2026-03-31") == _value(
        built_real_store, "adjusted_ebita", "2026-03-31"
    )
    assert "RMB million" in fig["layout"]["yaxis"]["title"]["text"]
    assert any(
        a.get("name") == "footnote" and "Vintage v" in a["text"]
        for a in fig["layout"]["annotations"]
    )
    assert len(at.metric) >= 5
    config = json.loads(at.get("plotly_chart")[0].proto.config)
    image = config["toImageButtonOptions"]
    assert image["filename"].startswith("capex_ebita_fcf_RMB_v") and image["scale"] == 3


def test_spending_page_capex_and_adoption(built_real_store: Path) -> None:
    """Capex bars equal the store; adoption series are markers only (no invented lines)."""
    at = run("spending")
    fig = figures(at)[0]
    assert _at(fig, "Capex per quarter", "2026-03-31") == _value(
        built_real_store, "capex", "2026-03-31"
    )
    adoption = [
        t for t in fig["data"] if t.get("mode") == "markers" and not t["name"].startswith("Event")
    ]
    assert adoption and all(t["mode"] == "markers" for t in adoption)
    assert any(t["name"].startswith("Event: qwen release") for t in fig["data"])


def test_spending_cumulative_view_has_commitment_line() -> None:
    """The cumulative view draws the RMB 380 bn plan as a reference line."""
    at = run("spending", {"capex": "cumulative"})
    fig = figures(at)[0]
    assert any("380" in (a.get("text") or "") for a in fig["layout"]["annotations"])


def test_profitability_page(built_real_store: Path) -> None:
    """Four charts; the margin figure's EBITA equals the store."""
    at = run("profitability")
    figs = figures(at)
    assert len(figs) == 4
    assert _at(figs[0], "Adjusted EBITA", "2026-03-31") == _value(
        built_real_store, "adjusted_ebita", "2026-03-31"
    )
    cloud = figs[3]
    assert _at(cloud, "Cloud revenue", "2026-03-31") == _value(
        built_real_store, "cloud_revenue", "2026-03-31"
    )


def test_market_page_empty_state() -> None:
    """Without market data the page says what is missing and how to load it."""
    at = run("market")
    assert any("no market data" in i.value for i in at.info)
    assert any("etl refresh --source yahoo" in c.value for c in at.code)


def test_sources_page_table_and_search(built_real_store: Path) -> None:
    """The table holds every figure; a search narrows it and lands in the URL."""
    at = run("sources")
    table = at.dataframe[0].value
    assert isinstance(table, pd.DataFrame)
    assert len(table) == len(Store(built_real_store / "store").read("facts"))
    row = table[(table.metric == "adjusted_ebita") & (table.period_end == "2026-03-31")]
    assert row["value"].item() == _value(built_real_store, "adjusted_ebita", "2026-03-31")
    assert row["source_url"].item().startswith("http")
    at.text_input(key="w_q").set_value("adjusted_ebita").run()
    narrowed = at.dataframe[0].value
    assert 0 < len(narrowed) < len(table) and at.query_params["q"] == "adjusted_ebita"


def test_usd_view_converts_or_blanks() -> None:
    """In US$ the axis says so, and quarters without a convenience rate carry no value."""
    at = run("overview", {"ccy": "USD"})
    fig = figures(at)[0]
    assert "US$ million" in fig["layout"]["yaxis"]["title"]["text"]
    notes = " ".join(a["text"] for a in fig["layout"]["annotations"]).replace("<br>", " ")
    assert "convenience translation rate" in notes


GARBAGE = {
    "vintage": "../../etc/passwd",
    "ccy": "EUR",
    "basis": "lunar",
    "from": "yesterday",
    "to": "FY9Q9",
    "capex": "<script>",
    "view": "'; DROP TABLE facts;--",
    "lag": "999",
    "series": "x,y",
    "q": "\x00" * 300,
    "win": "-1",
}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_garbage_in_every_parameter(page: str) -> None:
    """Every page falls back to defaults with a notice, never a traceback."""
    at = run("overview", GARBAGE)
    assert not at.exception
    assert len(at.warning) >= 10, [w.value for w in at.warning]
    if page != "overview":
        at.switch_page(PAGES[page]).run()
    assert not at.exception
    assert re.fullmatch(r"v[0-9a-f]{12}", at.query_params["vintage"])


def test_unknown_vintage_link_explains_itself() -> None:
    """A well-formed but unknown vintage id explains itself and shows the current data."""
    at = run("overview", {"vintage": "v0123456789ab"})
    assert not at.exception
    assert any("not published here" in w.value for w in at.warning)
    assert at.query_params["vintage"] != "v0123456789ab"
