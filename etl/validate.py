"""Validation: the pandera models of etl.schemas plus the figure rules, for curated files and every
source's tables.

Every problem becomes one line `data/<file>:<line> field '<name>': <rule> (got <value>)`, and
all problems are collected before anything is published. Curated CSV files are checked as text
first against their file model (so a bad cell is reported in its file and line); then the tidy
tables of every source, curated or online, go through the tidy models and the same figure rules
(`fact_rules`).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import pandera.pandas as pa

from etl import periods
from etl.errors import Problem
from etl.models import COMPANIES, METRICS, unit_of
from etl.schemas import (
    FILE_MODELS,
    GITHUB_PINNED_RE,
    TIDY_MODELS,
    CommitmentsFile,
    DisclosuresFile,
    EventsFile,
    FactsFile,
    PricesFile,
    SourcesFile,
    file_columns,
    is_date,
    is_url,
    is_via,
    problems,
)
from etl.schemas import distinct as _distinct

__all__ = [
    "FILE_MODELS",
    "GITHUB_PINNED_RE",
    "LINE",
    "ORIGIN_RE",
    "check_tables",
    "fact_rules",
    "file_columns",
    "is_date",
    "is_url",
    "is_via",
    "parse_csv",
]

LINE = "lineno"
ORIGIN_RE = re.compile(r"^(?P<file>[^:]+\.csv):(?P<line>\d+)")


def parse_csv(
    name: str, data: bytes, model: type[pa.DataFrameModel]
) -> tuple[pd.DataFrame, list[Problem]]:
    """Decode and parse one curated CSV into string columns plus its line numbers.

    Returns the frame (column `lineno` holds each record's first line in the file) and the
    file-level problems (encoding, CSV syntax, missing or unknown columns of the file model).
    """
    required, optional = file_columns(model)
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


def _file_problems(name: str, frame: pd.DataFrame, model: type[pa.DataFrameModel]) -> list[Problem]:
    """A curated file's frame against its file model, each problem at its line."""
    lines = frame[LINE].reset_index(drop=True)
    body = frame.drop(columns=[LINE]).reset_index(drop=True)
    return problems(model, body, name, lambda pos: (name, int(lines.iloc[pos])), lines)


def check_facts(name: str, frame: pd.DataFrame) -> list[Problem]:
    """Column rules and key of one curated facts file, then the figure rules on the rows whose
    columns are well formed (sources and keys across files are global)."""
    problems = _file_problems(name, frame, FactsFile)
    bad = {p.line for p in problems if not p.rule.startswith("duplicate key")}
    good = frame[~frame[LINE].isin(bad)].reset_index(drop=True)
    lines = good[LINE].tolist()
    problems += [Problem(name, lines[pos], f, rule, got) for pos, f, rule, got in fact_rules(good)]
    return problems


def check_events(name: str, frame: pd.DataFrame) -> list[Problem]:
    """Column rules of one events file."""
    return _file_problems(name, frame, EventsFile)


def check_prices(name: str, frame: pd.DataFrame) -> list[Problem]:
    """Column rules of one daily-prices file, its key, and one close at least per row."""
    return _file_problems(name, frame, PricesFile)


def check_disclosures(name: str, frame: pd.DataFrame) -> list[Problem]:
    """Column rules of one disclosures file: a `value` cell has a number, other cells none,
    and a cell that is not silent quotes its sentence."""
    return _file_problems(name, frame, DisclosuresFile)


def check_commitments(name: str, frame: pd.DataFrame) -> list[Problem]:
    """Column rules of one commitments file: unique ids, an amount with its unit, a revision
    that names a statement of the same file, and a period that ends after it starts."""
    return _file_problems(name, frame, CommitmentsFile)


def check_sources(name: str, frame: pd.DataFrame) -> list[Problem]:
    """Column rules of the sources table, and unique ids."""
    return _file_problems(name, frame, SourcesFile)


def unknown_sources(name: str, frame: pd.DataFrame, known: set[str]) -> list[Problem]:
    """One problem per row whose source_id is not in the sources table."""
    sid = frame["source_id"]
    bad = (sid != "") & ~sid.isin(list(known))
    return [
        Problem(name, int(line), "source_id", "unknown source (not in sources.csv)", str(s))
        for s, line in zip(sid[bad], frame.loc[bad, LINE], strict=True)
    ]


# -- tidy tables of any source ---------------------------------------------------------------

# -- tidy tables of any source ---------------------------------------------------------------


def _where(source: str, table: str, frame: pd.DataFrame, pos: int) -> tuple[str, int]:
    """Where a tidy row came from: its curated file and line, else the source, table and row."""
    if "origin" in frame.columns:
        m = ORIGIN_RE.match(str(frame["origin"].iloc[pos]))
        if m:
            return m.group("file"), int(m.group("line"))
    return f"source {source}, table {table}", pos + 1


def check_tables(source: str, tables: dict[str, pd.DataFrame]) -> list[Problem]:
    """Every table a source delivered against its tidy model (columns, types, key, row rules),
    the NUL rule and the figure rules.

    Curated and online sources go through the same checks, so a Yahoo or Hub answer with an
    unknown metric, a wrong unit, a bad date, NaN closes or two rows for one key never reaches
    a vintage.
    """
    out: list[Problem] = []
    for name, frame in tables.items():
        if frame.empty:
            continue
        flat = frame.reset_index(drop=True)

        def locate(pos: int, name: str = name, flat: pd.DataFrame = flat) -> tuple[str, int]:
            return _where(source, name, flat, pos)

        out += problems(TIDY_MODELS[name], flat, f"source {source}, table {name}", locate)
        for col in flat.columns:
            for at in np.flatnonzero(_has_nul(flat[col])).tolist():
                file, line = locate(at)
                got = repr(flat[col].iloc[at])
                out.append(Problem(file, line, str(col), "must not contain a NUL character", got))
        if name == "facts":
            for pos, field, rule, got in fact_rules(flat):
                file, line = locate(pos)
                out.append(Problem(file, line, field, rule, got))
    return out


def _has_nul(s: pd.Series) -> np.ndarray:
    """Text cells holding a NUL character (a different key that prints the same)."""
    if pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
        return np.zeros(len(s), dtype=bool)
    hit = s.str.contains("\x00", regex=False) if _all_text(s) else _distinct(s, _nul, False)
    out: np.ndarray = np.asarray(hit, dtype=object) == True  # noqa: E712 (NaN, None: no hit)
    return out


def _all_text(s: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(s.dtype) and not pd.api.types.is_object_dtype(s.dtype)


def _nul(v: object) -> bool:
    return isinstance(v, str) and "\x00" in v
