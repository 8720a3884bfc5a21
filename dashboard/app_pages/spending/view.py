"""The Spending page's view: capex against adoption, Qwen against the frontier, the pledge."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard.app_pages.spending import arena, arena_chart, charts, promises
from dashboard.common import frames, params, safe, traces
from dashboard.common.params import ViewState
from dashboard.common.view import (
    Chart,
    Context,
    View,
    adoption_entities,
    collect,
    has_values,
    range_message,
)
from etl.models import METRICS

CAPEX_NAMES = {
    "quarterly": "Capex per quarter",
    "ttm": "Capex, trailing twelve months",
    "cumulative": "Capex, cumulative since April 2025",
}
#: Data strings of the frontier chart and of event marks (escaped before plotly draws them).
FRONTIER_TEXT = ("qwen_model", "rival_lab", "rival_model", "source")
EVENT_TEXT = ("label", "source")
LAB_TEXT = ("model", "name", "source")


@dataclass(frozen=True)
class SpendingView(View):
    """The Spending page: its four figures, and the adoption series the picker offers."""

    #: Adoption series with at least one figure in the vintage (the picker's choices).
    available: tuple[str, ...] = ()
    capex_adoption: Chart | None = None
    frontier: Chart | None = None
    burndown: Chart | None = None
    kpi_strip: Chart | None = None


def available_series(facts: pd.DataFrame) -> list[str]:
    """Adoption series that have at least one figure in the vintage."""
    present = set(facts.loc[facts["value"].notna(), "metric"])
    return [m for m in params.ADOPTION_SERIES if m in present]


def _capex(c: Context) -> tuple[pd.DataFrame, str]:
    s = c.state
    capex, name = c.quarterly("capex", clip=False), CAPEX_NAMES[s.capex]
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


def build(tables: dict[str, pd.DataFrame], s: ViewState) -> SpendingView:
    """Capex in the chosen view against the chosen adoption series; Qwen against the frontier."""
    c = Context(tables, s)
    messages: list[str] = []
    capex, name = _capex(c)
    plain = s.capex == "quarterly" and s.view == "level" and not s.lag
    stated = c.quarterly("capex_stated") if plain else None
    available = tuple(available_series(c.facts))
    adoption = {}
    for metric in [m for m in s.series if m in available]:
        obs = frames.observations(
            c.facts, metric, c.source_names, (s.start, s.end), adoption_entities(metric)
        )
        if obs.empty:
            messages.append(_not_in_range(c, metric))
            continue
        adoption[metric] = frames.derive(obs, "index", s.basis) if s.view == "index" else obs
    events = c.events_in_range(s.events, s.importance)
    front = frames.clip(arena.frontier(c.facts, c.source_names), (s.start, s.end), "date")
    if not has_values(capex, *adoption.values()) and front.empty:
        return SpendingView("spending", messages=(*messages, range_message(c)), available=available)
    if not s.series:
        messages.append("No adoption series chosen: pick one or more above the chart.")
    if capex["value"].notna().sum() == 0:
        messages.append(
            "No capex figures in this range for the chosen view (TTM needs four consecutive quarters on file)."
        )
    note = c.footnote(
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
    main = Chart("spending_chart", fig, f"capex_{s.capex}_{s.view}_vs_adoption_{c.vintage}")
    frontier = _frontier(c, front) if len(front) else None
    burn, burndown = _burndown(c)
    strip, kpi_strip = _kpi_strip(c)
    # The KPI strip's axis is its quarters, not dates: every other chart shares one date span.
    drawn = [capex["period_end"], *(f["period_end"] for f in adoption.values()), front["date"]]
    traces.share_dates(
        [ch.figure for ch in (main, frontier, burndown) if ch is not None],
        traces.date_span(*frames.bounds((s.start, s.end)), drawn),
    )
    parts = {name: capex, **{METRICS[m].label: f for m, f in adoption.items()}}
    if stated is not None:
        parts["Capex as stated in words"] = stated
    if burn is not None:
        parts["Capex since the pledge, cumulative"] = burn.frame.assign(value=burn.frame["spent"])
        parts["Pledge and its revisions"] = _statement_rows(burn.revisions, c.source_names)
    if len(strip):
        parts["KPI disclosures"] = _disclosure_rows(strip, c.source_names)
    if len(front):
        parts["LM Arena: Qwen's best score"] = _frontier_rows(front, "qwen", "qwen_model")
        parts["LM Arena: best rival's score"] = _frontier_rows(front, "rival", "rival_model")
    return SpendingView(
        "spending",
        data=collect(parts),
        messages=tuple(messages),
        available=available,
        capex_adoption=main,
        frontier=frontier,
        burndown=burndown,
        kpi_strip=kpi_strip,
    )


def _frontier(c: Context, front: pd.DataFrame) -> Chart:
    """Qwen's best LM Arena score against the best rival's, with Qwen releases marked."""
    s = c.state
    releases = c.events_in_range([e for e in s.events if e == "qwen_release"], s.importance)
    note = c.footnote(
        [front.assign(value=front["qwen"])],
        "A lab's score on a date is its best model's, from LM Arena's official rows with rank "
        "and interval (bars) where on file, else its latest flagship row on or before it. ",
        ccy="RMB",
    ).replace(" Amounts in RMB as reported.", "")
    return Chart(
        "spending_frontier",
        arena_chart.frontier_figure(
            safe.plotly_frame(front, FRONTIER_TEXT),
            safe.plotly_frame(releases, EVENT_TEXT),
            note,
            safe.plotly_frame(
                frames.clip(arena.lab_lines(c.facts), (s.start, s.end), "date"), LAB_TEXT
            ),
        ),
        f"lmarena_frontier_{c.vintage}",
    )


def _burndown(c: Context) -> tuple[promises.Burndown | None, Chart | None]:
    """The pledge burn-down: capex up to the range's end (cumulative from the pledge's start);
    bars and statements outside the range are not drawn, like every chart of the page."""
    s = c.state
    burn = promises.within(
        promises.burndown(
            c.commitments,
            c.quarterly("capex", ccy="RMB", clip=False),
            c.quarterly("capex", clip=False),
        ),
        (s.start, s.end),
    )
    if burn is None:
        return None, None
    note = c.footnote(
        [burn.frame, _statement_rows(burn.revisions, c.source_names)],
        "Capex: the two capex lines of the free cash flow reconciliation, summed from the "
        f"first quarter of the pledge's window. {burn.rate_note}",
    )
    chart = Chart(
        "spending_burndown", promises.figure(burn, note), f"pledge_burndown_{s.ccy}_{c.vintage}"
    )
    return burn, chart


def _kpi_strip(c: Context) -> tuple[pd.DataFrame, Chart | None]:
    """The company's KPI disclosures (all of them, for the data) and the strip of those in range."""
    s = c.state
    strip = c.disclosures
    if not len(strip):
        return strip, None
    strip = strip[strip["entity"] == "alibaba"]
    shown = frames.clip(
        strip.assign(period_end=pd.to_datetime(strip["period_end"])), (s.start, s.end)
    )
    if not len(shown):
        return strip, None
    note = c.footnote(
        [_disclosure_rows(shown, c.source_names)],
        "Read from the whole text of each results announcement: a number stated, words "
        "only, or nothing found; ✕ a KPI that went silent after an earlier release gave "
        "it, ◆ a change of basis. ",
        ccy="RMB",
    )
    figure = promises.strip_figure(strip, c.source_names, note, set(shown["fiscal_period"]))
    return strip, Chart("spending_kpi_strip", figure, f"kpi_strip_{c.vintage}")


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


def _not_in_range(c: Context, metric: str) -> str:
    """The one-line note that stands in for the panel of a series with nothing in range."""
    every = frames.observations(c.facts, metric, c.source_names, entities=adoption_entities(metric))
    on_file = (
        f"its figures run from {every['label'].iloc[0]} to {every['label'].iloc[-1]}"
        if len(every)
        else "none is on file"
    )
    return f"{METRICS[metric].label}: nothing in this date range ({on_file})."


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
