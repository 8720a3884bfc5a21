"""Online adapters driven offline through their libraries' real code paths, and safe refresh."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx2
import pytest
import requests
from yfinance import data as yf_data

from etl import __main__ as cli
from etl import pipeline
from etl.errors import SourceError
from etl.sources import SOURCES, Context, fetch
from etl.sources.edgar import EdgarSource
from etl.sources.huggingface import HuggingFaceSource
from etl.sources.lmarena import LmArenaSource
from etl.sources.online import Deadline, RetryPolicy
from etl.sources.openrouter import OpenRouterSource
from etl.sources.sec_xbrl import SecXbrlSource
from etl.sources.yahoo import PRICE_CURRENCY, YahooSource
from etl.store import Store
from tests.fixtures.edgar.transport import transport as edgar_transport
from tests.fixtures.huggingface.transport import transport
from tests.fixtures.lmarena.transport import handler as arena_handler
from tests.fixtures.lmarena.transport import transport as arena_transport
from tests.fixtures.openrouter.transport import transport as openrouter_transport
from tests.fixtures.sec_xbrl.transport import transport as sec_transport
from tests.fixtures.yahoo.transport import session

TODAY = date(2026, 11, 29)


@pytest.fixture(autouse=True)
def _fresh_yfinance() -> Iterator[None]:
    """yfinance keeps one YfData (session, cookie, crumb) per process; give each test its own."""
    yf_data.SingletonMeta._instances.pop(yf_data.YfData, None)
    yield
    yf_data.SingletonMeta._instances.pop(yf_data.YfData, None)


def yahoo(
    scenario: str = "ok",
    sleeps: list[float] | None = None,
    shared: dict[str, int] | None = None,
    **kw: object,
) -> YahooSource:
    state: dict[str, int] = {} if shared is None else shared
    return YahooSource(
        session_factory=lambda: session(scenario, state)[0],
        retry=RetryPolicy(sleep=(sleeps.append if sleeps is not None else lambda _s: None)),
        **kw,
    )  # type: ignore[arg-type]


def hf(scenario: str = "ok", sleeps: list[float] | None = None) -> HuggingFaceSource:
    return HuggingFaceSource(
        transport=transport(scenario),
        retry=RetryPolicy(sleep=(sleeps.append if sleeps is not None else lambda _s: None)),
    )


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


def test_huggingface_success_through_huggingface_hub(tmp_path: Path) -> None:
    """Summed counters dated today, derivative counts and base-model release events."""
    calls: list[str] = []
    src = HuggingFaceSource(transport=transport("ok", calls))
    tables = fetch(src, Context(tmp_path, TODAY))
    facts = tables["facts"].set_index("metric")["value"]
    assert facts["hf_models"] == 5 and facts["hf_downloads_30d"] == 7200 and facts["hf_likes"] == 52
    assert facts["hf_derivatives"] == 2 * 6  # two tracked bases x (3 + 2 + 1 + 0)
    assert (tables["facts"]["period_end"] == "2026-11-29").all()
    assert any("filter=base_model%3Aquantized%3AQwen%2FQwen3-8B" in c for c in calls)


def test_huggingface_release_events_follow_real_tags(tmp_path: Path) -> None:
    """Instruct models tagged base_model:finetune: are releases; quantized copies are not."""
    tables = fetch(hf(), Context(tmp_path, TODAY))
    released = set(tables["events"]["label"].str.removesuffix(" published on Hugging Face"))
    assert released == {"Qwen/Qwen3-8B", "Qwen/Qwen3-8B-Base", "Qwen/Qwen2.5-7B-Instruct"}


def test_huggingface_rate_limit_is_ours_not_the_librarys(tmp_path: Path) -> None:
    """A real 429 (ratelimit t=55) waits 55 s through our policy, once, and then succeeds."""
    sleeps: list[float] = []
    tables = fetch(hf("rate_limit_once", sleeps), Context(tmp_path, TODAY))
    assert sleeps == [55.0]  # the reset hint, not huggingface_hub's own sleep inside a timeout
    assert len(tables["facts"]) == 5


def test_huggingface_rate_limit_past_the_bound_fails_at_once(tmp_path: Path) -> None:
    """When the reset is further away than the refresh bound, the source fails without waiting."""
    sleeps: list[float] = []
    ctx = Context(tmp_path, TODAY, deadline=Deadline.after(20))
    with pytest.raises(SourceError, match="would pass the refresh bound"):
        fetch(hf("rate_limit", sleeps), ctx)
    assert sleeps == []


@pytest.mark.parametrize(
    ("scenario", "reason"),
    [
        ("empty", "listed no models"),
        ("timeout", "ReadTimeout"),
        ("changed_label", "missing from every model"),
        ("rate_limit", "rate limited, gave up after 3 tries"),
    ],
)
def test_huggingface_failures(tmp_path: Path, scenario: str, reason: str) -> None:
    """The Hub's failures become SourceError; backoff sleeps are stubbed through the policy."""
    sleeps: list[float] = []
    with pytest.raises(SourceError, match=reason):
        fetch(hf(scenario, sleeps), Context(tmp_path, TODAY))
    if scenario == "rate_limit":
        assert sleeps == [55.0, 55.0]


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, object]]:
    """Swap the registered online sources for offline-driven ones."""
    monkeypatch.setitem(SOURCES, "yahoo", yahoo())
    monkeypatch.setitem(SOURCES, "huggingface", hf())
    monkeypatch.setitem(SOURCES, "lmarena", arena("not_found"))
    monkeypatch.setitem(SOURCES, "openrouter", openrouter(key=None))
    monkeypatch.setitem(SOURCES, "edgar", EdgarSource(transport=edgar_transport("throttled")))
    monkeypatch.setitem(SOURCES, "sec_xbrl", SecXbrlSource(transport=sec_transport("throttled")))
    assert {n for n, s in SOURCES.items() if s.online} == {
        "yahoo",
        "huggingface",
        "lmarena",
        "openrouter",
        "edgar",
        "sec_xbrl",
    }
    yield SOURCES  # type: ignore[misc]


def test_one_source_fails_the_other_publishes(
    synthetic_dir: Path, registry: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failing source keeps its last good data and is marked stale; the other one updates."""
    first = pipeline.run(
        synthetic_dir, ["yahoo", "huggingface"], today=TODAY, progress=lambda _m: None
    )
    store = Store(synthetic_dir / "store")
    prices_before = store.read("prices_daily")
    assert len(prices_before) > 0
    monkeypatch.setitem(SOURCES, "yahoo", yahoo("rate_limit"))
    second = pipeline.run(
        synthetic_dir, ["yahoo", "huggingface"], today=date(2026, 11, 30), progress=lambda _m: None
    )
    assert second.vintage != first.vintage
    assert (
        second.sources["yahoo"]["status"] == "stale"
        and "rate limited" in second.sources["yahoo"]["reason"]
    )
    assert second.sources["huggingface"]["status"] == "ok"
    assert any(w.startswith("source yahoo is stale") for w in second.warnings)
    assert len(store.read("prices_daily")) == len(prices_before)
    hf_days = store.read("facts").query("metric == 'hf_models'")["period_end"].tolist()
    assert sorted(hf_days) == ["2026-11-29", "2026-11-30"]  # history accumulates across vintages
    assert store.manifest()["sources"]["yahoo"]["status"] == "stale"


def test_every_source_failing_publishes_nothing(
    synthetic_dir: Path,
    registry: dict[str, object],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """When every requested source fails, refresh exits 3 and the current vintage stays."""
    assert cli.main(["build", "-q", "--data-dir", str(synthetic_dir)]) == 0
    before = Store(synthetic_dir / "store").current_id()
    monkeypatch.setitem(SOURCES, "yahoo", yahoo("timeout"))
    monkeypatch.setitem(SOURCES, "huggingface", hf("empty"))
    monkeypatch.setitem(SOURCES, "openrouter", openrouter("unauthorized"))
    assert cli.main(["refresh", "--data-dir", str(synthetic_dir)]) == 3
    assert "every requested source failed" in capsys.readouterr().err
    assert Store(synthetic_dir / "store").current_id() == before


def test_restated_vendor_figure_is_flagged(
    synthetic_dir: Path, registry: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A published figure that a new fetch changes is reported as restated."""
    pipeline.run(synthetic_dir, ["yahoo"], today=TODAY, progress=lambda _m: None)
    monkeypatch.setitem(
        __import__("tests.fixtures.yahoo.transport", fromlist=["x"]).SYNTHETIC_STATEMENTS,
        "FreeCashFlow",
        (-18_500e6, -21_000e6),
    )
    monkeypatch.setitem(SOURCES, "yahoo", yahoo())
    result = pipeline.run(synthetic_dir, ["yahoo"], today=TODAY, progress=lambda _m: None)
    assert any(
        "restated: alibaba vendor_free_cash_flow 2025-06-30 -18000 -> -18500" in w
        for w in result.warnings
    )


class BlackHole:
    """A local socket that accepts connections and never answers; counts what it accepted."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.port = int(self.server.getsockname()[1])
        self.held: list[socket.socket] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        self.server.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.server.accept()
                self.held.append(conn)
            except OSError:
                continue

    def hang_up(self) -> None:
        """Close every held connection, so a request blocked on one fails at once."""
        for c in self.held:
            c.close()

    def close(self) -> None:
        self.stop.set()
        self.hang_up()
        self.server.close()


@pytest.fixture
def black_hole() -> Iterator[BlackHole]:
    """A black-holed endpoint."""
    hole = BlackHole()
    yield hole
    hole.close()


class _Redirect(requests.Session):
    """Sends every request to the black hole instead of Yahoo, ignoring any timeout given."""

    def __init__(self, port: int) -> None:
        super().__init__()
        self.port = port

    def request(
        self, method: str | bytes, url: str | bytes, *args: object, **kwargs: object
    ) -> requests.Response:  # type: ignore[override]
        kwargs.pop("timeout", None)
        return super().request(
            method, f"http://127.0.0.1:{self.port}/", *args, timeout=120, **kwargs
        )  # type: ignore[arg-type]


def test_black_holed_endpoint_ends_within_the_bound(
    synthetic_dir: Path,
    black_hole: BlackHole,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A network that never answers: refresh gives up at its bound, keeps the vintage, and the
    abandoned work makes no further request once its blocked one ends."""
    assert cli.main(["build", "-q", "--data-dir", str(synthetic_dir)]) == 0
    before = Store(synthetic_dir / "store").current_id()
    monkeypatch.setitem(
        SOURCES, "yahoo", YahooSource(session_factory=lambda: _Redirect(black_hole.port))
    )
    code = cli.main(
        ["refresh", "--source", "yahoo", "--timeout", "3", "--data-dir", str(synthetic_dir)]
    )
    assert code == 3
    assert "no answer within 3 s (the refresh bound)" in capsys.readouterr().err
    assert Store(synthetic_dir / "store").current_id() == before
    accepted = len(black_hole.held)
    assert accepted == 1  # the one request that hung
    black_hole.hang_up()
    for worker in [t for t in threading.enumerate() if t.name.startswith("refresh")]:
        worker.join(timeout=60)
        assert not worker.is_alive()
    assert len(black_hole.held) == accepted  # past the deadline the guard refused to connect


def arena(
    scenario: str = "ok", sleeps: list[float] | None = None, calls: list[str] | None = None
) -> LmArenaSource:
    return LmArenaSource(
        transport=arena_transport(scenario, calls),
        retry=RetryPolicy(sleep=(sleeps.append if sleeps is not None else lambda _s: None)),
    )


def test_lmarena_reads_the_dataset_through_huggingface_hub(tmp_path: Path) -> None:
    """The parquet comes through hf_hub_download (HEAD, CDN redirect); best per lab and date."""
    calls: list[str] = []
    tables = fetch(arena(calls=calls), Context(tmp_path, TODAY))
    facts = tables["facts"].set_index(["entity", "metric", "period_end"])
    qwen = facts.loc[("qwen", "lmarena_text_score", "2026-09-08")]
    assert qwen["value"] == 1490.5 and qwen["subject"] == "qwen3.8-max"  # overall, not coding
    assert facts.loc[("qwen", "lmarena_text_rank", "2026-10-02"), "value"] == 2.0
    interval = [
        facts.loc[("qwen", f"lmarena_text_score_{b}", "2026-09-08"), "value"]
        for b in ("lower", "upper")
    ]
    assert interval == [1485.5, 1495.5]  # the same model's rating_lower and rating_upper
    assert ("zhipu", "lmarena_text_score", "2026-10-02") in facts.index  # 'zai' is Zhipu
    assert not any(e == "" for e in tables["facts"]["entity"])  # legacy rows without a lab
    assert any(c.startswith("HEAD ") and "resolve/main/text/full" in c for c in calls)
    assert any("cas-bridge" in c for c in calls)
    assert (tmp_path / "cache" / "huggingface" / "hub").is_dir()


@pytest.mark.parametrize(
    ("scenario", "reason"),
    [("not_found", "HTTP 404"), ("schema_changed", "columns missing")],
)
def test_lmarena_failures(tmp_path: Path, scenario: str, reason: str) -> None:
    """A missing file or a changed schema fails the source with a clear reason."""
    with pytest.raises(SourceError, match=reason):
        fetch(arena(scenario), Context(tmp_path, TODAY))


def test_lmarena_rate_limit_backs_off_once(tmp_path: Path) -> None:
    """A 429 on the download waits the reset once through our policy, then succeeds."""
    sleeps: list[float] = []
    tables = fetch(arena("rate_limit_once", sleeps), Context(tmp_path, TODAY))
    assert sleeps == [55.0] and len(tables["facts"]) > 0


def test_lmarena_xet_backed_file_still_goes_through_the_guard(tmp_path: Path) -> None:
    """A file the Hub stores in Xet (X-Xet-Hash and refresh route on the redirect) is still
    downloaded over the guarded HTTP client, not by hf_xet's own client, which would pass
    around the guard, the deadline and the proxy settings."""
    calls: list[str] = []
    inner = arena_handler("ok", calls)

    def xet(request: httpx2.Request) -> httpx2.Response:
        response = inner(request)
        if response.status_code == 302:
            response.headers["X-Xet-Hash"] = "0" * 64  # SYNTHETIC hash
            response.headers["X-Xet-Refresh-Route"] = (
                "https://huggingface.co/api/datasets/lmarena-ai/leaderboard-dataset/xet-read-token/main"
            )
        return response

    src = LmArenaSource(transport=lambda: httpx2.MockTransport(xet))
    tables = fetch(src, Context(tmp_path, TODAY))
    assert len(tables["facts"]) > 0
    assert any(c.startswith("GET ") and "cas-bridge" in c for c in calls)
    assert not any("xet-read-token" in c for c in calls)


def test_lmarena_history_accumulates(synthetic_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A refresh keeps earlier lmarena rows and adds the new ones (history across vintages)."""
    monkeypatch.setitem(SOURCES, "lmarena", arena())
    pipeline.run(synthetic_dir, ["lmarena"], today=TODAY, progress=lambda _m: None)
    old = Store(synthetic_dir / "store").read("facts")
    old_rows = old[old["owner"] == "lmarena"]
    assert set(old_rows["period_end"]) == {"2026-09-08", "2026-10-02"}
    monkeypatch.setitem(SOURCES, "lmarena", arena("not_found"))
    monkeypatch.setitem(SOURCES, "openrouter", openrouter())
    result = pipeline.run(
        synthetic_dir, ["lmarena", "openrouter"], today=TODAY, progress=lambda _m: None
    )
    assert result.sources["lmarena"]["status"] == "stale"
    kept = Store(synthetic_dir / "store").read("facts")
    assert len(kept[kept["owner"] == "lmarena"]) == len(old_rows)


def openrouter(
    scenario: str = "ok", sleeps: list[float] | None = None, key: str | None = "k"
) -> OpenRouterSource:
    return OpenRouterSource(
        transport=openrouter_transport(scenario),
        api_key=key,
        retry=RetryPolicy(sleep=(sleeps.append if sleeps is not None else lambda _s: None)),
    )


def test_openrouter_weekly_share_from_the_model_rows(tmp_path: Path) -> None:
    """Qwen's share is its models' tokens over the day's total (top 50 plus 'other'), by week."""
    tables = fetch(openrouter(), Context(tmp_path, TODAY))
    facts = tables["facts"]
    share = facts[facts["metric"] == "openrouter_qwen_token_share_pct"]
    assert (share["value"] == 25.0).all()  # (2,000 + 500) / 10,000 every day
    tokens = facts[facts["metric"] == "openrouter_weekly_tokens"]
    assert (tokens["value"] == 7 * 2_500).all()
    assert share["period_end"].min() == "2025-01-12"  # the first complete Monday-Sunday week
    assert "as of 2026-11-30T02:00:00.000Z" in tables["sources"]["note"].iloc[0]


def test_openrouter_without_a_key_reads_the_keyless_exports(
    synthetic_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No key: the refresh reads the dated exports and publishes; the history before the first
    export is a warning naming the key that would fetch it."""
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    monkeypatch.setitem(SOURCES, "openrouter", openrouter(key=None))
    result = pipeline.run(synthetic_dir, ["openrouter"], today=TODAY, progress=lambda _m: None)
    assert result.sources["openrouter"]["status"] == "ok"
    assert any(
        w.startswith("openrouter days 2025-01-01..2026-08-19: rows older than the first keyless")
        for w in result.warnings
    )
    weeks = Store(synthetic_dir / "store").read("facts").query("owner == 'openrouter'")
    assert weeks["period_end"].min() == "2026-08-30"
    # A source that does need configuration, asked for alone: a usage error (exit 2).
    monkeypatch.delenv("AIIMPACT_SEC_USER_AGENT", raising=False)
    monkeypatch.setitem(SOURCES, "edgar", EdgarSource(transport=edgar_transport()))
    with pytest.raises(pipeline.NothingConfiguredError, match="AIIMPACT_SEC_USER_AGENT"):
        pipeline.run(synthetic_dir, ["edgar"], today=TODAY, progress=lambda _m: None)


def test_openrouter_asks_only_for_days_it_lacks(
    synthetic_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second refresh starts after the last week on file; history accumulates."""
    calls: list[object] = []
    monkeypatch.setitem(
        SOURCES,
        "openrouter",
        OpenRouterSource(transport=openrouter_transport("ok", calls), api_key="k"),
    )
    pipeline.run(synthetic_dir, ["openrouter"], today=date(2026, 11, 16), progress=lambda _m: None)
    first = len(calls)
    pipeline.run(synthetic_dir, ["openrouter"], today=TODAY, progress=lambda _m: None)
    assert len(calls) == first + 1
    assert "start_date=2026-11-16" in str(calls[-1].url)  # type: ignore[attr-defined]
    assert "period=day" in str(calls[-1].url)  # type: ignore[attr-defined]
    facts = Store(synthetic_dir / "store").read("facts")
    weeks = facts[
        (facts["owner"] == "openrouter") & (facts["metric"] == "openrouter_weekly_tokens")
    ]
    assert weeks["period_end"].max() == "2026-11-22" and weeks["period_end"].min() == "2025-01-12"


@pytest.mark.parametrize(("scenario", "reason"), [("unauthorized", "HTTP 401")])
def test_openrouter_failures(tmp_path: Path, scenario: str, reason: str) -> None:
    """A refused key fails the source with the status."""
    with pytest.raises(SourceError, match=reason):
        fetch(openrouter(scenario), Context(tmp_path, TODAY))
