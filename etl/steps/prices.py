"""Daily closes of BABA, 9988.HK, their benchmarks and USD/CNY, from public price snapshots.

Load: data/snapshots/prices/*.csv (date, close, adj_close as the source gives them; the
.meta.json names repository, commit, upstream vendor, ticker and currency). Process: one row per
ticker and day, values verbatim. Save: market/prices_daily.csv. An online refresh (yahoo)
supersedes these series ticker by ticker.
"""

from __future__ import annotations

from pathlib import Path

from etl.steps.common import SNAPSHOTS, read_snapshot, to_csv

OUT = "market/prices_daily.csv"
HEADER = ("ticker", "date", "close", "adj_close", "currency", "source_id")


def run(data_dir: Path) -> dict[str, str]:
    """The curated daily closes, as CSV text."""
    rows = []
    for path in sorted((data_dir / SNAPSHOTS / "prices").glob("*.csv")):
        raw, meta = read_snapshot(data_dir, f"prices/{path.name}")
        for r in raw:
            rows.append(
                [
                    meta["ticker"],
                    r["date"],
                    r["close"],
                    r["adj_close"],
                    meta["currency"],
                    meta["source_id"],
                ]
            )
    rows.sort(key=lambda r: (r[0], r[1]))
    return {OUT: to_csv(HEADER, rows)}
