"""Chart builders: traces, axis titles with units, hovers with sources, annotations."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import charts, frames

SYNTHETIC_FACTS = pd.DataFrame(
    {
        "entity": ["alibaba"] * 6 + ["qwen"],
        "metric": [
            "capex",
            "capex",
            "adjusted_ebita",
            "free_cash_flow",
            "revenue",
            "usd_rmb_rate",
            "hf_qwen_derivative_models",
        ],
        "period_end": [
            "2025-06-30",
            "2025-09-30",
            "2025-06-30",
            "2025-06-30",
            "2025-06-30",
            "2025-06-30",
            "2025-07-01",
        ],
        "fiscal_period": [
            "FY2026Q1",
            "FY2026Q2",
            "FY2026Q1",
            "FY2026Q1",
            "FY2026Q1",
            "FY2026Q1",
            "",
        ],
        "value": [20.0, 30.0, 10.0, -5.0, 100.0, 8.0, 1000.0],
        "unit": ["RMB_mn"] * 5 + ["RMB_per_USD", "count"],
        "source_id": ["syn"] * 7,
        "source_url": ["https://example.invalid/synthetic"] * 7,
        "basis": ["reported"] * 7,
        "note": ["synthetic"] * 7,
        "origin": [""] * 7,
    }
)
NAMES = {"syn": "Test fixture: SYNTHETIC"}


def q(metric: str, **kw: str) -> pd.DataFrame:
    return frames.quarterly(SYNTHETIC_FACTS, metric, names=NAMES, **kw)


def test_headline_traces_units_hover_footnote() -> None:
    """Capex bars plus EBITA and FCF lines, RMB axis, source in hover, vintage in footnote."""
    fig = charts.headline(
        q("capex"), q("adjusted_ebita"), q("free_cash_flow"), "Sources: x. Vintage v123."
    )
    assert [t.name for t in fig.data] == ["Capex", "Adjusted EBITA", "Free cash flow"]
    assert fig.data[0].type == "bar" and fig.data[1].mode == "lines+markers"
    assert fig.layout.yaxis.title.text == "RMB million"
    assert "Source: %{customdata[1]}" in fig.data[0].hovertemplate
    assert fig.data[0].customdata[0][1] == "Test fixture: SYNTHETIC"
    assert fig.data[0].customdata[0][0] == "FY2026Q1"
    assert any(a.name == "footnote" and "v123" in a.text for a in fig.layout.annotations)
    assert list(fig.layout.xaxis.ticktext) == ["FY2026Q1", "FY2026Q2"]


def test_calendar_basis_relabels_ticks() -> None:
    """The calendar basis labels the June 2025 quarter 2025Q2."""
    fig = charts.headline(
        q("capex", basis="calendar"), q("adjusted_ebita"), q("free_cash_flow"), "n"
    )
    assert list(fig.layout.xaxis.ticktext) == ["2025Q2", "2025Q3"]


def test_usd_conversion_uses_the_release_rate_only() -> None:
    """US$ divides by the quarter's convenience rate; a quarter without one gets no value."""
    usd = q("capex", ccy="USD")
    assert usd["unit"].eq("USD_mn").all()
    assert usd["value"].iloc[0] == pytest.approx(2.5)
    assert pd.isna(usd["value"].iloc[1]) and "no convenience rate" in usd["note"].iloc[1]
    fig = charts.headline(usd, q("adjusted_ebita", ccy="USD"), q("free_cash_flow", ccy="USD"), "n")
    assert fig.layout.yaxis.title.text == "US$ million"


def test_spending_adoption_markers_events_commitment() -> None:
    """Adoption is drawn as markers only, events as marks, cumulative capex with the 380 bn line."""
    events = pd.DataFrame(
        {
            "date": ["2025-04-29"],
            "category": ["qwen_release"],
            "label": ["SYNTHETIC release"],
            "source": ["Test fixture"],
        }
    )
    adoption = {
        "hf_qwen_derivative_models": frames.observations(
            SYNTHETIC_FACTS, "hf_qwen_derivative_models", NAMES
        )
    }
    fig = charts.spending_adoption(
        q("capex"),
        "Capex, cumulative since April 2025",
        adoption,
        events,
        "n",
        kind="line",
        commitment=True,
    )
    names = [t.name for t in fig.data]
    assert "Qwen derivative models (stated)" in names
    adopt = fig.data[names.index("Qwen derivative models (stated)")]
    assert adopt.mode == "markers"
    assert "Event: qwen release" in names
    assert any("380" in (a.text or "") for a in fig.layout.annotations)
    assert fig.layout.yaxis2.title.text == "count"


def test_margin_and_cloud_secondary_axes() -> None:
    """Margins and growth go on a right-hand percent axis."""
    margin = frames.ratio(q("adjusted_ebita"), q("revenue"))
    assert margin["value"].iloc[0] == pytest.approx(10.0)
    fig = charts.margin_figure(q("adjusted_ebita"), margin, "n")
    assert fig.layout.yaxis2.title.text == "margin, % of revenue"
    cloud = charts.cloud_figure(q("capex"), margin, q("adjusted_ebita"), "n")
    assert cloud.layout.yaxis2.title.text == "YoY growth, %"


def test_cash_figure_has_four_series() -> None:
    """Operating cash flow, capex, OCF less capex and FCF are all present."""
    frame = q("capex")
    fig = charts.cash_figure(
        {
            "operating_cash_flow": frame,
            "capex": frame,
            "ocf_less_capex": frame,
            "free_cash_flow": frame,
        },
        "n",
    )
    assert len(fig.data) == 4 and fig.data[2].line.dash == "dash"


def test_event_windows_excess_return() -> None:
    """Excess return is the stock's cumulative return minus the benchmark's from the prior close."""
    days = pd.bdate_range("2025-04-21", periods=10)
    prices = pd.concat(
        [
            pd.DataFrame({"ticker": "BABA", "date": days, "close": [100.0] * 5 + [110.0] * 5}),
            pd.DataFrame({"ticker": "KWEB", "date": days, "close": [50.0] * 5 + [51.0] * 5}),
        ]
    )
    events = pd.DataFrame(
        {"date": [days[5].date().isoformat()], "label": ["SYNTHETIC"], "source_id": ["syn"]}
    )
    w = frames.event_windows(prices, events, 2, NAMES)
    day0 = w[(w.ticker == "BABA") & (w.day == 0)]
    assert day0["return_pct"].item() == pytest.approx(10.0)
    assert day0["excess_pct"].item() == pytest.approx(8.0)
    fig = charts.event_returns(w, "n")
    assert fig.layout.xaxis.title.text == "trading days from the event"


def test_usd_at_the_period_average_rate() -> None:
    """US$ at the quarter's average rate uses refreshed CNY=X closes; the footnote names the policy."""
    prices = pd.DataFrame(
        {
            "ticker": "CNY=X",
            "date": ["2025-04-02", "2025-06-30"],
            "close": [7.0, 9.0],
            "currency": "CNY",
            "source_id": "yahoo_prices",
        }
    )
    rate = frames.average_usd_rate(prices)
    usd = q("capex", ccy="USD_avg", avg_rate=rate)
    assert usd["value"].iloc[0] == pytest.approx(2.5)  # 20 / mean(7, 9)
    assert pd.isna(usd["value"].iloc[1]) and "no average rate" in usd["note"].iloc[1]
    from dashboard.views import footnote_text

    assert "period-average" in footnote_text([usd], "v1", "USD_avg")
