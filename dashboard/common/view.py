"""The base of every page's view: named charts, the data in view, footnotes, the reading context.

A page's view is a frozen dataclass built by a pure function of a vintage's tables and the view
state. Pages render it with Streamlit; the snapshot bundle renders the same view to HTML, so a
download always holds exactly the figures and data on screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import pandas as pd
import plotly.graph_objects as go

from dashboard.common import frames, prices, safe
from dashboard.common.params import ViewState
from etl import periods
from etl.derive import FX_POLICY_TEXT
from etl.models import Currency, EventImportance

DATA_COLUMNS = [
    "series",
    "period_end",
    "label",
    "value",
    "unit",
    "source",
    "source_id",
    "source_url",
    "note",
]


def empty_data() -> pd.DataFrame:
    """The data in view of a page that draws nothing."""
    return pd.DataFrame(columns=DATA_COLUMNS)


@dataclass(frozen=True)
class Chart:
    """One figure with its widget key and export file name."""

    key: str
    figure: go.Figure
    filename: str


@dataclass(frozen=True)
class View:
    """What every page's view holds: its page key, the data in view (the CSV export), messages.

    Each page subclasses it with its own named charts (`Chart | None` fields) and tables.
    """

    page: str
    data: pd.DataFrame = field(default_factory=empty_data)
    messages: tuple[str, ...] = ()

    @property
    def charts(self) -> list[Chart]:
        """The figures drawn, in the order the view declares them (absent ones left out)."""
        drawn = (getattr(self, f.name) for f in fields(self))
        return [chart for chart in drawn if isinstance(chart, Chart)]


def footnote_text(
    parts: list[pd.DataFrame], vintage: str, ccy: Currency, extra: str = "", rate: str = ""
) -> str:
    """'Sources: ... FX ... Vintage ...' for the figures in a chart."""
    names: list[str] = []
    for f in parts:
        if len(f):
            for s in f.loc[f["value"].notna(), "source"]:
                for part in str(s).split(" ; "):
                    if part and part not in names:
                        names.append(part)
    shown = "; ".join(names[:4])
    if len(names) > 4:
        shown += f"; and {len(names) - 4} more (see Sources page)"
    # Escaped once here for every chart: plotly draws a footnote's text as HTML.
    return safe.plotly_text(
        f"Sources: {shown or 'none in range'}.{fx_text(parts, ccy, rate)} {extra}Vintage {vintage}."
    )


#: Which daily series the quarter-average policy used, by ticker.
RATE_SERIES = {
    "CNY=X": "Yahoo Finance CNY=X daily closes",
    "USDCNY_PBOC": "PBOC USD/CNY central parity, daily",
}


def fx_text(parts: list[pd.DataFrame], ccy: Currency, rate_series: str = "") -> str:
    """The FX sentence of a footnote: the policy, and which quarters used stated US$ amounts."""
    if ccy == "USD":
        stated = sorted(
            {
                str(lab)
                for f in parts
                if len(f) and "note" in f
                for lab in f.loc[f["note"] == frames.USD_STATED_NOTE, "label"]
            }
        )
        extra = f"; {', '.join(stated)}: US$ as the release states it" if stated else ""
        return f" FX: {FX_POLICY_TEXT['convenience']}{extra}."
    if ccy == "USD_avg":
        return f" FX: {FX_POLICY_TEXT['period_average']} ({RATE_SERIES.get(rate_series, rate_series or 'no daily rate')})."
    return " Amounts in RMB as reported."


def collect(parts: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The data in view: each named frame's rows with a value, in DATA_COLUMNS."""
    rows = [f.assign(series=name) for name, f in parts.items() if len(f)]
    if not rows:
        return empty_data()
    out = pd.concat(rows, ignore_index=True)
    out = out[out["value"].notna()]
    out["period_end"] = pd.to_datetime(out["period_end"]).dt.strftime("%Y-%m-%d")
    return out[DATA_COLUMNS].reset_index(drop=True)


def has_values(*parts: pd.DataFrame) -> bool:
    """Whether any of the frames holds a value."""
    return any(len(f) and f["value"].notna().any() for f in parts)


def adoption_entities(metric: str) -> tuple[str, ...]:
    """The entities an adoption series is read for (LM Arena: Qwen's own rows)."""
    return ("qwen",) if metric.startswith("lmarena") else frames.ADOPTION_ENTITIES


class Context:
    """What a page builder reads from one vintage under one view state."""

    def __init__(self, tables: dict[str, pd.DataFrame], state: ViewState) -> None:
        self.facts = frames.preferred(tables["facts"], tables["sources"])
        self.events = tables.get(
            "events", pd.DataFrame(columns=["date", "category", "label", "source_id"])
        )
        self.commitments = tables.get("commitments", pd.DataFrame(columns=["id", "supersedes"]))
        self.disclosures = tables.get("disclosures", pd.DataFrame())
        self.source_names = frames.source_names(tables["sources"])
        self.state = state
        self.vintage = str(state.vintage)
        self.prices_by_ticker = prices.series(tables.get("prices_daily", pd.DataFrame()))
        self.average_rate, self.rate_series = (
            prices.average_usd_rate(self.prices_by_ticker) if state.ccy == "USD_avg" else (None, "")
        )

    def footnote(
        self, parts: list[pd.DataFrame], extra: str = "", ccy: Currency | None = None
    ) -> str:
        """The footnote of a chart of these parts in this view."""
        return footnote_text(parts, self.vintage, ccy or self.state.ccy, extra, self.rate_series)

    def quarterly(
        self, metric: str, *, ccy: Currency | None = None, clip: bool = True
    ) -> pd.DataFrame:
        """A metric's quarterly figures in the view's currency and basis (clipped to its range)."""
        s = self.state
        window = (s.start, s.end) if clip else (None, s.end)
        return frames.quarterly(
            self.facts,
            metric,
            ccy=ccy or s.ccy,
            basis=s.basis,
            names=self.source_names,
            window=window,
            avg_rate=self.average_rate,
        )

    def events_in_range(
        self, categories: tuple[str, ...] | list[str], importance: EventImportance = "all"
    ) -> pd.DataFrame:
        """The events of these categories within the view's date range."""
        window = (self.state.start, self.state.end)
        return frames.events(self.events, self.source_names, categories, importance, window)


def range_message(context: Context, span: str = "") -> str:
    """Why a page draws nothing for a valid range: the range asked for and the data's span.

    `span` describes what the page draws when that is not the quarterly figures.
    """
    s, facts = context.state, context.facts
    asked = " to ".join(
        (
            periods.period_label(s.start, s.basis) if s.start else "the first quarter",
            periods.period_label(s.end, s.basis) if s.end else "the latest quarter",
        )
    )
    quarters = facts.loc[
        (facts["entity"] == "alibaba")
        & (facts["fiscal_period"].fillna("").astype(str) != "")
        & facts["value"].notna(),
        "period_end",
    ]
    ends = pd.to_datetime(quarters)
    span = span or (
        f"this vintage's quarterly figures run from {frames.label(ends.min(), s.basis)} to "
        f"{frames.label(ends.max(), s.basis)}"
        if len(ends)
        else "this vintage holds no quarterly figures"
    )
    return f"Nothing on file for {asked}: {span}. Widen the date range in the sidebar."
