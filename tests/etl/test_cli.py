"""The command line contract: build, vintages, export, diff, exit codes."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest

from etl import __main__ as cli


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_build_vintages_export_diff(
    synthetic_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Build publishes, vintages lists, export writes the contract columns, diff finds the change."""
    d = ["--data-dir", str(synthetic_dir)]
    code, out, err = _run(capsys, "build", *d)
    assert code == 0 and out.startswith("published new vintage v")
    assert "[2/3] validating curated files" in err
    first = out.split()[3]
    code, out, _ = _run(capsys, "vintages", "--json", *d)
    listed = json.loads(out)
    assert [(v["id"], v["current"]) for v in listed] == [(first, True)]
    assert {"id", "created_at", "current"} <= set(listed[0])
    code, out, _ = _run(capsys, "export", "--out", "-", *d)
    facts = pd.read_csv(StringIO(out))
    assert list(facts.columns[:8]) == [
        "entity",
        "metric",
        "period_end",
        "fiscal_period",
        "value",
        "unit",
        "source_id",
        "source_url",
    ]
    capex = facts[(facts.metric == "capex") & (facts.period_end == "2025-06-30")]
    assert capex["value"].item() == 25 and capex["basis"].item() == "derived"
    path = synthetic_dir / "financials" / "synthetic_quarterly.csv"
    path.write_text(path.read_text().replace(",30,RMB_mn", ",31,RMB_mn"))
    code, out, _ = _run(capsys, "build", *d)
    second = out.split()[3]
    code, out, _ = _run(capsys, "diff", first, second, *d)
    assert code == 0
    assert "changed  alibaba adjusted_ebita 2025-06-30: 30 -> 31 RMB_mn" in out
    parquet = synthetic_dir / "facts.parquet"
    code, _, _ = _run(
        capsys, "export", "--vintage", first, "--format", "parquet", "--out", str(parquet), *d
    )
    assert code == 0 and len(pd.read_parquet(parquet)) == len(facts)


def test_usage_errors_exit_2(synthetic_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Unknown commands and unknown vintages are usage errors."""
    with pytest.raises(SystemExit) as exc:
        cli.main(["frobnicate"])
    assert exc.value.code == 2
    code, _, err = _run(capsys, "export", "--vintage", "nope", "--data-dir", str(synthetic_dir))
    assert code == 2 and "no vintage is published yet" not in err
    cli.main(["build", "-q", "--data-dir", str(synthetic_dir)])
    code, _, err = _run(capsys, "diff", "v000000000000", "nope", "--data-dir", str(synthetic_dir))
    assert code == 2 and "unknown vintage" in err


def test_data_dir_from_environment(
    synthetic_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """AIIMPACT_DATA_DIR is honoured when --data-dir is absent."""
    monkeypatch.setenv("AIIMPACT_DATA_DIR", str(synthetic_dir))
    code, out, _ = _run(capsys, "build")
    assert code == 0 and (synthetic_dir / "store" / "CURRENT").exists()


def test_export_neutralises_formulas(
    synthetic_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Text cells that start like a spreadsheet formula are quoted; negative numbers are not."""
    path = synthetic_dir / "financials" / "synthetic_quarterly.csv"
    path.write_text(path.read_text().replace("not disclosed (synthetic blank)", "=HYPERLINK(1)"))
    cli.main(["build", "-q", "--data-dir", str(synthetic_dir)])
    _, out, _ = _run(capsys, "export", "--data-dir", str(synthetic_dir))
    assert "'=HYPERLINK(1)" in out
    assert ",-7.0," in out


def test_options_before_the_subcommand_are_honoured(
    synthetic_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`--data-dir X -q build` publishes into X (not $AIIMPACT_DATA_DIR) and stays quiet."""
    elsewhere = tmp_path / "elsewhere"
    monkeypatch.setenv("AIIMPACT_DATA_DIR", str(elsewhere))
    code, out, err = _run(capsys, "--data-dir", str(synthetic_dir), "-q", "build")
    assert code == 0 and out.startswith("published new vintage v")
    assert "[2/3]" not in err  # -q before the subcommand counts too
    assert (synthetic_dir / "store" / "CURRENT").exists()
    assert not elsewhere.exists()
    code, out, _ = _run(capsys, "--data-dir", str(synthetic_dir), "vintages", "--json")
    assert code == 0 and len(json.loads(out)) == 1


def test_offline_build_summary_does_not_read_as_a_failure(
    synthetic_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An offline build says the curated files are fine and online sources were not fetched."""
    code, out, _ = _run(capsys, "build", "-q", "--data-dir", str(synthetic_dir))
    assert code == 0
    assert "curated ok; online sources not fetched" in out and "1/3" not in out


def test_store_errors_are_one_line_not_a_traceback(
    synthetic_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A broken store (a vintage file that is not a database) ends with exit 2 and one line naming it."""
    assert _run(capsys, "build", "-q", "--data-dir", str(synthetic_dir))[0] == 0
    vintages = synthetic_dir / "store" / "vintages"
    for f in vintages.glob("*.duckdb"):
        f.write_bytes(b"not a database")
    code, _, err = _run(capsys, "export", "--out", "-", "--data-dir", str(synthetic_dir))
    assert code == 2
    assert "Traceback" not in err and len(err.splitlines()) == 1
    assert "is damaged: sha256" in err


REPO = Path(__file__).resolve().parents[2]
FIN = "financials/synthetic_quarterly.csv"


def _cli(data: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The CLI in a child process: a hang ends the test instead of the suite."""
    return subprocess.run(
        [sys.executable, "-m", "etl", *args, "--data-dir", str(data)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _truncate_current(data: Path) -> str:
    vid = (data / "store" / "CURRENT").read_text().strip()
    path = data / "store" / "vintages" / f"{vid}.duckdb"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return vid


def test_damaged_current_vintage_is_one_line_per_command(
    synthetic_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A truncated current vintage: vintages lists it as damaged, verify names it, export and diff
    say so in one line, and build rebuilds it."""
    d = ["--data-dir", str(synthetic_dir)]
    assert _run(capsys, "build", "-q", *d)[0] == 0
    vid = _truncate_current(synthetic_dir)
    code, out, err = _run(capsys, "vintages", *d)
    assert code == 0 and f"* {vid}  DAMAGED: sha256" in out, out + err
    code, out, _ = _run(capsys, "vintages", "--json", *d)
    assert code == 0 and json.loads(out)[0]["damaged"].startswith("sha256")
    code, out, _ = _run(capsys, "verify", *d)
    assert code == 2 and f"DAMAGED {vid}: sha256" in out
    for args in (("export", "--out", "-"), ("diff", vid, vid)):
        code, _, err = _run(capsys, *args, *d)
        assert code == 2 and "Traceback" not in err
        assert err.strip() == err.strip().splitlines()[0] and f"vintage {vid} is damaged" in err
    code, out, _ = _run(capsys, "build", "-q", *d)
    assert code == 0 and f"published new vintage {vid}" in out
    code, out, _ = _run(capsys, "verify", *d)
    assert code == 0 and f"ok      {vid}" in out


def test_unreadable_current_pointer(
    synthetic_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A CURRENT that names no vintage is called unreadable, not "no vintage is published yet"."""
    d = ["--data-dir", str(synthetic_dir)]
    assert _run(capsys, "build", "-q", *d)[0] == 0
    current = synthetic_dir / "store" / "CURRENT"
    current.write_bytes(b"\xff\xfe garbage")
    code, _, err = _run(capsys, "export", "--out", "-", *d)
    assert code == 2 and "CURRENT is unreadable" in err and "no vintage" not in err
    current.unlink()
    current.mkdir()
    code, _, err = _run(capsys, "export", "--out", "-", *d)
    assert code == 2 and "CURRENT is unreadable (Is a directory)" in err
    code, out, _ = _run(capsys, "vintages", *d)
    assert code == 0 and out.startswith("  v")
    code, _, err = _run(capsys, "build", "-q", *d)
    assert (code, err.splitlines()[-1]) == (
        5,
        f"etl: {current}: is a directory, not the pointer file",
    )
    assert not list(current.parent.glob(".CURRENT.*"))


def test_emptied_figure_file_stops_the_build(
    synthetic_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A figures file cut to its header would drop its figures: exit 1 naming it; --allow-shrink
    publishes anyway."""
    d = ["--data-dir", str(synthetic_dir)]
    assert _run(capsys, "build", "-q", *d)[0] == 0
    before = (synthetic_dir / "store" / "CURRENT").read_text()
    adoption = synthetic_dir / "adoption" / "synthetic_adoption.csv"
    adoption.write_text(adoption.read_text().splitlines()[0] + "\n")
    code, out, err = _run(capsys, "build", "-q", *d)
    assert code == 1 and out == ""
    assert (
        "data/adoption/synthetic_adoption.csv field '-': would drop this figure file and 1 of its "
        "1 figures; nothing published (--allow-shrink publishes anyway)"
    ) in err
    assert "source syn_news" not in err  # its one figure is named once, by its file
    assert (synthetic_dir / "store" / "CURRENT").read_text() == before
    code, out, _ = _run(capsys, "build", "-q", "--allow-shrink", *d)
    assert code == 0 and out.startswith("published new vintage")


def test_a_renamed_figure_file_is_no_shrink(
    synthetic_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Figures moved to a file of another name are not lost: the build publishes."""
    d = ["--data-dir", str(synthetic_dir)]
    assert _run(capsys, "build", "-q", *d)[0] == 0
    adoption = synthetic_dir / "adoption"
    (adoption / "synthetic_adoption.csv").rename(adoption / "renamed.csv")
    code, out, err = _run(capsys, "build", "-q", *d)
    assert code == 0 and out.startswith("published new vintage"), err


def test_dropping_a_share_of_a_source_stops_the_build(
    synthetic_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Removing more than 5% of one source's figures stops the build and names the source."""
    d = ["--data-dir", str(synthetic_dir)]
    assert _run(capsys, "build", "-q", *d)[0] == 0
    path = synthetic_dir / FIN
    path.write_text("".join(ln for ln in path.read_text().splitlines(True) if "FY2025Q1" not in ln))
    code, _, err = _run(capsys, "build", "-q", *d)
    assert code == 1
    assert "source syn_release field 'source_id': would drop 1 of its 11 figures (9%" in err
    assert "synthetic_quarterly.csv field '-'" not in err  # the file itself stays


def test_export_to_a_missing_directory_or_a_full_device(
    synthetic_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--out into a missing directory or onto /dev/full: exit 5 and one line naming the path."""
    d = ["--data-dir", str(synthetic_dir)]
    assert _run(capsys, "build", "-q", *d)[0] == 0
    missing = synthetic_dir / "no" / "such" / "facts.csv"
    code, _, err = _run(capsys, "export", "--out", str(missing), *d)
    assert (code, err) == (5, f"etl: {missing}: No such file or directory\n")
    code, _, err = _run(capsys, "export", "--format", "parquet", "--out", str(missing), *d)
    assert code == 5 and err.startswith("etl: ") and len(err.splitlines()) == 1
    if Path("/dev/full").exists():
        code, _, err = _run(capsys, "export", "--out", "/dev/full", *d)
        assert (code, err) == (5, "etl: /dev/full: No space left on device\n")


def test_a_fifo_named_like_a_data_file_is_refused_without_hanging(synthetic_dir: Path) -> None:
    """`build` reads regular files only: a FIFO is an error naming it, not a hang."""
    fifo = synthetic_dir / "financials" / "x.csv"
    os.mkfifo(fifo)
    done = _cli(synthetic_dir, "build", "-q", timeout=60)
    assert done.returncode == 5
    assert done.stderr == f"etl: {fifo}: is not a regular file\n"


@pytest.mark.parametrize("rel", ["financials/x.csv", "sources.csv"])
def test_a_directory_named_like_a_data_file_is_refused(
    synthetic_dir: Path, capsys: pytest.CaptureFixture[str], rel: str
) -> None:
    """A directory where a data file is expected is a filesystem error naming it."""
    target = synthetic_dir / rel
    target.unlink(missing_ok=True)
    target.mkdir()
    code, _, err = _run(capsys, "build", "-q", "--data-dir", str(synthetic_dir))
    assert (code, err) == (5, f"etl: {target}: is not a regular file\n")


def test_symlinks_may_not_leave_the_data_directory(
    synthetic_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A data file that is a symlink out of the data directory is refused; one inside is read."""
    outside = tmp_path / "outside.csv"
    outside.write_text((synthetic_dir / FIN).read_text())
    inside = synthetic_dir / "adoption" / "again.csv"
    inside.symlink_to(synthetic_dir / "adoption" / "synthetic_adoption.csv")
    code, _, err = _run(capsys, "check", "-q", "--data-dir", str(synthetic_dir))
    assert code == 1 and "duplicate key" in err  # read: the same figures twice
    inside.unlink()
    link = synthetic_dir / "financials" / "elsewhere.csv"
    link.symlink_to(outside)
    code, _, err = _run(capsys, "build", "-q", "--data-dir", str(synthetic_dir))
    assert (code, err) == (5, f"etl: {link}: is a symlink that leaves the data directory\n")


def test_at_most_100_problem_lines(synthetic_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file of many bad rows prints 100 problems, then how many more."""
    bad = "".join(
        f"e{i},revenue,FY2026Q2,2025-09-30,12x,RMB_mn,syn_release,,\n" for i in range(250)
    )
    with (synthetic_dir / FIN).open("a") as fh:
        fh.write(bad)
    code, _, err = _run(capsys, "check", "-q", "--data-dir", str(synthetic_dir))
    lines = err.splitlines()
    assert code == 1 and len(lines) == 102
    assert lines[100] == "... and 150 more" and lines[101] == "250 problem(s); nothing published"


def test_deeply_nested_snapshot_metadata_is_one_error(
    synthetic_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A .meta.json nested past the parser's depth is one clear error, not a RecursionError."""
    meta = synthetic_dir / "snapshots" / "x" / "deep.meta.json"
    meta.parent.mkdir(parents=True)
    meta.write_text("[" * 100_000 + "]" * 100_000)
    code, _, err = _run(capsys, "check", "-q", "--data-dir", str(synthetic_dir))
    assert code == 1
    assert "data/snapshots/x/deep.meta.json field '-': not valid JSON: nested too deeply" in err


def test_manifest_checksums_the_bytes_that_were_validated(
    synthetic_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An input edited while a build runs: the manifest's sha256 and the tables are both of the
    bytes read at the start."""
    from etl import pipeline
    from etl.sources import curated
    from etl.store import Store

    path = synthetic_dir / FIN
    original = path.read_bytes()
    read = curated.CuratedSource.extract

    def read_then_edit(self: curated.CuratedSource, ctx: object) -> dict[str, bytes]:
        raw = read(self, ctx)  # type: ignore[arg-type]
        path.write_bytes(original.replace(b",150,RMB_mn", b",999,RMB_mn"))
        return raw

    monkeypatch.setattr(curated.CuratedSource, "extract", read_then_edit)
    vid = pipeline.run(synthetic_dir, progress=lambda _m: None).vintage
    store = Store(synthetic_dir / "store")
    inputs = {i["path"]: i["sha256"] for i in store.manifest(vid)["inputs"]}
    assert inputs[FIN] == hashlib.sha256(original).hexdigest()
    facts = store.read("facts", vid)
    assert 999 not in set(facts["value"]) and 150 in set(facts["value"])
