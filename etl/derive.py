"""Pure derivations on tidy quarterly series: TTM, YoY, QoQ, margins, cumulative, USD conversion.

Every function takes and returns pandas objects and does no I/O. Quarterly series are indexed
by period end (Timestamp) and sorted ascending; gaps in the quarter sequence are never filled,
so a derivation that needs a missing quarter gives NaN rather than an estimate.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

FxPolicy = Literal["convenience", "period_average"]
FX_POLICY_TEXT: dict[str, str] = {
    "convenience": "USD at each release's convenience translation rate (RMB per US$ at the "
    "quarter's last trading day, as stated in the release)",
    "period_average": "USD at the period-average RMB/USD rate",
}


def _quarter_index(s: pd.Series) -> pd.PeriodIndex:
    return pd.DatetimeIndex(s.index).to_period("Q")


def _shift_by_quarters(s: pd.Series, n: int) -> pd.Series:
    """Value of the quarter n quarters earlier, matched by period (not by row position)."""
    q = _quarter_index(s)
    lookup = pd.Series(s.to_numpy(dtype=float), index=q)
    prev = lookup.reindex(q - n)
    return pd.Series(prev.to_numpy(), index=s.index, name=s.name)


def yoy(s: pd.Series) -> pd.Series:
    """Year-over-year change in percent against the same quarter a year earlier.

    The base's absolute value is the denominator, so a move from a loss to a smaller loss is
    positive; a zero base gives NaN.
    """
    prev = _shift_by_quarters(s, 4)
    base = prev.abs().replace(0, np.nan)
    return (s.astype(float) - prev) / base * 100.0


def qoq(s: pd.Series) -> pd.Series:
    """Quarter-over-quarter change in percent against the previous quarter."""
    prev = _shift_by_quarters(s, 1)
    base = prev.abs().replace(0, np.nan)
    return (s.astype(float) - prev) / base * 100.0


def ttm(s: pd.Series) -> pd.Series:
    """Trailing-twelve-month sum: NaN unless all four consecutive quarters are present."""
    total = s.astype(float).copy()
    for n in (1, 2, 3):
        total = total + _shift_by_quarters(s, n)
    return total


def margin(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """Ratio in percent, aligned on period; zero denominators give NaN."""
    num, den = numerator.astype(float).align(denominator.astype(float), join="inner")
    return num / den.replace(0, np.nan) * 100.0


def cumulative_since(s: pd.Series, start: pd.Timestamp | str) -> pd.Series:
    """Running sum of the quarters whose period end falls on or after start.

    Missing quarters break nothing silently: the running sum is NaN from the first gap on.
    """
    sub = s[pd.DatetimeIndex(s.index) >= pd.Timestamp(start)].astype(float).sort_index()
    if sub.empty:
        return sub
    q = _quarter_index(sub)
    expected = pd.period_range(q[0], q[-1], freq="Q")
    full = pd.Series(sub.to_numpy(), index=q).reindex(expected)
    running = full.cumsum(skipna=False)
    return pd.Series(running.reindex(q).to_numpy(), index=sub.index, name=s.name)


def index_to_100(s: pd.Series) -> pd.Series:
    """Rebase a series so its first non-missing value is 100; NaN if that value is zero."""
    clean = s.dropna().astype(float)
    if clean.empty or clean.iloc[0] == 0:
        return s.astype(float) * np.nan
    return s.astype(float) / clean.iloc[0] * 100.0


def to_usd(rmb: pd.Series, rate: pd.Series) -> pd.Series:
    """Divide RMB amounts by an RMB-per-USD rate aligned by period; missing rates give NaN."""
    aligned = rate.reindex(rmb.index).astype(float)
    return rmb.astype(float) / aligned


def period_average_rate(daily: pd.Series) -> pd.Series:
    """Quarterly average of a daily rate, indexed by quarter end (only quarters with data)."""
    if daily.empty:
        return daily
    index = pd.DatetimeIndex(daily.index)
    s = pd.Series(daily.to_numpy(dtype=float), index=index).dropna()
    quarters = pd.DatetimeIndex(s.index).to_period("Q")
    means = s.groupby(quarters).mean()
    ends = pd.PeriodIndex(means.index).to_timestamp(how="end").normalize()
    return pd.Series(means.to_numpy(), index=ends, name="rate")


def series(facts: pd.DataFrame, metric: str, entity: str = "alibaba") -> pd.Series:
    """Pick one metric of one entity from tidy facts as a float series indexed by period end."""
    rows = facts[(facts["metric"] == metric) & (facts["entity"] == entity)]
    out = pd.Series(
        pd.to_numeric(rows["value"], errors="coerce").to_numpy(dtype=float),
        index=pd.DatetimeIndex(pd.to_datetime(rows["period_end"])),
        name=metric,
    )
    return out.dropna().sort_index()
