"""Qwen against the frontier on LM Arena: intervals, statistical ties and the overview's rank card."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dashboard import pages
from dashboard.app_pages.spending import arena, arena_chart
from dashboard.common import params
from etl.store import Store

REPO = Path(__file__).resolve().parents[2]
NO_EVENTS = pd.DataFrame(columns=["date", "category", "label", "source_id", "source"])


def _bundled() -> pd.DataFrame:
    facts = pd.read_csv(REPO / "data" / "adoption" / "lmarena_text.csv", dtype={"value": float})
    return facts.assign(source_url="", owner="curated")


def _synthetic_facts(rows: list[tuple[str, str, float, float, float]]) -> pd.DataFrame:
    """SYNTHETIC facts: (lab, date, score, lower, upper) as the five arena metrics."""
    out = []
    for lab, day, score, lower, upper in rows:
        for metric, value in (
            ("lmarena_text_score", score),
            ("lmarena_text_score_lower", lower),
            ("lmarena_text_score_upper", upper),
            ("lmarena_text_rank", 1.0),
            ("lmarena_text_votes", 100.0),
        ):
            out.append(
                {
                    "entity": lab,
                    "metric": metric,
                    "period_end": day,
                    "value": value,
                    "subject": f"{lab}-model",
                    "source_id": "synthetic",
                    "note": "",
                }
            )
    return pd.DataFrame(out)


def test_overlapping_intervals_are_ties_and_touching_ones_too() -> None:
    """Overlap (or a shared bound) is a tie; a gap is not; a missing interval gives no verdict."""
    facts = _synthetic_facts(
        [
            ("qwen", "2026-01-01", 1400.0, 1390.0, 1410.0),
            ("meta", "2026-01-01", 1405.0, 1400.0, 1415.0),
            ("google", "2026-01-01", 1430.0, 1410.0, 1450.0),
            ("openai", "2026-01-01", 1380.0, 1370.0, 1389.9),
        ]
    )
    facts = pd.concat(
        [facts, _synthetic_facts([("deepseek", "2026-01-01", 1300.0, 1.0, 2.0)]).iloc[:1]]
    )
    tied = arena.lab_lines(facts).set_index("lab")["tied"]
    assert tied["meta"] is True and tied["google"] is True and tied["openai"] is False
    assert tied["qwen"] is None and tied["deepseek"] is None
    assert arena.ties(arena.lab_lines(facts))[1] == ["Google", "Meta"]


def test_bundled_2026_10_02_qwen_is_tied_with_meta_only() -> None:
    """On the official rows of 2026-10-02 only Meta's interval overlaps Qwen's among the named labs."""
    lines = arena.lab_lines(_bundled())
    day = lines[lines["date"] == "2026-10-02"].set_index("lab")
    assert day.loc["meta", "tied"] is True
    assert all(
        day.loc[lab, "tied"] is False for lab in ("google", "anthropic", "openai", "deepseek")
    )
    sentence = arena_chart.tie_sentence(lines)
    assert sentence.startswith("On 2026-10-02 Qwen (qwen3.8-max, #16, 1476.6–1487.0)")
    assert "statistically tied with Meta" in sentence


def test_frontier_chart_draws_the_named_labs_with_intervals() -> None:
    """Qwen and five rivals each get a trace with error bars from their official intervals."""
    facts = _bundled()
    lines = arena.lab_lines(facts)
    fig = arena_chart.frontier_figure(arena.frontier(facts), NO_EVENTS, "note", lines)
    names = [t.name for t in fig.data]
    for lab in ("Qwen (Alibaba)", "Google", "Anthropic", "OpenAI", "Meta", "DeepSeek"):
        assert any(n.startswith(f"{lab}: best model") for n in names), lab
    meta = next(t for t in fig.data if t.name == "Meta: best model")
    last = list(meta.x).index(pd.Timestamp("2026-10-02"))
    assert meta.y[last] == 1489.9
    assert meta.error_y.array[last] == 1496.0 - 1489.9
    assert meta.error_y.arrayminus[last] == 1489.9 - 1483.7
    assert meta.customdata[last][5].startswith("statistically tied with Qwen")
    assert "statistically tied with Meta" in fig.layout.title.text


def test_overview_card_gives_qwens_rank_and_its_date(built_real_store: Path) -> None:
    """The overview's LM Arena rank card shows Qwen's newest official rank with its date and model."""
    store = Store(built_real_store / "store")
    vid = str(store.current_id())
    view = pages.build("overview", store.read_all(vid), params.parse({"vintage": vid}))
    card = dict(view.adoption_cards)["lmarena_text_rank"]
    assert card["value"] == 16 and card["label"] == "2026-10-02"
    assert card["note"].startswith("qwen3.8-max")
