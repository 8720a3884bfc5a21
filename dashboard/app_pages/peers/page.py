"""Peers: what each company spends against where its lab stands on LM Arena."""

import streamlit as st

from dashboard import components, data, params, shell
from etl.models import LABS

s = shell.state()
st.segmented_control(
    "Trailing capex",
    params.TRANSFORMS[:2],
    default=s.view if s.view in params.TRANSFORMS[:2] else "level",
    key="w_view",
    on_change=shell.on_widget,
    args=("view", "w_view"),
    format_func=lambda v: {"level": "US$ bn", "index": "Indexed (=100)"}[str(v)],
)
view = data.view("peers", s)
components.render(view)
st.caption(
    "Labs and companies: "
    + "; ".join(
        f"{lab.slug} → {' and '.join(lab.companies)}"
        + (" (partner, dashed)" if lab.partner else "")
        for lab in LABS.values()
    )
    + ". A partner lab's standing is not its funder's own; the pairing is drawn to compare, not to claim."
)
st.subheader("Figures in view")
st.dataframe(view.data, hide_index=True, width="stretch")
