"""Wall time and peak memory of `etl build` (empty store) at 1x, 10x and 100x the rows, next to
a floor measured at the same size in the same run; and `etl export` at 1x.

The floor is a Python process that only imports the same libraries (pandas, pandera, duckdb) and
reads the same CSV files. 10x and 100x add SYNTHETIC rows to a temporary copy of data/ (never to
data/ itself): figure files `financials/synthetic_scale_NN.csv` (entities `synthetic_scale_<n>`),
daily prices `market/synthetic_prices_NN.csv` (tickers `SYNTHETIC<n>`) and one source row
`synthetic_scale_bench` appended to the copy's sources.csv, so figure rows and price rows are each
about 10x and 100x the bundled ones. Every synthetic row is valid, so the whole build runs.

Run: python benchmarks/etl_build.py [--sizes 1 10 100] [--runs 3] [--runs-100x 1]
Keep a 100x copy for profiling: python benchmarks/etl_build.py --make /tmp/scale100 --factor 100
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from etl import periods  # noqa: E402
from etl.sources.curated import FACT_DIRS, PRICE_DIRS  # noqa: E402

FLOOR = (
    "import glob, sys, pandas as pd, pandera.pandas, duckdb\n"
    "for f in glob.glob(sys.argv[1] + '/**/*.csv', recursive=True): pd.read_csv(f, dtype=str)\n"
)
SYNTHETIC_SOURCE = "synthetic_scale_bench"
#: Rows per synthetic file, well under config.MAX_CURATED_BYTES (16 MiB) each.
FACT_ROWS_PER_FILE = 30_000
PRICE_ROWS_PER_FILE = 60_000
#: Per synthetic entity: quarterly figures (with their fiscal labels) and dated ones, roughly the
#: bundled mix (mostly dated LM Arena rows, some quarterly figures). None of these metrics is in
#: a consistency rule, so the synthetic rows are valid input.
QUARTERLY = ("vendor_revenue", "vendor_capex")
POINT = (("lmarena_text_score", "score"), ("lmarena_text_votes", "count"), ("hf_likes", "count"))
QUARTERS = 40
DAYS = 640
START = date(1990, 1, 1)


def _data_rows(files: list[Path]) -> int:
    n = 0
    for f in files:
        with f.open(newline="", encoding="utf-8-sig") as fh:
            n += sum(1 for _ in csv.reader(fh)) - 1
    return n


def _quarter_ends() -> list[date]:
    ends, day = [], START
    while len(ends) < QUARTERS:
        if periods.is_quarter_end(day):
            ends.append(day)
        day += timedelta(days=1)
    return ends


def _synthetic_facts() -> Iterator[list[str]]:
    ends = _quarter_ends()
    days = [START + timedelta(days=i) for i in range(DAYS)]
    n = 0
    while True:
        entity = f"synthetic_scale_{n}"
        for metric in QUARTERLY:
            for i, end in enumerate(ends):
                value = str(1000 + (n * 7 + i * 13) % 9000)
                fiscal = periods.fiscal_label(end)
                yield [entity, metric, fiscal, end.isoformat(), value, "RMB_mn", SYNTHETIC_SOURCE]
        for metric, unit in POINT:
            for i, day in enumerate(days):
                value = f"{1000 + (n * 11 + i * 17) % 500}.{i % 10}"
                yield [entity, metric, "", day.isoformat(), value, unit, SYNTHETIC_SOURCE]
        n += 1


def _synthetic_prices() -> Iterator[list[str]]:
    n = 0
    while True:
        for i in range(DAYS * 10):
            day = (START + timedelta(days=i)).isoformat()
            close = f"{50 + (n * 3 + i) % 100}.{i % 100:02d}"
            yield [f"SYNTHETIC{n}", day, close, close, "USD", SYNTHETIC_SOURCE]
        n += 1


def _write_chunks(
    folder: Path, stem: str, header: list[str], rows: Iterator[list[str]], count: int, per: int
) -> None:
    written, part = 0, 0
    while written < count:
        take = min(per, count - written)
        with (folder / f"{stem}_{part:02d}.csv").open("w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh, lineterminator="\n")
            out.writerow(header)
            for _ in range(take):
                out.writerow(next(rows))
        written, part = written + take, part + 1


def synthesize(data: Path, factor: int) -> tuple[int, int]:
    """Add SYNTHETIC rows to a copy of data/ so figure and price rows are `factor` times as many.

    Returns the figure and price rows the copy then holds.
    """
    fact_files = [f for d in FACT_DIRS for f in sorted((data / d).glob("*.csv"))]
    price_files = [f for d in PRICE_DIRS for f in sorted((data / d).glob("*.csv"))]
    facts, prices = _data_rows(fact_files), _data_rows(price_files)
    if factor <= 1:
        return facts, prices
    with (data / "sources.csv").open(newline="", encoding="utf-8-sig") as fh:
        header = next(csv.reader(fh))
    row = {
        "source_id": SYNTHETIC_SOURCE,
        "title": "SYNTHETIC rows for the scaling benchmark (not data)",
        "publisher": "benchmarks/etl_build.py",
        "url": "https://example.com/synthetic-scale-benchmark",
        "published": "",
        "accessed": "2026-01-01",
        "kind": "secondary",
        "note": "SYNTHETIC: written into a temporary copy of data/ by the benchmark",
        "via": "",
    }
    with (data / "sources.csv").open("a", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerow([row.get(c, "") for c in header])
    fact_header = ["entity", "metric", "fiscal_period", "period_end", "value", "unit", "source_id"]
    extra_facts, extra_prices = facts * (factor - 1), prices * (factor - 1)
    _write_chunks(
        data / "financials",
        "synthetic_scale",
        fact_header,
        _synthetic_facts(),
        extra_facts,
        FACT_ROWS_PER_FILE,
    )
    price_header = ["ticker", "date", "close", "adj_close", "currency", "source_id"]
    _write_chunks(
        data / "market",
        "synthetic_prices",
        price_header,
        _synthetic_prices(),
        extra_prices,
        PRICE_ROWS_PER_FILE,
    )
    return facts + extra_facts, prices + extra_prices


def _copy(dest: Path, factor: int) -> tuple[int, int]:
    shutil.copytree(REPO / "data", dest, ignore=shutil.ignore_patterns("store", "cache"))
    return synthesize(dest, factor)


def _measure(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of exactly this child process (os.wait4)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{cmd} failed with {proc.returncode}:\n{err.decode()[-2000:]}")
    return wall, usage.ru_maxrss / 1024


def _fresh(data: Path) -> None:
    for sub in ("store", "cache"):
        shutil.rmtree(data / sub, ignore_errors=True)


def _pairs(
    data: Path, runs: int, cmds: Callable[[Path], list[list[str]]]
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Floor and the measured command, alternated `runs` times on a fresh store each time:
    (median wall, max peak RSS) of each."""
    py = sys.executable
    floor_w, floor_m, walls, peaks = [], [], [], []
    for _ in range(runs):
        w, m = _measure([py, "-c", FLOOR, str(data)])
        floor_w.append(w)
        floor_m.append(m)
        _fresh(data)
        *pre, last = cmds(data)
        for c in pre:
            subprocess.run(c, cwd=REPO, check=True, capture_output=True)
        w, m = _measure(last)
        walls.append(w)
        peaks.append(m)
    return (statistics.median(floor_w), max(floor_m)), (statistics.median(walls), max(peaks))


def _build(data: Path) -> list[list[str]]:
    return [[sys.executable, "-m", "etl", "build", "-q", "--data-dir", str(data)]]


def _export(data: Path) -> list[list[str]]:
    out = str(data / "out.csv")
    return [
        *_build(data),
        [sys.executable, "-m", "etl", "export", "-q", "--data-dir", str(data), "--out", out],
    ]


def _line(label: str, floor: tuple[float, float], got: tuple[float, float]) -> str:
    return (
        f"{label:<22} {got[0]:7.2f} s {got[1]:7.1f} MiB | floor {floor[0]:6.2f} s "
        f"{floor[1]:7.1f} MiB | {got[0] / floor[0]:5.2f}x time {got[1] / floor[1]:5.2f}x memory"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--runs", type=int, default=3, help="pairs per size below 100x")
    parser.add_argument("--runs-100x", type=int, default=1, help="pairs at 100x and above")
    parser.add_argument("--make", type=Path, help="only write a scaled copy of data/ here")
    parser.add_argument("--factor", type=int, default=100, help="scale of --make")
    args = parser.parse_args()
    if args.make:
        facts, prices = _copy(args.make, args.factor)
        print(f"{args.make}: {facts} figure rows, {prices} price rows ({args.factor}x)")
        return
    print(
        "medians of alternated floor/build pairs on an empty store; peak RSS is the measured "
        f"process's own. {args.runs} pairs below 100x, {args.runs_100x} at 100x."
    )
    for factor in args.sizes:
        runs = args.runs if factor < 100 else args.runs_100x
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "data"
            facts, prices = _copy(data, factor)
            floor, build = _pairs(data, runs, _build)
            label = f"build {factor}x ({(facts + prices) / 1000:.0f}k rows)"
            print(_line(label, floor, build), flush=True)
            if factor == 1:
                floor, export = _pairs(data, runs, _export)
                print(_line("export 1x (csv)", floor, export), flush=True)


if __name__ == "__main__":
    main()
