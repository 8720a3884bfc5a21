"""Spending vs adoption: capex (quarterly, TTM, cumulative) against dated adoption observations."""

import pandas as pd
import streamlit as st

from dashboard import charts, components, data, frames, params, shell
from etl.models import METRICS

s = shell.state()
v = str(s.vintage)
facts = data.facts(v)
names = frames.source_names(data.sources(v))
window = (s.start, s.end)

available = [
    m for m in params.ADOPTION_SERIES if m in set(facts.loc[facts["value"].notna(), "metric"])
]
c1, c2, c3 = st.columns([1.2, 1.2, 1])
c1.segmented_control(
    "Capex",
    params.CAPEX_VIEWS,
    default=s.capex,
    key="w_capex",
    on_change=shell._on,
    args=("capex", "w_capex"),
    format_func={
        "quarterly": "Quarterly",
        "ttm": "TTM",
        "cumulative": "Cumulative since Apr 2025",
    }.get,
)
c2.segmented_control(
    "Transform",
    params.TRANSFORMS,
    default=s.view,
    key="w_view",
    on_change=shell._on,
    args=("view", "w_view"),
    format_func={"level": "Level", "index": "Indexed (=100)", "yoy": "YoY %"}.get,
)
c3.slider(
    "Lead/lag of capex (quarters)",
    *params.LAG_RANGE,
    value=s.lag,
    key="w_lag",
    on_change=shell._on,
    args=("lag", "w_lag"),
    help="Positive values move capex later, to compare spending with adoption that follows it.",
)
st.multiselect(
    "Adoption series",
    available,
    default=[m for m in s.series if m in available],
    key="w_series",
    on_change=lambda: shell.update(series=tuple(st.session_state["w_series"])),
    format_func=lambda m: METRICS[m].label,
)

capex = frames.quarterly(
    facts, "capex", ccy=s.ccy, basis=s.basis, names=names, window=(None, s.end)
)
name = {
    "quarterly": "Capex per quarter",
    "ttm": "Capex, trailing twelve months",
    "cumulative": "Capex, cumulative since April 2025",
}[s.capex]
if s.capex != "quarterly":
    capex = frames.derive(capex, s.capex, s.basis)
if s.view != "level":
    capex = frames.derive(capex, s.view, s.basis)
    name += " (indexed, first quarter = 100)" if s.view == "index" else " (YoY %)"
capex = frames.clip(frames.shift(capex, s.lag, s.basis), window)
if s.lag:
    name += f", shifted {s.lag:+d} quarters"

adoption = {}
for metric in [m for m in s.series if m in available]:
    obs = frames.observations(facts, metric, names, window)
    adoption[metric] = frames.derive(obs, "index", s.basis) if s.view == "index" else obs
events = data.events(v)
events = events[events["category"].isin(["qwen_release", "earnings", "capex_commitment"])].copy()
events["source"] = events["source_id"].map(names).fillna(events["source_id"])
dates = pd.to_datetime(events["date"])
if s.start:
    events = events[dates >= pd.Timestamp(s.start)]
if s.end:
    events = events[
        pd.to_datetime(events["date"]) <= pd.Timestamp(s.end) + pd.offsets.QuarterEnd(1)
    ]

if capex["value"].notna().sum() == 0:
    st.info(
        "No capex figures in this range for the chosen view (TTM needs four consecutive quarters on file)."
    )
note = components.footnote_text(
    [capex, *adoption.values()],
    v,
    s.ccy,
    "Adoption figures are dated observations as stated by their sources; no line joins them. ",
)
fig = charts.spending_adoption(capex, name, adoption, events, note)
components.chart(fig, "spending_chart", f"capex_{s.capex}_{s.view}_vs_adoption_{v}")
st.caption(
    "Vertical marks: Qwen releases (purple), earnings releases (grey) and capex commitments (orange); "
    "hover a mark for its label and source. A YoY view applies to capex only."
)
