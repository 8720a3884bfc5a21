"""One facts key (entity, metric, period_end, owner): figures are compared within one owner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from etl import pipeline
from etl.export import diff_facts
from etl.models import FACTS
from etl.sources import SOURCES, Context, Tables
from etl.sources.base import facts_frame
from etl.store import Store

#: SYNTHETIC: two owners disagree by one unit on the same figure (the issue's 243,380 vs 243,381).
SYNTHETIC_CURATED, SYNTHETIC_EDGAR = 243_380.0, 243_381.0


def _facts(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    """Facts rows (owner, period_end, value) of alibaba revenue, every column of the table."""
    frame = pd.DataFrame(
        [
            {c: "" for c in FACTS.columns}
            | {
                "entity": "alibaba",
                "metric": "revenue",
                "period_end": end,
                "value": value,
                "unit": "RMB_mn",
                "source_id": f"src_{owner}",
                "owner": owner,
            }
            for owner, end, value in rows
        ]
    )
    return frame.loc[:, list(FACTS.columns)]


TWO_OWNERS = [
    ("curated", "2026-09-30", SYNTHETIC_CURATED),
    ("edgar", "2026-09-30", SYNTHETIC_EDGAR),
]


def test_diff_compares_within_one_owner() -> None:
    """Two owners disagreeing in both vintages: no change; a change of one owner: one row."""
    same = _facts(TWO_OWNERS)
    assert diff_facts(same, same.iloc[::-1].reset_index(drop=True)).empty
    edited = _facts([TWO_OWNERS[0], ("edgar", "2026-09-30", SYNTHETIC_EDGAR + 10)])
    changes = diff_facts(same, edited)
    assert changes[["change", "owner", "old_value", "new_value"]].values.tolist() == [
        ["changed", "edgar", SYNTHETIC_EDGAR, SYNTHETIC_EDGAR + 10]
    ]


def test_a_second_owner_of_a_figure_is_added_not_changed() -> None:
    """edgar filing a figure the curated file holds is an addition, not a restatement."""
    changes = diff_facts(_facts(TWO_OWNERS[:1]), _facts(TWO_OWNERS))
    assert changes[["change", "owner", "new_value"]].values.tolist() == [
        ["added", "edgar", SYNTHETIC_EDGAR]
    ]


def test_restatements_compare_within_one_owner() -> None:
    """The refresh's restated warning fires only when an owner changes its own figure."""
    same = _facts(TWO_OWNERS)
    assert pipeline._restatements(same, same) == []
    assert pipeline._restatements(_facts(TWO_OWNERS), _facts(TWO_OWNERS[:1])) == []
    edited = _facts([("curated", "2026-09-30", SYNTHETIC_CURATED - 5), TWO_OWNERS[1]])
    assert pipeline._restatements(edited, same) == [
        "restated: alibaba revenue 2026-09-30 243380 -> 243375 (source src_curated, owner curated)"
    ]


@dataclass(frozen=True)
class SyntheticEdgar:
    """An online source named edgar serving SYNTHETIC figures (no I/O)."""

    ends: tuple[str, ...]
    name: str = "edgar"
    online: bool = True

    def extract(self, ctx: Context) -> list[str]:
        return list(self.ends)

    def transform(self, raw: list[str], ctx: Context) -> Tables:
        # The synthetic curated revenue of 2024-06-30 is 100; edgar disagrees by one.
        values = {"2024-06-30": 101.0, "2024-09-30": 110.0}
        facts = facts_frame(
            entity="alibaba",
            metric="revenue",
            period_end=raw,
            fiscal_period=["FY2025Q1", "FY2025Q2"][: len(raw)],
            value=[values[e] for e in raw],
            unit="RMB_mn",
            source_id="syn_edgar",
            source_url="https://www.sec.gov/",
            basis="reported",
            origin="edgar",
        )
        sources = pd.DataFrame(
            [
                {
                    "source_id": "syn_edgar",
                    "title": "SYNTHETIC filing",
                    "publisher": "test",
                    "url": "https://www.sec.gov/",
                    "published": "2026-11-01",
                    "accessed": "2026-11-29",
                    "kind": "primary",
                    "note": "synthetic",
                }
            ]
        )
        return {"facts": facts, "sources": sources}


@pytest.fixture
def two_vintages(
    synthetic_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[pipeline.BuildResult, pipeline.BuildResult]:
    """Vintage 1: edgar disagrees with the curated file on one figure; vintage 2: the same, and
    edgar adds a figure that agrees."""
    quiet = {"today": date(2026, 11, 29), "progress": lambda _m: None}
    monkeypatch.setitem(SOURCES, "edgar", SyntheticEdgar(("2024-06-30",)))
    first = pipeline.run(synthetic_dir, ["edgar"], **quiet)  # type: ignore[arg-type]
    monkeypatch.setitem(SOURCES, "edgar", SyntheticEdgar(("2024-06-30", "2024-09-30")))
    second = pipeline.run(synthetic_dir, ["edgar"], **quiet)  # type: ignore[arg-type]
    return first, second


def test_two_owners_across_two_vintages(
    synthetic_dir: Path, two_vintages: tuple[pipeline.BuildResult, pipeline.BuildResult]
) -> None:
    """edgar and the curated file disagree in both vintages: no restatement, diff adds one row."""
    first, second = two_vintages
    assert not [w for w in first.warnings if w.startswith("restated")]
    assert second.vintage != first.vintage
    assert not [w for w in second.warnings if w.startswith("restated")]
    store = Store(synthetic_dir / "store")
    changes = diff_facts(store.read("facts", first.vintage), store.read("facts", second.vintage))
    assert changes[["change", "owner", "period_end"]].values.tolist() == [
        ["added", "edgar", "2024-09-30"]
    ]


def test_the_newer_data_notice_compares_within_one_owner(
    synthetic_dir: Path,
    two_vintages: tuple[pipeline.BuildResult, pipeline.BuildResult],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A link pinned to the first vintage: the notice counts edgar's added figure, nothing else."""
    from tests.dashboard.helpers import run

    monkeypatch.setenv("AIIMPACT_DATA_DIR", str(synthetic_dir))
    at = run("overview", {"vintage": two_vintages[0].vintage})
    notices = [i.value for i in at.info if "Newer data exist" in i.value]
    assert len(notices) == 1 and "1 figure(s) in this view changed" in notices[0]
