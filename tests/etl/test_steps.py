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
from etl.sources.curated import META_FIELDS
from etl.steps import __main__ as steps_cli

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
