"""Consistency rules: the figures one source gives for a quarter must agree with each other.

Vectorised over a facts frame, within one owner, entity and quarter (two sources are never
mixed; etl.pipeline.compare_owners sets them side by side instead):
- free cash flow = operating cash flow - capex_ppe - capex_intangibles + the deposits line
  (fcf_other_adjustments, signed as it enters free cash flow), exact to rounding;
- a stated US$ amount = the RMB amount / the release's convenience rate, within rounding;
- a segment's revenue is no larger than the group's (adjusted EBITA is not compared: a
  profitable segment out-earns a group whose other segments lose money);
- a stated YoY change = the change computed from the same release's columns, within rounding
  (yoy_violations: the year-ago column is the release's own, so it is passed in, not looked up).
Every figure is printed rounded to the unit, so "within rounding" is half a unit per term; US$
columns are also footed (one unit).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from etl.errors import Problem
from etl.validate import ORIGIN_RE

#: The figures whose US$ amounts a release states beside the RMB amount.
SEGMENT_REVENUE = ("cloud_revenue", "ai_cloud_revenue")
KEY = ["owner", "entity", "period_end"]
#: The columns of the frame yoy_violations checks: one row per stated change.
STATED = ("metric", "period_end", "value", "prior", "current", "source_id", "owner", "origin")
#: source_id and origin of each figure, indexed by (owner, entity, period_end, metric).
Where = pd.DataFrame


@dataclass(frozen=True)
class Violation:
    """A figure that disagrees with the figures it must agree with."""

    metric: str
    period_end: str
    source_id: str
    owner: str
    origin: str
    rule: str

    def __str__(self) -> str:
        return (
            f"inconsistent: {self.owner} {self.metric} {self.period_end} "
            f"(source {self.source_id}): {self.rule}"
        )


def problems(facts: pd.DataFrame, prefix: str) -> list[Problem]:
    """The violations of curated facts as validation problems at their file and line.

    Args:
        facts: curated facts, whose `origin` is "<file under the data directory>:<line>".
        prefix: the data directory's name, which starts every curated file name in messages.
    """
    out = []
    for v in violations(facts):
        m = ORIGIN_RE.match(v.origin)
        file = f"{prefix}/{m.group('file')}" if m else prefix
        out.append(Problem(file, int(m.group("line")) if m else None, "value", str(v)))
    return out


def violations(facts: pd.DataFrame) -> list[Violation]:
    """Every rule broken by the figures of `facts` (reported and stated figures only)."""
    # Only the columns the rules read are filtered: copying the notes and quotes of a large
    # table costs more than every rule together.
    used = [c for c in (*KEY, "metric", "value", "source_id", "origin") if c in facts]
    keep = facts["value"].notna() & (facts["basis"].astype(str) != "derived")
    known = facts.loc[keep.to_numpy(), used]
    if known.empty:
        return []
    owner = known["owner"] if "owner" in known else pd.Series("", index=known.index)
    known = known.assign(
        owner=owner.fillna("").astype(str), period_end=known["period_end"].astype(str)
    )
    wide = known.pivot_table(index=KEY, columns="metric", values="value", aggfunc="first")
    origin = known["origin"] if "origin" in known else pd.Series("", index=known.index)
    # Where each figure was read, looked up only for the figures that break a rule (the last row
    # of a key wins, as it did when this was a dict built row by row).
    where: Where = (
        known.assign(origin=origin.fillna("").astype(str), source_id=known["source_id"].astype(str))
        .drop_duplicates([*KEY, "metric"], keep="last")
        .set_index([*KEY, "metric"])
        .loc[:, ["source_id", "origin"]]
    )
    return _fcf(wide, where) + _usd(wide, where) + _segment(wide, where) + _yoy(known)


def _column(wide: pd.DataFrame, metric: str) -> pd.Series:
    return wide[metric] if metric in wide else pd.Series(np.nan, index=wide.index)


def _fcf(wide: pd.DataFrame, where: Where) -> list[Violation]:
    optional = ("capex_intangibles", "fcf_other_adjustments")
    computed = (
        _column(wide, "operating_cash_flow")
        - _column(wide, "capex_ppe")
        - _column(wide, "capex_intangibles").fillna(0)
        + _column(wide, "fcf_other_adjustments").fillna(0)
    )
    terms = 3 + sum(_column(wide, m).notna() for m in optional)
    diff = computed - _column(wide, "free_cash_flow")
    bad = diff.abs() > 0.5 * terms + 1e-9
    return [
        _violation(
            where,
            key,
            "free_cash_flow",
            f"free cash flow {_column(wide, 'free_cash_flow')[key]:,.0f} != operating cash flow - "
            f"capex lines + deposits line = {computed[key]:,.0f}",
        )
        for key in wide.index[bad]
    ]


def _usd(wide: pd.DataFrame, where: Where) -> list[Violation]:
    rate = _column(wide, "usd_rmb_rate")
    out = []
    for usd in [c for c in wide.columns if c.endswith("_usd") and c[:-4] in wide]:
        expected = wide[usd[:-4]] / rate
        # The RMB amount is rounded, and the US$ column is footed: a release moves a rounded
        # US$ amount by up to one unit so that its column adds up (FY2023Q1 intangible assets
        # RMB 22 / 6.6981 printed US$ 4; FY2024Q4 property and equipment 10,174 printed 1,410).
        bad = (expected - wide[usd]).abs() >= 1 + 0.5 / rate
        out += [
            _violation(
                where,
                key,
                usd,
                f"US$ {wide[usd][key]:,.0f} != RMB {wide[usd[:-4]][key]:,.0f} / "
                f"{rate[key]:g} = {expected[key]:,.1f}",
            )
            for key in wide.index[bad]
        ]
    return out


def _segment(wide: pd.DataFrame, where: Where) -> list[Violation]:
    group = _column(wide, "revenue")
    out = []
    for metric in SEGMENT_REVENUE:
        segment = _column(wide, metric)
        out += [
            _violation(
                where,
                key,
                metric,
                f"segment revenue {segment[key]:,.0f} > group revenue {group[key]:,.0f}",
            )
            for key in wide.index[segment > group]
        ]
    return out


def _yoy(known: pd.DataFrame) -> list[Violation]:
    """Stated changes whose year-ago column the same source row set holds (same source_id)."""
    stated = known[known["metric"].astype(str).str.endswith("_yoy_pct")]
    if stated.empty:
        return []
    ago = pd.to_datetime(stated["period_end"]) - pd.DateOffset(years=1)
    stated = stated.assign(
        base=stated["metric"].str.removesuffix("_yoy_pct"), year_ago=ago.dt.strftime("%Y-%m-%d")
    )
    values = known.loc[:, ["owner", "entity", "metric", "period_end", "source_id", "value"]]
    current = values.drop(columns="source_id").rename(
        columns={"metric": "base", "value": "current"}
    )
    prior = values.rename(columns={"metric": "base", "period_end": "year_ago", "value": "prior"})
    both = stated.merge(current, on=["owner", "entity", "base", "period_end"]).merge(
        prior, on=["owner", "entity", "base", "year_ago", "source_id"]
    )
    return yoy_violations(both)


def yoy_violations(stated: pd.DataFrame) -> list[Violation]:
    """Stated YoY changes that the release's own columns do not give.

    `stated` holds one row per stated change: metric (the *_yoy_pct id), period_end, value (the
    stated percent), prior and current (the release's year-ago and current columns), source_id,
    owner and origin. A stated change is rounded to a whole percent, and its inputs to the unit.
    """
    if stated.empty:
        return []
    prior, current = stated["prior"].astype(float), stated["current"].astype(float)
    computed = (current - prior) / prior.abs() * 100
    slack = 100 * 0.5 / prior.abs() * (1 + (current / prior).abs())
    bad = (prior != 0) & ((computed - stated["value"].astype(float)).abs() > 0.5 + slack + 1e-9)
    return [
        Violation(
            str(r.metric),
            str(r.period_end),
            str(r.source_id),
            str(r.owner),
            str(r.origin),
            f"stated change {r.value:g}% != {c:.1f}% from the release's columns "
            f"({r.prior:,.0f} -> {r.current:,.0f})",
        )
        for r, c in zip(stated[bad].itertuples(index=False), computed[bad], strict=True)
    ]


def _violation(where: Where, key: tuple[str, str, str], metric: str, rule: str) -> Violation:
    owner, entity, period_end = key
    # pandas-stubs type a MultiIndex row lookup by tuple too narrowly.
    source_id, origin = where.loc[(owner, entity, period_end, metric)]  # type: ignore[index]
    return Violation(metric, period_end, source_id, owner, origin, rule)
