"""How fresh each series on a page is: its "as of" date, and whether it is older than its cadence.

Pure functions of a View (no Streamlit, no I/O), so the page and the tests read the same answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from dashboard.common.view import View
from etl.config import STALE_QUARTER_DAYS
from etl.models import METRICS

#: How old the newest point of a series may be before it is stale, by kind of series. Quarterly
#: figures: the pipeline's own threshold (results come about two months after the quarter);
#: daily closes: a week; measured adoption histories (boards, crawls): about a month and a half;
#: the company's statements come with results, so they age like quarterly figures.
CADENCE_DAYS = {
    "quarterly": STALE_QUARTER_DAYS,
    "daily": 7,
    "measured": 45,
    "stated": STALE_QUARTER_DAYS,
}
CADENCE_NAMES = {
    "quarterly": "quarterly",
    "daily": "daily",
    "measured": "measured history",
    "stated": "company statement",
}
_QUARTER = re.compile(r"^(FY)?\d{4}Q[1-4]")
#: How to refresh each online source (the README's commands; the two that need configuration
#: say which).
REFRESH = {
    "edgar": 'AIIMPACT_SEC_USER_AGENT="Name email" python -m etl refresh --source edgar',
    "openrouter": "OPENROUTER_API_KEY=... python -m etl refresh --source openrouter",
}


@dataclass(frozen=True)
class AsOf:
    """The newest point of one series on a page."""

    series: str
    as_of: date
    shown: str
    kind: str
    days_old: int

    @property
    def stale(self) -> bool:
        """Older than its cadence allows."""
        return self.days_old > CADENCE_DAYS[self.kind]


def _row(series: str, end: object, shown: str, kind: str, today: date) -> AsOf:
    when = pd.Timestamp(str(end)).date()
    return AsOf(series, when, shown, kind, (today - when).days)


def as_of(view: View, today: date) -> list[AsOf]:
    """One row per series the page draws: its newest date, how it is shown, and its age."""
    rows = []
    # The Market view's price series table and the Overview's adoption cards (their own fields:
    # this module sits below the pages and reads them by name).
    prices: pd.DataFrame = getattr(view, "table", pd.DataFrame())
    adoption: tuple[tuple[str, pd.Series], ...] = getattr(view, "adoption_cards", ())
    if view.page == "market":
        for r in prices.to_dict("records"):
            rows.append(_row(str(r["ticker"]), r["last date"], str(r["last date"]), "daily", today))
    elif len(view.data):
        data = view.data.dropna(subset=["value"])
        data = data.assign(_when=pd.to_datetime(data["period_end"])).sort_values("_when")
        for series, g in data.groupby("series", sort=False):
            newest = g.iloc[-1]
            label = str(newest["label"]).split(" ")[0]
            quarterly = bool(_QUARTER.match(label))
            when = pd.Timestamp(newest["_when"])
            rows.append(
                _row(
                    str(series),
                    when,
                    label if quarterly else when.date().isoformat(),
                    "quarterly"
                    if quarterly
                    else "stated"
                    if "stated" in str(series)
                    else "measured",
                    today,
                )
            )
    for metric, obs in adoption:
        kind = "measured" if obs.get("basis") == "measured" else "stated"
        name = METRICS[metric].label if metric in METRICS else metric
        rows.append(_row(name, obs["period_end"], str(obs["label"]), kind, today))
    return rows


def never_fetched(manifest: dict[str, Any]) -> list[str]:
    """The online sources this vintage has never fetched (its figures come from data/ only)."""
    sources = manifest.get("sources") or {}
    return sorted(k for k, v in sources.items() if str(v.get("status")) == "never fetched")
