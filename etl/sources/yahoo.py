"""Yahoo Finance through yfinance: daily prices, quarterly statements (raw keys), FX, peers.

Source: https://finance.yahoo.com/ (vendor data; Yahoo's free cash flow is operating cash flow
plus capital expenditure, not Alibaba's non-GAAP definition, so it is kept as vendor_* metrics).
This is the only module that imports yfinance.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import yfinance as yf

from etl import config, periods
from etl.errors import SourceError
from etl.sources.base import Context, Tables, empty_table
from etl.sources.online import RateLimitedError, with_backoff, with_timeout

log = logging.getLogger(__name__)
# yfinance 1.7 still uses pandas' deprecated inplace= keyword; the warning is not ours to act on.
warnings.filterwarnings("ignore", message="The inplace keyword", module=r"yfinance(\..*)?")

#: Alibaba's listings and the benchmark each is compared with.
STOCKS = ("BABA", "9988.HK")
BENCHMARKS = ("KWEB", "^HSI")
#: FX series: US$ in RMB, HK$ in RMB.
FX = ("CNY=X", "HKDCNY=X")
#: Peer tickers for capex comparison (one place to change them).
PEERS = ("MSFT", "GOOGL", "AMZN", "META", "0700.HK", "BIDU")
#: Raw yfinance keys (get_*(pretty=False)) -> our vendor metric ids.
STATEMENT_KEYS = {
    "TotalRevenue": "vendor_revenue",
    "OperatingCashFlow": "vendor_operating_cash_flow",
    "CapitalExpenditure": "vendor_capex",
    "FreeCashFlow": "vendor_free_cash_flow",
}
REQUIRED_KEYS = ("OperatingCashFlow", "CapitalExpenditure", "FreeCashFlow")
PRICES_ID, FUNDAMENTALS_ID = "yahoo_prices", "yahoo_fundamentals"
HISTORY_START = "2022-01-01"


@dataclass(frozen=True)
class YahooSource:
    """Source: Yahoo Finance via yfinance (https://finance.yahoo.com/)."""

    name: str = "yahoo"
    online: bool = True
    #: Returns a requests or curl_cffi Session; None lets yfinance make its own.
    session_factory: Callable[[], Any] | None = None
    call_timeout: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    peers: tuple[str, ...] = field(default=())

    def extract(self, ctx: Context) -> dict[str, Any]:
        """Fetch prices, statements and the statement currency; every call under a timeout."""
        _configure(ctx)
        session = self.session_factory() if self.session_factory else None
        raw: dict[str, Any] = {"history": {}, "peers": {}}
        for symbol in (*STOCKS, *BENCHMARKS, *FX):
            raw["history"][symbol] = self._call(
                f"history {symbol}", lambda s=symbol: _history(s, session)
            )
        ticker = yf.Ticker("BABA", session=session)
        raw["income"] = self._call(
            "income statement", lambda: ticker.get_income_stmt(freq="quarterly", pretty=False)
        )
        raw["cashflow"] = self._call(
            "cash flow", lambda: ticker.get_cash_flow(freq="quarterly", pretty=False)
        )
        raw["currency"] = self._call("info", lambda: (ticker.info or {}).get("financialCurrency"))
        for peer in self.peers:
            try:
                t = yf.Ticker(peer, session=session)
                cashflow = self._call(
                    f"cash flow {peer}", lambda t=t: t.get_cash_flow(freq="quarterly", pretty=False)
                )
                currency = self._call(
                    f"info {peer}", lambda t=t: (t.info or {}).get("financialCurrency")
                )
                raw["peers"][peer] = (cashflow, currency)
            except SourceError as exc:  # a peer failing does not fail Alibaba's data
                log.warning("%s", exc)
        return raw

    def _call(self, what: str, fn: Callable[[], Any]) -> Any:
        def guarded() -> Any:
            try:
                return with_timeout(self.name, what, fn, self.call_timeout)
            except yf.exceptions.YFRateLimitError as exc:
                raise RateLimitedError(str(exc)) from exc

        try:
            result = with_backoff(self.name, what, guarded, sleep=self.sleep)
        except SourceError:
            raise
        except Exception as exc:  # yfinance and transport errors become one source failure
            raise SourceError(self.name, f"{what}: {type(exc).__name__}: {exc}") from exc
        if result is None or (isinstance(result, pd.DataFrame) and result.empty):
            raise SourceError(self.name, f"{what}: empty answer")
        return result

    def transform(self, raw: dict[str, Any], ctx: Context) -> Tables:
        """Prices to prices_daily; statement rows to vendor_* facts in RMB millions."""
        if raw.get("currency") != "CNY":
            raise SourceError(
                self.name, f"statement currency is {raw.get('currency')!r}, expected 'CNY'"
            )
        prices = pd.concat(
            [_prices(sym, df) for sym, df in raw["history"].items()], ignore_index=True
        )
        statements = pd.concat([raw["income"], raw["cashflow"]])
        # yfinance reindexes to its full key list, so a key Yahoo stopped sending is an all-NaN row.
        missing = [
            k
            for k in REQUIRED_KEYS
            if k not in statements.index or statements.loc[[k]].isna().all(axis=None)
        ]
        if missing:
            raise SourceError(
                self.name, f"expected statement keys missing (labels changed?): {missing}"
            )
        facts = pd.concat(
            [
                _facts(statements),
                *(_peer_facts(p, cf, cur) for p, (cf, cur) in raw["peers"].items()),
            ]
        )
        sources = pd.DataFrame(
            [
                _source(PRICES_ID, "Daily prices of BABA, 9988.HK, KWEB, ^HSI and FX", ctx),
                _source(
                    FUNDAMENTALS_ID,
                    "Alibaba quarterly income statement and cash flow (Yahoo definitions)",
                    ctx,
                ),
            ]
        )
        return {
            "prices_daily": prices,
            "facts": facts,
            "sources": sources,
            "events": empty_table("events"),
        }


def _configure(ctx: Context) -> None:
    """Fail loudly instead of returning silent empty frames; caches under the data directory."""
    yf.config.debug.hide_exceptions = False
    cache = config.cache_dir(ctx.data_dir) / "yfinance"
    cache.mkdir(parents=True, exist_ok=True)
    yf.set_tz_cache_location(str(cache))
    # yfinance memoises GET answers per URL for the life of the process; a refresh must refetch.
    yf.data.YfData.cache_get.cache_clear()


def _history(symbol: str, session: Any) -> pd.DataFrame:
    return yf.Ticker(symbol, session=session).history(
        start=HISTORY_START, interval="1d", auto_adjust=True, timeout=20
    )


def _prices(symbol: str, frame: pd.DataFrame) -> pd.DataFrame:
    if isinstance(frame.columns, pd.MultiIndex):
        raise SourceError("yahoo", f"history {symbol}: unexpected MultiIndex columns")
    if "Close" not in frame.columns:
        raise SourceError("yahoo", f"history {symbol}: no 'Close' column (labels changed?)")
    dates = pd.DatetimeIndex(frame.index).tz_localize(None).strftime("%Y-%m-%d")
    currency = {"BABA": "USD", "KWEB": "USD", "9988.HK": "HKD", "^HSI": "HKD"}.get(symbol, "CNY")
    return pd.DataFrame(
        {
            "ticker": symbol,
            "date": dates,
            "close": frame["Close"].astype(float).to_numpy(),
            "currency": currency,
            "source_id": PRICES_ID,
        }
    )


def _facts(statements: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for key, metric in STATEMENT_KEYS.items():
        if key not in statements.index:
            continue
        series = statements.loc[key]
        if isinstance(series, pd.DataFrame):
            series = series.iloc[0]
        for when, value in series.items():
            end = pd.Timestamp(when).date()
            if pd.isna(value) or not periods.is_quarter_end(end):
                continue
            amount = float(value) / 1e6
            rows.append(
                {
                    "entity": "alibaba",
                    "metric": metric,
                    "period_end": end.isoformat(),
                    "fiscal_period": periods.fiscal_label(end),
                    "value": -amount if metric == "vendor_capex" else amount,
                    "unit": "RMB_mn",
                    "source_id": FUNDAMENTALS_ID,
                    "source_url": "https://finance.yahoo.com/quote/BABA/cash-flow/",
                    "basis": "vendor",
                    "note": f"Yahoo Finance {key} (yfinance raw key)",
                    "origin": "yahoo",
                }
            )
    return pd.DataFrame(rows)


PEER_UNITS = {"USD": ("peer_capex_usd", "USD_mn"), "CNY": ("peer_capex_rmb", "RMB_mn")}


def _peer_facts(ticker: str, cashflow: pd.DataFrame, currency: str | None) -> pd.DataFrame:
    """A peer's quarterly capital expenditure (positive = spent) in its reporting currency."""
    if currency not in PEER_UNITS or "CapitalExpenditure" not in cashflow.index:
        log.warning("peer %s skipped: currency %r or no CapitalExpenditure row", ticker, currency)
        return pd.DataFrame()
    metric, unit = PEER_UNITS[currency]
    rows = []
    for when, value in cashflow.loc["CapitalExpenditure"].items():
        end = pd.Timestamp(when).date()
        if pd.isna(value) or not periods.is_quarter_end(end):
            continue
        rows.append(
            {
                "entity": ticker.lower().replace(".", "_").replace("^", ""),
                "metric": metric,
                "period_end": end.isoformat(),
                "fiscal_period": "",
                "value": -float(value) / 1e6,
                "unit": unit,
                "source_id": FUNDAMENTALS_ID,
                "source_url": f"https://finance.yahoo.com/quote/{ticker}/cash-flow/",
                "basis": "vendor",
                "note": f"Yahoo Finance CapitalExpenditure of {ticker} (calendar quarter)",
                "origin": "yahoo",
            }
        )
    return pd.DataFrame(rows)


def _source(sid: str, title: str, ctx: Context) -> dict[str, str]:
    return {
        "source_id": sid,
        "title": title,
        "publisher": "Yahoo Finance (via yfinance)",
        "url": "https://finance.yahoo.com/quote/BABA/",
        "published": "",
        "accessed": ctx.today.isoformat(),
        "kind": "vendor",
        "note": f"fetched with yfinance {yf.__version__}",
    }
