"""Entry point: page config, navigation, the shared frame (vintage, controls, share), then the page."""

import streamlit as st

from dashboard import components, pages, shell

st.set_page_config(
    page_title="AI investment impact: Alibaba", page_icon=":material/monitoring:", layout="wide"
)

NAVIGATION = [
    st.Page(p.script, title=p.title, icon=p.icon, url_path=p.url_path, default=p is pages.DEFAULT)
    for p in pages.PAGES
]
page = st.navigation(NAVIGATION, position="top")
current = pages.from_url_path(page.url_path)  # "" for the default page at the root URL
st.title("AI investment impact: Alibaba")
shell.notices()
with st.spinner("Loading data..."):
    built = shell.resolve_vintage()
vintage = built.vintage
if vintage is None:
    components.empty_state("No data vintage could be built", built.problem, built.command or None)
    st.stop()
shell.controls(vintage)
shell.share_box(current, vintage)
shell.vintage_notice(vintage, list(current.metrics))
shell.sync_url()
page.run()
