"""Shared guards for online adapters: wall-clock timeouts, rate-limit backoff, cache location."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from etl.errors import SourceError

T = TypeVar("T")


class RateLimitedError(Exception):
    """Raised by an adapter's call when the upstream answered 'too many requests'."""


def with_timeout(source: str, what: str, fn: Callable[[], T], seconds: float) -> T:
    """Run fn in a daemon thread and give up after `seconds` of wall-clock time.

    Libraries can stall for minutes on a network that never answers (yfinance was seen at
    130-150 s); a daemon thread that is abandoned cannot keep the process alive.
    """
    out: queue.Queue[tuple[bool, object]] = queue.Queue(maxsize=1)

    def run() -> None:
        try:
            out.put((True, fn()))
        except BaseException as exc:  # handed to the caller below
            out.put((False, exc))

    threading.Thread(target=run, name=f"{source}-{what}", daemon=True).start()
    try:
        ok, value = out.get(timeout=seconds)
    except queue.Empty:
        raise SourceError(source, f"{what}: no answer within {seconds:.0f} s") from None
    if ok:
        return value  # type: ignore[return-value]
    raise value  # type: ignore[misc]


def with_backoff(
    source: str,
    what: str,
    fn: Callable[[], T],
    *,
    retries: int = 2,
    base_delay: float = 5.0,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call fn, retrying after RateLimitedError with exponential backoff (5 s, 10 s, ...)."""
    for attempt in range(retries + 1):
        try:
            return fn()
        except RateLimitedError:
            if attempt == retries:
                raise SourceError(
                    source, f"{what}: rate limited, gave up after {retries + 1} tries"
                ) from None
            sleep(base_delay * 2**attempt)
    raise AssertionError("unreachable")
