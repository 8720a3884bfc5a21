"""Quarterly capex of Microsoft, Alphabet, Amazon and Meta from a public copy of SEC XBRL data.

Load: data/snapshots/peers/ai_trends_hyperscaler_capex.csv (stevenfazzio/ai-trends'
hyperscaler-capex.json, computed from SEC companyfacts; see its .meta.json). Process: line name
to entity slug, US$ to US$ millions, each quarter labelled with the company's own fiscal quarter
and the us-gaap concept it was read from, from 2022 on (so trailing four quarters start in
2023Q1). Revenue: no public copy of the revenue facts was found, so each quarter's revenue is a
blank row saying so (the online `sec_xbrl` source fills it). Save: financials/peers_quarterly.csv.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from etl import periods
from etl.models import COMPANIES
from etl.steps.common import read_snapshot, to_csv

OUT = "financials/peers_quarterly.csv"
SNAPSHOT = "peers/ai_trends_hyperscaler_capex.csv"
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
REVENUE_NOTE = (
    "blank: no public copy of this company's revenue facts found (ai-trends keeps capex only); "
    "`python -m etl refresh --source sec_xbrl` reads it from SEC companyfacts"
)


def run(data_dir: Path) -> dict[str, str]:
    """The curated peer quarters, as CSV text."""
    raw, meta = read_snapshot(data_dir, SNAPSHOT)
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
        rows.append([*head, "", company.unit, "", "", "", REVENUE_NOTE])
    rows.sort(key=lambda r: (r[0], r[1], r[3]))
    return {OUT: to_csv(HEADER, rows)}
