"""Hostile links and hostile data: no traceback, no parameter in a path or SQL, escaped output."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
import streamlit as st
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as hst

from dashboard import pages, snapshot
from dashboard.common import params
from etl import store as store_module
from etl.errors import UnknownVintageError
from etl.store import Store
from tests.dashboard.helpers import PAGES, run

KEYS = [
    "vintage",
    "ccy",
    "basis",
    "from",
    "to",
    "capex",
    "view",
    "lag",
    "series",
    "q",
    "win",
    "events",
    "importance",
    "quarter",
    "page",
    "x",
]
QUERIES = hst.dictionaries(
    keys=hst.sampled_from(KEYS) | hst.text(max_size=6),
    values=hst.text(min_size=0, max_size=40),
    max_size=5,
)

#: Valid quarter labels, fiscal and calendar, most of them far outside the data on file.
QUARTER = hst.builds(
    "{}{}Q{}".format,
    hst.sampled_from(["FY", ""]),
    hst.integers(2000, 2100),
    hst.integers(1, 4),
)
#: Well-formed links: every parameter drawn from its valid choices, ranges at the edges.
WELL_FORMED = hst.fixed_dictionaries(
    {},
    optional={
        "from": QUARTER,
        "to": QUARTER,
        "ccy": hst.sampled_from(params.CURRENCIES),
        "basis": hst.sampled_from(params.BASES),
        "capex": hst.sampled_from(params.CAPEX_VIEWS),
        "view": hst.sampled_from(params.TRANSFORMS),
        "lag": hst.integers(*params.LAG_RANGE).map(str),
        "series": hst.lists(hst.sampled_from(params.ADOPTION_SERIES), max_size=4).map(",".join),
        "win": hst.sampled_from(params.WINDOWS).map(str),
        "cell": hst.builds("capex@FY{}Q{}".format, hst.integers(2000, 2100), hst.integers(1, 4)),
        "q": hst.sampled_from(["capex", "FY2026Q4 adjusted_ebita", ""]),
        "events": hst.lists(hst.sampled_from(params.EVENT_CATEGORIES)).map(",".join),
        "importance": hst.sampled_from(params.IMPORTANCE),
        "quarter": QUARTER,
    },
)
#: One quarter as both ends (from equal to to), inside the data or far outside it.
SAME_QUARTER = QUARTER.map(lambda q: {"from": q, "to": q})
#: Every valid value of each parameter, on the pages it changes.
CHOICES = [
    *(
        (page, "ccy", v)
        for v in params.CURRENCIES
        for page in ("overview", "spending", "profitability")
    ),
    *(
        (page, "basis", v)
        for v in params.BASES
        for page in ("overview", "spending", "profitability", "market")
    ),
    *(("spending", "capex", v) for v in params.CAPEX_VIEWS),
    *(("spending", "view", v) for v in params.TRANSFORMS),
    *(("spending", "lag", str(v)) for v in range(params.LAG_RANGE[0], params.LAG_RANGE[1] + 1)),
    *(("spending", "series", v) for v in params.ADOPTION_SERIES),
    *(("market", "win", str(v)) for v in params.WINDOWS),
    *(("spending", "events", v) for v in params.EVENT_CATEGORIES),
    *((page, "importance", v) for v in params.IMPORTANCE for page in ("spending", "market")),
    *(("overview", "quarter", v) for v in ("FY2023Q1", "FY2026Q4", "FY2027Q1", "2026Q1")),
]


class _Recorder:
    """Wraps duckdb.connect to record every database path and SQL string the app uses."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.sql: list[str] = []

    def connect(self, path: str, *args: Any, **kwargs: Any) -> Any:
        self.paths.append(str(path))
        con = _real_connect(path, *args, **kwargs)
        recorder = self

        class Con:
            def execute(self, sql: str, *a: Any, **k: Any) -> Any:
                recorder.sql.append(sql)
                return con.execute(sql, *a, **k)

            def __getattr__(self, name: str) -> Any:
                return getattr(con, name)

        return Con()


_real_connect = duckdb.connect


@pytest.fixture(autouse=True)
def _data(built_real_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIIMPACT_DATA_DIR", str(built_real_store))
    st.cache_data.clear()


@pytest.mark.parametrize("page", sorted(PAGES))
@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=QUERIES)
def test_arbitrary_query_strings(
    page: str, query: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any query string: no exception, and no value reaches a database path or a SQL string."""
    st.cache_data.clear()
    st.cache_resource.clear()  # built views are cached as resources; without this nothing is read
    rec = _Recorder()
    monkeypatch.setattr(store_module.duckdb, "connect", rec.connect)
    at = run(page, {k: v for k, v in query.items() if "\x00" not in k})
    assert not at.exception, [e.value for e in at.exception]
    assert rec.paths and rec.sql, "the run read no vintage, so the checks below would prove nothing"
    published = {p.name for p in Path(rec.paths[0]).parent.iterdir()}
    for value in (v for v in query.values() if len(v) >= 3):
        assert all(value not in p or Path(p).name in published for p in rec.paths)
        assert all(value not in s for s in rec.sql), value


@pytest.mark.parametrize("page", sorted(PAGES))
@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=WELL_FORMED | SAME_QUARTER)
def test_well_formed_links_at_the_edges_in_the_app(page: str, query: dict[str, str]) -> None:
    """Valid values, ranges far outside the data, one-quarter ranges: the page never errors."""
    st.cache_resource.clear()
    at = run(page, query)
    assert not at.exception, (query, [e.value for e in at.exception])


@pytest.fixture(scope="module")
def published(built_real_store: Path) -> tuple[str, dict[str, pd.DataFrame]]:
    store = Store(built_real_store / "store")
    vid = str(store.current_id())
    return vid, store.read_all(vid)


def _no_error_and_never_blank(page: str, query: dict[str, str], vid: str, tables: Any) -> None:
    view = pages.build(page, tables, params.parse({**query, "vintage": vid}))
    assert view.charts or view.messages, f"{page} {query}: no chart and no word why"


@settings(max_examples=8, deadline=None)
@example(query={"from": "FY2030Q1"})
@example(query={"to": "FY2020Q1"})
@example(query={"from": "FY2001Q1", "to": "FY2001Q2"})
@example(query={"from": "FY2027Q1", "to": "FY2026Q1"})  # from after to
@example(query={"from": "FY2026Q4", "to": "FY2026Q4"})
@example(query={"from": "2100Q4", "to": "2100Q4", "view": "index", "capex": "ttm", "lag": "8"})
@given(query=WELL_FORMED | SAME_QUARTER)
def test_well_formed_links_at_the_edges(
    published: tuple[str, dict[str, pd.DataFrame]], query: dict[str, str]
) -> None:
    """Every page builds for any well-formed link, and shows a chart or says why it has none."""
    vid, tables = published
    for page in ("overview", "spending", "profitability", "market"):
        _no_error_and_never_blank(page, query, vid, tables)


@pytest.mark.parametrize(("page", "key", "value"), CHOICES)
def test_every_valid_choice_of_each_parameter(
    published: tuple[str, dict[str, pd.DataFrame]], page: str, key: str, value: str
) -> None:
    """Each valid value of each parameter, on a page it changes, builds and is never blank."""
    vid, tables = published
    _no_error_and_never_blank(page, {key: value}, vid, tables)


def test_vintage_ids_resolve_only_to_published_ones(built_real_store: Path) -> None:
    """parse() accepts only the id shape; the store then accepts only published ids."""
    store = Store(built_real_store / "store")
    shaped = []
    for raw in ("../../etc/passwd", "v1234' OR 1=1 --", "V" + "a" * 12, "v" + "0" * 12):
        state = params.parse({"vintage": raw})
        if state.vintage is None:
            continue
        shaped.append(state.vintage)
        with pytest.raises(UnknownVintageError):
            store.resolve(state.vintage)
    assert shaped == ["v" + "0" * 12]  # the well-shaped unknown id did reach the store
    assert store.resolve(str(store.current_id())) == store.current_id()


def test_no_unsafe_html_in_the_app() -> None:
    """No Streamlit call renders raw HTML (so no data string can inject markup)."""
    root = Path(__file__).resolve().parents[2] / "dashboard"
    offenders = [
        str(p) for p in root.rglob("*.py") if "unsafe_allow_html" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_snapshot_escapes_data_strings(built_real_store: Path) -> None:
    """Hostile text in sources and notes is escaped in the HTML and neutralised in the CSV."""
    store = Store(built_real_store / "store")
    vid = store.current_id()
    tables = store.read_all(vid)
    evil = '<script>alert("x")</script>'
    tables["sources"] = tables["sources"].assign(publisher="", title="=cmd|' /C calc'!A0")
    tables["facts"] = tables["facts"].assign(note=f"<img src=x onerror=alert(1)> {evil}")
    state = params.parse({"vintage": str(vid)})
    view = pages.build("overview", tables, state)
    data = snapshot.bundle(
        view, state, tables, store.manifest(vid), "https://example.invalid/?vintage=" + str(vid)
    )
    z = zipfile.ZipFile(io.BytesIO(data))
    html = z.read("view.html").decode()
    assert evil not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html  # shown as text in the table
    assert not re.search(r"<script>alert", html)
    csv = pd.read_csv(io.BytesIO(z.read("data.csv")), dtype=str)
    assert not csv["source"].str.startswith(("=", "+", "-", "@")).any()
    assert csv["source"].str.startswith("'=cmd").all()
