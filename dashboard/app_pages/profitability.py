"""Profitability and cash: adjusted EBITA and margin, cash flows, capex intensity, cloud segment."""

import streamlit as st

from dashboard import charts, components, data, frames, shell
from etl.models import METRICS

s = shell.state()
v = str(s.vintage)
facts = data.facts(v)
names = frames.source_names(data.sources(v))


def q(metric: str, ccy: str | None = None) -> frames.pd.DataFrame:
    return frames.quarterly(
        facts, metric, ccy=ccy or s.ccy, basis=s.basis, names=names, window=(s.start, s.end)
    )


ebita, revenue = q("adjusted_ebita"), q("revenue")
margin = frames.ratio(q("adjusted_ebita", "RMB"), q("revenue", "RMB"))
components.chart(
    charts.margin_figure(
        ebita,
        margin,
        components.footnote_text(
            [ebita, revenue],
            v,
            s.ccy,
            "Margin = adjusted EBITA / revenue, computed from the two reported figures. ",
        ),
    ),
    "profit_margin",
    f"adjusted_ebita_margin_{s.ccy}_{v}",
)

cash = {k: q(k) for k in ("operating_cash_flow", "capex", "free_cash_flow")}
cash["ocf_less_capex"] = frames.difference(cash["operating_cash_flow"], cash["capex"])
components.chart(
    charts.cash_figure(
        cash,
        components.footnote_text(
            list(cash.values()),
            v,
            s.ccy,
            "OCF less capex is computed; the company's free cash flow also adjusts for other items. ",
        ),
    ),
    "profit_cash",
    f"cash_flows_{s.ccy}_{v}",
)

left, right = st.columns(2)
with left:
    intensity = frames.ratio(q("capex", "RMB"), q("revenue", "RMB"))
    components.chart(
        charts.intensity_figure(
            intensity,
            components.footnote_text([intensity], v, "RMB", "Capex intensity = capex / revenue. "),
        ),
        "profit_intensity",
        f"capex_intensity_{v}",
    )
with right:
    cloud, cloud_ebita, growth = (
        q("cloud_revenue"),
        q("cloud_adjusted_ebita"),
        q("cloud_revenue_yoy_pct"),
    )
    components.chart(
        charts.cloud_figure(
            cloud,
            growth,
            cloud_ebita,
            components.footnote_text(
                [cloud, cloud_ebita, growth], v, s.ccy, "Growth as stated in each release. "
            ),
        ),
        "profit_cloud",
        f"cloud_segment_{s.ccy}_{v}",
    )

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

yahoo = facts[facts["source_id"].astype(str).str.startswith("yahoo_")]
st.subheader("Company figures against Yahoo Finance")
if yahoo.empty:
    components.empty_state(
        "No vendor figures in this vintage",
        "Yahoo's free cash flow (operating cash flow plus capital expenditure) is not the "
        "company's definition; refresh to load it for a side-by-side reconciliation.",
        "python -m etl refresh --source yahoo",
    )
else:
    st.dataframe(yahoo, hide_index=True, width="stretch")
