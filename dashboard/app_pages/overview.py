"""Overview: the latest quarter at a glance, the headline chart, headline adoption numbers."""

import streamlit as st

from dashboard import charts, components, data, frames, shell
from dashboard.theme import count
from etl.models import METRICS

s = shell.state()
v = str(s.vintage)
facts = data.facts(v)
names = frames.source_names(data.sources(v))
window = (s.start, s.end)


def quarterly(metric: str, clip: bool = True) -> frames.pd.DataFrame:
    return frames.quarterly(
        facts,
        metric,
        ccy=s.ccy,
        basis=s.basis,
        names=names,
        window=window if clip else (None, s.end),
    )


CARDS = [
    ("Revenue", "revenue"),
    ("Adjusted EBITA", "adjusted_ebita"),
    ("Free cash flow", "free_cash_flow"),
    ("Capex", "capex"),
    ("Cloud revenue", "cloud_revenue"),
]
revenue = quarterly("revenue")
newest = frames.latest(revenue)
st.subheader(
    f"Latest quarter on file: {newest['label']}" if newest is not None else "No quarter in range"
)
for col, (label, metric) in zip(st.columns(len(CARDS)), CARDS, strict=True):
    full = quarterly(metric, clip=False)
    row = (
        frames.latest(full[full["period_end"] == newest["period_end"]])
        if newest is not None
        else None
    )
    yoy = frames.derive(full, "yoy", s.basis)
    change = (
        yoy.loc[yoy["period_end"] == row["period_end"], "value"].iloc[0]
        if row is not None
        else None
    )
    components.metric_card(col, label, row, change)

capex, ebita, fcf = quarterly("capex"), quarterly("adjusted_ebita"), quarterly("free_cash_flow")
note = components.footnote_text(
    [capex, ebita, fcf],
    v,
    s.ccy,
    "Capex: company FCF-reconciliation lines where on file, else as stated (see notes). ",
)
fig = charts.headline(capex, ebita, fcf, note)
components.chart(fig, "overview_headline", f"capex_ebita_fcf_{s.ccy}_{v}")

st.subheader("Adoption: latest observations")
adoption = [
    m
    for m in (
        "hf_qwen_derivative_models",
        "hf_qwen_downloads_cumulative",
        "qwen_app_mau",
        "lmarena_best_qwen_score",
        "model_studio_customers",
    )
    if m in set(facts["metric"])
]
if not adoption:
    components.empty_state(
        "No adoption figures in this vintage",
        "Add dated figures to data/adoption/ and rebuild.",
        "python -m etl build",
    )
for col, metric in zip(st.columns(max(1, len(adoption))), adoption, strict=False):
    obs = frames.latest(frames.observations(facts, metric, names))
    if obs is None:
        continue
    value = count(obs["value"]) if METRICS[metric].unit == "count" else f"{obs['value']:,.0f}"
    col.metric(METRICS[metric].label, value, help=obs["note"] or None)
    col.caption(f"as of {obs['label']} · [source]({obs['source_url']})")
