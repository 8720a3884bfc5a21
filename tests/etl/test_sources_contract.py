"""One contract for every registered source (OpenBB's Fetcher.test, made smaller)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from etl.errors import SourceError
from etl.models import METRICS
from etl.sources import SOURCES, Context, Source, fetch
from etl.sources.base import TABLE_COLUMNS
from etl.sources.huggingface import HuggingFaceSource
from etl.sources.yahoo import YahooSource
from tests.fixtures.huggingface.transport import client_factory as hf_client
from tests.fixtures.yahoo.transport import session as yahoo_session

#: How to run each registered source offline: a factory returning (source, context).
OFFLINE: dict[str, Callable[[Path, Path], tuple[Source, Context]]] = {
    "curated": lambda synthetic, _tmp: (SOURCES["curated"], Context(synthetic, date(2026, 11, 29))),
    "yahoo": lambda _syn, tmp: (
        YahooSource(session_factory=lambda: yahoo_session("ok")[0], peers=("MSFT",)),
        Context(tmp, date(2026, 11, 29)),
    ),
    "huggingface": lambda _syn, tmp: (
        HuggingFaceSource(client_factory=hf_client("ok")),
        Context(tmp, date(2026, 11, 29)),
    ),
}


def test_every_registered_source_has_an_offline_fixture() -> None:
    """Adding a source means adding its offline fixture here."""
    assert set(OFFLINE) == set(SOURCES)


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_source_contract(name: str, synthetic_dir: Path, tmp_path: Path) -> None:
    """Raw is non-empty, transform gives the canonical tables, figures use known metrics and units."""
    source, ctx = OFFLINE[name](synthetic_dir, tmp_path)
    raw = source.extract(ctx)
    assert raw is not None and len(raw) > 0
    tables = fetch(source, ctx)
    assert tables, "a source must deliver at least one table"
    for table, frame in tables.items():
        assert tuple(frame.columns) == TABLE_COLUMNS[table]
    facts = tables.get("facts")
    if facts is not None and len(facts):
        assert facts["metric"].isin(list(METRICS)).all()
        assert (facts["unit"] == facts["metric"].map(lambda m: METRICS[m].unit)).all()
        assert facts.loc[facts["value"].notna(), "source_id"].str.len().gt(0).all()


@dataclasses.dataclass(frozen=True)
class _Empty:
    name: str = "empty"
    online: bool = True

    def extract(self, ctx: Context) -> Any:
        return {}

    def transform(self, raw: Any, ctx: Context) -> dict[str, Any]:
        raise AssertionError("transform must not run on an empty answer")


def test_empty_answer_is_a_failure(tmp_path: Path) -> None:
    """An empty answer raises SourceError instead of flowing downstream as data."""
    with pytest.raises(SourceError, match="empty answer"):
        fetch(_Empty(), Context(tmp_path, date(2026, 11, 29)))
