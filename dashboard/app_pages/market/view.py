"""The Market page's view: prices against benchmarks, and returns around Qwen and earnings."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from dashboard.app_pages.market import charts, returns
from dashboard.common import frames, traces
from dashboard.common.params import ViewState
from dashboard.common.view import DATA_COLUMNS, Chart, Context, View, range_message
from etl.models import EventImportance

#: The events whose price reaction the Market page measures (every one, major or minor).
MARKET_EVENTS = ("qwen_release", "earnings", "conference")
#: Room at the ends of the Market page's date axis: daily lines need none, markers a little.
MARKER_ROOM = pd.Timedelta(days=7)
MARKET_TICKERS = ("BABA", "MCHI", "9988.HK", "^HSI")
MARKET_NOTE = (
    "Descriptive, not causal: other news moves prices too, and windows around dates close "
    "together overlap. Day 0 is the first trading day on or after the event; each series counts "
    "its own exchange's trading days (NYSE for BABA and MCHI, HKEX for 9988.HK and ^HSI). "
    "Returns use adjusted closes where the series has them. "
)


@dataclass(frozen=True)
class MarketView(View):
    """The Market page: two figures, the returns around each event, the price series used."""

    prices: Chart | None = None
    windows_chart: Chart | None = None
    #: Every price series of the vintage (empty: the vintage holds no market data).
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: The returns around each event in range.
    windows: pd.DataFrame = field(default_factory=pd.DataFrame)


def build(tables: dict[str, pd.DataFrame], s: ViewState) -> MarketView:
    """Prices against benchmarks, and returns around Qwen releases and earnings."""
    c = Context(tables, s)
    by_ticker = c.prices_by_ticker
    if not by_ticker:
        return MarketView("market")
    table = returns.coverage(by_ticker, c.source_names)
    events = c.events_in_range(MARKET_EVENTS)
    indexed = returns.indexed(by_ticker, MARKET_TICKERS, (s.start, s.end))
    if not indexed:
        first = min(f["date"].min() for f in by_ticker.values())
        last = max(f["date"].max() for f in by_ticker.values())
        span = f"this vintage's daily closes run from {first:%Y-%m-%d} to {last:%Y-%m-%d}"
        return MarketView("market", messages=(range_message(c, span),), table=table)
    price_sources = [
        f.assign(value=f["price"], source=f["source_id"].map(c.source_names))
        for f in indexed.values()
    ]
    note = c.footnote(price_sources, "Daily closes; " + MARKET_NOTE, ccy="RMB").replace(
        " Amounts in RMB as reported.", ""
    )
    prices = Chart(
        "market_prices",
        charts.price_figure(indexed, c.source_names, _marked(events, s.importance), note),
        f"prices_indexed_{c.vintage}",
    )
    windows = returns.event_windows(by_ticker, events, s.win, (s.start, s.end))
    if windows.empty:
        _share_market_dates([prices], indexed, windows, s)
        return MarketView(
            "market",
            messages=(
                "No Qwen release, earnings or conference date in range has a full window of prices.",
            ),
            prices=prices,
            table=table,
        )
    label = returns.window_label(s.win)
    dated = windows.assign(value=windows["excess_pct"])
    wnote = c.footnote(
        [dated, *price_sources], "Event dates: see the table. " + MARKET_NOTE, ccy="RMB"
    )
    wnote = wnote.replace(" Amounts in RMB as reported.", "")
    windows_chart = Chart(
        "market_windows",
        charts.window_figure(windows, label, wnote),
        f"event_windows_{s.win}_{c.vintage}",
    )
    _share_market_dates([prices, windows_chart], indexed, windows, s)
    data = windows.assign(
        series=windows["ticker"] + " " + label + " excess over " + windows["benchmark"],
        period_end=windows["event_date"],
        label=windows["event"],
        value=windows["excess_pct"],
        unit="pct",
        source_url="",
        note="return "
        + windows["return_pct"].round(2).astype(str)
        + "%, benchmark "
        + windows["benchmark_pct"].round(2).astype(str)
        + "%",
    )[DATA_COLUMNS]
    return MarketView(
        "market",
        data=data,
        prices=prices,
        windows_chart=windows_chart,
        table=table,
        windows=windows,
    )


def _marked(events: pd.DataFrame, importance: EventImportance) -> pd.DataFrame:
    """The events drawn as lines: the major ones unless the view asks for all."""
    return events[events["importance"] == "major"] if importance == "major" else events


def _share_market_dates(
    drawn_charts: list[Chart], indexed: dict[str, pd.DataFrame], windows: pd.DataFrame, s: ViewState
) -> None:
    drawn = [*(f["date"] for f in indexed.values()), windows["event_date"]]
    span = traces.date_span(*frames.bounds((s.start, s.end)), drawn, MARKER_ROOM)
    traces.share_dates([ch.figure for ch in drawn_charts], span)
