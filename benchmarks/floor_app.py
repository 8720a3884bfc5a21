"""The floor for page benchmarks: a bare Streamlit script rendering pre-built figures from memory.

It shows exactly the figures (and table) of a dashboard page, prepared once by benchmarks/pages.py
and pickled to $AIIMPACT_FLOOR_PICKLE, with no data layer, no controls and no navigation. The
figures are laid out as the app lays them out: its wide layout, side-by-side charts in columns.
"""

import os
import pickle

import streamlit as st


@st.cache_resource
def _load() -> dict:
    with open(os.environ["AIIMPACT_FLOOR_PICKLE"], "rb") as fh:
        return pickle.load(fh)  # noqa: S301 - a file this benchmark wrote itself moments ago


# The app's layout, so the figures are drawn at the app's width: a centred floor drew them at
# about half of it, which is less work (Profitability's bare floor: 1.90 s centred, 2.00 s wide).
st.set_page_config(layout="wide")

page = st.query_params.get("page", "overview")
content = _load()[page]
st.title("AI investment impact: Alibaba")
for columns, row in content["rows"]:  # laid out as the app lays them out
    slots = st.columns(columns) if columns > 1 else [st]
    for slot, i in zip(slots, row, strict=False):
        slot.plotly_chart(content["figures"][i], key=f"floor_{i}", width="stretch")
for table in content["tables"]:
    st.dataframe(table, hide_index=True, width="stretch")
