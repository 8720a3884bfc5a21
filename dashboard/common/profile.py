"""Timing of each script run for benchmarks/pages.py; does nothing unless $AIIMPACT_PROFILE is set.

With AIIMPACT_PROFILE=<file>, every script run appends one JSON line: the page, the run's phases
(seconds spent reading data, building views, serialising and sending figures, the rest) and the
size of the figure JSON sent.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Iterator

PATH = os.environ.get("AIIMPACT_PROFILE", "")
_local = threading.local()


def start(page: str) -> None:
    """Begin a run's record."""
    if PATH:
        _local.run = {
            "page": page,
            "started": time.perf_counter(),
            "phases": {},
            "figure_bytes": 0,
            "charts": 0,
        }


@contextlib.contextmanager
def phase(name: str) -> Iterator[None]:
    """Add the time of the block to the run's phase `name`."""
    run = getattr(_local, "run", None) if PATH else None
    if run is None:
        yield
        return
    t0 = time.perf_counter()
    try:
        yield
    finally:
        run["phases"][name] = run["phases"].get(name, 0.0) + time.perf_counter() - t0


def figure(size: int) -> None:
    """Count one figure's JSON bytes."""
    run = getattr(_local, "run", None) if PATH else None
    if run is not None:
        run["figure_bytes"] += size
        run["charts"] += 1


def finish() -> None:
    """Write the run's record."""
    run = getattr(_local, "run", None) if PATH else None
    if run is None:
        return
    run["total"] = time.perf_counter() - run.pop("started")
    with open(PATH, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(run) + "\n")
    _local.run = None
