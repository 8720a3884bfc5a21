"""Online adapters driven offline through their libraries' real code paths, and safe refresh."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import requests

from etl import __main__ as cli
from etl import pipeline
from etl.errors import SourceError
from etl.sources import SOURCES, Context, fetch
from etl.sources.huggingface import HuggingFaceSource
from etl.sources.yahoo import YahooSource
from etl.store import Store
from tests.fixtures.huggingface.transport import client_factory
from tests.fixtures.yahoo.transport import session

TODAY = date(2026, 11, 29)


def yahoo(scenario: str = "ok", sleeps: list[float] | None = None, **kw: object) -> YahooSource:
    s, _ = session(scenario)
    return YahooSource(
        session_factory=lambda: s,
        sleep=(sleeps.append if sleeps is not None else lambda _s: None),
        call_timeout=20,
        **kw,
    )  # type: ignore[arg-type]


def hf(scenario: str = "ok") -> HuggingFaceSource:
    return HuggingFaceSource(client_factory=client_factory(scenario), call_timeout=20)


def test_yahoo_success_through_yfinance(tmp_path: Path) -> None:
    """Prices, vendor statement figures in RMB millions, peers, and caches under the data dir."""
    tables = fetch(yahoo(peers=("MSFT",)), Context(tmp_path, TODAY))
    prices = tables["prices_daily"]
    assert set(prices["ticker"]) == {"BABA", "9988.HK", "KWEB", "^HSI", "CNY=X", "HKDCNY=X"}
    facts = tables["facts"].set_index(["entity", "metric", "period_end"])["value"]
    assert facts[("alibaba", "vendor_free_cash_flow", "2025-06-30")] == -18_000
    assert facts[("alibaba", "vendor_capex", "2025-06-30")] == 38_000
    assert facts[("msft", "peer_capex_usd", "2025-09-30")] == 31_000
    assert (tmp_path / "cache" / "yfinance").is_dir()


@pytest.mark.parametrize(
    ("scenario", "reason"),
    [
        ("empty", "history BABA"),
        ("timeout", "Timeout"),
        ("changed_label", "labels changed"),
        ("rate_limit", "rate limited"),
    ],
)
def test_yahoo_failures_become_source_errors(tmp_path: Path, scenario: str, reason: str) -> None:
    """Empty answers, timeouts, renamed keys and rate limits fail the source with a clear reason."""
    sleeps: list[float] = []
    with pytest.raises(SourceError, match=reason):
        fetch(yahoo(scenario, sleeps), Context(tmp_path, TODAY))
    if scenario == "rate_limit":
        assert sleeps == [5.0, 10.0]  # exponential backoff before giving up


def test_huggingface_success_through_huggingface_hub(tmp_path: Path) -> None:
    """Summed counters dated today, derivative counts and base-model release events."""
    calls: list[str] = []
    src = HuggingFaceSource(client_factory=client_factory("ok", calls))
    tables = fetch(src, Context(tmp_path, TODAY))
    facts = tables["facts"].set_index("metric")["value"]
    assert facts["hf_models"] == 3 and facts["hf_downloads_30d"] == 6200 and facts["hf_likes"] == 42
    assert facts["hf_derivatives"] == 2 * 6  # two tracked bases x (3 + 2 + 1 + 0)
    assert (tables["facts"]["period_end"] == "2026-11-29").all()
    assert sorted(tables["events"]["date"]) == ["2024-09-16", "2025-04-28"]
    assert any("filter=base_model%3Aquantized%3AQwen%2FQwen3-8B" in c for c in calls)


@pytest.mark.parametrize(
    ("scenario", "reason"),
    [
        ("empty", "listed no models"),
        ("timeout", "Timeout"),
        ("changed_label", "missing from every model"),
        ("rate_limit", "rate limited"),
    ],
)
def test_huggingface_failures(
    tmp_path: Path, scenario: str, reason: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Hub's failures become SourceError (rate limits after backoff)."""
    monkeypatch.setattr("etl.sources.online.time.sleep", lambda _s: None)
    with pytest.raises(SourceError, match=reason):
        fetch(hf(scenario), Context(tmp_path, TODAY))


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, object]]:
    """Swap the registered online sources for offline-driven ones."""
    monkeypatch.setitem(SOURCES, "yahoo", yahoo())
    monkeypatch.setitem(SOURCES, "huggingface", hf())
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


@pytest.fixture
def black_hole() -> Iterator[int]:
    """A local socket that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                held.append(conn)
            except OSError:
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    yield int(server.getsockname()[1])
    stop.set()
    for c in held:
        c.close()
    server.close()


class _Redirect(requests.Session):
    """Sends every request to the black hole instead of Yahoo."""

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
    black_hole: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A network that never answers: refresh stops within its bound, says why, keeps the vintage."""
    assert cli.main(["build", "-q", "--data-dir", str(synthetic_dir)]) == 0
    before = Store(synthetic_dir / "store").current_id()
    monkeypatch.setitem(
        SOURCES,
        "yahoo",
        YahooSource(session_factory=lambda: _Redirect(black_hole), call_timeout=60),
    )
    start = time.monotonic()
    code = cli.main(
        ["refresh", "--source", "yahoo", "--timeout", "3", "--data-dir", str(synthetic_dir)]
    )
    elapsed = time.monotonic() - start
    assert code == 3
    assert elapsed < 30
    assert "no answer within 3 s" in capsys.readouterr().err
    assert Store(synthetic_dir / "store").current_id() == before
