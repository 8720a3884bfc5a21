"""The Spending page's main figure: capex on top, each adoption series below, one timeline."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.common.frames import COMMITMENT_RMB_MN, is_dense
from dashboard.common.theme import ADOPTION_COLORS, COLORS, MONEY_UNITS, unit_label
from dashboard.common.traces import bar, event_marks, footnote, history, line, money_axis, points
from etl.models import METRICS

#: Axis titles of the capex panel in the transformed views (the title says the same).
TRANSFORM_AXIS = {"index": "index (first quarter = 100)", "pct": "YoY change, %"}


def spending_adoption(
    capex: pd.DataFrame,
    capex_name: str,
    adoption: dict[str, pd.DataFrame],
    events: pd.DataFrame,
    note: str,
    *,
    kind: str = "bar",
    commitment: bool = False,
    stated: pd.DataFrame | None = None,
) -> go.Figure:
    """Capex on top, each adoption series as dated observations below, one shared timeline.

    `kind` comes from the view state: quarterly levels are bars; TTM, cumulative, indexed and
    YoY views are lines. `commitment` draws the RMB 380 bn plan (cumulative RMB view).
    `stated` adds capex as stated in words (a different definition) as markers. Dense measured
    adoption histories are lines; dated statements stay markers.
    """
    # Only series with figures get a panel: the page says which chosen series have none.
    rows = 1 + len(adoption)
    titles = [capex_name] + [METRICS[m].label for m in adoption]
    fig = make_subplots(
        rows=rows,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06 if rows > 1 else 0.0,
        subplot_titles=titles,
    )
    unit = capex["unit"].iloc[0] if len(capex) else "RMB_mn"
    trace = (
        bar(capex, capex_name, COLORS["capex"])
        if kind == "bar"
        else line(capex, capex_name, COLORS["capex"])
    )
    fig.add_trace(trace, row=1, col=1)
    if unit in MONEY_UNITS:
        extra = (COMMITMENT_RMB_MN,) if commitment else ()
        money_axis(fig, unit, extra=extra)
    else:
        fig.update_yaxes(title_text=TRANSFORM_AXIS.get(unit, unit_label(unit)), row=1, col=1)
    if commitment:
        fig.add_hline(
            y=COMMITMENT_RMB_MN,
            line_dash="dot",
            line_color=COLORS["capex_commitment"],
            row=1,
            col=1,
            annotation_text="RMB 380 bn three-year plan (Feb 2025)",
            annotation_position="top left",
        )
    if stated is not None and len(stated):
        fig.add_trace(
            points(stated, "Capex as stated in words", COLORS["capex_stated"], marker_size=8),
            row=1,
            col=1,
        )
    for i, (metric, frame) in enumerate(adoption.items(), start=2):
        color = ADOPTION_COLORS[(i - 2) % len(ADOPTION_COLORS)]
        trace = (
            history(frame, METRICS[metric].label, color)
            if is_dense(frame)
            else points(frame, METRICS[metric].label, color)
        )
        fig.add_trace(trace, row=i, col=1)
        # The frame's unit, not the metric's: an indexed view draws an index, not a count.
        shown = str(frame["unit"].iloc[0]) if len(frame) else METRICS[metric].unit
        fig.update_yaxes(
            title_text="index (first observation = 100)" if shown == "index" else unit_label(shown),
            row=i,
            col=1,
            autorange="reversed" if METRICS[metric].unit == "rank" else True,
        )
    event_marks(fig, events)
    fig.update_layout(
        title={"text": "Spending against adoption", "x": 0},
        height=260 + 190 * rows,
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 1, "xanchor": "right"},
        hovermode="closest",
    )
    fig.update_xaxes(
        title_text="date (quarter end for capex, as-of date for adoption)", row=rows, col=1
    )
    return footnote(fig, note)
