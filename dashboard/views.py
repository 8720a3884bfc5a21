"""What each page shows, as pure functions of a vintage's tables and the view state.

Pages render a View with Streamlit; the snapshot bundle renders the same View to HTML, so a
download always holds exactly the figures and data on screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from dashboard import charts, frames, pages, params
from dashboard.params import ViewState
from etl.models import METRICS
from etl.transform import FX_POLICY_TEXT

CARD_METRICS = [
    ("Revenue", "revenue"),
    ("Adjusted EBITA", "adjusted_ebita"),
    ("Free cash flow", "free_cash_flow"),
    ("Capex", "capex"),
    ("Cloud revenue", "cloud_revenue"),
]
HEADLINE_ADOPTION = (
    "hf_qwen_derivative_models",
    "hf_qwen_downloads_cumulative",
    "qwen_app_mau",
    "lmarena_best_qwen_score",
    "model_studio_customers",
)
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


@dataclass
class Chart:
    """One figure with its widget key and export file name."""

    key: str
    figure: go.Figure
    filename: str


@dataclass
class View:
    """Everything a page shows, independent of Streamlit."""

    page: str
    charts: list[Chart] = field(default_factory=list)
    data: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=DATA_COLUMNS))
    cards: list[tuple[str, pd.Series | None, float | None]] = field(default_factory=list)
    adoption_cards: list[tuple[str, pd.Series]] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    heading: str = ""


def footnote_text(parts: list[pd.DataFrame], vintage: str, ccy: str, extra: str = "") -> str:
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
    fx = {
        "USD": f" FX: {FX_POLICY_TEXT['convenience']}.",
        "USD_avg": f" FX: {FX_POLICY_TEXT['period_average']} (Yahoo Finance CNY=X daily closes).",
    }.get(ccy, " Amounts in RMB as reported.")
    return f"Sources: {shown or 'none in range'}.{fx} {extra}Vintage {vintage}."


def _collect(parts: dict[str, pd.DataFrame]) -> pd.DataFrame:
    rows = [f.assign(series=name) for name, f in parts.items() if len(f)]
    if not rows:
        return pd.DataFrame(columns=DATA_COLUMNS)
    out = pd.concat(rows, ignore_index=True)
    out = out[out["value"].notna()]
    out["period_end"] = pd.to_datetime(out["period_end"]).dt.strftime("%Y-%m-%d")
    return out[DATA_COLUMNS].reset_index(drop=True)


class _Ctx:
    def __init__(self, tables: dict[str, pd.DataFrame], s: ViewState) -> None:
        self.facts = frames.preferred(tables["facts"], tables["sources"])
        self.events = tables.get(
            "events", pd.DataFrame(columns=["date", "category", "label", "source_id"])
        )
        self.prices = tables.get("prices_daily", pd.DataFrame())
        self.names = frames.source_names(tables["sources"])
        self.s = s
        self.v = str(s.vintage)
        self.avg_rate = frames.average_usd_rate(self.prices) if s.ccy == "USD_avg" else None

    def q(self, metric: str, *, ccy: str | None = None, clip: bool = True) -> pd.DataFrame:
        window = (self.s.start, self.s.end) if clip else (None, self.s.end)
        return frames.quarterly(
            self.facts,
            metric,
            ccy=ccy or self.s.ccy,
            basis=self.s.basis,
            names=self.names,
            window=window,
            avg_rate=self.avg_rate,
        )


def overview(tables: dict[str, pd.DataFrame], s: ViewState) -> View:
    """Latest quarter cards, the headline chart and the latest adoption observations."""
    c = _Ctx(tables, s)
    view = View("overview")
    if s.ccy == "USD_avg" and c.avg_rate is None:
        view.messages.append(
            "No USD/CNY rates are loaded in this vintage, so the period-average view has no values: run `python -m etl refresh --source yahoo`."
        )
    newest = frames.latest(c.q("revenue"))
    view.heading = (
        f"Latest quarter on file: {newest['label']}"
        if newest is not None
        else "No quarter in range"
    )
    for label, metric in CARD_METRICS:
        full = c.q(metric, clip=False)
        row = (
            None
            if newest is None
            else frames.latest(full[full["period_end"] == newest["period_end"]])
        )
        change = None
        if row is not None:
            yoy = frames.derive(full, "yoy", s.basis)
            change = float(yoy.loc[yoy["period_end"] == row["period_end"], "value"].iloc[0])
        view.cards.append((label, row, change))
    capex, ebita, fcf = c.q("capex"), c.q("adjusted_ebita"), c.q("free_cash_flow")
    note = footnote_text(
        [capex, ebita, fcf],
        c.v,
        s.ccy,
        "Capex: reconciliation lines where on file, else as stated. ",
    )
    view.charts.append(
        Chart(
            "overview_headline",
            charts.headline(capex, ebita, fcf, note),
            f"capex_ebita_fcf_{s.ccy}_{c.v}",
        )
    )
    for metric in HEADLINE_ADOPTION:
        obs = frames.latest(frames.observations(c.facts, metric, c.names))
        if obs is not None:
            view.adoption_cards.append((metric, obs))
    view.data = _collect({"Capex": capex, "Adjusted EBITA": ebita, "Free cash flow": fcf})
    return view


def spending(tables: dict[str, pd.DataFrame], s: ViewState) -> View:
    """Capex in the chosen view against the chosen adoption series and events."""
    c = _Ctx(tables, s)
    view = View("spending")
    capex = c.q("capex", clip=False)
    name = {
        "quarterly": "Capex per quarter",
        "ttm": "Capex, trailing twelve months",
        "cumulative": "Capex, cumulative since April 2025",
    }[s.capex]
    if s.capex != "quarterly":
        capex = frames.derive(capex, s.capex, s.basis)
    if s.view != "level":
        capex = frames.derive(capex, s.view, s.basis)
        name += " (indexed, first quarter = 100)" if s.view == "index" else " (YoY %)"
    capex = frames.clip(frames.shift(capex, s.lag, s.basis), (s.start, s.end))
    if s.lag:
        name += f", shifted {s.lag:+d} quarters"
    available = available_series(c.facts)
    adoption = {}
    for metric in [m for m in s.series if m in available]:
        obs = frames.observations(c.facts, metric, c.names, (s.start, s.end))
        adoption[metric] = frames.derive(obs, "index", s.basis) if s.view == "index" else obs
    events = _events(c, ["qwen_release", "earnings", "capex_commitment"])
    if capex["value"].notna().sum() == 0:
        view.messages.append(
            "No capex figures in this range for the chosen view (TTM needs four consecutive quarters on file)."
        )
    note = footnote_text(
        [capex, *adoption.values()],
        c.v,
        s.ccy,
        "Adoption figures are dated observations; no line joins them. ",
    )
    kind = "bar" if s.capex == "quarterly" and s.view == "level" else "line"
    commitment = s.capex == "cumulative" and s.view == "level" and s.ccy == "RMB"
    fig = charts.spending_adoption(
        capex, name, adoption, events, note, kind=kind, commitment=commitment
    )
    view.charts.append(Chart("spending_chart", fig, f"capex_{s.capex}_{s.view}_vs_adoption_{c.v}"))
    view.data = _collect({name: capex, **{METRICS[m].label: f for m, f in adoption.items()}})
    return view


def available_series(facts: pd.DataFrame) -> list[str]:
    """Adoption series that have at least one figure in the vintage."""
    present = set(facts.loc[facts["value"].notna(), "metric"])
    return [m for m in params.ADOPTION_SERIES if m in present]


def _events(c: _Ctx, categories: list[str]) -> pd.DataFrame:
    ev = c.events[c.events["category"].isin(categories)].copy()
    ev["source"] = ev["source_id"].map(c.names).fillna(ev["source_id"])
    when = pd.to_datetime(ev["date"])
    keep = pd.Series(True, index=ev.index)
    if c.s.start:
        keep &= when >= pd.Timestamp(c.s.start)
    if c.s.end:
        keep &= when <= pd.Timestamp(c.s.end) + pd.offsets.QuarterEnd(1)
    return ev[keep]


def profitability(tables: dict[str, pd.DataFrame], s: ViewState) -> View:
    """Adjusted EBITA and margin, cash flows, capex intensity, cloud segment."""
    c = _Ctx(tables, s)
    view = View("profitability")
    ebita, revenue = c.q("adjusted_ebita"), c.q("revenue")
    margin = frames.ratio(c.q("adjusted_ebita", ccy="RMB"), c.q("revenue", ccy="RMB"))
    note = footnote_text([ebita, revenue], c.v, s.ccy, "Margin = adjusted EBITA / revenue. ")
    view.charts.append(
        Chart(
            "profit_margin",
            charts.margin_figure(ebita, margin, note),
            f"adjusted_ebita_margin_{s.ccy}_{c.v}",
        )
    )
    cash = {k: c.q(k) for k in ("operating_cash_flow", "capex", "free_cash_flow")}
    cash["ocf_less_capex"] = frames.difference(cash["operating_cash_flow"], cash["capex"])
    note = footnote_text(
        list(cash.values()),
        c.v,
        s.ccy,
        "OCF less capex is computed; company FCF also adjusts other items. ",
    )
    view.charts.append(
        Chart("profit_cash", charts.cash_figure(cash, note), f"cash_flows_{s.ccy}_{c.v}")
    )
    intensity = frames.ratio(c.q("capex", ccy="RMB"), c.q("revenue", ccy="RMB"))
    note = footnote_text([intensity], c.v, "RMB", "Capex intensity = capex / revenue. ")
    view.charts.append(
        Chart(
            "profit_intensity", charts.intensity_figure(intensity, note), f"capex_intensity_{c.v}"
        )
    )
    cloud, cloud_ebita, growth = (
        c.q("cloud_revenue"),
        c.q("cloud_adjusted_ebita"),
        c.q("cloud_revenue_yoy_pct"),
    )
    note = footnote_text(
        [cloud, cloud_ebita, growth], c.v, s.ccy, "Growth as stated in each release. "
    )
    view.charts.append(
        Chart(
            "profit_cloud",
            charts.cloud_figure(cloud, growth, cloud_ebita, note),
            f"cloud_segment_{s.ccy}_{c.v}",
        )
    )
    view.data = _collect(
        {
            "Adjusted EBITA": ebita,
            "Adjusted EBITA margin": margin,
            "Operating cash flow": cash["operating_cash_flow"],
            "Capex": cash["capex"],
            "Free cash flow": cash["free_cash_flow"],
            "OCF less capex": cash["ocf_less_capex"],
            "Capex intensity": intensity,
            "Cloud revenue": cloud,
            "Cloud adjusted EBITA": cloud_ebita,
            "Cloud revenue YoY (stated)": growth,
        }
    )
    return view


def market(tables: dict[str, pd.DataFrame], s: ViewState) -> View:
    """Excess returns around Qwen releases and earnings, when the vintage holds prices."""
    c = _Ctx(tables, s)
    view = View("market")
    if c.prices.empty:
        return view
    windows = frames.event_windows(
        c.prices, _events(c, ["qwen_release", "earnings"]), s.win, c.names, (s.start, s.end)
    )
    if windows.empty:
        return view
    note = footnote_text([], c.v, "RMB", "Prices: Yahoo Finance via yfinance (vendor data). ")
    view.charts.append(
        Chart("market_events", charts.event_returns(windows, note), f"event_returns_{s.win}d_{c.v}")
    )
    view.data = windows.assign(
        series=windows["ticker"] + " " + windows["event"],
        period_end=windows["date"],
        label=windows["day"].astype(str),
        value=windows["excess_pct"],
        unit="pct",
        source_url="",
        note="excess return vs benchmark",
    )[DATA_COLUMNS]
    return view


def sources(tables: dict[str, pd.DataFrame], s: ViewState) -> View:
    """Every figure of the vintage, filtered by the search text."""
    view = View("sources")
    shown = tables["facts"].drop(columns=["origin"], errors="ignore")
    if s.q:
        text = pd.Series(
            [" ".join(map(str, r)).lower() for r in shown.itertuples(index=False)],
            index=shown.index,
        )
        shown = shown[text.str.contains(s.q.lower(), regex=False)]
    view.data = shown.reset_index(drop=True)
    return view


BUILDERS = {
    "overview": overview,
    "spending": spending,
    "profitability": profitability,
    "market": market,
    "sources": sources,
}


def build(page: str, tables: dict[str, pd.DataFrame], s: ViewState) -> View:
    """The View of one page (unknown pages fall back to the overview)."""
    return BUILDERS.get(pages.BY_KEY.get(page, pages.DEFAULT).key, overview)(tables, s)


VENDOR_PAIRS = [
    ("free_cash_flow", "vendor_free_cash_flow", "Free cash flow"),
    ("operating_cash_flow", "vendor_operating_cash_flow", "Operating cash flow"),
    ("capex", "vendor_capex", "Capex"),
    ("revenue", "vendor_revenue", "Revenue"),
]


def reconciliation(facts: pd.DataFrame) -> pd.DataFrame:
    """The company's figures next to Yahoo Finance's for the same quarters, with the difference.

    Yahoo's free cash flow is operating cash flow plus capital expenditure; the company's
    non-GAAP figure also excludes office-campus land and construction and adjusts for consumer
    protection fund deposits, so the two differ by definition.
    """
    rows = []
    for company, vendor, label in VENDOR_PAIRS:
        a = facts[(facts["metric"] == company) & facts["value"].notna()][
            ["period_end", "value", "source_id"]
        ]
        b = facts[(facts["metric"] == vendor) & facts["value"].notna()][
            ["period_end", "value", "source_id"]
        ]
        both = a.merge(b, on="period_end", how="outer", suffixes=("_company", "_yahoo"))
        for r in both.to_dict("records"):
            rows.append(
                {
                    "figure": label,
                    "period_end": r["period_end"],
                    "company (RMB mn)": r["value_company"],
                    "yahoo (RMB mn)": r["value_yahoo"],
                    "difference": r["value_company"] - r["value_yahoo"],
                    "company source": r["source_id_company"],
                    "yahoo source": r["source_id_yahoo"],
                }
            )
    return (
        pd.DataFrame(rows).sort_values(["figure", "period_end"]).reset_index(drop=True)
        if rows
        else pd.DataFrame()
    )
