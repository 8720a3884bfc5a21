"""OpenRouter: rows that are not daily are reported, and the keyless dated exports are read and
verified against their manifests (hand-built exports in the documented shape, real rows and a
real manifest from tests/fixtures/openrouter/recorded/)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import httpx2
import pandas as pd
import pytest

from etl import pipeline
from etl.errors import SourceError
from etl.sources import SOURCES, Context, fetch
from etl.sources.edgar import EdgarSource
from etl.sources.online import RetryPolicy
from etl.sources.openrouter import OpenRouterSource, not_daily, per_day
from etl.store import Store
from tests.etl.online import openrouter
from tests.fixtures.edgar.transport import transport as edgar_transport
from tests.fixtures.openrouter.transport import RECORDED_MANIFEST, export_csv, manifest
from tests.fixtures.openrouter.transport import transport as openrouter_transport

TODAY = date(2026, 11, 29)
RECORDED_ROWS = RECORDED_MANIFEST.parent / "rankings-daily-2026-09-30-rows.csv"


def source(scenario: str = "ok", key: str | None = "k", **kw: object) -> OpenRouterSource:
    return OpenRouterSource(
        transport=openrouter_transport(scenario, **kw),  # type: ignore[arg-type]
        api_key=key,
        retry=RetryPolicy(sleep=lambda _s: None),
    )


@pytest.fixture
def no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)


def _gaps(ctx: Context) -> list[str]:
    return [str(g) for g in ctx.gaps]


@pytest.mark.parametrize(("scenario", "grain"), [("weekly", "weekly"), ("monthly", "monthly")])
def test_bucketed_rows_are_reported_not_silently_empty(
    tmp_path: Path, scenario: str, grain: str
) -> None:
    """An API answering in weekly or monthly buckets fails the source, naming the grain, and
    each answer is a gap; nothing is summed into weeks of one day."""
    ctx = Context(tmp_path, TODAY)
    with pytest.raises(SourceError, match=f"no daily rows: the rankings answered in {grain}"):
        fetch(source(scenario), ctx)
    assert _gaps(ctx) == [
        f"openrouter rankings 2025-01-01..2026-01-01: daily rows (answered in {grain} buckets) "
        "not found",
        f"openrouter rankings 2026-01-02..2026-11-28: daily rows (answered in {grain} buckets) "
        "not found",
    ]


def test_missing_days_are_reported_and_the_rest_kept(tmp_path: Path) -> None:
    """Two days missing from an answer: a gap names them, the incomplete week is left out, and
    every other week is published."""
    ctx = Context(tmp_path, TODAY)
    weeks = fetch(source("gap"), ctx)["facts"].query("metric == 'openrouter_weekly_tokens'")
    assert "2025-03-09" not in set(weeks["period_end"])  # the week of 4 and 5 March 2025
    assert {"2025-03-02", "2025-03-16"} <= set(weeks["period_end"])
    assert _gaps(ctx) == [
        "openrouter rankings 2025-01-01..2026-01-01: 2 of the days between 2025-01-01 and "
        "2026-01-01 not found"
    ]


def test_not_daily_names_the_grain() -> None:
    """Consecutive days pass; Monday buckets, first-of-month buckets, a changed period and
    missing days are each named."""
    days = [str(d.date()) for d in pd.date_range("2026-09-01", "2026-09-10")]
    assert not_daily(days) == "" and not_daily(days, "day") == ""
    assert not_daily(days, "week") == "period 'week' buckets"
    assert not_daily(["2026-09-07", "2026-09-14", "2026-09-21"]) == "weekly buckets"
    assert not_daily(["2026-08-01", "2026-09-01", "2026-10-01"]) == "monthly buckets"
    assert not_daily(["2026-09-01", "2026-09-02", "2026-09-05"]) == (
        "2 of the days between 2026-09-01 and 2026-09-05"
    )


def test_without_a_key_the_dated_exports_are_read_and_verified(
    tmp_path: Path, no_key: None
) -> None:
    """No key: the dated exports 30 days apart back to the first one, each file checked
    against its manifest; no Authorization header; the older history is a named gap."""
    calls: list[httpx2.Request] = []
    ctx = Context(tmp_path, TODAY)
    tables = fetch(source(key=None, calls=calls), ctx)
    urls = [str(c.url) for c in calls]
    assert [u.rsplit("/", 1)[-1] for u in urls] == [
        "2026-11-29.manifest.json",
        "2026-11-29.csv",
        "2026-10-30.manifest.json",
        "2026-10-30.csv",
        "2026-09-30.manifest.json",
        "2026-09-30.csv",
        "2026-09-19.manifest.json",
        "2026-09-19.csv",
    ]
    assert not any("authorization" in c.headers for c in calls)
    facts = tables["facts"]
    share = facts[facts["metric"] == "openrouter_qwen_token_share_pct"]
    assert (share["value"] == 25.0).all()  # (2,000 + 500) / 10,000 every day
    # 2026-08-20 (the first export's first day) to 2026-11-28: complete weeks only.
    assert (share["period_end"].min(), share["period_end"].max()) == ("2026-08-30", "2026-11-22")
    assert len(share) == 13
    note = tables["sources"]["note"].iloc[0]
    assert "2026-11-29.csv (sha256" in note and "verified" in note
    assert _gaps(ctx) == [
        "openrouter days 2025-01-01..2026-08-19: rows older than the first keyless export "
        "(set $OPENROUTER_API_KEY) not found"
    ]


def test_an_export_not_matching_its_manifest_is_refused(tmp_path: Path, no_key: None) -> None:
    """A file whose sha256 differs from its manifest's is not read; the older exports are."""
    ctx = Context(tmp_path, TODAY)
    weeks = fetch(source("bad_sha", key=None), ctx)["facts"]
    assert weeks["period_end"].max() == "2026-10-25"  # the days after 2026-10-29 came from it
    assert (
        "openrouter export 2026-11-29: file matching its manifest's sha256 and size not found"
        in (_gaps(ctx))
    )


def test_before_todays_export_yesterdays_is_the_newest(tmp_path: Path, no_key: None) -> None:
    """Today's export is not out yet (404): yesterday's is read instead, with no gap for it."""
    calls: list[httpx2.Request] = []
    previous = {
        "facts": pd.DataFrame(
            {
                "owner": ["openrouter"],
                "metric": ["openrouter_weekly_tokens"],
                "period_end": ["2026-11-15"],
            }
        )
    }
    ctx = Context(tmp_path, TODAY, previous=previous)
    tables = fetch(source(key=None, calls=calls, published=date(2026, 11, 28)), ctx)
    assert [str(c.url).rsplit("/", 1)[-1] for c in calls] == [
        "2026-11-29.manifest.json",
        "2026-11-28.manifest.json",
        "2026-11-28.csv",
    ]
    assert tables["facts"]["period_end"].max() == "2026-11-22"
    assert _gaps(ctx) == []


def test_real_export_rows_give_openrouters_own_share() -> None:
    """Real rows of 2026-09-30 (CRLF, empty rank on `other`): the day's total and Qwen's tokens
    reproduce the share OpenRouter itself publishes for Qwen's rows."""
    text = RECORDED_ROWS.read_bytes().decode("ascii")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 51 and rows[-1]["model_permaslug"] == "other" and rows[-1]["rank"] == ""
    day = per_day(pd.DataFrame(rows)).loc["2026-09-30"]
    published = sum(
        float(r["share_of_daily_tokens"]) for r in rows if r["model_permaslug"][:5] == "qwen/"
    )
    assert day["qwen"] == 71_062_223_935 + 66_785_700_257
    assert day["qwen"] / day["total"] == pytest.approx(published, rel=1e-9)


def test_the_real_manifest_shape_is_what_the_adapter_verifies(tmp_path: Path, no_key: None) -> None:
    """The real 2026-10-08 manifest, served as published, against a file that is not the one it
    describes: the adapter reads its csv entry and refuses the file."""
    real = json.loads(RECORDED_MANIFEST.read_text(encoding="utf-8"))

    def handle(request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("2026-10-08.manifest.json"):
            return httpx2.Response(200, json=real)
        if str(request.url) == real["files"]["csv"]["url"]:
            return httpx2.Response(200, content=RECORDED_ROWS.read_bytes())
        return httpx2.Response(404, json={"error": {"message": "Export not found", "code": 404}})

    src = OpenRouterSource(transport=lambda: httpx2.MockTransport(handle), api_key=None)
    ctx = Context(tmp_path, date(2026, 10, 8))
    with pytest.raises(SourceError, match="nothing could be read"):
        fetch(src, ctx)
    assert (
        "openrouter export 2026-10-08: file matching its manifest's sha256 and size not found"
        in (_gaps(ctx))
    )


def test_changed_row_shapes_fail_clearly(tmp_path: Path, no_key: None) -> None:
    """API rows without the documented fields fail the source; an export whose header lost a
    column is a named gap (its sha256 matches: the format changed, not the file)."""

    def api(request: httpx2.Request) -> httpx2.Response:
        rows = [{"day": "2026-11-01", "slug": "qwen/x", "tokens": "1"}]  # SYNTHETIC, renamed
        return httpx2.Response(200, json={"data": rows, "meta": {"as_of": "x"}})

    keyed = OpenRouterSource(transport=lambda: httpx2.MockTransport(api), api_key="k")
    with pytest.raises(SourceError, match="rows without date, model_permaslug, total_tokens"):
        fetch(keyed, Context(tmp_path, TODAY))

    renamed = export_csv(TODAY).replace(b",total_tokens,", b",tokens,", 1)

    def exports(request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith(f"{TODAY}.manifest.json"):
            return httpx2.Response(200, json=manifest(TODAY, renamed))
        if request.url.path.endswith(f"{TODAY}.csv"):
            return httpx2.Response(200, content=renamed)
        return httpx2.Response(404, json={"error": {"message": "Export not found", "code": 404}})

    keyless = OpenRouterSource(transport=lambda: httpx2.MockTransport(exports), api_key=None)
    ctx = Context(tmp_path, TODAY)
    with pytest.raises(SourceError, match="nothing could be read"):
        fetch(keyless, ctx)
    assert (
        "openrouter export 2026-11-29: csv columns date, model_permaslug, total_tokens "
        "(header changed?) not found"
    ) in _gaps(ctx)


def test_the_newest_exports_last_days_wait_for_their_revision(tmp_path: Path, no_key: None) -> None:
    """On Wednesday 2026-11-25 the export ends on Tuesday; its last 3 days are provisional, so
    the week ending Sunday 2026-11-22 is not published from them (it is a day later)."""
    wednesday = date(2026, 11, 25)
    tables = fetch(source(key=None, published=wednesday), Context(tmp_path, wednesday))
    assert tables["facts"]["period_end"].max() == "2026-11-15"
    thursday = wednesday.replace(day=26)
    tables = fetch(source(key=None, published=thursday), Context(tmp_path, thursday))
    assert tables["facts"]["period_end"].max() == "2026-11-22"


# -- driven through the recorded transport (moved from test_online.py) --------------------


def test_openrouter_weekly_share_from_the_model_rows(tmp_path: Path) -> None:
    """Qwen's share is its models' tokens over the day's total (top 50 plus 'other'), by week."""
    tables = fetch(openrouter(), Context(tmp_path, TODAY))
    facts = tables["facts"]
    share = facts[facts["metric"] == "openrouter_qwen_token_share_pct"]
    assert (share["value"] == 25.0).all()  # (2,000 + 500) / 10,000 every day
    tokens = facts[facts["metric"] == "openrouter_weekly_tokens"]
    assert (tokens["value"] == 7 * 2_500).all()
    assert share["period_end"].min() == "2025-01-12"  # the first complete Monday-Sunday week
    assert "as of 2026-11-30T02:00:00.000Z" in tables["sources"]["note"].iloc[0]


def test_openrouter_without_a_key_reads_the_keyless_exports(
    synthetic_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No key: the refresh reads the dated exports and publishes; the history before the first
    export is a warning naming the key that would fetch it."""
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    monkeypatch.setitem(SOURCES, "openrouter", openrouter(key=None))
    result = pipeline.run(synthetic_dir, ["openrouter"], today=TODAY, progress=lambda _m: None)
    assert result.sources["openrouter"]["status"] == "ok"
    assert any(
        w.startswith("openrouter days 2025-01-01..2026-08-19: rows older than the first keyless")
        for w in result.warnings
    )
    weeks = Store(synthetic_dir / "store").read("facts").query("owner == 'openrouter'")
    assert weeks["period_end"].min() == "2026-08-30"
    # A source that does need configuration, asked for alone: a usage error (exit 2).
    monkeypatch.delenv("AIIMPACT_SEC_USER_AGENT", raising=False)
    monkeypatch.setitem(SOURCES, "edgar", EdgarSource(transport=edgar_transport()))
    with pytest.raises(pipeline.NothingConfiguredError, match="AIIMPACT_SEC_USER_AGENT"):
        pipeline.run(synthetic_dir, ["edgar"], today=TODAY, progress=lambda _m: None)


def test_openrouter_asks_only_for_days_it_lacks(
    synthetic_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second refresh starts after the last week on file; history accumulates."""
    calls: list[object] = []
    monkeypatch.setitem(
        SOURCES,
        "openrouter",
        OpenRouterSource(transport=openrouter_transport("ok", calls), api_key="k"),
    )
    pipeline.run(synthetic_dir, ["openrouter"], today=date(2026, 11, 16), progress=lambda _m: None)
    first = len(calls)
    pipeline.run(synthetic_dir, ["openrouter"], today=TODAY, progress=lambda _m: None)
    assert len(calls) == first + 1
    assert "start_date=2026-11-16" in str(calls[-1].url)  # type: ignore[attr-defined]
    assert "period=day" in str(calls[-1].url)  # type: ignore[attr-defined]
    facts = Store(synthetic_dir / "store").read("facts")
    weeks = facts[
        (facts["owner"] == "openrouter") & (facts["metric"] == "openrouter_weekly_tokens")
    ]
    assert weeks["period_end"].max() == "2026-11-22" and weeks["period_end"].min() == "2025-01-12"


@pytest.mark.parametrize(("scenario", "reason"), [("unauthorized", "HTTP 401")])
def test_openrouter_failures(tmp_path: Path, scenario: str, reason: str) -> None:
    """A refused key fails the source with the status."""
    with pytest.raises(SourceError, match=reason):
        fetch(openrouter(scenario), Context(tmp_path, TODAY))
