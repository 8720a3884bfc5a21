"""Entry point: page config, navigation, the shared frame (vintage, controls, share), then the page."""

from pathlib import Path

import streamlit as st

from dashboard import pages, shell
from dashboard.common import components, profile

# A file served by the app itself: a ":material/...:" page icon makes the browser fetch the
# favicon from Google's font CDN, which fails (and leaks the visit) offline.
st.set_page_config(
    page_title="AI investment impact: Alibaba",
    page_icon=Path(__file__).parent / "assets" / "favicon.png",
    layout="wide",
)

NAVIGATION = [
    st.Page(p.script, title=p.title, icon=p.icon, url_path=p.url_path, default=p is pages.DEFAULT)
    for p in pages.PAGES
]
page = st.navigation(NAVIGATION, position="top")
current = pages.from_url_path(page.url_path)  # "" for the default page at the root URL
profile.start(current.key)
st.title("AI investment impact: Alibaba")
shell.notices()
shell.snapshot_error()
with st.spinner("Loading data..."), profile.phase("resolve vintage"):
    built = shell.resolve_vintage()
vintage = built.vintage
if vintage is None:
    components.empty_state("No data vintage could be built", built.problem, built.command or None)
    st.stop()
# The page's charts go out first, so the browser starts loading their plotly chunk at once; the
# notices under the title are kept in their place by a container filled afterwards, and the
# sidebar, a container of its own, is drawn after the page (even when the page stops early).
head = st.container()
try:
    with profile.phase("page"):
        page.run()
finally:
    with profile.phase("sidebar and share box"):
        shell.controls(vintage)
        shell.share_box(current, vintage)
        with head:
            shell.vintage_notice(vintage, list(current.metrics))
            shell.freshness_line(current, vintage)
        shell.sync_url()
    profile.finish()
