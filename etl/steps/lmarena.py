"""LM Arena text leaderboard history: best score per lab per date, and the best rank.

Load: two raw snapshots under data/snapshots/lmarena/ (see their .meta.json):
- mayerwin_ai_arena_history.csv: per official publish date, each lab's best "flagship" model
  (from the official lmarena-ai/leaderboard-dataset, text, overall); rows equal to the lab's
  previous row are left out by the source;
- fboulnois_llm_leaderboard.csv: every model of the tracked labs on each scraped version of the
  leaderboard (2024-06 to 2025-08), with the official rank.
Process: lab names to entity slugs; per (entity, date) the best score (first snapshot) or the
best score and best rank over all the lab's models (second). Save: adoption/lmarena_text.csv.
"""

from __future__ import annotations

from pathlib import Path

from etl.steps.common import FACT_HEADER, fact_row, read_snapshot, to_csv

OUT = "adoption/lmarena_text.csv"
#: Lab names as the snapshots spell them -> entity slugs (one entity per lab).
LABS = {
    "qwen": "qwen",
    "alibaba": "qwen",
    "openai": "openai",
    "anthropic": "anthropic",
    "google": "google",
    "xai": "xai",
    "mistral": "mistral",
    "moonshot": "moonshot",
    "moonshot (kimi)": "moonshot",
    "glm": "zhipu",
    "zhipu": "zhipu",
    "zhipu ai": "zhipu",
    "z.ai": "zhipu",
    "deepseek": "deepseek",
    "deepseek ai": "deepseek",
    "meta": "meta",
    "tencent": "tencent",
    "amazon": "amazon",
    "microsoft": "microsoft",
}


def _flagship(data_dir: Path) -> list[list[str]]:
    rows, meta = read_snapshot(data_dir, "lmarena/mayerwin_ai_arena_history.csv")
    out = []
    for r in rows:
        entity = LABS[r["organization"].lower()]
        out.append(
            fact_row(
                entity=entity,
                metric="lmarena_text_score",
                period_end=r["leaderboard_date"],
                value=r["rating"],
                unit="score",
                source_id=meta["source_id"],
                subject=r["model"],
                note="best-rated flagship model of the lab on the leaderboard published that day "
                "(text, overall); the snapshot leaves out dates on which it was unchanged",
            )
        )
    return out


def _scraped(data_dir: Path) -> list[list[str]]:
    rows, meta = read_snapshot(data_dir, "lmarena/fboulnois_llm_leaderboard.csv")
    best_score: dict[tuple[str, str], dict[str, str]] = {}
    best_rank: dict[tuple[str, str], dict[str, str]] = {}
    for r in rows:
        key = (LABS[r["organization"].lower()], r["leaderboard_date"])
        if key not in best_score or float(r["rating"]) > float(best_score[key]["rating"]):
            best_score[key] = r
        if r["rank"] and (key not in best_rank or int(r["rank"]) < int(best_rank[key]["rank"])):
            best_rank[key] = r
    out = [
        fact_row(
            entity=entity,
            metric="lmarena_text_score_all",
            period_end=day,
            value=r["rating"],
            unit="score",
            source_id=meta["source_id"],
            subject=r["model"],
            note="best score among all of the lab's models on the version scraped that day "
            f"(commit {r['source_commit'][:12]})",
        )
        for (entity, day), r in best_score.items()
    ]
    out += [
        fact_row(
            entity=entity,
            metric="lmarena_text_rank",
            period_end=day,
            value=r["rank"],
            unit="rank",
            source_id=meta["source_id"],
            subject=r["model"],
            note=f"best official rank of the lab's models ({r['rank_kind']}, "
            f"commit {r['source_commit'][:12]})",
        )
        for (entity, day), r in best_rank.items()
    ]
    return out


def run(data_dir: Path) -> dict[str, str]:
    """The curated LM Arena rows, as CSV text."""
    rows = _flagship(data_dir) + _scraped(data_dir)
    rows.sort(key=lambda r: (r[1], r[0], r[2]))
    return {OUT: to_csv(FACT_HEADER, rows)}
