"""What each page shows, as pure functions of a vintage's tables and the view state.

Pages render a View with Streamlit; the snapshot bundle renders the same View to HTML, so a
download always holds exactly the figures and data on screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from dashboard import charts, pages
from dashboard.app_pages.market import returns as marketdata
from dashboard.app_pages.spending import arena, arena_chart, promises
from dashboard.common import frames, params, safe
from dashboard.common.params import ViewState
from etl import periods
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
    "lmarena_text_rank",
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
    #: The Overview: the quarters its picker offers (newest first), and a line under each card
    #: (the company's stated YoY with its source, or why no YoY is shown), markdown-escaped.
    quarters: list[pd.Timestamp] = field(default_factory=list)
    card_notes: list[str] = field(default_factory=list)
    #: A page's extra tables (the Market page's series sources, its event windows).
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    windows: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: The Sources page's freshness: last date of every series, newest public data known.
    freshness: pd.DataFrame = field(default_factory=pd.DataFrame)


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
    # Escaped once here for every chart: plotly draws a footnote's text as HTML.
    return safe.plotly_text(
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
        self.commitments = tables.get("commitments", pd.DataFrame(columns=["id", "supersedes"]))
        self.disclosures = tables.get("disclosures", pd.DataFrame())
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


def _has_values(*parts: pd.DataFrame) -> bool:
    return any(len(f) and f["value"].notna().any() for f in parts)


def range_message(c: _Ctx, span: str = "") -> str:
    """Why a page draws nothing for a valid range: the range asked for and the data's span.

    `span` describes what the page draws when that is not the quarterly figures.
    """
    s = c.s
    asked = " to ".join(
        (
            periods.period_label(s.start, s.basis) if s.start else "the first quarter",
            periods.period_label(s.end, s.basis) if s.end else "the latest quarter",
        )
    )
    quarters = c.facts.loc[
        (c.facts["entity"] == "alibaba")
        & (c.facts["fiscal_period"].fillna("").astype(str) != "")
        & c.facts["value"].notna(),
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


def overview(tables: dict[str, pd.DataFrame], s: ViewState) -> View:
    """Latest quarter cards, the headline chart and the latest adoption observations."""
    c = _Ctx(tables, s)
    view = View("overview")
    if s.ccy == "USD_avg" and c.avg_rate is None:
        view.messages.append(
            "No daily USD/CNY rates are in this vintage, so the quarter-average view has no values: run `python -m etl refresh --source yahoo`."
        )
    capex, ebita, fcf = c.q("capex"), c.q("adjusted_ebita"), c.q("free_cash_flow")
    revenue = c.q("revenue", clip=False).dropna(subset=["value"])
    view.quarters = list(revenue["period_end"][::-1])
    newest = frames.latest(c.q("revenue").dropna(subset=["value"]))
    _adoption_cards(c, view)
    if s.quarter is not None:
        picked = revenue[revenue["period_end"] == pd.Timestamp(s.quarter)]
        if len(picked):
            newest = picked.iloc[-1]
        else:
            view.messages.append(
                f"No figures on file for {periods.period_label(s.quarter, s.basis)}; showing the "
                "latest quarter in range."
            )
    if newest is None and not _has_values(capex, ebita, fcf):
        view.heading = "No quarter in range"
        view.messages.append(range_message(c))
        return view
    if newest is None:
        view.heading = "No quarter in range"
    elif newest["period_end"] == revenue["period_end"].max():
        view.heading = f"Latest quarter on file: {newest['label']}"
    else:
        view.heading = (
            f"Quarter shown: {newest['label']} (quarter ended {newest['period_end']:%Y-%m-%d})"
        )
    for label, metric in CARD_METRICS:
        _card(c, view, label, metric, newest)
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
    view.data = _collect({"Capex": capex, "Adjusted EBITA": ebita, "Free cash flow": fcf})
    return view


def _row_at(frame: pd.DataFrame, when: pd.Timestamp) -> pd.Series | None:
    return frames.latest(frame[frame["period_end"] == when])


def _card(c: _Ctx, view: View, label: str, metric: str, quarter: pd.Series | None) -> None:
    """One card: the figure of the quarter shown, our YoY (n.m. across a sign change) and the
    company's stated YoY beside it when the release states one."""
    full = c.q(metric, clip=False)
    row = None if quarter is None else _row_at(full, quarter["period_end"])
    if (row is None or pd.isna(row["value"])) and metric in CARD_SUCCESSORS:
        # The segment the company reports from FY2027 (a different basis, labelled so).
        label, metric = CARD_SUCCESSORS[metric]
        full = c.q(metric, clip=False)
        row = None if quarter is None else _row_at(full, quarter["period_end"])
    change, notes = None, []
    if row is not None:
        # On the RMB figures in every currency, so FX moves never pass for growth.
        yoy = frames.derive(c.q(metric, ccy="RMB", clip=False), "yoy", c.s.basis)
        change = float(yoy.loc[yoy["period_end"] == row["period_end"], "value"].iloc[0])
        before = _row_at(full, row["period_end"] - pd.offsets.QuarterEnd(4))
        if (
            before is not None
            and pd.notna(before["value"])
            and (before["value"] < 0 or (before["value"] > 0) != (row["value"] > 0))
        ):
            # A change from or across a loss has no meaningful percentage (-562% said nothing).
            change = None
            notes.append("YoY n.m. (sign change)")
        stated = _row_at(c.q(f"{metric}_yoy_pct", clip=False), row["period_end"])
        if f"{metric}_yoy_pct" in METRICS and stated is not None and pd.notna(stated["value"]):
            notes.append(
                f"Company states {stated['value']:+.0f}% YoY · "
                + safe.md_link(f"{stated['label']} release", stated["source_url"])
            )
    view.cards.append((label, row, change))
    view.card_notes.append(
        safe.md_text(notes[0])
        if notes and notes[0].startswith("YoY") and len(notes) == 1
        else " · ".join(safe.md_text(n) if n.startswith("YoY") else n for n in notes)
    )


def _adoption_cards(c: _Ctx, view: View) -> None:
    """The latest point of each headline adoption series (whatever the date range)."""
    for metric in HEADLINE_ADOPTION:
        obs = frames.latest(
            frames.observations(c.facts, metric, c.names, entities=_entities(metric))
        )
        if obs is not None:
            view.adoption_cards.append((metric, obs))


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
        if obs.empty:
            view.messages.append(_not_in_range(c, metric))
            continue
        adoption[metric] = frames.derive(obs, "index", s.basis) if s.view == "index" else obs
    events = _events(c, s.events, s.importance)
    front = frames.clip(arena.frontier(c.facts, c.names), (s.start, s.end), "date")
    if not _has_values(capex, *adoption.values()) and front.empty:
        view.messages.append(range_message(c))
        return view
    if not s.series:
        view.messages.append("No adoption series chosen: pick one or more above the chart.")
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
    drawn = [capex["period_end"], *(f["period_end"] for f in adoption.values()), front["date"]]
    if len(front):
        releases = _events(c, [e for e in s.events if e == "qwen_release"], s.importance)
        fnote = c.note(
            [front.assign(value=front["qwen"])],
            "A lab's score on a date is its best model's, from LM Arena's official rows with rank "
            "and interval (bars) where on file, else its latest flagship row on or before it. ",
            ccy="RMB",
        ).replace(" Amounts in RMB as reported.", "")
        view.charts.append(
            Chart(
                "spending_frontier",
                arena_chart.frontier_figure(
                    safe.plotly_frame(front, FRONTIER_TEXT),
                    safe.plotly_frame(releases, EVENT_TEXT),
                    fnote,
                    safe.plotly_frame(
                        frames.clip(arena.lab_lines(c.facts), (s.start, s.end), "date"), LAB_TEXT
                    ),
                ),
                f"lmarena_frontier_{c.v}",
            )
        )
    promised = _promises(c, view)
    # The KPI strip's axis is its quarters, not dates: every other chart shares one date span.
    charts.share_dates(
        [ch.figure for ch in view.charts if ch.key != "spending_kpi_strip"],
        charts.date_span(*frames.bounds((s.start, s.end)), drawn),
    )
    parts = {name: capex, **{METRICS[m].label: f for m, f in adoption.items()}}
    if stated is not None:
        parts["Capex as stated in words"] = stated
    parts.update(promised)
    if len(front):
        parts["LM Arena: Qwen's best score"] = _frontier_rows(front, "qwen", "qwen_model")
        parts["LM Arena: best rival's score"] = _frontier_rows(front, "rival", "rival_model")
    view.data = _collect(parts)
    return view


def _promises(c: _Ctx, view: View) -> dict[str, pd.DataFrame]:
    """The pledge burn-down and the KPI strip on the Spending page; returns their data rows."""
    s = c.s
    parts: dict[str, pd.DataFrame] = {}
    # Capex up to the range's end (cumulative from the pledge's start); bars and statements
    # outside the range are not drawn, like every chart of the page.
    burn = promises.within(
        promises.burndown(
            c.commitments, c.q("capex", ccy="RMB", clip=False), c.q("capex", clip=False)
        ),
        (s.start, s.end),
    )
    if burn is not None:
        bnote = c.note(
            [burn.frame, _statement_rows(burn.revisions, c.names)],
            "Capex: the two capex lines of the free cash flow reconciliation, summed from the "
            f"first quarter of the pledge's window. {burn.rate_note}",
        )
        view.charts.append(
            Chart(
                "spending_burndown", promises.figure(burn, bnote), f"pledge_burndown_{s.ccy}_{c.v}"
            )
        )
    strip = c.disclosures
    if len(strip):
        strip = strip[strip["entity"] == "alibaba"]
        shown = frames.clip(
            strip.assign(period_end=pd.to_datetime(strip["period_end"])), (s.start, s.end)
        )
        if len(shown):
            snote = c.note(
                [_disclosure_rows(shown, c.names)],
                "Read from the whole text of each results announcement: a number stated, words "
                "only, or nothing found; ✕ a KPI that went silent after an earlier release gave "
                "it, ◆ a change of basis. ",
                ccy="RMB",
            )
            view.charts.append(
                Chart(
                    "spending_kpi_strip",
                    promises.strip_figure(strip, c.names, snote, set(shown["fiscal_period"])),
                    f"kpi_strip_{c.v}",
                )
            )
    if burn is not None:
        parts["Capex since the pledge, cumulative"] = burn.frame.assign(value=burn.frame["spent"])
        parts["Pledge and its revisions"] = _statement_rows(burn.revisions, c.names)
    if len(strip):
        parts["KPI disclosures"] = _disclosure_rows(strip, c.names)
    return parts


def _disclosure_rows(strip: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Strip cells as data rows: the KPI and status in the label, the sentence in the note."""
    return pd.DataFrame(
        {
            "period_end": pd.to_datetime(strip["period_end"]),
            "value": strip["value"].astype(float),
            "label": strip["fiscal_period"] + " " + strip["kpi"] + ": " + strip["status"],
            "unit": strip["unit"].astype(str),
            "source": strip["source_id"].map(names).fillna(strip["source_id"]),
            "source_id": strip["source_id"],
            "source_url": strip["source_url"],
            "note": strip["wording"],
        }
    )


def _statement_rows(rows: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Commitment statements as data rows (amount blank where the statement gave none)."""
    return pd.DataFrame(
        {
            "period_end": pd.to_datetime(rows["date"]),
            "value": rows["amount"].astype(float),
            "label": rows["date"].astype(str),
            "unit": rows["unit"].astype(str),
            "source": rows["source_id"].map(names).fillna(rows["source_id"]),
            "source_id": rows["source_id"],
            "source_url": rows["source_url"],
            "note": rows["status"] + ": " + rows["quote"],
        }
    )


def _not_in_range(c: _Ctx, metric: str) -> str:
    """The one-line note that stands in for the panel of a series with nothing in range."""
    every = frames.observations(c.facts, metric, c.names, entities=_entities(metric))
    on_file = (
        f"its figures run from {every['label'].iloc[0]} to {every['label'].iloc[-1]}"
        if len(every)
        else "none is on file"
    )
    return f"{METRICS[metric].label}: nothing in this date range ({on_file})."


#: Data strings of the frontier chart and of event marks (escaped before plotly draws them).
FRONTIER_TEXT = ("qwen_model", "rival_lab", "rival_model", "source")
EVENT_TEXT = ("label", "source")
LAB_TEXT = ("model", "name", "source")


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


def _events(
    c: _Ctx, categories: tuple[str, ...] | list[str], importance: str = "all"
) -> pd.DataFrame:
    return frames.events(c.events, c.names, categories, importance, (c.s.start, c.s.end))


def profitability(tables: dict[str, pd.DataFrame], s: ViewState) -> View:
    """Adjusted EBITA and margin, cash flows, capex intensity, cloud segment."""
    c = _Ctx(tables, s)
    view = View("profitability")
    ebita, revenue = c.q("adjusted_ebita"), c.q("revenue")
    cash = {k: c.q(k) for k in ("operating_cash_flow", "capex", "free_cash_flow")}
    cloud, cloud_ebita, growth = (
        c.q("cloud_revenue"),
        c.q("cloud_adjusted_ebita"),
        c.q("cloud_revenue_yoy_pct"),
    )
    ai = {m: c.q(m) for m in ("ai_cloud_revenue", "ai_cloud_adjusted_ebita")}
    if not _has_values(ebita, revenue, *cash.values(), cloud, cloud_ebita, growth, *ai.values()):
        view.messages.append(range_message(c))
        return view
    margin = frames.ratio(c.q("adjusted_ebita", ccy="RMB"), c.q("revenue", ccy="RMB"))
    note = c.note([ebita, revenue], "Margin = adjusted EBITA / revenue. ")
    view.charts.append(
        Chart(
            "profit_margin",
            charts.margin_figure(ebita, margin, note),
            f"adjusted_ebita_margin_{s.ccy}_{c.v}",
        )
    )
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
    drawn = [f["period_end"] for f in (ebita, margin, *cash.values(), intensity, cloud, growth)]
    drawn += [f["period_end"] for f in ai.values()]
    span = charts.date_span(*frames.bounds((s.start, s.end)), drawn)
    charts.share_dates([ch.figure for ch in view.charts], span)
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


#: The events whose price reaction the Market page measures (every one, major or minor).
MARKET_EVENTS = ("qwen_release", "earnings", "conference")
#: Room at the ends of the Market page's date axis: daily lines need none, markers a little.
MARKER_ROOM = pd.Timedelta(days=7)
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
    events = _events(c, MARKET_EVENTS)
    indexed = marketdata.indexed(c.by_ticker, MARKET_TICKERS, (s.start, s.end))
    if not indexed:
        first = min(f["date"].min() for f in c.by_ticker.values())
        last = max(f["date"].max() for f in c.by_ticker.values())
        view.messages.append(
            range_message(
                c, f"this vintage's daily closes run from {first:%Y-%m-%d} to {last:%Y-%m-%d}"
            )
        )
        return view
    price_sources = [
        f.assign(value=f["price"], source=f["source_id"].map(c.names)) for f in indexed.values()
    ]
    note = c.note(price_sources, "Daily closes; " + MARKET_NOTE, ccy="RMB").replace(
        " Amounts in RMB as reported.", ""
    )
    from dashboard.app_pages.market import charts as market_charts

    view.charts.append(
        Chart(
            "market_prices",
            market_charts.price_figure(indexed, c.names, _marked(events, s.importance), note),
            f"prices_indexed_{c.v}",
        )
    )
    windows = marketdata.event_windows(c.by_ticker, events, s.win, (s.start, s.end))
    if windows.empty:
        view.messages.append(
            "No Qwen release, earnings or conference date in range has a full window of prices."
        )
        _share_market_dates(view, indexed, windows, s)
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
    _share_market_dates(view, indexed, windows, s)
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


def _marked(events: pd.DataFrame, importance: str) -> pd.DataFrame:
    """The events drawn as lines: the major ones unless the view asks for all."""
    return events[events["importance"] == "major"] if importance == "major" else events


def _share_market_dates(
    view: View, indexed: dict[str, pd.DataFrame], windows: pd.DataFrame, s: ViewState
) -> None:
    drawn = [*(f["date"] for f in indexed.values()), windows["event_date"]]
    span = charts.date_span(*frames.bounds((s.start, s.end)), drawn, MARKER_ROOM)
    charts.share_dates([ch.figure for ch in view.charts], span)


#: The lines a derived figure rests on (shown with it when its coverage cell is chosen).
DERIVED_FROM = {"capex": ("capex_ppe", "capex_intangibles")}


def sources(tables: dict[str, pd.DataFrame], s: ViewState) -> View:
    """Every figure of the vintage, filtered by the search text or a chosen coverage cell."""
    from dashboard.app_pages.sources import charts as sources_chart
    from etl import coverage

    view = View("sources")
    view.table = coverage.grid(tables)
    view.freshness = coverage.freshness(tables)
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
        # Every word of the query, in any order ("FY2026Q4 adjusted_ebita" finds that figure).
        keep = pd.Series(True, index=shown.index)
        for word in s.q.lower().split():
            keep &= text.str.contains(word, regex=False)
        shown = shown[keep]
    view.data = shown.reset_index(drop=True)
    return view


def peers(tables: dict[str, pd.DataFrame], s: ViewState) -> View:
    """The Peers page (its own folder; imported here, late, because it builds on this module)."""
    from dashboard.app_pages.peers import view as peers_view

    return peers_view.build(tables, s)


BUILDERS = {
    "overview": overview,
    "spending": spending,
    "profitability": profitability,
    "market": market,
    "peers": peers,
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
        mine = (facts["entity"] == "alibaba") & (facts["metric"] == company)
        a = facts[mine & facts["value"].notna()][["period_end", "value", "source_id"]]
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
