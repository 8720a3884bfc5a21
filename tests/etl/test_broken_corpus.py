"""The corpus of broken curated files: a precise error each, exit 1, nothing published."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl import __main__ as cli
from etl.config import MAX_CURATED_BYTES
from etl.store import Store

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "broken"
CASES = sorted(p.stem for p in CORPUS.glob("*.csv"))


def _publish_then_break(data: Path, content: bytes) -> str | None:
    assert cli.main(["build", "-q", "--data-dir", str(data)]) == 0
    before = Store(data / "store").current_id()
    (data / "financials" / "broken.csv").write_bytes(content)
    return before


@pytest.mark.parametrize("case", CASES)
def test_broken_file(case: str, synthetic_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each broken file prints its expected lines, exits 1 and leaves the current vintage alone."""
    before = _publish_then_break(synthetic_dir, (CORPUS / f"{case}.csv").read_bytes())
    capsys.readouterr()
    assert cli.main(["build", "-q", "--data-dir", str(synthetic_dir)]) == 1
    err = capsys.readouterr().err
    for line in (CORPUS / f"{case}.expected").read_text(encoding="utf-8").splitlines():
        assert line in err, f"{line!r} not in:\n{err}"
    store = Store(synthetic_dir / "store")
    assert store.current_id() == before and len(store.ids()) == 1


def test_huge_file(synthetic_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file over the size limit is refused without being parsed."""
    row = b"alibaba,revenue,FY2026Q2,2025-09-30,1,RMB_mn,syn_release,,padding\n"
    before = _publish_then_break(synthetic_dir, row * (MAX_CURATED_BYTES // len(row) + 1))
    assert cli.main(["build", "-q", "--data-dir", str(synthetic_dir)]) == 1
    assert "data/financials/broken.csv field '-': file larger than" in capsys.readouterr().err
    assert Store(synthetic_dir / "store").current_id() == before


def test_corpus_is_complete() -> None:
    """The corpus covers every kind of breakage the issue names."""
    assert {
        "bad-encoding",
        "missing-columns",
        "non-numeric",
        "duplicate-key",
        "unknown-source",
        "impossible-dates",
        "bad-quoting",
        "fullwidth-digits",
        "number-range",
        "nul-in-text",
    } <= set(CASES)


# --- Consistency rules (etl/consistency.py): one broken file per rule -------------------------

CONSISTENCY = ["inconsistent-fcf", "inconsistent-usd", "inconsistent-yoy", "inconsistent-segment"]


@pytest.mark.parametrize("case", CONSISTENCY)
def test_inconsistent_file_fails_check(
    case: str, synthetic_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`check` names the figure, period, source, file and line that break a rule, and exits 1."""
    assert case in CASES
    (synthetic_dir / "financials" / "broken.csv").write_bytes((CORPUS / f"{case}.csv").read_bytes())
    assert cli.main(["check", "--data-dir", str(synthetic_dir)]) == 1
    err = capsys.readouterr().err
    expected = (CORPUS / f"{case}.expected").read_text(encoding="utf-8").splitlines()
    assert expected and all(line in err for line in expected), err
    assert err.count("inconsistent:") == len(expected)
