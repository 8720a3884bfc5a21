"""The floor for page benchmarks: a bare Streamlit script rendering pre-built figures from memory.

It shows exactly the figures (and table) of a dashboard page, prepared once by benchmarks/pages.py
and pickled to $AIIMPACT_FLOOR_PICKLE, with no data layer, no controls and no navigation.
"""

import os
import pickle

import streamlit as st


@st.cache_resource
def _load() -> dict:
    with open(os.environ["AIIMPACT_FLOOR_PICKLE"], "rb") as fh:
        return pickle.load(fh)  # noqa: S301 - a file this benchmark wrote itself moments ago


page = st.query_params.get("page", "overview")
content = _load()[page]
st.title("AI investment impact: Alibaba")
for i, fig in enumerate(content["figures"]):
    st.plotly_chart(fig, key=f"floor_{i}", width="stretch")
for table in content["tables"]:
    st.dataframe(table, hide_index=True, width="stretch")
