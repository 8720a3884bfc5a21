"""The vintage store: content ids, idempotent publish, crash safety, readers during a publish."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from etl import pipeline
from etl.errors import LockTimeoutError, UnknownVintageError
from etl.store import FAULT_ENV, Store

REPO = Path(__file__).resolve().parents[2]


def _build(data: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "etl", "build", "--data-dir", str(data)],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _change_a_figure(data: Path) -> None:
    path = data / "financials" / "synthetic_quarterly.csv"
    path.write_text(path.read_text().replace(",150,RMB_mn", ",151,RMB_mn"))


def test_same_inputs_same_id(synthetic_dir: Path) -> None:
    """A second build with unchanged inputs publishes nothing and reports the same id."""
    first = pipeline.run(synthetic_dir, progress=lambda _m: None)
    second = pipeline.run(synthetic_dir, progress=lambda _m: None)
    assert first.created and not second.created
    assert first.vintage == second.vintage
    assert Store(synthetic_dir / "store").ids() == [first.vintage]


def test_changed_input_new_vintage_old_kept(synthetic_dir: Path) -> None:
    """A changed figure gives a new current vintage and the old one stays readable."""
    old = pipeline.run(synthetic_dir, progress=lambda _m: None).vintage
    _change_a_figure(synthetic_dir)
    result = pipeline.run(synthetic_dir, progress=lambda _m: None)
    store = Store(synthetic_dir / "store")
    assert result.vintage != old and store.current_id() == result.vintage
    assert any("restated: alibaba revenue 2025-06-30 150 -> 151" in w for w in result.warnings)
    facts = store.read("facts", old)
    assert (
        facts.loc[facts.metric.eq("revenue") & facts.period_end.eq("2025-06-30"), "value"].item()
        == 150
    )
    assert store.manifest(result.vintage)["warnings"] == result.warnings


def test_unknown_vintage_is_refused(synthetic_dir: Path) -> None:
    """Ids are looked up among published vintages, never joined into a path."""
    pipeline.run(synthetic_dir, progress=lambda _m: None)
    store = Store(synthetic_dir / "store")
    for bad in ("../../etc/passwd", "v000000000000", "'; DROP TABLE facts; --", ""):
        with pytest.raises(UnknownVintageError):
            store.resolve(bad)


@pytest.mark.parametrize("step", ["before-write", "mid-write", "before-rename", "before-current"])
def test_sigkill_during_publish_keeps_previous_vintage(synthetic_dir: Path, step: str) -> None:
    """A build killed with SIGKILL at any publish step leaves the previous vintage current and readable."""
    assert _build(synthetic_dir).returncode == 0
    store = Store(synthetic_dir / "store")
    before = store.current_id()
    _change_a_figure(synthetic_dir)
    killed = _build(synthetic_dir, {FAULT_ENV: step})
    assert killed.returncode == -9
    assert store.current_id() == before
    facts = store.read("facts")
    assert len(facts) == 13
    # The next build recovers: it cleans up and publishes the change.
    assert _build(synthetic_dir).returncode == 0
    assert store.current_id() != before
    assert not list((synthetic_dir / "store" / "vintages").glob(".tmp-*"))


def test_reader_keeps_its_vintage_during_publish(synthetic_dir: Path) -> None:
    """A connection opened on a vintage before a publish keeps reading the same figures."""
    old = pipeline.run(synthetic_dir, progress=lambda _m: None).vintage
    path = synthetic_dir / "store" / "vintages" / f"{old}.duckdb"
    con = duckdb.connect(str(path), read_only=True)
    try:
        before = con.execute("SELECT count(*), sum(value) FROM facts").fetchone()
        _change_a_figure(synthetic_dir)
        assert _build(synthetic_dir).returncode == 0
        assert con.execute("SELECT count(*), sum(value) FROM facts").fetchone() == before
    finally:
        con.close()
    assert Store(synthetic_dir / "store").current_id() != old


def test_second_build_waits_for_the_lock(synthetic_dir: Path) -> None:
    """Two builds never interleave: the second waits, or gives up with a clear error."""
    store = Store(synthetic_dir / "store")
    with (
        store.lock(wait=1),
        pytest.raises(LockTimeoutError, match="another build is publishing"),
        store.lock(wait=0.3),
    ):
        pass
    released = threading.Event()

    def hold() -> None:
        with store.lock(wait=1):
            time.sleep(0.5)
        released.set()

    t = threading.Thread(target=hold)
    t.start()
    time.sleep(0.1)
    result = pipeline.run(synthetic_dir, lock_wait=10, progress=lambda _m: None)
    assert released.is_set()
    t.join()
    assert store.current_id() == result.vintage


def test_merge_keeps_one_row_per_key_and_owner() -> None:
    """Rows sharing a key within one owner collapse to the later one; two owners keep both."""
    import pandas as pd

    from etl import pipeline
    from etl.models import TABLES

    def row(value: float, owner: str) -> dict[str, object]:
        base = {c: "" for c in TABLES["facts"].columns}
        base.update(
            entity="alibaba", metric="revenue", period_end="2025-06-30", value=value, owner=owner
        )
        return base

    parts = {
        "curated": {"facts": pd.DataFrame([row(1.0, "curated")])},
        "edgar": {"facts": pd.DataFrame([row(2.0, "edgar"), row(3.0, "edgar")])},
    }
    merged = pipeline._merge(parts)["facts"]  # noqa: SLF001 - the merge rule itself
    assert sorted(zip(merged["owner"], merged["value"], strict=True)) == [
        ("curated", 1.0),
        ("edgar", 3.0),
    ]
