"""The KPI disclosure strip read from whole announcements, checked against the curated figures."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pandas as pd
import pytest

from etl import __main__ as cli
from etl import disclosures

DATA = Path(__file__).resolve().parents[2] / "data"


def _texts() -> dict[str, str]:
    path = DATA / "snapshots" / "releases" / "alibaba_results_texts.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return {r["fiscal_period"]: r["text"] for r in map(json.loads, fh)}


def _curated(rel: str, metric: str) -> dict[str, float]:
    with (DATA / rel).open(encoding="utf-8") as fh:
        return {
            r["fiscal_period"]: float(r["value"])
            for r in csv.DictReader(fh)
            if r["metric"] == metric and r["value"]
        }


@pytest.mark.parametrize(
    ("kpi", "rel", "metric", "least"),
    [
        ("cloud_revenue_growth", "statements/alibaba_quarterly.csv", "cloud_revenue_yoy_pct", 16),
        (
            "ai_revenue_streak",
            "statements/alibaba_quarterly.csv",
            "ai_revenue_triple_digit_streak",
            8,
        ),
        ("capex_stated", "financials/alibaba_quarterly.csv", "capex_stated", 17),
        ("ai_revenue", "statements/alibaba_quarterly.csv", "ai_revenue", 2),
    ],
)
def test_whole_announcements_give_the_curated_figures(
    kpi: str, rel: str, metric: str, least: int
) -> None:
    """On every bundled whole text, the number read equals the figure curated by hand."""
    curated = _curated(rel, metric)
    checked = 0
    for quarter, text in _texts().items():
        cell = next(c for c in disclosures.cells(text) if c["kpi"] == kpi)
        if quarter in curated:
            assert cell["status"] == "value", quarter
            assert cell["value"] == curated[quarter], quarter
            assert cell["wording"], quarter
            checked += 1
    assert checked >= least


def test_words_only_and_silence_are_told_apart() -> None:
    texts = _texts()
    first = {c["kpi"]: c for c in disclosures.cells(texts["FY2025Q1"])}
    assert first["ai_revenue_streak"]["status"] == "words"  # "continued to grow at triple-digits"
    assert "triple-digits" in str(first["ai_revenue_streak"]["wording"])
    assert first["tokens"]["status"] == "silent"
    assert first["tokens"]["wording"] == ""


def _strip() -> pd.DataFrame:
    return pd.read_csv(DATA / "disclosures" / "alibaba_kpis.csv", dtype=str, keep_default_na=False)


def test_fy2027q1_leaves_out_the_ai_share_it_gave_in_fy2026q4() -> None:
    """The March 2026 release states AI products at 30% of external cloud revenue; the June 2026
    release, the newest on file, does not: a silence an analyst should see."""
    cells = {c["kpi"]: c for c in disclosures.cells(_texts()["FY2026Q4"])}
    assert cells["ai_share_external_cloud"]["value"] == 30.0
    assert "ai_share_external_cloud" in disclosures.silenced(_strip(), "2026-06-30")


def test_a_kpi_left_out_is_flagged_from_its_first_silent_quarter() -> None:
    """The AI share of external cloud revenue, told in words in FY2026Q1-Q2, is silent after."""
    marked = disclosures.flags(_strip())
    share = marked[marked["kpi"] == "ai_share_external_cloud"].set_index("fiscal_period")
    assert share.loc["FY2026Q2", "status"] == "words"
    assert share.loc["FY2026Q3", "went_silent"]
    assert not share.loc["FY2025Q4", "went_silent"]  # never disclosed before: not a silence
    assert "ai_share_external_cloud" in disclosures.silenced(_strip(), "2025-12-31")


def test_a_recast_segment_is_marked_as_a_change_of_basis() -> None:
    marked = disclosures.flags(_strip())
    cloud = marked[marked["kpi"] == "cloud_revenue_growth"].set_index("fiscal_period")
    assert cloud.loc["FY2024Q1", "basis_changed"]  # Cloud segment -> Cloud Intelligence Group
    assert not cloud.loc["FY2024Q2", "basis_changed"]


def test_synthetic_silence_after_a_value() -> None:
    """SYNTHETIC strip: disclosed, then silent twice: both silent quarters are flagged."""
    strip = pd.DataFrame(
        {
            "kpi": ["tokens"] * 3,
            "period_end": ["2025-03-31", "2025-06-30", "2025-09-30"],
            "status": ["value", "silent", "silent"],
            "basis": ["", "", ""],
        }
    )
    assert list(disclosures.flags(strip)["went_silent"]) == [False, True, True]


def test_a_value_cell_without_a_number_is_an_error(
    synthetic_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (synthetic_dir / "disclosures").mkdir()
    (synthetic_dir / "disclosures" / "synthetic_kpis.csv").write_text(
        "entity,kpi,fiscal_period,period_end,status,value,unit,wording,basis,source_id,note\n"
        "alibaba,tokens,FY2026Q1,2025-06-30,value,,tokens_per_day,SYNTHETIC,,syn_release,\n"
        "alibaba,capex_stated,FY2026Q1,2025-06-30,silent,,RMB_mn,,,syn_release,\n",
        encoding="utf-8",
    )
    assert cli.main(["check", "--data-dir", str(synthetic_dir), "-q"]) == 1
    err = capsys.readouterr().err
    assert "synthetic_kpis.csv:2 field 'value': a number goes with status value" in err
    assert ":3 " not in err


def test_a_refresh_that_adds_a_quarter_names_the_kpis_it_left_out() -> None:
    """The strip before FY2027Q1 was filed, then with it: the refresh names what went silent."""
    from etl.pipeline import silences

    strip = _strip().assign(owner="curated")
    before = strip[strip["fiscal_period"] != "FY2027Q1"]
    [warning] = silences(strip, before)
    assert warning.startswith("FY2027Q1 release leaves out KPIs earlier releases gave: ")
    assert "ai_share_external_cloud" in warning and "model_studio" in warning
    assert silences(strip, strip) == []  # nothing added
    assert silences(strip, None) == []  # a first build reports no silences


def test_edgar_reads_the_strip_from_a_filed_announcement() -> None:
    """The online source reads a filed exhibit's cells like the bundled texts."""
    from etl.sources.edgar import _disclosures

    body = "<html><body><pre>" + _texts()["FY2027Q1"] + "</pre></body></html>"
    cells = {c["kpi"]: c for c in _disclosures({"body": body, "url": "https://x/"}, "edgar_1")}
    assert cells["ai_revenue"]["value"] == 12376.0
    assert cells["ai_revenue_streak"]["value"] == 12.0
    assert cells["ai_revenue"]["fiscal_period"] == "FY2027Q1"
    assert cells["ai_share_external_cloud"]["status"] == "silent"
