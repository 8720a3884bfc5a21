"""The Peers page's pure pieces: trailing sums, months behind the #1, the view on bundled data."""

from __future__ import annotations

import pandas as pd

from dashboard import pages
from dashboard.app_pages.peers.view import scores, trailing
from dashboard.common import params


def test_trailing_needs_four_consecutive_quarters() -> None:
    """A gap breaks the trailing sum: no figure rests on three quarters."""
    ends = pd.to_datetime(["2025-03-31", "2025-06-30", "2025-09-30", "2025-12-31", "2026-06-30"])
    q = pd.DataFrame(
        {
            "entity": "synthetic_co",
            "period_end": ends,
            "value": [1.0, 2.0, 3.0, 4.0, 5.0],  # SYNTHETIC
            "source": "s",
            "source_id": "s",
            "source_url": "",
            "concept": "c",
        }
    )
    out = trailing(q)
    assert out["period_end"].dt.strftime("%Y-%m-%d").tolist() == ["2025-12-31"]
    assert out["value"].tolist() == [10.0]


def test_months_behind_counts_from_when_the_leader_first_got_there() -> None:
    """A lab reaching 1100 sixty-one days after the leader did is two months behind."""
    facts = pd.DataFrame(
        {
            "entity": ["lab_a", "lab_b", "lab_a"],
            "metric": "lmarena_text_score",
            "period_end": ["2025-01-01", "2025-03-01", "2025-05-01"],
            "value": [1000.0, 1100.0, 1100.0],  # SYNTHETIC
            "subject": ["a1", "b1", "a2"],
            "source_id": "s",
        }
    )
    board = scores(facts).set_index(["entity", "date"])
    assert board.loc[("lab_b", pd.Timestamp("2025-03-01")), "months_behind"] == 0
    assert round(board.loc[("lab_a", pd.Timestamp("2025-05-01")), "months_behind"], 2) == round(
        61 / 30.44, 2
    )


def test_peers_view_on_the_bundled_data(built_real_store: object) -> None:
    """Offline: five companies' trailing capex, and trails for Qwen, Google and the partners."""
    from pathlib import Path

    from etl.store import Store

    store = Store(Path(str(built_real_store)) / "store")
    vid = str(store.current_id())
    view = pages.build(
        "peers", store.read_all(vid), params.parse({"vintage": vid, "view": "index"})
    )
    ttm, ratio, standing, months = (c.figure for c in view.charts)
    assert {t.name for t in ratio.data} == {"Alibaba", "Alphabet"}  # revenue on file offline
    names = {t.name for t in ttm.data}
    assert {"Alibaba", "Microsoft", "Alphabet", "Amazon", "Meta"} <= names
    assert all(t.y[0] == 100 for t in ttm.data)  # indexed to the first quarter shown
    pairs = {t.name: t.line.dash for t in standing.data}
    assert pairs["Alibaba · qwen"] == "solid"
    assert pairs["Microsoft · openai (partner lab)"] == "dash"
    assert [t.name for t in months.data] == [t.name for t in standing.data]
    shown = view.data[view.data["series"] == "Capex, trailing four quarters: Amazon"]
    assert shown["note"].eq("us-gaap:PaymentsToAcquireProductiveAssets").all()


def test_the_lab_map_can_be_changed_and_is_kept_in_the_link(built_real_store: object) -> None:
    """labs=openai:amazon draws OpenAI against Amazon's capex; a bad map is refused with a notice."""
    from pathlib import Path

    from etl.store import Store

    state = params.parse({"labs": "openai:amazon,meta:"})
    assert params.to_query(state)["labs"] == "meta:,openai:amazon"
    assert params.parse({"labs": "openai:nobody"}).notices
    store = Store(Path(str(built_real_store)) / "store")
    vid = str(store.current_id())
    view = pages.build(
        "peers", store.read_all(vid), params.parse({"vintage": vid, "labs": "openai:amazon"})
    )
    names = {t.name for t in view.charts[2].figure.data}
    assert "Amazon · openai (partner lab)" in names
    assert "Microsoft · openai (partner lab)" not in names
