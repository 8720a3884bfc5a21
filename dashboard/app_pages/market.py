"""Market reaction: BABA and 9988.HK around Qwen releases and earnings, against a benchmark."""

import streamlit as st

from dashboard import components, data, params, shell

s = shell.state()
tables = data.tables(str(s.vintage))

if tables["prices_daily"].empty:
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
    on_change=shell.on_widget,
    args=("win", "w_win"),
)
view = data.view("market", s)
if not view.charts:
    components.empty_state(
        "No events inside the price history", "Widen the date range or refresh prices."
    )
    st.stop()
components.render(view)
st.dataframe(view.data, hide_index=True, width="stretch")
