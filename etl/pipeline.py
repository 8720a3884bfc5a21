"""Build and refresh: extract -> validate -> transform -> publish, with progress logging."""

from __future__ import annotations

import hashlib
import logging
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

import etl
from etl import config
from etl.errors import EtlError, SourceError, UnknownVintageError
from etl.sources import SOURCES, Context, Tables, fetch
from etl.sources.base import TABLE_COLUMNS, empty_table
from etl.sources.curated import curated_files
from etl.sources.online import with_timeout
from etl.store import Store

log = logging.getLogger(__name__)

#: A curated quarter older than this many days means a newer result has probably been reported.
STALE_QUARTER_DAYS = 150


class AllSourcesFailedError(EtlError):
    """Every requested source failed; nothing was published."""


@dataclass
class BuildResult:
    """What a build or refresh did, for the one-line summary."""

    vintage: str
    created: bool
    rows: int
    sources: dict[str, dict[str, Any]]
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """The one-line summary printed at the end."""
        verb = "published new vintage" if self.created else "unchanged: current vintage is"
        ok = sum(1 for s in self.sources.values() if s["status"] == "ok")
        return (
            f"{verb} {self.vintage} ({self.rows} rows, {ok}/{len(self.sources)} sources ok, "
            f"{len(self.warnings)} warnings)"
        )


def check(data_dir: Path) -> Tables:
    """Validate the curated files; raises ValidationError listing every problem."""
    ctx = Context(data_dir=data_dir, today=date.today())
    return fetch(SOURCES["curated"], ctx)


def run(
    data_dir: Path,
    online: Sequence[str] = (),
    *,
    today: date | None = None,
    lock_wait: float = config.LOCK_WAIT_SECONDS,
    refresh_timeout: float | None = None,
    progress: Callable[[str], None] = log.info,
) -> BuildResult:
    """Build a vintage from the curated files plus the named online sources, and publish it.

    Online sources that are not named, or that fail, keep the rows they had in the current
    vintage (marked stale when they failed), so a refresh never loses published data.
    """
    store = Store(config.store_dir(data_dir))
    steps = 3 + len(online)
    # Load inputs.
    progress(f"[1/{steps}] reading the current vintage")
    previous = _previous(store)
    ctx = Context(data_dir=data_dir, today=today or date.today(), previous=previous)
    progress(f"[2/{steps}] validating curated files in {data_dir}")
    parts: dict[str, Tables] = {"curated": fetch(SOURCES["curated"], ctx)}
    statuses = {"curated": {"status": "ok", "rows": _rows(parts["curated"])}}
    prev_status = _previous_statuses(store)
    refresh_timeout = refresh_timeout or config.REFRESH_TIMEOUT_SECONDS
    deadline = time.monotonic() + refresh_timeout
    for i, name in enumerate(online, start=3):
        progress(f"[{i}/{steps}] fetching {name}")
        try:
            left = deadline - time.monotonic()
            if left <= 0:
                raise SourceError(
                    name, f"not started: the refresh bound of {refresh_timeout:.0f} s was used up"
                )
            new = with_timeout(name, "fetch", lambda n=name: fetch(SOURCES[n], ctx), left)  # type: ignore[misc]
            parts[name] = _accumulate(_carry_over(previous, name), new)
            statuses[name] = {"status": "ok", "rows": _rows(new), "fetched": _now()}
        except SourceError as exc:
            log.warning("%s", exc)
            statuses[name] = {
                "status": "stale",
                "reason": exc.reason,
                **_last_ok(prev_status, name),
            }
    if online and all(statuses[n]["status"] != "ok" for n in online):
        raise AllSourcesFailedError("every requested source failed; nothing was published")
    # Process data.
    for name, src in SOURCES.items():
        if src.online and name not in parts:
            parts[name] = _carry_over(previous, name)
            statuses.setdefault(name, prev_status.get(name, {"status": "never fetched"}))
    tables = _merge(parts)
    warnings = _warnings(tables, previous, ctx.today, statuses)
    for w in warnings:
        log.warning("%s", w)
    # Save outputs.
    progress(f"[{steps}/{steps}] publishing")
    manifest = {
        "code_version": code_version(),
        "inputs": _inputs(data_dir),
        "sources": statuses,
        "warnings": warnings,
    }
    with store.lock(lock_wait):
        vid, created = store.publish(tables, manifest)
    return BuildResult(vid, created, _rows(tables), statuses, warnings)


def _previous(store: Store) -> Tables:
    try:
        return store.read_all()
    except UnknownVintageError:
        return {}


def _previous_statuses(store: Store) -> dict[str, dict[str, Any]]:
    try:
        sources: dict[str, dict[str, Any]] = store.manifest().get("sources", {})
    except UnknownVintageError:
        return {}
    return sources


def _last_ok(prev: dict[str, dict[str, Any]], name: str) -> dict[str, Any]:
    fetched = prev.get(name, {}).get("fetched")
    return {"fetched": fetched} if fetched else {}


def _carry_over(previous: Tables, name: str) -> Tables:
    """The rows a source contributed to the previous vintage (its source_id prefix)."""
    out: Tables = {}
    for table, frame in previous.items():
        if "source_id" in frame and len(frame):
            mine = frame[frame["source_id"].astype(str).str.startswith(f"{name}_")]
            if len(mine):
                out[table] = mine.reset_index(drop=True)
    return out


#: Key columns per table: a newer row replaces an older one with the same key.
TABLE_KEYS = {
    "facts": ["entity", "metric", "period_end"],
    "prices_daily": ["ticker", "date"],
    "sources": ["source_id"],
    "events": ["date", "label"],
}


def _accumulate(old: Tables, new: Tables) -> Tables:
    """A source's earlier rows plus its new ones; on the same key the new row wins.

    This is how Hugging Face observations (the Hub keeps no history) and Yahoo quarters older
    than Yahoo's five-quarter window accumulate across vintages. A changed figure is reported as
    restated by _warnings, never overwritten silently.
    """
    out = dict(new)
    for table, frame in old.items():
        if table in new and len(new[table]):
            both = pd.concat([frame, new[table]], ignore_index=True)
            out[table] = both.drop_duplicates(TABLE_KEYS[table], keep="last").reset_index(drop=True)
        else:
            out[table] = frame
    return out


def _merge(parts: dict[str, Tables]) -> Tables:
    merged: Tables = {}
    for table in TABLE_COLUMNS:
        frames = [p[table] for p in parts.values() if table in p and len(p[table])]
        if frames:
            merged[table] = pd.concat(frames, ignore_index=True).drop_duplicates()
        elif table != "prices_daily":
            merged[table] = empty_table(table)
    return merged


def _warnings(
    tables: Tables, previous: Tables, today: date, statuses: dict[str, dict[str, Any]]
) -> list[str]:
    out = [
        f"source {n} is stale: {s.get('reason', '')} (last good fetch {s.get('fetched', 'never')})"
        for n, s in statuses.items()
        if s["status"] == "stale"
    ]
    facts = tables["facts"]
    quarterly = facts[facts["fiscal_period"].astype(str) != ""]
    if len(quarterly):
        newest = max(str(d) for d in quarterly["period_end"])
        age = (today - date.fromisoformat(newest)).days
        if age > STALE_QUARTER_DAYS:
            out.append(
                f"curated financials may be stale: the newest quarter ended {newest}, {age} days "
                "ago; a newer quarter has probably been reported"
            )
    out += _restatements(facts, previous.get("facts"))
    return out


def _restatements(new: pd.DataFrame, old: pd.DataFrame | None) -> list[str]:
    if old is None or old.empty or new.empty:
        return []
    key = ["entity", "metric", "period_end"]
    both = new.merge(old, on=key, suffixes=("", "_old"))
    changed = both[
        both["value"].notna()
        & both["value_old"].notna()
        & (both["value"].astype(float) != both["value_old"].astype(float))
    ]
    return [
        f"restated: {r.entity} {r.metric} {r.period_end} {r.value_old:g} -> {r.value:g} "
        f"(source {r.source_id})"
        for r in changed.itertuples(index=False)
    ]


def _inputs(data_dir: Path) -> list[dict[str, Any]]:
    out = []
    for path in curated_files(data_dir):
        if path.exists():
            data = path.read_bytes()
            out.append(
                {
                    "path": path.relative_to(data_dir).as_posix(),
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "bytes": len(data),
                }
            )
    return out


def _rows(tables: Tables) -> int:
    return sum(len(f) for f in tables.values())


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def code_version() -> str:
    """The package version plus the git commit when run from a checkout."""
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=config.REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        sha = ""
    return f"{etl.__version__}+{sha}" if sha else etl.__version__
