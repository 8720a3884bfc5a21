"""Peers: the offline capex rows, and the sec_xbrl source offline (`pytest -k sec_xbrl`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import httpx2
import pandas as pd
import pytest

from etl import __main__ as cli
from etl import pipeline
from etl.errors import SourceError
from etl.sources import SOURCES, Context, fetch
from etl.sources.online import RetryPolicy
from etl.sources.sec_xbrl import SecXbrlSource
from etl.store import Store
from etl.validate import fact_rules
from tests.fixtures.sec_xbrl.transport import transport

REPO = Path(__file__).resolve().parents[2]
TODAY = date(2026, 12, 2)
AGENT = "Test Runner test@example.com"


def sec(
    scenario: str = "ok",
    *,
    calls: list[httpx2.Request] | None = None,
    sleeps: list[float] | None = None,
    alibaba_fy: tuple[float, float] = (0.0, 0.0),
    agent: str | None = AGENT,
) -> SecXbrlSource:
    return SecXbrlSource(
        transport=transport(scenario, calls, alibaba_fy),
        user_agent=agent,
        interval=0,
        retry=RetryPolicy(sleep=(sleeps.append if sleeps is not None else lambda _s: None)),
    )


def _run(tmp_path: Path, scenario: str = "ok") -> tuple[pd.DataFrame, Context]:
    ctx = Context(tmp_path, TODAY)
    return fetch(sec(scenario), ctx)["facts"], ctx


def _cell(facts: pd.DataFrame, entity: str, metric: str, end: str) -> dict[str, object]:
    rows = facts[(facts["entity"] == entity) & (facts["metric"] == metric)]
    found = rows[rows["period_end"] == end].to_dict("records")
    assert len(found) == 1, (entity, metric, end)
    return found[0]


# Offline rows (data/financials/peers_quarterly.csv, made by etl/steps/peers.py).


def test_offline_peer_capex_covers_2023q1_to_2026q2_in_usd_with_sources() -> None:
    """Each US peer has capex in USD_mn for every calendar quarter 2023Q1-2026Q2, sourced."""
    facts = pipeline.check(REPO / "data")["facts"]
    ends = [f"{y}-{md}" for y in range(2023, 2027) for md in ("03-31", "06-30", "09-30", "12-31")]
    for entity in ("microsoft", "alphabet", "amazon", "meta"):
        capex = facts[(facts["entity"] == entity) & (facts["metric"] == "capex")]
        on_file = capex.set_index("period_end")
        for end in ends[:-2]:
            row = on_file.loc[end]
            assert row["value"] > 0 and row["unit"] == "USD_mn", (entity, end)
            assert row["source_id"] == "snap_peers_ai_trends_capex"
            assert row["subject"].startswith("us-gaap:PaymentsToAcquire")
    assert _cell(facts, "microsoft", "capex", "2026-06-30")["fiscal_period"] == "FY2026Q4"
    assert _cell(facts, "alphabet", "capex", "2026-06-30")["fiscal_period"] == "FY2026Q2"
    revenue = facts[(facts["entity"] == "amazon") & (facts["metric"] == "revenue")]
    assert revenue["value"].isna().all() and revenue["note"].str.contains("sec_xbrl").all()
    # Alphabet's revenue from the recorded companyfacts answer: Q4 = FY - 9M, concept named.
    q4 = _cell(facts, "alphabet", "revenue", "2025-12-31")
    assert q4["value"] == 402_836 - 289_007 and q4["basis"] == "derived"
    assert q4["subject"] == "us-gaap:Revenues" and "0001652044-26-000018" in str(q4["note"])
    assert pd.isna(_cell(facts, "alphabet", "revenue", "2026-06-30")["value"])


def test_offline_alphabet_capex_equals_the_sec_companyfacts_figures(tmp_path: Path) -> None:
    """The snapshot's Alphabet quarters equal what sec_xbrl derives from a real companyfacts answer."""
    offline = pipeline.check(REPO / "data")["facts"]
    online, _ = _run(tmp_path)
    mine = offline[(offline["entity"] == "alphabet") & (offline["metric"] == "capex")]
    theirs = online[(online["entity"] == "alphabet") & (online["metric"] == "capex")]
    both = mine.merge(theirs, on="period_end", suffixes=("_snap", "_sec"))
    assert len(both) >= 17  # 2022Q1-2026Q1 in the recording of 2026-07-09
    assert (both["value_snap"] == both["value_sec"]).all()


def test_validation_takes_each_companys_own_fiscal_calendar() -> None:
    """A Microsoft quarter labelled on Alibaba's calendar, or in RMB, is refused."""
    row = {
        "entity": "microsoft",
        "metric": "capex",
        "period_end": "2026-06-30",
        "fiscal_period": "FY2027Q1",
        "value": 1.0,
        "unit": "RMB_mn",
        "source_id": "x",
        "note": "",
    }
    problems = {(f, rule) for _pos, f, rule, _got in fact_rules(pd.DataFrame([row]))}
    assert ("fiscal_period", "must be FY2026Q4 for period_end 2026-06-30") in problems
    assert ("unit", "must be USD_mn for metric capex") in problems
    oracle = {**row, "entity": "oracle", "period_end": "2025-08-31", "fiscal_period": "FY2026Q1"}
    assert fact_rules(pd.DataFrame([{**oracle, "unit": "USD_mn"}])) == []


# The online source, through its HTTP code path.


def test_sec_xbrl_differences_year_to_date_facts_of_a_real_answer(tmp_path: Path) -> None:
    """Alphabet files capex only year to date: Q2-Q4 are differences citing both filings."""
    facts, _ = _run(tmp_path)
    q1 = _cell(facts, "alphabet", "capex", "2025-03-31")
    assert q1["value"] == 17_197 and q1["basis"] == "reported"
    q2 = _cell(facts, "alphabet", "capex", "2025-06-30")
    assert q2["value"] == 39_643 - 17_197 and q2["basis"] == "derived"
    assert "6 months to 2025-06-30 (10-Q 0001652044-25-000062" in str(q2["note"])
    q4 = _cell(facts, "alphabet", "capex", "2025-12-31")
    assert q4["value"] == 91_447 - 63_596 and q4["fiscal_period"] == "FY2025Q4"
    assert str(q4["note"]).startswith("12 months to 2025-12-31 (10-K") and "less 9 months" in str(
        q4["note"]
    )
    assert q4["source_url"] == "https://www.sec.gov/Archives/edgar/data/1652044/000165204426000018/"
    assert q4["subject"] == "us-gaap:PaymentsToAcquirePropertyPlantAndEquipment"
    # Revenue moved between concepts: each quarter names the one it was filed under.
    assert _cell(facts, "alphabet", "revenue", "2023-12-31")["subject"] == (
        "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax"
    )
    assert _cell(facts, "alphabet", "revenue", "2025-12-31")["value"] == 402_836 - 289_007


def test_sec_xbrl_june_fiscal_year_keeps_the_filed_year_over_rounded_quarters(
    tmp_path: Path,
) -> None:
    """Microsoft (June year): Q1-Q3 as filed, Q4 = FY - 9M (399), labelled FY2026Q1-Q4."""
    facts, _ = _run(tmp_path)
    ms = facts[(facts["entity"] == "microsoft") & (facts["metric"] == "capex")]
    got = dict(zip(ms["fiscal_period"], ms["value"], strict=True))
    assert got == {"FY2026Q1": 100, "FY2026Q2": 200, "FY2026Q3": 300, "FY2026Q4": 399}
    assert list(ms["basis"]) == ["reported", "reported", "reported", "derived"]
    assert list(ms["period_end"]) == ["2025-09-30", "2025-12-31", "2026-03-31", "2026-06-30"]


def test_sec_xbrl_refiled_and_ytd_only_facts(tmp_path: Path) -> None:
    """Meta: Q2/Q3 from year-to-date facts; the latest periodic filing wins, an 8-K never."""
    facts, _ = _run(tmp_path)
    meta = facts[(facts["entity"] == "meta") & (facts["metric"] == "capex")]
    got = dict(zip(meta["period_end"], meta["value"], strict=True))
    assert got == {
        "2024-12-31": 7,
        "2025-03-31": 10,
        "2025-06-30": 21,
        "2025-09-30": 29,
        "2025-12-31": 40,
    }
    q2 = _cell(facts, "meta", "capex", "2025-06-30")
    assert q2["source_id"] == "sec_xbrl_000132680126000030"  # the latest filing of the half year
    assert _cell(facts, "meta", "capex", "2024-12-31")["basis"] == "reported"  # fp FY, 3 months


def test_sec_xbrl_trailing_twelve_months_are_not_years(tmp_path: Path) -> None:
    """Amazon: its own concept; TTM facts with calendar frames never become a year or a quarter."""
    facts, _ = _run(tmp_path)
    amzn = facts[(facts["entity"] == "amazon") & (facts["metric"] == "capex")]
    got = dict(zip(amzn["period_end"], amzn["value"], strict=True))
    assert got == {"2025-03-31": 50, "2025-06-30": 60, "2025-09-30": 70, "2025-12-31": 80}
    assert set(amzn["subject"]) == {"us-gaap:PaymentsToAcquireProductiveAssets"}


def test_sec_xbrl_may_fiscal_year(tmp_path: Path) -> None:
    """Oracle (May year): quarters end in August, November, February and May."""
    facts, _ = _run(tmp_path)
    orcl = facts[(facts["entity"] == "oracle") & (facts["metric"] == "capex")]
    assert dict(zip(orcl["period_end"], orcl["value"], strict=True)) == {
        "2025-08-31": 5,
        "2025-11-30": 10,
        "2026-02-28": 15,
        "2026-05-31": 20,
    }
    assert list(orcl["fiscal_period"]) == ["FY2026Q1", "FY2026Q2", "FY2026Q3", "FY2026Q4"]
    assert _cell(facts, "oracle", "revenue", "2026-05-31")["value"] == 1300


@pytest.mark.parametrize(
    ("scenario", "part"),
    [
        (
            "no_oracle_capex",
            "sec_xbrl oracle: us-gaap PaymentsToAcquirePropertyPlantAndEquipment in USD not found",
        ),
        ("oracle_404", "sec_xbrl oracle: companyfacts (SEC answered 404) not found"),
    ],
)
def test_sec_xbrl_missing_concept_is_named_and_the_others_kept(
    tmp_path: Path, scenario: str, part: str
) -> None:
    """A company without its capex concept (or without facts) is a named gap; the rest publish."""
    facts, ctx = _run(tmp_path, scenario)
    assert part in [str(g) for g in ctx.gaps]
    capex = facts[facts["metric"] == "capex"]
    assert {"microsoft", "alphabet", "amazon", "meta"} <= set(capex["entity"])
    assert "oracle" not in set(capex["entity"])


def test_sec_xbrl_403_throttle_is_a_clear_failure(tmp_path: Path) -> None:
    """SEC's 'Request Rate Threshold Exceeded' page ends the source with what to do."""
    with pytest.raises(SourceError, match="Request Rate Threshold Exceeded.*10 minutes"):
        fetch(sec("throttled"), Context(tmp_path, TODAY))


def test_sec_xbrl_429_backs_off_and_goes_on(tmp_path: Path) -> None:
    """A 429 is retried after the policy's backoff; every company is then read."""
    sleeps: list[float] = []
    calls: list[httpx2.Request] = []
    source = SecXbrlSource(
        transport=transport("rate_limit_once", calls),
        user_agent=AGENT,
        interval=0,
        retry=RetryPolicy(sleep=sleeps.append),
    )
    facts = fetch(source, Context(tmp_path, TODAY))["facts"]
    assert sleeps == [5.0] and len(calls) == 7  # six companies, one of them twice
    assert calls[0].headers["user-agent"] == AGENT
    assert {"microsoft", "alphabet", "amazon", "meta", "oracle"} <= set(facts["entity"])


def test_sec_xbrl_without_user_agent_makes_no_request(tmp_path: Path) -> None:
    """No User-Agent: the source stops before any request and names the variable."""
    calls: list[httpx2.Request] = []
    with pytest.raises(SourceError, match="AIIMPACT_SEC_USER_AGENT"):
        sec(calls=calls, agent="").extract(Context(tmp_path, TODAY))
    assert calls == []


def test_sec_xbrl_annual_capex_crosscheck_in_the_refresh_summary(
    real_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Alibaba's 20-F year is compared with its four curated quarters in the summary."""
    curated = pipeline.check(real_dir)["facts"]
    ppe = curated[(curated["entity"] == "alibaba") & (curated["metric"] == "capex_ppe")]
    by_end = dict(zip(ppe["period_end"], ppe["value"], strict=True))
    fy26 = sum(by_end[e] for e in ("2025-06-30", "2025-09-30", "2025-12-31", "2026-03-31"))
    fy25 = sum(by_end[e] for e in ("2024-06-30", "2024-09-30", "2024-12-31", "2025-03-31"))
    # SYNTHETIC 20-F values: FY2026 equal to the quarters, FY2025 off by RMB 500 mn.
    monkeypatch.setitem(SOURCES, "sec_xbrl", sec(alibaba_fy=(fy26, fy25 + 500)))
    assert cli.main(["refresh", "--source", "sec_xbrl", "--data-dir", str(real_dir)]) == 0
    out = capsys.readouterr().out
    assert "20-F annual capex vs curated quarters: 1 agree, 1 differ" in out
    # Alphabet's real figures agree with the offline copy; the SYNTHETIC Microsoft ones do not.
    check = Store(real_dir / "store").manifest()["crosscheck_sec_xbrl"]
    differ = {(d["entity"], d["metric"]) for d in check["differ"]}
    assert check["agree"] >= 17 + 17 and ("alphabet", "capex") not in differ
    assert ("microsoft", "capex") in differ and "sec_xbrl vs curated:" in out
    manifest = Store(real_dir / "store").manifest()
    assert [d["period_end"] for d in manifest["crosscheck_annual"]["differ"]] == ["2025-03-31"]
    assert any(w.startswith("20-F annual capex 2025-03-31") for w in manifest["warnings"])
