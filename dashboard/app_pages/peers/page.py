"""Peers: what each company spends against where its lab stands on LM Arena."""

import streamlit as st

from dashboard import shell
from dashboard.app_pages.peers import view as peers
from dashboard.common import components, data, params
from etl.models import COMPANIES, LABS, lab_map

s = shell.state()
# The charts are sent first (the browser starts on them at once); the control is filled in above
# them afterwards, in a container kept in its place (its callback sets the state).
control = st.container()
view = data.view(peers.build, s)
components.render(view)
control.segmented_control(
    "Trailing capex",
    params.TRANSFORMS[:2],
    default=s.view if s.view in params.TRANSFORMS[:2] else "level",
    key="w_view",
    on_change=shell.on_widget,
    args=("view", "w_view"),
    format_func=lambda v: {"level": "US$ bn", "index": "Indexed (=100)"}[str(v)],
)


def _set_labs() -> None:
    # Through params.parse, so a typed map is checked exactly as a link's would be.
    chosen = params.parse({"labs": st.session_state["w_labs"]})
    shell.update(labs=chosen.labs if not chosen.notices else s.labs)


st.text_input(
    "Change the lab map (kept in the link)",
    value=s.labs,
    key="w_labs",
    on_change=_set_labs,
    placeholder="e.g. openai:microsoft+amazon,meta:",
    help="lab:company pairs separated by commas; companies joined with +; nothing after the colon "
    "leaves the lab out. Labs: " + ", ".join(LABS) + ". Companies: " + ", ".join(COMPANIES) + ".",
)
st.caption(
    "Labs and companies: "
    + "; ".join(
        f"{lab.slug} → {' and '.join(lab.companies) or 'none'}"
        + (" (partner, dashed)" if lab.partner else "")
        for lab in lab_map(s.labs).values()
    )
    + ". A partner lab's standing is not its funder's own; the pairing is drawn to compare, not to claim."
)
st.subheader("Figures in view")
st.dataframe(view.data, hide_index=True, width="stretch")
