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
    """Capex bars equal the store; measured histories are lines, statements markers only."""
    at = run("spending")
    fig = figures(at)[0]
    assert _at(fig, "Capex per quarter", "2026-03-31") == _value(
        built_real_store, "capex", "2026-03-31"
    )
    assert _at(fig, "Capex as stated in words", "2026-03-31") == _value(
        built_real_store, "capex_stated", "2026-03-31"
    )
    modes = {t["name"]: t.get("mode") for t in fig["data"]}
    assert modes["LM Arena text score of the lab's best model"] == "lines+markers"
    assert modes["Hugging Face downloads, last 30 days"] == "lines+markers"
    assert modes["Qwen derivative models (stated)"] == "markers"
    assert any(t["name"].startswith("Event: capex commitment") for t in fig["data"])


def test_spending_page_qwen_against_the_frontier(built_real_store: Path) -> None:
    """The frontier chart draws Qwen's best score, the best rival's, the gap; hovers name models."""
    at = run("spending", {"importance": "all"})  # every release snapshot marked
    fig = figures(at)[1]
    assert fig["layout"]["title"]["text"].startswith("Qwen against the frontier on LM Arena")
    qwen = trace(fig, "Qwen's best model")
    rival = trace(fig, "Best rival model (any other lab)")
    gap = trace(fig, "Gap (points)")
    assert len(decode(qwen["y"])) >= 50
    assert "qwen3.7-max-preview" in {row[1] for row in qwen["customdata"]}
    assert {row[0] for row in rival["customdata"]} & {"OpenAI", "Google", "Anthropic"}
    ys, rs, gs = decode(qwen["y"]), decode(rival["y"]), decode(gap["y"])
    assert all(abs(r - q - g) < 1e-9 for q, r, g in zip(ys, rs, gs, strict=True))
    assert any(t["name"].startswith("Event: Qwen release") for t in fig["data"])


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
    assert _at(cloud, "Cloud Intelligence Group revenue", "2026-03-31") == _value(
        built_real_store, "cloud_revenue", "2026-03-31"
    )
    # FY2027's segment is drawn apart, with its recast year-ago quarter, never spliced on.
    assert _at(cloud, "AI Cloud and Compute Services revenue", "2026-06-30") == _value(
        built_real_store, "ai_cloud_revenue", "2026-06-30"
    )
    assert "2026-06-30" not in [
        str(x)[:10] for x in trace(cloud, "Cloud Intelligence Group revenue")["x"]
    ]


def test_market_page_offline(built_real_store: Path) -> None:
    """Offline, the bundled closes give the price chart, the event-window chart and the table."""
    at = run("market")
    figs = figures(at)
    assert len(figs) == 2
    names = {t["name"] for t in figs[1]["data"]}
    assert {"BABA: Qwen release", "BABA: Earnings release"} <= names
    assert "9988.HK: Qwen release" in names
    tables = [d.value for d in at.dataframe]
    windows = next(t for t in tables if "excess_pct" in t.columns)
    assert set(windows["category"]) == {"qwen_release", "earnings", "conference"}
    series = next(t for t in tables if "last date" in t.columns)
    assert set(series["ticker"]) >= {"BABA", "9988.HK", "MCHI", "^HSI"}


def test_market_page_without_prices_explains_itself(
    built_real_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A vintage without prices says what is missing and how to load it."""
    import shutil

    from etl import pipeline

    data = tmp_path / "data"
    shutil.copytree(built_real_store, data, ignore=shutil.ignore_patterns("store", "cache"))
    (data / "market" / "prices_daily.csv").unlink()
    pipeline.run(data, progress=lambda _m: None)
    monkeypatch.setenv("AIIMPACT_DATA_DIR", str(data))
    at = run("market")
    assert any("no market data" in i.value for i in at.info)
    assert any("etl refresh --source yahoo" in m.value for m in at.markdown)


def test_sources_page_table_and_search(built_real_store: Path) -> None:
    """The table pages through every figure; a search narrows it and lands in the URL."""
    facts = Store(built_real_store / "store").read("facts")
    at = run("sources")
    table = at.dataframe[0].value
    assert isinstance(table, pd.DataFrame)
    page_rows, pages = len(table), at.number_input(key="w_page").max
    assert 0 < page_rows < len(facts) and pages == -(-len(facts) // page_rows)
    assert any(f"{len(facts)} of {len(facts)} figures" in c.value for c in at.caption)
    at.number_input(key="w_page").set_value(pages).run()  # the last page: the last rows
    assert len(at.dataframe[0].value) == len(facts) - (pages - 1) * page_rows
    at.text_input(key="w_q").set_value("adjusted_ebita").run()
    narrowed = at.dataframe[0].value
    assert 0 < len(narrowed) <= page_rows and at.query_params["q"] == "adjusted_ebita"
    assert all("adjusted_ebita" in " ".join(map(str, r)) for r in narrowed.itertuples())
    assert not any(f"{len(facts)} of {len(facts)} figures" in c.value for c in at.caption)
    assert at.number_input(key="w_page").value == 1  # new rows start at their first page
    at.text_input(key="w_q").set_value("adjusted_ebita 2026-03-31").run()
    table = at.dataframe[0].value
    row = table[(table.metric == "adjusted_ebita") & (table.period_end == "2026-03-31")]
    assert row["value"].item() == _value(built_real_store, "adjusted_ebita", "2026-03-31")
    assert row["source_url"].item().startswith("http")


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
