"""SEC XBRL company facts: quarterly cash capex and revenue of the US peers, from their filings.

Source: https://data.sec.gov/api/xbrl/companyfacts/CIK##########.json (documented at
https://www.sec.gov/edgar/sec-api-documentation): every fact each company tagged in its 10-Qs and
10-Ks, per concept and unit, with the period (start, end), the filing's accession number, form,
fiscal year and period (fy, fp) and filing date. The same HTTP policy as `edgar` (User-Agent from
$AIIMPACT_SEC_USER_AGENT, requests spaced 0.125 s, the refresh deadline, one retry policy).

Cash-flow lines are mostly filed as year-to-date amounts, so a quarter is read like this:
- a fact's length comes from its start and end dates, never from `fp` (which names the filing's
  period: a 10-K tags its three-month facts `FY`; 8-Ks refile facts with null fy/fp);
- only facts from periodic reports count (10-Q, 10-K, 20-F and amendments); of the same period
  filed again (comparatives, recasts) the latest filing wins, and is cited;
- a year-to-date fact must start on the company's fiscal year start (Amazon's trailing-twelve-month
  facts do not) and come from the right report: six and nine months from a 10-Q with fp Q2/Q3,
  twelve months from a 10-K (fp FY);
- a filed three-month fact is the quarter (basis `reported`); otherwise the quarter is its
  year-to-date amount less the previous one (Q4 = fiscal year - nine months; basis `derived`),
  so a company whose quarters do not sum to its year by US$1 million of rounding keeps the filed
  year.
Alibaba files a 20-F: its annual `PaymentsToAcquireOtherPropertyPlantAndEquipment` (CNY) is kept
as `capex_ppe_annual`, which the refresh compares with the sum of the four curated quarters.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx2
import pandas as pd

from etl import periods
from etl.errors import HttpStatusError, SourceError
from etl.models import COMPANIES, Company
from etl.sources.base import Context, Tables, facts_frame
from etl.sources.edgar import SecGetter, sec_user_agent
from etl.sources.online import Guard, RetryPolicy, TransportFactory, http_client

COMPANYFACTS = "https://data.sec.gov/api/xbrl/companyfacts/CIK{cik}.json"
PEERS = ("microsoft", "alphabet", "amazon", "meta", "oracle")
#: Each company's own capex concept; Amazon moved to PaymentsToAcquireProductiveAssets in 2017.
CAPEX = {"amazon": ("PaymentsToAcquireProductiveAssets",)}
CAPEX_DEFAULT = ("PaymentsToAcquirePropertyPlantAndEquipment",)
#: Revenue: each quarter from whichever of these the company filed it under.
REVENUE = ("RevenueFromContractWithCustomerExcludingAssessedTax", "Revenues")
ALIBABA_CAPEX = "PaymentsToAcquireOtherPropertyPlantAndEquipment"
FIRST_END = "2021-01-01"
QUARTERLY_FORMS = frozenset({"10-Q", "10-Q/A"})
ANNUAL_FORMS = frozenset({"10-K", "10-K/A", "20-F", "20-F/A"})


@dataclass(frozen=True)
class Fact:
    """One duration fact of companyfacts."""

    concept: str
    start: date
    end: date
    val: float
    accn: str
    form: str
    fp: str
    fy: str
    filed: str

    @property
    def months(self) -> int:
        """Length in months from the dates (a quarter runs 89-92 days)."""
        return round(((self.end - self.start).days + 1) / 30.44)


@dataclass(frozen=True)
class Quarter:
    """A quarter's figure: filed (`minus` is None) or a year-to-date fact less the previous one."""

    end: date
    value: float
    fact: Fact
    minus: Fact | None = None


@dataclass(frozen=True)
class SecXbrlSource:
    """Source: SEC XBRL company facts of the US peers (and Alibaba's annual capex)."""

    name: str = "sec_xbrl"
    online: bool = True
    transport: TransportFactory | None = None
    per_request: float = 60.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    #: "Name email@example.com"; None reads $AIIMPACT_SEC_USER_AGENT when the source runs.
    user_agent: str | None = None
    interval: float = 0.125
    companies: tuple[str, ...] = PEERS

    def extract(self, ctx: Context) -> dict[str, Any]:
        """Each company's companyfacts JSON (None where SEC has none)."""
        agent = sec_user_agent(self.name, self.user_agent)
        out: dict[str, Any] = {}
        with self._client(ctx, agent) as client:
            get = SecGetter(self, client, ctx)
            for slug in (*self.companies, "alibaba"):
                url = COMPANYFACTS.format(cik=COMPANIES[slug].cik)
                try:
                    out[slug] = get.json(url)
                except HttpStatusError as exc:
                    if exc.status != 404:
                        raise
                    out[slug] = None  # no XBRL financial data: reported as a gap
        return out

    def _client(self, ctx: Context, agent: str) -> httpx2.Client:
        # The shared HTTP layer: guard, SEC's spacing, proxies and CA bundle, as edgar.
        guard = Guard(self.name, ctx.deadline, self.per_request, interval=self.interval)
        headers = {"User-Agent": agent, "Accept-Encoding": "gzip, deflate"}
        return http_client(guard, self.transport, headers=headers, follow_redirects=True)

    def transform(self, raw: dict[str, Any], ctx: Context) -> Tables:
        """Quarters of each peer's capex and revenue; Alibaba's annual capex for the cross-check."""
        rows: list[dict[str, Any]] = []
        cited: dict[str, tuple[Company, Fact]] = {}
        for slug in self.companies:
            company, body = COMPANIES[slug], raw.get(slug)
            if body is None:
                ctx.missing(self.name, slug, "companyfacts (SEC answered 404)")
                continue
            for metric, concepts in (
                ("capex", CAPEX.get(slug, CAPEX_DEFAULT)),
                ("revenue", REVENUE),
            ):
                found = company_quarters(body, concepts, company.fy_end_month)
                if not found:
                    ctx.missing(self.name, slug, f"us-gaap {' or '.join(concepts)} in USD")
                for q in found:
                    rows.append(fact_row(company, metric, q))
                    cited[q.fact.accn] = (company, q.fact)
                    if q.minus:
                        cited[q.minus.accn] = (company, q.minus)
        rows += self._alibaba(raw.get("alibaba"), ctx, cited)
        if not rows:
            raise SourceError(self.name, "no quarterly figure in any company's facts")
        facts = facts_frame(rows)
        sources = pd.DataFrame([_source(c, f, ctx.today) for c, f in cited.values()])
        return {"facts": facts, "sources": sources}

    def _alibaba(
        self, body: Any, ctx: Context, cited: dict[str, tuple[Company, Fact]]
    ) -> list[dict[str, Any]]:
        company = COMPANIES["alibaba"]
        annual = [
            f
            for f in concept_facts(body or {}, ALIBABA_CAPEX, "CNY")
            if f.months == 12 and f.form in ANNUAL_FORMS and f.fp == "FY"
        ]
        if not annual:
            ctx.missing(self.name, "alibaba", f"us-gaap {ALIBABA_CAPEX} in CNY (20-F)")
            return []
        out = []
        for f in _latest(annual).values():
            if f.end.isoformat() < FIRST_END:
                continue
            cited[f.accn] = (company, f)
            out.append(
                {
                    "entity": "alibaba",
                    "metric": "capex_ppe_annual",
                    "period_end": f.end.isoformat(),
                    "fiscal_period": "",
                    "value": float(round(f.val / 1e6)),
                    "unit": company.unit,
                    "source_id": _sid(f),
                    "source_url": _filing_url(company, f),
                    "basis": "reported",
                    "subject": f"us-gaap:{f.concept}",
                    "note": f"fiscal year {f.start} to {f.end}, {f.form} filed {f.filed}",
                    "origin": self.name,
                }
            )
        return out


def concept_facts(body: dict[str, Any], concept: str, unit: str) -> list[Fact]:
    """The duration facts of one us-gaap concept in one unit."""
    items = body.get("facts", {}).get("us-gaap", {}).get(concept, {}).get("units", {}).get(unit, [])
    return [
        Fact(
            concept,
            date.fromisoformat(i["start"]),
            date.fromisoformat(i["end"]),
            float(i["val"]),
            str(i["accn"]),
            str(i.get("form") or ""),
            str(i.get("fp") or ""),
            str(i.get("fy") or ""),
            str(i["filed"]),
        )
        for i in items
        if i.get("start") and i.get("end") and i.get("val") is not None
    ]


def company_quarters(
    body: dict[str, Any], concepts: Iterable[str], fy_end_month: int
) -> list[Quarter]:
    """Quarters of whichever concept the company filed each one under (companies switched
    revenue concepts around 2018 and back); each concept is differenced on its own."""
    best: dict[date, Quarter] = {}
    for concept in concepts:
        for q in quarters(concept_facts(body, concept, "USD"), fy_end_month):
            if q.end not in best or q.fact.filed > best[q.end].fact.filed:
                best[q.end] = q
    return [best[e] for e in sorted(best)]


def _fy_start(end: date, fy_end_month: int) -> date:
    """The first day of the fiscal year that a quarter ending on `end` belongs to."""
    year = end.year - (end.month <= fy_end_month) + (fy_end_month == 12)
    return date(year, fy_end_month % 12 + 1, 1)


def _latest(facts: Iterable[Fact]) -> dict[tuple[date, date], Fact]:
    """Per period, the fact of the latest filing (a recast replaces what it restates)."""
    out: dict[tuple[date, date], Fact] = {}
    for f in sorted(facts, key=lambda f: (f.filed, f.accn)):
        out[(f.start, f.end)] = f
    return out


def _usable(f: Fact, fy_end_month: int) -> bool:
    """A three-month fact from any periodic report, or a year-to-date fact from the right one."""
    if not periods.is_company_quarter_end(f.end, fy_end_month):
        return False
    if f.months == 3:
        return f.form in QUARTERLY_FORMS | ANNUAL_FORMS
    if f.start != _fy_start(f.end, fy_end_month):
        return False  # e.g. a trailing twelve months ending mid-year
    if f.months in (6, 9):
        return f.form in QUARTERLY_FORMS and f.fp == f"Q{f.months // 3}"
    return f.months == 12 and f.form in ANNUAL_FORMS and f.fp == "FY"


def quarters(facts: Iterable[Fact], fy_end_month: int) -> list[Quarter]:
    """Quarters from FIRST_END on: filed three-month facts, else year-to-date differences."""
    kept = _latest(f for f in facts if _usable(f, fy_end_month))
    discrete = {f.end: f for f in kept.values() if f.months == 3}
    ytd = {(f.end, f.months): f for f in kept.values() if f.start == _fy_start(f.end, fy_end_month)}
    out = []
    for (end, months), f in sorted(ytd.items()):
        if end.isoformat() < FIRST_END or end in discrete or months == 3:
            continue
        prev_end = _previous_quarter_end(end)
        before = ytd.get((prev_end, months - 3))
        if before is not None:
            out.append(Quarter(end, f.val - before.val, f, before))
    out += [Quarter(e, f.val, f) for e, f in discrete.items() if e.isoformat() >= FIRST_END]
    return sorted(out, key=lambda q: q.end)


def _previous_quarter_end(d: date) -> date:
    """The quarter end three months before d (a month end)."""
    index = d.year * 12 + d.month - 3  # the month two before d's, counted from year 0
    return date(index // 12, index % 12 + 1, 1) - timedelta(days=1)


def _sid(f: Fact) -> str:
    return "sec_xbrl_" + f.accn.replace("-", "")


def _filing_url(company: Company, f: Fact) -> str:
    return f"https://www.sec.gov/Archives/edgar/data/{int(company.cik)}/{f.accn.replace('-', '')}/"


def _describe(f: Fact) -> str:
    return f"{f.months} months to {f.end} ({f.form} {f.accn}, filed {f.filed})"


def fact_row(company: Company, metric: str, q: Quarter) -> dict[str, Any]:
    note = (
        f"{_describe(q.fact)} less {_describe(q.minus)}"
        if q.minus
        else f"3 months as filed ({q.fact.form} {q.fact.accn}, filed {q.fact.filed})"
    )
    return {
        "entity": company.slug,
        "metric": metric,
        "period_end": q.end.isoformat(),
        "fiscal_period": periods.company_fiscal_label(q.end, company.fy_end_month),
        "value": float(round(q.value / 1e6)),
        "unit": company.unit,
        "source_id": _sid(q.fact),
        "source_url": _filing_url(company, q.fact),
        "basis": "derived" if q.minus else "reported",
        "subject": f"us-gaap:{q.fact.concept}",
        "note": note,
        "origin": "sec_xbrl",
    }


def _source(company: Company, f: Fact, today: date) -> dict[str, str]:
    return {
        "source_id": _sid(f),
        "title": f"{company.name} Form {f.form} (fiscal {f.fy} {f.fp}), accession {f.accn}",
        "publisher": f"{company.name} (SEC EDGAR, XBRL financial data)",
        "url": _filing_url(company, f),
        "published": f.filed,
        "accessed": today.isoformat(),
        "kind": "primary",
        "note": f"read from {COMPANYFACTS.format(cik=company.cik)}",
    }
