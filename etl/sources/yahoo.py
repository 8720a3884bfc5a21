"""Yahoo Finance through yfinance: daily prices, quarterly statements (raw keys), FX, peers.

Source: https://finance.yahoo.com/ (vendor data; Yahoo's free cash flow is operating cash flow
plus capital expenditure, not Alibaba's non-GAAP definition, so it is kept as vendor_* metrics).
This is the only module that imports yfinance.

Each part (a ticker's prices, the statements, a peer) fails on its own: a 401 on one endpoint
or a renamed key loses that part, not the prices and statements already fetched. Every request
goes through a Guard (etl.sources.online), which also taps the fundamentals answers: yfinance
drops each point's `currencyCode`, and the statement currency is checked against it.
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import yfinance as yf

from etl import config, periods
from etl.errors import SourceError
from etl.sources.base import Context, Tables, empty_table, facts_frame
from etl.sources.online import (
    DeadlineExceededError,
    Guard,
    RateLimitedError,
    RateLimitExhaustedError,
    RetryPolicy,
    ca_bundle,
    guard_session,
)

log = logging.getLogger(__name__)
# yfinance 1.7 still uses pandas' deprecated inplace= keyword; the warning is not ours to act on.
warnings.filterwarnings("ignore", message="The inplace keyword", module=r"yfinance(\..*)?")

#: Instrument -> the currency its chart must be quoted in (checked against `meta.currency`).
PRICE_CURRENCY = {
    "BABA": "USD",
    "9988.HK": "HKD",
    "MCHI": "USD",
    "KWEB": "USD",
    "^HSI": "HKD",
    "CNY=X": "CNY",
    "HKDCNY=X": "CNY",
}
#: How a chart currency is stored: FX series are rates, not prices.
STORED_CURRENCY = {"CNY=X": "RMB_per_USD", "HKDCNY=X": "RMB_per_HKD"}
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
TIMESERIES = "fundamentals-timeseries"
CHART = "/v8/finance/chart/"
QUOTE_SUMMARY = "https://query2.finance.yahoo.com/v10/finance/quoteSummary/BABA"


@dataclass(frozen=True)
class YahooSource:
    """Source: Yahoo Finance via yfinance (https://finance.yahoo.com/)."""

    name: str = "yahoo"
    online: bool = True
    #: Returns a requests or curl_cffi Session; None: a curl_cffi session as yfinance makes one.
    session_factory: Callable[[], Any] | None = None
    per_request: float = 30.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    peers: tuple[str, ...] = field(default=())
    tickers: tuple[str, ...] = tuple(PRICE_CURRENCY)
    history_start: str = "2022-01-01"

    def extract(self, ctx: Context) -> dict[str, Any]:
        """Fetch each part on its own; a failed part is recorded, the others are kept."""
        _configure(ctx)
        guard = Guard(self.name, ctx.deadline, self.per_request, tap=(TIMESERIES, CHART))
        run = _Runner(self, ctx, guard)
        raw: dict[str, Any] = {"history": {}, "peers": {}, "failed": {}}
        for symbol in self.tickers:
            got = run.part(f"history {symbol}", _history_of(symbol, self.history_start))
            if got is not None:
                raw["history"][symbol] = got
        raw["income"] = run.part(
            "income statement", lambda t: t("BABA").get_income_stmt(freq="quarterly", pretty=False)
        )
        raw["cashflow"] = run.part(
            "cash flow", lambda t: t("BABA").get_cash_flow(freq="quarterly", pretty=False)
        )
        raw["financial_currency"] = run.part(
            "financial currency", lambda _t: _financial_currency(run)
        )
        for peer in self.peers:
            got = run.part(f"cash flow {peer}", _cash_flow_of(peer))
            if got is not None:
                raw["peers"][peer] = got
        raw["point_currencies"] = _point_currencies(guard)
        raw["chart_currencies"] = _chart_currencies(guard)
        raw["failed"] = run.failed
        if not raw["history"] and raw["income"] is None and raw["cashflow"] is None:
            reasons = "; ".join(f"{k}: {v}" for k, v in list(run.failed.items())[:3])
            raise SourceError(self.name, f"every part failed ({reasons})")
        return raw

    def transform(self, raw: dict[str, Any], ctx: Context) -> Tables:
        """Prices to prices_daily; statement rows to vendor_* facts in RMB millions."""
        failed = dict(raw.get("failed", {}))
        quoted = raw.get("chart_currencies", {})
        prices = [_prices(sym, df, quoted.get(sym)) for sym, df in raw["history"].items()]
        facts: list[pd.DataFrame] = []
        if raw.get("income") is not None or raw.get("cashflow") is not None:
            try:
                facts.append(_statement_facts(raw))
            except SourceError as exc:
                failed["statements"] = exc.reason
        for peer, cashflow in raw["peers"].items():
            facts.append(_peer_facts(peer, cashflow, raw["point_currencies"]))
        if not any(len(p) for p in prices) and not any(len(f) for f in facts):
            raise SourceError(self.name, "; ".join(f"{k}: {v}" for k, v in failed.items()))
        note = "; ".join(f"{k} not updated ({v})" for k, v in failed.items())
        return {
            "prices_daily": pd.concat(prices, ignore_index=True)
            if prices
            else empty_table("prices_daily").drop(columns=["owner"]),
            "facts": pd.concat(facts, ignore_index=True) if facts else facts_frame([]),
            "sources": pd.DataFrame(
                [
                    _source(PRICES_ID, f"Daily closes of {', '.join(raw['history'])}", ctx, note),
                    _source(
                        FUNDAMENTALS_ID,
                        "Alibaba quarterly income statement and cash flow (Yahoo definitions)",
                        ctx,
                        note,
                    ),
                ]
            ),
        }


class _Runner:
    """Runs each part under the retry policy; a failed part is recorded and the run goes on.

    On a 401 yfinance itself drops its crumb and tries the other cookie strategy once; when
    Yahoo is rate-limiting, that second crumb is refused too, so the part is retried here after
    a backoff (yfinance forwards a '429 Too Many Requests' crumb body as the crumb, #2441).
    """

    def __init__(self, source: YahooSource, ctx: Context, guard: Guard) -> None:
        self.source, self.ctx, self.guard = source, ctx, guard
        self.failed: dict[str, str] = {}
        self.session: Any = guard_session(_session(source), guard)
        #: Set once a part gave up on rate limits: the remaining parts are not tried.
        self.limited = ""

    def ticker(self, symbol: str) -> Any:
        return yf.Ticker(symbol, session=self.session)

    def part(self, what: str, fn: Callable[[Callable[[str], Any]], Any]) -> Any:
        """Run one part; None (and a note in `failed`) when it fails."""
        if self.limited:
            self.failed[what] = f"not tried: {self.limited}"
            return None
        try:
            return self.source.retry.call(
                self.source.name, what, lambda: self._attempt(what, fn), self.ctx.deadline
            )
        except DeadlineExceededError:
            raise  # the refresh bound ends the whole source, not one part
        except SourceError as exc:
            if isinstance(exc, RateLimitExhaustedError):
                self.limited = f"Yahoo rate-limited {what}"
            log.warning("%s", exc)
            self.failed[what] = exc.reason
            return None

    def _attempt(self, what: str, fn: Callable[[Callable[[str], Any]], Any]) -> Any:
        seen = len(self.guard.answers)
        try:
            result = fn(self.ticker)
        except SourceError:
            raise
        except yf.exceptions.YFRateLimitError as exc:
            raise RateLimitedError(str(exc)) from exc
        except Exception as exc:  # yfinance and transport errors fail this part only
            if _rate_limited(self.guard.answers[seen:]):
                raise RateLimitedError(f"{what}: Invalid Crumb / Too Many Requests") from exc
            text = (
                f"empty or malformed answer ({exc!r})"
                if isinstance(exc, IndexError | KeyError)  # yfinance indexing an empty answer
                else f"{type(exc).__name__}: {exc}"
            )
            raise SourceError(self.source.name, f"{what}: {text}"[:300]) from exc
        if result is None or (isinstance(result, pd.DataFrame) and result.empty):
            if _rate_limited(self.guard.answers[seen:]):
                raise RateLimitedError(f"{what}: Invalid Crumb / Too Many Requests")
            raise SourceError(self.source.name, f"{what}: empty answer")
        return result


def _rate_limited(answers: list[Any]) -> bool:
    """Yahoo answers a rate-limited crumb with 429 'Too Many Requests', then 401 'Invalid Crumb'."""
    return any(a.status == 429 or (a.status == 401 and b"Invalid Crumb" in a.body) for a in answers)


def _session(source: YahooSource) -> Any:
    if source.session_factory is not None:
        return source.session_factory()
    from curl_cffi import requests as curl_requests

    # libcurl reads the proxy variables itself, and curl_cffi REQUESTS_CA_BUNDLE, but neither
    # reads SSL_CERT_FILE: name the bundle the other sources trust. (curl_cffi keeps a bundle
    # path in `verify` itself when it reads REQUESTS_CA_BUNDLE; only its annotation says bool.)
    bundle: Any = ca_bundle() or True
    return curl_requests.Session(impersonate="chrome", verify=bundle)


def _configure(ctx: Context) -> None:
    """Fail loudly instead of returning silent empty frames; caches under the data directory."""
    yf.config.debug.hide_exceptions = False
    cache = config.cache_dir(ctx.data_dir) / "yfinance"
    cache.mkdir(parents=True, exist_ok=True)
    yf.set_tz_cache_location(str(cache))
    # yfinance memoises GET answers per URL for the life of the process; a refresh must refetch.
    yf.data.YfData.cache_get.cache_clear()


Part = Callable[[Callable[[str], Any]], Any]


def _history_of(symbol: str, start: str) -> Part:
    """Daily bars with raw and adjusted closes (auto_adjust is explicit, never the default)."""
    return lambda ticker: ticker(symbol).history(start=start, interval="1d", auto_adjust=False)


def _cash_flow_of(symbol: str) -> Part:
    """Quarterly cash flow with yfinance's raw keys."""
    return lambda ticker: ticker(symbol).get_cash_flow(freq="quarterly", pretty=False)


def _chart_currencies(guard: Guard) -> dict[str, str]:
    """Symbol -> `meta.currency` of its chart answer (tapped from the wire)."""
    out: dict[str, str] = {}
    for answer in guard.tapped(CHART):
        try:
            meta = json.loads(answer.body)["chart"]["result"][0]["meta"]
        except (ValueError, KeyError, TypeError, IndexError):
            continue
        out[str(meta.get("symbol"))] = str(meta.get("currency"))
    return out


def _financial_currency(run: _Runner) -> str:
    """financialData.financialCurrency, one quoteSummary request through yfinance's data layer."""
    data = yf.data.YfData(session=run.session)
    body = data.get_raw_json(
        QUOTE_SUMMARY, params={"modules": "financialData", "formatted": "false"}
    )
    result = (body.get("quoteSummary") or {}).get("result") or [{}]
    currency = (result[0].get("financialData") or {}).get("financialCurrency")
    if not currency:
        raise SourceError("yahoo", "financialData carries no financialCurrency")
    return str(currency)


def _point_currencies(guard: Guard) -> dict[tuple[str, str], set[str]]:
    """(symbol, raw key) -> the currencyCode of its points, from the tapped fundamentals answers."""
    out: dict[tuple[str, str], set[str]] = {}
    for answer in guard.tapped(TIMESERIES):
        try:
            results = json.loads(answer.body)["timeseries"]["result"] or []
        except (ValueError, KeyError, TypeError):
            continue
        for entry in results:
            symbol = str(((entry.get("meta") or {}).get("symbol") or [""])[0])
            for key, points in entry.items():
                if key in ("meta", "timestamp") or not isinstance(points, list):
                    continue
                raw_key = key.removeprefix("quarterly").removeprefix("annual")
                codes = {str(p["currencyCode"]) for p in points if p and p.get("currencyCode")}
                out.setdefault((symbol, raw_key), set()).update(codes)
    return out


def _prices(symbol: str, frame: pd.DataFrame, quoted: str | None) -> pd.DataFrame:
    if isinstance(frame.columns, pd.MultiIndex):
        raise SourceError("yahoo", f"history {symbol}: unexpected MultiIndex columns")
    if "Close" not in frame.columns:
        raise SourceError("yahoo", f"history {symbol}: no 'Close' column (labels changed?)")
    expected = PRICE_CURRENCY.get(symbol)
    if quoted != expected:
        log.warning("yahoo: %s quoted in %r, expected %r: skipped", symbol, quoted, expected)
        return empty_table("prices_daily").drop(columns=["owner"])
    # Bars are stamped at the exchange's local open; the local date is the trading day.
    dates = pd.DatetimeIndex(frame.index).tz_localize(None).strftime("%Y-%m-%d")
    adj = frame["Adj Close"] if "Adj Close" in frame.columns else frame["Close"] * float("nan")
    return pd.DataFrame(
        {
            "ticker": symbol,
            "date": dates,
            "close": frame["Close"].astype(float).to_numpy(),
            "adj_close": adj.astype(float).to_numpy(),
            "currency": STORED_CURRENCY.get(symbol, str(expected)),
            "source_id": PRICES_ID,
        }
    ).dropna(subset=["close"])


def _statement_facts(raw: dict[str, Any]) -> pd.DataFrame:
    statements = pd.concat([f for f in (raw.get("income"), raw.get("cashflow")) if f is not None])
    # yfinance reindexes to its full key list, so a key Yahoo stopped sending is an all-NaN row.
    missing = [
        k
        for k in REQUIRED_KEYS
        if k not in statements.index or statements.loc[[k]].isna().all(axis=None)
    ]
    if raw.get("cashflow") is not None and missing:
        raise SourceError("yahoo", f"expected statement keys missing (labels changed?): {missing}")
    financial = raw.get("financial_currency")
    codes = raw.get("point_currencies", {})
    for key in STATEMENT_KEYS:
        seen = codes.get(("BABA", key), set())
        if seen and seen != {"CNY"}:
            raise SourceError("yahoo", f"{key} points are in {sorted(seen)}, expected CNY")
    if financial is not None and financial != "CNY":
        raise SourceError("yahoo", f"statement currency is {financial!r}, expected 'CNY'")
    if financial is None and not any(codes.get(("BABA", k)) for k in STATEMENT_KEYS):
        raise SourceError(
            "yahoo", "statement currency unknown (no financialCurrency, no currencyCode)"
        )
    return _facts(statements)


def _facts(statements: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for key, metric in STATEMENT_KEYS.items():
        if key not in statements.index:
            continue
        series = statements.loc[key]
        if isinstance(series, pd.DataFrame):
            series = series.iloc[0]
        for when, value in series.items():
            end = pd.Timestamp(str(when)).date()
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
                    "subject": "",
                    "note": f"Yahoo Finance {key} (yfinance raw key)",
                    "origin": "yahoo",
                }
            )
    return facts_frame(rows)


PEER_UNITS = {"USD": ("peer_capex_usd", "USD_mn"), "CNY": ("peer_capex_rmb", "RMB_mn")}


def _peer_facts(
    ticker: str, cashflow: pd.DataFrame, codes: dict[tuple[str, str], set[str]]
) -> pd.DataFrame:
    """A peer's quarterly capital expenditure (positive = spent) in the currency its points carry."""
    seen = codes.get((ticker, "CapitalExpenditure"), set())
    currency = next(iter(seen)) if len(seen) == 1 else None
    if currency not in PEER_UNITS or "CapitalExpenditure" not in cashflow.index:
        log.warning("peer %s skipped: currency %r or no CapitalExpenditure row", ticker, currency)
        return facts_frame([])
    metric, unit = PEER_UNITS[currency]
    rows = []
    capex = cashflow.loc["CapitalExpenditure"]
    if isinstance(capex, pd.DataFrame):
        capex = capex.iloc[0]
    for when, value in capex.items():
        end = pd.Timestamp(str(when)).date()
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
                "subject": "",
                "note": f"Yahoo Finance CapitalExpenditure of {ticker} (calendar quarter)",
                "origin": "yahoo",
            }
        )
    return facts_frame(rows)


def _source(sid: str, title: str, ctx: Context, note: str) -> dict[str, str]:
    return {
        "source_id": sid,
        "title": title,
        "publisher": "Yahoo Finance (via yfinance)",
        "url": "https://finance.yahoo.com/quote/BABA/",
        "published": "",
        "accessed": ctx.today.isoformat(),
        "kind": "vendor",
        "note": f"fetched with yfinance {yf.__version__}" + (f"; {note}" if note else ""),
    }
