"""Spending vs adoption: capex (quarterly, TTM, cumulative) against dated adoption observations."""

import streamlit as st

from dashboard import shell
from dashboard.app_pages.spending import view as spending
from dashboard.common import components, data, params
from etl.models import METRICS

EVENT_LABELS = {
    "qwen_release": "Qwen releases",
    "capex_commitment": "Capex commitments",
    "earnings": "Earnings",
    "conference": "Conferences",
    "other": "Other",
}

s = shell.state()
view = data.view(spending.build, s)
available = list(view.available)

# The charts are sent first (the browser starts on them at once); the controls are filled in
# above them afterwards, in a container kept in their place (their callbacks set the state).
controls = st.container()
components.render(view)
st.caption(
    "Vertical marks: Qwen releases (red; dotted: open weights, dashed: API only), capex "
    "commitments (yellow), earnings (brown), conferences (pink), other (tan); hover a mark for "
    "its label and source. A YoY view applies to capex only."
)
c1, c2, c3 = controls.columns([1.2, 1.2, 1])
c1.segmented_control(
    "Capex",
    params.CAPEX_VIEWS,
    default=s.capex,
    key="w_capex",
    on_change=shell.on_widget,
    args=("capex", "w_capex"),
    format_func=lambda v: {
        "quarterly": "Quarterly",
        "ttm": "TTM",
        "cumulative": "Cumulative since Apr 2025",
    }[str(v)],
)
c2.segmented_control(
    "Transform",
    params.TRANSFORMS,
    default=s.view,
    key="w_view",
    on_change=shell.on_widget,
    args=("view", "w_view"),
    format_func=lambda v: {"level": "Level", "index": "Indexed (=100)", "yoy": "YoY %"}[str(v)],
)
c3.slider(
    "Lead/lag of capex (quarters)",
    *params.LAG_RANGE,
    value=s.lag,
    key="w_lag",
    on_change=shell.on_widget,
    args=("lag", "w_lag"),
    help="Positive values move capex later, to compare spending with adoption that follows it.",
)
chosen = [m for m in s.series if m in available]
# In a popover: its content mounts in the browser only when opened, and a multiselect loads
# about 15 files of its own code, which slowed the charts drawn beside it (benchmarks/pages.py).
# The chart's legend names the series shown.
controls.popover(
    f"Adoption series: {len(chosen)} of {len(available)} shown",
    icon=":material/stacked_line_chart:",
    key="w_series_box",
).multiselect(
    "Adoption series",
    available,
    default=chosen,
    key="w_series",
    on_change=shell.on_widget,
    args=("series", "w_series"),
    format_func=lambda m: METRICS[m].label,
)

e1, e2 = controls.columns([3, 1.2])
e1.pills(
    "Events marked",
    params.EVENT_CATEGORIES,
    selection_mode="multi",
    default=list(s.events),
    key="w_events",
    on_change=shell.on_widget,
    args=("events", "w_events"),
    format_func=lambda c: EVENT_LABELS[str(c)],
)
shell.importance_control(
    e2,
    "Which events",
    s,
    "Major: flagship Qwen releases, results, capex commitments, conferences. Every event "
    "adds each model snapshot and minor item.",
)
