"""The pledge burn-down: arithmetic on SYNTHETIC frames, and the chart on the bundled data."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from dashboard.app_pages.spending import promises
from dashboard.app_pages.spending import view as spending
from dashboard.common import params
from etl.store import Store

REPO = Path(__file__).resolve().parents[2]


def _statements(*rows: tuple[str, str, str, float | None, str, str]) -> pd.DataFrame:
    """SYNTHETIC commitments: (id, date, statement, amount, status, supersedes)."""
    return pd.DataFrame(
        [
            {
                "id": i,
                "date": d,
                "entity": "alibaba",
                "statement": text,
                "amount": amount,
                "unit": "RMB_mn",
                "period_start": "2025-04-01",
                "period_end": "2026-03-31",
                "scope": "SYNTHETIC",
                "quote": f"SYNTHETIC quote of {i}",
                "status": status,
                "supersedes": sup,
                "source_id": "syn",
                "source_url": "https://example.org/syn",
                "note": "",
            }
            for i, d, text, amount, status, sup in rows
        ]
    )


def _capex(values: dict[str, float], unit: str = "RMB_mn") -> pd.DataFrame:
    """SYNTHETIC quarterly capex in the shape frames.quarterly returns."""
    ends = pd.to_datetime(list(values))
    return pd.DataFrame(
        {
            "period_end": ends,
            "value": list(values.values()),
            "label": [f"Q{i}" for i in range(len(values))],
            "unit": unit,
            "source": "syn",
            "source_id": "syn",
            "source_url": "",
            "note": "",
        }
    )


PLEDGE = _statements(
    ("p", "2025-02-24", "SYNTHETIC 400 over four quarters", 400.0, "announced", ""),
    ("r1", "2025-09-01", "SYNTHETIC more", None, "announced", "p"),
    ("r2", "2025-12-01", "SYNTHETIC reported 600", 600.0, "reported", "r1"),
    ("other", "2025-10-01", "SYNTHETIC unrelated plan", 5.0, "reported", ""),
)


def test_chain_follows_revisions_through_each_other_by_date() -> None:
    rows = promises.chain(PLEDGE, root="p")
    assert list(rows["id"]) == ["p", "r1", "r2"]
    assert promises.chain(PLEDGE, root="missing").empty


def test_burndown_sums_the_window_only_against_a_straight_line() -> None:
    """Quarters before the window start are left out; the pace is 100 a quarter."""
    capex = _capex({"2025-03-31": 999.0, "2025-06-30": 150.0, "2025-09-30": 50.0})
    b = promises.burndown(PLEDGE, capex, capex, root="p")
    assert b is not None
    assert list(b.frame["spent"]) == [150.0, 200.0]
    assert list(b.frame["pace"]) == [100.0, 200.0]
    assert b.target == 400.0
    assert b.quarters_left == pytest.approx((400.0 - 200.0) / 50.0)
    assert "50% spent by Q2" in promises.summary(b)
    assert "ahead of the straight-line pace" in promises.summary(b)


def test_burndown_in_usd_converts_the_pledge_at_the_newest_quarters_rate() -> None:
    rmb = _capex({"2025-06-30": 140.0, "2025-09-30": 70.0})
    usd = _capex({"2025-06-30": 20.0, "2025-09-30": 10.0}, unit="USD_mn")
    b = promises.burndown(PLEDGE, rmb, usd, root="p")
    assert b is not None
    assert b.target == pytest.approx(400.0 / 7.0)
    assert b.unit == "USD_mn"
    assert "RMB 7.0000 per US$" in b.rate_note


def test_no_pledge_or_no_capex_in_the_window_draws_nothing() -> None:
    capex = _capex({"2025-06-30": 1.0})
    assert promises.burndown(PLEDGE.iloc[0:0], capex, capex, root="p") is None
    early = _capex({"2024-12-31": 1.0})
    assert promises.burndown(PLEDGE, early, early, root="p") is None


def test_reported_statements_are_drawn_apart_from_the_companys() -> None:
    capex = _capex({"2025-06-30": 150.0})
    b = promises.burndown(PLEDGE, capex, capex, root="p")
    assert b is not None
    fig = promises.figure(b, "note")
    marks = {t.name: t for t in fig.data if t.name and t.name.startswith("Statements")}
    own = marks["Statements (the company)"]
    others = marks["Statements (reported by others)"]
    assert own.marker.symbol != others.marker.symbol
    assert len(own.x) == 2 and len(others.x) == 1
    assert "SYNTHETIC quote of r2" in str(others.customdata)


def test_a_revised_amount_is_drawn_at_its_own_level_with_its_status() -> None:
    """A statement with an amount (the reported 600) sits on its own line, marked as reported;
    a statement without one sits on the pledge's line; both in the view's currency."""
    capex = _capex({"2025-06-30": 150.0})
    usd = _capex({"2025-06-30": 15.0}, unit="USD_mn")
    for shown, rate in ((capex, 1.0), (usd, 0.1)):
        b = promises.burndown(PLEDGE, capex, shown, root="p")
        assert b is not None
        fig = promises.figure(b, "note")
        marks = {t.name: t for t in fig.data if t.name and t.name.startswith("Statements")}
        assert list(marks["Statements (reported by others)"].y) == [600.0 * rate]
        assert list(marks["Statements (the company)"].y) == [400.0 * rate] * 2
        lines = {round(s.y0, 6): s for s in fig.layout.shapes if s.type == "line"}
        assert set(lines) == {round(400.0 * rate, 6), round(600.0 * rate, 6)}
        assert lines[round(600.0 * rate, 6)].line.dash != lines[round(400.0 * rate, 6)].line.dash
        notes = [a.text for a in fig.layout.annotations if a.text]
        assert any(n.startswith("Reported by others, not announced:") for n in notes), notes


def _bundled_commitments() -> list[dict[str, str]]:
    with (REPO / "data" / "commitments" / "capex_commitments.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("ccy", ["RMB", "USD"])
def test_spending_page_burns_down_the_380bn_pledge_on_bundled_data(
    built_real_store: Path, ccy: str
) -> None:
    """Through FY2027Q1, with at least three statements marked, each quoting its source."""
    store = Store(built_real_store / "store")
    tables = store.read_all()
    view = spending.build(tables, params.ViewState(vintage=store.current_id(), ccy=ccy))
    chart = next(c for c in view.charts if c.key == "spending_burndown")
    bars = next(t for t in chart.figure.data if t.type == "bar")
    assert str(pd.Timestamp(bars.x[-1]).date()) >= "2026-06-30"
    # Every bar is the running sum of the reconciliation capex from April 2025 (by hand).
    capex = tables["facts"]
    capex = capex[
        (capex["metric"] == "capex")
        & (capex["owner"] == "curated")
        & (capex["entity"] == "alibaba")
    ]
    capex = capex[(capex["period_end"] > "2025-03-31") & (capex["period_end"] <= "2026-06-30")]
    if ccy == "RMB":
        assert bars.y[-1] == pytest.approx(capex["value"].sum())
    quotes = " ".join(str(t.customdata) for t in chart.figure.data if t.name.startswith("Statem"))
    chain = [r for r in _bundled_commitments() if r["entity"] == "alibaba"]
    assert len(chain) >= 3
    for r in chain:
        assert r["quote"] in quotes.replace("<br>", " ")
    assert ("of ¥380.0bn" if ccy == "RMB" else "of US$") in chart.figure.layout.title.text


def test_the_kpi_strip_is_drawn_with_links_and_flags(built_real_store: Path) -> None:
    """Quarters x KPIs on the bundled data: every drawn quarter links to its document, a silence
    after a disclosure carries ✕, and the hover quotes the release."""
    store = Store(built_real_store / "store")
    view = spending.build(store.read_all(), params.ViewState(vintage=store.current_id()))
    chart = next(c for c in view.charts if c.key == "spending_kpi_strip")
    heat = chart.figure.data[0]
    assert len(heat.y) >= 8 and len(heat.x) >= 15
    ticks = chart.figure.layout.xaxis.ticktext
    assert all('href="https://' in t for t in ticks)
    row = list(heat.y).index("AI-related products' share of cloud revenue from external customers")
    col = list(heat.x).index("FY2026Q3")
    assert "✕" in heat.text[row][col]
    streak = list(heat.y).index(
        "AI-related product revenue: quarters of triple-digit growth in a row"
    )
    assert heat.text[streak][list(heat.x).index("FY2026Q1")] == "8"
    hover = heat.customdata[streak][list(heat.x).index("FY2026Q1")].replace("<br>", " ")
    assert "eighth consecutive quarter" in hover


def test_a_narrow_range_keeps_flags_judged_on_the_whole_strip(built_real_store: Path) -> None:
    from datetime import date

    store = Store(built_real_store / "store")
    state = params.ViewState(
        vintage=store.current_id(), start=date(2025, 10, 1), end=date(2025, 12, 31)
    )
    view = spending.build(store.read_all(), state)
    heat = next(c for c in view.charts if c.key == "spending_kpi_strip").figure.data[0]
    assert list(heat.x) == ["FY2026Q3"]
    row = list(heat.y).index("AI-related products' share of cloud revenue from external customers")
    assert "✕" in heat.text[row][0]


def test_token_statements_are_markers_beside_capex(built_real_store: Path) -> None:
    """The company's token figures are dated statements on their own bases: markers, no line."""
    store = Store(built_real_store / "store")
    state = params.parse(
        {
            "vintage": str(store.current_id()),
            "series": "model_studio_customers_yoy_multiple,token_cloud_share_forecast_pct",
        }
    )
    fig = spending.build(store.read_all(), state).charts[0].figure
    drawn = {t.name: t for t in fig.data}
    for name in (
        "Model Studio customer base, year-over-year multiple",
        "Tokens to be generated on cloud (CEO forecast)",
    ):
        assert drawn[name].mode == "markers"
        assert len(drawn[name].x) >= 1
