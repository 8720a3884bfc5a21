"""Profitability and cash: adjusted EBITA and margin, cash flows, capex intensity, cloud segment."""

import streamlit as st

from dashboard import shell, views
from dashboard.common import components, data
from etl.models import METRICS

s = shell.state()
tables = data.tables(str(s.vintage))
view = data.view("profitability", s)
for message in view.messages:
    st.info(message)
if view.charts:  # none when the date range holds no quarter on file
    margin, cash, intensity, cloud = view.charts
    components.chart(margin.figure, margin.key, margin.filename)
    components.chart(cash.figure, cash.key, cash.filename)
    left, right = st.columns(2)
    with left:
        components.chart(intensity.figure, intensity.key, intensity.filename)
    with right:
        components.chart(cloud.figure, cloud.key, cloud.filename)

with st.expander("Definitions (company non-GAAP measures)"):
    for metric in (
        "adjusted_ebita",
        "free_cash_flow",
        "capex",
        "cloud_revenue",
        "cloud_adjusted_ebita",
    ):
        st.markdown(f"**{METRICS[metric].label}**: {METRICS[metric].definition}")
    st.markdown(
        "Full definitions with their sources are in `data/README.md` and on the Sources page."
    )

facts = tables["facts"]
yahoo = facts[facts["owner"] == "yahoo"]
st.subheader("Company figures against Yahoo Finance")
if yahoo.empty:
    components.empty_state(
        "No vendor figures in this vintage",
        "Yahoo's free cash flow (operating cash flow plus capital expenditure) is not the "
        "company's definition; refresh to load it for a side-by-side reconciliation.",
        "python -m etl refresh --source yahoo",
    )
else:
    st.dataframe(views.reconciliation(facts), hide_index=True, width="stretch")
