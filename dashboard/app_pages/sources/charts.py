"""Pure figure builder of the Sources page's coverage chart (no Streamlit, no I/O)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

KIND_COLORS = {
    "primary": "#2f9e44",
    "primary_copy": "#8ce99a",
    "presentation": "#1c7ed6",
    "secondary": "#f59f00",
    "blank": "#dee2e6",
}
KIND_NAMES = {
    "primary": "company document",
    "primary_copy": "company document, read from a verbatim copy",
    "presentation": "presentation (its slides, transcribed)",
    "secondary": "secondary (news, summaries, copies)",
    "blank": "blank (not found; see the note)",
}
HOVER = (
    "<b>%{customdata[0]} %{customdata[1]}</b><br>%{customdata[2]}%{customdata[3]}"
    "<br>click to list its figures<extra></extra>"
)


def coverage_figure(grid: pd.DataFrame) -> go.Figure:
    """Quarter x metric: what kind of source each figure rests on; one marker per cell.

    The company's own document has two shades: read at its own address, or read from a verbatim
    copy (a repository file named in the source's `via`), so a reader sees which is which.
    """
    fig = go.Figure()
    copy = grid["copy"] if "copy" in grid else pd.Series(False, index=grid.index)
    shade = grid["kind"].where(~(copy.astype(bool) & (grid["kind"] == "primary")), "primary_copy")
    order = [k for k in KIND_NAMES if k in set(shade)] + sorted(set(shade) - set(KIND_NAMES))
    for kind in order:
        cells = grid[shade == kind]
        fig.add_trace(
            go.Scatter(
                x=cells["fiscal_period"],
                y=cells["metric"],
                name=KIND_NAMES.get(str(kind), str(kind)),
                mode="markers",
                marker={
                    "symbol": ["diamond" if d else "square" for d in cells["derived"]],
                    "size": 18,
                    "color": KIND_COLORS.get(str(kind), "#868e96"),
                    "line": {"width": 0},
                },
                customdata=[
                    [
                        q,
                        m,
                        KIND_NAMES.get(str(kind), str(kind)),
                        " (derived from two lines)" if d else "",
                    ]
                    for q, m, d in zip(
                        cells["fiscal_period"], cells["metric"], cells["derived"], strict=True
                    )
                ],
                hovertemplate=HOVER,
            )
        )
    quarters = list(dict.fromkeys(grid["fiscal_period"]))
    metrics = list(dict.fromkeys(grid["metric"]))
    fig.update_layout(
        title={"text": "What each quarterly figure rests on", "x": 0},
        height=140 + 34 * len(metrics),
        hovermode="closest",
        clickmode="event+select",
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 1, "xanchor": "right"},
        margin={"l": 170, "r": 20, "t": 80, "b": 60},
    )
    fig.update_xaxes(
        title_text="fiscal quarter (FY ends 31 March)",
        categoryorder="array",
        categoryarray=quarters,
        tickangle=-45,
    )
    fig.update_yaxes(title_text="", categoryorder="array", categoryarray=metrics[::-1])
    return fig
