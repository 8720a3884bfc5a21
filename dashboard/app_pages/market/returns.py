"""The Market page's computations: price coverage, indexed prices, returns around events.

Series come from dashboard.common.prices (one source per ticker). Returns use adjusted closes
where the series has them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.common import frames
from etl.models import EVENT_WINDOWS as WINDOWS

#: Stock -> the benchmark its excess return is measured against (same exchange and calendar).
BENCHMARKS = {"BABA": "MCHI", "9988.HK": "^HSI"}
WINDOW_COLUMNS = [
    "event_date",
    "category",
    "event",
    "source",
    "source_id",
    "ticker",
    "benchmark",
    "window",
    "from_close",
    "to_close",
    "return_pct",
    "benchmark_pct",
    "excess_pct",
]


def window_label(key: int) -> str:
    """'[-1,+1]' for a window key."""
    a, b = WINDOWS[key]
    return f"[{a:+d},{b:+d}]".replace("+0", "0")


def coverage(by_ticker: dict[str, pd.DataFrame], names: dict[str, str]) -> pd.DataFrame:
    """Per ticker: the source it comes from, its first and last date, days, close used."""
    rows = [
        {
            "ticker": t,
            "source": names.get(str(f["source_id"].iloc[0]), str(f["source_id"].iloc[0])),
            "from": f["date"].min().date().isoformat(),
            "last date": f["date"].max().date().isoformat(),
            "days": len(f),
            "price used": "adjusted close" if f["adj_close"].notna().all() else "close",
            "currency": str(f["currency"].iloc[0]),
        }
        for t, f in by_ticker.items()
    ]
    return pd.DataFrame(rows)


def window_return(
    px: pd.DataFrame, event: pd.Timestamp, first: int, last: int
) -> tuple[float, str, str] | None:
    """Return over trading days first..last around an event, in the series' own calendar.

    Day 0 is the first trading day on or after the event date; the return runs from the close
    of the day before `first` to the close of day `last`. None when the series does not reach.
    """
    dates = pd.DatetimeIndex(px["date"])
    zero = int(dates.searchsorted(event))
    start, end = zero + first - 1, zero + last
    if start < 0 or end >= len(px) or zero >= len(px):
        return None
    prices = px["price"].to_numpy(dtype=float)
    ret = (prices[end] / prices[start] - 1.0) * 100.0
    return float(ret), dates[start].date().isoformat(), dates[end].date().isoformat()


def event_windows(
    by_ticker: dict[str, pd.DataFrame],
    events: pd.DataFrame,
    key: int,
    span: frames.Window = (None, None),
) -> pd.DataFrame:
    """One row per (event, stock): raw return over the window, the benchmark's, and the excess."""
    first, last = WINDOWS[key]
    rows = []
    for ev in events[frames.within(events["date"], span)].to_dict("records"):
        when = pd.Timestamp(str(ev["date"]))
        for stock, bench in BENCHMARKS.items():
            if stock not in by_ticker:
                continue
            got = window_return(by_ticker[stock], when, first, last)
            if got is None:
                continue
            ret, start, end = got
            b = window_return(by_ticker[bench], when, first, last) if bench in by_ticker else None
            bret = b[0] if b else np.nan
            rows.append(
                {
                    "event_date": str(ev["date"]),
                    "category": str(ev["category"]),
                    "event": str(ev["label"]),
                    "source": str(ev.get("source", ev.get("source_id", ""))),
                    "source_id": str(ev.get("source_id", "")),
                    "ticker": stock,
                    "benchmark": bench,
                    "window": window_label(key),
                    "from_close": start,
                    "to_close": end,
                    "return_pct": ret,
                    "benchmark_pct": bret,
                    "excess_pct": ret - bret,
                }
            )
    return pd.DataFrame(rows, columns=WINDOW_COLUMNS)


def indexed(
    by_ticker: dict[str, pd.DataFrame], tickers: tuple[str, ...], window: frames.Window
) -> dict[str, pd.DataFrame]:
    """Each ticker's price in the window, rebased to 100 on its first day in it."""
    out = {}
    for t in tickers:
        if t not in by_ticker:
            continue
        f = frames.clip(by_ticker[t], window, "date")
        if f.empty:
            continue
        out[t] = f.assign(index=f["price"] / f["price"].iloc[0] * 100.0)
    return out
