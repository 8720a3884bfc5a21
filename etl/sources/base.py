"""The one adapter interface: extract (I/O only) then transform (pure mapping to tidy tables)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from etl.errors import SourceError
from etl.models import EVENT_COLUMNS, FACT_COLUMNS, PRICE_COLUMNS, SOURCE_COLUMNS

Tables = dict[str, pd.DataFrame]

#: Every table a vintage may hold, with its columns. Table names come only from here.
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "facts": FACT_COLUMNS,
    "events": EVENT_COLUMNS,
    "sources": SOURCE_COLUMNS,
    "prices_daily": PRICE_COLUMNS,
}


@dataclass(frozen=True)
class Context:
    """What a source may know about the run: where data lives, today, the current vintage."""

    data_dir: Path
    today: date
    previous: Tables = field(default_factory=dict)
    timeout: float = 30.0


class Source(Protocol):
    """A registered source of tables."""

    name: str
    online: bool

    def extract(self, ctx: Context) -> Any:
        """Fetch the raw payload; the only step that does I/O."""
        ...

    def transform(self, raw: Any, ctx: Context) -> Tables:
        """Map the raw payload to tidy tables; pure."""
        ...


def empty_table(name: str) -> pd.DataFrame:
    """An empty frame with a table's canonical columns."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in TABLE_COLUMNS[name]})


def is_empty(raw: Any) -> bool:
    """True for None, an empty frame, or an empty container (an empty answer is a failure)."""
    if raw is None:
        return True
    if isinstance(raw, pd.DataFrame):
        return raw.empty
    if isinstance(raw, dict | list | tuple | bytes | str):
        return len(raw) == 0
    return False


def fetch(source: Source, ctx: Context) -> Tables:
    """Run one source: extract, refuse empty answers, transform, check the table shapes."""
    raw = source.extract(ctx)
    if is_empty(raw):
        raise SourceError(source.name, "empty answer")
    tables = source.transform(raw, ctx)
    for name, frame in tables.items():
        if name not in TABLE_COLUMNS:
            raise SourceError(source.name, f"unknown table {name!r}")
        missing = [c for c in TABLE_COLUMNS[name] if c not in frame.columns]
        if missing:
            raise SourceError(source.name, f"table {name!r} lacks columns {missing}")
        tables[name] = frame.loc[:, list(TABLE_COLUMNS[name])]
    return tables
