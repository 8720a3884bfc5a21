"""Validation: pandera schemas plus cross-column rules, for curated files and every source's tables.

Every problem becomes one line `data/<file>:<line> field '<name>': <rule> (got <value>)`, and
all problems are collected before anything is published. Curated CSV files are checked as text
first (so a bad cell is reported in its file and line); then the tidy tables of every source,
curated or online, go through the same table schemas and the same figure rules (`fact_rules`).
"""

from __future__ import annotations

import csv
import io
import math
import re
import urllib.parse
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from etl import periods
from etl.disclosures import KPI_IDS, STATUSES
from etl.errors import Problem
from etl.models import (
    BASES,
    COMMITMENT_STATUS,
    COMPANIES,
    EVENT_CATEGORIES,
    EVENT_IMPORTANCE,
    EVENT_WEIGHTS,
    METRICS,
    SOURCE_KINDS,
    TABLES,
    UNITS,
    unit_of,
)

LINE = "lineno"
# [0-9], not \d: \d matches every Unicode digit (１２３, ٣), which the float parser then drops.
NUMBER_RE = re.compile(r"^-?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$")
#: Characters a source URL may not hold unencoded: they end a markdown link or open markup.
URL_FORBIDDEN = frozenset("()[]<>\"'`\\")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_]*$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ORIGIN_RE = re.compile(r"^(?P<file>[^:]+\.csv):(?P<line>\d+)")
#: A repository copy is named by repository, path and commit: a GitHub file URL pinned to a commit.
GITHUB_PINNED_RE = re.compile(r"^https://github\.com/[^/\s]+/[^/\s]+/blob/[0-9a-f]{40}/\S+$")
CURRENCIES = frozenset({"USD", "HKD", "CNY", "RMB_per_USD", "RMB_per_HKD"})

#: Columns of the curated CSV files (input side; the tidy tables are declared in etl.models).
FACT_REQUIRED = ("entity", "metric", "period_end", "value", "unit", "source_id")
FACT_OPTIONAL = ("fiscal_period", "subject", "locator", "quote", "note")
EVENT_REQUIRED = ("date", "category", "label", "source_id")
EVENT_OPTIONAL = ("detail", "note", "weights", "importance")
SOURCE_REQUIRED = ("source_id", "title", "publisher", "url", "published", "accessed", "kind")
SOURCE_OPTIONAL = ("note", "via")
PRICE_REQUIRED = ("ticker", "date", "close", "adj_close", "currency", "source_id")
PRICE_OPTIONAL: tuple[str, ...] = ()
DISCLOSURE_REQUIRED = ("entity", "kpi", "fiscal_period", "period_end", "status", "source_id")
DISCLOSURE_OPTIONAL = ("value", "unit", "wording", "basis", "note")
COMMITMENT_REQUIRED = ("id", "date", "entity", "statement", "quote", "status", "source_id")
COMMITMENT_OPTIONAL = (
    "amount",
    "unit",
    "period_start",
    "period_end",
    "scope",
    "supersedes",
    "note",
)


def is_date(v: object) -> bool:
    """True for a real calendar date written YYYY-MM-DD."""
    try:
        periods.parse_date(str(v))
    except ValueError:
        return False
    return True


VIA_RULE = "must be blank or an http(s) URL (a GitHub file pinned to a 40-hex commit)"


def is_via(v: str) -> bool:
    """Blank, or an http(s) URL without whitespace; a GitHub copy pinned to a commit."""
    if v == "":
        return True
    if not v.startswith(("https://", "http://")) or any(c.isspace() for c in v):
        return False
    return not v.split("/")[2].endswith("github.com") or bool(GITHUB_PINNED_RE.match(v))


def _col(check: pa.Check) -> pa.Column:
    return pa.Column(str, checks=check, nullable=False)


def _distinct(s: pd.Series, fn: Callable[[Any], Any], na: object = True) -> np.ndarray:
    """fn once per distinct value of s, spread back over its cells (null cells get `na`).

    Ids, dates, units and metrics repeat, so the Python calls grow with the distinct values,
    not with the cells: validation stays linear in rows at C speed.
    """
    try:
        codes, uniques = pd.factorize(s)
    except TypeError:  # unhashable cells (a list in an online answer): one call per cell
        return np.array([na if _null(v) else fn(v) for v in s], dtype=object)
    return np.array([*(fn(u) for u in uniques), na], dtype=object)[codes]


def _null(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _fn(fn: Callable[[str], bool], error: str) -> pa.Check:
    """A column check calling fn once per distinct value (as element_wise would per cell)."""
    return pa.Check(lambda s: pd.Series(_distinct(s, fn).astype(bool), index=s.index), error=error)


def _is_number_text(v: str) -> bool:
    return v == "" or bool(NUMBER_RE.match(v))


def _numbers(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Which cells are number text, and what float() reads in them (NaN elsewhere).

    Only an exponent or a very long number can overflow or underflow: up to 300 characters a
    plain decimal is finite and reads as zero only when it has no nonzero digit, so the others
    stand in as 1.0 and only the rest are parsed (numpy's C parser, as float() reads them).
    """
    text = s.astype(str)
    match = text.str.match(NUMBER_RE.pattern).to_numpy(dtype=bool, na_value=False)
    values = np.where(match, 1.0, np.nan)
    long = text.str.contains("[eE]") | (text.str.len() > 300)
    risky = match & long.to_numpy(dtype=bool, na_value=False)
    values[risky] = text[risky].to_numpy(dtype=str).astype(np.float64)
    return match, values


def _vec_is_number_text(s: pd.Series) -> pd.Series:
    match, _ = _numbers(s)
    return pd.Series(match | (s == "").to_numpy(dtype=bool, na_value=False), index=s.index)


def _vec_no_overflow(s: pd.Series) -> pd.Series:
    match, values = _numbers(s)
    return pd.Series(~match | np.isfinite(values), index=s.index)


def _vec_no_underflow(s: pd.Series) -> pd.Series:
    """A written number that is not zero must not read as zero (1e-999 would)."""
    match, values = _numbers(s)
    mantissa = s.astype(str).str.replace("[eE].*", "", regex=True)
    nonzero = mantissa.str.contains("[1-9]").to_numpy(dtype=bool, na_value=False)
    return pd.Series(~match | (values != 0.0) | ~nonzero, index=s.index)


def _number_text() -> pa.Column:
    return pa.Column(
        str,
        checks=[
            pa.Check(_vec_is_number_text, error="must be a number"),
            pa.Check(_vec_no_overflow, error="number too large (overflows a 64-bit float)"),
            pa.Check(_vec_no_underflow, error="number too small (underflows to zero)"),
        ],
        nullable=False,
    )


def is_url(v: str) -> bool:
    """An http(s) URL with a host, whose markup characters (if any) are percent-encoded."""
    if not v or any(c.isspace() or not c.isprintable() or c in URL_FORBIDDEN for c in v):
        return False
    try:
        parts = urllib.parse.urlsplit(v)
        _ = parts.port  # raises ValueError on a malformed port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


_URL_RULE = (
    "must be an http(s) URL with a host and no unencoded spaces, quotes, parentheses or brackets"
)


_FACT_SCHEMA = pa.DataFrameSchema(
    {
        "entity": _col(_fn(lambda v: bool(SLUG_RE.match(v)), "must be a lowercase slug")),
        "metric": _col(_fn(lambda v: v in METRICS, "unknown metric id")),
        "period_end": _col(_fn(is_date, "must be a date YYYY-MM-DD")),
        "value": _number_text(),
        "unit": _col(_fn(lambda v: v in UNITS, f"must be one of {', '.join(sorted(UNITS))}")),
    },
    strict=False,
)
_EVENT_SCHEMA = pa.DataFrameSchema(
    {
        "date": _col(_fn(is_date, "must be a date YYYY-MM-DD")),
        "category": _col(
            _fn(lambda v: v in EVENT_CATEGORIES, f"must be one of {sorted(EVENT_CATEGORIES)}")
        ),
        "label": _col(_fn(lambda v: v.strip() != "", "must not be blank")),
        "source_id": _col(_fn(lambda v: v != "", "missing source_id")),
        "weights": _col(
            _fn(lambda v: v in EVENT_WEIGHTS, f"must be one of {sorted(EVENT_WEIGHTS)}")
        ),
        "importance": _col(
            _fn(lambda v: v in EVENT_IMPORTANCE, f"must be one of {sorted(EVENT_IMPORTANCE)}")
        ),
    },
    strict=False,
)
_SOURCE_SCHEMA = pa.DataFrameSchema(
    {
        "source_id": _col(_fn(lambda v: bool(SLUG_RE.match(v)), "must be a lowercase slug")),
        "title": _col(_fn(lambda v: v.strip() != "", "must not be blank")),
        "url": _col(_fn(is_url, _URL_RULE)),
        "published": _col(_fn(lambda v: v == "" or is_date(v), "must be a date YYYY-MM-DD")),
        "accessed": _col(_fn(is_date, "must be a date YYYY-MM-DD")),
        "kind": _col(_fn(lambda v: v in SOURCE_KINDS, f"must be one of {list(SOURCE_KINDS)}")),
        "via": _col(_fn(is_via, VIA_RULE)),
    },
    strict=False,
)
_COMMITMENT_SCHEMA = pa.DataFrameSchema(
    {
        "id": _col(_fn(lambda v: bool(SLUG_RE.match(v)), "must be a lowercase slug")),
        "date": _col(_fn(is_date, "must be a date YYYY-MM-DD")),
        "entity": _col(_fn(lambda v: bool(SLUG_RE.match(v)), "must be a lowercase slug")),
        "statement": _col(_fn(lambda v: v.strip() != "", "must not be blank")),
        "amount": _col(_fn(_is_number_text, "must be a number")),
        "unit": _col(_fn(lambda v: v == "" or v in UNITS, "must be a known unit")),
        "period_start": _col(_fn(lambda v: v == "" or is_date(v), "must be a date YYYY-MM-DD")),
        "period_end": _col(_fn(lambda v: v == "" or is_date(v), "must be a date YYYY-MM-DD")),
        "quote": _col(_fn(lambda v: v.strip() != "", "must quote the statement")),
        "status": _col(
            _fn(lambda v: v in COMMITMENT_STATUS, f"must be one of {sorted(COMMITMENT_STATUS)}")
        ),
        "source_id": _col(_fn(lambda v: v != "", "missing source_id")),
    },
    strict=False,
)
_DISCLOSURE_SCHEMA = pa.DataFrameSchema(
    {
        "entity": _col(_fn(lambda v: bool(SLUG_RE.match(v)), "must be a lowercase slug")),
        "kpi": _col(_fn(lambda v: v in KPI_IDS, f"must be one of {list(KPI_IDS)}")),
        "period_end": _col(_fn(is_date, "must be a date YYYY-MM-DD")),
        "status": _col(_fn(lambda v: v in STATUSES, f"must be one of {list(STATUSES)}")),
        "value": _col(_fn(_is_number_text, "must be a number")),
        "unit": _col(_fn(lambda v: v == "" or v in UNITS, "must be a known unit")),
        "source_id": _col(_fn(lambda v: v != "", "missing source_id")),
    },
    strict=False,
)
_PRICE_SCHEMA = pa.DataFrameSchema(
    {
        "ticker": _col(_fn(lambda v: v.strip() != "", "must not be blank")),
        "date": _col(_fn(is_date, "must be a date YYYY-MM-DD")),
        "close": _number_text(),
        "adj_close": _number_text(),
        "currency": _col(_fn(lambda v: v in CURRENCIES, f"must be one of {sorted(CURRENCIES)}")),
        "source_id": _col(_fn(lambda v: v != "", "missing source_id")),
    },
    strict=False,
)


def parse_csv(
    name: str, data: bytes, required: Iterable[str], optional: Iterable[str]
) -> tuple[pd.DataFrame, list[Problem]]:
    """Decode and parse one curated CSV into string columns plus its line numbers.

    Returns the frame (column `lineno` holds each record's first line in the file) and the
    file-level problems (encoding, CSV syntax, missing or unknown columns).
    """
    required, optional = tuple(required), tuple(optional)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        bad = data[exc.start : exc.start + 1].hex()
        return pd.DataFrame(), [Problem(name, line, "-", "not valid UTF-8", f"byte 0x{bad}")]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        header = next(reader, None)
        if header is None:
            return pd.DataFrame(), [Problem(name, 1, "-", "file is empty")]
        header = [h.strip() for h in header]
        start = reader.line_num + 1
        for rec in reader:
            if "".join(rec).strip():  # some cell is not blank
                rows.append(rec)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        return pd.DataFrame(), [Problem(name, reader.line_num, "-", f"CSV syntax error: {exc}")]
    problems = [Problem(name, 1, c, "required column missing") for c in required if c not in header]
    known = set(required) | set(optional)
    problems += [Problem(name, 1, c, "unknown column") for c in header if c not in known]
    if len(set(header)) != len(header):
        problems.append(Problem(name, 1, "-", "duplicate column names"))
    if problems:
        return pd.DataFrame(), problems
    rows, lines, problems = _of_width(name, rows, lines, len(header))
    frame = pd.DataFrame(rows, columns=header, dtype=str)
    del rows
    for col in (*required, *optional):
        if col not in frame:
            frame[col] = ""
    frame = frame.apply(lambda c: c.str.strip()) if len(frame) else frame
    frame[LINE] = lines
    return frame, problems + _nul_problems(name, frame)


def _of_width(
    name: str, rows: list[list[str]], lines: list[int], width: int
) -> tuple[list[list[str]], list[int], list[Problem]]:
    """The records with `width` fields (no copies when all have), and one problem per other."""
    problems = [
        Problem(name, ln, "-", f"expected {width} fields", str(len(rec)))
        for rec, ln in zip(rows, lines, strict=True)
        if len(rec) != width
    ]
    if problems:
        kept = [(r, ln) for r, ln in zip(rows, lines, strict=True) if len(r) == width]
        rows, lines = [r for r, _ in kept], [ln for _, ln in kept]
    return rows, lines, problems


def _nul_problems(name: str, frame: pd.DataFrame) -> list[Problem]:
    """A NUL in a cell makes a different key that prints the same (`9988.\\0HK`)."""
    out = []
    for col in frame.columns.drop(LINE):
        hit = frame[col].str.contains("\x00", regex=False)
        out += [
            Problem(name, int(ln), str(col), "must not contain a NUL character", repr(cell))
            for cell, ln in zip(frame.loc[hit, col], frame.loc[hit, LINE], strict=True)
        ]
    return out


def _schema_problems(name: str, frame: pd.DataFrame, schema: pa.DataFrameSchema) -> list[Problem]:
    if frame.empty:
        return []
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        out = []
        for case in exc.failure_cases.itertuples(index=False):
            idx = case.index
            line = int(frame[LINE].iloc[int(idx)]) if idx is not None else None
            got = "''" if case.failure_case == "" else str(case.failure_case)
            out.append(Problem(name, line, str(case.column), str(case.check), got))
        return sorted(out, key=lambda p: (p.line or 0, p.field))
    return []


def _bad_rows(problems: list[Problem], frame: pd.DataFrame) -> set[int]:
    return {p.line for p in problems if p.line is not None} & set(frame[LINE])


#: One finding of fact_rules: (row position, field, rule, got).
Finding = tuple[int, str, str, str]


def _blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return str(value).strip() == ""


def fact_rules(frame: pd.DataFrame) -> list[Finding]:
    """The figure rules every source's facts obey, curated or online.

    Metric and unit agree (a peer's amounts in its own currency); quarterly figures sit on the
    company's quarter ends with its own fiscal label,
    dated figures carry none; a blank value has a note saying why; a figure has a source. Rows
    whose metric or date is malformed are left to the column schemas. Vectorised: Python runs
    once per distinct metric, date or label, and once per finding.
    """
    if frame.empty:
        return []
    metric = frame["metric"].astype(str)
    keep = metric.isin(list(METRICS)).to_numpy(dtype=bool) & _distinct(
        frame["period_end"], is_date, na=False
    ).astype(bool)
    f = frame[keep]
    pos = np.flatnonzero(keep)
    metric = metric[keep]
    # A peer's capex and revenue are in its own currency; its quarters end on its own fiscal
    # calendar and carry its own labels. Worked out once per distinct entity and metric/date.
    entity = f["entity"].astype(str) if "entity" in f else pd.Series("alibaba", index=f.index)
    pair = entity + "|" + metric
    unit = pair.map({p: unit_of(*p.split("|", 1)) for p in pair.unique()})
    quarterly = (metric.map({m.id: m.kind for m in METRICS.values()}) == "quarterly").to_numpy()
    blank = _blank_cells(f, "value")
    found: list[tuple[int, int, str, str, str]] = []

    def add(
        order: int, mask: np.ndarray, field: str, rule: Callable[[int], tuple[str, str]]
    ) -> None:
        found.extend((int(pos[i]), order, field, *rule(int(i))) for i in np.flatnonzero(mask))

    units, ends = f["unit"].to_numpy(dtype=object), f["period_end"].to_numpy(dtype=object)
    ms, expected = metric.to_numpy(dtype=object), unit.to_numpy(dtype=object)
    add(
        0,
        units != expected,
        "unit",
        lambda i: (f"must be {expected[i]} for metric {ms[i]}", str(units[i])),
    )
    note_blank = _blank_cells(f, "note")
    add(1, blank & note_blank, "value", lambda i: ("blank value needs a note saying why", "''"))
    sid_blank = _blank_cells(f, "source_id")
    rule = "missing source_id (every figure needs one)"
    add(2, ~blank & sid_blank, "source_id", lambda i: (rule, "''"))
    values = f["value"]
    if pd.api.types.is_float_dtype(values.dtype):
        inf = np.isinf(values.to_numpy(dtype=float))
    elif values.dtype == object:
        inf = _distinct(values, lambda v: isinstance(v, float) and math.isinf(v), False)
        inf = inf.astype(bool)
    else:
        inf = np.zeros(len(f), dtype=bool)
    vals = values.to_numpy(dtype=object)
    add(3, ~blank & inf, "value", lambda i: ("must be a finite number", str(float(vals[i]))))
    fy_month = entity.map(
        {e: COMPANIES.get(e, COMPANIES["alibaba"]).fy_end_month for e in entity.unique()}
    )
    end_key = f["period_end"].astype(str) + "|" + fy_month.astype(str)
    qend = _distinct(end_key, _is_company_quarter_end).astype(bool)
    label = _distinct(end_key, _fiscal_label_or_blank)
    fiscal = (
        _distinct(f["fiscal_period"], lambda v: "" if _blank(v) else str(v), "")
        if "fiscal_period" in f
        else np.full(len(f), "", dtype=object)
    )
    add(4, quarterly & ~qend, "period_end", lambda i: ("must be a quarter end", str(ends[i])))
    add(
        4,
        quarterly & qend & (fiscal != label),
        "fiscal_period",
        lambda i: (f"must be {label[i]} for period_end {ends[i]}", fiscal[i] or "''"),
    )
    dated = ~quarterly & (fiscal != "")
    add(4, dated, "fiscal_period", lambda i: ("must be blank for a dated figure", fiscal[i]))
    found.sort(key=lambda x: (x[0], x[1]))
    return [(p, field, rule, got) for p, _, field, rule, got in found]


def _is_company_quarter_end(key: str) -> bool:
    """'YYYY-MM-DD|fiscal year end month' ends a quarter of that company's fiscal year."""
    text, month = key.split("|")
    return periods.is_company_quarter_end(periods.parse_date(text), int(month))


def _fiscal_label_or_blank(key: str) -> str:
    """The company's own fiscal label of 'YYYY-MM-DD|fiscal year end month', or ''."""
    text, month = key.split("|")
    day, fy = periods.parse_date(text), int(month)
    return periods.company_fiscal_label(day, fy) if periods.is_company_quarter_end(day, fy) else ""


def _blank_cells(frame: pd.DataFrame, col: str) -> np.ndarray:
    """_blank of every cell of a column (a missing column is blank)."""
    if col not in frame:
        return np.ones(len(frame), dtype=bool)
    s = frame[col]
    if pd.api.types.is_numeric_dtype(s.dtype):
        return s.isna().to_numpy()
    return _distinct(s, _blank).astype(bool)


def check_facts(name: str, frame: pd.DataFrame) -> list[Problem]:
    """Column and figure rules of one curated facts file (sources and duplicates are global)."""
    problems = _schema_problems(name, frame, _FACT_SCHEMA)
    bad = _bad_rows(problems, frame)
    good = frame[~frame[LINE].isin(bad)].reset_index(drop=True)
    lines = good[LINE].tolist()
    problems += [Problem(name, lines[pos], f, rule, got) for pos, f, rule, got in fact_rules(good)]
    return problems


def check_events(name: str, frame: pd.DataFrame) -> list[Problem]:
    """Column rules of one events file."""
    return _schema_problems(name, frame, _EVENT_SCHEMA)


def check_prices(name: str, frame: pd.DataFrame) -> list[Problem]:
    """Column rules of one daily-prices file, plus one close at least per row."""
    problems = _schema_problems(name, frame, _PRICE_SCHEMA)
    problems += duplicates(name, frame, ("ticker", "date"), field="date")
    both = (frame["close"] == "") & (frame["adj_close"] == "")
    problems += [
        Problem(name, int(line), "close", "needs close or adj_close", "''")
        for line in frame.loc[both, LINE]
    ]
    return problems


def check_disclosures(name: str, frame: pd.DataFrame) -> list[Problem]:
    """Column rules of one disclosures file: a `value` cell has a number, other cells none,
    and a cell that is not silent quotes its sentence."""
    problems = _schema_problems(name, frame, _DISCLOSURE_SCHEMA)
    problems += duplicates(name, frame, ("entity", "kpi", "period_end"), "kpi")
    status, value = frame["status"].astype(str), frame["value"].astype(str)
    wording = frame["wording"].astype(str).str.strip()
    rule = "a number goes with status value, and only with it"
    got = value.where(value != "", "''")
    return problems + _row_rules(
        name,
        frame,
        [
            ((status == "value") != (value != ""), "value", rule, got),
            ((status != "silent") & (wording == ""), "wording", "must quote the sentence", "''"),
        ],
    )


def _row_rules(
    name: str, frame: pd.DataFrame, rules: list[tuple[pd.Series, str, str, pd.Series | str]]
) -> list[Problem]:
    """One problem per row and failed rule (mask, field, rule, got), row by row in rule order;
    Python runs once per problem only."""
    found = []
    for order, (mask, field, rule, got) in enumerate(rules):
        hit = mask.to_numpy(dtype=bool, na_value=False)
        gots = got[hit] if isinstance(got, pd.Series) else [got] * int(hit.sum())
        found += [
            (int(pos), order, Problem(name, int(line), field, rule, str(g)))
            for pos, line, g in zip(np.flatnonzero(hit), frame.loc[hit, LINE], gots, strict=True)
        ]
    return [p for _, _, p in sorted(found, key=lambda x: (x[0], x[1]))]


def check_commitments(name: str, frame: pd.DataFrame) -> list[Problem]:
    """Column rules of one commitments file: unique ids, an amount with its unit, a revision
    that names a statement of the same file, and a period that ends after it starts."""
    problems = _schema_problems(name, frame, _COMMITMENT_SCHEMA)
    problems += duplicates(name, frame, ("id",), "id")
    text = {c: frame[c].astype(str) for c in ("id", "amount", "unit", "supersedes")}
    start, end = frame["period_start"].astype(str), frame["period_end"].astype(str)
    sup = text["supersedes"]
    dated = _distinct(start, is_date, False).astype(bool) & _distinct(end, is_date, False).astype(
        bool
    )
    return problems + _row_rules(
        name,
        frame,
        [
            (
                (text["amount"] != "") & (text["unit"] == ""),
                "unit",
                "an amount needs its unit",
                "''",
            ),
            (
                (sup != "") & ~sup.isin(list(set(frame["id"]))),
                "supersedes",
                "must name the id of another statement in this file",
                sup,
            ),
            (sup == text["id"], "supersedes", "cannot revise itself", text["id"]),
            (dated & (end < start), "period_end", "ends before it starts", end),
        ],
    )


def check_sources(name: str, frame: pd.DataFrame) -> list[Problem]:
    """Column rules of the sources table, and unique ids."""
    problems = _schema_problems(name, frame, _SOURCE_SCHEMA)
    problems += duplicates(name, frame, ("source_id",), field="source_id")
    return problems


def duplicates(
    name: str, frame: pd.DataFrame, key: tuple[str, ...], field: str = "metric"
) -> list[Problem]:
    """One problem per row whose key repeats an earlier row's key, reported on `field`."""
    if frame.empty:
        return []
    again = frame.duplicated(list(key), keep="first")
    first = frame.groupby(list(key), sort=False, dropna=False)[LINE].transform("first")
    return [
        Problem(
            name,
            int(line),
            field,
            f"duplicate key ({', '.join(key)}) also on line {int(at)}",
            "/".join(str(v) for v in k),
        )
        for line, at, *k in zip(
            frame.loc[again, LINE], first[again], *(frame.loc[again, c] for c in key), strict=True
        )
    ]


def unknown_sources(name: str, frame: pd.DataFrame, known: set[str]) -> list[Problem]:
    """One problem per row whose source_id is not in the sources table."""
    sid = frame["source_id"]
    bad = (sid != "") & ~sid.isin(list(known))
    return [
        Problem(name, int(line), "source_id", "unknown source (not in sources.csv)", str(s))
        for s, line in zip(sid[bad], frame.loc[bad, LINE], strict=True)
    ]


# -- tidy tables of any source ---------------------------------------------------------------


def _text(error: str, fn: Callable[[str], bool]) -> pa.Column:
    return pa.Column(None, checks=_fn(lambda v: isinstance(v, str) and fn(v), error))


def _number(error: str) -> pa.Column:
    def ok(v: object) -> bool:
        return isinstance(v, int | float) and not isinstance(v, bool) and not math.isinf(v)

    return pa.Column(None, checks=_fn(ok, error), nullable=True)


def _any_text(v: str) -> bool:
    return True


_TIDY: dict[str, pa.DataFrameSchema] = {
    "facts": pa.DataFrameSchema(
        {
            "entity": _text("must be a lowercase slug", lambda v: bool(SLUG_RE.match(v))),
            "metric": _text("unknown metric id", lambda v: v in METRICS),
            "period_end": _text("must be a date YYYY-MM-DD", is_date),
            "value": _number("must be a finite number or blank"),
            "unit": _text(f"must be one of {', '.join(sorted(UNITS))}", lambda v: v in UNITS),
            "basis": _text(f"must be one of {sorted(BASES)}", lambda v: v in BASES),
            "owner": _text("must name the source", lambda v: v != ""),
            **{c: _text("must be text", _any_text) for c in ("fiscal_period", "subject", "note")},
        },
        strict=False,
    ),
    "disclosures": pa.DataFrameSchema(
        {
            "entity": _text("must be a lowercase slug", lambda v: bool(SLUG_RE.match(v))),
            "kpi": _text(f"must be one of {list(KPI_IDS)}", lambda v: v in KPI_IDS),
            "period_end": _text("must be a date YYYY-MM-DD", is_date),
            "status": _text(f"must be one of {list(STATUSES)}", lambda v: v in STATUSES),
            "value": _number("must be a finite number or blank"),
            "owner": _text("must name the source", lambda v: v != ""),
        },
        strict=False,
    ),
    "commitments": pa.DataFrameSchema(
        {
            "id": _text("must be a lowercase slug", lambda v: bool(SLUG_RE.match(v))),
            "date": _text("must be a date YYYY-MM-DD", is_date),
            "entity": _text("must be a lowercase slug", lambda v: bool(SLUG_RE.match(v))),
            "amount": _number("must be a finite number or blank"),
            "status": _text(
                f"must be one of {sorted(COMMITMENT_STATUS)}", lambda v: v in COMMITMENT_STATUS
            ),
            "quote": _text("must quote the statement", lambda v: v.strip() != ""),
            "source_id": _text("missing source_id", lambda v: v != ""),
            "owner": _text("must name the source", lambda v: v != ""),
        },
        strict=False,
    ),
    "prices_daily": pa.DataFrameSchema(
        {
            "ticker": _text("must not be blank", lambda v: v.strip() != ""),
            "date": _text("must be a date YYYY-MM-DD", is_date),
            "close": _number("must be a finite number or blank"),
            "adj_close": _number("must be a finite number or blank"),
            "currency": _text(f"must be one of {sorted(CURRENCIES)}", lambda v: v in CURRENCIES),
            "source_id": _text("missing source_id", lambda v: v != ""),
            "owner": _text("must name the source", lambda v: v != ""),
        },
        strict=False,
    ),
    "events": pa.DataFrameSchema(
        {
            "date": _text("must be a date YYYY-MM-DD", is_date),
            "category": _text(
                f"must be one of {sorted(EVENT_CATEGORIES)}", lambda v: v in EVENT_CATEGORIES
            ),
            "label": _text("must not be blank", lambda v: v.strip() != ""),
            "source_id": _text("missing source_id", lambda v: v != ""),
            "weights": _text(
                f"must be one of {sorted(EVENT_WEIGHTS)}", lambda v: v in EVENT_WEIGHTS
            ),
            "importance": _text(
                f"must be one of {sorted(EVENT_IMPORTANCE)}", lambda v: v in EVENT_IMPORTANCE
            ),
            "owner": _text("must name the source", lambda v: v != ""),
        },
        strict=False,
    ),
    "sources": pa.DataFrameSchema(
        {
            "source_id": _text("must be a lowercase slug", lambda v: bool(SLUG_RE.match(v))),
            "title": _text("must not be blank", lambda v: v.strip() != ""),
            "url": _text(_URL_RULE, is_url),
            "kind": _text(f"must be one of {list(SOURCE_KINDS)}", lambda v: v in SOURCE_KINDS),
            "via": _text(VIA_RULE, is_via),
            "owner": _text("must name the source", lambda v: v != ""),
        },
        strict=False,
    ),
}


def _where(source: str, table: str, frame: pd.DataFrame, pos: int) -> tuple[str, int]:
    """Where a tidy row came from: its curated file and line, else the source, table and row."""
    if "origin" in frame.columns:
        m = ORIGIN_RE.match(str(frame["origin"].iloc[pos]))
        if m:
            return m.group("file"), int(m.group("line"))
    return f"source {source}, table {table}", pos + 1


def check_tables(source: str, tables: dict[str, pd.DataFrame]) -> list[Problem]:
    """Every table a source delivered against the vintage's schemas, keys and figure rules.

    Curated and online sources go through the same checks, so a Yahoo or Hub answer with an
    unknown metric, a wrong unit, a bad date, NaN closes or two rows for one key never reaches
    a vintage.
    """
    out: list[Problem] = []
    for name, frame in tables.items():
        if frame.empty:
            continue
        flat = frame.reset_index(drop=True)
        out += _tidy_schema(source, name, flat)
        for col in flat.columns:
            nul = flat[col].map(lambda x: isinstance(x, str) and "\x00" in x).astype(bool)
            for pos in flat.index[nul]:
                file, line = _where(source, name, flat, int(pos))
                got = repr(flat.at[pos, col])
                out.append(Problem(file, line, str(col), "must not contain a NUL character", got))
        key = list(TABLES[name].key)
        for pos in flat.index[flat.duplicated(key, keep="first")]:
            file, line = _where(source, name, flat, int(pos))
            got = "/".join(str(flat.at[pos, c]) for c in key)
            out.append(Problem(file, line, key[0], f"duplicate key ({', '.join(key)})", got))
        if name == "facts":
            for pos, field, rule, got in fact_rules(flat):
                file, line = _where(source, name, flat, pos)
                out.append(Problem(file, line, field, rule, got))
        if name == "prices_daily":
            both = flat["close"].isna() & flat["adj_close"].isna()
            for pos in flat.index[both]:
                file, line = _where(source, name, flat, int(pos))
                out.append(Problem(file, line, "close", "needs close or adj_close", "NaN"))
    return out


def _tidy_schema(source: str, table: str, frame: pd.DataFrame) -> list[Problem]:
    try:
        _TIDY[table].validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        out = []
        for case in exc.failure_cases.itertuples(index=False):
            if case.index is None:
                out.append(
                    Problem(
                        f"source {source}, table {table}", None, str(case.column), str(case.check)
                    )
                )
                continue
            file, line = _where(source, table, frame, int(case.index))
            out.append(
                Problem(file, line, str(case.column), str(case.check), str(case.failure_case))
            )
        return out
    return []
