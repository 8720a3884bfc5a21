"""Overview: the latest quarter at a glance, the headline chart, headline adoption numbers."""

import streamlit as st

from dashboard import components, data, shell
from dashboard.theme import count
from etl.models import METRICS

s = shell.state()
view = data.view("overview", s)

st.subheader(view.heading)
for col, (label, row, change) in zip(st.columns(len(view.cards)), view.cards, strict=True):
    components.metric_card(col, label, row, change, s.ccy)
components.render(view)

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
    col.metric(METRICS[metric].label, value, help=obs["note"] or None, label_visibility="collapsed")
    kind = "measured" if obs.get("basis") == "measured" else "stated"
    publisher = str(obs["source"]).split(":")[0].split(" (")[0]
    col.caption(f"{kind}, as of {obs['label']} · {components.source_link(obs, publisher)}")
