"""Pure figure builder for 'Qwen against the frontier on LM Arena' (no Streamlit, no I/O)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.charts import event_marks, footnote
from dashboard.theme import COLORS

#: Per point only lab and model travel; the source is the trace's own.
SCORE_HOVER = (
    "<b>%{{x|%Y-%m-%d}}</b><br>%{{customdata[0]}}: %{{y:.0f}}<br>model: %{{customdata[1]}}"
    "<br>Source: {source}<extra></extra>"
)
GAP_HOVER = (
    "<b>%{x|%Y-%m-%d}</b><br>best rival %{customdata[0]} ahead by %{y:.0f} points<extra></extra>"
)


def frontier_figure(frame: pd.DataFrame, releases: pd.DataFrame, note: str) -> go.Figure:
    """Qwen's best LM Arena score and the best rival's (top), the gap between them (bottom).

    Every point's hover names its lab and model; Qwen releases are marked on both panels.
    """
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.08,
        row_heights=[0.68, 0.32],
        subplot_titles=["Best text-arena score", "Gap: best rival minus Qwen"],
    )
    qwen_data = [["Qwen (Alibaba)", m] for m in frame["qwen_model"]]
    rival_data = [[lab, m] for lab, m in zip(frame["rival_lab"], frame["rival_model"], strict=True)]
    hover = SCORE_HOVER.format(source=str(frame["source"].iloc[0]) if len(frame) else "")
    fig.add_trace(
        go.Scatter(
            x=frame["date"],
            y=frame["qwen"],
            name="Qwen's best model",
            mode="lines",
            line={"color": COLORS["qwen"], "width": 2.5, "shape": "hv"},
            customdata=qwen_data,
            hovertemplate=hover,
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=frame["date"],
            y=frame["rival"],
            name="Best rival model (any other lab)",
            mode="lines",
            line={"color": COLORS["rival"], "width": 2, "dash": "dash", "shape": "hv"},
            customdata=rival_data,
            hovertemplate=hover,
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Bar(
            x=frame["date"],
            y=frame["gap"],
            name="Gap (points)",
            marker_color=COLORS["gap"],
            customdata=[[lab] for lab in frame["rival_lab"]],
            hovertemplate=GAP_HOVER,
        ),
        row=2,
        col=1,
    )
    event_marks(fig, releases, y=float(frame["qwen"].min()) if len(frame) else 1.0)
    fig.update_yaxes(title_text="Arena score", row=1, col=1)
    fig.update_yaxes(title_text="points", row=2, col=1, zeroline=True)
    fig.update_xaxes(title_text="leaderboard publish date", row=2, col=1)
    fig.update_layout(
        title={"text": "Qwen against the frontier on LM Arena (text, overall)", "x": 0},
        height=620,
        hovermode="closest",
        bargap=0,
        legend={"orientation": "h", "y": 1.04, "yanchor": "bottom", "x": 1, "xanchor": "right"},
    )
    return footnote(fig, note)
