"""Pure reshaping of tidy facts into the frames charts take (no Streamlit, no I/O)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Literal

import numpy as np
import pandas as pd

from etl import derive as transform
from etl import periods
from etl.models import (
    KIND_RANK,
    METRICS,
    OWNER_RANK,
    CalendarBasis,
    Currency,
    EventImportance,
)

#: What derive() can do to a quarterly frame: the capex views and series transforms that are
#: not the plain quarterly level.
Derivation = Literal["ttm", "yoy", "index", "cumulative"]

FRAME_COLUMNS = [
    "period_end",
    "value",
    "label",
    "unit",
    "source",
    "source_id",
    "source_url",
    "note",
]
#: Which of two rows for the same figure the charts draw: the better kind of source first,
#: then the company's filings read online (edgar) before the curated files.
#: The RMB 380 billion three-year AI and cloud infrastructure plan of February 2025.
COMMITMENT_RMB_MN = 380_000.0
COMMITMENT_START = "2025-03-31"
#: The first quarter the company reports "AI Cloud and Compute Services" (the June 2026
#: quarter, FY2027Q1); earlier quarters of that metric are recast year-ago figures.
AI_CLOUD_FIRST_QUARTER = "2026-06-30"


def source_names(sources: pd.DataFrame) -> dict[str, str]:
    """source_id -> 'Publisher: Title' (short) for hovers and footnotes."""
    out: dict[str, str] = {}
    for r in sources.to_dict("records"):
        text = f"{r['publisher']}: {r['title']}" if r["publisher"] else str(r["title"])
        out[str(r["source_id"])] = text if len(text) <= 70 else text[:67] + "..."
    return out


def preferred(facts: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """One row per figure: where sources share a key, the one charts should draw.

    Blank rows never win over a filled one; then the better kind of source, then the owner rank
    (edgar's reading of the filing before the curated copy). Every row stays in the vintage and
    on the Sources page; this only chooses what is drawn.
    """
    if facts.empty or not facts.duplicated(["entity", "metric", "period_end"]).any():
        return facts
    kinds = dict(zip(sources["source_id"], sources["kind"], strict=False))
    ranked = facts.assign(
        _blank=facts["value"].isna().astype(int),
        _kind=facts["source_id"].map(kinds).map(KIND_RANK).fillna(9),
        _owner=facts["owner"].map(OWNER_RANK).fillna(5),
    ).sort_values(["_blank", "_kind", "_owner"], kind="stable")
    best = ranked.drop_duplicates(["entity", "metric", "period_end"], keep="first")
    return best.drop(columns=["_blank", "_kind", "_owner"]).sort_index()


def label(end: pd.Timestamp, basis: CalendarBasis) -> str:
    """Quarter label on the chosen basis."""
    return periods.period_label(end.date(), basis)


def quarterly(
    facts: pd.DataFrame,
    metric: str,
    *,
    ccy: Currency = "RMB",
    basis: CalendarBasis = "fiscal",
    names: dict[str, str] | None = None,
    window: tuple[date | None, date | None] = (None, None),
    avg_rate: pd.Series | None = None,
) -> pd.DataFrame:
    """One quarterly metric as a chart frame; RMB amounts converted to USD when asked.

    ccy "USD" uses the convenience rate each release states; where that rate is not on file,
    the US$ amount the release itself states beside the RMB figure (`<metric>_usd`), never a
    derived rate. "USD_avg" uses the quarter's average USD/CNY rate (avg_rate, from daily
    rates). A quarter with neither gets no value (and a note), never an estimate.
    """
    rows = _rows(facts, metric)
    unit = METRICS[metric].unit
    values = rows["value"].astype(float).to_numpy()
    notes = rows["note"].fillna("").astype(str).to_numpy()
    if ccy in ("USD", "USD_avg") and unit == "RMB_mn":
        rows, values, notes = _to_usd(facts, rows, metric, ccy, avg_rate)
        unit = "USD_mn"
    frame = pd.DataFrame(
        {
            "period_end": rows["period_end"].to_numpy(),
            "value": values,
            "label": [label(t, basis) for t in rows["period_end"]],
            "unit": unit,
            "source": rows["source_id"].map(names or {}).fillna(rows["source_id"]).to_numpy(),
            "source_id": rows["source_id"].to_numpy(),
            "source_url": rows["source_url"].fillna("").to_numpy(),
            "note": notes,
        }
    )
    return clip(_fill_quarters(frame, basis), window)


def _rows(facts: pd.DataFrame, metric: str) -> pd.DataFrame:
    rows = facts[(facts["entity"] == "alibaba") & (facts["metric"] == metric)].copy()
    rows = rows[rows["value"].notna()]
    rows["period_end"] = pd.to_datetime(rows["period_end"])
    return rows.sort_values("period_end")


USD_STATED_NOTE = "US$ as stated in the release (no convenience rate on file for this quarter)"


def _to_usd(
    facts: pd.DataFrame, rows: pd.DataFrame, metric: str, ccy: Currency, avg_rate: pd.Series | None
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """RMB rows in US$ millions: at a rate, or (release rate only) the release's own US$ figure."""
    rate = transform.series(facts, "usd_rmb_rate") if ccy == "USD" else avg_rate
    rate = rate if rate is not None else pd.Series(dtype=float)
    index = pd.DatetimeIndex(rows["period_end"])
    values = transform.to_usd(pd.Series(rows["value"].to_numpy(), index=index), rate).to_numpy()
    missing = "no convenience rate on file" if ccy == "USD" else "no average rate loaded"
    notes = np.where(np.isnan(values), f"{missing} for this quarter", rows["note"].fillna(""))
    if ccy == "USD" and f"{metric}_usd" in METRICS:
        stated = _rows(facts, f"{metric}_usd").set_index("period_end")
        use = np.isnan(values) & index.isin(stated.index)
        if use.any():
            values = values.copy()
            values[use] = stated.loc[index[use], "value"].astype(float).to_numpy()
            notes = np.where(use, USD_STATED_NOTE, notes)
            rows = rows.copy()
            rows.loc[use, "source_id"] = stated.loc[index[use], "source_id"].to_numpy()
            rows.loc[use, "source_url"] = stated.loc[index[use], "source_url"].to_numpy()
    return rows, values, notes.astype(str)


def _fill_quarters(frame: pd.DataFrame, basis: CalendarBasis) -> pd.DataFrame:
    """Add empty rows for quarters between the first and last that have no figure on file.

    Lines then break at the gap (plotly draws no segment across a missing value) instead of
    joining the neighbours as if the quarter had been reported.
    """
    if len(frame) < 2:
        return frame
    full = pd.date_range(frame["period_end"].min(), frame["period_end"].max(), freq="QE")
    missing = full.difference(pd.DatetimeIndex(frame["period_end"]))
    if missing.empty:
        return frame
    gaps = pd.DataFrame(
        {
            "period_end": missing,
            "value": np.nan,
            "label": [label(t, basis) for t in missing],
            "unit": frame["unit"].iloc[0],
            "source": "",
            "source_id": "",
            "source_url": "",
            "note": "not on file",
        }
    )
    return pd.concat([frame, gaps]).sort_values("period_end").reset_index(drop=True)


Window = tuple[date | None, date | None]


def bounds(window: Window) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """The first day of the `from` quarter and the last day of the `to` quarter.

    The view state stores both ends as quarter-end dates; daily series (prices, scores, events)
    must start on the quarter's first day, or "from 2025Q1" would lose January to March.
    Fiscal and calendar quarters share their boundaries (the fiscal year ends 31 March).
    """
    start, end = window
    first = pd.Period(pd.Timestamp(start), freq="Q").start_time if start else None
    return first, (pd.Timestamp(end) if end else None)


def within(dates: pd.Series, window: Window) -> pd.Series:
    """True for the dates inside the window (either bound may be open)."""
    first, last = bounds(window)
    when = pd.to_datetime(dates)
    keep = pd.Series(True, index=dates.index)
    if first is not None:
        keep &= when >= first
    if last is not None:
        keep &= when <= last
    return keep


def clip(frame: pd.DataFrame, window: Window, column: str = "period_end") -> pd.DataFrame:
    """Keep rows whose date (`column`) falls inside the window (either bound may be open)."""
    return frame[within(frame[column], window)].reset_index(drop=True)


def derive(frame: pd.DataFrame, how: Derivation, basis: CalendarBasis) -> pd.DataFrame:
    """Apply ttm | yoy | index | cumulative to a quarterly frame (NaN where undefined)."""
    s = pd.Series(frame["value"].to_numpy(dtype=float), index=pd.DatetimeIndex(frame["period_end"]))
    fns: dict[Derivation, Callable[[pd.Series], pd.Series]] = {
        "ttm": transform.ttm,
        "yoy": transform.yoy,
        "index": transform.index_to_100,
        "cumulative": lambda x: transform.cumulative_since(x, COMMITMENT_START),
    }
    fn = fns[how]
    out_s = fn(s)
    out = frame.copy()
    out["value"] = out_s.reindex(s.index).to_numpy()
    if how == "yoy":
        out["unit"] = "pct"
    elif how == "index":
        out["unit"] = "index"
    if how == "cumulative":
        out = out[out["period_end"] >= pd.Timestamp(COMMITMENT_START)]
    return out.reset_index(drop=True)


#: The columns that name a figure's source; a derived row names both of its figures'.
JOINED = ("source", "source_id", "source_url")


def _join_sources(merged: pd.DataFrame, suffix: str) -> pd.DataFrame:
    """Name both figures' sources and URLs on a derived row (unless they are the same)."""
    same = merged["source_id"] == merged[f"source_id{suffix}"]
    for col in JOINED:
        merged[col] = merged[col].where(same, merged[col] + " ; " + merged[f"{col}{suffix}"])
    return merged.drop(columns=[f"{c}{suffix}" for c in JOINED])


def ratio(num: pd.DataFrame, den: pd.DataFrame) -> pd.DataFrame:
    """num / den in percent for the quarters both have."""
    merged = num.merge(
        den[["period_end", "value", *JOINED]], on="period_end", suffixes=("", "_den")
    )
    merged["value"] = transform.margin(merged["value"], merged["value_den"]).to_numpy()
    merged["unit"] = "pct"
    return _join_sources(merged.drop(columns=["value_den"]), "_den")


def difference(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """a - b for the quarters both have (e.g. operating cash flow less capex)."""
    merged = a.merge(b[["period_end", "value", *JOINED]], on="period_end", suffixes=("", "_b"))
    merged["value"] = merged["value"] - merged["value_b"]
    merged["note"] = "derived: difference of two reported figures"
    return _join_sources(merged.drop(columns=["value_b"]), "_b")


#: Entities whose dated figures are Alibaba's adoption (the company's and the Qwen family's).
ADOPTION_ENTITIES = ("qwen", "alibaba")


def observations(
    facts: pd.DataFrame,
    metric: str,
    names: dict[str, str] | None = None,
    window: tuple[date | None, date | None] = (None, None),
    entities: tuple[str, ...] = ADOPTION_ENTITIES,
) -> pd.DataFrame:
    """A dated (point-in-time) metric as a chart frame; one row per observation, never filled.

    The frame's `dense` attribute says whether the figures are a measured history (a line may
    join them) rather than statements (markers only).
    """
    rows = facts[(facts["metric"] == metric) & facts["entity"].isin(entities)].copy()
    rows = rows[rows["value"].notna()]
    rows["period_end"] = pd.to_datetime(rows["period_end"])
    rows = rows.sort_values("period_end")
    frame = pd.DataFrame(
        {
            "period_end": rows["period_end"].to_numpy(),
            "value": rows["value"].astype(float).to_numpy(),
            "label": [t.strftime("%Y-%m-%d") for t in rows["period_end"]],
            "unit": METRICS[metric].unit,
            "source": rows["source_id"].map(names or {}).fillna(rows["source_id"]).to_numpy(),
            "source_id": rows["source_id"].to_numpy(),
            "source_url": rows["source_url"].fillna("").to_numpy(),
            "note": _with_subject(rows),
            "basis": rows["basis"].fillna("").to_numpy(),
        }
    )
    return clip(frame, window)


def _with_subject(rows: pd.DataFrame) -> np.ndarray:
    """The note, led by the model a figure is about where there is one."""
    subject = rows["subject"].fillna("").astype(str) if "subject" in rows else ""
    note = rows["note"].fillna("").astype(str)
    return np.where(subject != "", subject + ": " + note, note).astype(str)


def is_dense(frame: pd.DataFrame) -> bool:
    """True for a measured history (drawn as a line), False for dated statements (markers)."""
    return bool(len(frame)) and bool((frame.get("basis", pd.Series(dtype=str)) == "measured").all())


def shift(frame: pd.DataFrame, quarters: int, basis: CalendarBasis) -> pd.DataFrame:
    """Move a quarterly frame by whole quarters (lead/lag), relabelling the shifted quarters."""
    if quarters == 0:
        return frame
    out = frame.copy()
    out["period_end"] = pd.DatetimeIndex(out["period_end"]) + pd.offsets.QuarterEnd(quarters)
    out["label"] = [f"{lab} (shifted {quarters:+d}q)" for lab in frame["label"]]
    return out


def latest(frame: pd.DataFrame) -> pd.Series | None:
    """The newest row of a frame, or None."""
    return None if frame.empty else frame.iloc[-1]


#: The importance of an event whose row leaves it blank: a category's headline events are
#: major; a Qwen release is minor (one of many snapshots) unless its row marks it major.
DEFAULT_IMPORTANCE = {
    "earnings": "major",
    "capex_commitment": "major",
    "conference": "major",
    "qwen_release": "minor",
}
EVENT_COLUMNS = ["date", "category", "weights", "importance", "label", "source", "source_id"]


def events(
    frame: pd.DataFrame,
    names: dict[str, str],
    categories: tuple[str, ...] | list[str],
    importance: EventImportance = "all",
    window: Window = (None, None),
) -> pd.DataFrame:
    """The events to mark: one row per date, category and weights, in the window.

    Rows reporting the same event (the same day's release told by two sources, a results call
    and its guidance) become one mark whose label names them all. `importance` "major" keeps
    the major events only; a blank importance takes its category's default.
    """
    ev = frame[frame["category"].isin(categories)].copy()
    for col in ("weights", "importance"):
        ev[col] = ev[col].fillna("").astype(str) if col in ev else ""
    blank = ev["importance"] == ""
    ev.loc[blank, "importance"] = ev.loc[blank, "category"].map(DEFAULT_IMPORTANCE).fillna("minor")
    if importance == "major":
        ev = ev[ev["importance"] == "major"]
    ev = ev[within(ev["date"], window)]
    if ev.empty:
        return pd.DataFrame(columns=EVENT_COLUMNS)
    ev["date"] = pd.to_datetime(ev["date"]).dt.strftime("%Y-%m-%d")
    ev["source"] = [names.get(str(i), str(i)) for i in ev["source_id"]]
    grouped = ev.groupby(["date", "category", "weights"], sort=True).agg(
        importance=("importance", lambda x: "major" if (x == "major").any() else "minor"),
        label=("label", lambda x: " / ".join(dict.fromkeys(map(str, x)))),
        source=("source", lambda x: " ; ".join(dict.fromkeys(map(str, x)))),
        source_id=("source_id", lambda x: " ; ".join(dict.fromkeys(map(str, x)))),
    )
    return grouped.reset_index()[EVENT_COLUMNS]
