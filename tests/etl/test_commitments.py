"""Commitments: closed words, revisions that name a statement, and errors with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl import __main__ as cli
from etl import pipeline

HEADER = (
    "id,date,entity,statement,amount,unit,period_start,period_end,scope,quote,status,"
    "supersedes,source_id,note\n"
)
GOOD = (
    "syn_plan,2025-02-24,alibaba,SYNTHETIC plan,100,RMB_mn,2025-04-01,2026-03-31,x,"
    "SYNTHETIC quote,announced,,syn_release,\n"
)


def _write(data: Path, body: str) -> None:
    (data / "commitments").mkdir(exist_ok=True)
    (data / "commitments" / "synthetic_commitments.csv").write_text(HEADER + body, "utf-8")


def test_a_commitment_reaches_the_vintage_with_its_source_url(synthetic_dir: Path) -> None:
    _write(synthetic_dir, GOOD)
    tables = pipeline.check(synthetic_dir)
    row = tables["commitments"].iloc[0]
    assert row["id"] == "syn_plan" and row["amount"] == 100.0
    assert row["source_url"].startswith("https://")


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "syn_b,2025-03-01,alibaba,SYNTHETIC,,RMB_mn,,,x,q,promised,,syn_release,\n",
            "synthetic_commitments.csv:3 field 'status': must be one of ['announced', 'reported'] (got promised)",
        ),
        (
            "syn_b,2025-03-01,alibaba,SYNTHETIC,,RMB_mn,,,x,q,announced,syn_nope,syn_release,\n",
            "synthetic_commitments.csv:3 field 'supersedes': must name the id of another statement in this file (got syn_nope)",
        ),
        (
            "syn_b,2025-03-01,alibaba,SYNTHETIC,5,,,,x,q,announced,,syn_release,\n",
            "synthetic_commitments.csv:3 field 'unit': an amount needs its unit",
        ),
        (
            "syn_b,2025-03-01,alibaba,SYNTHETIC,,RMB_mn,,,x,,announced,,syn_release,\n",
            "synthetic_commitments.csv:3 field 'quote': must quote the statement",
        ),
        (
            "syn_b,2025-03-01,alibaba,SYNTHETIC,,RMB_mn,2026-01-01,2025-01-01,x,q,reported,,syn_release,\n",
            "synthetic_commitments.csv:3 field 'period_end': ends before it starts",
        ),
        (
            "syn_plan,2025-03-01,alibaba,SYNTHETIC,,RMB_mn,,,x,q,reported,,syn_release,\n",
            "synthetic_commitments.csv:3 field 'id': duplicate key (id) also on line 2",
        ),
        (
            "syn_b,2025-03-01,alibaba,SYNTHETIC,,RMB_mn,,,x,q,reported,,syn_unknown,\n",
            "synthetic_commitments.csv:3 field 'source_id': unknown source (not in sources.csv)",
        ),
    ],
)
def test_bad_commitment_rows_are_named(
    synthetic_dir: Path, capsys: pytest.CaptureFixture[str], row: str, expected: str
) -> None:
    _write(synthetic_dir, GOOD + row)
    assert cli.main(["check", "--data-dir", str(synthetic_dir), "-q"]) == 1
    err = capsys.readouterr().err
    assert expected in err
    assert ":2 " not in err  # the good row is not blamed
