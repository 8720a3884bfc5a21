"""Qwen against the frontier on LM Arena: pure reshaping of the lab-by-lab score history.

The flagship history (metric lmarena_text_score) has one row per lab per publish date, and it
leaves out a lab's row on dates when its best score did not change. So a lab's score on a
date is its latest row on or before that date; the frontier on a date is the best such score
among the other labs.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

METRIC = "lmarena_text_score"
QWEN = "qwen"
FRONTIER_COLUMNS = [
    "date",
    "qwen",
    "qwen_model",
    "rival",
    "rival_lab",
    "rival_model",
    "gap",
    "source",
    "source_id",
]
#: Display names of the labs (entity slugs of the arena rows).
LAB_NAMES = {
    "qwen": "Qwen (Alibaba)",
    "openai": "OpenAI",
    "anthropic": "Anthropic",
    "google": "Google",
    "xai": "xAI",
    "deepseek": "DeepSeek",
    "mistral": "Mistral",
    "moonshot": "Moonshot",
    "zhipu": "Zhipu (GLM)",
    "meta": "Meta",
}


def lab_history(facts: pd.DataFrame) -> pd.DataFrame:
    """The flagship score rows of every lab: date, lab, score, model, source_id."""
    rows = facts[(facts["metric"] == METRIC) & facts["value"].notna()]
    return pd.DataFrame(
        {
            "date": pd.to_datetime(rows["period_end"]),
            "lab": rows["entity"].astype(str),
            "score": rows["value"].astype(float),
            "model": rows["subject"].fillna("").astype(str),
            "source_id": rows["source_id"].astype(str),
        }
    ).sort_values(["date", "lab"])


def frontier(
    facts: pd.DataFrame,
    names: dict[str, str] | None = None,
    window: tuple[date | None, date | None] = (None, None),
) -> pd.DataFrame:
    """Per publish date: Qwen's best score and model, the best rival's score, lab and model."""
    hist = lab_history(facts)
    if hist.empty or QWEN not in set(hist["lab"]):
        return pd.DataFrame(columns=FRONTIER_COLUMNS)
    days = pd.DatetimeIndex(sorted(hist["date"].unique()))
    score = hist.pivot_table(index="date", columns="lab", values="score", aggfunc="max")
    model = hist.pivot_table(index="date", columns="lab", values="model", aggfunc="first")
    score, model = score.reindex(days).ffill(), model.reindex(days).ffill()
    rivals = score.drop(columns=[QWEN])
    best = rivals.idxmax(axis=1, skipna=True)
    keep = score[QWEN].notna() & rivals.notna().any(axis=1)
    out = pd.DataFrame(
        {
            "date": days,
            "qwen": score[QWEN].to_numpy(),
            "qwen_model": model[QWEN].to_numpy(),
            "rival": rivals.max(axis=1).to_numpy(),
            "rival_lab": best.to_numpy(),
        }
    )[keep.to_numpy()]
    out["rival_model"] = pd.Series(
        [model.at[d, lab] for d, lab in zip(out["date"], out["rival_lab"], strict=True)],
        index=out.index,
        dtype=object,
    )
    out["rival_lab"] = out["rival_lab"].map(lambda lab: LAB_NAMES.get(str(lab), str(lab)))
    out["gap"] = out["rival"] - out["qwen"]
    sid = str(hist["source_id"].iloc[0])
    out["source_id"] = sid
    out["source"] = (names or {}).get(sid, sid)
    start, end = window
    if start:
        out = out[out["date"] >= pd.Timestamp(start)]
    if end:
        out = out[out["date"] <= pd.Timestamp(end) + pd.offsets.QuarterEnd(1)]
    return out.reset_index(drop=True)[FRONTIER_COLUMNS]
