"""Chart builders: traces, axis titles with units, hovers with sources, annotations."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.app_pages.market import charts as market_charts
from dashboard.app_pages.market import returns as marketdata
from dashboard.app_pages.overview import charts as overview_charts
from dashboard.app_pages.profitability import charts as profitability_charts
from dashboard.app_pages.spending import charts as spending_charts
from dashboard.common import frames
from dashboard.common import prices as daily_prices

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
    fig = overview_charts.headline(
        q("capex"), q("adjusted_ebita"), q("free_cash_flow"), "Sources: x. Vintage v123."
    )
    assert [t.name for t in fig.data] == ["Capex", "Adjusted EBITA", "Free cash flow"]
    assert fig.data[0].type == "bar" and fig.data[1].mode == "lines+markers"
    assert fig.layout.yaxis.title.text == "¥ bn (hovers: RMB million)"
    assert "Source: %{customdata[1]}" in fig.data[0].hovertemplate
    assert fig.data[0].customdata[0][1] == "Test fixture: SYNTHETIC"
    assert fig.data[0].customdata[0][0] == "FY2026Q1"
    assert any(a.name == "footnote" and "v123" in a.text for a in fig.layout.annotations)
    assert list(fig.layout.xaxis.ticktext) == ["FY2026Q1", "FY2026Q2"]


def test_calendar_basis_relabels_ticks() -> None:
    """The calendar basis labels the June 2025 quarter 2025Q2."""
    fig = overview_charts.headline(
        q("capex", basis="calendar"), q("adjusted_ebita"), q("free_cash_flow"), "n"
    )
    assert list(fig.layout.xaxis.ticktext) == ["2025Q2", "2025Q3"]


def test_usd_conversion_uses_the_release_rate_only() -> None:
    """US$ divides by the quarter's convenience rate; a quarter without one gets no value."""
    usd = q("capex", ccy="USD")
    assert usd["unit"].eq("USD_mn").all()
    assert usd["value"].iloc[0] == pytest.approx(2.5)
    assert pd.isna(usd["value"].iloc[1]) and "no convenience rate" in usd["note"].iloc[1]
    fig = overview_charts.headline(
        usd, q("adjusted_ebita", ccy="USD"), q("free_cash_flow", ccy="USD"), "n"
    )
    assert fig.layout.yaxis.title.text == "US$ bn (hovers: US$ million)"


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
    fig = spending_charts.spending_adoption(
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
    assert "Event: Qwen release" in names
    assert any("380" in (a.text or "") for a in fig.layout.annotations)
    assert fig.layout.yaxis2.title.text == "count"


def test_margin_and_cloud_secondary_axes() -> None:
    """Margins and growth go on a right-hand percent axis."""
    margin = frames.ratio(q("adjusted_ebita"), q("revenue"))
    assert margin["value"].iloc[0] == pytest.approx(10.0)
    fig = profitability_charts.margin_figure(q("adjusted_ebita"), margin, "n")
    assert fig.layout.yaxis2.title.text == "margin, % of revenue"
    cloud = profitability_charts.cloud_figure(q("capex"), margin, q("adjusted_ebita"), "n")
    assert cloud.layout.yaxis2.title.text == "YoY growth, %"


def test_cash_figure_has_four_series() -> None:
    """Operating cash flow, capex, OCF less capex and FCF are all present."""
    frame = q("capex")
    fig = profitability_charts.cash_figure(
        {
            "operating_cash_flow": frame,
            "capex": frame,
            "ocf_less_capex": frame,
            "free_cash_flow": frame,
        },
        "n",
    )
    assert len(fig.data) == 4 and fig.data[2].line.dash == "dash"


def _synthetic_prices(rows: list[tuple[str, list[float]]], days: pd.DatetimeIndex) -> pd.DataFrame:
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "ticker": t,
                    "date": days.strftime("%Y-%m-%d"),
                    "close": v,
                    "adj_close": float("nan"),
                    "currency": "USD",
                    "source_id": "syn",
                    "owner": "curated",
                }
            )
            for t, v in rows
        ],
        ignore_index=True,
    )


def test_event_windows_excess_return() -> None:
    """Window returns run from the close before the window to its last close; excess = minus benchmark."""
    days = pd.bdate_range("2025-04-21", periods=10)
    prices = _synthetic_prices(
        [("BABA", [100.0] * 5 + [110.0] * 5), ("MCHI", [50.0] * 5 + [51.0] * 5)], days
    )
    events = pd.DataFrame(
        {
            "date": [days[5].date().isoformat()],
            "category": ["earnings"],
            "label": ["SYNTHETIC"],
            "source_id": ["syn"],
            "source": ["Test fixture"],
        }
    )
    by = daily_prices.series(prices)
    w = marketdata.event_windows(by, events, 1)  # [-1,+1]: close of day -2 to close of day +1
    row = w[w.ticker == "BABA"].iloc[0]
    assert row["return_pct"] == pytest.approx(10.0)
    assert row["excess_pct"] == pytest.approx(8.0)
    assert (row["from_close"], row["to_close"]) == (
        days[3].date().isoformat(),
        days[6].date().isoformat(),
    )
    assert marketdata.event_windows(by, events, 20).empty  # the series does not reach day +20
    fig = market_charts.window_figure(w, "[-1,+1]", "n")
    assert fig.data[0].name == "BABA: Earnings release"


def test_online_prices_supersede_bundled_ones_per_ticker() -> None:
    """A ticker refreshed from Yahoo uses only Yahoo's rows (never a splice of two vendors)."""
    days = pd.bdate_range("2025-04-21", periods=4)
    bundled = _synthetic_prices([("BABA", [1.0, 2.0, 3.0, 4.0])], days)
    online = bundled.assign(close=[5.0, 6.0, 7.0, 8.0], owner="yahoo", source_id="yahoo_prices")
    by = daily_prices.series(pd.concat([bundled, online.iloc[2:]], ignore_index=True))
    assert by["BABA"]["close"].tolist() == [7.0, 8.0]


def test_usd_at_the_period_average_rate() -> None:
    """US$ at the quarter's average rate uses the daily USD/CNY series; the footnote names it."""
    days = pd.DatetimeIndex(["2025-04-02", "2025-06-30"])
    prices = _synthetic_prices([("USDCNY_PBOC", [7.0, 9.0])], days).assign(currency="RMB_per_USD")
    rate, name = daily_prices.average_usd_rate(daily_prices.series(prices))
    usd = q("capex", ccy="USD_avg", avg_rate=rate)
    assert usd["value"].iloc[0] == pytest.approx(2.5)  # 20 / mean(7, 9)
    assert pd.isna(usd["value"].iloc[1]) and "no average rate" in usd["note"].iloc[1]
    from dashboard.common.view import footnote_text

    text = footnote_text([usd], "v1", "USD_avg", rate=name)
    assert "period-average" in text and "PBOC USD/CNY central parity" in text


def test_release_rate_falls_back_to_the_us_dollars_the_release_states() -> None:
    """Where no convenience rate is on file, the US$ view shows the release's own US$ figure."""
    stated = SYNTHETIC_FACTS.iloc[[1]].assign(metric="capex_usd", value=4.0, unit="USD_mn")
    facts = pd.concat([SYNTHETIC_FACTS, stated], ignore_index=True)
    usd = frames.quarterly(facts, "capex", ccy="USD", names=NAMES)
    assert usd["value"].tolist() == [2.5, 4.0]  # 20 / 8 at the rate; 4.0 as stated
    assert usd["note"].iloc[1] == frames.USD_STATED_NOTE
    from dashboard.common.view import footnote_text

    assert "FY2026Q2: US$ as the release states it" in footnote_text([usd], "v1", "USD")
