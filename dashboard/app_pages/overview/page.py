"""Overview: the latest quarter at a glance, the headline chart, headline adoption numbers."""

import streamlit as st

from dashboard import shell
from dashboard.app_pages.overview import view as overview
from dashboard.common import components, data, safe
from dashboard.common.theme import count
from etl import periods
from etl.models import METRICS

s = shell.state()
view = data.view(overview.build, s)

# The headline chart is sent first (the browser starts on it at once); the heading, the quarter
# picker and the cards are filled in above it afterwards, in a container kept in their place.
top = st.container()
components.render(view)
head, pick = top.columns([3, 1])
head.subheader(view.heading)
if len(view.quarters) >= 2:
    # A slider, not a select box: the sidebar's date range already loads the slider's code in
    # the browser, while a select box would load its own (about 20 files) before the chart.
    pick.select_slider(
        "Quarter",
        options=view.quarters[::-1],
        value=view.shown if view.shown in view.quarters else view.quarters[0],
        key="w_quarter",
        on_change=shell.on_widget,
        args=("quarter", "w_quarter"),
        format_func=lambda t: periods.period_label(t.date(), s.basis),
        help="The quarter the cards show; the latest in the date range unless one is picked.",
    )
if view.cards:  # none when the date range holds no quarter on file
    for col, (label, row, change), note in zip(
        top.columns(len(view.cards)), view.cards, view.card_notes, strict=True
    ):
        components.metric_card(col, label, row, change, s.ccy)
        if note:
            col.caption(note)

st.subheader("Adoption: latest figures")
if not view.adoption_cards:
    components.empty_state(
        "No adoption figures in this vintage",
        "Add dated figures to data/adoption/ and rebuild.",
        "python -m etl build",
    )
for col, (metric, obs) in zip(
    st.columns(max(1, len(view.adoption_cards))), view.adoption_cards, strict=False
):
    unit = METRICS[metric].unit
    value = count(obs["value"]) if unit in ("count", "tokens") else f"{obs['value']:,.0f}"
    components.card_label(col, METRICS[metric].label)
    col.metric(
        METRICS[metric].label,
        value,
        help=safe.md_text(obs["note"]) or None,
        label_visibility="collapsed",
    )
    kind = "measured" if obs.get("basis") == "measured" else "stated"
    publisher = str(obs["source"]).split(":")[0].split(" (")[0]
    col.caption(f"{kind}, as of {obs['label']} · {components.source_link(obs, publisher)}")
