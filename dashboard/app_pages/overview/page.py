"""Overview: the latest quarter at a glance, the headline chart, headline adoption numbers."""

import streamlit as st

from dashboard import shell
from dashboard.app_pages.overview import view as overview
from dashboard.common import components, data
from etl import periods

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
        components.metric_card(col, label, row, change, s.ccy, note)

st.subheader("Adoption: latest figures")
adoption_table, adoption_notes = view.adoption_table, view.adoption_notes
if not adoption_table:
    components.empty_state(
        "No adoption figures in this vintage",
        "Add dated figures to data/adoption/ and rebuild.",
        "python -m etl build",
    )
else:
    st.markdown(adoption_table)
    if adoption_notes:
        # A popover: its content is mounted only when opened (the notes are long).
        with st.popover("Notes on these figures", icon=":material/info:"):
            st.markdown(adoption_notes)
