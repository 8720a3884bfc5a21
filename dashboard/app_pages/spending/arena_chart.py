"""Pure figure builder for 'Qwen against the frontier on LM Arena' (no Streamlit, no I/O)."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.app_pages.spending.arena import QWEN, RIVALS, ties
from dashboard.common.theme import COLORS
from dashboard.common.traces import event_marks, footnote

#: Per point only lab and model travel; the source is the trace's own.
SCORE_HOVER = (
    "<b>%{{x|%Y-%m-%d}}</b><br>%{{customdata[0]}}: %{{y:.0f}}<br>model: %{{customdata[1]}}"
    "<br>Source: {source}<extra></extra>"
)
GAP_HOVER = (
    "<b>%{x|%Y-%m-%d}</b><br>best rival %{customdata[0]} ahead by %{y:.0f} points<extra></extra>"
)
LAB_HOVER = (
    "<b>%{x|%Y-%m-%d}</b><br>%{customdata[0]}: %{y:.1f} (interval %{customdata[1]})"
    "<br>model: %{customdata[2]} · rank %{customdata[3]} · %{customdata[4]} votes"
    "<br>%{customdata[5]}<extra></extra>"
)
#: What a rival's point says about Qwen on its date (None: an interval is missing).
VERDICT: dict[object, str] = {
    True: "statistically tied with Qwen (intervals overlap)",
    False: "not tied with Qwen: the intervals do not overlap",
}
#: One colour per lab, the same on every point of the chart.
LAB_COLORS = {
    QWEN: COLORS["qwen"],
    "google": "#1c7ed6",
    "anthropic": "#e8590c",
    "openai": "#2b8a3e",
    "meta": "#1098ad",
    "deepseek": "#364fc7",
}


def _text(value: object, fmt: str) -> str:
    number = float(str(value))
    return "n/a" if math.isnan(number) else format(number, fmt)


def _lab_traces(fig: go.Figure, lines: pd.DataFrame) -> None:
    """Each named lab's published points, with the official interval as error bars."""
    for lab in (QWEN, *RIVALS):
        pts = lines[lines["lab"] == lab]
        if pts.empty:
            continue
        qwen = lab == QWEN
        custom = [
            [
                r.name,
                f"{_text(r.lower, '.1f')}–{_text(r.upper, '.1f')}",
                r.model,
                "#" + _text(r.rank, ".0f"),
                _text(r.votes, ",.0f"),
                VERDICT.get(r.tied, ""),
            ]
            for r in pts.itertuples(index=False)
        ]
        fig.add_trace(
            go.Scatter(
                x=pts["date"],
                y=pts["score"],
                name=f"{pts['name'].iloc[0]}: best model{', interval' if qwen else ''}",
                mode="markers" if qwen else "lines+markers",
                marker={"size": 5, "color": LAB_COLORS.get(str(lab), COLORS["rival"])},
                line={"width": 1, "color": LAB_COLORS.get(str(lab), COLORS["rival"])},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": (pts["upper"] - pts["score"]).tolist(),
                    "arrayminus": (pts["score"] - pts["lower"]).tolist(),
                    "thickness": 1,
                    "width": 2,
                },
                customdata=custom,
                hovertemplate=LAB_HOVER,
                legendgroup=str(lab),
            ),
            row=1,
            col=1,
        )


def tie_sentence(lines: pd.DataFrame) -> str:
    """'On <date> Qwen (#16, 1476.6–1487.0) is statistically tied with Meta.' or why not."""
    day, tied = ties(lines)
    if day is None:
        return "No official interval on file for Qwen."
    q = lines[(lines["lab"] == QWEN) & (lines["date"] == day)].iloc[0]
    head = (
        f"On {day:%Y-%m-%d} Qwen ({q['model']}, #{q['rank']:.0f}, {q['lower']:.1f}–"
        f"{q['upper']:.1f})"
    )
    if tied:
        return f"{head} is statistically tied with {', '.join(tied)}: the intervals overlap."
    return f"{head} is statistically tied with none of the named labs: no interval overlaps."


def frontier_figure(
    frame: pd.DataFrame, releases: pd.DataFrame, note: str, lines: pd.DataFrame | None = None
) -> go.Figure:
    """Qwen's best LM Arena score and the best rival's (top), the gap between them (bottom).

    Every point's hover names its lab and model; the named labs' published points carry their
    intervals, and the title line says with which of them Qwen is statistically tied.
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
    sources = sorted(set(frame["source"])) if len(frame) else []
    hover = SCORE_HOVER.format(source="; ".join(str(s) for s in sources))
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
    title = "Qwen against the frontier on LM Arena (text, overall)"
    if lines is not None and len(lines):
        _lab_traces(fig, lines)
        title += f"<br><sup>{tie_sentence(lines)}</sup>"
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
        title={"text": title, "x": 0},
        height=660,
        hovermode="closest",
        bargap=0,
        legend={"orientation": "h", "y": 1.06, "yanchor": "bottom", "x": 1, "xanchor": "right"},
    )
    return footnote(fig, note)
