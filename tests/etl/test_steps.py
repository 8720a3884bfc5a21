"""Raw snapshots and the import steps that turn them into curated rows."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from etl import steps
from etl.models import lab_entity
from etl.sources import Context, fetch
from etl.sources.curated import META_FIELDS
from etl.sources.lmarena import LmArenaSource, best_per_lab
from etl.steps import __main__ as steps_cli
from etl.steps import lmarena as arena_step
from etl.steps.common import read_snapshot
from tests.fixtures.lmarena.transport import official_parquet, transport

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
METAS = sorted((DATA / "snapshots").glob("**/*.meta.json"))


def test_steps_rebuild_the_curated_rows_byte_for_byte() -> None:
    """Every file a step produces equals the committed file exactly."""
    produced = steps.outputs(DATA)
    assert set(produced) == {
        "adoption/lmarena_text.csv",
        "adoption/hf_qwen_monthly.csv",
        "market/prices_daily.csv",
        "disclosures/alibaba_kpis.csv",
        "financials/peers_quarterly.csv",
    }
    for rel, text in produced.items():
        assert (DATA / rel).read_bytes() == text.encode("utf-8"), rel


def test_check_mode_notices_a_hand_edit(tmp_path: Path) -> None:
    """`python -m etl.steps --check` fails when a curated row no longer matches its snapshot."""
    data = tmp_path / "data"
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns("store", "cache"))
    assert steps_cli.main(["--check", "--data-dir", str(data)]) == 0
    path = data / "adoption" / "lmarena_text.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace(",1485.", ",1495.", 1), encoding="utf-8"
    )
    assert steps_cli.main(["--check", "--data-dir", str(data)]) == 1
    assert steps_cli.main(["--data-dir", str(data)]) == 0
    assert steps_cli.main(["--check", "--data-dir", str(data)]) == 0


@pytest.mark.parametrize("meta_path", METAS, ids=[p.name for p in METAS])
def test_snapshot_origin_and_checksum(meta_path: Path) -> None:
    """Each raw snapshot names repository, path, commit, licence and date read; its checksum holds."""
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    assert set(META_FIELDS) <= set(meta)
    raw = meta_path.with_name(meta_path.name.removesuffix(".meta.json"))
    assert hashlib.sha256(raw.read_bytes()).hexdigest() == meta["sha256"]
    assert len(meta["commit"]) == 40 and meta["url"].startswith("https://github.com/")
    assert meta["license"] and "2026-12-01" <= meta["date_read"] <= date.today().isoformat()


def test_qwen_arena_history_is_dense() -> None:
    """Qwen and its rivals have at least 50 dated ratings over 24 months, into mid-2026."""
    rows = pd.read_csv(DATA / "adoption" / "lmarena_text.csv", dtype={"value": float})
    scores = rows[rows["metric"] == "lmarena_text_score"]
    for lab in ("qwen", "openai", "anthropic", "google"):
        days = pd.to_datetime(scores.loc[scores["entity"] == lab, "period_end"])
        assert len(days) >= 50, lab
        assert (days.max() - days.min()).days >= 730, lab
        assert days.max() >= pd.Timestamp("2026-06-01"), lab
    assert scores["subject"].notna().all()  # every point names its model


def _arena() -> pd.DataFrame:
    return pd.read_csv(DATA / "adoption" / "lmarena_text.csv", dtype={"value": float})


def _on(rows: pd.DataFrame, metric: str, day: str) -> pd.Series:
    sel = rows[(rows["metric"] == metric) & (rows["period_end"] == day)]
    return sel.set_index("entity")["value"]


def test_bundle_ranks_qwen_as_the_official_rows_do_on_2026_10_02() -> None:
    """On 2026-10-02 Qwen is below Google, Anthropic and Meta and above OpenAI, by rank and score."""
    rows = _arena()
    rank = _on(rows, "lmarena_text_rank", "2026-10-02")
    score = _on(rows, "lmarena_text_score", "2026-10-02")
    assert rank["qwen"] == 16
    for better in ("google", "anthropic", "meta"):
        assert rank[better] < rank["qwen"] and score[better] > score["qwen"], better
    assert rank["openai"] > rank["qwen"] and score["openai"] < score["qwen"]


FRONTIER = ("qwen", "google", "anthropic", "openai", "meta", "deepseek")


def test_qwen_and_its_rivals_have_rank_and_interval_at_every_official_point() -> None:
    """Qwen's series reaches October 2026 and the official rows run from January 2025; every
    official point has rank, interval and votes, on every date the lab is in the copy's top 150
    (Meta fell out of it from 2026-02-09 until muse-spark on 2026-04-09)."""
    rows = _arena()
    official = rows[rows["source_id"] == "snap_lmarena_official_rows"]
    qwen_days = set(
        rows.loc[
            (rows["entity"] == "qwen") & (rows["metric"] == "lmarena_text_score"), "period_end"
        ]
    )
    assert max(qwen_days) >= "2026-10-01"
    days = set(official["period_end"])
    assert min(days) == "2025-01-05" and len(days) == 165
    raw, _ = read_snapshot(DATA, arena_step.OFFICIAL)
    listed = pd.DataFrame(raw).assign(lab=lambda f: f["organization"].map(lab_entity))
    for lab in FRONTIER:
        mine = official[official["entity"] == lab]
        lab_days = set(listed.loc[listed["lab"] == lab, "date"])
        assert lab_days == days or lab == "meta", lab
        for metric in (
            "lmarena_text_score",
            "lmarena_text_rank",
            "lmarena_text_score_lower",
            "lmarena_text_score_upper",
            "lmarena_text_votes",
        ):
            got = mine[mine["metric"] == metric]
            assert set(got["period_end"]) == lab_days and got["value"].notna().all(), (lab, metric)
        lower = mine[mine["metric"] == "lmarena_text_score_lower"].set_index("period_end")["value"]
        upper = mine[mine["metric"] == "lmarena_text_score_upper"].set_index("period_end")["value"]
        mid = mine[mine["metric"] == "lmarena_text_score"].set_index("period_end")["value"]
        assert ((lower <= mid) & (mid <= upper)).all(), lab
    meta_gap = sorted(days - set(listed.loc[listed["lab"] == "meta", "date"]))
    assert (meta_gap[0], meta_gap[-1], len(meta_gap)) == ("2026-02-09", "2026-04-07", 25)


def test_organisation_spellings_map_to_one_lab() -> None:
    """alibaba/Qwen, zai/Zhipu AI/GLM, moonshot/Moonshot (Kimi) each give one entity."""
    assert {lab_entity(o) for o in ("alibaba", "Qwen", " QWEN ")} == {"qwen"}
    assert {lab_entity(o) for o in ("zai", "Zhipu AI", "GLM", "Z.ai")} == {"zhipu"}
    assert {lab_entity(o) for o in ("moonshot", "Moonshot (Kimi)")} == {"moonshot"}
    assert lab_entity("01 AI") == "01_ai" and lab_entity("") == ""
    rows = _arena()
    qwen = rows[(rows["entity"] == "qwen") & (rows["metric"] == "lmarena_text_score")]
    assert {"snap_lmarena_mayerwin", "snap_lmarena_official_rows"} <= set(qwen["source_id"])
    assert not {"alibaba", "zai", "glm", "moonshot_kimi"} & set(rows["entity"])


def test_empty_organisation_takes_the_models_own_organisation() -> None:
    """A legacy row without organisation counts for the lab its model has on other rows."""
    synthetic = pd.DataFrame(
        {
            "model_name": ["legacy-qwen", "legacy-qwen", "orphan", "gpt-x"],
            "organization": ["alibaba", "", "", "openai"],
            "rating": [1300.0, 1310.0, 1400.0, 1200.0],
            "rating_lower": [1290.0, 1300.0, 1390.0, 1190.0],
            "rating_upper": [1310.0, 1320.0, 1410.0, 1210.0],
            "vote_count": [10.0, 20.0, 30.0, 40.0],
            "rank": [1.0, 2.0, 1.0, 3.0],
            "leaderboard_publish_date": ["2026-03-01", "2026-04-02", "2026-04-02", "2026-04-02"],
        }
    )
    best = best_per_lab(synthetic).set_index(["entity", "leaderboard_publish_date"])
    assert best.loc[("qwen", "2026-04-02"), "rating"] == 1310.0
    assert "orphan" not in set(best["model_name"])  # no row names its organisation


def test_offline_series_matches_the_refresh_on_the_same_official_rows(tmp_path: Path) -> None:
    """The bundled official rows, served as the dataset's parquet, give the step's figures."""
    rows, _meta = read_snapshot(DATA, arena_step.OFFICIAL)
    body = official_parquet(arena_step.official_frame(rows))
    facts = fetch(
        LmArenaSource(transport=transport(body=body)), Context(tmp_path, date(2026, 12, 2))
    )["facts"]
    online = facts.set_index(["entity", "metric", "period_end"])[["value", "subject"]].sort_index()
    bundled = _arena()
    offline = (
        bundled[bundled["source_id"] == "snap_lmarena_official_rows"]
        .set_index(["entity", "metric", "period_end"])[["value", "subject"]]
        .sort_index()
    )
    named = [r for r in rows if r["organization"]]
    assert len(named) < len(rows)  # the real rows hold an empty organisation (2026-04..05)
    # One point per lab and date: organisation spellings of one lab (Zhipu, Zhipu AI) merge, and
    # a row without organisation counts for the lab its model has on another date.
    lab_days = {(lab_entity(r["organization"]), r["date"]) for r in named}
    home = {r["model"]: lab_entity(r["organization"]) for r in named}
    lab_days |= {
        (home[r["model"]], r["date"]) for r in rows if not r["organization"] and r["model"] in home
    }
    assert len(online) == len(offline) == 5 * len(lab_days)
    pd.testing.assert_frame_equal(online, offline, check_dtype=False)


def test_flagship_history_agrees_with_the_official_rows_where_both_exist() -> None:
    """On shared dates mayerwin matches the official best, except where noted in the meta file."""
    official, _ = read_snapshot(DATA, arena_step.OFFICIAL)
    flagship, _ = read_snapshot(DATA, arena_step.FLAGSHIP)
    # A lab's best over its organisation spellings (Zhipu and Zhipu AI are one lab).
    best: dict[tuple[str, str], float] = {}
    for r in official:
        if r["organization"]:
            key = (r["date"], lab_entity(r["organization"]))
            best[key] = max(best.get(key, float("-inf")), float(r["rating"]))
    diffs = [
        (r["leaderboard_date"], float(r["rating"]) - best[key])
        for r in flagship
        if (key := (r["leaderboard_date"], lab_entity(r["organization"]))) in best
    ]
    agree = [d for d, diff in diffs if abs(diff) < 0.06]
    shifted = {d for d, diff in diffs if diff >= 0.06}
    # 2025-01..2026-07: 981 of 1,086 lab-dates on 141 shared dates agree to the copier's rounding.
    assert len(agree) >= 950 and len({d for d, _ in diffs}) >= 140
    assert shifted == {"2026-06-10", "2026-07-14", "2026-07-20", "2026-07-21"}
    rows = _arena()
    flagship_days = rows.loc[rows["source_id"] == "snap_lmarena_mayerwin", "period_end"]
    assert flagship_days.max() < min(r["date"] for r in official)  # official rows win
