"""The corpus of broken curated files: a precise error each, exit 1, nothing published."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl import __main__ as cli
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
    before = _publish_then_break(synthetic_dir, row * 100_000)
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
