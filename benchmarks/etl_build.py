"""Wall time and peak memory of `etl build` (empty store) and `etl export`, next to a floor.

The floor is measured in the same run: a Python process that only imports the same libraries
(pandas, pandera, duckdb) and reads the curated CSV files. Run: python benchmarks/etl_build.py
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
FLOOR = (
    "import glob, pandas as pd, pandera.pandas, duckdb\n"
    "for f in glob.glob(sys.argv[1] + '/**/*.csv', recursive=True): pd.read_csv(f, dtype=str)\n"
)


def _measure(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of exactly this child process (os.wait4)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{cmd} failed with {proc.returncode}")
    return wall, usage.ru_maxrss / 1024


def _series(make_cmd: object, label: str) -> tuple[float, float]:
    walls, peaks = [], []
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "data"
            shutil.copytree(REPO / "data", data, ignore=shutil.ignore_patterns("store", "cache"))
            cmds = make_cmd(data)  # type: ignore[operator]
            for pre in cmds[:-1]:
                subprocess.run(pre, cwd=REPO, check=True, capture_output=True)
            wall, peak = _measure(cmds[-1])
        walls.append(wall)
        peaks.append(peak)
    med = statistics.median(walls)
    print(f"{label:<34} wall median {med:6.2f} s   peak RSS {max(peaks):7.1f} MiB")
    return statistics.median(walls), max(peaks)


def main() -> None:
    py = sys.executable
    print(f"{RUNS} runs each; peak RSS of the measured process itself")
    floor = _series(
        lambda d: [[py, "-c", "import sys\n" + FLOOR, str(d)]], "floor: import libs + read CSVs"
    )
    build = _series(
        lambda d: [[py, "-m", "etl", "build", "-q", "--data-dir", str(d)]],
        "etl build (empty store)",
    )
    export = _series(
        lambda d: [
            [py, "-m", "etl", "build", "-q", "--data-dir", str(d)],
            [py, "-m", "etl", "export", "-q", "--data-dir", str(d), "--out", str(d / "out.csv")],
        ],
        "etl export (csv)",
    )
    print(f"build / floor: {build[0] / floor[0]:.2f}x time, {build[1] / floor[1]:.2f}x memory")
    print(f"export / floor: {export[0] / floor[0]:.2f}x time, {export[1] / floor[1]:.2f}x memory")


if __name__ == "__main__":
    main()
