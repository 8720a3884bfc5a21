"""pandera models of every table, declared once: the CSV text of a curated file, and the tidy table.

Each table has a *file* model, which checks a curated CSV as text (every cell a string, so a bad
cell is reported at its file, line and field), and a *tidy* model that builds on it by
inheritance: the same rules, typed number columns, the source's `owner`, `Config.strict` and the
table's key in `Config.unique`. Every source's tables, curated or online, go through the tidy
model (etl.validate.check_tables). Column order and keys come from `etl.models.TABLES`, which
the store and the dashboard read without importing pandera (a one-second import).

Every check is vectorised: pandas string methods and `isin`, or a function called once per
distinct value (`_distinct`: ids, dates and units repeat), so validation grows with the rows at
C speed. `problems()` is the one place that turns pandera's failure cases into `Problem`s.
"""

from __future__ import annotations

import math
import re
import urllib.parse
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from etl import periods
from etl.disclosures import KPI_IDS, STATUSES
from etl.errors import Problem
from etl.models import (
    BASES,
    COMMITMENT_STATUS,
    COMMITMENTS,
    DISCLOSURES,
    EVENT_CATEGORIES,
    EVENT_IMPORTANCE,
    EVENT_WEIGHTS,
    EVENTS,
    FACTS,
    METRICS,
    PRICES,
    SOURCE_KINDS,
    SOURCES,
    UNITS,
    Table,
)

# [0-9], not \d: \d matches every Unicode digit (１２３, ٣), which the float parser then drops.
NUMBER_RE = re.compile(r"^-?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$")
#: Characters a source URL may not hold unencoded: they end a markdown link or open markup.
URL_FORBIDDEN = frozenset("()[]<>\"'`\\")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_]*$")
#: A repository copy is named by repository, path and commit: a GitHub file URL pinned to a commit.
GITHUB_PINNED_RE = re.compile(r"^https://github\.com/[^/\s]+/[^/\s]+/blob/[0-9a-f]{40}/\S+$")
CURRENCIES = frozenset({"USD", "HKD", "CNY", "RMB_per_USD", "RMB_per_HKD"})

SLUG = "must be a lowercase slug"
DATE = "must be a date YYYY-MM-DD"
NOT_BLANK = "must not be blank"
MISSING_SOURCE = "missing source_id"
NUMBER = "must be a number"
FINITE = "must be a finite number or blank"
OWNER = "must name the source"
URL_RULE = (
    "must be an http(s) URL with a host and no unencoded spaces, quotes, parentheses or brackets"
)
VIA_RULE = "must be blank or an http(s) URL (a GitHub file pinned to a 40-hex commit)"


def is_date(v: object) -> bool:
    """True for a real calendar date written YYYY-MM-DD."""
    try:
        periods.parse_date(str(v))
    except ValueError:
        return False
    return True


def is_via(v: str) -> bool:
    """Blank, or an http(s) URL without whitespace; a GitHub copy pinned to a commit."""
    if v == "":
        return True
    if not v.startswith(("https://", "http://")) or any(c.isspace() for c in v):
        return False
    return not v.split("/")[2].endswith("github.com") or bool(GITHUB_PINNED_RE.match(v))


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


def _null(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def distinct(s: pd.Series, fn: Callable[[Any], Any], na: object = True) -> np.ndarray:
    """fn once per distinct value of s, spread back over its cells (null cells get `na`).

    Ids, dates, units and metrics repeat, so the Python calls grow with the distinct values,
    not with the cells: validation stays linear in rows at C speed.
    """
    try:
        codes, uniques = pd.factorize(s)
    except TypeError:  # unhashable cells (a list in an online answer): one call per cell
        return np.array([na if _null(v) else fn(v) for v in s], dtype=object)
    return np.array([*(fn(u) for u in uniques), na], dtype=object)[codes]


def _each(s: pd.Series, fn: Callable[[str], bool]) -> pd.Series:
    """fn over the text cells of s, once per distinct value; a cell that is not text fails."""
    ok = distinct(s, lambda v: isinstance(v, str) and fn(v))
    return pd.Series(ok.astype(bool), index=s.index)


def _text(s: pd.Series) -> pd.Series:
    """The cells as text (a cell that is not text reads as a NUL, which no rule accepts)."""
    if pd.api.types.is_string_dtype(s.dtype) and not pd.api.types.is_object_dtype(s.dtype):
        return s.fillna("\x00")
    return s.where(_each(s, lambda v: True), "\x00").astype(str)


def slug(s: pd.Series) -> pd.Series:
    """Lowercase slugs."""
    return _text(s).str.fullmatch(SLUG_RE.pattern)


def filled(s: pd.Series) -> pd.Series:
    """Text that is not blank."""
    return _text(s).str.strip().ne("")


def one_of(s: pd.Series, allowed: frozenset[str] | tuple[str, ...]) -> pd.Series:
    """Text among the allowed values."""
    return _text(s).isin(list(allowed))


def dates(s: pd.Series, blank: bool = False) -> pd.Series:
    """Real dates YYYY-MM-DD (and blanks, when allowed)."""
    return _each(s, lambda v: (blank and v == "") or is_date(v))


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


def number_text(s: pd.Series) -> pd.Series:
    """A number as written (or blank)."""
    match, _ = _numbers(s)
    return pd.Series(match | (s == "").to_numpy(dtype=bool, na_value=False), index=s.index)


def no_overflow(s: pd.Series) -> pd.Series:
    """A written number that fits a 64-bit float."""
    match, values = _numbers(s)
    return pd.Series(~match | np.isfinite(values), index=s.index)


def no_underflow(s: pd.Series) -> pd.Series:
    """A written number that is not zero must not read as zero (1e-999 would)."""
    match, values = _numbers(s)
    mantissa = s.astype(str).str.replace("[eE].*", "", regex=True)
    nonzero = mantissa.str.contains("[1-9]").to_numpy(dtype=bool, na_value=False)
    return pd.Series(~match | (values != 0.0) | ~nonzero, index=s.index)


def finite(s: pd.Series) -> pd.Series:
    """A number that is not infinite (blank is fine; what is no number the dtype reports)."""
    values = pd.to_numeric(s, errors="coerce") if not pd.api.types.is_bool_dtype(s) else s
    return pd.Series(~np.isinf(np.asarray(values, dtype=float)), index=s.index)


def blank(s: pd.Series) -> pd.Series:
    """Blank cells: missing, NaN or empty text."""
    if pd.api.types.is_numeric_dtype(s.dtype):
        return s.isna()
    return s.isna() | _text(s).str.strip().eq("")


def _key(table: Table) -> list[str]:
    """The key of a curated file: its table's key without the owner (one file, one owner)."""
    return list(table.figure_key)


# -- sources --------------------------------------------------------------------------------


class SourcesFile(pa.DataFrameModel):
    """`sources.csv`: one document a row, keyed by source_id."""

    source_id: Series[str]
    title: Series[str]
    publisher: Series[str]
    url: Series[str]
    published: Series[str]
    accessed: Series[str]
    kind: Series[str]
    note: Series[str] | None
    via: Series[str] | None

    class Config:
        strict = True
        unique = _key(SOURCES)

    @pa.check("source_id", error=SLUG)
    def _source_id(cls, s: pd.Series) -> pd.Series:
        return slug(s)

    @pa.check("title", error=NOT_BLANK)
    def _title(cls, s: pd.Series) -> pd.Series:
        return filled(s)

    @pa.check("url", error=URL_RULE)
    def _url(cls, s: pd.Series) -> pd.Series:
        return _each(s, is_url)

    @pa.check("published", error=DATE)
    def _published(cls, s: pd.Series) -> pd.Series:
        return dates(s, blank=True)

    @pa.check("accessed", error=DATE)
    def _accessed(cls, s: pd.Series) -> pd.Series:
        return dates(s)

    @pa.check("kind", error=f"must be one of {list(SOURCE_KINDS)}")
    def _kind(cls, s: pd.Series) -> pd.Series:
        return one_of(s, SOURCE_KINDS)

    @pa.check("via", error=VIA_RULE)
    def _via(cls, s: pd.Series) -> pd.Series:
        return _each(s, is_via)


class SourcesTidy(SourcesFile):
    """The sources table of a vintage."""

    via: Series[str]
    owner: Series[str]

    class Config:
        strict = True
        unique = list(SOURCES.key)

    @pa.check("owner", error=OWNER)
    def _owner(cls, s: pd.Series) -> pd.Series:
        return filled(s)


# -- facts ----------------------------------------------------------------------------------


class FactsFile(pa.DataFrameModel):
    """A curated figures file (financials/, statements/, adoption/): one figure a row.

    The figure rules that name the expected value in their message (the unit of a metric, the
    fiscal label of a quarter end) are etl.validate.fact_rules, run on the rows that pass these.
    """

    entity: Series[str]
    metric: Series[str]
    period_end: Series[str]
    value: Series[str]
    unit: Series[str]
    source_id: Series[str]
    fiscal_period: Series[str] | None
    subject: Series[str] | None
    locator: Series[str] | None
    quote: Series[str] | None
    note: Series[str] | None
    basis: Series[str] | None

    class Config:
        strict = True
        unique = _key(FACTS)

    @pa.check("entity", error=SLUG)
    def _entity(cls, s: pd.Series) -> pd.Series:
        return slug(s)

    @pa.check("metric", error="unknown metric id")
    def _metric(cls, s: pd.Series) -> pd.Series:
        return one_of(s, tuple(METRICS))

    @pa.check("period_end", error=DATE)
    def _period_end(cls, s: pd.Series) -> pd.Series:
        return dates(s)

    @pa.check("value", error=NUMBER)
    def _value(cls, s: pd.Series) -> pd.Series:
        return number_text(s)

    @pa.check("value", error="number too large (overflows a 64-bit float)")
    def _value_overflow(cls, s: pd.Series) -> pd.Series:
        return no_overflow(s)

    @pa.check("value", error="number too small (underflows to zero)")
    def _value_underflow(cls, s: pd.Series) -> pd.Series:
        return no_underflow(s)

    @pa.check("unit", error=f"must be one of {', '.join(sorted(UNITS))}")
    def _unit(cls, s: pd.Series) -> pd.Series:
        return one_of(s, UNITS)


class FactsTidy(FactsFile):
    """The facts table of a vintage (CONTRACT.md names its first eight columns)."""

    value: Series[float] = pa.Field(nullable=True, coerce=True)
    fiscal_period: Series[str]
    source_url: Series[str]
    basis: Series[str]
    subject: Series[str]
    note: Series[str]
    origin: Series[str]
    owner: Series[str]

    class Config:
        strict = True
        unique = list(FACTS.key)

    @pa.check("value", error=FINITE)
    def _value(cls, s: pd.Series) -> pd.Series:
        return finite(s)

    # A typed number has no text to overflow or underflow: the file's two text rules give way.
    @pa.check("value", error=FINITE)
    def _value_overflow(cls, s: pd.Series) -> pd.Series:
        return pd.Series(True, index=s.index)

    @pa.check("value", error=FINITE)
    def _value_underflow(cls, s: pd.Series) -> pd.Series:
        return pd.Series(True, index=s.index)

    @pa.check("basis", error=f"must be one of {sorted(BASES)}")
    def _basis(cls, s: pd.Series) -> pd.Series:
        return one_of(s, BASES)

    @pa.check("owner", error=OWNER)
    def _owner(cls, s: pd.Series) -> pd.Series:
        return filled(s)


# -- events ---------------------------------------------------------------------------------


class EventsFile(pa.DataFrameModel):
    """A curated events file: one dated event a row."""

    date: Series[str]
    category: Series[str]
    label: Series[str]
    source_id: Series[str]
    detail: Series[str] | None
    note: Series[str] | None
    weights: Series[str] | None
    importance: Series[str] | None

    class Config:
        strict = True

    @pa.check("date", error=DATE)
    def _date(cls, s: pd.Series) -> pd.Series:
        return dates(s)

    @pa.check("category", error=f"must be one of {sorted(EVENT_CATEGORIES)}")
    def _category(cls, s: pd.Series) -> pd.Series:
        return one_of(s, EVENT_CATEGORIES)

    @pa.check("label", error=NOT_BLANK)
    def _label(cls, s: pd.Series) -> pd.Series:
        return filled(s)

    @pa.check("source_id", error=MISSING_SOURCE)
    def _source_id(cls, s: pd.Series) -> pd.Series:
        return _text(s).ne("")

    @pa.check("weights", error=f"must be one of {sorted(EVENT_WEIGHTS)}")
    def _weights(cls, s: pd.Series) -> pd.Series:
        return one_of(s, EVENT_WEIGHTS)

    @pa.check("importance", error=f"must be one of {sorted(EVENT_IMPORTANCE)}")
    def _importance(cls, s: pd.Series) -> pd.Series:
        return one_of(s, EVENT_IMPORTANCE)


class EventsTidy(EventsFile):
    """The events table of a vintage."""

    detail: Series[str]
    source_url: Series[str]
    weights: Series[str]
    importance: Series[str]
    owner: Series[str]

    class Config:
        strict = True
        unique = list(EVENTS.key)

    @pa.check("owner", error=OWNER)
    def _owner(cls, s: pd.Series) -> pd.Series:
        return filled(s)


# -- daily prices ---------------------------------------------------------------------------


class PricesFile(pa.DataFrameModel):
    """A curated daily-prices file (market/): one close a ticker and day."""

    ticker: Series[str]
    date: Series[str]
    close: Series[str]
    adj_close: Series[str]
    currency: Series[str]
    source_id: Series[str]

    class Config:
        strict = True
        unique = _key(PRICES)

    @pa.check("ticker", error=NOT_BLANK)
    def _ticker(cls, s: pd.Series) -> pd.Series:
        return filled(s)

    @pa.check("date", error=DATE)
    def _date(cls, s: pd.Series) -> pd.Series:
        return dates(s)

    @pa.check("close", "adj_close", error=NUMBER)
    def _close(cls, s: pd.Series) -> pd.Series:
        return number_text(s)

    @pa.check("close", "adj_close", error="number too large (overflows a 64-bit float)")
    def _close_overflow(cls, s: pd.Series) -> pd.Series:
        return no_overflow(s)

    @pa.check("close", "adj_close", error="number too small (underflows to zero)")
    def _close_underflow(cls, s: pd.Series) -> pd.Series:
        return no_underflow(s)

    @pa.check("currency", error=f"must be one of {sorted(CURRENCIES)}")
    def _currency(cls, s: pd.Series) -> pd.Series:
        return one_of(s, CURRENCIES)

    @pa.check("source_id", error=MISSING_SOURCE)
    def _source_id(cls, s: pd.Series) -> pd.Series:
        return _text(s).ne("")

    @pa.dataframe_check(error="needs close or adj_close")
    def _close__or_adj_close(cls, df: pd.DataFrame) -> pd.Series:
        return ~(blank(df["close"]) & blank(df["adj_close"]))


class PricesTidy(PricesFile):
    """The daily-prices table of a vintage."""

    close: Series[float] = pa.Field(nullable=True, coerce=True)
    adj_close: Series[float] = pa.Field(nullable=True, coerce=True)
    owner: Series[str]

    class Config:
        strict = True
        unique = list(PRICES.key)

    @pa.check("close", "adj_close", error=FINITE)
    def _close(cls, s: pd.Series) -> pd.Series:
        return finite(s)

    # A typed number has no text to overflow or underflow: the file's two text rules give way.
    @pa.check("close", "adj_close", error=FINITE)
    def _close_overflow(cls, s: pd.Series) -> pd.Series:
        return pd.Series(True, index=s.index)

    @pa.check("close", "adj_close", error=FINITE)
    def _close_underflow(cls, s: pd.Series) -> pd.Series:
        return pd.Series(True, index=s.index)

    @pa.check("owner", error=OWNER)
    def _owner(cls, s: pd.Series) -> pd.Series:
        return filled(s)


# -- commitments ----------------------------------------------------------------------------


class CommitmentsFile(pa.DataFrameModel):
    """A curated commitments file: one dated statement of spending a row, keyed by id."""

    id: Series[str]
    date: Series[str]
    entity: Series[str]
    statement: Series[str]
    quote: Series[str]
    status: Series[str]
    source_id: Series[str]
    amount: Series[str] | None
    unit: Series[str] | None
    period_start: Series[str] | None
    period_end: Series[str] | None
    scope: Series[str] | None
    supersedes: Series[str] | None
    note: Series[str] | None

    class Config:
        strict = True
        unique = _key(COMMITMENTS)

    @pa.check("id", "entity", error=SLUG)
    def _slugs(cls, s: pd.Series) -> pd.Series:
        return slug(s)

    @pa.check("date", error=DATE)
    def _date(cls, s: pd.Series) -> pd.Series:
        return dates(s)

    @pa.check("statement", error=NOT_BLANK)
    def _statement(cls, s: pd.Series) -> pd.Series:
        return filled(s)

    @pa.check("amount", error=NUMBER)
    def _amount(cls, s: pd.Series) -> pd.Series:
        return number_text(s)

    @pa.check("unit", error="must be a known unit")
    def _unit(cls, s: pd.Series) -> pd.Series:
        return one_of(s, UNITS | {""})

    @pa.check("period_start", "period_end", error=DATE)
    def _period(cls, s: pd.Series) -> pd.Series:
        return dates(s, blank=True)

    @pa.check("quote", error="must quote the statement")
    def _quote(cls, s: pd.Series) -> pd.Series:
        return filled(s)

    @pa.check("status", error=f"must be one of {sorted(COMMITMENT_STATUS)}")
    def _status(cls, s: pd.Series) -> pd.Series:
        return one_of(s, COMMITMENT_STATUS)

    @pa.check("source_id", error=MISSING_SOURCE)
    def _source_id(cls, s: pd.Series) -> pd.Series:
        return _text(s).ne("")

    @pa.dataframe_check(error="an amount needs its unit")
    def _unit__with_amount(cls, df: pd.DataFrame) -> pd.Series:
        return blank(df["amount"]) | ~blank(df["unit"])

    @pa.dataframe_check(error="must name the id of another statement in this file")
    def _supersedes__known(cls, df: pd.DataFrame) -> pd.Series:
        return blank(df["supersedes"]) | df["supersedes"].isin(list(set(df["id"])))

    @pa.dataframe_check(error="cannot revise itself")
    def _supersedes__other(cls, df: pd.DataFrame) -> pd.Series:
        return blank(df["supersedes"]) | df["supersedes"].ne(df["id"])

    @pa.dataframe_check(error="ends before it starts")
    def _period_end__after_start(cls, df: pd.DataFrame) -> pd.Series:
        start, end = df["period_start"].astype(str), df["period_end"].astype(str)
        dated = dates(start, blank=False) & dates(end, blank=False)
        return ~(dated & (end < start))


class CommitmentsTidy(CommitmentsFile):
    """The commitments table of a vintage."""

    amount: Series[float] = pa.Field(nullable=True, coerce=True)
    unit: Series[str]
    period_start: Series[str]
    period_end: Series[str]
    scope: Series[str]
    supersedes: Series[str]
    source_url: Series[str]
    note: Series[str]
    owner: Series[str]

    class Config:
        strict = True
        unique = list(COMMITMENTS.key)

    @pa.check("amount", error=FINITE)
    def _amount(cls, s: pd.Series) -> pd.Series:
        return finite(s)

    @pa.check("owner", error=OWNER)
    def _owner(cls, s: pd.Series) -> pd.Series:
        return filled(s)


# -- disclosures ----------------------------------------------------------------------------


class DisclosuresFile(pa.DataFrameModel):
    """A curated disclosures file: what one results announcement says about one KPI."""

    entity: Series[str]
    kpi: Series[str]
    fiscal_period: Series[str]
    period_end: Series[str]
    status: Series[str]
    source_id: Series[str]
    value: Series[str] | None
    unit: Series[str] | None
    wording: Series[str] | None
    basis: Series[str] | None
    note: Series[str] | None

    class Config:
        strict = True
        unique = _key(DISCLOSURES)

    @pa.check("entity", error=SLUG)
    def _entity(cls, s: pd.Series) -> pd.Series:
        return slug(s)

    @pa.check("kpi", error=f"must be one of {list(KPI_IDS)}")
    def _kpi(cls, s: pd.Series) -> pd.Series:
        return one_of(s, KPI_IDS)

    @pa.check("period_end", error=DATE)
    def _period_end(cls, s: pd.Series) -> pd.Series:
        return dates(s)

    @pa.check("status", error=f"must be one of {list(STATUSES)}")
    def _status(cls, s: pd.Series) -> pd.Series:
        return one_of(s, STATUSES)

    @pa.check("value", error=NUMBER)
    def _value(cls, s: pd.Series) -> pd.Series:
        return number_text(s)

    @pa.check("unit", error="must be a known unit")
    def _unit(cls, s: pd.Series) -> pd.Series:
        return one_of(s, UNITS | {""})

    @pa.check("source_id", error=MISSING_SOURCE)
    def _source_id(cls, s: pd.Series) -> pd.Series:
        return _text(s).ne("")

    @pa.dataframe_check(error="a number goes with status value, and only with it")
    def _value__with_status(cls, df: pd.DataFrame) -> pd.Series:
        return df["status"].eq("value") == ~blank(df["value"])

    @pa.dataframe_check(error="must quote the sentence")
    def _wording__quoted(cls, df: pd.DataFrame) -> pd.Series:
        return df["status"].eq("silent") | ~blank(df["wording"])


class DisclosuresTidy(DisclosuresFile):
    """The disclosures table of a vintage."""

    value: Series[float] = pa.Field(nullable=True, coerce=True)
    unit: Series[str]
    wording: Series[str]
    basis: Series[str]
    source_url: Series[str]
    note: Series[str]
    owner: Series[str]

    class Config:
        strict = True
        unique = list(DISCLOSURES.key)

    @pa.check("value", error=FINITE)
    def _value(cls, s: pd.Series) -> pd.Series:
        return finite(s)

    @pa.check("owner", error=OWNER)
    def _owner(cls, s: pd.Series) -> pd.Series:
        return filled(s)


#: The model of each curated file kind (etl.sources.curated) and of each vintage table.
FILE_MODELS: dict[str, type[pa.DataFrameModel]] = {
    "sources": SourcesFile,
    "facts": FactsFile,
    "events": EventsFile,
    "prices": PricesFile,
    "commitments": CommitmentsFile,
    "disclosures": DisclosuresFile,
}
TIDY_MODELS: dict[str, type[pa.DataFrameModel]] = {
    "sources": SourcesTidy,
    "facts": FactsTidy,
    "events": EventsTidy,
    "prices_daily": PricesTidy,
    "commitments": CommitmentsTidy,
    "disclosures": DisclosuresTidy,
}
#: The field a duplicate key of a curated file is reported on (the column that tells two rows
#: apart to the reader: the metric of a figure, the day of a close).
KEY_FIELD: dict[type[pa.DataFrameModel], str] = {
    SourcesFile: "source_id",
    FactsFile: "metric",
    EventsFile: "label",
    PricesFile: "date",
    CommitmentsFile: "id",
    DisclosuresFile: "kpi",
}


def file_columns(model: type[pa.DataFrameModel]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The required and the optional columns of a curated file."""
    columns = model.to_schema().columns
    return (
        tuple(c for c, col in columns.items() if col.required),
        tuple(c for c, col in columns.items() if not col.required),
    )


#: Where a failing row is: (file, line) from its position in the validated frame.
Locate = Callable[[int], tuple[str, int | None]]
_TYPE_RULES = {"float64": FINITE, "str": "must be text"}


def problems(
    model: type[pa.DataFrameModel],
    frame: pd.DataFrame,
    name: str,
    locate: Locate,
    lines: pd.Series | None = None,
) -> list[Problem]:
    """Every failure of `frame` against `model`, one Problem(file, line, field, rule, got) each.

    Column checks come first (by line, then field), then repeated keys (in row order), then the
    row rules (by line, in the order the model declares them). `name` names the frame where a
    failure has no row (a missing or unknown column). A repeated key is reported on the rows
    after the first; `lines` (a curated file's line numbers) adds "also on line N" of the first.
    """
    if frame.empty:
        return []
    try:
        model.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        errors = exc.schema_errors
    else:
        return []
    schema = model.to_schema()
    row_checks = {(c.name, c.error): i for i, c in enumerate(schema.checks)}
    coerced = {e.schema.name for e in errors if "coerce_dtype" in str(e.check)}
    columns: list[tuple[int, str, Problem]] = []
    rows: list[tuple[int, int, Problem]] = []
    keys: list[Problem] = []
    for err in errors:
        check = err.check
        cases = err.failure_cases
        if str(check) == "multiple_fields_uniqueness":
            keys += _duplicates(model, frame, name, locate, lines)
        elif isinstance(check, pa.Check) and (check.name, check.error) in row_checks:
            field = _row_field(str(check.name))
            for pos in sorted(set(cases["index"].astype(int))):
                file, line = locate(pos)
                got = _got(frame[field].iloc[pos])
                order = row_checks[(check.name, check.error)]
                rows.append((pos, order, Problem(file, line, field, str(check.error), got)))
        elif not isinstance(cases, pd.DataFrame) or cases["index"].isna().all():
            columns.append((0, str(err.schema.name), _whole_column(err, name)))
        else:
            field = str(err.schema.name)
            if "dtype(" in str(check) and "coerce" not in str(check) and field in coerced:
                continue  # the coercion already named each cell
            rule = check.error if isinstance(check, pa.Check) else _type_rule(str(check))
            for pos, got in zip(cases["index"], cases["failure_case"], strict=True):
                file, line = locate(int(pos))
                columns.append((line or 0, field, Problem(file, line, field, str(rule), _got(got))))
    columns.sort(key=lambda x: (x[0], x[1]))
    rows.sort(key=lambda x: (x[0], x[1]))
    return [p for *_, p in columns] + keys + [p for *_, p in rows]


def _row_field(check: str) -> str:
    """The field a row rule is reported on: its method is named `_<field>__<what it checks>`."""
    return check.lstrip("_").split("__")[0]


def _got(value: object) -> str:
    if isinstance(value, str):
        return "''" if value == "" else value
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    return str(value)


def _type_rule(check: str) -> str:
    for dtype, rule in _TYPE_RULES.items():
        if dtype in check:
            return rule
    return check


def _whole_column(err: pa.errors.SchemaError, name: str) -> Problem:
    check, got = str(err.check), err.failure_cases
    got = str(got.iloc[0]["failure_case"]) if isinstance(got, pd.DataFrame) else str(got)
    if check == "column_in_schema":
        return Problem(name, None, got, "unknown column")
    if check == "column_in_dataframe":
        return Problem(name, None, got, "required column missing")
    return Problem(name, None, str(err.schema.name), _type_rule(check), got)


def _duplicates(
    model: type[pa.DataFrameModel],
    frame: pd.DataFrame,
    name: str,
    locate: Locate,
    lines: pd.Series | None,
) -> list[Problem]:
    """One problem per row whose key repeats an earlier row's key, in row order."""
    key = list(model.to_schema().unique or [])
    field = KEY_FIELD.get(model, key[0])
    again = frame.duplicated(key, keep="first").to_numpy()
    rule = f"duplicate key ({', '.join(key)})"
    first: np.ndarray | None = None
    if lines is not None:
        grouped = lines.groupby([frame[c] for c in key], sort=False, dropna=False)
        first = grouped.transform("first").to_numpy()
    out = []
    for pos in np.flatnonzero(again):
        file, line = locate(int(pos))
        also = f" also on line {int(first[pos])}" if first is not None else ""
        got = "/".join(str(frame[c].iloc[pos]) for c in key)
        out.append(Problem(file, line, field, rule + also, got))
    return out
