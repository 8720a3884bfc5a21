"""Helpers shared by the import steps: read a snapshot, write curated CSV text the same way."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

SNAPSHOTS = "snapshots"
FACT_HEADER = (
    "entity",
    "metric",
    "period_end",
    "value",
    "unit",
    "source_id",
    "basis",
    "subject",
    "quote",
    "note",
)


def fact_row(
    *,
    entity: str,
    metric: str,
    period_end: str,
    value: str,
    unit: str,
    source_id: str,
    note: str,
    subject: str = "",
    basis: str = "measured",
    quote: str = "",
) -> list[str]:
    """One curated fact row, its fields in FACT_HEADER's order."""
    return [entity, metric, period_end, value, unit, source_id, basis, subject, quote, note]


def read_snapshot(data_dir: Path, rel: str) -> tuple[list[dict[str, str]], dict[str, Any]]:
    """The rows of a raw snapshot CSV (as text, verbatim) and its origin metadata."""
    path = data_dir / SNAPSHOTS / rel
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    meta = json.loads(path.with_name(path.name + ".meta.json").read_text(encoding="utf-8"))
    return rows, meta


def to_csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """CSV text with a fixed dialect, so a step's output is reproducible byte for byte."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()
