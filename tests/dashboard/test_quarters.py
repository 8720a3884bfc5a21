"""The Overview's quarter picker, n.m. across a sign change, stated YoY, search by every word."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from dashboard import pages
from dashboard.common import params
from dashboard.common.view import View
from etl.store import Store
from tests.dashboard.helpers import figures, plain, run


@pytest.fixture(scope="module")
def published(built_real_store: Path) -> tuple[str, dict[str, pd.DataFrame]]:
    store = Store(built_real_store / "store")
    vid = str(store.current_id())
    return vid, store.read_all(vid)


def _overview(published: tuple[str, dict[str, pd.DataFrame]], query: dict[str, str]) -> View:
    vid, tables = published
    return pages.build("overview", tables, params.parse({**query, "vintage": vid}))


def test_picker_reaches_fy2026q4_with_stated_yoy_and_sources(
    published: tuple[str, dict[str, pd.DataFrame]],
) -> None:
    """FY2026Q4: the heading names it; EBITA with the stated -84%, FCF -¥17.3bn; both sourced."""
    view = _overview(published, {"quarter": "FY2026Q4"})
    assert "FY2026Q4" in view.heading and "Latest" not in view.heading
    cards = {
        label: (row, note)
        for (label, row, _c), note in zip(view.cards, view.card_notes, strict=True)
    }
    ebita, ebita_note = cards["Adjusted EBITA"]
    assert ebita["label"] == "FY2026Q4" and ebita["source_url"].startswith("https://")
    assert "Company states -84% YoY" in plain(ebita_note) and "](https://" in ebita_note
    fcf, _ = cards["Free cash flow"]
    assert fcf["value"] == -17300.0 and fcf["source_url"].startswith("https://")
    assert pd.Timestamp("2026-03-31") in view.quarters and len(view.quarters) >= 16


def test_sign_change_is_not_meaningful(published: tuple[str, dict[str, pd.DataFrame]]) -> None:
    """FCF went from positive to negative: no percentage, 'n.m.' beside the card instead."""
    view = _overview(published, {"quarter": "FY2026Q4"})
    cards = {
        label: (c, note) for (label, _r, c), note in zip(view.cards, view.card_notes, strict=True)
    }
    change, note = cards["Free cash flow"]
    assert change is None and "YoY n.m. (sign change)" in plain(note)


def test_unknown_quarter_falls_back_with_a_message(
    published: tuple[str, dict[str, pd.DataFrame]],
) -> None:
    """A quarter with nothing on file shows the latest one and says so."""
    view = _overview(published, {"quarter": "FY2040Q1"})
    assert view.heading.startswith("Latest quarter on file")
    assert any("FY2040Q1" in m for m in view.messages)


def test_search_matches_every_word_in_any_order(
    published: tuple[str, dict[str, pd.DataFrame]],
) -> None:
    """'FY2026Q4 adjusted_ebita' and 'adjusted_ebita FY2026Q4' find the same figures."""
    vid, tables = published
    a = pages.build(
        "sources", tables, params.parse({"vintage": vid, "q": "FY2026Q4 adjusted_ebita"})
    )
    b = pages.build(
        "sources", tables, params.parse({"vintage": vid, "q": "adjusted_ebita fy2026q4"})
    )
    assert len(a.data) > 0 and a.data.equals(b.data)
    assert set(a.data["fiscal_period"]) == {"FY2026Q4"}
    assert all("adjusted_ebita" in m for m in a.data["metric"])


@pytest.mark.usefixtures("bundled_app")
def test_picking_a_quarter_on_the_page() -> None:
    """One pick on the Overview shows FY2026Q4 and writes it into the link."""
    at = run("overview")
    at.select_slider(key="w_quarter").set_value(pd.Timestamp("2026-03-31")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["quarter"] == "FY2026Q4"
    assert any("FY2026Q4" in h.value for h in at.subheader)
    assert any(
        "-17.3bn" in m.value or "−¥17.3bn" in m.value or "-¥17.3bn" in m.value for m in at.metric
    )


@pytest.mark.usefixtures("bundled_app")
def test_picking_adoption_series_in_their_popover() -> None:
    """The series picker sits in a popover that counts what is shown; a pick reaches the link
    and the chart, and the count follows."""
    at = run("spending")

    def box_label() -> str:
        boxes = [p for p in at.get("popover") if p.proto.popover.label.startswith("Adoption")]
        assert len(boxes) == 1
        return str(boxes[0].proto.popover.label)

    def names() -> set[str]:
        return {str(t.get("name")) for fig in figures(at) for t in fig["data"]}

    assert any("Hugging Face downloads" in n for n in names())
    picker = at.multiselect(key="w_series")
    assert box_label() == f"Adoption series: {len(picker.value)} of {len(picker.options)} shown"
    picker.set_value(["lmarena_text_score"]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["series"] == "lmarena_text_score"
    assert box_label() == f"Adoption series: 1 of {len(picker.options)} shown"
    assert any("LM Arena" in n for n in names())
    assert not any("Hugging Face downloads" in n for n in names())


def test_a_range_ending_early_names_its_last_quarter_as_in_range(
    published: tuple[str, dict[str, pd.DataFrame]],
) -> None:
    """The range ends at FY2026Q3, before the newest quarter on file: the heading says the
    quarter shown is the latest in range, not the latest on file."""
    view = _overview(published, {"to": "FY2026Q3"})
    assert view.heading == "Latest quarter in range: FY2026Q3"
    assert _overview(published, {}).heading.startswith("Latest quarter on file: ")


def test_a_peers_later_quarter_does_not_count_as_alibabas(
    published: tuple[str, dict[str, pd.DataFrame]],
) -> None:
    """A peer's revenue for a quarter after the range's end is not Alibaba's: the range ending
    at Alibaba's newest quarter still heads its cards "on file". (The peer row is SYNTHETIC: a
    copy of a real peer row moved one quarter on, made here only for this test.)"""
    vid, tables = published
    facts = tables["facts"]
    peer = facts[(facts["entity"] != "alibaba") & (facts["metric"] == "revenue")].iloc[[-1]]
    synthetic = peer.assign(period_end="2026-09-30", fiscal_period="", value=1.0)
    with_peer = {**tables, "facts": pd.concat([facts, synthetic], ignore_index=True)}
    view = pages.build("overview", with_peer, params.parse({"to": "FY2027Q1", "vintage": vid}))
    assert view.heading == "Latest quarter on file: FY2027Q1"
