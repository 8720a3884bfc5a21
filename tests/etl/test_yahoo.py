"""The Yahoo adapter driven offline through yfinance's real code paths (recorded answers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.errors import SourceError
from etl.sources import Context, fetch
from etl.sources.yahoo import PRICE_CURRENCY
from tests.etl.online import TODAY, yahoo

pytestmark = pytest.mark.usefixtures("fresh_yfinance")


def test_yahoo_success_through_yfinance(tmp_path: Path) -> None:
    """Prices with raw and adjusted closes, vendor figures in RMB millions, peers, caches."""
    tables = fetch(yahoo(peers=("MSFT",)), Context(tmp_path, TODAY))
    prices = tables["prices_daily"]
    assert set(prices["ticker"]) == set(PRICE_CURRENCY)
    baba = prices[prices["ticker"] == "BABA"].iloc[0]
    assert baba["close"] == 104.0 and baba["adj_close"] == round(104.0 * 0.97, 4)
    assert set(prices.loc[prices["ticker"] == "CNY=X", "currency"]) == {"RMB_per_USD"}
    facts = tables["facts"].set_index(["entity", "metric", "period_end"])["value"]
    assert facts[("alibaba", "vendor_free_cash_flow", "2025-06-30")] == -18_000
    assert facts[("alibaba", "vendor_capex", "2025-06-30")] == 38_000
    assert facts[("msft", "peer_capex_usd", "2025-09-30")] == 31_000
    assert (tables["facts"]["owner"] == "yahoo").all()
    assert (tmp_path / "cache" / "yfinance").is_dir()


def test_yahoo_replays_real_recordings(tmp_path: Path) -> None:
    """Real Yahoo answers (BABA chart, fundamentals, financialData, crumb) parse as expected."""
    src = yahoo("recorded", history_start="2020-01-01", tickers=("BABA",))
    tables = fetch(src, Context(tmp_path, TODAY))
    bar = tables["prices_daily"].iloc[0]
    # The recorded bar is stamped 2020-01-02 09:30 America/New_York; close and adjclose differ.
    assert (bar["ticker"], bar["date"], bar["currency"]) == ("BABA", "2020-01-02", "USD")
    assert bar["close"] == pytest.approx(219.77000427246094)
    assert bar["adj_close"] == pytest.approx(212.24212646484375)
    revenue = tables["facts"].query("metric == 'vendor_revenue'").set_index("period_end")["value"]
    assert sorted(revenue.index) == ["2023-06-30", "2023-09-30", "2023-12-31"]
    assert revenue["2023-12-31"] == pytest.approx(260_348.0)
    # The recording has no cash-flow types: that part is missing and said so, the rest is kept.
    note = tables["sources"].set_index("source_id").loc["yahoo_fundamentals", "note"]
    assert "cash flow not updated (cash flow: empty answer)" in note


def test_yahoo_statement_currency_checked_against_each_point(tmp_path: Path) -> None:
    """Points whose currencyCode is not CNY are refused; prices are still published."""
    tables = fetch(yahoo("wrong_point_currency"), Context(tmp_path, TODAY))
    assert tables["facts"].empty
    assert len(tables["prices_daily"]) > 0
    note = tables["sources"]["note"].iloc[0]
    assert "statements not updated" in note and "expected CNY" in note


def test_yahoo_price_currency_checked_against_meta(tmp_path: Path) -> None:
    """A chart quoted in another currency than expected is dropped, not stored as USD."""
    tables = fetch(yahoo("wrong_price_currency"), Context(tmp_path, TODAY))
    assert "BABA" not in set(tables["prices_daily"]["ticker"])
    assert "9988.HK" in set(tables["prices_daily"]["ticker"])


def test_yahoo_quote_401_does_not_fail_the_source(tmp_path: Path) -> None:
    """A 401 on the quote endpoints loses only the financial currency, not prices or statements."""
    tables = fetch(yahoo("quote_401"), Context(tmp_path, TODAY))
    assert len(tables["prices_daily"]) > 0
    assert "vendor_free_cash_flow" in set(tables["facts"]["metric"])
    assert "financial currency not updated" in tables["sources"]["note"].iloc[0]


def test_yahoo_rate_limited_crumb_is_retried(tmp_path: Path) -> None:
    """A 429 crumb then 401 'Invalid Crumb' is a rate limit: backed off, retried, then fine."""
    sleeps: list[float] = []
    tables = fetch(yahoo("crumb_rate_limited_once", sleeps), Context(tmp_path, TODAY))
    assert sleeps == [5.0]
    assert "vendor_free_cash_flow" in set(tables["facts"]["metric"])
    assert "not updated" not in tables["sources"]["note"].iloc[0]


@pytest.mark.parametrize(
    ("scenario", "reason"),
    [("timeout", "ReadTimeout"), ("rate_limit", "rate limited, gave up after 3 tries")],
)
def test_yahoo_failures_become_source_errors(tmp_path: Path, scenario: str, reason: str) -> None:
    """When every part fails, the source fails with the first reasons; rate limits back off once."""
    sleeps: list[float] = []
    with pytest.raises(SourceError, match=reason):
        fetch(yahoo(scenario, sleeps), Context(tmp_path, TODAY))
    if scenario == "rate_limit":
        assert sleeps == [5.0, 10.0]  # one part backs off twice; the others are not tried


@pytest.mark.parametrize(
    ("scenario", "missing", "reason"),
    [
        ("empty", "prices_daily", "history BABA not updated"),
        ("changed_label", "facts", "labels changed"),
    ],
)
def test_yahoo_part_failures_keep_the_rest(
    tmp_path: Path, scenario: str, missing: str, reason: str
) -> None:
    """Empty charts or renamed statement keys lose that part only, and say why."""
    tables = fetch(yahoo(scenario), Context(tmp_path, TODAY))
    assert tables[missing].empty
    other = "facts" if missing == "prices_daily" else "prices_daily"
    assert len(tables[other]) > 0
    assert reason in tables["sources"]["note"].iloc[0]
