"""Market reaction: BABA and 9988.HK around Qwen releases and earnings, against a benchmark."""

import streamlit as st

from dashboard import charts, components, data, frames, params, shell

s = shell.state()
v = str(s.vintage)
prices = data.prices(v)

if prices.empty:
    components.empty_state(
        "This vintage holds no market data",
        "Daily prices of BABA, 9988.HK and a benchmark come from the online refresh (yfinance). The curated "
        "data in data/ hold no prices, so an offline build has none. Load them with:",
        "python -m etl refresh --source yahoo",
    )
    st.stop()

st.slider(
    "Event window (trading days each side)",
    *params.WINDOW_RANGE,
    value=s.win,
    key="w_win",
    on_change=shell._on,
    args=("win", "w_win"),
)
events = data.events(v)
events = events[events["category"].isin(["qwen_release", "earnings"])]
names = frames.source_names(data.sources(v))
windows = frames.event_windows(prices, events, s.win, names, (s.start, s.end))
if windows.empty:
    components.empty_state(
        "No events inside the price history", "Widen the date range or refresh prices."
    )
    st.stop()
note = components.footnote_text([], v, "RMB", "Prices: Yahoo Finance via yfinance (vendor data). ")
components.chart(
    charts.event_returns(windows, note), "market_events", f"event_returns_{s.win}d_{v}"
)
st.dataframe(windows, hide_index=True, width="stretch")
