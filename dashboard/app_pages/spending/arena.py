"""Qwen against the frontier on LM Arena: pure reshaping of the lab-by-lab score history.

Each lab has one series (metric lmarena_text_score): its best model on each publish date, with
that model's rank, interval and votes where LM Arena's official rows give them. Older points come
from a history that leaves out a lab's row on dates when its best score did not change, so for
the best rival a lab's score on a date is its latest row on or before that date. Two labs whose
intervals overlap on a date are statistically tied.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from etl.models import LAB_NAMES

METRIC = "lmarena_text_score"
QWEN = "qwen"
#: The labs the frontier chart draws beside Qwen, in legend order.
RIVALS = ("google", "anthropic", "openai", "meta", "deepseek")
#: Figures of the same best model, by column of lab_history.
POINT_METRICS = {
    "lmarena_text_score": "score",
    "lmarena_text_score_lower": "lower",
    "lmarena_text_score_upper": "upper",
    "lmarena_text_rank": "rank",
    "lmarena_text_votes": "votes",
}
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
LAB_COLUMNS = ["date", "lab", "name", "score", "model", "lower", "upper", "rank", "votes", "tied"]


def lab_history(facts: pd.DataFrame) -> pd.DataFrame:
    """Every lab's best model per date: date, lab, score, model, lower, upper, rank, votes, source_id."""
    rows = facts[facts["metric"].isin(list(POINT_METRICS)) & facts["value"].notna()]
    if rows.empty:
        return pd.DataFrame(columns=["date", "lab", "model", "source_id", *POINT_METRICS.values()])
    wide = rows.pivot_table(
        index=["entity", "period_end"], columns="metric", values="value", aggfunc="first"
    ).rename(columns=POINT_METRICS)
    scores = rows[rows["metric"] == METRIC].set_index(["entity", "period_end"])
    wide = wide.reindex(columns=list(POINT_METRICS.values())).join(
        scores[["subject", "source_id"]], how="inner"
    )
    out = wide.reset_index()
    return pd.DataFrame(
        {
            "date": pd.to_datetime(out["period_end"]),
            "lab": out["entity"].astype(str),
            "score": out["score"].astype(float),
            "model": out["subject"].fillna("").astype(str),
            "source_id": out["source_id"].astype(str),
            **{c: out[c].astype(float) for c in ("lower", "upper", "rank", "votes")},
        }
    ).sort_values(["date", "lab"], ignore_index=True)


def _window(frame: pd.DataFrame, window: tuple[date | None, date | None]) -> pd.DataFrame:
    start, end = window
    if start:
        frame = frame[frame["date"] >= pd.Timestamp(start)]
    if end:
        frame = frame[frame["date"] <= pd.Timestamp(end) + pd.offsets.QuarterEnd(1)]
    return frame


def lab_lines(
    facts: pd.DataFrame, window: tuple[date | None, date | None] = (None, None)
) -> pd.DataFrame:
    """Qwen's and each named rival's points as published; `tied`: its interval overlaps Qwen's.

    `tied` is None for Qwen itself and where either interval is not on file.
    """
    hist = lab_history(facts)
    hist = hist[hist["lab"].isin([QWEN, *RIVALS])]
    qwen = hist[hist["lab"] == QWEN].set_index("date")[["lower", "upper"]].add_suffix("_qwen")
    both = hist.join(qwen, on="date")
    known = both[["lower", "upper", "lower_qwen", "upper_qwen"]].notna().all(axis=1)
    overlap = (both["lower"] <= both["upper_qwen"]) & (both["lower_qwen"] <= both["upper"])
    # True or False where both intervals are on file, else None: no interval, no verdict.
    tied = overlap.astype(object).where(known & (hist["lab"] != QWEN), None)
    out = hist.assign(name=hist["lab"].map(lambda lab: LAB_NAMES.get(lab, lab)), tied=tied)
    return _window(out, window).reset_index(drop=True)[LAB_COLUMNS]


def ties(lines: pd.DataFrame) -> tuple[pd.Timestamp | None, list[str]]:
    """The newest date with Qwen's interval, and the named rivals statistically tied with it then."""
    dated = lines[(lines["lab"] == QWEN) & lines["lower"].notna()]
    if dated.empty:
        return None, []
    day = dated["date"].max()
    tied = lines[(lines["date"] == day) & (lines["tied"] == True)]  # noqa: E712 (object column)
    return day, [str(n) for n in tied["name"]]


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

    def wide(col: str) -> pd.DataFrame:
        return hist.pivot_table(index="date", columns="lab", values=col, aggfunc="first").reindex(
            days
        )

    score, model, source = wide("score").ffill(), wide("model").ffill(), wide("source_id").ffill()
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
            "source_id": source[QWEN].to_numpy(),
        }
    )[keep.to_numpy()]
    out["rival_model"] = pd.Series(
        [model.at[d, lab] for d, lab in zip(out["date"], out["rival_lab"], strict=True)],
        index=out.index,
        dtype=object,
    )
    out["rival_lab"] = out["rival_lab"].map(lambda lab: LAB_NAMES.get(str(lab), str(lab)))
    out["gap"] = out["rival"] - out["qwen"]
    out["source"] = out["source_id"].map(lambda sid: (names or {}).get(str(sid), str(sid)))
    return _window(out, window).reset_index(drop=True)[FRONTIER_COLUMNS]
