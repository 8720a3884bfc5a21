"""The dashboard's pages, declared once: key, title, icon, script, URL path, figures in view.

Everything else (navigation, share links, view builders, tests, benchmarks) derives from
PAGES. The default page lives at the root URL, so Streamlit reports its url_path as "".
"""

from __future__ import annotations

from dataclasses import dataclass

from etl.models import METRICS


@dataclass(frozen=True)
class Page:
    """One page of the dashboard."""

    key: str
    title: str
    icon: str
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
        ("revenue", "adjusted_ebita", "free_cash_flow", "capex", "cloud_revenue"),
    ),
    Page(
        "spending",
        "Spending vs adoption",
        ":material/timeline:",
        ("capex", "capex_stated", *(m for m in METRICS if METRICS[m].kind == "point")),
    ),
    Page(
        "profitability",
        "Profitability and cash",
        ":material/payments:",
        ("adjusted_ebita", "revenue", *_CASH, "cloud_revenue", "cloud_adjusted_ebita"),
    ),
    Page("market", "Market reaction", ":material/candlestick_chart:"),
    Page("peers", "Peers: spend vs standing", ":material/groups:", ("capex",)),
    Page("sources", "Sources and data", ":material/fact_check:"),
)
BY_KEY: dict[str, Page] = {p.key: p for p in PAGES}
DEFAULT = PAGES[0]


def from_url_path(url_path: str) -> Page:
    """The page for Streamlit's url_path ("" is the default page at the root URL)."""
    return BY_KEY.get(url_path.strip("/"), DEFAULT)
