"""Second floor for page benchmarks: the same page elements as the dashboard, without its work.

It draws, from pre-built content pickled by benchmarks/pages.py, the elements a dashboard page
shows: navigation, sidebar controls, the share box, cards, page controls, the figures, tables and
captions; but with no data layer, no view building, no URL sync and no callbacks. The gap between
it and the bare floor (benchmarks/floor_app.py) is the cost of Streamlit's own elements; the gap
between the dashboard and it is the dashboard's own work.
"""

import os
import pickle

import streamlit as st

# The app's layout, so the figures are drawn at the app's width: a centred floor drew them at
# about half of it, which is less work (Profitability's bare floor: 1.90 s centred, 2.00 s wide).
st.set_page_config(layout="wide")


@st.cache_resource
def _load() -> dict:
    with open(os.environ["AIIMPACT_FLOOR_PICKLE"], "rb") as fh:
        return pickle.load(fh)  # noqa: S301 - a file this benchmark wrote itself moments ago


CONTENT = _load()


def _widget(kind: str, label: str, options: list[str], quarters: list[str]) -> None:
    if kind == "segmented":
        st.segmented_control(label, options, default=options[0])
    elif kind == "slider":
        st.slider(label, -8, 8, 0)
    elif kind == "multiselect":
        st.multiselect(label, options, default=options[:3])
    elif kind == "popover_multiselect":
        st.popover(f"{label}: 3 of {len(options)} shown").multiselect(
            label, options, default=options[:3]
        )
    elif kind == "quarter_slider":
        st.select_slider(label, options=quarters, value=quarters[-1])
    elif kind == "text":
        st.text_input(label)


def _page(key: str) -> None:
    content = CONTENT[key]
    st.title("AI investment impact: Alibaba")
    sb = st.sidebar
    sb.header("View")
    sb.segmented_control(
        "Currency", ["RMB", "US$ (release rate)", "US$ (quarter avg)"], default="RMB"
    )
    sb.segmented_control(
        "Quarters", ["Fiscal (FY ends 31 Mar)", "Calendar"], default="Fiscal (FY ends 31 Mar)"
    )
    sb.select_slider(
        "Date range",
        options=content["quarters"],
        value=(content["quarters"][0], content["quarters"][-1]),
    )
    with sb.popover("Share this view", icon=":material/link:", width="stretch"):
        st.markdown(f"`{content['link']}`")
        st.caption("Pinned to data vintage: the link keeps showing these numbers.")
        st.markdown("**Cite this view**")
        st.caption(content["citation"])
        st.download_button(
            "Download snapshot (.zip)", data=b"", file_name="x.zip", on_click="ignore"
        )
    if content["cards"]:
        st.subheader(content["heading"])
        for col, (label, value, caption) in zip(
            st.columns(len(content["cards"])), content["cards"], strict=True
        ):
            col.metric(label, value)
            col.caption(caption)
    if content["adoption_table"]:
        st.markdown(content["adoption_table"])
    for kind, label, options in content["widgets"]:
        _widget(kind, label, options, content["quarters"])
    for columns, row in content["rows"]:  # laid out as the app lays them out
        slots = st.columns(columns) if columns > 1 else [st]
        for slot, i in zip(slots, row, strict=False):
            slot.plotly_chart(content["figures"][i], key=f"floor_{i}", width="stretch")
    for table in content["tables"]:
        st.dataframe(table, hide_index=True, width="stretch")
    for text in content["captions"]:
        st.caption(text)


def _entry(key: str):  # noqa: ANN202 - a page callable
    def run() -> None:
        _page(key)

    run.__name__ = f"page_{key}"
    return run


PAGES = [
    st.Page(_entry(key), title=key, url_path=key, default=(i == 0)) for i, key in enumerate(CONTENT)
]
st.navigation(PAGES, position="top").run()
