"""Text that fits, one unit system, accessible names: figures and views on the bundled data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
import streamlit as st

from dashboard import pages
from dashboard.app_pages.profitability.view import DEFINED
from dashboard.common import components, params, theme, traces
from dashboard.common.view import View
from etl.models import METRICS
from etl.store import Store
from tests.dashboard.helpers import PAGES, plain, run

#: A note far longer than six wrapped lines, built for this test (not a real footnote).
SYNTHETIC_LONG_NOTE = (
    "Sources: "
    + "; ".join(f"Synthetic source number {i} with a long title" for i in range(30))
    + ". Amounts in RMB as reported. A long explanatory note. Vintage vsynthetic0001."
)


@pytest.fixture(scope="module")
def tables(built_real_store: Path) -> dict[str, pd.DataFrame]:
    store = Store(built_real_store / "store")
    vid = str(store.current_id())
    out = store.read_all(vid)
    out["facts"].attrs["vintage"] = vid
    return out


def _view(tables: dict[str, pd.DataFrame], page: str, **query: str) -> View:
    vid = str(tables["facts"].attrs["vintage"])
    return pages.build(page, tables, params.parse({"vintage": vid, **query}))


def _footnote(fig: go.Figure) -> str:
    return next(str(a.text) for a in fig.layout.annotations if a.name == "footnote")


def _lines(text: str) -> list[str]:
    return str(text).split("<br>")


def test_long_footnote_is_never_cut_and_keeps_the_vintage() -> None:
    """A footnote of thirty sources keeps the vintage on the chart and its whole text in meta."""
    fig = traces.footnote(go.Figure(go.Bar(x=[1], y=[1])), SYNTHETIC_LONG_NOTE)
    assert "Vintage vsynthetic0001." in _footnote(fig).replace("<br>", " ")
    assert "Amounts in RMB as reported." in _footnote(fig).replace("<br>", " ")
    assert traces.full_note(fig) == SYNTHETIC_LONG_NOTE


def test_every_chart_text_fits_a_phone(tables: dict[str, pd.DataFrame]) -> None:
    """Titles, footnotes and axis titles are wrapped for 390 px; the legend sits under the title."""
    for page in ("overview", "spending", "profitability", "market"):
        for chart in _view(tables, page).charts:
            fig = chart.figure
            title = str(fig.layout.title.text)
            assert max(len(x) for x in _lines(title)) <= traces.TITLE_CHARS, title
            assert max(len(x) for x in _lines(_footnote(fig))) <= traces.NOTE_CHARS
            assert "Vintage v" in _footnote(fig)
            for axis in (*fig.select_xaxes(), *fig.select_yaxes()):
                for line in _lines(axis.title.text or ""):
                    assert len(line) <= traces.AXIS_TITLE_CHARS, (chart.key, line)
            # Both in container coordinates: the legend's top is below the title's lines.
            title_px = fig.layout.margin.t - 30
            legend_top_px = (1 - fig.layout.legend.y) * fig.layout.height
            assert fig.layout.legend.yref == "container" and fig.layout.title.yref == "container"
            assert legend_top_px >= title_px, chart.key


def test_hover_notes_are_wrapped(tables: dict[str, pd.DataFrame]) -> None:
    """No line of a hover's source or note is longer than the hover width."""
    fig = _view(tables, "overview").charts[0].figure
    for trace in fig.data:
        for row in trace.customdata or []:
            for cell in row[1:3]:
                assert all(len(x) <= traces.HOVER_CHARS for x in _lines(cell)), cell


def test_money_ticks_speak_the_cards_units(tables: dict[str, pd.DataFrame]) -> None:
    """The headline's y ticks read like the cards ("¥50bn"), and the axis names both units."""
    view = _view(tables, "overview")
    axis = view.charts[0].figure.layout.yaxis
    assert axis.title.text == theme.MONEY_AXIS["RMB_mn"]
    assert all(t == "0" or re.fullmatch(r"-?¥\d+(\.\d)?bn", t) for t in axis.ticktext)
    card = next(row for label, row, _ in view.cards if label == "Revenue")
    assert card is not None and theme.money(float(card["value"]), "RMB_mn").endswith("bn")
    usd = _view(tables, "profitability", ccy="USD").charts[0].figure.layout.yaxis
    assert all(t == "0" or t.startswith(("US$", "-US$")) for t in usd.ticktext)


def test_usd_yoy_is_taken_from_rmb_figures(tables: dict[str, pd.DataFrame]) -> None:
    """In US$ the cards' YoY equals the RMB YoY (FX moves never pass for growth)."""
    rmb = {label: change for label, _, change in _view(tables, "overview").cards}
    usd = {label: change for label, _, change in _view(tables, "overview", ccy="USD").cards}
    assert usd == pytest.approx(rmb)


def test_intensity_note_names_its_unit_in_usd(tables: dict[str, pd.DataFrame]) -> None:
    """Capex intensity in the US$ view says it is a ratio, not "Amounts in RMB"."""
    fig = next(
        c.figure for c in _view(tables, "profitability", ccy="USD").charts if "intensity" in c.key
    )
    note = traces.full_note(fig)
    assert "Amounts in RMB as reported" not in note and "% of revenue" in note


def test_indexed_view_axes_follow_the_transform(tables: dict[str, pd.DataFrame]) -> None:
    """Indexed: no "score" or "count" axis left; the capex axis says first quarter = 100."""
    fig = _view(tables, "spending", view="index").charts[0].figure
    titles = [str(a.title.text or "").replace("<br>", " ") for a in fig.select_yaxes()]
    assert titles[0] == "index (first quarter = 100)"
    assert not any(t in ("score", "count") for t in titles), titles
    assert all(t.startswith("index") for t in titles[1:]), titles


def test_lag_stops_at_the_last_quarter_on_file(tables: dict[str, pd.DataFrame]) -> None:
    """Capex shifted by +8 quarters is drawn no later than the last quarter on file."""
    facts = tables["facts"]
    last = pd.to_datetime(
        facts.loc[facts["metric"].eq("capex") & facts["value"].notna(), "period_end"]
    ).max()
    fig = _view(tables, "spending", lag="8").charts[0].figure
    capex = next(t for t in fig.data if str(t.name).startswith("Capex per quarter"))
    assert len(capex.x) and pd.to_datetime(pd.Series(capex.x)).max() <= last


def test_title_of_is_plain_text() -> None:
    """The accessible name drops plotly's line breaks and tags."""
    fig = traces.fit_text(go.Figure(layout={"title": {"text": "A<br><b>long</b> title"}}))
    assert components.title_of(fig) == "A long title"


@pytest.mark.parametrize("page", ["overview", "profitability"])
def test_charts_carry_their_title_as_accessible_name(
    page: str, built_real_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every chart on the page is named for screen readers by its title; notes one click away."""
    monkeypatch.setenv("AIIMPACT_DATA_DIR", str(built_real_store))
    st.cache_data.clear()
    at = run(page)
    assert PAGES[page]
    elements = at.get("plotly_chart")
    assert elements
    for el in elements:
        title = json.loads(el.proto.spec)["layout"]["title"]["text"]
        assert el.proto.alt and el.proto.alt == re.sub(r"\s+", " ", title.replace("<br>", " "))
    notes = [p for p in at.get("popover") if p.proto.popover.label == "Sources and notes"]
    assert len(notes) == len(elements)
    assert all(p.children and p.children[0].type == "caption" for p in notes)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_colour_pairs_reach_three_to_one(scheme: str) -> None:
    """OCF and FCF differ by 3:1 in lightness; each named series stands 3:1 off the background."""
    colors, background = theme.palette(scheme), theme.BACKGROUNDS[scheme]
    for a, b in theme.CONTRAST_PAIRS:
        assert theme.contrast(colors[a], colors[b]) >= 3, (a, b, scheme)
    for name in theme.CONTRAST_ON_BACKGROUND:
        assert theme.contrast(colors[name], background) >= 3, (name, scheme)


def test_contrast_ratio_matches_wcag() -> None:
    """Black on white is 21:1 and a colour against itself 1:1 (the formula, not a constant)."""
    assert theme.contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert theme.contrast("#2f9e44", "#2f9e44") == pytest.approx(1.0)
    assert theme.contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


def test_as_of_dates_and_stale_badges(tables: dict[str, pd.DataFrame]) -> None:
    """Each drawn series gets its newest date; stale only once older than its cadence."""
    from datetime import date

    from dashboard.common import freshness

    overview = _view(tables, "overview")
    rows = {r.series: r for r in freshness.as_of(overview, date(2026, 12, 2))}
    capex = rows["Capex"]
    assert capex.kind == "quarterly" and re.fullmatch(r"FY\d{4}Q[1-4]", capex.shown)
    assert capex.stale == ((date(2026, 12, 2) - capex.as_of).days > 150)
    fresh = {r.series: r for r in freshness.as_of(overview, capex.as_of)}
    assert not fresh["Capex"].stale
    assert any(r.kind == "measured" for r in rows.values())  # the adoption cards
    market = freshness.as_of(_view(tables, "market"), date(2026, 12, 2))
    baba = next(r for r in market if r.series == "BABA")
    assert baba.kind == "daily"
    later = freshness.as_of(
        _view(tables, "market"), baba.as_of.replace(day=1) + pd.Timedelta(days=70)
    )
    assert next(r for r in later if r.series == "BABA").stale


def test_never_fetched_sources(built_real_store: Path) -> None:
    """A vintage built offline lists every online source as never fetched."""
    from dashboard.common import freshness

    store = Store(built_real_store / "store")
    missing = freshness.never_fetched(store.manifest(store.current_id()))
    assert {"edgar", "yahoo", "huggingface", "lmarena", "openrouter"} <= set(missing)
    assert "curated" not in missing


@pytest.mark.parametrize("page", ["overview", "spending", "market"])
def test_every_page_says_as_of(
    page: str, built_real_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page lists the as-of date of its series; the Overview names never-fetched sources."""
    monkeypatch.setenv("AIIMPACT_DATA_DIR", str(built_real_store))
    st.cache_data.clear()
    at = run(page)
    assert any(c.value.startswith("**As of:**") for c in at.caption)
    notes = [i.value for i in at.info if "Never fetched online" in i.value]
    if page == "overview":
        assert notes and "python -m etl refresh" in notes[0] and "yahoo" in notes[0]
    else:
        assert not notes


def test_dark_theme_swaps_colours_on_a_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    """In the dark theme the figure is drawn in the dark palette; the cached original stays light."""
    from types import SimpleNamespace

    fig = go.Figure(
        [
            go.Scatter(y=[1], name="FCF", line={"color": theme.COLORS["free_cash_flow"]}),
            go.Scatter(y=[1], name="OCF", line={"color": theme.COLORS["operating_cash_flow"]}),
        ]
    )
    dark_context = property(lambda _self: SimpleNamespace(type="dark"))
    monkeypatch.setattr(type(st.context), "theme", dark_context)
    dark = components.for_theme(fig)
    assert [t.line.color for t in dark.data] == [
        theme.DARK_COLORS["free_cash_flow"],
        theme.DARK_COLORS["operating_cash_flow"],
    ]
    assert fig.data[0].line.color == theme.COLORS["free_cash_flow"]
    assert components.for_theme(fig) is dark


def test_a_coverage_cell_can_be_chosen_without_pointing(
    built_real_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cell picker lists a cell's figures and puts it in the link, like a click on the grid."""
    monkeypatch.setenv("AIIMPACT_DATA_DIR", str(built_real_store))
    st.cache_data.clear()
    at = run("sources")
    everything = len(at.dataframe[0].value)
    # No cell in the link: the picker shows its placeholder, not the first cell as if chosen.
    assert at.selectbox(key="w_cell").value is None
    # In a popover, mounted when opened: a select box loads about 20 files of its own code.
    boxes = [p for p in at.get("popover") if p.proto.popover.label == "Or choose a cell"]
    assert len(boxes) == 1 and boxes[0].selectbox(key="w_cell").value is None
    at.selectbox(key="w_cell").set_value("adjusted_ebita@FY2026Q4").run()
    shown = at.dataframe[0].value
    assert at.query_params["cell"] == "adjusted_ebita@FY2026Q4"
    assert 0 < len(shown) < everything
    assert set(shown["metric"]) == {"adjusted_ebita"} and set(shown["fiscal_period"]) == {
        "FY2026Q4"
    }


def test_definitions_one_click_away_in_one_text(
    built_real_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Profitability's definitions sit in a popover, which the browser mounts only when opened,
    as one text that names every defined measure with its definition and where the rest is."""
    monkeypatch.setenv("AIIMPACT_DATA_DIR", str(built_real_store))
    st.cache_data.clear()
    at = run("profitability")
    boxes = [p for p in at.get("popover") if p.proto.popover.label.startswith("Definitions")]
    assert len(boxes) == 1 and len(boxes[0].children) == 1
    text = boxes[0].children[0].value
    for metric in DEFINED:
        assert f"**{METRICS[metric].label}**: {METRICS[metric].definition}" in text
    assert "data/README.md" in text and not at.expander


def test_a_card_note_shares_its_period_and_source_line(
    built_real_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each Overview card's note (the stated YoY, or why none is shown) is in the same caption as
    its period and source link: one element under the card, not two."""
    monkeypatch.setenv("AIIMPACT_DATA_DIR", str(built_real_store))
    st.cache_data.clear()
    at = run("overview", {"quarter": "FY2026Q4"})
    captions = [plain(c.value) for c in at.caption]
    ebita = [c for c in captions if "Company states -84% YoY" in c]
    assert len(ebita) == 1 and ebita[0].startswith("FY2026Q4 · [FY2026Q4 release](https://")
    fcf = [c for c in captions if "n.m. (sign change)" in c]
    assert len(fcf) == 1 and fcf[0].startswith("FY2026Q4 · [FY2026Q4 release](https://")


def test_adoption_figures_are_one_table_with_their_notes_one_click_away(
    built_real_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Overview's headline adoption figures are one table (a row per series: its value, how
    and when it was read, its source link), not a card each; each series' note is in a popover."""
    monkeypatch.setenv("AIIMPACT_DATA_DIR", str(built_real_store))
    st.cache_data.clear()
    at = run("overview")
    store = Store(built_real_store / "store")
    view = pages.build("overview", store.read_all(str(store.current_id())), params.parse({}))
    assert len(view.adoption_cards) >= 5
    tables = [m.value for m in at.markdown if m.value.startswith("| Series |")]
    assert len(tables) == 1
    rows = tables[0].splitlines()[2:]
    assert len(rows) == len(view.adoption_cards)
    for row, (metric, obs) in zip(rows, view.adoption_cards, strict=True):
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]]
        assert plain(cells[0]) == METRICS[metric].label
        value = plain(cells[1].strip("*"))
        assert value in (theme.count(obs["value"]), f"{obs['value']:,.0f}")
        when, source = cells[2].split(" · ", 1)
        assert when.endswith(re.sub(r"([-.])", r"\\\1", str(obs["label"])))
        assert source.startswith("[") and "](https://" in source
    assert len(at.metric) == len(view.cards)  # the quarter's cards only
    notes = [p for p in at.get("popover") if p.proto.popover.label.startswith("Notes on")]
    assert len(notes) == 1
    text = plain(notes[0].children[0].value)
    for metric, obs in view.adoption_cards:
        assert f"{METRICS[metric].label}: {' '.join(str(obs['note']).split())}" in text
