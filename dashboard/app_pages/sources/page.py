"""Sources and data: every figure with its source, the manifest, freshness, definitions, CSV."""

import plotly.graph_objects as go
import streamlit as st

from dashboard import shell
from dashboard.app_pages.sources import view as sources_view
from dashboard.common import components, data, safe, traces
from etl.export import to_csv

#: Rows of the figures table drawn at a time.
PAGE_ROWS = 100


s = shell.state()
v = str(s.vintage)
view = data.view(sources_view.build, s)

st.subheader("Coverage: what each quarterly figure rests on")
# Laid out like every other chart (legend under the title); a copy, as the cached view is shared,
# made once and kept on the cached figure (copying re-validates it: tens of ms before the chart).
coverage = view.coverage
assert coverage is not None  # the Sources view always draws its grid
cached = coverage.figure
grid = getattr(cached, "_laid_out", None)
if grid is None:
    grid = traces.fit_text(go.Figure(cached))
    cached._laid_out = grid
picked = st.plotly_chart(
    grid,
    key=coverage.key,
    on_select="rerun",
    selection_mode="points",
    width="stretch",
    alt=components.title_of(grid),
    config={"displaylogo": False},
)
points = picked["selection"]["points"] if picked else []
if points:
    cell = f"{points[0]['y']}@{points[0]['x']}"
    if cell != s.cell:
        shell.update(cell=cell)
        st.rerun()
st.caption(
    "Click a cell to list its figures (derived capex: its two lines too). Company document: darker "
    "where read at its address, lighter where read from the verbatim copy in `via`; presentation: "
    "its slides transcribed by others; secondary: news, summaries (a site's own too), notes."
)
# The same choice without pointing at a marker: on a phone the grid's cells are too narrow to
# tap, and a keyboard cannot reach them at all. In a popover (a button a keyboard reaches): a
# select box loads about 20 files of its own code, which a closed popover never mounts.
cells = list(view.cells)
if st.session_state.get("w_cell") != (s.cell or None):
    st.session_state["w_cell"] = s.cell if s.cell in cells else None
st.popover("Or choose a cell", icon=":material/grid_on:").selectbox(
    "Cell",
    cells,
    index=None,  # no cell chosen until one is: the placeholder, not the first cell
    key="w_cell",
    placeholder="metric in quarter (type to search)",
    format_func=lambda c: str(c).replace("@", " in "),
    on_change=lambda: shell.update(cell=st.session_state["w_cell"] or ""),
)

if s.cell:
    st.info(f"Showing the figures of `{s.cell.replace('@', '` in `')}`.")
    st.button("Show every figure", key="w_cell_clear", on_click=shell.update, kwargs={"cell": ""})
st.text_input(
    "Search figures (metric, quarter, source, note)",
    value=s.q,
    key="w_q",
    max_chars=80,
    on_change=shell.on_widget,
    args=("q", "w_q"),
)
shown = view.data
# Paged: every figure of a vintage (thousands of rows) would be sent and drawn before the rest of
# the page; a page of rows shows at once, the search and the cell picker narrow the rows, and
# the CSV below holds all of them.
n_pages = max(1, -(-len(shown) // PAGE_ROWS))
if st.session_state.get("sources_page_of") != (v, s.q, s.cell):  # new rows: back to page 1
    st.session_state["sources_page_of"] = (v, s.q, s.cell)
    st.session_state["w_page"] = 1
count, pick = st.columns([3, 1], vertical_alignment="bottom")
if n_pages > 1:
    page = int(pick.number_input(f"Page ({PAGE_ROWS} rows each)", 1, n_pages, key="w_page"))
else:
    page = 1
rows = shown.iloc[(page - 1) * PAGE_ROWS : page * PAGE_ROWS]
count.caption(
    f"{len(shown)} of {view.figures} figures in vintage `{v}`"
    + (
        f"; rows {(page - 1) * PAGE_ROWS + 1} to {(page - 1) * PAGE_ROWS + len(rows)}, "
        f"page {page} of {n_pages}"
        if n_pages > 1
        else ""
    )
)
st.dataframe(
    # Only web addresses become clickable (a javascript: or data: URL shows as no link).
    rows.assign(source_url=rows["source_url"].map(safe.web_url)),
    hide_index=True,
    width="stretch",
    key="sources_table",
    # The link names the site it opens, not a bare "open".
    column_config={
        "source_url": st.column_config.LinkColumn(
            "source", display_text=r"https?://(?:www\.)?([^/]+)"
        )
    },
)
st.download_button(
    f"Download all {len(shown)} rows as CSV",
    lambda: to_csv(shown),  # written when asked for, not on every run
    file_name=f"aiimpact_{v}_figures.csv",
    mime="text/csv",
    on_click="ignore",
    icon=":material/download:",
)

# The vintage's own records come after the figures and only when asked for: sent with every load,
# their seven tables and cards cost the page more than its chart (benchmarks/pages.py). A toggle,
# not an expander, whose content would be sent (and drawn) closed.
if st.toggle(
    "Show the filings checks, vintage manifest, freshness per source, sources and definitions",
    key="w_more",
):
    records = data.records(v, sources_view.records)
    for check in records.checks:
        st.subheader(check.title)
        st.caption(check.caption)
        if check.rows is not None:
            st.dataframe(check.rows, hide_index=True, width="stretch")

    st.subheader("Vintage manifest")
    c1, c2, c3 = st.columns(3)
    c1.metric("Vintage", v)
    c2.metric("Created (UTC)", records.created)
    c3.metric("Warnings", len(records.warnings))
    for w in records.warnings:
        st.warning(w)
    st.dataframe(records.inputs, hide_index=True, width="stretch")

    st.subheader("Freshness per source")
    st.dataframe(records.status, hide_index=True, width="stretch")
    st.caption("Last date of every series, and the newest public data known for it.")
    st.dataframe(view.freshness, hide_index=True, width="stretch", key="freshness_table")
    st.caption(records.newest)

    st.subheader("Sources")
    st.dataframe(
        records.sources,
        hide_index=True,
        width="stretch",
        column_config={"url": st.column_config.LinkColumn(), "via": st.column_config.LinkColumn()},
    )

    st.subheader("Metric definitions")
    st.dataframe(records.definitions, hide_index=True, width="stretch")
