"""Quarterly capex of Microsoft, Alphabet, Amazon and Meta from a public copy of SEC XBRL data.

Load: data/snapshots/peers/ai_trends_hyperscaler_capex.csv (stevenfazzio/ai-trends'
hyperscaler-capex.json, computed from SEC companyfacts; see its .meta.json). Process: line name
to entity slug, US$ to US$ millions, each quarter labelled with the company's own fiscal quarter
and the us-gaap concept it was read from, from 2022 on (so trailing four quarters start in
2023Q1). Revenue: Alphabet's from a recorded companyfacts answer
(peers/edgartools_alphabet_companyfacts.csv), read by the same code as the online `sec_xbrl`
source; the other companies' revenue has no public copy, so each of their quarters is a blank
row saying so (`sec_xbrl` fills it online). Save: financials/peers_quarterly.csv.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from etl import periods
from etl.models import COMPANIES
from etl.sources import sec_xbrl
from etl.steps.common import read_snapshot, to_csv

OUT = "financials/peers_quarterly.csv"
SNAPSHOT = "peers/ai_trends_hyperscaler_capex.csv"
ALPHABET = "peers/edgartools_alphabet_companyfacts.csv"
FIRST = "2022-01-01"
HEADER = (
    "entity",
    "metric",
    "fiscal_period",
    "period_end",
    "value",
    "unit",
    "source_id",
    "basis",
    "subject",
    "note",
)
ENTITIES = {"Microsoft": "microsoft", "Alphabet": "alphabet", "Amazon": "amazon", "Meta": "meta"}
#: The concept each company's figures come from in the period kept (Amazon moved to
#: PaymentsToAcquireProductiveAssets in 2017; the copy takes whichever tag the filing used).
CONCEPTS = {
    "microsoft": "us-gaap:PaymentsToAcquirePropertyPlantAndEquipment",
    "alphabet": "us-gaap:PaymentsToAcquirePropertyPlantAndEquipment",
    "amazon": "us-gaap:PaymentsToAcquireProductiveAssets",
    "meta": "us-gaap:PaymentsToAcquirePropertyPlantAndEquipment",
}
CAPEX_NOTE = (
    "cash capex, positive = spent; SEC companyfacts figure as computed by ai-trends (a discrete "
    "3-month fact where filed, else year-to-date facts differenced; the copy does not say which)"
)
ALPHABET_NOTE = (
    "blank: the recorded companyfacts answer (2026-07-09) predates this quarter's filing; "
    "`python -m etl refresh --source sec_xbrl` reads it from SEC companyfacts"
)
REVENUE_NOTE = (
    "blank: no public copy of this company's revenue facts found (ai-trends keeps capex only); "
    "`python -m etl refresh --source sec_xbrl` reads it from SEC companyfacts"
)


def _alphabet_revenue(data_dir: Path) -> dict[str, list[str]]:
    """Alphabet's quarterly revenue from its recorded companyfacts, read as sec_xbrl reads it."""
    raw, meta = read_snapshot(data_dir, ALPHABET)
    units: dict[str, list[dict[str, object]]] = {}
    for r in raw:
        fact = {k: v for k, v in r.items() if k != "concept" and v != ""}
        units.setdefault(r["concept"], []).append({**fact, "val": float(r["val"])})
    body = {"facts": {"us-gaap": {c: {"units": {"USD": f}} for c, f in units.items()}}}
    company = COMPANIES["alphabet"]
    out = {}
    for q in sec_xbrl.company_quarters(body, sec_xbrl.REVENUE, company.fy_end_month):
        end = q.end.isoformat()
        if end < FIRST:
            continue
        row = sec_xbrl.fact_row(company, "revenue", q)
        out[end] = [
            "alphabet",
            "revenue",
            row["fiscal_period"],
            end,
            f"{row['value']:.0f}",
            company.unit,
            meta["source_id"],
            row["basis"],
            row["subject"],
            row["note"],
        ]
    return out


def run(data_dir: Path) -> dict[str, str]:
    """The curated peer quarters, as CSV text."""
    raw, meta = read_snapshot(data_dir, SNAPSHOT)
    revenue = _alphabet_revenue(data_dir)
    rows = []
    for r in raw:
        entity = ENTITIES[r["line"]]
        if r["period_end"] < FIRST:
            continue
        company = COMPANIES[entity]
        end = date.fromisoformat(r["period_end"])
        fiscal = periods.company_fiscal_label(end, company.fy_end_month)
        usd_mn = float(r["value"]) / 1e6
        if usd_mn != round(usd_mn):
            raise ValueError(f"{SNAPSHOT}: {r} is not a whole US$ million")
        sid = meta["source_id"]
        capex = f"{usd_mn:.0f}"
        head = [entity, "capex", fiscal, r["period_end"]]
        rows.append([*head, capex, company.unit, sid, "derived", CONCEPTS[entity], CAPEX_NOTE])
        head[1] = "revenue"
        why = ALPHABET_NOTE if entity == "alphabet" else REVENUE_NOTE
        blank = [*head, "", company.unit, "", "", "", why]
        rows.append(revenue.get(r["period_end"], blank) if entity == "alphabet" else blank)
    rows.sort(key=lambda r: (r[0], r[1], r[3]))
    return {OUT: to_csv(HEADER, rows)}
