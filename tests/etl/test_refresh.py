"""Safe refresh: a source that fails keeps its last good data; a dead endpoint ends in the bound."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import requests

from etl import __main__ as cli
from etl import pipeline
from etl.sources import SOURCES
from etl.sources.edgar import EdgarSource
from etl.sources.sec_xbrl import SecXbrlSource
from etl.sources.yahoo import YahooSource
from etl.store import Store
from tests.etl.online import TODAY, arena, hf, openrouter, yahoo
from tests.fixtures.edgar.transport import transport as edgar_transport
from tests.fixtures.sec_xbrl.transport import transport as sec_transport

pytestmark = pytest.mark.usefixtures("fresh_yfinance")


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
