"""Large SYNTHETIC files: the vectorised checks still name exactly the bad rows (file, line, field).

The rows are SYNTHETIC (entity `synthetic_large`, tickers `SYNTHETICLARGE`), numbers not real.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from etl import __main__ as cli
from etl import validate

ROWS = 20_000
FACTS = "financials/synthetic_large.csv"
FACTS_B = "financials/synthetic_large_b.csv"
PRICES = "market/synthetic_large_prices.csv"
START = date(2000, 1, 1)


def _day(i: int) -> str:
    return (START + timedelta(days=i)).isoformat()


def _fact(i: int) -> list[str]:
    """Row i (file line i + 2): a valid dated figure."""
    return ["synthetic_large", "lmarena_text_score", "", _day(i), f"{1000 + i % 400}.5", "score"]


def _write(path: Path, header: str, rows: list[list[str]]) -> None:
    path.parent.mkdir(exist_ok=True)
    body = "".join(",".join(r) + "\n" for r in rows)
    path.write_text(header + body, encoding="utf-8")


@pytest.fixture
def large_dir(synthetic_dir: Path) -> Path:
    facts = [[*_fact(i), "syn_release"] for i in range(ROWS)]
    facts[10 - 2][4] = "12x"
    facts[5000 - 2][5] = "count"
    facts[12345 - 2][3] = "2001-02-30"
    facts[17000 - 2][2] = "FY2001Q1"
    facts[19999 - 2] = [*_fact(0), "syn_release"]
    facts[ROWS + 1 - 2][4] = "1e999"
    header = "entity,metric,fiscal_period,period_end,value,unit,source_id\n"
    _write(synthetic_dir / FACTS, header, facts)
    _write(synthetic_dir / FACTS_B, header, [[*_fact(1), "syn_release"]])
    prices = [
        ["SYNTHETICLARGE", _day(i), f"{50 + i % 90}.25", f"{50 + i % 90}.25", "USD", "syn_news"]
        for i in range(ROWS)
    ]
    prices[7 - 2][2:4] = ["", ""]
    prices[15000 - 2][4] = "EUR"
    _write(synthetic_dir / PRICES, "ticker,date,close,adj_close,currency,source_id\n", prices)
    return synthetic_dir


def test_large_files_report_exactly_their_bad_rows(
    large_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["check", "--data-dir", str(large_dir), "-q"]) == 1
    err = capsys.readouterr().err.splitlines()
    found = sorted(line for line in err if "synthetic_large" in line)
    fin, fin_b, px = f"data/{FACTS}", f"data/{FACTS_B}", f"data/{PRICES}"
    currencies = "['CNY', 'HKD', 'RMB_per_HKD', 'RMB_per_USD', 'USD']"
    assert found == sorted(
        [
            f"{fin}:10 field 'value': must be a number (got 12x)",
            f"{fin}:5000 field 'unit': must be score for metric lmarena_text_score (got count)",
            f"{fin}:12345 field 'period_end': must be a date YYYY-MM-DD (got 2001-02-30)",
            f"{fin}:17000 field 'fiscal_period': must be blank for a dated figure (got FY2001Q1)",
            f"{fin}:19999 field 'metric': duplicate key (entity, metric, period_end) also on "
            "line 2 (got synthetic_large/lmarena_text_score/2000-01-01)",
            f"{fin}:{ROWS + 1} field 'value': number too large (overflows a 64-bit float) "
            "(got 1e999)",
            f"{fin_b}:2 field 'metric': duplicate key (entity, metric, period_end) also at "
            f"{fin}:3 (got synthetic_large/lmarena_text_score/2000-01-02)",
            f"{px}:7 field 'close': needs close or adj_close (got '')",
            f"{px}:15000 field 'currency': must be one of {currencies} (got EUR)",
        ]
    )


def test_row_rules_of_commitments_and_disclosures_in_row_order() -> None:
    """Every per-row rule, one problem per row and rule, row by row (SYNTHETIC rows)."""
    head = (
        "id,date,entity,statement,amount,unit,period_start,period_end,scope,quote,status,"
        "supersedes,source_id,note\n"
    )
    rows = (
        "syn_a,2025-02-24,alibaba,SYNTHETIC,100,,2026-04-01,2026-03-31,x,q,announced,syn_a,s,\n"
        "syn_b,2025-02-24,alibaba,SYNTHETIC,,,,,x,q,announced,syn_none,s,\n"
        "syn_c,2025-02-24,alibaba,SYNTHETIC,1,RMB_mn,2025-04-01,2026-03-31,x,q,announced,syn_a,s,\n"
    )
    frame, found = validate.parse_csv(
        "c.csv", (head + rows).encode(), validate.FILE_MODELS["commitments"]
    )
    assert found == []
    assert [str(p) for p in validate.check_commitments("c.csv", frame)] == [
        "c.csv:2 field 'unit': an amount needs its unit (got '')",
        "c.csv:2 field 'supersedes': cannot revise itself (got syn_a)",
        "c.csv:2 field 'period_end': ends before it starts (got 2026-03-31)",
        "c.csv:3 field 'supersedes': must name the id of another statement in this file "
        "(got syn_none)",
    ]
    head = "entity,kpi,fiscal_period,period_end,status,value,unit,wording,basis,source_id,note\n"
    rows = (
        "alibaba,tokens,FY2026Q1,2025-06-30,value,,tokens_per_day,,,s,\n"
        "alibaba,tokens,FY2026Q2,2025-09-30,silent,,tokens_per_day,,,s,\n"
        "alibaba,tokens,FY2026Q3,2025-12-31,words,5,tokens_per_day,SYNTHETIC,,s,\n"
    )
    frame, found = validate.parse_csv(
        "d.csv", (head + rows).encode(), validate.FILE_MODELS["disclosures"]
    )
    assert found == []
    assert [str(p) for p in validate.check_disclosures("d.csv", frame)] == [
        "d.csv:2 field 'value': a number goes with status value, and only with it (got '')",
        "d.csv:2 field 'wording': must quote the sentence (got '')",
        "d.csv:4 field 'value': a number goes with status value, and only with it (got 5)",
    ]
