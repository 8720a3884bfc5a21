"""The vintage store: content ids, idempotent publish, crash safety, readers during a publish."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from etl import __main__ as cli
from etl import pipeline
from etl.errors import DamagedVintageError, LockTimeoutError, UnknownVintageError
from etl.store import FAULT_ENV, Store

REPO = Path(__file__).resolve().parents[2]
SYNTHETIC = REPO / "tests" / "fixtures" / "synthetic_data"


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


def _quiet(data: Path) -> Store:
    pipeline.run(data, progress=lambda _m: None)
    return Store(data / "store")


def _truncate(path: Path) -> None:
    size = path.stat().st_size
    with path.open("rb+") as fh:
        fh.truncate(size // 2)


def test_truncated_current_vintage_is_reported_and_rebuilt(synthetic_dir: Path) -> None:
    """A current vintage cut to half its size is named as damaged, and the next build rebuilds it."""
    store = _quiet(synthetic_dir)
    vid = store.current_id()
    assert vid is not None and store.verify(vid) is None
    _truncate(store.vintages_dir / f"{vid}.duckdb")
    assert store.verify(vid) is not None
    with pytest.raises(DamagedVintageError, match=f"vintage {vid} is damaged"):
        store.read("facts")
    assert [(i.id, bool(i.problem)) for i in store.list()] == [(vid, True)]
    result = pipeline.run(synthetic_dir, progress=lambda _m: None)
    assert result.vintage == vid and result.created
    assert store.verify(vid) is None and len(store.read("facts")) == 13


def test_damaged_older_vintage_with_the_same_id_is_never_made_current(synthetic_dir: Path) -> None:
    """A build whose content equals a damaged older vintage rebuilds it before pointing at it."""
    store = _quiet(synthetic_dir)
    old = store.current_id()
    path = synthetic_dir / "financials" / "synthetic_quarterly.csv"
    original = path.read_text()
    _change_a_figure(synthetic_dir)
    newer = pipeline.run(synthetic_dir, progress=lambda _m: None).vintage
    assert old is not None and newer != old
    _truncate(store.vintages_dir / f"{old}.duckdb")
    path.write_text(original)
    result = pipeline.run(synthetic_dir, progress=lambda _m: None)
    assert result.vintage == old and result.created  # rebuilt, not "unchanged"
    assert store.current_id() == old and store.verify(old) is None
    facts = store.read("facts")
    assert (
        facts.loc[facts.metric.eq("revenue") & facts.period_end.eq("2025-06-30"), "value"].item()
        == 150
    )


def test_damaged_current_does_not_block_a_build_of_new_content(synthetic_dir: Path) -> None:
    """With the current vintage damaged, a build of new content publishes beside it."""
    store = _quiet(synthetic_dir)
    old = store.current_id()
    (store.vintages_dir / f"{old}.duckdb").write_bytes(b"garbage")
    _change_a_figure(synthetic_dir)
    result = pipeline.run(synthetic_dir, progress=lambda _m: None)
    assert result.created and result.vintage != old
    assert store.current_id() == result.vintage
    assert {i.id: bool(i.problem) for i in store.list()} == {old: True, result.vintage: False}


def test_missing_vintage_file_is_listed_as_damaged(synthetic_dir: Path) -> None:
    """A vintage whose file was deleted is still listed, by id, as damaged (its checksum stays)."""
    store = _quiet(synthetic_dir)
    vid = store.current_id()
    (store.vintages_dir / f"{vid}.duckdb").unlink()
    assert store.verify(str(vid)) == "its file is missing"
    assert [(i.id, i.problem) for i in store.list()] == [(vid, "its file is missing")]
    base, notice = store.healthy_current()
    assert base is None and f"current vintage {vid} is damaged" in notice


def test_a_vintage_without_a_checksum_is_opened_then_given_one(synthetic_dir: Path) -> None:
    """A vintage published before checksums existed reads (it opens), and the next publish
    records its checksum; a truncated one without a checksum is damaged."""
    store = _quiet(synthetic_dir)
    vid = str(store.current_id())
    sums = store.vintages_dir / f"{vid}.sha256"
    recorded = sums.read_text()
    sums.unlink()
    assert store.verify(vid) is None and len(store.read("facts")) == 13
    assert not pipeline.run(synthetic_dir, progress=lambda _m: None).created
    assert sums.read_text() == recorded
    sums.unlink()
    _truncate(store.vintages_dir / f"{vid}.duckdb")
    assert store.verify(vid) is not None


def test_healthy_current_falls_back_to_the_newest_healthy_vintage(synthetic_dir: Path) -> None:
    """A damaged current vintage gives way to the newest healthy one, with a notice naming both."""
    store = _quiet(synthetic_dir)
    old = store.current_id()
    _change_a_figure(synthetic_dir)
    newer = pipeline.run(synthetic_dir, progress=lambda _m: None).vintage
    _truncate(store.vintages_dir / f"{newer}.duckdb")
    base, notice = store.healthy_current()
    assert base == old
    assert f"the current vintage {newer} is damaged" in notice and f"using {old}" in notice


def _fault_line(err: str, data: Path) -> str:
    """The one error line of a failed build (the others are the build's warnings)."""
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if "stale" not in ln and "restated" not in ln]
    assert len(lines) == 1, err
    assert lines[0].startswith(f"etl: {data}/store/"), err
    return lines[0]


def _mount_tmpfs(where: Path, size: str) -> None:
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")


def _umount(where: Path) -> None:
    subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


def _fill(where: Path, leave: int) -> None:
    """Fill a file system up to `leave` bytes free."""
    free = os.statvfs(where).f_bavail * os.statvfs(where).f_frsize
    with (where / "ballast").open("wb") as fh:
        fh.write(b"\0" * max(free - leave, 0))


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A 3 MiB tmpfs (skipped with the reason where mounting is not allowed)."""
    mnt = tmp_path / "mnt"
    _mount_tmpfs(mnt, "3m")
    try:
        yield mnt
    finally:
        _umount(mnt)


def test_full_disk_is_one_line_and_leaves_no_temporaries(
    small_fs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No space left: exit 5 with one line naming the path and the fault; nothing half-written."""
    data = shutil.copytree(SYNTHETIC, small_fs / "data")
    assert cli.main(["build", "-q", "--data-dir", str(data)]) == 0
    store = Store(data / "store")
    before = store.current_id()
    _change_a_figure(data)
    _fill(small_fs, leave=16 * 1024)
    capsys.readouterr()
    code = cli.main(["build", "-q", "--data-dir", str(data)])
    err = capsys.readouterr().err
    assert code == cli.EXIT_FILESYSTEM, err
    assert _fault_line(err, data).endswith("No space left on device")
    assert store.current_id() == before and store.verify(str(before)) is None
    assert not [p.name for p in store.vintages_dir.iterdir() if p.name.startswith(".tmp-")]
    assert not list(store.root.glob(".CURRENT.*"))


def test_read_only_store_is_one_line(small_fs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A store on a read-only file system: exit 5 naming the path; reading still works."""
    data = shutil.copytree(SYNTHETIC, small_fs / "data")
    assert cli.main(["build", "-q", "--data-dir", str(data)]) == 0
    _change_a_figure(data)
    remount = subprocess.run(
        ["mount", "-o", "remount,ro", str(small_fs)], capture_output=True, text=True, check=False
    )
    if remount.returncode != 0:
        pytest.skip(f"cannot remount read-only: {remount.stderr.strip()}")
    capsys.readouterr()
    code = cli.main(["build", "-q", "--data-dir", str(data)])
    err = capsys.readouterr().err
    assert code == cli.EXIT_FILESYSTEM, err
    assert _fault_line(err, data) == f"etl: {data}/store/publish.lock: Read-only file system"
    assert cli.main(["export", "--out", "-", "--data-dir", str(data)]) == 0
