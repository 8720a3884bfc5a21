"""Consistency rules over a facts frame (etl/consistency.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from etl import consistency, pipeline

REPO = Path(__file__).resolve().parents[2]
END = "2022-06-30"


def facts(*rows: tuple[str, float], owner: str = "edgar", basis: str = "reported") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "entity": "alibaba",
            "metric": [m for m, _ in rows],
            "period_end": END,
            "value": [v for _, v in rows],
            "source_id": f"{owner}_release",
            "basis": basis,
            "origin": "",
            "owner": owner,
        }
    )


#: FY2023Q1 as the release prints it (whole document, data/snapshots/releases/).
FY2023Q1 = (
    ("operating_cash_flow", 33_869),
    ("capex_ppe", 11_110),
    ("capex_intangibles", 22),
    ("capex_intangibles_usd", 4),  # RMB 22 / 6.6981 = 3.3, printed 4: the US$ column is footed
    ("fcf_other_adjustments", -564),
    ("free_cash_flow", 22_173),
    ("free_cash_flow_usd", 3_310),
    ("usd_rmb_rate", 6.6981),
    ("revenue", 205_555),
    ("cloud_revenue", 17_685),
)


def test_a_real_release_passes_every_rule() -> None:
    """FY2023Q1's printed figures, footed US$ column included, break no rule."""
    assert consistency.violations(facts(*FY2023Q1)) == []


@pytest.mark.parametrize(
    ("metric", "value", "rule"),
    [
        ("free_cash_flow", 22_176, "free cash flow 22,176 != operating cash flow"),
        ("free_cash_flow_usd", 3_312, "US$ 3,312 != RMB 22,173 / 6.6981 = 3,310.3"),
        ("capex_intangibles_usd", 5, "US$ 5 != RMB 22 / 6.6981 = 3.3"),
        ("cloud_revenue", 205_556, "segment revenue 205,556 > group revenue 205,555"),
    ],
)
def test_each_rule_names_figure_period_and_source(metric: str, value: float, rule: str) -> None:
    """One figure off by more than rounding breaks its rule, and the violation names it."""
    rows = [(m, value if m == metric else v) for m, v in FY2023Q1]
    found = consistency.violations(facts(*rows))
    assert [(v.metric, v.period_end, v.source_id) for v in found] == [
        (metric, END, "edgar_release")
    ]
    assert rule in found[0].rule


def test_free_cash_flow_within_rounding_passes() -> None:
    """Five rounded terms may differ by two units from the rounded free cash flow."""
    rows = [(m, 22_175 if m == "free_cash_flow" else v) for m, v in FY2023Q1]
    assert consistency.violations(facts(*rows)) == []


def test_owners_and_derived_figures_are_not_mixed() -> None:
    """One source's operating cash flow is never reconciled with another's free cash flow, and
    derived rows (sums the ETL made) are not checked as if stated."""
    both = pd.concat(
        [
            facts(("operating_cash_flow", 100), ("capex_ppe", 30), owner="curated"),
            facts(("free_cash_flow", 10), owner="edgar"),
            facts(("revenue", 1), ("cloud_revenue", 2), basis="derived"),
        ]
    )
    assert consistency.violations(both) == []


def test_stated_change_against_the_release_columns() -> None:
    """A stated YoY is computed from the release's own year-ago column, within rounding."""
    stated = pd.DataFrame(
        {
            "metric": ["revenue_yoy_pct", "cloud_adjusted_ebita_yoy_pct", "adjusted_ebita_yoy_pct"],
            "period_end": END,
            "value": [0.0, 106.0, -17.0],  # (0)%, 106% as printed; -17 where -18 was printed
            "prior": [205_740.0, 188.0, 41_731.0],
            "current": [205_555.0, 387.0, 34_419.0],
            "source_id": "edgar_release",
            "owner": "edgar",
            "origin": "",
        }
    )
    found = consistency.yoy_violations(stated)
    assert [v.metric for v in found] == ["adjusted_ebita_yoy_pct"]
    assert "stated change -17% != -17.5%" in found[0].rule


def test_the_curated_files_pass() -> None:
    """Every curated figure agrees with the figures of its release (check would exit 1)."""
    assert consistency.violations(pipeline.check(REPO / "data")["facts"]) == []
