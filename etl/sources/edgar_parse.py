"""Parse Alibaba Group's quarterly results announcement (6-K exhibit 99.1) into tidy figures.

A pure function of the exhibit's text. It reads, for the quarter the title names:
- the quarter summary table (revenue, income from operations, adjusted EBITA, net income
  attributable to ordinary shareholders; RMB, US$ and the stated YoY change);
- the free cash flow reconciliation (operating cash flow, the property-and-equipment and
  intangible-asset lines, the consumer/buyer protection fund deposits line, free cash flow);
- the cloud segment: "Cloud" (to FY2023), "Cloud Intelligence Group" (FY2024-FY2026), or from
  FY2027 "AI Cloud and Compute Services" (Cloud Intelligence Group plus T-Head), recorded as
  ai_cloud_* with the recast year-ago figure the release states, never as cloud_*;
- the convenience-rate sentence and capital expenditures as stated in words.
Layouts differ across the years (labels, dashes for nil, parenthesised negatives, footnote marks
glued to numbers, two- or six-column tables); each rule below names the labels it accepts.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date

MONTH_END = {"march": (3, 31), "june": (6, 30), "september": (9, 30), "december": (12, 31)}
TITLE_RE = re.compile(
    r"(?:Alibaba Group Announces|ANNOUNCEMENT OF THE) (March|June|September|December) Quarter "
    r"(?:and Full Fiscal Year )?(\d{4})",
    re.I,
)
#: One number of a table row: 1,234 / (1,234) / a dash for nil; a glued footnote mark "(2)" is
#: dropped.
NUM = r"(\(?\d[\d,]*(?:\.\d+)?\)?|[—–-])(?:\(\d\))?"
PCT = r"(\(?\d[\d,]*\)?%|N/A)"
SUMMARY = {
    "revenue": r"Revenue",
    "income_from_operations": r"(?:Income \(Loss\)|\(Loss\) income|Loss|Income) from operations",
    "adjusted_ebita": r"Adjusted EBITA(?:\(\d\))?",
    "net_income_attributable": r"Net (?:\(loss\) income|income \(loss\)|loss|income) attributable to ordinary shareholders(?:\(\d\))?",
}
FCF_ROWS = {
    "operating_cash_flow": r"Net cash (?:\((?:used in|provided by)\) )?(?:provided by|used in) operating activities",
    "capex_ppe": r"Less: Purchase of property and equipment \(excluding land use rights and construction in progress relating to office campuses\)",
    "capex_intangibles": r"Less: (?:Purchase|Acquisition) of intangible assets(?: \([^)]*\))?",
    "fcf_other_adjustments": r"(?:Less: |Add: )?Changes in the (?:consumer|buyer) protection fund deposits",
    "free_cash_flow": r"Free cash flow",
}
#: Reconciliation lines printed as subtractions: money spent is entered positive.
SPENT = {"capex_ppe", "capex_intangibles"}
SEGMENTS = (
    ("AI Cloud and Compute Services", "ai_cloud"),
    ("Cloud Intelligence Group", "cloud"),
    ("Cloud", "cloud"),
)


@dataclass(frozen=True)
class Figure:
    """One figure the exhibit states."""

    metric: str
    period_end: str
    value: float
    unit: str
    locator: str
    note: str = ""


def text_of(document: str) -> str:
    """The exhibit as one line of text: tags, entities and cell breaks normalised."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", document, flags=re.S | re.I)
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    text = re.sub(r"\s+", " ", text.replace("\xa0", " "))
    # Table cells split "(1,234" and ")", "12" and "%", "RMB" and "1,234".
    text = re.sub(r"\(\s+(?=\d)", "(", text)
    text = re.sub(r"(?<=[\d,])\s+\)", ")", text)
    text = re.sub(r"(?<=[\d)])\s+%", "%", text)
    return re.sub(r"\b(RMB|US\$)\s+(?=\d)", r"\1", text)


def number(token: str) -> float:
    """A table number: parentheses are negative, a dash is nil."""
    token = token.strip()
    if token in ("—", "–", "-"):
        return 0.0
    negative = token.startswith("(") and token.endswith(")")
    value = float(token.strip("()").replace(",", ""))
    return -value if negative else value


def percent(token: str) -> float | None:
    """A stated change like 9%, (57)% or N/A (None)."""
    if token == "N/A":
        return None
    return number(token.removesuffix("%"))


def quarter(text: str) -> date | None:
    """The quarter end the announcement's title names, or None when it is not a results release."""
    m = TITLE_RE.search(text[:4000])
    if not m:
        return None
    month, day = MONTH_END[m.group(1).lower()]
    return date(int(m.group(2)), month, day)


def _row(block: str, label: str, count: int = 3) -> tuple[list[str], str] | None:
    """The first `count` numbers after a row label (and the matched text), or None."""
    m = re.search(rf"{label}\s+{NUM}" + rf"\s+{NUM}" * (count - 1), block)
    if not m:
        return None
    return [g for g in m.groups() if g is not None][:count], m.group(0)


def _block(text: str, start: str, length: int = 3000) -> str:
    m = re.search(start, text, re.I)
    return text[m.start() : m.start() + length] if m else ""


def parse(document: str) -> list[Figure]:
    """Every figure of the quarter the announcement states (empty when it is not one)."""
    text = text_of(document)
    end = quarter(text)
    if end is None:
        return []
    day = end.isoformat()
    out = _summary(text, day) + _fcf(text, day) + _segment(text, end)
    m = re.search(r"translations of RMB into US\$ were made at RMB(\d+\.\d+) to US\$1\.00", text)
    if m:
        out.append(Figure("usd_rmb_rate", day, float(m.group(1)), "RMB_per_USD", m.group(0)))
    m = re.search(
        r"capital expenditures? (?:of|were|was) RMB([\d,]+) million \(US\$([\d,]+) million\)",
        text,
    )
    if m:
        out.append(Figure("capex_stated", day, number(m.group(1)), "RMB_mn", m.group(0)))
    return out


def _summary(text: str, day: str) -> list[Figure]:
    block = _block(text, r"QUARTER SUMMARY FINANCIAL RESULTS")
    out = []
    for metric, label in SUMMARY.items():
        m = re.search(rf"\b{label}\s+{NUM}\s+{NUM}\s+{NUM}(?:\s+{PCT})?", block)
        if not m:
            continue
        _, current, usd, change = m.groups()
        out.append(Figure(metric, day, number(current), "RMB_mn", m.group(0)))
        out.append(Figure(f"{metric}_usd", day, number(usd), "USD_mn", m.group(0)))
        if change and percent(change) is not None:
            out.append(
                Figure(f"{metric}_yoy_pct", day, float(percent(change) or 0), "pct", m.group(0))
            )
    return out


def _fcf(text: str, day: str) -> list[Figure]:
    block = _block(
        text,
        r"reconciliation of net cash (?:\((?:used in|provided by)\) )?(?:provided by|used in) "
        r"operating activities to free cash flow",
    )
    out = []
    for metric, label in FCF_ROWS.items():
        row = _row(block, label)
        if row is None:
            continue
        (_, current, usd), where = row
        sign = -1.0 if metric in SPENT else 1.0
        out.append(Figure(metric, day, sign * number(current) + 0.0, "RMB_mn", where))
        if metric != "fcf_other_adjustments":
            out.append(Figure(f"{metric}_usd", day, sign * number(usd) + 0.0, "USD_mn", where))
    return out


def _segment(text: str, end: date) -> list[Figure]:
    day = end.isoformat()
    for label, prefix in SEGMENTS:
        revenue = _segment_row(text, r"breakdown of our revenue by segment", label)
        ebita = _segment_row(text, r"breakdown of our adjusted EBITA by segment", label)
        if revenue is None and ebita is None and label != "Cloud":
            continue
        out: list[Figure] = []
        for kind, row in (("revenue", revenue), ("adjusted_ebita", ebita)):
            if row is None:
                continue
            (prior, current, usd, change), where = row
            metric = f"{prefix}_{kind}"
            out.append(Figure(metric, day, current, "RMB_mn", where))
            out.append(Figure(f"{metric}_usd", day, usd, "USD_mn", where))
            if kind == "revenue" and change is not None:
                out.append(Figure(f"{metric}_yoy_pct", day, change, "pct", where))
            if prefix == "ai_cloud":
                year_ago = date(end.year - 1, end.month, end.day).isoformat()
                out.append(
                    Figure(
                        metric,
                        year_ago,
                        prior,
                        "RMB_mn",
                        where,
                        "recast year-ago figure as stated in the FY2027 basis's first releases",
                    )
                )
        if prefix == "cloud" and not any(f.metric == "cloud_adjusted_ebita" for f in out):
            out += _cloud_ebita_sentence(text, day)
        if out:
            return out
    return []


def _segment_row(
    text: str, table: str, label: str
) -> tuple[tuple[float, float, float, float | None], str] | None:
    """(prior, current, US$, stated change) of a segment's row in a by-segment table."""
    block = _block(text, table, 2500)
    m = re.search(rf"\b{re.escape(label)}(?:\(\d\))?((?:\s+(?:{PCT}|{NUM}))+)", block)
    if not m:
        return None
    tokens = re.findall(rf"{PCT}|{NUM}", m.group(1))
    flat = [a or b for a, b in tokens]
    numbers = [number(t) for t in flat if not t.endswith("%") and t != "N/A"]
    changes = [t for t in flat if t.endswith("%") or t == "N/A"]
    if len(numbers) < 3:
        return None
    change = percent(changes[-1]) if changes else None
    return (numbers[0], numbers[1], numbers[2], change), m.group(0)[:200]


def _cloud_ebita_sentence(text: str, day: str) -> list[Figure]:
    """FY2023 releases state Cloud adjusted EBITA in a sentence, not a by-segment table."""
    m = re.search(
        r"Cloud (?:Intelligence Group )?adjusted EBITA,?[^.]{0,120}?\b(?:was|to) "
        r"RMB\(?([\d,]+)\)? million \(US\$\(?([\d,]+)\)? million\)",
        text,
    )
    if not m:
        return []
    return [
        Figure("cloud_adjusted_ebita", day, number(m.group(1)), "RMB_mn", m.group(0)),
        Figure("cloud_adjusted_ebita_usd", day, number(m.group(2)), "USD_mn", m.group(0)),
    ]
