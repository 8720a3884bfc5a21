"""One contract for every registered source (OpenBB's Fetcher.test, made smaller)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from etl.errors import SourceError
from etl.models import METRICS, TABLES, unit_of
from etl.sources import SOURCES, Context, Source, fetch
from etl.sources.base import is_empty
from etl.sources.edgar import EdgarSource
from etl.sources.huggingface import HuggingFaceSource
from etl.sources.lmarena import LmArenaSource
from etl.sources.openrouter import OpenRouterSource
from etl.sources.sec_xbrl import SecXbrlSource
from etl.sources.yahoo import YahooSource
from tests.fixtures.edgar.transport import transport as edgar_transport
from tests.fixtures.huggingface.transport import transport as hf_transport
from tests.fixtures.lmarena.transport import transport as arena_transport
from tests.fixtures.openrouter.transport import transport as openrouter_transport
from tests.fixtures.sec_xbrl.transport import transport as sec_xbrl_transport
from tests.fixtures.yahoo.transport import session as yahoo_session

TODAY = date(2026, 11, 29)
#: How to run each registered source offline: a factory returning (source, context).
OFFLINE: dict[str, Callable[[Path, Path], tuple[Source[Any], Context]]] = {
    "curated": lambda synthetic, _tmp: (SOURCES["curated"], Context(synthetic, TODAY)),
    "yahoo": lambda _syn, tmp: (
        YahooSource(session_factory=lambda: yahoo_session("ok")[0], peers=("MSFT",)),
        Context(tmp, TODAY),
    ),
    "huggingface": lambda _syn, tmp: (
        HuggingFaceSource(transport=hf_transport("ok")),
        Context(tmp, TODAY),
    ),
    "lmarena": lambda _syn, tmp: (
        LmArenaSource(transport=arena_transport("ok")),
        Context(tmp, TODAY),
    ),
    "edgar": lambda _syn, tmp: (
        EdgarSource(
            transport=edgar_transport("ok"), user_agent="Test Runner test@example.com", interval=0
        ),
        Context(tmp, TODAY),
    ),
    "openrouter": lambda _syn, tmp: (
        OpenRouterSource(transport=openrouter_transport("ok"), api_key="synthetic-key"),
        Context(tmp, TODAY),
    ),
    "sec_xbrl": lambda _syn, tmp: (
        SecXbrlSource(
            transport=sec_xbrl_transport("ok"),
            user_agent="Test Runner test@example.com",
            interval=0,
        ),
        Context(tmp, TODAY),
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
    assert not is_empty(raw)
    tables = fetch(source, ctx)
    assert any(len(f) for f in tables.values()), "a source must deliver at least one row"
    for table, frame in tables.items():
        assert tuple(frame.columns) == TABLES[table].columns
        assert (frame["owner"] == name).all()
    facts = tables.get("facts")
    if facts is not None and len(facts):
        assert facts["metric"].isin(list(METRICS)).all()
        units = [unit_of(e, m) for e, m in zip(facts["entity"], facts["metric"], strict=True)]
        assert (facts["unit"] == units).all()
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
        fetch(_Empty(), Context(tmp_path, TODAY))


def test_an_empty_data_directory_is_an_empty_answer(tmp_path: Path) -> None:
    """A data directory without curated files is refused like any empty answer."""
    (tmp_path / "data").mkdir()
    with pytest.raises(SourceError, match="empty answer"):
        fetch(SOURCES["curated"], Context(tmp_path / "data", TODAY))


@dataclasses.dataclass(frozen=True)
class _Bad:
    name: str = "bad"
    online: bool = True

    def extract(self, ctx: Context) -> Any:
        return {"x": 1}

    def transform(self, raw: Any, ctx: Context) -> dict[str, Any]:
        row = {c: "" for c in TABLES["facts"].columns if c != "owner"}
        row.update(
            entity="alibaba",
            metric="revenue",
            period_end="2025-06-30",
            basis="vendor",
            fiscal_period="FY2026Q1",
            value=float("nan"),
            unit="USD_mn",
            source_id="x",
        )
        import pandas as pd

        return {"facts": pd.DataFrame([row, row])}


def test_online_rows_are_validated_like_curated_ones(tmp_path: Path) -> None:
    """An online answer with a wrong unit, a NaN without a note and a repeated key is refused."""
    with pytest.raises(SourceError) as info:
        fetch(_Bad(), Context(tmp_path, TODAY))
    reason = info.value.reason
    assert "field 'unit': must be RMB_mn for metric revenue" in reason
    assert "duplicate key (entity, metric, period_end, owner)" in reason
    assert "(+" in reason  # and more problems than the three shown


@dataclasses.dataclass(frozen=True)
class _Partial:
    """A source that reads one part of its unit and reports the other as missing."""

    name: str = "edgar"
    online: bool = True

    def extract(self, ctx: Context) -> Any:
        return {"x": 1}

    def transform(self, raw: Any, ctx: Context) -> dict[str, Any]:
        ctx.missing(self.name, "FY2026Q3 exhibit", "free-cash-flow reconciliation")
        return {
            "facts": SOURCES["curated"]
            .transform(SOURCES["curated"].extract(ctx), ctx)["facts"]
            .head(0)
        }


def test_a_missing_part_is_a_warning_in_summary_and_manifest(
    synthetic_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a source could not read is named in the manifest, its status and the warnings."""
    from etl import config, pipeline
    from etl.store import Store

    monkeypatch.setitem(SOURCES, "edgar", _Partial())
    result = pipeline.run(synthetic_dir, ["edgar"], progress=lambda _m: None)
    expected = "edgar FY2026Q3 exhibit: free-cash-flow reconciliation not found"
    assert expected in result.warnings
    manifest = Store(config.store_dir(synthetic_dir)).manifest(result.vintage)
    assert expected in manifest["warnings"]
    assert manifest["sources"]["edgar"]["gaps"] == [expected]
