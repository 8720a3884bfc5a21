"""Small shared UI pieces: charts with export settings, empty states, metric cards, footnotes."""

from __future__ import annotations

import re

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import profile, safe
from dashboard.theme import money, pct
from dashboard.views import View


def chart(fig: go.Figure, key: str, filename: str) -> None:
    """Render a figure with a print-ready image export named after its content."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", filename)[:120]
    if profile.PATH:
        profile.figure(len(fig.to_json()))
    with profile.phase("serialise and send figures"):
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
        # Inline code, not st.code, which loads a 1.5 MB syntax highlighter (benchmarks/pages.py).
        st.markdown(f"`{command}`")


def metric_card(
    col: st.delta_generator.DeltaGenerator, label: str, row: pd.Series | None, yoy: float | None
) -> None:
    """One 'latest quarter' card: value, YoY change, period and a source link."""
    if row is None:
        col.metric(label, "n/a", help="not on file for the selected range")
        return
    delta = pct(yoy) + " YoY" if yoy is not None and pd.notna(yoy) else None
    col.metric(label, money(float(row["value"]), str(row["unit"])), delta=delta)
    link = safe.md_link("source", row["source_url"]) if row["source_url"] else "no source link"
    col.caption(f"{safe.md_text(row['label'])} · {link}")


def render(view: View) -> None:
    """Show a View's messages and charts (cards and tables are page-specific)."""
    for message in view.messages:
        st.info(message)
    for c in view.charts:
        chart(c.figure, c.key, c.filename)
