"""Malformed curated files: one precise line per problem, exit 1, nothing published."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from etl import __main__ as cli
from etl.config import MAX_CURATED_BYTES
from etl.store import Store

FIN = "financials/synthetic_quarterly.csv"
HEADER = "entity,metric,fiscal_period,period_end,value,unit,source_id,locator,note\n"


def _append(data: Path, rel: str, text: str) -> None:
    with (data / rel).open("a", encoding="utf-8") as fh:
        fh.write(text)


CASES = [
    (
        "alibaba,revenue,FY2026Q2,2025-09-30,12x,RMB_mn,syn_release,,\n",
        "data/financials/synthetic_quarterly.csv:12 field 'value': must be a number (got 12x)",
    ),
    (
        "alibaba,revenue_growth,FY2026Q2,2025-09-30,1,RMB_mn,syn_release,,\n",
        "data/financials/synthetic_quarterly.csv:12 field 'metric': unknown metric id (got revenue_growth)",
    ),
    (
        "alibaba,revenue,FY2026Q1,2025-06-30,151,RMB_mn,syn_release,,\n",
        "data/financials/synthetic_quarterly.csv:12 field 'metric': duplicate key "
        "(entity, metric, period_end) also on line 6",
    ),
    (
        "alibaba,revenue,FY2026Q2,2025-09-30,1,RMB_mn,,,\n",
        "data/financials/synthetic_quarterly.csv:12 field 'source_id': missing source_id",
    ),
    (
        "alibaba,revenue,FY2026Q2,2025-09-30,1,RMB_mn,nobody,,\n",
        "data/financials/synthetic_quarterly.csv:12 field 'source_id': unknown source "
        "(not in sources.csv) (got nobody)",
    ),
    (
        "alibaba,revenue,FY2026Q2,2025-09-29,1,RMB_mn,syn_release,,\n",
        "data/financials/synthetic_quarterly.csv:12 field 'period_end': must be a quarter end "
        "(got 2025-09-29)",
    ),
    (
        "alibaba,revenue,FY2025Q2,2025-09-30,1,RMB_mn,syn_release,,\n",
        "data/financials/synthetic_quarterly.csv:12 field 'fiscal_period': must be FY2026Q2 for "
        "period_end 2025-09-30 (got FY2025Q2)",
    ),
    (
        "alibaba,revenue,FY2026Q2,2025-09-30,1,USD_mn,syn_release,,\n",
        "data/financials/synthetic_quarterly.csv:12 field 'unit': must be RMB_mn for metric revenue",
    ),
    (
        "alibaba,revenue,FY2026Q2,2025-09-30,,RMB_mn,,,\n",
        "data/financials/synthetic_quarterly.csv:12 field 'value': blank value needs a note",
    ),
    (
        "alibaba,revenue,FY2026Q2,2025-02-30,1,RMB_mn,syn_release,,\n",
        "data/financials/synthetic_quarterly.csv:12 field 'period_end': must be a date YYYY-MM-DD "
        "(got 2025-02-30)",
    ),
]


@pytest.mark.parametrize(
    ("row", "expected"), CASES, ids=[c[1].split("field ")[1][:40] for c in CASES]
)
def test_bad_row_is_reported_and_nothing_published(
    synthetic_dir: Path, capsys: pytest.CaptureFixture[str], row: str, expected: str
) -> None:
    """A bad row exits 1 with file, line and field, and the current vintage stays as it was."""
    assert cli.main(["build", "--data-dir", str(synthetic_dir), "-q"]) == 0
    store = Store(synthetic_dir / "store")
    before = store.current_id()
    capsys.readouterr()
    _append(synthetic_dir, FIN, row)
    assert cli.main(["build", "--data-dir", str(synthetic_dir), "-q"]) == 1
    err = capsys.readouterr().err
    assert expected in err
    assert store.current_id() == before
    assert len(store.ids()) == 1


def test_all_problems_are_listed_at_once(
    synthetic_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Several broken rows in several files give one line each, in one run."""
    _append(synthetic_dir, FIN, "alibaba,revenue,FY2026Q2,2025-09-30,abc,RMB_mn,syn_release,,\n")
    _append(synthetic_dir, FIN, "alibaba,nonsense,FY2026Q2,2025-09-30,1,RMB_mn,syn_release,,\n")
    _append(synthetic_dir, "events/synthetic_events.csv", "2025-13-01,earnings,x,,syn_release,\n")
    assert cli.main(["check", "--data-dir", str(synthetic_dir), "-q"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert any(":12 field 'value'" in line for line in err)
    assert any(":13 field 'metric'" in line for line in err)
    assert any("synthetic_events.csv:4 field 'date'" in line for line in err)
    assert err[-1].startswith("3 problem(s)")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"entity,metric\nalibaba,revenue\n", "field 'period_end': required column missing"),
        (
            HEADER.encode() + b"alibaba,revenue,FY2026Q2,2025-09-30,1,RMB_mn,syn_release,\xff,\n",
            "not valid UTF-8",
        ),
        (HEADER.replace("note", "note,colour").encode(), "field 'colour': unknown column"),
        (HEADER.encode() + b'alibaba,"revenue,FY2026Q2\n', "CSV syntax error"),
        (HEADER.encode() + b"alibaba,revenue,FY2026Q2\n", "field '-': expected 9 fields (got 3)"),
        (b"", "file is empty"),
    ],
)
def test_broken_files(
    synthetic_dir: Path, capsys: pytest.CaptureFixture[str], content: bytes, expected: str
) -> None:
    """Bad encodings, missing and unknown columns and bad CSV syntax are named precisely."""
    (synthetic_dir / "financials" / "broken.csv").write_bytes(content)
    assert cli.main(["check", "--data-dir", str(synthetic_dir), "-q"]) == 1
    err = capsys.readouterr().err
    assert "data/financials/broken.csv" in err
    assert expected in err


def test_huge_file_is_refused(synthetic_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file over the size limit is refused before parsing."""
    row = "alibaba,revenue,FY2026Q2,2025-09-30,1,RMB_mn,syn_release,,x\n"
    big = HEADER + row * (MAX_CURATED_BYTES // len(row) + 1)
    (synthetic_dir / "financials" / "huge.csv").write_text(big, encoding="utf-8")
    assert cli.main(["check", "--data-dir", str(synthetic_dir), "-q"]) == 1
    assert "data/financials/huge.csv field '-': file larger than" in capsys.readouterr().err


def test_bad_source_row(synthetic_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A source without a URL or with a duplicated id is an error."""
    _append(
        synthetic_dir, "sources.csv", "syn_news,Again,X,ftp://x,2026-01-01,2026-11-29,secondary,\n"
    )
    assert cli.main(["check", "--data-dir", str(synthetic_dir), "-q"]) == 1
    err = capsys.readouterr().err
    assert "data/sources.csv:4 field 'url': must be an http(s) URL with a host" in err
    assert "brackets (got ftp://x)" in err
    assert "data/sources.csv:4 field 'source_id': duplicate key (source_id) also on line 3" in err


def test_event_weights_and_importance_are_closed_words(
    synthetic_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An event's weights (open/api) and importance (major/minor) come from their vocabularies."""
    events = synthetic_dir / "events" / "synthetic_events.csv"
    events.write_text(
        "date,category,label,detail,source_id,note,weights,importance\n"
        "2025-04-29,qwen_release,SYNTHETIC open model,,syn_news,synthetic,open,major\n"
        "2025-05-29,qwen_release,SYNTHETIC model,,syn_news,synthetic,closed,huge\n",
        encoding="utf-8",
    )
    assert cli.main(["check", "--data-dir", str(synthetic_dir), "-q"]) == 1
    err = capsys.readouterr().err
    assert "synthetic_events.csv:3 field 'weights': must be one of ['', 'api', 'open']" in err
    assert "synthetic_events.csv:3 field 'importance'" in err
    assert ":2 " not in err


PRICES = "ticker,date,close,adj_close,currency,source_id\n"


def _prices(data: Path, name: str, rows: str) -> None:
    (data / "market").mkdir(exist_ok=True)
    (data / "market" / name).write_text(PRICES + rows, encoding="utf-8")


def test_price_duplicates_name_the_date_with_file_and_line(
    synthetic_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A repeated (ticker, date) names the field `date`, in its file and line, within a file and
    across two files."""
    row = "BABA,2025-06-30,100,100,USD,syn_news\n"
    _prices(synthetic_dir, "a.csv", row + row)
    _prices(synthetic_dir, "b.csv", "BABA,2025-06-27,99,99,USD,syn_news\n" + row)
    assert cli.main(["check", "--data-dir", str(synthetic_dir), "-q"]) == 1
    err = capsys.readouterr().err
    assert "data/market/a.csv:3 field 'date': duplicate key (ticker, date) also on line 2" in err
    assert (
        "data/market/b.csv:3 field 'date': duplicate key (ticker, date) also at data/market/a.csv:2"
    ) in err
    assert "field 'metric'" not in err and "source curated" not in err


def test_nul_in_a_price_ticker_is_refused(
    synthetic_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`9988.\\0HK` would be a new series that prints like 9988.HK."""
    _prices(synthetic_dir, "a.csv", "9988.\0HK,2025-06-30,100,100,HKD,syn_news\n")
    assert cli.main(["check", "--data-dir", str(synthetic_dir), "-q"]) == 1
    err = capsys.readouterr().err
    assert "data/market/a.csv:2 field 'ticker': must not contain a NUL character" in err


@pytest.mark.parametrize(
    "url",
    [
        "https://x) [..](javascript:alert(1)) ![i](http://127.0.0.1:9/t.png)",
        "https://example.com/a b",
        "https://example.com/<a>",
        'https://example.com/"onmouseover',
        "https:///no-host",
        "javascript:alert(1)",
        "https://example.com:99999/",
        "https://example.com/\tx",
    ],
)
def test_source_urls_must_be_plain_links(
    synthetic_dir: Path, capsys: pytest.CaptureFixture[str], url: str
) -> None:
    """A source URL that would inject markup or is no http(s) link with a host is refused."""
    cell = '"' + url.replace('"', '""') + '"'
    _append(
        synthetic_dir, "sources.csv", f"syn_more,More,X,{cell},2026-01-01,2026-11-29,secondary,\n"
    )
    assert cli.main(["check", "--data-dir", str(synthetic_dir), "-q"]) == 1
    assert "data/sources.csv:4 field 'url': must be an http(s) URL" in capsys.readouterr().err


def test_percent_encoded_urls_pass() -> None:
    """Parentheses and spaces are fine once percent-encoded."""
    from etl.validate import is_url

    assert is_url("https://en.wikipedia.org/wiki/Qwen_%28model%29?q=a%20b#x")
    assert is_url("http://127.0.0.1:8501/")
    assert not is_url("https://en.wikipedia.org/wiki/Qwen_(model)")


def test_a_written_zero_is_not_an_underflow(
    synthetic_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`0.0e-999` is zero as written; only a non-zero number that reads as 0 is refused."""
    _append(
        synthetic_dir, FIN, "alibaba,revenue,FY2026Q2,2025-09-30,0.0e-999,RMB_mn,syn_release,,\n"
    )
    assert cli.main(["check", "--data-dir", str(synthetic_dir), "-q"]) == 0, capsys.readouterr().err


def test_nul_in_an_online_answer_is_refused() -> None:
    """Every source's tables go through the NUL rule, not only the curated files."""
    from etl.validate import check_tables

    frame = pd.DataFrame(
        {
            "ticker": ["9988.\0HK"],
            "date": ["2025-06-30"],
            "close": [1.0],
            "adj_close": [1.0],
            "currency": ["HKD"],
            "source_id": ["yahoo_prices"],
            "owner": ["yahoo"],
        }
    )
    problems = [str(p) for p in check_tables("yahoo", {"prices_daily": frame})]
    assert problems == [
        "source yahoo, table prices_daily:1 field 'ticker': must not contain a NUL character "
        "(got '9988.\\x00HK')"
    ]


def test_a_figure_in_two_files_names_both(
    synthetic_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same (entity, metric, period_end) in a second file names the first file and line."""
    (synthetic_dir / "financials" / "more.csv").write_text(
        HEADER + "alibaba,revenue,FY2026Q1,2025-06-30,150,RMB_mn,syn_release,,\n", encoding="utf-8"
    )
    assert cli.main(["check", "--data-dir", str(synthetic_dir), "-q"]) == 1
    assert (
        "data/financials/synthetic_quarterly.csv:6 field 'metric': duplicate key (entity, metric, "
        "period_end) also at data/financials/more.csv:2"
    ) in capsys.readouterr().err
