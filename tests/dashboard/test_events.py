"""Event marks: few by default, every category on demand, one mark per event, their own colours."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from dashboard import pages
from dashboard.common import frames, params, traces
from dashboard.common.theme import ADOPTION_COLORS, COLORS
from etl.store import Store
from tests.dashboard.helpers import run

ALL = {"events": ",".join(params.EVENT_CATEGORIES), "importance": "all"}


@pytest.fixture(scope="module")
def published(built_real_store: Path) -> tuple[str, dict[str, pd.DataFrame]]:
    store = Store(built_real_store / "store")
    vid = str(store.current_id())
    return vid, store.read_all(vid)


def _spending(published: tuple[str, dict[str, pd.DataFrame]], query: dict[str, str]) -> Any:
    vid, tables = published
    return pages.build("spending", tables, params.parse({**query, "vintage": vid})).charts[0].figure


def _lines(fig: Any) -> list[Any]:
    return [sh for sh in fig.layout.shapes if sh.name == "event"]


def test_default_view_draws_at_most_15_major_event_lines(
    published: tuple[str, dict[str, pd.DataFrame]],
) -> None:
    """The default Spending view marks only major events of its default categories: 1 to 15 lines."""
    lines = _lines(_spending(published, {}))
    assert 0 < len(lines) <= 15
    assert len(_lines(_spending(published, ALL))) > 50  # what the default leaves out


def test_every_category_can_be_switched_on_and_stays_in_the_link(
    published: tuple[str, dict[str, pd.DataFrame]],
) -> None:
    """With every category and importance asked for, each category has its legend entry."""
    fig = _spending(published, ALL)
    names = {t.name for t in fig.data if str(t.name).startswith("Event: ")}
    for name in ("Qwen release", "capex commitment", "earnings", "conference", "other"):
        assert any(n.startswith(f"Event: {name}") for n in names), names
    state = params.parse(ALL)
    assert params.parse(params.to_query(state)) == state
    assert params.to_query(state)["events"] == ALL["events"]
    assert params.parse({"events": ""}).events == ()  # all switched off is a view too


def test_blank_importance_takes_the_category_default() -> None:
    """Earnings, capex commitments and conferences are major; a Qwen release minor unless marked."""
    rows = pd.DataFrame(
        {
            "date": ["2025-01-02", "2025-01-03", "2025-01-04", "2025-01-05", "2025-01-06"],
            "category": [
                "earnings",
                "qwen_release",
                "qwen_release",
                "conference",
                "capex_commitment",
            ],
            "label": ["r", "minor model", "flagship", "summit", "plan"],
            "source_id": ["s"] * 5,
            "weights": ["", "open", "api", "", ""],
            "importance": ["", "", "major", "", ""],
        }
    )
    major = frames.events(rows, {}, params.EVENT_CATEGORIES, "major")
    assert sorted(major["label"]) == ["flagship", "plan", "r", "summit"]
    assert len(frames.events(rows, {}, params.EVENT_CATEGORIES, "all")) == 5


def test_one_mark_per_event(published: tuple[str, dict[str, pd.DataFrame]]) -> None:
    """Two rows telling the same day's release are one mark naming both (Qwen3.7-Max once)."""
    vid, tables = published
    ev = frames.events(tables["events"], {}, ["qwen_release"], "all")
    day = ev[ev["date"] == "2026-05-20"]
    assert len(day) == 1 and "Qwen3.7-Max" in day["label"].iloc[0]
    assert not ev.duplicated(["date", "category", "weights"]).any()


def test_event_colours_are_never_data_colours(
    published: tuple[str, dict[str, pd.DataFrame]],
) -> None:
    """No event colour is a colour of any data series, in the palettes or in a drawn figure."""
    events = {c.lower() for c in traces.EVENT_COLORS.values()}
    assert not events & {c.lower() for c in [*COLORS.values(), *ADOPTION_COLORS]} - {
        COLORS[k].lower()
        for k in ("qwen_release", "earnings", "capex_commitment", "conference", "other")
    }
    fig = json.loads(_spending(published, ALL).to_json())
    data = {
        str(c).lower()
        for t in fig["data"]
        if not str(t.get("name", "")).startswith("Event: ")
        for c in ((t.get("marker") or {}).get("color"), (t.get("line") or {}).get("color"))
        if isinstance(c, str)
    }
    assert data and not data & events


def test_open_weight_and_api_only_releases_look_different() -> None:
    """Open weights and API-only releases differ in line dash and marker symbol."""
    rows = pd.DataFrame(
        {
            "date": ["2025-01-02", "2025-02-03"],
            "category": ["qwen_release", "qwen_release"],
            "label": ["open one", "api one"],
            "source_id": ["s", "s"],
            "weights": ["open", "api"],
            "importance": ["major", "major"],
        }
    )
    import plotly.graph_objects as go

    fig = go.Figure()
    traces.event_marks(fig, frames.events(rows, {}, ["qwen_release"]))
    assert {t.name for t in fig.data} == {
        "Event: Qwen release (open weights)",
        "Event: Qwen release (API only)",
    }
    assert len({t.marker.symbol for t in fig.data}) == 2
    assert len({sh.line.dash for sh in fig.layout.shapes}) == 2


def test_market_page_measures_conferences(published: tuple[str, dict[str, pd.DataFrame]]) -> None:
    """The Cloud Summit and other conferences get event windows on the Market page."""
    vid, tables = published
    view = pages.build("market", tables, params.parse({"vintage": vid}))
    assert "conference" in set(view.windows["category"])


@pytest.mark.usefixtures("bundled_app")
def test_event_toggles_on_the_page_write_the_link() -> None:
    """Switching earnings on and every event in puts both into the URL."""
    at = run("spending")
    assert not at.exception
    at.button_group(key="w_events").set_value(
        ["qwen_release", "capex_commitment", "earnings"]
    ).run()
    at.button_group(key="w_importance").set_value("all").run()
    assert at.query_params["events"] == "qwen_release,capex_commitment,earnings"
    assert at.query_params["importance"] == "all"


def test_market_price_chart_marks_major_events_unless_every_event_is_asked(
    published: tuple[str, dict[str, pd.DataFrame]],
) -> None:
    """The price chart marks the major events by default; 'all' adds every release snapshot."""
    vid, tables = published
    major, every = (
        pages.build("market", tables, params.parse({"vintage": vid, "importance": i}))
        for i in ("major", "all")
    )
    n_major, n_all = (len(_lines(v.charts[0].figure)) for v in (major, every))
    assert 0 < n_major < n_all
    assert major.windows.equals(every.windows)  # the measured windows do not depend on it
