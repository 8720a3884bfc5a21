"""Peers: each company's trailing capex in US$, and its lab's LM Arena standing at quarter ends.

Pure functions of a vintage's tables and the view state. Quarters are calendar-aligned: a
fiscal quarter is drawn at the calendar quarter end on or after its own end (Oracle's quarter to
31 August at 30 September); fiscal years end in March, May, June and December.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard.app_pages.peers import charts
from dashboard.common import frames, prices, safe
from dashboard.common.params import ViewState
from dashboard.common.view import DATA_COLUMNS, Chart, Context, View, range_message
from etl.models import COMPANIES, lab_map

SCORE = "lmarena_text_score"
#: A lab's score counts for a quarter end when observed within this many days before it.
SCORE_FRESH_DAYS = 120
NOTE = (
    "Capex: cash purchases of property and equipment, each company's own concept (Alibaba: the "
    "two capex lines of its free cash flow reconciliation); trailing four calendar-aligned "
    "quarters, drawn only where all four are on file. "
)


@dataclass(frozen=True)
class PeersView(View):
    """The Peers page: trailing capex, capex intensity, and spend against LM Arena standing."""

    ttm: Chart | None = None
    intensity: Chart | None = None
    standing: Chart | None = None
    months_behind: Chart | None = None


#: Data strings the Peers charts draw (escaped for plotly's HTML subset before they are drawn).
PEER_TEXT = ("source", "concept", "model", "score_source", "note")


def calendar_end(ends: pd.Series) -> pd.Series:
    """The calendar quarter end on or after each date."""
    quarters = pd.PeriodIndex(pd.to_datetime(ends), freq="Q")
    return pd.Series(quarters.to_timestamp(how="end").normalize(), index=ends.index)


def quarterly_usd(c: Context) -> pd.DataFrame:
    """Every company's quarterly capex in US$ mn, with source, concept and calendar quarter end.

    Alibaba's RMB under the app's FX policy (the release's rate when RMB is chosen); other RMB
    reporters at the quarter's average USD/CNY rate; a quarter without a rate is left out.
    """
    ccy = "USD" if c.state.ccy == "RMB" else c.state.ccy
    parts = []
    ali = frames.quarterly(c.facts, "capex", ccy=ccy, basis="calendar", names=c.source_names)
    ali = ali[ali["value"].notna()]
    parts.append(
        pd.DataFrame(
            {
                "entity": "alibaba",
                "period_end": pd.to_datetime(ali["period_end"]),
                "value": ali["value"].astype(float),
                "source": ali["source"],
                "source_id": ali["source_id"],
                "source_url": ali["source_url"],
                "concept": "free cash flow reconciliation: property and equipment + intangibles",
            }
        )
    )
    rate, _ = prices.average_usd_rate(c.prices_by_ticker)
    peers = c.facts[
        (c.facts["metric"] == "capex")
        & (c.facts["entity"] != "alibaba")
        & c.facts["entity"].isin(list(COMPANIES))
        & c.facts["value"].notna()
    ]
    for entity, rows in peers.groupby("entity"):
        values = rows["value"].astype(float).to_numpy()
        ends = calendar_end(rows["period_end"])
        if COMPANIES[str(entity)].unit == "RMB_mn":
            if rate is None:
                continue
            values = values / ends.map(rate).to_numpy(dtype=float)
        parts.append(
            pd.DataFrame(
                {
                    "entity": entity,
                    "period_end": ends.to_numpy(),
                    "value": values,
                    "source": rows["source_id"]
                    .map(c.source_names)
                    .fillna(rows["source_id"])
                    .to_numpy(),
                    "source_id": rows["source_id"].to_numpy(),
                    "source_url": rows["source_url"].fillna("").to_numpy(),
                    "concept": rows["subject"].fillna("").to_numpy(),
                }
            )
        )
    out = pd.concat(parts, ignore_index=True)
    return out[out["value"].notna()].sort_values(["entity", "period_end"]).reset_index(drop=True)


def trailing(quarters: pd.DataFrame) -> pd.DataFrame:
    """Sum of the last four calendar quarters per company, where all four are on file."""
    out = []
    for _entity, q in quarters.groupby("entity"):
        q = q.set_index("period_end")
        every = pd.date_range(q.index.min(), q.index.max(), freq="QE")
        total = q["value"].reindex(every).rolling(4, min_periods=4).sum().dropna()
        out.append(q.loc[total.index].assign(value=total.to_numpy()).reset_index())
    if not out:
        return pd.DataFrame(columns=quarters.columns)
    return pd.concat(out, ignore_index=True)[list(quarters.columns)]


def intensity(facts: pd.DataFrame) -> pd.DataFrame:
    """Trailing-four-quarter capex over trailing revenue (%), in each company's own currency."""
    out = []
    for entity in COMPANIES:
        sums = {}
        for metric in ("capex", "revenue"):
            rows = facts[
                (facts["entity"] == entity) & (facts["metric"] == metric) & facts["value"].notna()
            ]
            if rows.empty:
                break
            q = pd.Series(
                rows["value"].astype(float).to_numpy(), index=calendar_end(rows["period_end"])
            )
            every = pd.date_range(q.index.min(), q.index.max(), freq="QE")
            sums[metric] = q.reindex(every).rolling(4, min_periods=4).sum()
        if len(sums) < 2:
            continue
        ratio = (sums["capex"] / sums["revenue"] * 100).dropna()
        out.append(
            pd.DataFrame({"entity": entity, "period_end": ratio.index, "value": ratio.to_numpy()})
        )
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()


def scores(facts: pd.DataFrame) -> pd.DataFrame:
    """Every lab's best LM Arena text score by date, with the model, and months behind the #1.

    Months behind: the time since the best score on the board (any lab) first reached this score.
    """
    rows = facts[(facts["metric"] == SCORE) & facts["value"].notna()].copy()
    rows["date"] = pd.to_datetime(rows["period_end"])
    rows = rows.sort_values("date")
    best = rows.groupby("date")["value"].max().cummax()  # the #1 score so far, never falling
    # The first date the #1 reached each score (never after the score's own date).
    first = best.index[best.searchsorted(rows["value"].astype(float).to_numpy())]
    reached = pd.Series(first, index=rows.index).where(lambda d: d <= rows["date"], rows["date"])
    rows["months_behind"] = (rows["date"] - reached).dt.days / 30.44
    return rows[["entity", "date", "value", "subject", "source_id", "months_behind"]]


def standing(
    ttm: pd.DataFrame, board: pd.DataFrame, names: dict[str, str], labs: str = ""
) -> pd.DataFrame:
    """One point per (company, lab, quarter end): trailing capex against the lab's latest score."""
    out = []
    ttm = ttm.assign(period_end=pd.to_datetime(ttm["period_end"])).sort_values("period_end")
    for lab in lab_map(labs).values():
        mine = board[board["entity"] == lab.slug].drop(columns="entity")
        mine = mine.rename(columns={"value": "score", "subject": "model", "source_id": "sid"})
        for company in lab.companies:
            capex = ttm[ttm["entity"] == company]
            if mine.empty or capex.empty:
                continue
            both = pd.merge_asof(
                capex,
                mine.sort_values("date"),
                left_on="period_end",
                right_on="date",
                direction="backward",
                tolerance=pd.Timedelta(days=SCORE_FRESH_DAYS),
            ).dropna(subset=["score"])
            out.append(
                both.assign(
                    lab=lab.slug,
                    partner=lab.partner,
                    score_source=both["sid"].map(names).fillna(both["sid"]),
                )
            )
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()


def build(tables: dict[str, pd.DataFrame], s: ViewState) -> PeersView:
    """The Peers page: trailing capex by company, then spend against standing."""
    c = Context(tables, s)
    quarters = quarterly_usd(c)
    ttm = trailing(quarters)
    if ttm.empty:
        return PeersView(
            "peers", messages=("No company has four quarters of capex in this vintage.",)
        )
    keep = pd.Series(True, index=ttm.index)
    if s.start:
        keep &= ttm["period_end"] >= pd.Timestamp(s.start)
    if s.end:
        keep &= ttm["period_end"] <= pd.Timestamp(s.end)
    shown = ttm[keep]
    if shown.empty:
        return PeersView("peers", messages=(range_message(c),))
    fx = "release rate" if s.ccy in ("RMB", "USD") else "quarter-average rate"
    note = c.footnote(
        [shown],
        NOTE + f"Alibaba's RMB at the {fx}; Tencent's at the quarter-average USD/CNY rate. ",
        ccy="RMB",
    ).replace(" Amounts in RMB as reported.", "")
    ttm_chart = Chart(
        "peers_ttm",
        charts.ttm_figure(safe.plotly_frame(shown, PEER_TEXT), s.view, note),
        f"peers_ttm_{s.view}_{c.vintage}",
    )
    intensity_chart = None
    ratio = intensity(c.facts)
    if len(ratio):
        ratio = ratio[ratio["period_end"].isin(set(shown["period_end"]))]
        inote = c.footnote(
            [shown],
            "Capex intensity: capex over revenue, both over the trailing four calendar-aligned "
            "quarters and in the company's own currency; drawn where revenue is on file. ",
            ccy="RMB",
        ).replace(" Amounts in RMB as reported.", "")
        intensity_chart = Chart(
            "peers_intensity",
            charts.intensity_figure(safe.plotly_frame(ratio, PEER_TEXT), inote),
            f"peers_intensity_{c.vintage}",
        )
    board = scores(c.facts)
    points = standing(shown, board, c.source_names, s.labs)
    messages: tuple[str, ...] = ()
    standing_chart = months_chart = None
    if points.empty:
        messages = ("No lab has an LM Arena score near these quarter ends.",)
    else:
        snote = c.footnote(
            [shown],
            NOTE + "Score: the lab's best LM Arena text score within 120 days before the quarter "
            "end (LM Arena changed its rating method on 2024-01-09). Partner labs dashed. ",
            ccy="RMB",
        ).replace(" Amounts in RMB as reported.", "")
        standing_chart = Chart(
            "peers_standing",
            charts.standing_figure(safe.plotly_frame(points, PEER_TEXT), "score", snote),
            f"peers_standing_{c.vintage}",
        )
        months_chart = Chart(
            "peers_months",
            charts.standing_figure(safe.plotly_frame(points, PEER_TEXT), "months_behind", snote),
            f"peers_months_behind_{c.vintage}",
        )
    return PeersView(
        "peers",
        data=_data(shown, points),
        messages=messages,
        ttm=ttm_chart,
        intensity=intensity_chart,
        standing=standing_chart,
        months_behind=months_chart,
    )


def _data(shown: pd.DataFrame, points: pd.DataFrame) -> pd.DataFrame:
    """The data in view: trailing capex, then each lab's score at the quarter ends."""
    data = shown.assign(
        series="Capex, trailing four quarters: " + shown["entity"].map(lambda e: COMPANIES[e].name),
        label=[str(p.to_period("Q")) for p in shown["period_end"]],
        unit="USD_mn",
        note=shown["concept"],
    )
    if not points.empty:
        data = pd.concat(
            [
                data,
                points.assign(
                    series="LM Arena score at quarter end: " + points["lab"],
                    label=[str(p.to_period("Q")) for p in points["period_end"]],
                    value=points["score"],
                    unit="score",
                    source=points["score_source"],
                    source_url="",
                    note="model " + points["model"].astype(str),
                ),
            ],
            ignore_index=True,
        )
    data["period_end"] = pd.to_datetime(data["period_end"]).dt.strftime("%Y-%m-%d")
    return data[DATA_COLUMNS].reset_index(drop=True)
