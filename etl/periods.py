"""Quarter arithmetic: quarter ends, Alibaba fiscal labels (FY ends 31 March), calendar labels."""

from __future__ import annotations

import re
from datetime import date

from etl.models import CalendarBasis

QUARTER_END_DAYS = {3: 31, 6: 30, 9: 30, 12: 31}
FISCAL_RE = re.compile(r"^FY(\d{4})Q([1-4])$")
CALENDAR_RE = re.compile(r"^(\d{4})Q([1-4])$")


def parse_date(text: str) -> date:
    """Parse a strict YYYY-MM-DD date; ValueError otherwise."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(f"not a YYYY-MM-DD date: {text!r}")
    return date.fromisoformat(text)


def is_quarter_end(d: date) -> bool:
    """Return True when the date is the last day of a calendar quarter."""
    return QUARTER_END_DAYS.get(d.month) == d.day


def fiscal_label(period_end: date) -> str:
    """Alibaba fiscal quarter of a quarter end: 2026-03-31 -> FY2026Q4, 2025-06-30 -> FY2026Q1."""
    if not is_quarter_end(period_end):
        raise ValueError(f"{period_end} is not a quarter end")
    year = period_end.year + 1 if period_end.month >= 4 else period_end.year
    quarter = {6: 1, 9: 2, 12: 3, 3: 4}[period_end.month]
    return f"FY{year}Q{quarter}"


def calendar_label(period_end: date) -> str:
    """Calendar quarter of a quarter end: 2026-03-31 -> 2026Q1."""
    if not is_quarter_end(period_end):
        raise ValueError(f"{period_end} is not a quarter end")
    return f"{period_end.year}Q{(period_end.month - 1) // 3 + 1}"


def fiscal_to_period_end(label: str) -> date:
    """Inverse of fiscal_label: FY2026Q4 -> 2026-03-31."""
    m = FISCAL_RE.match(label)
    if not m:
        raise ValueError(f"not a fiscal label like FY2026Q4: {label!r}")
    fy, q = int(m.group(1)), int(m.group(2))
    month = {1: 6, 2: 9, 3: 12, 4: 3}[q]
    year = fy if q == 4 else fy - 1
    return date(year, month, QUARTER_END_DAYS[month])


def calendar_to_period_end(label: str) -> date:
    """Inverse of calendar_label: 2026Q1 -> 2026-03-31."""
    m = CALENDAR_RE.match(label)
    if not m:
        raise ValueError(f"not a calendar label like 2026Q1: {label!r}")
    year, q = int(m.group(1)), int(m.group(2))
    month = q * 3
    return date(year, month, QUARTER_END_DAYS[month])


def period_label(period_end: date, basis: CalendarBasis) -> str:
    """Label a quarter end on the 'fiscal' or 'calendar' basis."""
    return fiscal_label(period_end) if basis == "fiscal" else calendar_label(period_end)


def is_company_quarter_end(d: date, fy_end_month: int) -> bool:
    """True when the date ends a quarter of a fiscal year closing at the end of `fy_end_month`."""
    following = date(d.year + d.month // 12, d.month % 12 + 1, 1)
    return (following - d).days == 1 and (d.month - fy_end_month) % 3 == 0


def company_fiscal_label(period_end: date, fy_end_month: int) -> str:
    """A company's own fiscal quarter label: Microsoft (June) 2026-06-30 -> FY2026Q4, Oracle (May)
    2025-08-31 -> FY2026Q1; fy_end_month=3 gives fiscal_label's Alibaba labels."""
    if not is_company_quarter_end(period_end, fy_end_month):
        raise ValueError(f"{period_end} does not end a quarter of a year ending in {fy_end_month}")
    year = period_end.year + (period_end.month > fy_end_month)
    quarter = (period_end.month - fy_end_month - 1) % 12 // 3 + 1
    return f"FY{year}Q{quarter}"
