"""Entry point: page config, navigation, the shared frame (vintage, controls, share), then the page."""

import streamlit as st

from dashboard import components, shell

st.set_page_config(
    page_title="AI investment impact: Alibaba", page_icon=":material/monitoring:", layout="wide"
)

PAGES = [
    st.Page(
        "app_pages/overview.py",
        title="Overview",
        icon=":material/dashboard:",
        url_path="overview",
        default=True,
    ),
    st.Page(
        "app_pages/spending.py",
        title="Spending vs adoption",
        icon=":material/timeline:",
        url_path="spending",
    ),
    st.Page(
        "app_pages/profitability.py",
        title="Profitability and cash",
        icon=":material/payments:",
        url_path="profitability",
    ),
    st.Page(
        "app_pages/market.py",
        title="Market reaction",
        icon=":material/candlestick_chart:",
        url_path="market",
    ),
    st.Page(
        "app_pages/sources.py",
        title="Sources and data",
        icon=":material/fact_check:",
        url_path="sources",
    ),
]
#: Figures each page shows, for the "what changed" notice on pinned links.
PAGE_METRICS = {
    "": ["revenue", "adjusted_ebita", "free_cash_flow", "capex", "cloud_revenue"],
    "spending": ["capex", *shell.params.ADOPTION_SERIES],
    "profitability": [
        "adjusted_ebita",
        "revenue",
        "operating_cash_flow",
        "capex",
        "free_cash_flow",
        "cloud_revenue",
        "cloud_adjusted_ebita",
        "cloud_revenue_yoy_pct",
    ],
    "market": [],
    "sources": [],
}

page = st.navigation(PAGES, position="top")
path = page.url_path  # "" for the default page, which lives at the root URL
st.title("AI investment impact: Alibaba")
shell.notices()
with st.spinner("Loading data..."):
    vintage = shell.resolve_vintage()
if vintage is None:
    components.empty_state(
        "No data vintage could be built",
        "The curated files in data/ did not validate. Run the check to see every problem:",
        "python -m etl check",
    )
    st.stop()
shell.controls(vintage)
shell.share_box(path, vintage)
shell.vintage_notice(vintage, PAGE_METRICS.get(path, []))
shell.sync_url()
page.run()
