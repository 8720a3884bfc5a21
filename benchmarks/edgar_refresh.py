"""Wall time and peak memory of an edgar refresh over every quarter of exhibit fixtures.

Each measured process runs `python -m etl refresh --source edgar` through the real CLI with the
edgar source's transport replaced by the offline fixtures (tests/fixtures/edgar): once with an
empty download cache (every filing listing and exhibit fetched and parsed) and once warm (only
the submissions JSON fetched; exhibits read from the cache and parsed again). The floor, in the
same run, is an offline `python -m etl build` of the same data directory: the cost of reading
the curated files and publishing, without EDGAR. Run: python benchmarks/edgar_refresh.py
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RUNS = 3
#: Runs the CLI with the fixture transport (no network); argv[1] is the data directory.
REFRESH = """
import sys
from etl import __main__ as cli
from etl.sources import SOURCES
from etl.sources.edgar import EdgarSource
from tests.fixtures.edgar.transport import quarters, transport
SOURCES["edgar"] = EdgarSource(transport=transport("ok"), user_agent="Benchmark bench@example.com")
sys.exit(cli.main(["refresh", "-q", "--source", "edgar", "--data-dir", sys.argv[1]]))
"""


def _measure(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of exactly this child process (os.wait4)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{cmd[:3]} failed with {os.waitstatus_to_exitcode(status)}")
    return wall, usage.ru_maxrss / 1024


def _run(label: str, warm: bool, floor: bool = False) -> tuple[float, float]:
    walls, peaks = [], []
    py = sys.executable
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "data"
            shutil.copytree(REPO / "data", data, ignore=shutil.ignore_patterns("store", "cache"))
            subprocess.run(
                [py, "-m", "etl", "build", "-q", "--data-dir", str(data)],
                cwd=REPO,
                check=True,
                capture_output=True,
            )
            if warm:
                _measure([py, "-c", REFRESH, str(data)])
            if floor:
                (data / "adoption" / "openrouter_qwen.csv").write_text(
                    (data / "adoption" / "openrouter_qwen.csv").read_text() + "\n", encoding="utf-8"
                )  # new input bytes: the build really publishes again
                wall, peak = _measure([py, "-m", "etl", "build", "-q", "--data-dir", str(data)])
            else:
                wall, peak = _measure([py, "-c", REFRESH, str(data)])
        walls.append(wall)
        peaks.append(peak)
    med = statistics.median(walls)
    print(f"{label:<46} wall median {med:6.2f} s   peak RSS {max(peaks):7.1f} MiB")
    return med, max(peaks)


def main() -> None:
    sys.path.insert(0, str(REPO))
    from tests.fixtures.edgar.transport import quarters

    n = len(quarters())
    print(
        f"{RUNS} runs each; {n} quarters of exhibit fixtures (FY2023Q1-FY2027Q1; FY2027Q2 "
        "has no release yet); peak RSS of the measured process"
    )
    floor = _run("floor: offline build of the same data", warm=False, floor=True)
    cold = _run(f"edgar refresh, empty cache ({n} exhibits)", warm=False)
    warm = _run("edgar refresh, warm cache", warm=True)
    print(
        f"cold / floor: {cold[0] / floor[0]:.2f}x time, {cold[1] / floor[1]:.2f}x memory (cold includes 0.125 s between requests, SEC allowing 10/s)"
    )
    print(f"warm / floor: {warm[0] / floor[0]:.2f}x time, {warm[1] / floor[1]:.2f}x memory")


if __name__ == "__main__":
    main()
