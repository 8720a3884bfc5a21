"""The Profitability page's figures: margin, cash flows, capex intensity, the cloud segment."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.common.frames import AI_CLOUD_FIRST_QUARTER
from dashboard.common.theme import COLORS, unit_label
from dashboard.common.traces import bar, footnote, layout, line, quarter_ticks


def margin_figure(ebita: pd.DataFrame, margin: pd.DataFrame, note: str) -> go.Figure:
    """Adjusted EBITA (bars) and its margin on revenue (line, right axis)."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(bar(ebita, "Adjusted EBITA", COLORS["adjusted_ebita"]), secondary_y=False)
    fig.add_trace(line(margin, "Adjusted EBITA margin", COLORS["margin"]), secondary_y=True)
    unit = ebita["unit"].iloc[0] if len(ebita) else "RMB_mn"
    layout(fig, "Adjusted EBITA and margin", unit_label(unit), unit=unit)
    fig.update_yaxes(
        title_text="margin, % of revenue", secondary_y=True, tickformat=".0f", showgrid=False
    )
    quarter_ticks(fig, [ebita, margin])
    return footnote(fig, note)


def cash_figure(frames: dict[str, pd.DataFrame], note: str) -> go.Figure:
    """Operating cash flow, capex, OCF less capex and the company's free cash flow."""
    spec = [
        ("Operating cash flow", "operating_cash_flow", "line"),
        ("Capex", "capex", "bar"),
        ("Operating cash flow less capex", "ocf_less_capex", "line"),
        ("Free cash flow (company definition)", "free_cash_flow", "line"),
    ]
    traces = [
        bar(frames[k], n, COLORS[k])
        if kind == "bar"
        else line(frames[k], n, COLORS[k], dash="dash" if k == "ocf_less_capex" else "solid")
        for n, k, kind in spec
    ]
    fig = go.Figure(traces)
    unit = next((f["unit"].iloc[0] for f in frames.values() if len(f)), "RMB_mn")
    layout(fig, "Cash: operating cash flow, capex and free cash flow", unit_label(unit), unit=unit)
    quarter_ticks(fig, list(frames.values()))
    return footnote(fig, note)


def intensity_figure(intensity: pd.DataFrame, note: str) -> go.Figure:
    """Capex intensity: capex as a percentage of revenue."""
    fig = go.Figure([bar(intensity, "Capex intensity (capex / revenue)", COLORS["capex"])])
    layout(fig, "Capex intensity", "% of revenue", height=360)
    quarter_ticks(fig, [intensity])
    return footnote(fig, note, width=75)


def cloud_figure(
    revenue: pd.DataFrame,
    growth: pd.DataFrame,
    ebita: pd.DataFrame,
    note: str,
    *,
    ai: dict[str, pd.DataFrame] | None = None,
) -> go.Figure:
    """Cloud segment revenue and adjusted EBITA (bars) with revenue growth (line, right axis).

    From FY2027 the company reports "AI Cloud and Compute Services" (Cloud Intelligence Group
    plus T-Head) instead: `ai` holds its revenue and EBITA (with the recast year-ago quarter),
    drawn as their own bars and never joined to the old segment; a mark shows the change.
    """
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(
        bar(revenue, "Cloud Intelligence Group revenue", COLORS["cloud_revenue"]), secondary_y=False
    )
    fig.add_trace(
        bar(ebita, "Cloud Intelligence Group adjusted EBITA", COLORS["cloud_adjusted_ebita"]),
        secondary_y=False,
    )
    frames = [revenue, ebita, growth]
    for key, name in (
        ("ai_cloud_revenue", "AI Cloud and Compute Services revenue"),
        ("ai_cloud_adjusted_ebita", "AI Cloud and Compute Services adjusted EBITA"),
    ):
        frame = (ai or {}).get(key)
        if frame is not None and len(frame):
            fig.add_trace(bar(frame, name, COLORS[key]), secondary_y=False)
            frames.append(frame)
    fig.add_trace(line(growth, "Cloud revenue YoY (stated)", COLORS["margin"]), secondary_y=True)
    unit = revenue["unit"].iloc[0] if len(revenue) else "RMB_mn"
    layout(fig, "Cloud segment", unit_label(unit), unit=unit)
    fig.update_yaxes(title_text="YoY growth, %", secondary_y=True, tickformat=".0f", showgrid=False)
    if len(frames) > 3:
        change = pd.Timestamp(AI_CLOUD_FIRST_QUARTER) - pd.Timedelta(days=46)
        fig.add_vline(x=change, line_dash="dot")
        # Left of the mark, on two short lines: at the right edge a one-line label was cut.
        fig.add_annotation(
            x=change,
            y=1,
            xref="x",
            yref="paper",
            xanchor="right",
            yanchor="top",
            xshift=-4,
            text="FY2027: new segment<br>(CIG + T-Head)",
            showarrow=False,
            align="right",
            font={"size": 10},
            bgcolor="rgba(128,128,128,0.15)",
        )
    quarter_ticks(fig, frames)
    return footnote(fig, note, width=75)
