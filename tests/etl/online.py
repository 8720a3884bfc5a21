"""Online sources driven offline: each adapter built on its recorded transport (test helpers)."""

from __future__ import annotations

from datetime import date

from etl.sources.huggingface import HuggingFaceSource
from etl.sources.lmarena import LmArenaSource
from etl.sources.online import RetryPolicy
from etl.sources.openrouter import OpenRouterSource
from etl.sources.yahoo import YahooSource
from tests.fixtures.huggingface.transport import transport
from tests.fixtures.lmarena.transport import transport as arena_transport
from tests.fixtures.openrouter.transport import transport as openrouter_transport
from tests.fixtures.yahoo.transport import session

TODAY = date(2026, 11, 29)


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


def arena(
    scenario: str = "ok", sleeps: list[float] | None = None, calls: list[str] | None = None
) -> LmArenaSource:
    return LmArenaSource(
        transport=arena_transport(scenario, calls),
        retry=RetryPolicy(sleep=(sleeps.append if sleeps is not None else lambda _s: None)),
    )


def openrouter(
    scenario: str = "ok", sleeps: list[float] | None = None, key: str | None = "k"
) -> OpenRouterSource:
    return OpenRouterSource(
        transport=openrouter_transport(scenario),
        api_key=key,
        retry=RetryPolicy(sleep=(sleeps.append if sleeps is not None else lambda _s: None)),
    )
