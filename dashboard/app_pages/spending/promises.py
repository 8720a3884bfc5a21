"""What the company promised: a spending pledge burned down quarter by quarter, with its revisions.

Pure functions of a vintage's `commitments` table and a quarterly capex frame; the Spending
page draws the figure and the snapshot bundle renders the same one.
"""

from __future__ import annotations

import dataclasses
import math
import textwrap
from dataclasses import dataclass
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from dashboard.common import safe
from dashboard.common.safe import plotly_text
from dashboard.common.theme import COLORS, count, money, unit_label
from dashboard.common.traces import custom_data, footnote, hover_template, layout
from etl import disclosures

#: The pledge the burn-down follows: the first statement with an amount that no later one
#: restates with a new amount (revisions without an amount are drawn as marks on it).
PLEDGE_ID = "alibaba_380bn"


@dataclass(frozen=True)
class Burndown:
    """Cumulative capex since a pledge's start against the pledge and its straight-line pace."""

    pledge: pd.Series
    #: Quarter ends in the pledge's window, with `spent` (cumulative, in the view's currency),
    #: `pace` (the straight line from zero to the pledge), and the quarter's own row fields.
    frame: pd.DataFrame
    #: The pledge in the view's currency (the RMB amount, or converted at the rate of the
    #: newest quarter drawn; `rate_note` says which).
    target: float
    unit: str
    rate_note: str
    #: Quarters left to reach the pledge at the newest quarter's spending (None: no spending).
    quarters_left: float | None
    #: Statements about this pledge, in date order, each with its status and quote.
    revisions: pd.DataFrame


def chain(commitments: pd.DataFrame, root: str = PLEDGE_ID) -> pd.DataFrame:
    """The pledge and every statement that revises it, directly or through another, by date."""
    if commitments.empty or root not in set(commitments["id"]):
        return commitments.iloc[0:0]
    ids = {root}
    grew = True
    while grew:
        more = set(commitments.loc[commitments["supersedes"].isin(ids), "id"])
        grew = not more <= ids
        ids |= more
    out = commitments[commitments["id"].isin(ids)]
    return out.sort_values(["date", "id"]).reset_index(drop=True)


def _quarters_between(start: pd.Timestamp, end: pd.Timestamp) -> int:
    return (end.year - start.year) * 4 + (end.month - start.month) // 3 + 1


def burndown(
    commitments: pd.DataFrame,
    capex_rmb: pd.DataFrame,
    capex_shown: pd.DataFrame,
    root: str = PLEDGE_ID,
) -> Burndown | None:
    """The burn-down of the pledge, or None where it or its capex is not on file.

    `capex_rmb` and `capex_shown` are the same quarterly capex (the reconciliation lines) in RMB
    and in the view's currency; the pledge is converted with the ratio of the two at the newest
    quarter drawn, so the line and the bars use one rate.
    """
    rows = chain(commitments, root)
    if rows.empty:
        return None
    pledge = rows.iloc[0]
    start = pd.Timestamp(str(pledge["period_start"]))
    end = pd.Timestamp(str(pledge["period_end"]))
    window = capex_shown[(capex_shown["period_end"] > start) & (capex_shown["period_end"] <= end)]
    window = window[window["value"].notna()].sort_values("period_end").reset_index(drop=True)
    if window.empty:
        return None
    total = _quarters_between(start, end)
    step = float(pledge["amount"]) / total
    unit = str(window["unit"].iloc[0])
    newest = window.iloc[-1]
    rmb = capex_rmb.loc[capex_rmb["period_end"] == newest["period_end"], "value"]
    if unit == str(pledge["unit"]) or rmb.empty or not float(rmb.iloc[0]):
        rate, rate_note = 1.0, ""
    else:
        rate = float(newest["value"]) / float(rmb.iloc[0])
        rate_note = (
            f"The pledge is converted at the rate of {newest['label']} "
            f"(RMB {1 / rate:,.4f} per US$), the newest quarter drawn. "
        )
    frame = window.assign(
        spent=window["value"].cumsum(),
        pace=[
            step * rate * _quarters_between(start, pd.Timestamp(d)) for d in window["period_end"]
        ],
    )
    target = float(pledge["amount"]) * rate
    left = target - float(frame["spent"].iloc[-1])
    run_rate = float(newest["value"])
    quarters_left = max(left, 0.0) / run_rate if run_rate > 0 else None
    return Burndown(pledge, frame, target, unit, rate_note, quarters_left, rows)


def within(b: Burndown | None, window: tuple[date | None, date | None]) -> Burndown | None:
    """The burn-down drawn over a date range: quarters and statements outside it left out (the
    sums still run from the pledge's start); None when no quarter is in range."""
    if b is None:
        return None
    start, end = window
    frame = b.frame
    when = pd.to_datetime(b.revisions["date"])
    keep = pd.Series(True, index=b.revisions.index)
    if start:
        frame = frame[frame["period_end"] >= pd.Timestamp(start)]
        keep &= when >= pd.Timestamp(start)
    if end:
        frame = frame[frame["period_end"] <= pd.Timestamp(end)]
        keep &= when <= pd.Timestamp(end)
    if frame.empty:
        return None
    return dataclasses.replace(
        b, frame=frame.reset_index(drop=True), revisions=b.revisions[keep].reset_index(drop=True)
    )


def summary(b: Burndown) -> str:
    """One sentence: how much of the pledge is spent, against the pace, and what is left."""
    newest = b.frame.iloc[-1]
    spent, pace = float(newest["spent"]), float(newest["pace"])
    share = spent / b.target if b.target else math.nan
    ahead = "ahead of" if spent >= pace else "behind"
    left = (
        f"at {newest['label']}'s spending, about {b.quarters_left:.1f} more quarters reach it"
        if b.quarters_left
        else "the pledge is reached"
        if b.quarters_left == 0
        else "no spending to extrapolate"
    )
    return (
        f"{share:.0%} spent by {newest['label']} ({money(spent, b.unit)} of "
        f"{money(b.target, b.unit)}), {ahead} the straight-line pace ({money(pace, b.unit)}); "
        f"{left}."
    )


def _wrap(text: str, width: int = 60) -> str:
    return "<br>".join(textwrap.wrap(text, width))


def figure(b: Burndown, note: str) -> go.Figure:
    """Cumulative capex (bars) against the pledge and its pace; each statement a mark whose hover
    quotes it; statements reported by others drawn hollow and dashed, the company's own solid."""
    f = b.frame
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=f["period_end"],
            y=f["spent"],
            name="Capex since the pledge, cumulative",
            marker_color=COLORS["capex"],
            customdata=custom_data(f),
            hovertemplate=hover_template("Cumulative capex", b.unit),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=f["period_end"],
            y=f["pace"],
            name="Straight-line pace of the pledge",
            mode="lines",
            line={"color": COLORS["capex_commitment"], "dash": "dash"},
            hovertemplate=f"Pace: %{{y:,.0f}} {unit_label(b.unit)}<extra></extra>",
        )
    )
    fig.add_hline(
        y=b.target,
        line_dash="dot",
        line_color=COLORS["capex_commitment"],
        annotation_text=f"Pledge: {plotly_text(b.pledge['statement'])}",
        annotation_position="top left",
    )
    # A statement with an amount of its own (a reported RMB 480 bn) sits on its own line, in the
    # view's currency at the pledge's rate; one without an amount sits on the pledge's line.
    rate = b.target / float(b.pledge["amount"]) if float(b.pledge["amount"]) else 1.0
    level = pd.to_numeric(b.revisions["amount"], errors="coerce").mul(rate).fillna(b.target)
    apart = (level - b.target).abs() > 1e-9 * max(b.target, 1.0)
    for y, r in zip(level[apart], b.revisions[apart].to_dict("records"), strict=True):
        reported = r["status"] == "reported"
        fig.add_hline(
            y=y,
            line_dash="dash" if reported else "dot",
            line_color=COLORS["capex_commitment"],
            opacity=0.6 if reported else 1.0,
            annotation_text=(
                f"{'Reported by others, not announced' if reported else 'Announced'}: "
                f"{plotly_text(str(r['statement']).removeprefix('Reported: '))}"
            ),
            annotation_position="top left",
        )
    for status, symbol in (("announced", "triangle-down"), ("reported", "triangle-down-open")):
        rows = b.revisions[b.revisions["status"] == status]
        if rows.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=pd.to_datetime(rows["date"]),
                y=list(level[rows.index]),
                mode="markers",
                name=f"Statements ({'the company' if status == 'announced' else 'reported by others'})",
                marker={"symbol": symbol, "size": 13, "color": COLORS["capex_commitment"]},
                customdata=[
                    [
                        str(r["date"]),
                        _wrap(plotly_text(r["statement"])),
                        _wrap(plotly_text(f"“{r['quote']}”")),
                    ]
                    for r in rows.to_dict("records")
                ],
                hovertemplate=(
                    "<b>%{customdata[0]}: %{customdata[1]}</b><br>%{customdata[2]}"
                    f"<br><i>{status}</i><extra></extra>"
                ),
            )
        )
    title = f"Pledge burn-down: {plotly_text(b.pledge['statement'])}<br><sup>{summary(b)}</sup>"
    layout(fig, title, unit_label(b.unit))
    # The summary line takes the title's second row, so the legend goes under the plot.
    fig.update_layout(
        legend={"orientation": "h", "y": -0.16, "yanchor": "top", "x": 0, "xanchor": "left"},
        margin={"t": 90},
    )
    return footnote(fig, note)


#: Cell colours of the strip: a number stated, words only, nothing.
STRIP_COLORS = {"value": "#1c7ed6", "words": "#a5d8ff", "silent": "#f1f3f5"}
_STATUS_CODE = {"silent": 0, "words": 1, "value": 2}


def _cell_text(value: object, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    v = float(str(value))
    if unit == "pct":
        return f"{v:+.0f}%"
    if unit in ("RMB_mn", "USD_mn"):
        return money(v, unit)
    return count(v)


def strip_figure(
    strip: pd.DataFrame, names: dict[str, str], note: str, quarters: set[str] | None = None
) -> go.Figure:
    """Quarters x KPIs: what each release said. A cell is dark where the release states a number,
    light where it speaks in words only, pale where silent; "✕" marks a KPI that went silent
    after an earlier release gave it, "◆" a change of basis (a recast segment, a new wording).
    Every cell's hover quotes the release; every quarter's label links to its document.

    Silences and recasts are judged on the whole strip, then `quarters` (default: all) are drawn.
    """
    marked = disclosures.flags(strip)
    if quarters is not None:
        marked = marked[marked["fiscal_period"].isin(quarters)]
    quarters_drawn = sorted(set(marked["fiscal_period"]), key=lambda q: str(q))
    order = [k.id for k in disclosures.KPIS if k.id in set(marked["kpi"])]
    labels = {k.id: k.label for k in disclosures.KPIS}
    cell = {(r["kpi"], r["fiscal_period"]): r for r in marked.to_dict("records")}
    z: list[list[int | None]] = []
    text: list[list[str]] = []
    hover: list[list[str]] = []
    for kpi in order:
        zr: list[int | None] = []
        tr: list[str] = []
        hr: list[str] = []
        for q in quarters_drawn:
            r = cell.get((kpi, q))
            if r is None:
                zr.append(None)
                tr.append("")
                hr.append(f"{q}: no release on file")
                continue
            status = str(r["status"])
            mark = "✕" if r["went_silent"] else ""
            mark += "◆" if r["basis_changed"] else ""
            zr.append(_STATUS_CODE[status])
            tr.append((_cell_text(r["value"], str(r["unit"])) + " " + mark).strip())
            said = (
                _wrap(plotly_text(f"“{r['wording']}”"))
                if r["wording"]
                else "not found in the release"
            )
            flag = " · went silent" if r["went_silent"] else ""
            flag += f" · basis now: {plotly_text(r['basis'])}" if r["basis_changed"] else ""
            source = plotly_text(names.get(str(r["source_id"]), r["source_id"]))
            hr.append(f"<b>{q} · {labels[kpi]}</b><br>{status}{flag}<br>{said}<br>Source: {source}")
        z.append(zr)
        text.append(tr)
        hover.append(hr)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=quarters_drawn,
            y=[labels[k] for k in order],
            text=text,
            texttemplate="%{text}",
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            zmin=0,
            zmax=2,
            colorscale=[
                [0.0, STRIP_COLORS["silent"]],
                [0.33, STRIP_COLORS["silent"]],
                [0.34, STRIP_COLORS["words"]],
                [0.66, STRIP_COLORS["words"]],
                [0.67, STRIP_COLORS["value"]],
                [1.0, STRIP_COLORS["value"]],
            ],
            showscale=False,
            xgap=2,
            ygap=2,
        )
    )
    docs = {
        str(r["fiscal_period"]): safe.web_url(r["source_url"])
        for r in marked.to_dict("records")
        if safe.web_url(r["source_url"])
    }
    fig.update_xaxes(
        type="category",
        tickvals=quarters_drawn,
        ticktext=[
            f'<a href="{docs[q]}" target="_blank">{q}</a>' if q in docs else q
            for q in quarters_drawn
        ],
        side="top",
        title_text="results announcement (click a quarter to open it)",
    )
    fig.update_yaxes(autorange="reversed", title_text="")
    fig.update_layout(
        title={
            "text": "What each release disclosed: KPI strip<br><sup>dark: a number stated · "
            "light: words only · pale: nothing found · ✕ went silent · ◆ change of basis</sup>",
            "x": 0,
            "xanchor": "left",
        },
        height=120 + 34 * len(order),
        margin={"l": 10, "t": 110},
    )
    return footnote(fig, note)
