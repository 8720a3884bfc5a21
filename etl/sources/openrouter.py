"""OpenRouter's rankings dataset: daily tokens of the top models, and Qwen's share of them.

Source: https://openrouter.ai/docs/cookbook/administration/data-api (CC BY 4.0; "Source:
OpenRouter (openrouter.ai/rankings), as of <as_of>"). Each day holds the top 50 public models by
tokens plus one `other` row for the rest, so a day's total is the sum of its rows. Qwen's tokens
are the rows whose permaslug author is `qwen`; its share is those tokens over the day's total,
summed over complete weeks (Monday to Sunday, UTC). Token counts come from each provider's own
tokenizer, so shares are indicative.

Two ways in, one transform:
- with $OPENROUTER_API_KEY, `GET /api/v1/datasets/rankings-daily` from the day after the last one
  on file (the back-history from 2025-01-01, at most 366 days a call);
- without a key, the keyless dated exports `/api/v1/datasets/exports/rankings-daily/<date>.csv`
  (from 2026-09-19, each the 30 days before its date, the last 2-3 days revised by later ones):
  each file is read through its `<date>.manifest.json` and refused unless its sha256 and size
  match; the newest export's last 3 days wait for the export that revises them.
Rows must be one per model and consecutive day. Weekly or monthly buckets (the API's `period`),
or days missing, are reported as gaps (ctx.missing), never summed into weeks of nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx2
import pandas as pd

from etl import config
from etl.errors import SourceError
from etl.sources.base import Context, Tables, facts_frame
from etl.sources.online import (
    Guard,
    RateLimitedError,
    RetryPolicy,
    TransientError,
    TransportFactory,
    http_client,
)

URL = "https://openrouter.ai/api/v1/datasets/rankings-daily"
EXPORTS = "https://openrouter.ai/api/v1/datasets/exports/rankings-daily"
FIRST_DAY = date(2025, 1, 1)  # the dataset begins here
FIRST_EXPORT = date(2026, 9, 19)  # the oldest dated export; earlier ones answer 404
EXPORT_DAYS = 30  # an export holds the 30 days before its date
REVISED_DAYS = 3  # the next exports still revise an export's last 2-3 days
MAX_SPAN = 366  # days per request (the API refuses wider windows)
SOURCE_ID = "openrouter_rankings_daily"
AUTHOR = "qwen"
COLUMNS = ["date", "model_permaslug", "total_tokens"]


@dataclass(frozen=True)
class OpenRouterSource:
    """Source: OpenRouter Data API and its keyless exports (https://openrouter.ai/rankings)."""

    name: str = "openrouter"
    online: bool = True
    transport: TransportFactory | None = None
    per_request: float = 30.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    #: The API key; None reads $OPENROUTER_API_KEY when the source runs (none: the exports).
    api_key: str | None = None

    def extract(self, ctx: Context) -> dict[str, Any]:
        """Fetch the days from the day after the last one on file, as batches of rows.

        A batch is one answer (an API window or one export) with what it is, its rows, its
        `period` and its as-of time; `gaps` lists the exports that could not be read.
        """
        key = self.api_key or os.environ.get(config.ENV_OPENROUTER_KEY, "")
        guard = Guard(self.name, ctx.deadline, self.per_request)
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        with http_client(guard, self.transport, headers=headers) as client:
            get = _Getter(self, client, ctx)
            if key:
                return {"batches": [get.window(s, e) for s, e in _api_windows(ctx)], "gaps": []}
            return _exports(get, _resume(ctx), ctx.today)

    def transform(self, raw: dict[str, Any], ctx: Context) -> Tables:
        """Qwen's weekly tokens and share of the week's tokens, complete weeks only."""
        for unit, part in raw["gaps"]:
            ctx.missing(self.name, unit, part)
        if not raw["batches"]:
            read = "; ".join(f"{unit}: {part}" for unit, part in raw["gaps"])
            raise SourceError(self.name, f"nothing could be read ({read})"[:300])
        days: dict[str, list[dict[str, Any]]] = {}
        bucketed = []
        for batch in raw["batches"]:
            grain = not_daily([r["date"] for r in batch["rows"]], batch["period"])
            if grain.endswith("buckets"):
                ctx.missing(self.name, batch["what"], f"daily rows (answered in {grain})")
                bucketed.append(grain)
                continue
            if grain:
                ctx.missing(self.name, batch["what"], grain)
            # Batches come oldest first: a later export's revision of a day replaces it.
            for day, rows in _by_day(batch["rows"]).items():
                days[day] = rows
        if not days and bucketed:
            raise SourceError(
                self.name, f"no daily rows: the rankings answered in {bucketed[0]} (API changed?)"
            )
        daily = pd.DataFrame([r for rows in days.values() for r in rows], columns=COLUMNS)
        weeks = _weekly(per_day(daily, self.name))
        as_of = max((str(b["as_of"]) for b in raw["batches"]), default="")
        facts = pd.concat(
            [
                _facts(weeks, "openrouter_weekly_tokens", weeks["qwen"], "tokens", as_of),
                _facts(weeks, "openrouter_qwen_token_share_pct", weeks["share"], "pct", as_of),
            ],
            ignore_index=True,
        )
        return {"facts": facts, "sources": pd.DataFrame([_source(ctx, as_of, raw)])}


def per_day(daily: pd.DataFrame, source: str = "openrouter") -> pd.DataFrame:
    """Each day's total tokens (top 50 plus `other`) and Qwen-authored tokens."""
    tokens = pd.to_numeric(daily["total_tokens"], errors="coerce")
    if tokens.isna().any():
        raise SourceError(source, "total_tokens that are not numbers (API changed?)")
    author = daily["model_permaslug"].astype(str).str.split("/").str[0]
    frame = daily.assign(tokens=tokens, qwen=tokens.where(author == AUTHOR, 0))
    return frame.groupby("date").agg(total=("tokens", "sum"), qwen=("qwen", "sum"))


def not_daily(dates: list[str], period: str = "") -> str:
    """What keeps rows from being one series of consecutive days ('' when nothing does)."""
    if period not in ("", "day"):
        return f"period {period!r} buckets"
    days = sorted({date.fromisoformat(d) for d in dates})
    steps = {(b - a).days for a, b in zip(days, days[1:], strict=False)}
    if steps <= {1}:
        return ""
    if all(d.weekday() == 0 for d in days) and all(s % 7 == 0 for s in steps):
        return "weekly buckets"
    if all(d.day == 1 for d in days) and min(steps) >= 28:
        return "monthly buckets"
    missing = sum(s - 1 for s in steps)
    return f"{missing} of the days between {days[0]} and {days[-1]}"


def _by_day(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        out.setdefault(str(r["date"]), []).append(r)
    return out


class _Getter:
    """GETs through the guarded client under the retry policy; OpenRouter's errors read."""

    def __init__(self, source: OpenRouterSource, client: httpx2.Client, ctx: Context) -> None:
        self.source, self.client, self.ctx = source, client, ctx

    def get(self, url: str, **params: str) -> httpx2.Response | None:
        """The answer, or None for a 404 (an export not published)."""

        def once() -> httpx2.Response | None:
            try:
                r = self.client.get(url, params=params or None)
            except (SourceError, RateLimitedError, TransientError):
                raise
            except httpx2.HTTPError as exc:
                raise SourceError("openrouter", f"{url}: {type(exc).__name__}: {exc}") from exc
            if r.status_code == 401:
                raise SourceError("openrouter", "HTTP 401: the API key was refused")
            if r.status_code == 404:
                return None
            if r.status_code != 200:
                raise SourceError("openrouter", f"HTTP {r.status_code}: {r.text[:200]}")
            return r

        what = f"GET {url.rsplit('/', 1)[-1]}"
        return self.source.retry.call("openrouter", what, once, self.ctx.deadline)

    def window(self, start: date, end: date) -> dict[str, Any]:
        """One API window as a batch."""
        # `period` is asked for, not left to a default that may change; the rows are checked.
        r = self.get(URL, start_date=start.isoformat(), end_date=end.isoformat(), period="day")
        body: dict[str, Any] = r.json() if r is not None else {}
        if not isinstance(body.get("data"), list) or not isinstance(body.get("meta"), dict):
            raise SourceError("openrouter", "answer without data and meta (API changed?)")
        if not all(isinstance(r, dict) and set(COLUMNS) <= set(r) for r in body["data"]):
            raise SourceError("openrouter", f"rows without {', '.join(COLUMNS)} (API changed?)")
        meta = body["meta"]
        return {
            "what": f"rankings {start}..{end}",
            "rows": body["data"],
            "period": str(meta.get("period", "")),
            "as_of": str(meta.get("as_of", "")),
        }

    def export(self, day: date) -> dict[str, Any] | str | None:
        """One dated export as a batch; None when not published; a reason when refused."""
        r = self.get(f"{EXPORTS}/{day.isoformat()}.manifest.json")
        if r is None:
            return None
        manifest: dict[str, Any] = r.json()
        spec = manifest.get("files", {}).get("csv", {})
        if manifest.get("dataset") != "rankings-daily" or not spec.get("url"):
            return "manifest without a csv file (format changed?)"
        body = self.get(str(spec["url"]))
        if body is None:
            return f"file {spec['url']} listed by its manifest (HTTP 404)"
        data = body.content
        if hashlib.sha256(data).hexdigest() != spec.get("sha256") or len(data) != spec.get(
            "bytes", len(data)
        ):
            return "file matching its manifest's sha256 and size"
        reader = csv.DictReader(io.StringIO(data.decode("utf-8")))
        if not set(COLUMNS) <= set(reader.fieldnames or ()):
            return f"csv columns {', '.join(COLUMNS)} (header changed?)"
        rows = list(reader)
        return {
            "what": f"export {day}",
            "day": day.isoformat(),
            "rows": [{c: r.get(c) for c in COLUMNS} for r in rows],
            "period": "",
            "as_of": str(manifest.get("retrieved_at", "")),
            "url": str(spec["url"]),
            "sha256": str(spec["sha256"]),
        }


def _exports(get: _Getter, resume: date, today: date) -> dict[str, Any]:
    """The exports that cover resume..yesterday, oldest first, and the ones that could not be read.

    Exports 30 days apart tile the days without overlap; the oldest one is the first published.
    """
    batches: list[dict[str, Any]] = []
    gaps: list[tuple[str, str]] = []
    day = today
    got = get.export(day)
    if got is None:  # today's export appears at about 01:46 UTC; yesterday's is the newest
        day -= timedelta(days=1)
        got = get.export(day)
    while True:
        if isinstance(got, dict):
            batches.insert(0, got)
        else:
            gaps.append((f"export {day}", got or "manifest (HTTP 404)"))
        if day - timedelta(days=EXPORT_DAYS) <= resume or day <= FIRST_EXPORT:
            break
        day = max(day - timedelta(days=EXPORT_DAYS), FIRST_EXPORT)
        got = get.export(day)
    if batches:
        # The newest export's last days are provisional: leave them to the export that revises
        # them, so a published week never rests on them.
        final = (day_of(batches[-1]) - timedelta(days=REVISED_DAYS)).isoformat()
        batches[-1]["rows"] = [r for r in batches[-1]["rows"] if str(r["date"]) < final]
    first = FIRST_EXPORT - timedelta(days=EXPORT_DAYS)
    if resume < first:
        gaps.append(
            (
                f"days {resume}..{first - timedelta(days=1)}",
                f"rows older than the first keyless export (set ${config.ENV_OPENROUTER_KEY})",
            )
        )
    return {"batches": batches, "gaps": gaps}


def day_of(batch: dict[str, Any]) -> date:
    """The date of an export batch."""
    return date.fromisoformat(str(batch["day"]))


def _api_windows(ctx: Context) -> list[tuple[date, date]]:
    return _windows(_resume(ctx), ctx.today - timedelta(days=1))


def _resume(ctx: Context) -> date:
    """The first day not yet on file: a refresh asks only for what it lacks."""
    facts = ctx.previous.get("facts")
    if facts is None or facts.empty or "owner" not in facts:
        return FIRST_DAY
    mine = facts[(facts["owner"] == "openrouter") & (facts["metric"] == "openrouter_weekly_tokens")]
    if mine.empty:
        return FIRST_DAY
    return date.fromisoformat(str(mine["period_end"].max())) + timedelta(days=1)


def _windows(start: date, end: date) -> list[tuple[date, date]]:
    out = []
    while start <= end:
        stop = min(end, start + timedelta(days=MAX_SPAN - 1))
        out.append((start, stop))
        start = stop + timedelta(days=1)
    return out


def _weekly(days: pd.DataFrame) -> pd.DataFrame:
    frame = days.assign(week=pd.DatetimeIndex(pd.to_datetime(days.index)).to_period("W-SUN"))
    weeks = frame.groupby("week").agg(
        total=("total", "sum"), qwen=("qwen", "sum"), days=("total", "size")
    )
    weeks = weeks[weeks["days"] == 7]
    weeks["share"] = weeks["qwen"] / weeks["total"] * 100.0
    weeks.index = pd.PeriodIndex(weeks.index).end_time.normalize().strftime("%Y-%m-%d")
    return weeks


def _facts(
    weeks: pd.DataFrame, metric: str, values: pd.Series, unit: str, as_of: str
) -> pd.DataFrame:
    what = "share of all tokens" if unit == "pct" else "tokens"
    return facts_frame(
        entity="qwen",
        metric=metric,
        period_end=weeks.index.to_numpy(),
        value=values.astype(float).to_numpy(),
        unit=unit,
        source_id=SOURCE_ID,
        source_url="https://openrouter.ai/rankings",
        note=f"Qwen-authored models' {what} in the week ending on the date (Monday-Sunday UTC, "
        f"top 50 models plus 'other'); as of {as_of}",
        origin="openrouter",
    )


def _source(ctx: Context, as_of: str, raw: dict[str, Any]) -> dict[str, str]:
    files = [
        f"{b['url']} (sha256 {b['sha256'][:16]}, verified)" for b in raw["batches"] if "url" in b
    ]
    how = f"; keyless dated exports: {', '.join(files)}" if files else "; Data API"
    return {
        "source_id": SOURCE_ID,
        "title": "OpenRouter rankings dataset: daily tokens of the top 50 models (rankings-daily)",
        "publisher": "OpenRouter",
        "url": "https://openrouter.ai/rankings",
        "published": as_of[:10],
        "accessed": ctx.today.isoformat(),
        "kind": "primary",
        "note": f"Source: OpenRouter (openrouter.ai/rankings), as of {as_of}. Licensed under CC BY 4.0"
        + how,
    }
