"""Export and diff of vintages: tidy facts as CSV/Parquet, and figure-level differences."""

from __future__ import annotations

import pandas as pd

from etl.models import FACTS

#: Spreadsheet programs execute cells that start with these; exported text cells get a quote.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with a single quote.

    Numeric columns are left alone, so negative numbers stay numbers.
    """
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col]):
            continue
        text = out[col].astype("string")
        risky = text.str.startswith(FORMULA_PREFIXES).fillna(False)
        if risky.any():
            out[col] = out[col].astype("object")
            out.loc[risky, col] = "'" + text[risky]
    return out


def to_csv(frame: pd.DataFrame) -> str:
    """CSV text of a frame with formula-looking cells neutralised."""
    return neutralise_formulas(frame).to_csv(index=False, lineterminator="\n")


def diff_facts(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Figures added, removed or changed between two vintages' facts.

    Figures are compared within one owner (the facts key), so two sources holding the same
    figure side by side, even when they disagree, are no change. Returns columns change
    (added|removed|changed), entity, metric, period_end, owner, old_value, new_value, unit,
    source_id (of the newer figure where there is one).
    """
    key = list(FACTS.key)
    cols = [*key, "value", "unit", "source_id"]
    merged = old[cols].merge(
        new[cols], on=key, how="outer", suffixes=("_old", "_new"), indicator=True
    )
    change = pd.Series("changed", index=merged.index)
    change[merged["_merge"] == "left_only"] = "removed"
    change[merged["_merge"] == "right_only"] = "added"
    a, b = merged["value_old"].astype(float), merged["value_new"].astype(float)
    same = (a == b) | (a.isna() & b.isna())
    keep = (change != "changed") | ~same
    out = pd.DataFrame(
        {
            "change": change,
            "entity": merged["entity"],
            "metric": merged["metric"],
            "period_end": merged["period_end"],
            "owner": merged["owner"],
            "old_value": a,
            "new_value": b,
            "unit": merged["unit_new"].fillna(merged["unit_old"]),
            "source_id": merged["source_id_new"].fillna(merged["source_id_old"]),
        }
    )[keep]
    return out.sort_values(["change", *key]).reset_index(drop=True)
