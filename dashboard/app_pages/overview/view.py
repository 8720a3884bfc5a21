"""The Overview's view: the latest quarter's cards, the headline chart, the adoption cards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from dashboard.app_pages.overview import charts
from dashboard.common import frames, safe
from dashboard.common.params import ViewState
from dashboard.common.theme import count
from dashboard.common.view import (
    Chart,
    Context,
    View,
    adoption_entities,
    collect,
    has_values,
    range_message,
)
from etl import periods
from etl.models import HEADLINE_ADOPTION, METRICS

CARD_METRICS = [
    ("Revenue", "revenue"),
    ("Adjusted EBITA", "adjusted_ebita"),
    ("Free cash flow", "free_cash_flow"),
    ("Capex", "capex"),
    ("Cloud revenue", "cloud_revenue"),
]
#: A card's metric that the company replaced, and what stands in its place where it is blank.
CARD_SUCCESSORS = {"cloud_revenue": ("AI Cloud and Compute Services revenue", "ai_cloud_revenue")}
#: One card: its label, the quarter's row (None: not on file), and our YoY change.
Card = tuple[str, pd.Series | None, float | None]


@dataclass(frozen=True)
class OverviewView(View):
    """The Overview: a heading, the quarter picker's choices, cards, the headline chart."""

    heading: str = ""
    #: The quarters the picker offers, newest first.
    quarters: tuple[pd.Timestamp, ...] = ()
    #: The quarter the cards show (its end date); None when no quarter is in range.
    shown: pd.Timestamp | None = None
    cards: tuple[Card, ...] = ()
    #: A line under each card (the company's stated YoY with its source, or why no YoY is
    #: shown), markdown-escaped.
    card_notes: tuple[str, ...] = ()
    #: The latest point of each headline adoption series (metric, observation).
    adoption_cards: tuple[tuple[str, pd.Series], ...] = ()
    headline: Chart | None = None

    @property
    def adoption_table(self) -> str:
        """The adoption cards as one markdown table: a row per series (value, how and when
        read, source link), data escaped; '' when there are none."""
        return _adoption_table(self.adoption_cards)

    @property
    def adoption_notes(self) -> str:
        """Each adoption series' note as a markdown list, data escaped."""
        return _adoption_notes(self.adoption_cards)


def build(tables: dict[str, pd.DataFrame], s: ViewState) -> OverviewView:
    """Latest quarter cards, the headline chart and the latest adoption observations."""
    c = Context(tables, s)
    messages: list[str] = []
    if s.ccy == "USD_avg" and c.average_rate is None:
        messages.append(
            "No daily USD/CNY rates are in this vintage, so the quarter-average view has no values: run `python -m etl refresh --source yahoo`."
        )
    capex, ebita, fcf = (
        c.quarterly("capex"),
        c.quarterly("adjusted_ebita"),
        c.quarterly("free_cash_flow"),
    )
    revenue = c.quarterly("revenue", clip=False).dropna(subset=["value"])
    quarters = tuple(revenue["period_end"][::-1])
    newest = frames.latest(c.quarterly("revenue").dropna(subset=["value"]))
    adoption = _adoption_cards(c)
    if s.quarter is not None:
        picked = revenue[revenue["period_end"] == pd.Timestamp(s.quarter)]
        if len(picked):
            newest = picked.iloc[-1]
        else:
            messages.append(
                f"No figures on file for {periods.period_label(s.quarter, s.basis)}; showing the "
                "latest quarter in range."
            )
    if newest is None and not has_values(capex, ebita, fcf):
        return OverviewView(
            "overview",
            messages=(*messages, range_message(c)),
            heading="No quarter in range",
            quarters=quarters,
            adoption_cards=adoption,
        )
    if newest is None:
        heading = "No quarter in range"
    elif newest["period_end"] == revenue["period_end"].max():
        where = "in range" if _on_file_after(c, s.end) else "on file"
        heading = f"Latest quarter {where}: {newest['label']}"
    else:
        heading = (
            f"Quarter shown: {newest['label']} (quarter ended {newest['period_end']:%Y-%m-%d})"
        )
    cards = [_card(c, label, metric, newest) for label, metric in CARD_METRICS]
    note = c.footnote(
        [capex, ebita, fcf],
        "Capex: the two capex lines of the free cash flow reconciliation. ",
    )
    return OverviewView(
        "overview",
        data=collect({"Capex": capex, "Adjusted EBITA": ebita, "Free cash flow": fcf}),
        messages=tuple(messages),
        heading=heading,
        quarters=quarters,
        shown=None if newest is None else pd.Timestamp(newest["period_end"]),
        cards=tuple(card for card, _note in cards),
        card_notes=tuple(note for _card, note in cards),
        adoption_cards=adoption,
        headline=Chart(
            "overview_headline",
            charts.headline(capex, ebita, fcf, note),
            f"capex_ebita_fcf_{s.ccy}_{c.vintage}",
        ),
    )


def _on_file_after(c: Context, end: date | None) -> bool:
    """Whether Alibaba's revenue is on file for a quarter after the date range's end."""
    # frames.quarterly reads the company's own rows with a value (not a peer's, not a blank).
    on_file = frames.quarterly(c.facts, "revenue", names=c.source_names).dropna(subset=["value"])
    return not frames.within(on_file["period_end"], (None, end)).all()


def _row_at(frame: pd.DataFrame, when: pd.Timestamp) -> pd.Series | None:
    return frames.latest(frame[frame["period_end"] == when])


def _card(c: Context, label: str, metric: str, quarter: pd.Series | None) -> tuple[Card, str]:
    """One card: the figure of the quarter shown, our YoY (n.m. across a sign change) and the
    company's stated YoY beside it when the release states one; with the line under it."""
    full = c.quarterly(metric, clip=False)
    row = None if quarter is None else _row_at(full, quarter["period_end"])
    if (row is None or pd.isna(row["value"])) and metric in CARD_SUCCESSORS:
        # The segment the company reports from FY2027 (a different basis, labelled so).
        label, metric = CARD_SUCCESSORS[metric]
        full = c.quarterly(metric, clip=False)
        row = None if quarter is None else _row_at(full, quarter["period_end"])
    change, notes = None, []
    if row is not None:
        # On the RMB figures in every currency, so FX moves never pass for growth.
        yoy = frames.derive(c.quarterly(metric, ccy="RMB", clip=False), "yoy", c.state.basis)
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
        stated = _row_at(c.quarterly(f"{metric}_yoy_pct", clip=False), row["period_end"])
        if f"{metric}_yoy_pct" in METRICS and stated is not None and pd.notna(stated["value"]):
            notes.append(
                f"Company states {stated['value']:+.0f}% YoY · "
                + safe.md_link(f"{stated['label']} release", stated["source_url"])
            )
    line = (
        safe.md_text(notes[0])
        if notes and notes[0].startswith("YoY") and len(notes) == 1
        else " · ".join(safe.md_text(n) if n.startswith("YoY") else n for n in notes)
    )
    return (label, row, change), line


def _adoption_table(cards: tuple[tuple[str, pd.Series], ...]) -> str:
    """The latest adoption figures as one markdown table ('' when there are none).

    One table, not a card each: seven metric cards, each with its label and source line, were
    the Overview's costliest elements to draw in the browser (benchmarks/pages.py).
    """
    if not cards:
        return ""
    rows = ["| Series | Latest | As of, source |", "|---|--:|---|"]
    for metric, obs in cards:
        unit = METRICS[metric].unit
        value = count(obs["value"]) if unit in ("count", "tokens") else f"{obs['value']:,.0f}"
        kind = "measured" if obs.get("basis") == "measured" else "stated"
        # A break allowed after each "/": a repository's name ("owner/name") is one long word
        # that would push the table past a phone's screen.
        publisher = str(obs["source"]).split(":")[0].split(" (")[0].replace("/", "/\u200b")
        rows.append(
            f"| {safe.md_text(METRICS[metric].label)} | **{safe.md_text(value)}** | {kind}, "
            f"{safe.md_text(obs['label'])} · {safe.source_link(obs, publisher)} |"
        )
    return "\n".join(rows)


def _adoption_notes(cards: tuple[tuple[str, pd.Series], ...]) -> str:
    """Each adoption series' note as a markdown list item ('' when none has a note)."""
    return "\n".join(
        f"- {safe.md_text(METRICS[metric].label)}: {safe.md_text(obs['note'])}"
        for metric, obs in cards
        if str(obs.get("note") or "").strip()
    )


def _adoption_cards(c: Context) -> tuple[tuple[str, pd.Series], ...]:
    """The latest point of each headline adoption series (whatever the date range)."""
    cards = []
    for metric in HEADLINE_ADOPTION:
        every = frames.observations(
            c.facts, metric, c.source_names, entities=adoption_entities(metric)
        )
        obs = frames.latest(every)
        if obs is not None:
            cards.append((metric, obs))
    return tuple(cards)
