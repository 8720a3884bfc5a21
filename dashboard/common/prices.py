"""Daily price series as every page reads them: one source per ticker, and the USD/CNY average.

A vintage may hold the same ticker twice: bundled closes (owner curated) and a refresh from
Yahoo (owner yahoo). A ticker's series comes from one source only, the online one when present,
so no series is spliced from two vendors.
"""

from __future__ import annotations

import pandas as pd

from etl import derive as transform
from etl.models import OWNER_PRECEDENCE as OWNER_ORDER

#: Daily RMB-per-US$ series, best first: Yahoo's market rate, then the PBOC central parity.
USD_CNY = ("CNY=X", "USDCNY_PBOC")


def series(prices: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Ticker -> its daily rows from one source (online first), sorted, with a `price` column.

    `price` is the adjusted close where the series has one, else the close.
    """
    out: dict[str, pd.DataFrame] = {}
    if prices.empty:
        return out
    for ticker, rows in prices.groupby("ticker", sort=True):
        owners = [o for o in OWNER_ORDER if o in set(rows["owner"])] or sorted(set(rows["owner"]))
        mine = rows[rows["owner"] == owners[0]].copy()
        mine["date"] = pd.to_datetime(mine["date"])
        adjusted = mine["adj_close"].notna().all()
        mine["price"] = mine["adj_close"] if adjusted else mine["close"]
        out[str(ticker)] = mine.dropna(subset=["price"]).sort_values("date").reset_index(drop=True)
    return out


def average_usd_rate(by_ticker: dict[str, pd.DataFrame]) -> tuple[pd.Series | None, str]:
    """Quarterly average RMB per US$ from the best daily series present, and its ticker."""
    for ticker in USD_CNY:
        if ticker in by_ticker:
            daily = by_ticker[ticker]
            rate = pd.Series(daily["close"].fillna(daily["price"]).to_numpy(), index=daily["date"])
            return transform.period_average_rate(rate), ticker
    return None, ""
