"""Small shared UI pieces: charts with export settings, empty states, metric cards, footnotes."""

from __future__ import annotations

import re

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.theme import money, pct
from etl.transform import FX_POLICY_TEXT


def footnote_text(frames: list[pd.DataFrame], vintage: str, ccy: str, extra: str = "") -> str:
    """'Sources: ... | FX: ... | Vintage ...' for the figures in a chart."""
    names = []
    for f in frames:
        if len(f):
            for s in f.loc[f["value"].notna(), "source"]:
                for part in str(s).split(" ; "):
                    if part not in names:
                        names.append(part)
    shown = "; ".join(names[:4]) + (
        f"; and {len(names) - 4} more (see Sources page)" if len(names) > 4 else ""
    )
    fx = (
        f" FX: {FX_POLICY_TEXT['convenience']}." if ccy == "USD" else " Amounts in RMB as reported."
    )
    return f"Sources: {shown or 'none in range'}.{fx} {extra}Vintage {vintage}."


def chart(fig: go.Figure, key: str, filename: str) -> None:
    """Render a figure with a print-ready image export named after its content."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", filename)[:120]
    st.plotly_chart(
        fig,
        key=key,
        width="stretch",
        config={
            "displaylogo": False,
            "toImageButtonOptions": {"format": "png", "filename": safe, "scale": 3},
        },
    )


def empty_state(title: str, body: str, command: str | None = None) -> None:
    """A helpful empty state: what is missing and how to get it."""
    st.info(f"**{title}**\n\n{body}")
    if command:
        st.code(command, language="bash")


def metric_card(
    col: st.delta_generator.DeltaGenerator, label: str, row: pd.Series | None, yoy: float | None
) -> None:
    """One 'latest quarter' card: value, YoY change, period and a source link."""
    if row is None:
        col.metric(label, "n/a", help="not on file for the selected range")
        return
    delta = pct(yoy) + " YoY" if yoy is not None and pd.notna(yoy) else None
    col.metric(label, money(float(row["value"]), str(row["unit"])), delta=delta)
    link = f"[source]({row['source_url']})" if row["source_url"] else "no source link"
    col.caption(f"{row['label']} · {link}")
