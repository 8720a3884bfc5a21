"""Pure figure builders of the Market reaction page (no Streamlit, no I/O)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.common.safe import plotly_text
from dashboard.common.theme import ADOPTION_COLORS
from dashboard.common.traces import EVENT_COLORS, event_marks, footnote

#: Per point only the close travels; currency and source are the trace's own (one per series).
PRICE_HOVER = (
    "<b>%{{x|%Y-%m-%d}}</b><br>%{{fullData.name}}: %{{y:.1f}}<br>close %{{customdata:,.2f}} "
    "{currency}<br>Source: {source}<extra></extra>"
)
WINDOW_HOVER = (
    "<b>%{customdata[0]}</b> (%{customdata[1]})<br>%{customdata[2]} %{customdata[3]}: "
    "%{customdata[4]:+.1f}%<br>benchmark %{customdata[5]}: %{customdata[6]:+.1f}%"
    "<br>excess %{y:+.1f}%<br>closes %{customdata[7]} to %{customdata[8]}"
    "<br>Source: %{customdata[9]}<extra></extra>"
)
CATEGORY_NAMES = {
    "qwen_release": "Qwen release",
    "earnings": "Earnings release",
    "conference": "Conference",
}
SYMBOLS = {"qwen_release": "diamond", "earnings": "circle", "conference": "triangle-up"}


def price_figure(
    indexed: dict[str, pd.DataFrame],
    names: dict[str, str],
    events: pd.DataFrame,
    note: str,
) -> go.Figure:
    """Each listing and benchmark rebased to 100 on the first day in range, with event marks."""
    fig = go.Figure()
    for i, (ticker, f) in enumerate(indexed.items()):
        source = names.get(str(f["source_id"].iloc[0]), str(f["source_id"].iloc[0]))
        fig.add_trace(
            go.Scatter(
                x=f["date"],
                y=f["index"],
                name=ticker,
                mode="lines",
                line={
                    "width": 2 if ticker in ("BABA", "9988.HK") else 1.2,
                    "color": ADOPTION_COLORS[i % len(ADOPTION_COLORS)],
                },
                customdata=f["price"].round(4).to_numpy(),
                hovertemplate=PRICE_HOVER.format(
                    currency=plotly_text(f["currency"].iloc[0]), source=plotly_text(source)
                ),
            )
        )
    event_marks(fig, events, y=100.0)
    fig.update_layout(
        title={
            "text": "BABA and 9988.HK against their benchmarks (first day in range = 100)",
            "x": 0,
        },
        height=460,
        hovermode="closest",
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 1, "xanchor": "right"},
    )
    fig.update_yaxes(title_text="index (first day in range = 100; each in its own currency)")
    fig.update_xaxes(title_text="trading day")
    return footnote(fig, note)


def window_figure(windows: pd.DataFrame, window: str, note: str) -> go.Figure:
    """Excess return of each listing over its benchmark in the window, event by event.

    Qwen releases and earnings releases are told apart by colour and symbol.
    """
    fig = go.Figure()
    for (category, ticker), g in windows.groupby(["category", "ticker"], sort=True):
        color = EVENT_COLORS.get(str(category), EVENT_COLORS["other"])
        fig.add_trace(
            go.Scatter(
                x=pd.to_datetime(g["event_date"]),
                y=g["excess_pct"],
                name=f"{ticker}: {CATEGORY_NAMES.get(str(category), str(category))}",
                mode="markers",
                marker={
                    "color": color if ticker == "BABA" else "rgba(0,0,0,0)",
                    "line": {"color": color, "width": 2},
                    "size": 10,
                    "symbol": SYMBOLS.get(str(category), "square"),
                },
                customdata=[
                    [
                        plotly_text(r["event"][:70]),
                        r["event_date"],
                        r["ticker"],
                        window,
                        r["return_pct"],
                        r["benchmark"],
                        r["benchmark_pct"],
                        r["from_close"],
                        r["to_close"],
                        plotly_text(r["source"]),
                    ]
                    for r in g.to_dict("records")
                ],
                hovertemplate=WINDOW_HOVER,
            )
        )
    fig.add_hline(y=0, line_width=1, line_color="#868e96")
    fig.update_layout(
        title={
            "text": f"Excess return over the benchmark, trading days {window} around each event",
            "x": 0,
        },
        height=460,
        hovermode="closest",
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 1, "xanchor": "right"},
    )
    fig.update_yaxes(title_text="excess return, % (listing minus benchmark)", zeroline=True)
    fig.update_xaxes(title_text="event date")
    return footnote(fig, note)
