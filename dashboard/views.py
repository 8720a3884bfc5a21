"""What each page shows, as pure functions of a vintage's tables and the view state.

Pages render a View with Streamlit; the snapshot bundle renders the same View to HTML, so a
download always holds exactly the figures and data on screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from dashboard import arena, arena_chart, charts, frames, marketdata, pages, params
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
#: The overview's adoption cards: dense measured histories first (their latest point), then
#: the company's latest statements.
#: A card's metric that the company replaced, and what stands in its place where it is blank.
CARD_SUCCESSORS = {"cloud_revenue": ("AI Cloud and Compute Services revenue", "ai_cloud_revenue")}
HEADLINE_ADOPTION = (
    "lmarena_text_score",
    "hf_downloads_30d",
    "modelscope_downloads_all_time",
    "openrouter_weekly_tokens",
    "hf_qwen_derivative_models",
    "qwen_app_mau",
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
    #: A page's extra tables (the Market page's series sources, its event windows).
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    windows: pd.DataFrame = field(default_factory=pd.DataFrame)


def footnote_text(
    parts: list[pd.DataFrame], vintage: str, ccy: str, extra: str = "", rate: str = ""
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
    return (
        f"Sources: {shown or 'none in range'}.{fx_text(parts, ccy, rate)} {extra}Vintage {vintage}."
    )


#: Which daily series the quarter-average policy used, by ticker.
RATE_SERIES = {
    "CNY=X": "Yahoo Finance CNY=X daily closes",
    "USDCNY_PBOC": "PBOC USD/CNY central parity, daily",
}


def fx_text(parts: list[pd.DataFrame], ccy: str, rate_series: str = "") -> str:
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
        self.by_ticker = marketdata.series(self.prices)
        self.avg_rate, self.rate_series = (
            marketdata.average_usd_rate(self.by_ticker) if s.ccy == "USD_avg" else (None, "")
        )

    def note(self, parts: list[pd.DataFrame], extra: str = "", ccy: str | None = None) -> str:
        """The footnote of a chart of these parts in this view."""
        return footnote_text(parts, self.v, ccy or self.s.ccy, extra, self.rate_series)

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
            "No daily USD/CNY rates are in this vintage, so the quarter-average view has no values: run `python -m etl refresh --source yahoo`."
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
        if (row is None or pd.isna(row["value"])) and metric in CARD_SUCCESSORS:
            # The segment the company reports from FY2027 (a different basis, labelled so).
            label, metric = CARD_SUCCESSORS[metric]
            full = c.q(metric, clip=False)
            row = (
                None
                if newest is None
                else frames.latest(full[full["period_end"] == newest["period_end"]])
            )
        change = None
        if row is not None:
            # On the RMB figures in every currency, so FX moves never pass for growth.
            yoy = frames.derive(c.q(metric, ccy="RMB", clip=False), "yoy", s.basis)
            change = float(yoy.loc[yoy["period_end"] == row["period_end"], "value"].iloc[0])
        view.cards.append((label, row, change))
    capex, ebita, fcf = c.q("capex"), c.q("adjusted_ebita"), c.q("free_cash_flow")
    note = c.note(
        [capex, ebita, fcf],
        "Capex: the two capex lines of the free cash flow reconciliation. ",
    )
    view.charts.append(
        Chart(
            "overview_headline",
            charts.headline(capex, ebita, fcf, note),
            f"capex_ebita_fcf_{s.ccy}_{c.v}",
        )
    )
    for metric in HEADLINE_ADOPTION:
        entities = ("qwen",) if metric.startswith("lmarena") else frames.ADOPTION_ENTITIES
        obs = frames.latest(frames.observations(c.facts, metric, c.names, entities=entities))
        if obs is not None:
            view.adoption_cards.append((metric, obs))
    view.data = _collect({"Capex": capex, "Adjusted EBITA": ebita, "Free cash flow": fcf})
    return view


#: The intensity chart is a ratio: the same in every currency, so its note says so in each.
INTENSITY_UNIT = (
    "Amounts in % of revenue, computed on RMB figures as reported (a ratio: the same in US$)."
)
CAPEX_NAMES = {
    "quarterly": "Capex per quarter",
    "ttm": "Capex, trailing twelve months",
    "cumulative": "Capex, cumulative since April 2025",
}


def _capex(c: _Ctx) -> tuple[pd.DataFrame, str]:
    s = c.s
    capex, name = c.q("capex", clip=False), CAPEX_NAMES[s.capex]
    if s.capex != "quarterly":
        capex = frames.derive(capex, s.capex, s.basis)
    if s.view != "level":
        capex = frames.derive(capex, s.view, s.basis)
        name += " (indexed, first quarter = 100)" if s.view == "index" else " (YoY %)"
    # A lag moves capex past the last quarter on file; the axis stops where the data stop.
    last = capex["period_end"].max() if len(capex) else None
    end = s.end or (last.date() if s.lag > 0 and pd.notna(last) else None)
    capex = frames.clip(frames.shift(capex, s.lag, s.basis), (s.start, end))
    if s.lag:
        name += f", shifted {s.lag:+d} quarters"
    return capex, name


def spending(tables: dict[str, pd.DataFrame], s: ViewState) -> View:
    """Capex in the chosen view against the chosen adoption series; Qwen against the frontier."""
    c = _Ctx(tables, s)
    view = View("spending")
    capex, name = _capex(c)
    plain = s.capex == "quarterly" and s.view == "level" and not s.lag
    stated = c.q("capex_stated") if plain else None
    available = available_series(c.facts)
    adoption = {}
    for metric in [m for m in s.series if m in available]:
        obs = frames.observations(c.facts, metric, c.names, (s.start, s.end), _entities(metric))
        adoption[metric] = frames.derive(obs, "index", s.basis) if s.view == "index" else obs
    events = _events(c, ["qwen_release", "earnings", "capex_commitment"])
    if capex["value"].notna().sum() == 0:
        view.messages.append(
            "No capex figures in this range for the chosen view (TTM needs four consecutive quarters on file)."
        )
    note = c.note(
        [capex, *adoption.values(), *([stated] if stated is not None else [])],
        "Capex bars: the two capex lines of the free cash flow reconciliation; diamonds: capex "
        "as the company states it in words (another definition). Measured histories are lines, "
        "dated statements are markers. ",
    )
    kind = "bar" if s.capex == "quarterly" and s.view == "level" else "line"
    commitment = s.capex == "cumulative" and s.view == "level" and s.ccy == "RMB"
    fig = charts.spending_adoption(
        capex, name, adoption, events, note, kind=kind, commitment=commitment, stated=stated
    )
    view.charts.append(Chart("spending_chart", fig, f"capex_{s.capex}_{s.view}_vs_adoption_{c.v}"))
    front = arena.frontier(c.facts, c.names, (s.start, s.end))
    if len(front):
        releases = _events(c, ["qwen_release"])
        fnote = c.note(
            [front.assign(value=front["qwen"])],
            "A lab's score on a date is its latest published row on or before it (the snapshot "
            "leaves out unchanged rows); each lab's best flagship model as the snapshot selects "
            "it. ",
            ccy="RMB",
        ).replace(" Amounts in RMB as reported.", "")
        view.charts.append(
            Chart(
                "spending_frontier",
                arena_chart.frontier_figure(front, releases, fnote),
                f"lmarena_frontier_{c.v}",
            )
        )
    parts = {name: capex, **{METRICS[m].label: f for m, f in adoption.items()}}
    if stated is not None:
        parts["Capex as stated in words"] = stated
    if len(front):
        parts["LM Arena: Qwen's best score"] = _frontier_rows(front, "qwen", "qwen_model")
        parts["LM Arena: best rival's score"] = _frontier_rows(front, "rival", "rival_model")
    view.data = _collect(parts)
    return view


def _entities(metric: str) -> tuple[str, ...]:
    return ("qwen",) if metric.startswith("lmarena") else frames.ADOPTION_ENTITIES


def _frontier_rows(front: pd.DataFrame, col: str, model: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period_end": front["date"],
            "value": front[col],
            "label": front["date"].dt.strftime("%Y-%m-%d"),
            "unit": "score",
            "source": front["source"],
            "source_id": front["source_id"],
            "source_url": "",
            "note": front[model] + ("" if col == "qwen" else " (" + front["rival_lab"] + ")"),
        }
    )


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
    note = c.note([ebita, revenue], "Margin = adjusted EBITA / revenue. ")
    view.charts.append(
        Chart(
            "profit_margin",
            charts.margin_figure(ebita, margin, note),
            f"adjusted_ebita_margin_{s.ccy}_{c.v}",
        )
    )
    cash = {k: c.q(k) for k in ("operating_cash_flow", "capex", "free_cash_flow")}
    cash["ocf_less_capex"] = frames.difference(cash["operating_cash_flow"], cash["capex"])
    note = c.note(
        list(cash.values()),
        "Capex: the two capex lines of the free cash flow reconciliation. OCF less capex is "
        "computed; company FCF also adjusts other items. ",
    )
    view.charts.append(
        Chart("profit_cash", charts.cash_figure(cash, note), f"cash_flows_{s.ccy}_{c.v}")
    )
    intensity = frames.ratio(c.q("capex", ccy="RMB"), c.q("revenue", ccy="RMB"))
    note = c.note([intensity], "Capex intensity = capex / revenue. ", ccy="RMB").replace(
        " Amounts in RMB as reported.", f" {INTENSITY_UNIT}"
    )
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
    ai = {m: c.q(m) for m in ("ai_cloud_revenue", "ai_cloud_adjusted_ebita")}
    note = c.note(
        [cloud, cloud_ebita, growth, *ai.values()],
        "Growth as stated in each release. From FY2027 the segment is AI Cloud and Compute "
        "Services (Cloud Intelligence Group plus T-Head), a different basis drawn apart; its "
        "FY2026 bars are the recast year-ago figures the FY2027 releases state. ",
    )
    view.charts.append(
        Chart(
            "profit_cloud",
            charts.cloud_figure(cloud, growth, cloud_ebita, note, ai=ai),
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
            "AI Cloud and Compute Services revenue": ai["ai_cloud_revenue"],
            "AI Cloud and Compute Services adjusted EBITA": ai["ai_cloud_adjusted_ebita"],
        }
    )
    return view


MARKET_TICKERS = ("BABA", "MCHI", "9988.HK", "^HSI")
MARKET_NOTE = (
    "Descriptive, not causal: other news moves prices too, and windows around dates close "
    "together overlap. Day 0 is the first trading day on or after the event; each series counts "
    "its own exchange's trading days (NYSE for BABA and MCHI, HKEX for 9988.HK and ^HSI). "
    "Returns use adjusted closes where the series has them. "
)


def market(tables: dict[str, pd.DataFrame], s: ViewState) -> View:
    """Prices against benchmarks, and returns around Qwen releases and earnings."""
    c = _Ctx(tables, s)
    view = View("market")
    if not c.by_ticker:
        return view
    view.table = marketdata.coverage(c.by_ticker, c.names)
    events = _events(c, ["qwen_release", "earnings"])
    indexed = marketdata.indexed(c.by_ticker, MARKET_TICKERS, s.start)
    price_sources = [
        f.assign(value=f["price"], source=f["source_id"].map(c.names)) for f in indexed.values()
    ]
    note = c.note(price_sources, "Daily closes; " + MARKET_NOTE, ccy="RMB").replace(
        " Amounts in RMB as reported.", ""
    )
    from dashboard import market_charts

    view.charts.append(
        Chart(
            "market_prices",
            market_charts.price_figure(indexed, c.names, events, note),
            f"prices_indexed_{c.v}",
        )
    )
    windows = marketdata.event_windows(c.by_ticker, events, s.win, (s.start, s.end))
    if windows.empty:
        view.messages.append(
            "No Qwen release or earnings date in range has a full window of prices."
        )
        return view
    label = marketdata.window_label(s.win)
    dated = windows.assign(value=windows["excess_pct"])
    wnote = c.note([dated, *price_sources], "Event dates: see the table. " + MARKET_NOTE, ccy="RMB")
    wnote = wnote.replace(" Amounts in RMB as reported.", "")
    view.charts.append(
        Chart(
            "market_windows",
            market_charts.window_figure(windows, label, wnote),
            f"event_windows_{s.win}_{c.v}",
        )
    )
    view.windows = windows
    view.data = windows.assign(
        series=windows["ticker"] + " " + label + " excess over " + windows["benchmark"],
        period_end=windows["event_date"],
        label=windows["event"],
        value=windows["excess_pct"],
        unit="pct",
        source_url="",
        note="return "
        + windows["return_pct"].round(2).astype(str)
        + "%, benchmark "
        + windows["benchmark_pct"].round(2).astype(str)
        + "%",
    )[DATA_COLUMNS]
    return view


#: The lines a derived figure rests on (shown with it when its coverage cell is chosen).
DERIVED_FROM = {"capex": ("capex_ppe", "capex_intangibles")}


def sources(tables: dict[str, pd.DataFrame], s: ViewState) -> View:
    """Every figure of the vintage, filtered by the search text or a chosen coverage cell."""
    from dashboard import sources_chart
    from etl import coverage

    view = View("sources")
    view.table = coverage.grid(tables)
    view.charts.append(
        Chart(
            "sources_coverage", sources_chart.coverage_figure(view.table), f"coverage_{s.vintage}"
        )
    )
    shown = tables["facts"].drop(columns=["origin"], errors="ignore")
    if s.cell:
        metric, quarter = s.cell.split("@")
        metrics = (metric, *DERIVED_FROM.get(metric, ()))
        shown = shown[shown["metric"].isin(metrics) & (shown["fiscal_period"] == quarter)]
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
