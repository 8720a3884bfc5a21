"""Validation of curated tables: pandera column schemas plus cross-column rules.

Every problem becomes one line `data/<file>:<line> field '<name>': <rule> (got <value>)`, and
all problems of all files are collected before anything is published.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

import pandas as pd
import pandera.pandas as pa

from etl import periods
from etl.errors import Problem
from etl.models import EVENT_CATEGORIES, METRICS, SOURCE_KINDS, UNITS

LINE = "lineno"
NUMBER_RE = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_]*$")

FACT_REQUIRED = ("entity", "metric", "period_end", "value", "unit", "source_id")
FACT_OPTIONAL = ("fiscal_period", "locator", "quote", "note")
EVENT_REQUIRED = ("date", "category", "label", "source_id")
EVENT_OPTIONAL = ("detail", "note")
SOURCE_REQUIRED = ("source_id", "title", "publisher", "url", "published", "accessed", "kind")
SOURCE_OPTIONAL = ("note",)


def _is_date(v: str) -> bool:
    try:
        periods.parse_date(v)
    except ValueError:
        return False
    return True


def _col(check: pa.Check) -> pa.Column:
    return pa.Column(str, checks=check, nullable=False)


def _fn(fn: object, error: str) -> pa.Check:
    return pa.Check(fn, element_wise=True, error=error)  # type: ignore[arg-type]


_FACT_SCHEMA = pa.DataFrameSchema(
    {
        "entity": _col(_fn(lambda v: bool(SLUG_RE.match(v)), "must be a lowercase slug")),
        "metric": _col(_fn(lambda v: v in METRICS, "unknown metric id")),
        "period_end": _col(_fn(_is_date, "must be a date YYYY-MM-DD")),
        "value": _col(_fn(lambda v: v == "" or bool(NUMBER_RE.match(v)), "must be a number")),
        "unit": _col(_fn(lambda v: v in UNITS, f"must be one of {', '.join(sorted(UNITS))}")),
    },
    strict=False,
)
_EVENT_SCHEMA = pa.DataFrameSchema(
    {
        "date": _col(_fn(_is_date, "must be a date YYYY-MM-DD")),
        "category": _col(
            _fn(lambda v: v in EVENT_CATEGORIES, f"must be one of {sorted(EVENT_CATEGORIES)}")
        ),
        "label": _col(_fn(lambda v: v.strip() != "", "must not be blank")),
        "source_id": _col(_fn(lambda v: v != "", "missing source_id")),
    },
    strict=False,
)
_SOURCE_SCHEMA = pa.DataFrameSchema(
    {
        "source_id": _col(_fn(lambda v: bool(SLUG_RE.match(v)), "must be a lowercase slug")),
        "title": _col(_fn(lambda v: v.strip() != "", "must not be blank")),
        "url": _col(_fn(lambda v: v.startswith(("https://", "http://")), "must be an http(s) URL")),
        "published": _col(_fn(lambda v: v == "" or _is_date(v), "must be a date YYYY-MM-DD")),
        "accessed": _col(_fn(_is_date, "must be a date YYYY-MM-DD")),
        "kind": _col(_fn(lambda v: v in SOURCE_KINDS, f"must be one of {sorted(SOURCE_KINDS)}")),
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
            if any(cell.strip() for cell in rec):
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
    for rec, ln in zip(rows, lines, strict=True):
        if len(rec) != len(header):
            problems.append(Problem(name, ln, "-", f"expected {len(header)} fields", str(len(rec))))
    good = [(r, ln) for r, ln in zip(rows, lines, strict=True) if len(r) == len(header)]
    frame = pd.DataFrame([r for r, _ in good], columns=header, dtype=str)
    for col in (*required, *optional):
        if col not in frame:
            frame[col] = ""
    frame = frame.apply(lambda c: c.str.strip()) if len(frame) else frame
    frame[LINE] = [ln for _, ln in good]
    return frame, problems


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


def check_facts(name: str, frame: pd.DataFrame) -> list[Problem]:
    """Column and cross-column rules of one facts file (sources and duplicates are global)."""
    problems = _schema_problems(name, frame, _FACT_SCHEMA)
    bad = _bad_rows(problems, frame)
    for row in frame.itertuples(index=False):
        line = getattr(row, LINE)
        if line in bad:
            continue
        problems += _row_rules(name, line, row._asdict())
    return problems


def _row_rules(name: str, line: int, row: dict[str, str]) -> list[Problem]:
    m = METRICS[row["metric"]]
    out: list[Problem] = []
    if row["unit"] != m.unit:
        out.append(Problem(name, line, "unit", f"must be {m.unit} for metric {m.id}", row["unit"]))
    if row["value"] == "" and row.get("note", "") == "":
        out.append(Problem(name, line, "value", "blank value needs a note saying why", "''"))
    if row["value"] != "" and row["source_id"] == "":
        out.append(
            Problem(name, line, "source_id", "missing source_id (every figure needs one)", "''")
        )
    end = periods.parse_date(row["period_end"])
    fiscal = row.get("fiscal_period", "")
    if m.kind == "quarterly":
        if not periods.is_quarter_end(end):
            out.append(
                Problem(name, line, "period_end", "must be a quarter end", row["period_end"])
            )
        elif fiscal != periods.fiscal_label(end):
            rule = f"must be {periods.fiscal_label(end)} for period_end {row['period_end']}"
            out.append(Problem(name, line, "fiscal_period", rule, fiscal or "''"))
    elif fiscal:
        out.append(Problem(name, line, "fiscal_period", "must be blank for a dated figure", fiscal))
    return out


def check_events(name: str, frame: pd.DataFrame) -> list[Problem]:
    """Column rules of one events file."""
    return _schema_problems(name, frame, _EVENT_SCHEMA)


def check_sources(name: str, frame: pd.DataFrame) -> list[Problem]:
    """Column rules of the sources table, and unique ids."""
    problems = _schema_problems(name, frame, _SOURCE_SCHEMA)
    problems += duplicates(name, frame, ("source_id",))
    return problems


def duplicates(name: str, frame: pd.DataFrame, key: tuple[str, ...]) -> list[Problem]:
    """One problem per row whose key repeats an earlier row's key."""
    seen: dict[tuple[str, ...], int] = {}
    out = []
    for row in frame.itertuples(index=False):
        k = tuple(getattr(row, c) for c in key)
        line = getattr(row, LINE)
        if k in seen:
            rule = f"duplicate key ({', '.join(key)}) also on line {seen[k]}"
            out.append(
                Problem(name, line, key[-1] if len(key) == 1 else "metric", rule, "/".join(k))
            )
        else:
            seen[k] = line
    return out


def unknown_sources(name: str, frame: pd.DataFrame, known: set[str]) -> list[Problem]:
    """One problem per row whose source_id is not in the sources table."""
    return [
        Problem(
            name, getattr(r, LINE), "source_id", "unknown source (not in sources.csv)", r.source_id
        )
        for r in frame.itertuples(index=False)
        if r.source_id and r.source_id not in known
    ]
