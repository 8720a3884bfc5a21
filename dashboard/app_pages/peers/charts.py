"""The Peers page's figures: trailing capex by company, and spend against standing."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.common.theme import ADOPTION_COLORS
from dashboard.common.traces import HEIGHT, footnote, layout
from etl.models import COMPANIES

COMPANY_ORDER = tuple(COMPANIES)


def _color(entity: str) -> str:
    return ADOPTION_COLORS[COMPANY_ORDER.index(entity) % len(ADOPTION_COLORS)]


def ttm_figure(ttm: pd.DataFrame, mode: str, note: str) -> go.Figure:
    """Trailing-four-quarter capex per company, in US$ bn or indexed to its first quarter shown."""
    fig = go.Figure()
    for entity in [e for e in COMPANY_ORDER if e in set(ttm["entity"])]:
        rows = ttm[ttm["entity"] == entity].sort_values("period_end")
        y = rows["value"] / 1000
        if mode == "index":
            y = rows["value"] / rows["value"].iloc[0] * 100
        fig.add_trace(
            go.Scatter(
                x=rows["period_end"],
                y=y,
                mode="lines+markers",
                name=COMPANIES[entity].name,
                line={"color": _color(entity)},
                customdata=list(
                    zip(
                        [str(p.to_period("Q")) for p in rows["period_end"]],
                        rows["source"].astype(str),
                        rows["concept"].astype(str),
                        strict=True,
                    )
                ),
                hovertemplate=(
                    f"<b>{COMPANIES[entity].name}</b> %{{customdata[0]}}<br>"
                    + ("Index: %{y:,.1f}" if mode == "index" else "US$ %{y:,.1f} bn")
                    + "<br>Latest quarter's source: %{customdata[1]}<br>"
                    "<i>%{customdata[2]}</i><extra></extra>"
                ),
            )
        )
    title = "Capex over the trailing four quarters, by company"
    y_title = "index (first quarter shown = 100)" if mode == "index" else "US$ bn"
    layout(fig, title, y_title)
    fig.update_xaxes(title_text="calendar quarter end")
    return footnote(fig, note)


def intensity_figure(ratio: pd.DataFrame, note: str) -> go.Figure:
    """Capex as a share of revenue over the trailing four quarters, per company."""
    fig = go.Figure()
    for entity in [e for e in COMPANY_ORDER if e in set(ratio["entity"])]:
        rows = ratio[ratio["entity"] == entity].sort_values("period_end")
        fig.add_trace(
            go.Scatter(
                x=rows["period_end"],
                y=rows["value"],
                mode="lines+markers",
                name=COMPANIES[entity].name,
                line={"color": _color(entity)},
                hovertemplate=(
                    f"<b>{COMPANIES[entity].name}</b> %{{x|%Y-%m-%d}}<br>"
                    "Capex / revenue (4 quarters): %{y:.1f}%<extra></extra>"
                ),
            )
        )
    layout(
        fig, "Capex intensity: capex as a share of revenue, trailing four quarters", "% of revenue"
    )
    fig.update_xaxes(title_text="calendar quarter end")
    return footnote(fig, note)


def standing_figure(points: pd.DataFrame, y: str, note: str) -> go.Figure:
    """Trailing capex (x) against the lab's LM Arena score or months behind the #1 (y)."""
    fig = go.Figure()
    for (entity, lab), rows in points.groupby(["entity", "lab"], sort=False):
        rows = rows.sort_values("period_end")
        partner = bool(rows["partner"].iloc[0])
        name = f"{COMPANIES[str(entity)].name} · {lab}" + (" (partner lab)" if partner else "")
        fig.add_trace(
            go.Scatter(
                x=rows["value"] / 1000,
                y=rows[y],
                mode="lines+markers",
                name=name,
                line={"color": _color(str(entity)), "dash": "dash" if partner else "solid"},
                customdata=list(
                    zip(
                        [str(p.to_period("Q")) for p in rows["period_end"]],
                        rows["source"].astype(str),
                        rows["concept"].astype(str),
                        rows["model"].astype(str),
                        rows["score"].round(0).astype(int).astype(str),
                        rows["months_behind"].round(1).astype(str),
                        strict=True,
                    )
                ),
                hovertemplate=(
                    f"<b>{name}</b> %{{customdata[0]}}<br>Capex (4 quarters): US$ %{{x:,.1f}} bn"
                    "<br>Source: %{customdata[1]}<br><i>%{customdata[2]}</i><br>"
                    "Model: %{customdata[3]}, score %{customdata[4]}, "
                    "%{customdata[5]} months behind the #1<extra></extra>"
                ),
            )
        )
    if y == "score":
        title, y_title = (
            "Spend against standing: trailing capex and the lab's best LM Arena score",
            "LM Arena score",
        )
    else:
        title, y_title = (
            "Months behind the frontier against trailing capex",
            "months behind the #1 score",
        )
    layout(fig, title, y_title, height=HEIGHT + 60)
    # Up to eight company-lab pairings: a legend beside the plot keeps the title readable.
    fig.update_layout(legend={"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1})
    fig.update_xaxes(title_text="capex over the trailing four quarters (US$ bn)")
    if y != "score":
        fig.update_yaxes(autorange="reversed")
    return footnote(fig, note)
