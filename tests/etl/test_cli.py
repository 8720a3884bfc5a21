"""The command line contract: build, vintages, export, diff, exit codes."""

from __future__ import annotations

import json
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
    """A broken store (a vintage file that is not a database) ends with exit 2 and one message."""
    assert _run(capsys, "build", "-q", "--data-dir", str(synthetic_dir))[0] == 0
    vintages = synthetic_dir / "store" / "vintages"
    for f in vintages.glob("*.duckdb"):
        f.write_bytes(b"not a database")
    code, _, err = _run(capsys, "export", "--out", "-", "--data-dir", str(synthetic_dir))
    assert code == 2
    assert "Traceback" not in err and "cannot read vintage" in err
