"""Date ranges at the edges: valid quarters with no data, one quarter, the first day of a quarter."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st

from dashboard import pages, params, snapshot, views
from etl.store import Store
from tests.dashboard.helpers import run

#: Well-formed links whose range holds no figure of the bundled data.
EMPTY_RANGES = [
    {"from": "FY2030Q1"},
    {"to": "FY2020Q1"},
    {"from": "FY2001Q1", "to": "FY2001Q2"},
    {"from": "2099Q4", "to": "2099Q4"},
]
#: Pages whose charts depend on the date range (Sources lists every figure of the vintage).
RANGED = [p.key for p in pages.PAGES if p.key != "sources"]


@pytest.fixture(scope="module")
def vintage(built_real_store: Path) -> str:
    return str(Store(built_real_store / "store").current_id())


@pytest.fixture(scope="module")
def tables(built_real_store: Path, vintage: str) -> dict[str, pd.DataFrame]:
    return Store(built_real_store / "store").read_all(vintage)


@pytest.fixture(autouse=True)
def _data(built_real_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIIMPACT_DATA_DIR", str(built_real_store))
    st.cache_data.clear()
    st.cache_resource.clear()


def _state(vintage: str, query: dict[str, str]) -> params.ViewState:
    return params.parse({**query, "vintage": vintage})


@pytest.mark.parametrize("page", RANGED)
@pytest.mark.parametrize(
    "query", EMPTY_RANGES, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items())
)
def test_empty_range_gives_a_message_and_no_chart(
    tables: dict[str, pd.DataFrame], vintage: str, page: str, query: dict[str, str]
) -> None:
    """A valid range with nothing on file: no exception, no chart, a message naming the data's span."""
    view = views.build(page, tables, _state(vintage, query))
    assert view.charts == []
    span = "2022-06-01" if page == "market" else "FY2023Q1"  # daily closes, quarterly figures
    assert any("Nothing on file" in m and span in m for m in view.messages), view.messages


@pytest.mark.parametrize("page", ["overview", "profitability", "spending", "market"])
def test_empty_range_on_the_page(page: str) -> None:
    """The page itself shows the message instead of an error box."""
    at = run(page, {"from": "FY2030Q1"})
    assert not at.exception, [e.value for e in at.exception]
    assert not at.get("plotly_chart")
    assert any("Nothing on file" in i.value for i in at.info)


def test_snapshot_cli_writes_the_message_for_an_empty_range(
    built_real_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The CLI bundles the empty view with its message (no chart) and says so on stderr."""
    vid = Store(built_real_store / "store").current_id()
    out = tmp_path / "v.zip"
    code = snapshot.main(
        [
            f"profitability?vintage={vid}&from=FY2030Q1",
            "--out",
            str(out),
            "--data-dir",
            str(built_real_store),
        ]
    )
    assert code == 0
    assert "Nothing on file" in capsys.readouterr().err
    page = zipfile.ZipFile(io.BytesIO(out.read_bytes())).read("view.html").decode()
    assert "Nothing on file" in page and "plotly-graph-div" not in page
