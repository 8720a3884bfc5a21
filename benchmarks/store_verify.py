"""What a vintage's self-check costs: hashing one vintage file, and a cold read with and without it.

Builds the bundled data once into a temporary directory, then, in this process, times (median of
RUNS): sha256 of the vintage file; Store.read("facts") with the check's memo emptied (a cold read,
as the first read of a process does); the same read with the memo warm (every later read). The
warm read is the floor: the same DuckDB work without hashing.
Run from the repository root: python -m benchmarks.store_verify (so this checkout's etl is imported)
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from etl import pipeline, store

REPO = Path(__file__).resolve().parent.parent
RUNS = 15


def _median(fn: Callable[[], object], before: Callable[[], None] = lambda: None) -> float:
    times = []
    for _ in range(RUNS):
        before()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(REPO / "data", data, ignore=shutil.ignore_patterns("store", "cache"))
        vid = pipeline.run(data, progress=lambda _m: None).vintage
        s = store.Store(data / "store")
        path = s.vintages_dir / f"{vid}.duckdb"
        size = path.stat().st_size / 2**20
        hashing = _median(lambda: store.file_sha256(path))
        cold = _median(lambda: s.read("facts", vid), store._VERDICTS.clear)  # noqa: SLF001
        warm = _median(lambda: s.read("facts", vid))
    print(f"vintage file {size:.1f} MiB; median of {RUNS} runs")  # noqa: T201
    print(f"sha256 of the file            {hashing:7.1f} ms")  # noqa: T201
    print(f"read facts, check cold        {cold:7.1f} ms")  # noqa: T201
    print(f"read facts, check memoised    {warm:7.1f} ms  (floor)")  # noqa: T201


if __name__ == "__main__":
    main()
