"""Qwen on Hugging Face and ModelScope, month by month, from a public monthly crawl.

Load: data/snapshots/huggingface/osir_lmts_qwen_hf_models.csv and
osir_lmts_qwen_modelscope_models.csv (per crawl, per model of the Qwen organisation; see their
.meta.json). Process: per crawl date, sum the per-model counters over the organisation (the
crawl keeps only models with more than 50 monthly downloads, so the sums leave out the least
used models). Save: adoption/hf_qwen_monthly.csv.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from etl.steps.common import FACT_HEADER, fact_row, read_snapshot, to_csv

OUT = "adoption/hf_qwen_monthly.csv"
SUMS = (
    (
        "huggingface/osir_lmts_qwen_hf_models.csv",
        "downloads_last_month",
        "hf_downloads_30d",
        "sum of the Hub's 'Downloads last month' (a rolling 30-day count) over the Qwen "
        "organisation's models in the crawl ({n} models with more than 50 monthly downloads)",
    ),
    (
        "huggingface/osir_lmts_qwen_hf_models.csv",
        "descendants",
        "hf_qwen_descendants",
        "sum of the model-tree counts of direct children over the Qwen organisation's models in "
        "the crawl ({n} models)",
    ),
    (
        "huggingface/osir_lmts_qwen_modelscope_models.csv",
        "total_downloads",
        "modelscope_downloads_all_time",
        "sum of ModelScope's all-time download counter over the Qwen organisation's models in "
        "the crawl ({n} models)",
    ),
)


def run(data_dir: Path) -> dict[str, str]:
    """The curated monthly rows, as CSV text."""
    rows = []
    for rel, field, metric, note in SUMS:
        raw, meta = read_snapshot(data_dir, rel)
        totals: dict[str, int] = defaultdict(int)
        counts: dict[str, int] = defaultdict(int)
        for r in raw:
            if r[field] != "":
                totals[r["crawl_date"]] += int(r[field])
                counts[r["crawl_date"]] += 1
        for day in sorted(totals):
            rows.append(
                fact_row(
                    entity="qwen",
                    metric=metric,
                    period_end=day,
                    value=str(totals[day]),
                    unit="count",
                    source_id=meta["source_id"],
                    note=note.format(n=counts[day]),
                )
            )
    return {OUT: to_csv(FACT_HEADER, rows)}
