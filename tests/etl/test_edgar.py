"""The edgar source: Alibaba's results announcements from SEC EDGAR, offline (`pytest -k edgar`)."""

from __future__ import annotations

import functools
import gzip
import html
import json
import re
import socket
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx2
import pandas as pd
import pytest

from etl import __main__ as cli
from etl import consistency, periods, pipeline
from etl.errors import SourceError
from etl.sources import SOURCES, Context, fetch
from etl.sources import edgar_parse as ep
from etl.sources.edgar import EdgarSource
from etl.sources.online import RetryPolicy
from etl.store import Store
from tests.fixtures.edgar.transport import ARCHIVE, EXHIBITS, FILINGS, quarters, transport

REPO = Path(__file__).resolve().parents[2]
#: The whole text of every results announcement on file, one JSON line a quarter: the data's
#: own snapshot (data/README.md), read here as the parser's fixtures so there is one copy.
DOCUMENTS = REPO / "data" / "snapshots" / "releases" / "alibaba_results_texts.jsonl.gz"


@functools.cache
def _documents() -> dict[str, str]:
    with gzip.open(DOCUMENTS, "rt", encoding="utf-8") as fh:
        return {r["fiscal_period"]: r["text"] for r in map(json.loads, fh)}


WHOLE = sorted(_documents())
#: The contract figures (and their US$ amounts) every quarter's announcement prints for itself.
PRINTED = {
    *(
        f"{m}{suffix}"
        for m in (
            "revenue",
            "income_from_operations",
            "adjusted_ebita",
            "net_income_attributable",
            "operating_cash_flow",
            "capex_ppe",
            "capex_intangibles",
            "free_cash_flow",
            "cloud_revenue",
            "cloud_adjusted_ebita",
            "ai_cloud_revenue",
            "ai_cloud_adjusted_ebita",
        )
        for suffix in ("", "_usd")
    ),
    "fcf_other_adjustments",
    "usd_rmb_rate",
    "capex_stated",
}
TODAY = date(2026, 12, 1)
AGENT = "Test Runner test@example.com"


def edgar(
    scenario: str = "ok",
    *,
    calls: list[httpx2.Request] | None = None,
    sleeps: list[float] | None = None,
    include: list[str] | None = None,
    agent: str | None = AGENT,
) -> EdgarSource:
    return EdgarSource(
        transport=transport(scenario, include, calls),
        user_agent=agent,
        interval=0,
        retry=RetryPolicy(sleep=(sleeps.append if sleeps is not None else lambda _s: None)),
    )


def _figures(quarter: str) -> dict[tuple[str, str], float]:
    return {
        (f.metric, f.period_end): f.value
        for f in ep.parse((EXHIBITS / f"{quarter}.htm").read_text(encoding="utf-8"))
    }


def whole_document(quarter: str) -> str:
    """The whole text layer of a quarter's results announcement (data/snapshots/releases/)."""
    return _documents()[quarter]


@functools.cache
def curated_figures() -> dict[tuple[str, str], float]:
    facts = pipeline.check(REPO / "data")["facts"]
    return {
        (r["metric"], r["period_end"]): float(r["value"])
        for r in facts.to_dict("records")
        if r["entity"] == "alibaba" and pd.notna(r["value"])
    }


def not_printed(end: str) -> set[str]:
    """Curated figures the release does not print (an absent line entered as 0, says its locator)."""
    rows = pd.read_csv(REPO / "data" / "financials" / "alibaba_quarterly.csv", dtype=str)
    mine = rows[(rows["period_end"] == end) & rows["locator"].fillna("").str.startswith("(no ")]
    return set(mine["metric"])


def test_edgar_whole_documents_are_on_file() -> None:
    """Every quarter FY2023Q1-FY2027Q1 has its whole announcement as a fixture."""
    assert quarters() == WHOLE
    assert all(len(whole_document(q)) > 50_000 for q in WHOLE)


def _cells(cells: tuple[str, ...]) -> str:
    """Cells split the way SEC's filed HTML splits them: "(", "1,234", ")" and "12", "%"."""
    out = []
    for c in cells:
        parts = [c[0], c[1:-1], c[-1]] if c.startswith("(") and c.endswith(")") else [c]
        if c.endswith("%"):
            parts = [
                *([c[0]] if c.startswith("(") else []),
                c.strip("(%)"),
                ")%" if "(" in c else "%",
            ]
        out += [f"<td>{html.escape(x)}</td>" for x in parts]
    return "".join(out)


def filed_html(text: str) -> str:
    """SYNTHETIC form of a real document: the whole text's rows rebuilt as filed HTML.

    Prose before the first table is a <p>; each period header opens a <table> whose heading
    rows (period, years, currencies) and data rows are <tr>s with the cells split as SEC's HTML
    splits them. Every word and number comes from the text, in order.
    """
    out = ["<html><body>"]
    in_table = False
    for row in ep.rows_of(ep.text_of(text)):
        m = ep.header(row)
        if m:
            prose = row.label[: m.start()]
            out += ["</table>" if in_table else "", f"<p>{html.escape(prose)}</p><table>"]
            out.append(f"<tr><td>{html.escape(m.group(0))}</td></tr>")
            out.append(f"<tr><td></td>{_cells(row.cells)}</tr>")
            in_table = True
            continue
        label = row.label
        head = re.match(r"(.*?\(in [^)]*\))\s*(.*)", label) if in_table else None
        if head:
            words = "".join(f"<td>{html.escape(w)}</td>" for w in head.group(1).split())
            out.append(f"<tr>{words}</tr>")
            label = head.group(2)
        if in_table:
            out.append(f"<tr><td>{html.escape(label)}</td>{_cells(row.cells)}</tr>")
        else:
            out.append(f"<p>{html.escape(' '.join((label, *row.cells)))}</p>")
    out.append("</table></body></html>" if in_table else "</body></html>")
    return "\n".join(out)


@pytest.mark.parametrize("form", ["text", "html"])
@pytest.mark.parametrize("quarter", WHOLE)
def test_edgar_whole_document_yields_every_printed_figure(quarter: str, form: str) -> None:
    """On the whole document, as text and as filed HTML, every printed contract figure is read
    and equals the curated one."""
    end = periods.fiscal_to_period_end(quarter).isoformat()
    document = whole_document(quarter)
    if form == "html":
        document = filed_html(document)
        assert document.count("<table>") >= 8
    got = {(f.metric, f.period_end): f.value for f in ep.parse(document)}
    on_file = curated_figures()
    expected = {m for (m, e) in on_file if e == end and m in PRINTED} - not_printed(end)
    if quarter < "FY2027Q1":  # the AI Cloud basis (and its recast year-ago figure) starts here
        expected = {m for m in expected if not m.startswith("ai_cloud")}
    assert len(expected) >= 20
    assert sorted(expected - {m for m, e in got if e == end}) == []
    differ = {k: (v, on_file[k]) for k, v in got.items() if k in on_file and v != on_file[k]}
    assert differ == {}
    assert ep.missing(ep.parse(document)) == []


@pytest.mark.parametrize("quarter", ["FY2023Q4", "FY2026Q4"])
def test_edgar_pre_exhibit_with_the_formal_heading_reads_the_same(quarter: str) -> None:
    """A <pre> exhibit under the formal (Hong Kong style) heading "ANNOUNCEMENT OF THE ...
    RESULTS" yields the same figures as the plain text (the heading swap is SYNTHETIC)."""
    text = whole_document(quarter)
    title = re.search(
        r"Alibaba Group Announces (\w+) Quarter (?:and Full Fiscal Year )?(\d{4})", text
    )
    assert title is not None
    heading = f"ALIBABA GROUP HOLDING LIMITED\nANNOUNCEMENT OF THE {title[1].upper()} QUARTER {title[2]} RESULTS"
    pre = f"<html><body><pre>{html.escape(text.replace(title[0], heading, 1))}</pre></body></html>"
    as_text = sorted((f.metric, f.period_end, f.value) for f in ep.parse(text))
    assert len(as_text) >= 26
    assert sorted((f.metric, f.period_end, f.value) for f in ep.parse(pre)) == as_text


def test_edgar_whole_documents_are_complete_and_consistent(tmp_path: Path) -> None:
    """The source's transform over the 17 whole announcements reports no missing part and no
    inconsistency: every free cash flow reconciles, every US$ amount and stated change agrees."""
    exhibits = [
        {
            "url": f"{ARCHIVE}/{accession.replace('-', '')}/{exhibit}",
            "accession": accession,
            "filed": filed,
            "downloaded": "2026-12-01",
            "sha256": "0" * 64,
            "body": whole_document(quarter),
        }
        for quarter, (accession, filed, _, exhibit) in FILINGS.items()
    ]
    ctx = Context(tmp_path, TODAY)
    facts = EdgarSource().transform({"exhibits": exhibits}, ctx)["facts"]
    assert ctx.gaps == [] and ctx.warnings == []
    assert consistency.violations(facts.assign(owner="edgar")) == []
    stated = facts[facts["metric"].str.endswith("_yoy_pct")]
    assert len(stated) >= 80 and set(facts["fiscal_period"]) == set(FILINGS)


def test_edgar_reconciliation_is_the_table_not_its_first_mention() -> None:
    """The narrative names the reconciliation long before the table; the table's rows are read."""
    text = whole_document("FY2025Q4")
    mention = text.find("reconciliation of net cash provided by operating activities to free")
    table = text.find("Free cash flow", text.rfind("to free cash flow for the periods"))
    assert 0 < mention < table - 20_000
    f = {(x.metric, x.period_end): x.value for x in ep.parse(text)}
    assert (
        f[("free_cash_flow", "2025-03-31")] == curated_figures()[("free_cash_flow", "2025-03-31")]
    )


def test_edgar_missing_parts_are_named_on_a_whole_document() -> None:
    """Without its reconciliation table and rate sentence, a whole document names both as
    missing and keeps the rest."""
    text = whole_document("FY2026Q3")
    start = text.rfind("The table below sets forth a reconciliation of net cash")
    text = text[:start] + text[text.find("Free cash flow", start) + 60 :]
    text = text.replace("all translations of RMB into US$ were made at", "RMB into US$ at")
    figures = ep.parse(text)
    assert ep.missing(figures) == ["free-cash-flow reconciliation", "convenience-rate sentence"]
    assert {f.metric for f in figures} >= {"revenue", "cloud_revenue", "capex_stated"}


def test_edgar_parses_the_fy2023_layout() -> None:
    """FY2023: the 'Cloud' segment, consumer protection fund deposits, Acquisition of intangibles."""
    f = _figures("FY2023Q1")
    end = "2022-06-30"
    assert f[("revenue", end)] == 205_555 and f[("revenue_usd", end)] == 30_689
    assert f[("revenue_yoy_pct", end)] == 0
    assert f[("income_from_operations_yoy_pct", end)] == -19
    assert f[("capex_ppe", end)] == 11_110 and f[("capex_intangibles", end)] == 22
    assert f[("fcf_other_adjustments", end)] == -564  # "(564)" as it enters free cash flow
    assert f[("free_cash_flow", end)] == 22_173 and f[("operating_cash_flow", end)] == 33_869
    assert f[("cloud_revenue", end)] == 17_685 and f[("cloud_adjusted_ebita", end)] == 247
    assert f[("usd_rmb_rate", end)] == 6.6981
    assert f[("capex_stated", end)] == 11_843


def test_edgar_parses_the_fy2024_layout() -> None:
    """FY2024: Cloud Intelligence Group, buyer protection fund deposits, dashes for nil."""
    f = _figures("FY2024Q2")
    end = "2023-09-30"
    assert f[("cloud_revenue", end)] == 27_648 and f[("cloud_adjusted_ebita", end)] == 1_409
    assert f[("capex_intangibles", end)] == 0  # printed as a dash
    assert f[("fcf_other_adjustments", end)] == 101
    assert f[("net_income_attributable", end)] == 27_706  # "27,706(4)": the footnote mark dropped
    assert f[("usd_rmb_rate", end)] == 7.2960


def test_edgar_parses_the_march_2026_quarter() -> None:
    """The March 2026 quarter: a loss from operations, six-column tables, FCF outflow."""
    f = _figures("FY2026Q4")
    end = "2026-03-31"
    assert f[("revenue", end)] == 243_380 and f[("adjusted_ebita", end)] == 5_102
    assert f[("adjusted_ebita_yoy_pct", end)] == -84
    assert f[("income_from_operations", end)] == -848
    assert f[("free_cash_flow", end)] == -17_300
    assert f[("operating_cash_flow", end)] == 9_410
    assert f[("capex_ppe", end)] + f[("capex_intangibles", end)] == 26_588 + 874
    assert f[("cloud_revenue", end)] == 41_626
    assert f[("usd_rmb_rate", end)] == 6.8980


def test_edgar_parses_the_june_2026_segment_change() -> None:
    """FY2027: AI Cloud and Compute Services with its recast year-ago figure, never as cloud_*."""
    f = _figures("FY2027Q1")
    assert f[("ai_cloud_revenue", "2026-06-30")] == 48_437
    assert f[("ai_cloud_revenue", "2025-06-30")] == 33_418  # recast, not the old segment
    assert f[("ai_cloud_adjusted_ebita", "2026-06-30")] == 5_628
    assert f[("ai_cloud_revenue_yoy_pct", "2026-06-30")] == 45
    assert not any(m.startswith("cloud_") for m, _ in f)
    assert f[("capex_stated", "2026-06-30")] == 67_678


def test_edgar_parse_ignores_other_announcements() -> None:
    """An exhibit that is not a results announcement yields nothing."""
    assert ep.parse("<p>Next Day Disclosure Return, Alibaba Group Holding Limited</p>") == []


def test_edgar_parse_reads_table_cells_split_by_html() -> None:
    """Real SEC HTML splits '(10,897' and ')' into cells: the numbers still read right."""
    html = (
        "<p>Alibaba Group Announces June Quarter 2022 Results</p><p>reconciliation of net cash "
        "provided by operating activities to free cash flow</p><table><tr><td>Net cash provided by "
        "operating activities</td><td>33,603</td><td>33,869</td><td>5,057</td></tr><tr><td>Free "
        "cash flow</td><td>(</td><td>20,683</td><td>)</td><td>22,173</td><td>3,310</td></tr></table>"
    )
    f = {(x.metric, x.period_end): x.value for x in ep.parse(html)}
    assert f[("operating_cash_flow", "2022-06-30")] == 33_869
    assert f[("free_cash_flow", "2022-06-30")] == 22_173


def test_edgar_parse_reads_a_filed_table_with_currency_cells() -> None:
    """A filed table whose header spans its cells and whose amounts carry currency symbols in
    cells of their own is read in the quarter's columns (SYNTHETIC markup, FY2023Q1's numbers)."""
    row = (
        "<tr><td>{}</td><td>RMB</td><td>{}</td><td>RMB</td><td>{}</td><td>US$</td><td>{}</td></tr>"
    )
    html = (
        "<p>ANNOUNCEMENT OF THE JUNE QUARTER 2022 RESULTS</p><table>"
        "<tr><td></td><td colspan='6'>Three months ended June 30,</td></tr>"
        "<tr><td></td><td colspan='2'>2021</td><td colspan='4'>2022</td></tr>"
        "<tr><td></td><td colspan='2'>RMB</td><td colspan='2'>RMB</td><td colspan='2'>US$</td></tr>"
        "<tr><td colspan='7'>(in millions)</td></tr>"
        + row.format("Net cash provided by operating activities", "33,603", "33,869", "5,057")
        + row.format("Free cash flow", "20,683", "(22,173)", "(3,310)")
        + "</table>"
    )
    f = {(x.metric, x.period_end): x.value for x in ep.parse(html)}
    assert f[("operating_cash_flow", "2022-06-30")] == 33_869
    assert f[("free_cash_flow", "2022-06-30")] == -22_173
    assert f[("free_cash_flow_usd", "2022-06-30")] == -3_310


def test_edgar_figures_agree_with_the_curated_files() -> None:
    """Every figure parsed from the 17 exhibits equals the curated figure for the same cell."""
    curated = pipeline.check(REPO / "data")["facts"]
    on_file = {
        (r["metric"], r["period_end"]): r["value"]
        for r in curated.to_dict("records")
        if r["entity"] == "alibaba"
    }
    compared = 0
    for quarter in FILINGS:
        for (metric, end), value in _figures(quarter).items():
            if pd.notna(on_file.get((metric, end))):
                assert on_file[(metric, end)] == pytest.approx(value), (quarter, metric)
                compared += 1
    assert compared >= 400


def test_edgar_refresh_publishes_primary_figures_then_nothing_new(
    real_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`refresh --source edgar` publishes every fixture quarter citing sec.gov; a rerun is a no-op."""
    monkeypatch.setitem(SOURCES, "edgar", edgar())
    assert cli.main(["refresh", "--source", "edgar", "--data-dir", str(real_dir)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("published new vintage")
    assert "edgar vs curated:" in out and " 0 differ" in out
    facts = Store(real_dir / "store").read("facts")
    mine = facts[facts["owner"] == "edgar"]
    assert set(mine["fiscal_period"]) == set(FILINGS)
    assert (
        mine["source_url"].str.startswith("https://www.sec.gov/Archives/edgar/data/1577552/").all()
    )
    sources = Store(real_dir / "store").read("sources").set_index("source_id")
    assert set(sources.loc[mine["source_id"].unique(), "kind"]) == {"primary"}
    cached = json.loads((real_dir / "cache" / "edgar" / "exhibits.json").read_text())
    assert len(cached) == len(FILINGS) + 1 and all(len(e["sha256"]) == 64 for e in cached.values())
    assert cli.main(["refresh", "--source", "edgar", "--data-dir", str(real_dir)]) == 0
    assert capsys.readouterr().out.startswith("unchanged: current vintage is")


def test_edgar_difference_is_flagged_and_the_filing_is_drawn(
    real_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A curated figure that differs from the filing is flagged; the charts use the filing."""
    path = real_dir / "financials" / "alibaba_quarterly.csv"
    rows = pd.read_csv(path, dtype=str, keep_default_na=False)
    mask = (rows["metric"] == "revenue") & (rows["fiscal_period"] == "FY2026Q4")
    rows.loc[mask, "value"] = "243381"
    blank = (rows["metric"] == "operating_cash_flow") & (rows["fiscal_period"] == "FY2026Q3")
    rows.loc[blank, ["value", "source_id"]] = ""
    rows.loc[blank, "note"] = "SYNTHETIC test: blanked to show the filing fills it"
    rows.to_csv(path, index=False)
    monkeypatch.setitem(SOURCES, "edgar", edgar(include=["FY2026Q3", "FY2026Q4"]))
    result = pipeline.run(real_dir, ["edgar"], today=TODAY, progress=lambda _m: None)
    assert [d["metric"] for d in result.crosscheck["differ"]] == ["revenue"]
    assert any("edgar and curated differ: alibaba revenue 2026-03-31" in w for w in result.warnings)
    assert Store(real_dir / "store").manifest()["crosscheck"]["differ"][0]["curated"] == 243_381
    from dashboard import pages
    from dashboard.common import params

    store = Store(real_dir / "store")
    vid = str(store.current_id())
    view = pages.build("profitability", store.read_all(vid), params.parse({"vintage": vid}))
    drawn = view.data.set_index(["series", "period_end"])
    assert drawn.loc[("Operating cash flow", "2025-12-31"), "value"] == 36_032  # filled by edgar
    assert drawn.loc[("Operating cash flow", "2025-12-31"), "source_id"].startswith("edgar_")


def test_edgar_exhibit_without_reconciliation_says_so_and_keeps_the_rest(
    real_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refresh whose exhibit lacks its reconciliation names the part in the warnings, the
    source status and the manifest, publishes the figures it did read, and a fetch with fewer
    figures for a quarter than the last good vintage is a warning too."""
    include = ["FY2026Q2", "FY2026Q3"]
    monkeypatch.setitem(SOURCES, "edgar", edgar(include=include))
    first = pipeline.run(real_dir, ["edgar"], today=TODAY, progress=lambda _m: None)
    assert not any(w.startswith("edgar ") for w in first.warnings)
    (real_dir / "cache" / "edgar" / "exhibits.json").unlink()  # the exhibits are fetched again
    monkeypatch.setitem(SOURCES, "edgar", edgar("no_reconciliation", include=include))
    result = pipeline.run(real_dir, ["edgar"], today=TODAY, progress=lambda _m: None)
    gap = "edgar FY2026Q3 exhibit: free-cash-flow reconciliation not found"
    fewer = "edgar alibaba 2025-12-31: 7 of the 26 figures the last good vintage holds not found"
    assert gap in result.warnings and fewer in result.warnings
    assert result.sources["edgar"]["status"] == "ok"
    assert result.sources["edgar"]["gaps"] == [gap, fewer]
    store = Store(real_dir / "store")
    assert {gap, fewer} <= set(store.manifest()["warnings"])
    facts = store.read("facts")
    mine = facts[(facts["owner"] == "edgar") & (facts["period_end"].astype(str) == "2025-12-31")]
    assert {"revenue", "cloud_revenue", "usd_rmb_rate"} <= set(mine["metric"])


def test_edgar_inconsistent_figures_are_warnings_and_kept(
    real_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A filing whose free cash flow does not reconcile and whose stated change its own columns
    do not give: both named (figure, period, source) as warnings; the figures are kept."""
    monkeypatch.setitem(SOURCES, "edgar", edgar("inconsistent", include=["FY2026Q3"]))
    result = pipeline.run(real_dir, ["edgar"], today=TODAY, progress=lambda _m: None)
    sid = "edgar_000110465926032060"
    mine = [w for w in result.warnings if w.startswith("inconsistent: edgar")]
    assert sorted(w.split(":")[1].strip() for w in mine) == [
        f"edgar free_cash_flow 2025-12-31 (source {sid})",
        f"edgar free_cash_flow_usd 2025-12-31 (source {sid})",
        f"edgar revenue_yoy_pct 2025-12-31 (source {sid})",
    ]
    assert any("free cash flow 11,446 != operating cash flow" in w for w in mine)
    assert any("stated change 9% != 1.7% from the release's columns" in w for w in mine)
    facts = Store(real_dir / "store").read("facts").set_index(["owner", "metric", "period_end"])
    assert facts.loc[("edgar", "free_cash_flow", "2025-12-31"), "value"] == 11_446


def test_edgar_without_user_agent_stops_at_once(
    real_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No User-Agent: no request is made, the message names the variable, nothing is lost."""
    monkeypatch.delenv("AIIMPACT_SEC_USER_AGENT", raising=False)
    calls: list[httpx2.Request] = []
    monkeypatch.setitem(SOURCES, "edgar", edgar(calls=calls, agent=None))
    assert cli.main(["build", "-q", "--data-dir", str(real_dir)]) == 0
    before = Store(real_dir / "store").current_id()
    assert cli.main(["refresh", "--source", "edgar", "--data-dir", str(real_dir)]) == 2
    assert "AIIMPACT_SEC_USER_AGENT" in capsys.readouterr().err
    assert calls == [] and Store(real_dir / "store").current_id() == before


def test_edgar_403_throttle_is_a_clear_failure(tmp_path: Path) -> None:
    """SEC's 'Request Rate Threshold Exceeded' page ends the source with what to do."""
    with pytest.raises(SourceError, match="Request Rate Threshold Exceeded.*10 minutes"):
        fetch(edgar("throttled"), Context(tmp_path, TODAY))


def test_edgar_429_backs_off_and_goes_on(tmp_path: Path) -> None:
    """A 429 from SEC is retried once after the backoff; the refresh then completes."""
    sleeps: list[float] = []
    tables = fetch(edgar("rate_limit_once", sleeps=sleeps), Context(tmp_path, TODAY))
    assert sleeps == [5.0] and len(tables["facts"]) > 400


def test_edgar_unparseable_exhibit_is_named_and_the_rest_kept(tmp_path: Path) -> None:
    """A results exhibit whose tables cannot be read is named in the note; others publish."""
    tables = fetch(edgar("unparseable"), Context(tmp_path, TODAY))
    assert "FY2027Q1" not in set(tables["facts"]["fiscal_period"])
    assert "1 exhibit(s) not parsed" in " ".join(tables["sources"]["note"])
    with pytest.raises(SourceError, match="no exhibit parsed"):
        fetch(edgar("unparseable", include=["FY2027Q1"]), Context(tmp_path / "x", TODAY))


class _Hole:
    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(8)
        self.port = int(self.server.getsockname()[1])
        self.held: list[socket.socket] = []
        self.stop = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        self.server.settimeout(0.2)
        while not self.stop.is_set():
            try:
                self.held.append(self.server.accept()[0])
            except OSError:
                continue


@pytest.fixture
def hole() -> Iterator[_Hole]:
    h = _Hole()
    yield h
    h.stop.set()
    for c in h.held:
        c.close()
    h.server.close()


def test_edgar_black_holed_network_ends_within_the_bound(
    real_dir: Path, hole: _Hole, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """EDGAR never answering: the refresh gives up at its bound and the vintage stays."""

    class ToHole(httpx2.HTTPTransport):
        def handle_request(self, request: httpx2.Request) -> httpx2.Response:
            request.url = httpx2.URL(f"http://127.0.0.1:{hole.port}/")
            return super().handle_request(request)

    monkeypatch.setitem(SOURCES, "edgar", EdgarSource(transport=ToHole, user_agent=AGENT))
    assert cli.main(["build", "-q", "--data-dir", str(real_dir)]) == 0
    before = Store(real_dir / "store").current_id()
    code = cli.main(["refresh", "--source", "edgar", "--timeout", "2", "--data-dir", str(real_dir)])
    assert code == 3
    assert "refresh bound" in capsys.readouterr().err
    assert Store(real_dir / "store").current_id() == before


def test_edgar_fixtures_name_their_origin() -> None:
    """Each exhibit fixture names the repository file (with commit) it was assembled from."""
    for quarter in quarters():
        head = (EXHIBITS / f"{quarter}.htm").read_text(encoding="utf-8")[:1500]
        assert "https://github.com/coattail/Earnings-Image-Studio/blob/" in head, quarter
