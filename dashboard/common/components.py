"""Small shared UI pieces: charts with export settings, empty states, metric cards, footnotes."""

from __future__ import annotations

import json
import re

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.common import profile, safe, traces
from dashboard.common.theme import DARK_SWAPS, money, pct
from dashboard.common.view import Chart, View
from etl.models import Currency


def title_of(fig: go.Figure) -> str:
    """A figure's title as plain text (its accessible name)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", str(fig.layout.title.text or ""))).strip()


_SWAP = re.compile("|".join(map(re.escape, DARK_SWAPS)), re.IGNORECASE)


def for_theme(fig: go.Figure) -> go.Figure:
    """The figure in the viewer's theme: figures are built (and cached) in the light palette;
    in the dark theme the colours that would fade on a dark background are swapped."""
    if st.context.theme.type != "dark":
        return fig
    # Rebuilding a figure re-validates it (0.5 s for the Spending chart's event shapes), so the
    # dark copy is kept on the cached figure itself; both are read-only from here on.
    dark: go.Figure | None = getattr(fig, "_dark_copy", None)
    if dark is None:
        swapped = _SWAP.sub(lambda m: DARK_SWAPS[m.group(0).lower()], fig.to_json())
        dark = go.Figure(json.loads(swapped))
        fig._dark_copy = dark
    return dark


def chart(fig: go.Figure, key: str, filename: str) -> None:
    """Render a figure named by its title for screen readers, with its whole footnote one click
    away under it and a print-ready image export named after its content."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", filename)[:120]
    fig = for_theme(fig)
    with profile.phase("serialise and send figures"):
        st.plotly_chart(
            fig,
            key=key,
            width="stretch",
            alt=title_of(fig) or None,
            config={
                "displaylogo": False,
                "toImageButtonOptions": {"format": "png", "filename": safe, "scale": 3},
            },
        )
    note = traces.full_note(fig)
    if note:
        # A popover, not an expander: a closed popover's content is not mounted in the browser,
        # while an expander's is (a caption parsed as markdown for every chart, before the
        # charts are drawn; benchmarks/pages.py).
        with st.popover("Sources and notes", icon=":material/info:"):
            st.caption(note)


def empty_state(title: str, body: str, command: str | None = None) -> None:
    """A helpful empty state: what is missing and how to get it."""
    st.info(f"**{title}**\n\n{body}")
    if command:
        # Inline code, not st.code, which loads a 1.5 MB syntax highlighter (benchmarks/pages.py).
        st.markdown(f"`{command}`")


def card_label(col: st.delta_generator.DeltaGenerator, label: str) -> None:
    """A card's label as its own wrapping line: st.metric cuts long labels with an ellipsis."""
    col.markdown(f"**{safe.md_text(label)}**")


def metric_card(
    col: st.delta_generator.DeltaGenerator,
    label: str,
    row: pd.Series | None,
    yoy: float | None,
    ccy: Currency = "RMB",
    note: str = "",
) -> None:
    """One 'latest quarter' card: value, YoY change, period and a source link, and a note (the
    company's stated YoY, or why no YoY is shown; markdown) on the next line of the same caption:
    one element fewer per card for the browser to draw before the charts (benchmarks/pages.py).

    The YoY change is always computed on the RMB figures; in a US$ view the card says so.
    """
    card_label(col, label)
    if row is None:
        col.metric(
            label, "n/a", help="not on file for the selected range", label_visibility="collapsed"
        )
        if note:
            col.caption(note)
        return
    basis = " YoY" if ccy == "RMB" else " YoY, on RMB figures"
    delta = pct(yoy) + basis if yoy is not None and pd.notna(yoy) else None
    col.metric(
        label,
        money(float(row["value"]), str(row["unit"])),
        delta=delta,
        label_visibility="collapsed",
    )
    line = f"{safe.md_text(row['label'])} · {safe.source_link(row, str(row['label']) + ' release')}"
    col.caption(f"{line}  \n{note}" if note else line)


def draw(named: Chart | None) -> None:
    """Render one of a view's named charts (nothing when the view has none)."""
    if named is not None:
        chart(named.figure, named.key, named.filename)


def render(view: View) -> None:
    """Show a View's messages and charts (cards and tables are page-specific)."""
    for message in view.messages:
        st.info(message)
    for c in view.charts:
        chart(c.figure, c.key, c.filename)
