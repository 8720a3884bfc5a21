"""Timing of each script run for benchmarks/pages.py; does nothing unless $AIIMPACT_PROFILE is set.

With AIIMPACT_PROFILE=<file>, every script run appends one JSON line: the page and the run's
phases (seconds spent reading data, building views, serialising and sending figures, the rest).
The figure JSON sizes are measured by the benchmark itself, not here: serialising every figure
once more on each run would slow the very runs being timed.
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


def finish() -> None:
    """Write the run's record."""
    run = getattr(_local, "run", None) if PATH else None
    if run is None:
        return
    run["total"] = time.perf_counter() - run.pop("started")
    with open(PATH, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(run) + "\n")
    _local.run = None
