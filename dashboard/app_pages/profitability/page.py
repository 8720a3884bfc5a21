"""Profitability and cash: adjusted EBITA and margin, cash flows, capex intensity, cloud segment."""

import streamlit as st

from dashboard import shell
from dashboard.app_pages.profitability import view as profitability
from dashboard.common import components, data
from etl.models import METRICS

s = shell.state()
view = data.view(profitability.build, s)
for message in view.messages:
    st.info(message)
if view.charts:  # none when the date range holds no quarter on file
    components.draw(view.margin)
    components.draw(view.cash)
    left, right = st.columns(2)
    with left:
        components.draw(view.intensity)
    with right:
        components.draw(view.cloud)

# A popover, not an expander, and one text: a closed expander's paragraphs are each parsed and
# drawn with the page, before its charts; a closed popover's content is not mounted at all.
with st.popover("Definitions (company non-GAAP measures)", icon=":material/menu_book:"):
    st.markdown(
        "\n\n".join(
            [f"**{METRICS[m].label}**: {METRICS[m].definition}" for m in profitability.DEFINED]
            + [
                "Full definitions with their sources are in `data/README.md` and on the Sources page."
            ]
        )
    )

st.subheader("Company figures against Yahoo Finance")
if view.reconciliation is None:
    components.empty_state(
        "No vendor figures in this vintage",
        "Yahoo's free cash flow (operating cash flow plus capital expenditure) is not the "
        "company's definition; refresh to load it for a side-by-side reconciliation.",
        "python -m etl refresh --source yahoo",
    )
else:
    st.dataframe(view.reconciliation, hide_index=True, width="stretch")
