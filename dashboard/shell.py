"""The frame around every page: view state from the URL, shared controls, vintage notices.

It composes the pages through the registry (dashboard.pages) and reads vintages through
dashboard.common.data only.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from dashboard import pages, snapshot
from dashboard.common import data, freshness, params
from dashboard.common.params import ViewState
from dashboard.pages import Page
from etl import periods
from etl.export import diff_facts

log = logging.getLogger(__name__)
STATE_KEY = "view_state"
CURRENCY_LABELS = {"RMB": "RMB", "USD": "US$ (release rate)", "USD_avg": "US$ (quarter avg)"}


def state() -> ViewState:
    """The session's view state; parsed from the URL when the session starts."""
    if STATE_KEY not in st.session_state:
        st.session_state[STATE_KEY] = params.parse(st.query_params.to_dict())
    current: ViewState = st.session_state[STATE_KEY]
    return current


def update(**changes: Any) -> None:
    """Change the view state and write it to the URL (field names are ViewState's)."""
    st.session_state[STATE_KEY] = replace(state(), **changes, notices=())
    sync_url()


def sync_url() -> None:
    """Make the URL carry exactly the view state (always including the vintage)."""
    wanted = params.to_query(state())
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def share_url(page: Page) -> str:
    """The link that reproduces this view (the default page's link is the root URL)."""
    base = str(st.context.url or "").split("?")[0].rstrip("/")
    for known in pages.PAGES:
        if base.endswith(f"/{known.url_path}"):
            base = base.removesuffix(f"/{known.url_path}")
    path = "/" if page is pages.DEFAULT else f"/{page.url_path}"
    return f"{base}{path}?{urlencode(params.to_query(state()))}"


def resolve_vintage() -> data.FirstBuild:
    """Pin the session to a vintage: the link's one if published, else the current one."""
    s = state()
    if s.vintage is not None and data.resolve(s.vintage) is not None:
        return data.FirstBuild(s.vintage)
    built = data.ensure_vintage()
    if built.notice:
        st.warning(built.notice)
    current = built.vintage
    if s.vintage is not None:
        st.warning(
            f"This link asks for data vintage `{s.vintage}`, which is not published here "
            "(it may come from another server). Showing the current data instead."
        )
    if current is not None:
        st.session_state[STATE_KEY] = replace(s, vintage=current)
    return built


def _quarters(vintage: str) -> list[pd.Timestamp]:
    f = data.facts(vintage)
    q = f.loc[(f["fiscal_period"].astype(str) != "") & f["value"].notna(), "period_end"]
    return sorted(pd.to_datetime(q.unique()))


def importance_control(
    col: st.delta_generator.DeltaGenerator, label: str, s: ViewState, help: str
) -> None:
    """The major-or-every-event switch, one widget shared by the pages that mark events."""
    col.segmented_control(
        label,
        params.IMPORTANCE,
        default=s.importance,
        key="w_importance",
        on_change=on_widget,
        args=("importance", "w_importance"),
        format_func=lambda i: "Major only" if i == "major" else "Every event",
        help=help,
    )


def on_widget(field: str, key: str) -> None:
    """Widget callback: copy the widget's value into the view state (and the URL)."""
    value = st.session_state[key]
    if field == "range":
        start, end = value
        update(start=start.date(), end=end.date())
    elif field == "series":
        update(series=tuple(value))
    elif field == "quarter":
        update(quarter=value.date() if value is not None else None)
    elif field == "events":
        update(events=tuple(c for c in params.EVENT_CATEGORIES if c in (value or ())))
    elif value is None:  # a segmented control clicked off: back to the default
        update(**{field: getattr(params.DEFAULT, field)})
    else:
        update(**{field: value})


def controls(vintage: str) -> None:
    """Sidebar controls shared by every page: currency, period basis, date range."""
    s = state()
    sb = st.sidebar
    sb.header("View")
    sb.segmented_control(
        "Currency",
        params.CURRENCIES,
        default=s.ccy,
        key="w_ccy",
        on_change=on_widget,
        args=("ccy", "w_ccy"),
        format_func=lambda c: CURRENCY_LABELS[str(c)],
        help="RMB as reported; US$ at each release's convenience rate; or US$ at the quarter's average "
        "USD/CNY rate (needs refreshed market data)",
    )
    sb.segmented_control(
        "Quarters",
        params.BASES,
        default=s.basis,
        key="w_basis",
        on_change=on_widget,
        args=("basis", "w_basis"),
        format_func=lambda b: "Fiscal (FY ends 31 Mar)" if b == "fiscal" else "Calendar",
    )
    quarters = _quarters(vintage)
    if len(quarters) >= 2:
        start = pd.Timestamp(s.start) if s.start else quarters[0]
        end = pd.Timestamp(s.end) if s.end else quarters[-1]
        start = min(quarters, key=lambda q: abs(q - start))
        end = min(quarters, key=lambda q: abs(q - end))
        sb.select_slider(
            "Date range",
            options=quarters,
            value=(start, end),
            key="w_range",
            on_change=on_widget,
            args=("range", "w_range"),
            format_func=lambda t: periods.period_label(t.date(), s.basis),
        )


def vintage_notice(vintage: str, metrics: list[str]) -> None:
    """Say when newer data exist, offer them, and list what changed among the figures in view."""
    current = data.current_id(data.store_root())
    if current is None or current == vintage:
        return
    changes = diff_facts(data.facts(vintage), data.facts(current))
    in_view = changes[changes["metric"].isin(metrics)] if metrics else changes
    st.info(
        f"You are viewing data vintage `{vintage}`. Newer data exist (vintage `{current}`): "
        f"{len(in_view)} figure(s) in this view changed."
    )
    st.button(
        "Show this view on the latest data",
        key="w_latest",
        on_click=update,
        kwargs={"vintage": current},
    )
    if len(in_view):
        with st.expander("What changed in this view"):
            st.dataframe(in_view, hide_index=True, width="stretch")


def share_box(current: Page, vintage: str) -> None:
    """The link to copy (pinned to the vintage on screen), a citation and the snapshot download."""
    link = share_url(current)
    page = current.key
    created = str(data.manifest(vintage).get("created_at", ""))
    view_state = state()
    root = data.store_root()

    def make_bundle() -> bytes:
        # Runs on Streamlit's download thread: read the store directly, not through st caches.
        tables = data.read_all(root, vintage)
        view = current.build(tables, view_state)
        return snapshot.bundle(view, view_state, tables, data.read_manifest(root, vintage), link)

    # A popover: its content (and the download button's code) reaches the browser only when
    # opened, not on every page load as a closed expander's does (benchmarks/pages.py).
    with st.sidebar.popover("Share this view", icon=":material/link:", width="stretch"):
        # Inline code in markdown, not st.code: st.code loads a 1.5 MB syntax highlighter when
        # drawn (benchmarks/pages.py measured it on every page while this box was an expander).
        st.markdown(f"`{link}`")
        st.caption(f"Pinned to data vintage `{vintage}`: the link keeps showing these numbers.")
        st.markdown("**Cite this view**")
        st.caption(snapshot.citation(page, vintage, created, link))
        st.download_button(
            "Download snapshot (.zip)",
            data=make_bundle,
            file_name=f"aiimpact_{page}_{vintage}.zip",
            mime="application/zip",
            on_click=check_snapshot,
            args=(root, vintage),
            icon=":material/download:",
            help="Interactive charts as one offline HTML file, the data in view as CSV, metadata and a citation.",
        )


def snapshot_error() -> None:
    """The last snapshot download's failure, at the top of the sidebar.

    Drawn first in the run, before the vintage is resolved: the rerun that the Download click
    starts may find the vintage gone and rebuild one (many seconds), or stop at an empty state,
    and the viewer must read at once why the download failed. Outside the share box, which may
    be closed by that rerun.
    """
    problem = st.session_state.get(SNAPSHOT_ERROR)
    if problem:
        st.sidebar.error(problem, icon=":material/error:")


#: Session key of the last snapshot download's failure, shown until a download succeeds.
SNAPSHOT_ERROR = "snapshot_error"


def check_snapshot(root: str, vintage: str) -> None:
    """Download callback: find out whether the bundle can be built, and keep the reason if not.

    The bundle itself is built on Streamlit's download thread, whose failure the browser
    shows only as a generic note for a few seconds; this rerun says what went wrong.
    """
    try:
        data.read_all(root, vintage)
    except Exception:  # any store fault: the viewer needs the reason, not a traceback
        # The server log keeps the details (paths are not for viewers).
        log.exception("snapshot of vintage %s cannot be built", vintage)
        st.session_state[SNAPSHOT_ERROR] = (
            f"The snapshot could not be built: data vintage `{vintage}` can no longer be read "
            "on this server. Reload the page to view the current data, then download again."
        )
    else:
        st.session_state.pop(SNAPSHOT_ERROR, None)


def notices() -> None:
    """Show, once, what the link contained that could not be used."""
    s = state()
    for note in s.notices:
        st.warning(note, icon=":material/link_off:")
    if s.notices:
        st.session_state[STATE_KEY] = replace(s, notices=())


def freshness_line(page: Page, vintage: str) -> None:
    """Under the title: the "as of" date of each series the page draws, stale ones badged; on
    the Overview, the online sources this vintage never fetched and how to fetch them."""
    if page.key == "sources":  # that page lists freshness per source in full
        return
    today = datetime.now(UTC).date()
    rows = freshness.as_of(data.view(page.build, state()), today)
    if rows:
        items = [
            f"{r.series} {r.shown}" + (" :orange-badge[stale]" if r.stale else "") for r in rows
        ]
        stale = (
            " Stale: older than its cadence ("
            + ", ".join(
                f"{freshness.CADENCE_NAMES[k]} {d} days" for k, d in freshness.CADENCE_DAYS.items()
            )
            + ")."
            if any(r.stale for r in rows)
            else ""
        )
        st.caption("**As of:** " + " · ".join(items) + stale)
    missing = freshness.never_fetched(data.manifest(vintage)) if page is pages.DEFAULT else []
    if missing:
        commands = [freshness.REFRESH[m] for m in missing if m in freshness.REFRESH]
        st.info(
            f"**Never fetched online:** {', '.join(missing)}. These figures come from the bundled "
            "files in data/ only. Refresh them with `python -m etl refresh` (one source: "
            "`--source NAME`)"
            + (": " + "; ".join(f"`{c}`" for c in commands) if commands else "")
            + ".",
            icon=":material/cloud_off:",
        )
