"""LM Arena text leaderboard history: one series per lab, each lab's best model per publish date.

Load: two raw snapshots under data/snapshots/lmarena/ (see their .meta.json):
- arielshakaramiro_lmarena_text.csv: LM Arena's official rows (text, overall), 165 publish dates
  2025-01-05..2026-10-02, each organisation's best row per date, with rank, interval and votes;
- mayerwin_ai_arena_history.csv: earlier publish dates (2023-12..2024-12), each lab's best
  "flagship" model as mayerwin selects it, without rank, interval or votes.
Process: organisations to labs (etl.models.LABS); on the official dates the lab's best model by
the same mapping as the lmarena refresh (best_per_lab), with its rank, interval and votes; before
them the flagship score, its note saying what is missing. Save: adoption/lmarena_text.csv.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from etl.models import lab_entity
from etl.sources.lmarena import POINT_METRICS, best_per_lab
from etl.steps.common import FACT_HEADER, fact_row, read_snapshot, to_csv

OUT = "adoption/lmarena_text.csv"
OFFICIAL = "lmarena/arielshakaramiro_lmarena_text.csv"
FLAGSHIP = "lmarena/mayerwin_ai_arena_history.csv"
#: LM Arena changed how it computes ratings on this day; earlier scores are not comparable.
METHOD_BREAK = "2024-01-09"


def official_frame(rows: list[dict[str, str]]) -> pd.DataFrame:
    """The copied rows in the official dataset's column names and types."""
    frame = pd.DataFrame(rows)
    return pd.DataFrame(
        {
            "model_name": frame["model"],
            "organization": frame["organization"],
            "rating": frame["rating"].astype(float),
            "rating_lower": frame["rating_lower"].astype(float),
            "rating_upper": frame["rating_upper"].astype(float),
            "vote_count": frame["votes"].astype(float),
            "rank": frame["rank"].astype(float),
            "category": "overall",
            "leaderboard_publish_date": frame["date"],
        }
    )


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _official(data_dir: Path) -> tuple[list[list[str]], str]:
    rows, meta = read_snapshot(data_dir, OFFICIAL)
    best = best_per_lab(official_frame(rows))
    note = (
        "best-rated of all the lab's models on the leaderboard published that day (text, overall; "
        "LM Arena's official rows, copied with the top 150 of each date); rank, interval and "
        "votes are that model's"
    )
    out = [
        fact_row(
            entity=str(r["entity"]),
            metric=metric,
            period_end=str(r["leaderboard_publish_date"]),
            value=_num(float(r[column])),
            unit=unit,
            source_id=meta["source_id"],
            subject=str(r["model_name"]),
            note=note,
        )
        for r in best.to_dict("records")
        for metric, column, unit in POINT_METRICS
    ]
    return out, str(best["leaderboard_publish_date"].min())


def _flagship(data_dir: Path, before: str) -> list[list[str]]:
    rows, meta = read_snapshot(data_dir, FLAGSHIP)
    out = []
    for r in rows:
        day = r["leaderboard_date"]
        if day >= before:
            continue
        note = (
            "best-rated 'flagship' model of the lab on the leaderboard published that day (text, "
            "overall) as mayerwin's name filter selects it, so a better non-flagship model may be "
            "missed; no rank, interval or votes in this source; dates on which the lab's row was "
            "unchanged are left out by the source"
        )
        if day < METHOD_BREAK:
            note += f"; before LM Arena's rating-method change of {METHOD_BREAK}: not comparable"
        out.append(
            fact_row(
                entity=lab_entity(r["organization"]),
                metric="lmarena_text_score",
                period_end=day,
                value=r["rating"],
                unit="score",
                source_id=meta["source_id"],
                subject=r["model"],
                note=note,
            )
        )
    return out


def run(data_dir: Path) -> dict[str, str]:
    """The curated LM Arena rows, as CSV text."""
    official, first = _official(data_dir)
    rows = _flagship(data_dir, first) + official
    rows.sort(key=lambda r: (r[1], r[0], r[2]))
    return {OUT: to_csv(FACT_HEADER, rows)}
