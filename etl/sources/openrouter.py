"""OpenRouter's rankings dataset: daily tokens of the top models, and Qwen's share of them.

Source: https://openrouter.ai/docs/cookbook/administration/data-api, `GET /api/v1/datasets/
rankings-daily` (CC BY 4.0; "Source: OpenRouter (openrouter.ai/rankings), as of <as_of>").
Each day holds the top 50 public models by tokens plus one `other` row for the rest, so a
day's total is the sum of its rows. Qwen's tokens are the rows whose permaslug author is
`qwen`; its share is those tokens over the day's total, summed over complete weeks (Monday to
Sunday, UTC). Token counts come from each provider's own tokenizer, so shares are indicative.
Needs an API key ($OPENROUTER_API_KEY); without one the source is "not configured".
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx2
import pandas as pd

from etl import config
from etl.errors import NotConfiguredError, SourceError
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
FIRST_DAY = date(2025, 1, 1)  # the dataset begins here
MAX_SPAN = 366  # days per request (the API refuses wider windows)
SOURCE_ID = "openrouter_rankings_daily"
AUTHOR = "qwen"


@dataclass(frozen=True)
class OpenRouterSource:
    """Source: OpenRouter Data API (https://openrouter.ai/rankings)."""

    name: str = "openrouter"
    online: bool = True
    transport: TransportFactory | None = None
    per_request: float = 30.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    #: The API key; None reads $OPENROUTER_API_KEY when the source runs.
    api_key: str | None = None

    def extract(self, ctx: Context) -> dict[str, Any]:
        """Fetch the daily rows from the day after the last one on file (at most a year a call)."""
        key = self.api_key or os.environ.get(config.ENV_OPENROUTER_KEY, "")
        if not key:
            raise NotConfiguredError(
                self.name, f"no API key: set ${config.ENV_OPENROUTER_KEY} to refresh OpenRouter"
            )
        guard = Guard(self.name, ctx.deadline, self.per_request)
        client = http_client(guard, self.transport, headers={"Authorization": f"Bearer {key}"})
        rows: list[dict[str, Any]] = []
        metas: list[dict[str, Any]] = []
        with client:
            for start, end in _windows(_resume(ctx), ctx.today - timedelta(days=1)):
                body = self.retry.call(
                    self.name, f"rankings {start}..{end}", _getter(client, start, end), ctx.deadline
                )
                rows += body["data"]
                metas.append(body["meta"])
        return {"rows": rows, "meta": metas}

    def transform(self, raw: dict[str, Any], ctx: Context) -> Tables:
        """Qwen's weekly tokens and share of the week's tokens, complete weeks only."""
        daily = pd.DataFrame(raw["rows"], columns=["date", "model_permaslug", "total_tokens"])
        daily["tokens"] = pd.to_numeric(daily["total_tokens"], errors="coerce")
        if daily["tokens"].isna().any():
            raise SourceError(self.name, "total_tokens that are not numbers (API changed?)")
        author = daily["model_permaslug"].str.split("/").str[0]
        daily["qwen"] = daily["tokens"].where(author == AUTHOR, 0)
        per_day = daily.groupby("date").agg(total=("tokens", "sum"), qwen=("qwen", "sum"))
        weeks = _weekly(per_day)
        as_of = max((str(m.get("as_of", "")) for m in raw["meta"]), default="")
        facts = pd.concat(
            [
                _facts(weeks, "openrouter_weekly_tokens", weeks["qwen"], "tokens", as_of),
                _facts(weeks, "openrouter_qwen_token_share_pct", weeks["share"], "pct", as_of),
            ],
            ignore_index=True,
        )
        return {"facts": facts, "sources": pd.DataFrame([_source(ctx, as_of)])}


def _getter(client: httpx2.Client, start: date, end: date) -> Callable[[], dict[str, Any]]:
    return lambda: _get(client, start, end)


def _get(client: httpx2.Client, start: date, end: date) -> dict[str, Any]:
    try:
        r = client.get(URL, params={"start_date": start.isoformat(), "end_date": end.isoformat()})
    except (SourceError, RateLimitedError, TransientError):
        raise
    except httpx2.HTTPError as exc:
        raise SourceError("openrouter", f"rankings: {type(exc).__name__}: {exc}") from exc
    if r.status_code == 401:
        raise SourceError("openrouter", "HTTP 401: the API key was refused")
    if r.status_code != 200:
        raise SourceError("openrouter", f"HTTP {r.status_code}: {r.text[:200]}")
    body: dict[str, Any] = r.json()
    if not isinstance(body.get("data"), list) or not isinstance(body.get("meta"), dict):
        raise SourceError("openrouter", "answer without data and meta (API changed?)")
    return body


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


def _weekly(per_day: pd.DataFrame) -> pd.DataFrame:
    frame = per_day.assign(week=pd.DatetimeIndex(pd.to_datetime(per_day.index)).to_period("W-SUN"))
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


def _source(ctx: Context, as_of: str) -> dict[str, str]:
    return {
        "source_id": SOURCE_ID,
        "title": "OpenRouter rankings dataset: daily tokens of the top 50 models (rankings-daily)",
        "publisher": "OpenRouter",
        "url": "https://openrouter.ai/rankings",
        "published": as_of[:10],
        "accessed": ctx.today.isoformat(),
        "kind": "primary",
        "note": f"Source: OpenRouter (openrouter.ai/rankings), as of {as_of}. Licensed under CC BY 4.0.",
    }
