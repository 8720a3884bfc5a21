"""The dashboard's pages, declared once: key, title, icon, view builder, figures in view.

Everything else (navigation, share links, snapshots, tests, benchmarks) derives from PAGES.
The default page lives at the root URL, so Streamlit reports its url_path as "".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from dashboard.app_pages.market import view as market
from dashboard.app_pages.overview import view as overview
from dashboard.app_pages.peers import view as peers
from dashboard.app_pages.profitability import view as profitability
from dashboard.app_pages.sources import view as sources
from dashboard.app_pages.spending import view as spending
from dashboard.common.params import ViewState
from dashboard.common.view import View
from etl.models import METRICS

#: A page's view builder: a pure function of a vintage's tables and the view state.
Builder = Callable[[dict[str, pd.DataFrame], ViewState], View]


@dataclass(frozen=True)
class Page:
    """One page of the dashboard: its folder app_pages/<key>/ holds page.py, view.py, charts.py."""

    key: str
    title: str
    icon: str
    build: Builder
    #: Metrics whose changes a pinned link's "what changed" notice lists (empty: all of them).
    metrics: tuple[str, ...] = ()

    @property
    def script(self) -> str:
        """The page's script, relative to dashboard/ (Streamlit's app_pages/ folder)."""
        return f"app_pages/{self.key}/page.py"

    @property
    def url_path(self) -> str:
        """The path segment of the page's URL; the default page is also served at the root."""
        return self.key


_CASH = ("operating_cash_flow", "capex", "capex_stated", "free_cash_flow")
PAGES: tuple[Page, ...] = (
    Page(
        "overview",
        "Overview",
        ":material/dashboard:",
        overview.build,
        ("revenue", "adjusted_ebita", "free_cash_flow", "capex", "cloud_revenue"),
    ),
    Page(
        "spending",
        "Spending vs adoption",
        ":material/timeline:",
        spending.build,
        ("capex", "capex_stated", *(m for m in METRICS if METRICS[m].kind == "point")),
    ),
    Page(
        "profitability",
        "Profitability and cash",
        ":material/payments:",
        profitability.build,
        ("adjusted_ebita", "revenue", *_CASH, "cloud_revenue", "cloud_adjusted_ebita"),
    ),
    Page("market", "Market reaction", ":material/candlestick_chart:", market.build),
    Page("peers", "Peers: spend vs standing", ":material/groups:", peers.build, ("capex",)),
    Page("sources", "Sources and data", ":material/fact_check:", sources.build),
)
BY_KEY: dict[str, Page] = {p.key: p for p in PAGES}
DEFAULT = PAGES[0]


def from_url_path(url_path: str) -> Page:
    """The page for Streamlit's url_path ("" is the default page at the root URL)."""
    return BY_KEY.get(url_path.strip("/"), DEFAULT)


def build(page: str, tables: dict[str, pd.DataFrame], s: ViewState) -> View:
    """The view of one page (unknown pages fall back to the default page)."""
    return BY_KEY.get(page, DEFAULT).build(tables, s)
