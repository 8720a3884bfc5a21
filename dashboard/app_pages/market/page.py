"""Market reaction: BABA and 9988.HK against benchmarks, and returns around Qwen and earnings."""

import streamlit as st

from dashboard import shell
from dashboard.app_pages.market import returns
from dashboard.app_pages.market import view as market
from dashboard.common import components, data, params

s = shell.state()
view = data.view(market.build, s)

if view.table.empty:  # the coverage table lists every price series of the vintage
    components.empty_state(
        "This vintage holds no market data",
        "Daily closes come bundled in data/market/ (built from data/snapshots/prices/) and from "
        "the online refresh (yfinance). Rebuild, or refresh for the latest prices:",
        "python -m etl refresh --source yahoo",
    )
    st.stop()

# The charts are sent first (the browser starts on them at once); the controls are filled in
# above them afterwards, in a container kept in their place (their callbacks set the state).
controls = st.container()
components.render(view)
w1, w2 = controls.columns([2, 1])
shell.importance_control(
    w2,
    "Events marked on the prices",
    s,
    "The window chart and table measure every Qwen release, earnings date and conference.",
)
w1.segmented_control(
    "Event window (trading days around the event)",
    params.WINDOWS,
    default=s.win,
    key="w_win",
    on_change=shell.on_widget,
    args=("win", "w_win"),
    format_func=lambda w: returns.window_label(int(w)),
)
st.caption(market.MARKET_NOTE)
if len(view.windows):
    st.subheader("Returns around each event")
    st.dataframe(
        view.windows.drop(columns=["source_id"]),
        hide_index=True,
        width="stretch",
        column_config={
            c: st.column_config.NumberColumn(c.replace("_pct", " (%)"), format="%+.2f")
            for c in ("return_pct", "benchmark_pct", "excess_pct")
        },
    )
st.subheader("Price series in this view")
st.dataframe(view.table, hide_index=True, width="stretch")
