"""The one adapter interface: extract (I/O only) then transform (pure mapping to tidy tables)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol, TypeVar

import pandas as pd

from etl.errors import Problem, SourceError, ValidationError
from etl.models import TABLES
from etl.sources.online import Deadline
from etl.validate import check_tables

Tables = dict[str, pd.DataFrame]
RawT = TypeVar("RawT")


@dataclass(frozen=True)
class Gap:
    """An expected part of a unit that a source reads (a document, an endpoint, a day) and could
    not read. A gap is a warning: the source keeps what it did read, and the refresh summary, the
    manifest and the Sources page name the missing part instead of publishing less in silence."""

    source: str
    unit: str
    part: str

    def __str__(self) -> str:
        return f"{self.source} {self.unit}: {self.part} not found"


@dataclass(frozen=True)
class Context:
    """What a source may know about the run: where data lives, today, the current vintage.

    `deadline` bounds the whole refresh: every HTTP request an online adapter makes checks it,
    so work abandoned at the bound stops at its next request instead of running on.
    """

    data_dir: Path
    today: date
    previous: Tables = field(default_factory=dict)
    deadline: Deadline = field(default_factory=Deadline.unbounded)
    # Where transform() reports what it expected and could not read (see Gap); the run's one
    # report channel, read by the pipeline after each source.
    gaps: list[Gap] = field(default_factory=list)
    # Figures a source read but that disagree with each other (etl.consistency): kept, and
    # reported as warnings like the gaps.
    warnings: list[str] = field(default_factory=list)

    def missing(self, source: str, unit: str, part: str) -> None:
        """Report an expected part that could not be read."""
        self.gaps.append(Gap(source, unit, part))

    def warn(self, text: str) -> None:
        """Report a figure that was kept but disagrees with the figures it must agree with."""
        self.warnings.append(text)


class Source(Protocol[RawT]):
    """A registered source of tables."""

    @property
    def name(self) -> str:
        """The registry name, also written into every row's `owner` column."""
        ...

    @property
    def online(self) -> bool:
        """True for sources that talk to the network (run by `refresh` only)."""
        ...

    def extract(self, ctx: Context) -> RawT:
        """Fetch the raw payload; the only step that does I/O."""
        ...

    def transform(self, raw: RawT, ctx: Context) -> Tables:
        """Map the raw payload to tidy tables; pure."""
        ...


def empty_table(name: str) -> pd.DataFrame:
    """An empty frame with a table's canonical columns."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in TABLES[name].columns})


def facts_frame(
    rows: Iterable[Mapping[str, object]] | None = None, /, **columns: object
) -> pd.DataFrame:
    """The facts table of a source: every source builds its figures through this one helper.

    Either from `rows` (one mapping a figure; no rows gives an empty table with the facts
    columns) or from column values (scalars are repeated on every row; then at least one column
    must be a sequence). Columns left out take the shared defaults; a column the table does not
    have is dropped, one it lacks is left to fetch() to report; `owner` is stamped by fetch().
    """
    names = [c for c in TABLES["facts"].columns if c != "owner"]
    defaults: dict[str, object] = {
        "fiscal_period": "",
        "subject": "",
        "basis": "measured",
        "note": "",
        **columns,
    }
    if rows is None:
        frame = pd.DataFrame(defaults)
    else:
        records = list(rows)
        if not records:
            return empty_table("facts").loc[:, names]
        given = pd.DataFrame(records)
        frame = pd.DataFrame({**defaults, **{str(c): given[c] for c in given.columns}})
    return frame.loc[:, [c for c in names if c in frame.columns]]


def is_empty(raw: object) -> bool:
    """True for None, an empty frame or container, or a mapping of nothing but empty parts.

    An empty answer is a failure: a curated directory whose files are all missing or empty,
    or an API that answered an empty list, never becomes a vintage.
    """
    if raw is None:
        return True
    if isinstance(raw, pd.DataFrame):
        return raw.empty
    if isinstance(raw, dict):
        return all(is_empty(v) for v in raw.values())
    if isinstance(raw, list | tuple | bytes | str):
        return len(raw) == 0
    return False


def fetch(source: Source[RawT], ctx: Context) -> Tables:
    """Run one source: extract, refuse empty answers, transform, validate, stamp the owner.

    Every source's tables go through the same schemas and figure rules (etl.validate). Curated
    problems raise ValidationError (file, line, field); an online source's invalid answer fails
    that source with a SourceError naming the first problems.
    """
    raw = source.extract(ctx)
    if is_empty(raw):
        raise SourceError(source.name, "empty answer")
    tables = source.transform(raw, ctx)
    out: Tables = {}
    for name, frame in tables.items():
        if name not in TABLES:
            raise SourceError(source.name, f"unknown table {name!r}")
        frame = frame.assign(**{c: d for c, d in TABLES[name].defaults if c not in frame})
        columns = [c for c in TABLES[name].columns if c != "owner"]
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise SourceError(source.name, f"table {name!r} lacks columns {missing}")
        out[name] = frame.loc[:, columns].assign(owner=source.name).reset_index(drop=True)
    problems = check_tables(source.name, out)
    if problems:
        _raise(source, problems)
    return out


def _raise(source: Source[RawT], problems: list[Problem]) -> None:
    if not source.online:
        raise ValidationError(problems)
    shown = "; ".join(str(p) for p in problems[:3])
    more = f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""
    raise SourceError(source.name, f"invalid answer: {shown}{more}")
