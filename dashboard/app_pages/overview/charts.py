"""The Overview's figure: capex against adjusted EBITA and free cash flow."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.common.theme import COLORS, unit_label
from dashboard.common.traces import bar, footnote, layout, line, quarter_ticks


def headline(capex: pd.DataFrame, ebita: pd.DataFrame, fcf: pd.DataFrame, note: str) -> go.Figure:
    """Capex (bars) against adjusted EBITA and free cash flow (lines), per quarter."""
    unit = next((f["unit"].iloc[0] for f in (capex, ebita, fcf) if len(f)), "RMB_mn")
    fig = go.Figure(
        [
            bar(capex, "Capex", COLORS["capex"]),
            line(ebita, "Adjusted EBITA", COLORS["adjusted_ebita"]),
            line(fcf, "Free cash flow", COLORS["free_cash_flow"]),
        ]
    )
    layout(fig, "Capex against adjusted EBITA and free cash flow", unit_label(unit), unit=unit)
    quarter_ticks(fig, [capex, ebita, fcf])
    return footnote(fig, note)
