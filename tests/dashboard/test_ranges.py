"""Date ranges at the edges: valid quarters with no data, one quarter, the first day of a quarter."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from dashboard import pages, snapshot
from dashboard.common import params
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
def _data(bundled_app: None) -> None:
    """Every test here reads the bundled data."""


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
    view = pages.build(page, tables, _state(vintage, query))
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


def _xaxes(fig: Any) -> list[dict[str, Any]]:
    """The figure's time axes (the KPI strip's axis is its quarters, a category axis)."""
    layout = json.loads(fig.to_json())["layout"]
    return [
        v
        for k, v in sorted(layout.items())
        if k.startswith("xaxis") and v.get("type") != "category"
    ]


@pytest.mark.parametrize("start", ["2025Q1", "FY2025Q4"])
def test_from_means_the_first_day_of_the_quarter(
    tables: dict[str, pd.DataFrame], vintage: str, start: str
) -> None:
    """'from 2025Q1' (calendar or fiscal) keeps the close of 2025-01-02 and January's events."""
    view = pages.build("market", tables, _state(vintage, {"from": start}))
    prices = json.loads(view.charts[0].figure.to_json())["data"]
    baba = next(t for t in prices if t.get("name") == "BABA")
    assert min(str(x)[:10] for x in baba["x"]) == "2025-01-02"
    assert _xaxes(view.charts[0].figure)[0]["range"][0][:10] == "2025-01-01"


def test_an_empty_series_is_a_note_and_the_axis_stays_dates(
    tables: dict[str, pd.DataFrame], vintage: str
) -> None:
    """FY2026Q4-FY2027Q1 holds no 30-day download figure: no panel for it, a note, date axes."""
    view = pages.build("spending", tables, _state(vintage, {"from": "FY2026Q4", "to": "FY2027Q1"}))
    fig = view.charts[0].figure
    titles = [a.text for a in fig.layout.annotations]
    assert "Hugging Face downloads, last 30 days" not in titles
    assert "LM Arena text score of the lab's best model" in titles
    assert any(
        m.startswith("Hugging Face downloads, last 30 days: nothing in this date range")
        and "2025-09-07" in m
        for m in view.messages
    ), view.messages
    for chart in view.charts:
        for axis in _xaxes(chart.figure):
            assert axis["type"] == "date"
            assert [r[:10] for r in axis["range"]][0] == "2026-01-01"


@pytest.mark.parametrize("page", ["spending", "profitability", "market"])
@pytest.mark.parametrize("query", [{}, {"from": "2025Q1", "to": "2025Q4"}])
def test_every_chart_on_a_page_shares_one_date_range(
    tables: dict[str, pd.DataFrame], vintage: str, page: str, query: dict[str, str]
) -> None:
    """Every chart of a page spans the same dates; a range starts on its first quarter's first day."""
    view = pages.build(page, tables, _state(vintage, query))
    ranges = {tuple(a["range"]) for c in view.charts for a in _xaxes(c.figure)}
    assert len(view.charts) >= 2 and len(ranges) == 1, ranges
    if query:
        assert next(iter(ranges))[0][:10] == "2025-01-01"


def test_events_and_frontier_stay_inside_the_range(
    tables: dict[str, pd.DataFrame], vintage: str
) -> None:
    """No event mark or frontier point after the range's last day (they used to run a quarter on)."""
    view = pages.build("spending", tables, _state(vintage, {"from": "2025Q1", "to": "2025Q4"}))
    dates = [
        str(x)[:10]
        for c in view.charts
        if _xaxes(c.figure)
        for t in json.loads(c.figure.to_json())["data"]
        for x in (t.get("x") or [])
        if isinstance(x, str)
    ]
    shapes = [str(sh.x0)[:10] for sh in view.charts[0].figure.layout.shapes]
    assert dates and shapes
    assert all("2025-01-01" <= d <= "2025-12-31" for d in dates + shapes), sorted(dates + shapes)[
        -3:
    ]
