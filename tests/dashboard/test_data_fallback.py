"""The dashboard's data layer on a store whose current vintage is damaged: the newest healthy
vintage, with a notice, never an error box."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st

from dashboard.common import data
from etl import pipeline
from etl.store import Store
from tests.dashboard.helpers import run


def _two_vintages_newest_damaged(data_dir: Path) -> tuple[str, str]:
    old = pipeline.run(data_dir, progress=lambda _m: None).vintage
    path = data_dir / "financials" / "synthetic_quarterly.csv"
    path.write_text(path.read_text().replace(",150,RMB_mn", ",151,RMB_mn"))
    new = pipeline.run(data_dir, progress=lambda _m: None).vintage
    damaged = data_dir / "store" / "vintages" / f"{new}.duckdb"
    damaged.write_bytes(damaged.read_bytes()[: damaged.stat().st_size // 2])
    return old, new


@pytest.fixture
def damaged_store(synthetic_dir: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    monkeypatch.setenv("AIIMPACT_DATA_DIR", str(synthetic_dir))
    st.cache_data.clear()
    st.cache_resource.clear()
    return _two_vintages_newest_damaged(synthetic_dir)


def test_data_layer_falls_back_to_the_newest_healthy_vintage(
    damaged_store: tuple[str, str],
) -> None:
    """ensure_vintage, current_id and resolve skip the damaged current vintage and say why."""
    old, new = damaged_store
    built = data.ensure_vintage()
    assert built.vintage == old and not built.problem
    assert f"the current vintage {new} is damaged" in built.notice and old in built.notice
    assert data.current_id(data.store_root()) == old
    assert data.resolve(new) is None and data.resolve(old) == old
    assert Store(Path(data.store_root())).current_id() == new  # nothing was rewritten


def test_app_shows_the_healthy_vintage_with_a_notice(damaged_store: tuple[str, str]) -> None:
    """The Overview runs on the healthy vintage, warns once, and pins the link to it."""
    old, new = damaged_store
    at = run("overview")
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["vintage"] == old
    assert any(f"the current vintage {new} is damaged" in w.value for w in at.warning)
