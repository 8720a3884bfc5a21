"""The snapshot command line refuses a link it cannot honour exactly (exit 2), never substitutes."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard import snapshot
from etl.store import Store


def _main(link: str, data_dir: Path, out: Path) -> int:
    return snapshot.main([link, "--out", str(out), "--data-dir", str(data_dir)])


@pytest.mark.parametrize(
    ("link", "said"),
    [
        ("spending?vintage=../../etc/passwd", "not a valid vintage id"),
        ("spending?vintage=VABCDEF012345", "not a valid vintage id"),
        ("spending?vintage=v000000000000", "unknown vintage"),
        ("nosuchpage?vintage={vid}", "unknown page 'nosuchpage'"),
        ("https://example.org/prices?vintage={vid}", "unknown page 'prices'"),
    ],
)
def test_refuses_what_it_cannot_honour(
    built_real_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], link: str, said: str
) -> None:
    """A malformed or unknown vintage, or an unknown page: exit 2, a message, no file written."""
    vid = str(Store(built_real_store / "store").current_id())
    out = tmp_path / "view.zip"
    assert _main(link.format(vid=vid), built_real_store, out) == 2
    err = capsys.readouterr().err
    assert said in err and err.count("\n") == 1, err
    assert not out.exists()


@pytest.mark.parametrize(
    "link", ["?vintage={vid}", "/?vintage={vid}", "http://h:1/market?vintage={vid}"]
)
def test_accepts_the_root_and_known_pages(
    built_real_store: Path, tmp_path: Path, link: str
) -> None:
    """The root path is the default page; a full dashboard URL works as well as '<page>?...'."""
    vid = str(Store(built_real_store / "store").current_id())
    out = tmp_path / "view.zip"
    assert _main(link.format(vid=vid), built_real_store, out) == 0
    assert out.stat().st_size > 0


def test_ignored_parameters_are_reported(
    built_real_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A parameter the view cannot use is named on stderr (the bundle uses the default)."""
    vid = str(Store(built_real_store / "store").current_id())
    assert _main(f"profitability?vintage={vid}&ccy=XYZ", built_real_store, tmp_path / "v.zip") == 0
    assert "Ignored ccy='XYZ'" in capsys.readouterr().err


def test_an_unwritable_out_path_is_one_line_and_exit_5(
    built_real_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--out into a missing directory: the file-system exit code (5) and one line, no traceback."""
    vid = str(Store(built_real_store / "store").current_id())
    out = tmp_path / "missing" / "view.zip"
    assert _main(f"overview?vintage={vid}", built_real_store, out) == 5
    err = capsys.readouterr().err
    assert err.startswith("snapshot: cannot write") and str(out) in err and err.count("\n") == 1
