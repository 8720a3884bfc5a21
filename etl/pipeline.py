"""Build and refresh: extract -> validate -> transform -> publish, with progress logging."""

from __future__ import annotations

import concurrent.futures
import hashlib
import logging
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

import etl
from etl import config, consistency, disclosures, periods
from etl.errors import (
    EtlError,
    NotConfiguredError,
    Problem,
    ShrinkError,
    SourceError,
    ValidationError,
)
from etl.models import FACTS, TABLES
from etl.sources import SOURCES, Context, Tables, fetch
from etl.sources.base import empty_table
from etl.sources.online import Deadline
from etl.store import Store
from etl.validate import ORIGIN_RE

log = logging.getLogger(__name__)

STALE_QUARTER_DAYS = config.STALE_QUARTER_DAYS


class AllSourcesFailedError(EtlError):
    """Every requested source failed; nothing was published."""


class NothingConfiguredError(EtlError):
    """Every requested online source lacks its configuration (a key, a User-Agent)."""


@dataclass
class BuildResult:
    """What a build or refresh did, for the one-line summary."""

    vintage: str
    created: bool
    rows: int
    sources: dict[str, dict[str, Any]]
    warnings: list[str] = field(default_factory=list)

    fetched: tuple[str, ...] = ()
    crosscheck: dict[str, Any] = field(default_factory=dict)
    annual: dict[str, Any] = field(default_factory=dict)
    peers: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        """The one-line summary printed at the end (offline builds fetch no online source)."""
        verb = "published new vintage" if self.created else "unchanged: current vintage is"
        if self.fetched:
            ok = sum(1 for n in self.fetched if self.sources[n]["status"] == "ok")
            others = [
                f"{n} {self.sources[n]['status']}"
                for n in self.fetched
                if self.sources[n]["status"] != "ok"
            ]
            status = f"curated ok, {ok}/{len(self.fetched)} online sources ok" + (
                f" ({', '.join(others)})" if others else ""
            )
        else:
            status = "curated ok; online sources not fetched"
        agree = self.crosscheck.get("agree")
        check = (
            f", edgar vs curated: {agree} agree, {len(self.crosscheck.get('differ', []))} differ"
            if agree is not None
            else ""
        )
        if self.peers.get("agree") is not None:
            check += (
                f", sec_xbrl vs curated: {self.peers['agree']} agree, "
                f"{len(self.peers['differ'])} differ"
            )
        if self.annual.get("compared"):
            check += (
                f", 20-F annual capex vs curated quarters: {self.annual['agree']} agree, "
                f"{len(self.annual['differ'])} differ"
            )
        return (
            f"{verb} {self.vintage} ({self.rows} rows; {status}{check}; "
            f"{len(self.warnings)} warnings)"
        )


def check(data_dir: Path) -> Tables:
    """Validate the curated files; raises ValidationError listing every problem."""
    ctx = Context(data_dir=data_dir, today=date.today())
    tables = fetch(SOURCES["curated"], ctx)
    _refuse_inconsistent(tables["facts"], data_dir)
    return tables


def _refuse_inconsistent(facts: pd.DataFrame, data_dir: Path) -> None:
    """Curated figures that break a consistency rule are invalid input (file, line, field)."""
    problems = consistency.problems(facts, data_dir.name)
    if problems:
        raise ValidationError(problems)


def _fewer(previous: Tables, name: str, new: Tables, ctx: Context) -> None:
    """Report each period for which a fetch returned fewer figures than the last good vintage."""
    old, fresh = _carry_over(previous, name).get("facts"), new.get("facts")
    if old is None or fresh is None or fresh.empty:
        return

    def count(frame: pd.DataFrame) -> pd.Series:
        known = frame[frame["value"].notna()]
        return known.groupby([known["entity"].astype(str), known["period_end"].astype(str)]).size()

    before, after = count(old), count(fresh)
    both = after.index.intersection(before.index)
    for entity, end in both[after[both].to_numpy() < before[both].to_numpy()]:
        lost = before[(entity, end)] - after[(entity, end)]
        held = f"{lost} of the {before[(entity, end)]} figures the last good vintage holds"
        ctx.missing(name, f"{entity} {end}", held)


def run(
    data_dir: Path,
    online: Sequence[str] = (),
    *,
    today: date | None = None,
    lock_wait: float = config.LOCK_WAIT_SECONDS,
    refresh_timeout: float | None = None,
    progress: Callable[[str], None] = log.info,
    allow_shrink: bool = False,
) -> BuildResult:
    """Build a vintage from the curated files plus the named online sources, and publish it.

    Online sources that are not named, or that fail, keep the rows they had in the current
    vintage (marked stale when they failed), so a refresh never loses published data. A build
    that would drop a figure file or more than config.SHRINK_LIMIT of a source's figures stops
    with ShrinkError unless `allow_shrink`.
    """
    store = Store(config.store_dir(data_dir))
    steps = 3 + len(online)
    # Load inputs.
    progress(f"[1/{steps}] reading the current vintage")
    previous = _previous(store)
    bound = refresh_timeout or config.REFRESH_TIMEOUT_SECONDS
    ctx = Context(
        data_dir=data_dir,
        today=today or date.today(),
        previous=previous,
        deadline=Deadline.after(bound),
    )
    progress(f"[2/{steps}] validating curated files in {data_dir}")
    # The curated bytes are read once: the same bytes are validated and checksummed.
    raw = SOURCES["curated"].extract(ctx)
    parts: dict[str, Tables] = {"curated": fetch(_Preread(raw), ctx)}
    _refuse_inconsistent(parts["curated"]["facts"], data_dir)
    statuses: dict[str, dict[str, Any]] = {
        "curated": {"status": "ok", "rows": _rows(parts["curated"])}
    }
    prev_status = _previous_statuses(store)
    for name, outcome in _fetch_online(online, ctx, bound, progress):
        _record(name, outcome, ctx, prev_status, parts, statuses)
    failed = [n for n in online if statuses[n]["status"] == "stale"]
    if failed and not any(statuses[n]["status"] == "ok" for n in online):
        raise AllSourcesFailedError("every requested source failed; nothing was published")
    if online and all(statuses[n]["status"] == "not configured" for n in online):
        reasons = "; ".join(f"{n}: {statuses[n]['reason']}" for n in online)
        raise NothingConfiguredError(f"nothing to refresh ({reasons})")
    # Process data.
    for name, src in SOURCES.items():
        if src.online and name not in parts:
            parts[name] = _carry_over(previous, name)
            statuses.setdefault(name, prev_status.get(name, {"status": "never fetched"}))
    tables = _merge(parts)
    crosscheck = compare_owners(tables["facts"], "edgar", "curated")
    annual = annual_crosscheck(tables["facts"])
    peers = compare_owners(tables["facts"], "sec_xbrl", "curated")
    warnings = (
        _warnings(tables, previous, ctx.today, statuses)
        + [str(g) for g in ctx.gaps]
        + ctx.warnings
        + crosscheck_warnings(crosscheck)
        + crosscheck_warnings(peers)
        + [
            f"20-F annual capex {d['period_end']} {d['annual']:g} vs curated quarters "
            f"{d['quarters']:g} (RMB mn)"
            for d in annual.get("differ", [])
        ]
    )
    for w in warnings:
        log.warning("%s", w)
    lost = [] if allow_shrink else shrinkage(previous.get("facts"), tables["facts"], data_dir.name)
    if lost:
        raise ShrinkError(lost)
    # Save outputs.
    progress(f"[{steps}/{steps}] publishing")
    manifest = {
        "code_version": code_version(),
        "inputs": _inputs(raw),
        "sources": statuses,
        "warnings": warnings,
        "crosscheck": crosscheck,
        "crosscheck_annual": annual,
        "crosscheck_sec_xbrl": peers,
    }
    with store.lock(lock_wait):
        vid, created = store.publish(tables, manifest)
    return BuildResult(
        vid, created, _rows(tables), statuses, warnings, tuple(online), crosscheck, annual, peers
    )


def _record(
    name: str,
    outcome: Tables | SourceError,
    ctx: Context,
    prev_status: dict[str, dict[str, Any]],
    parts: dict[str, Tables],
    statuses: dict[str, dict[str, Any]],
) -> None:
    """Keep one online source's outcome: its rows (with what it had before), or why it failed;
    what it could not read, fewer figures than before and inconsistent figures are warnings."""
    previous = ctx.previous
    if isinstance(outcome, NotConfiguredError):
        log.info("%s", outcome)
        statuses[name] = {"status": "not configured", "reason": outcome.reason}
    elif isinstance(outcome, SourceError):
        log.warning("%s", outcome)
        statuses[name] = {"status": "stale", "reason": outcome.reason}
        statuses[name].update(_last_ok(prev_status, name))
    else:
        parts[name] = _accumulate(_carry_over(previous, name), outcome)
        statuses[name] = {"status": "ok", "rows": _rows(outcome), "fetched": _now()}
        _fewer(previous, name, outcome, ctx)
        if "facts" in outcome:
            ctx.warnings.extend(str(v) for v in consistency.violations(outcome["facts"]))
    gaps = [str(g) for g in ctx.gaps if g.source == name]
    if gaps:
        statuses[name]["gaps"] = gaps


def _fetch_online(
    names: Sequence[str], ctx: Context, bound: float, progress: Callable[[str], None]
) -> list[tuple[str, Tables | SourceError]]:
    """Fetch each named source in one bounded executor; a source past the bound fails alone.

    The executor bounds the wall clock; the deadline in ctx stops abandoned work at its next
    HTTP request, so nothing keeps calling upstream after the refresh has given up.
    """
    out: list[tuple[str, Tables | SourceError]] = []
    if not names:
        return out
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="refresh")
    try:
        for i, name in enumerate(names, start=3):
            progress(f"[{i}/{len(names) + 3}] fetching {name}")
            left = ctx.deadline.left()
            if left <= 0:
                out.append(
                    (
                        name,
                        SourceError(
                            name, f"not started: the refresh bound of {bound:.0f} s was used up"
                        ),
                    )
                )
                continue
            future = pool.submit(fetch, SOURCES[name], ctx)
            try:
                out.append((name, future.result(timeout=left)))
            except concurrent.futures.TimeoutError:
                out.append(
                    (name, SourceError(name, f"no answer within {bound:.0f} s (the refresh bound)"))
                )
            except SourceError as exc:
                out.append((name, exc))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return out


def _previous(store: Store) -> Tables:
    """The current vintage's tables; a damaged current one gives way to the newest healthy one."""
    base, notice = store.healthy_current()
    if notice:
        log.warning("%s", notice)
    return store.read_all(base) if base else {}


def _previous_statuses(store: Store) -> dict[str, dict[str, Any]]:
    base, _notice = store.healthy_current()
    if base is None:
        return {}
    sources: dict[str, dict[str, Any]] = store.manifest(base).get("sources", {})
    return sources


def _last_ok(prev: dict[str, dict[str, Any]], name: str) -> dict[str, Any]:
    fetched = prev.get(name, {}).get("fetched")
    return {"fetched": fetched} if fetched else {}


def _carry_over(previous: Tables, name: str) -> Tables:
    """The rows a source contributed to the previous vintage (its `owner` column)."""
    out: Tables = {}
    for table, frame in previous.items():
        if "owner" in frame and len(frame):
            mine = frame[frame["owner"] == name]
            if len(mine):
                out[table] = mine.reset_index(drop=True)
    return out


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
            key = list(TABLES[table].key)
            out[table] = both.drop_duplicates(key, keep="last").reset_index(drop=True)
        else:
            out[table] = frame
    return out


def _merge(parts: dict[str, Tables]) -> Tables:
    """One table per name from every source's part; on a repeated key the later part wins.

    Keys include the owner, so two sources' rows for the same figure both stay (see
    compare_owners); within one source a key is unique (etl.validate.check_tables).
    """
    merged: Tables = {}
    for table, spec in TABLES.items():
        frames = [p[table] for p in parts.values() if table in p and len(p[table])]
        if frames:
            both = pd.concat(frames, ignore_index=True)
            merged[table] = both.drop_duplicates(list(spec.key), keep="last").reset_index(drop=True)
        else:
            merged[table] = empty_table(table)
    return merged


def compare_owners(facts: pd.DataFrame, first: str, second: str) -> dict[str, Any]:
    """Figures two sources both hold: how many agree, and each one that differs.

    Used for edgar (the company's filings) against the curated files: both rows stay in the
    vintage; the dashboard draws the primary one and the Sources page shows the difference.
    """
    a = facts[(facts["owner"] == first) & facts["value"].notna()]
    b = facts[(facts["owner"] == second) & facts["value"].notna()]
    if a.empty or b.empty:
        return {}
    key = list(FACTS.figure_key)
    both = a.merge(b, on=key, suffixes=("_a", "_b"))
    same = (both["value_a"].astype(float) - both["value_b"].astype(float)).abs() < 0.5
    differ = [
        {
            "entity": r["entity"],
            "metric": r["metric"],
            "period_end": r["period_end"],
            first: float(r["value_a"]),
            second: float(r["value_b"]),
            f"{first}_source": r["source_id_a"],
            f"{second}_source": r["source_id_b"],
        }
        for r in both[~same].to_dict("records")
    ]
    return {
        "pair": [first, second],
        "shared": int(len(both)),
        "agree": int(same.sum()),
        "differ": differ,
    }


def annual_crosscheck(facts: pd.DataFrame, tolerance: float = 2.0) -> dict[str, Any]:
    """Alibaba's 20-F annual capex (sec_xbrl) against the sum of its four curated quarters.

    Quarters are rounded to RMB 1 million each, so four of them may miss the year by a little:
    `tolerance` (RMB mn) is that rounding.
    """
    alibaba = facts[(facts["entity"] == "alibaba") & facts["value"].notna()]
    years = alibaba[alibaba["metric"] == "capex_ppe_annual"]
    quarters = alibaba[(alibaba["metric"] == "capex_ppe") & (alibaba["owner"] == "curated")]
    by_end = dict(zip(quarters["period_end"].astype(str), quarters["value"], strict=True))
    rows = []
    for r in years.to_dict("records"):
        fy = periods.fiscal_label(date.fromisoformat(str(r["period_end"])))[:6]
        ends = [periods.fiscal_to_period_end(f"{fy}Q{q}").isoformat() for q in range(1, 5)]
        if all(e in by_end for e in ends):
            total = float(sum(by_end[e] for e in ends))
            rows.append(
                {"period_end": r["period_end"], "annual": float(r["value"]), "quarters": total}
            )
    differ = [d for d in rows if abs(d["annual"] - d["quarters"]) > tolerance]
    return {"compared": len(rows), "agree": len(rows) - len(differ), "differ": differ, "rows": rows}


def crosscheck_warnings(check: dict[str, Any]) -> list[str]:
    """One warning per figure on which two sources disagree."""
    if not check:
        return []
    first, second = check["pair"]
    return [
        f"{first} and {second} differ: {d['entity']} {d['metric']} {d['period_end']} "
        f"{first} {d[first]:g} vs {second} {d[second]:g} (charts use {first})"
        for d in check["differ"]
    ]


def _warnings(
    tables: Tables, previous: Tables, today: date, statuses: dict[str, dict[str, Any]]
) -> list[str]:
    out = [
        f"source {n} is stale: {s.get('reason', '')} (last good fetch {s.get('fetched', 'never')})"
        for n, s in statuses.items()
        if s["status"] == "stale"
    ]
    facts = tables["facts"]
    quarterly = facts[(facts["fiscal_period"].astype(str) != "") & facts["value"].notna()]
    if len(quarterly):
        newest = max(str(d) for d in quarterly["period_end"])
        age = (today - date.fromisoformat(newest)).days
        if age > STALE_QUARTER_DAYS:
            out.append(
                f"curated financials may be stale: the newest quarter ended {newest}, {age} days "
                "ago; a newer quarter has probably been reported"
            )
    out += _restatements(facts, previous.get("facts"))
    out += silences(tables.get("disclosures"), previous.get("disclosures"))
    return out


def silences(strip: pd.DataFrame | None, old: pd.DataFrame | None) -> list[str]:
    """For each quarter a refresh adds to the KPI strip: the KPIs its release left out although
    an earlier one gave them (a first build, with no strip before it, reports nothing)."""
    if strip is None or strip.empty or old is None or old.empty:
        return []
    # One cell per KPI and quarter: a filing read online speaks over the bundled copy.
    cells = strip.assign(rank=(strip["owner"] != "edgar").astype(int))
    cells = cells.sort_values("rank").drop_duplicates(["entity", "kpi", "period_end"])
    cells = cells[cells["entity"] == "alibaba"]
    added = sorted(set(cells["period_end"].astype(str)) - set(old["period_end"].astype(str)))
    out = []
    for end in added:
        gone = disclosures.silenced(cells.assign(period_end=cells["period_end"].astype(str)), end)
        if gone:
            label = str(cells.loc[cells["period_end"].astype(str) == end, "fiscal_period"].iloc[0])
            out.append(f"{label} release leaves out KPIs earlier releases gave: {', '.join(gone)}")
    return out


def _restatements(new: pd.DataFrame, old: pd.DataFrame | None) -> list[str]:
    if old is None or old.empty or new.empty:
        return []
    both = new.merge(old, on=list(FACTS.key), suffixes=("", "_old"))
    changed = both[
        both["value"].notna()
        & both["value_old"].notna()
        & (both["value"].astype(float) != both["value_old"].astype(float))
    ]
    return [
        f"restated: {r.entity} {r.metric} {r.period_end} {r.value_old:g} -> {r.value:g} "
        f"(source {r.source_id}, owner {r.owner})"
        for r in changed.itertuples(index=False)
    ]


@dataclass(frozen=True)
class _Preread:
    """The curated source over bytes already read, so fetch() validates exactly those bytes."""

    raw: dict[str, bytes]
    name: str = "curated"
    online: bool = False

    def extract(self, ctx: Context) -> dict[str, bytes]:
        return self.raw

    def transform(self, raw: dict[str, bytes], ctx: Context) -> Tables:
        return SOURCES["curated"].transform(raw, ctx)


def _inputs(raw: dict[str, bytes]) -> list[dict[str, Any]]:
    """Checksums of the curated bytes that were validated (missing files read as b"")."""
    return [
        {"path": rel, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        for rel, data in raw.items()
        if data
    ]


def shrinkage(old: pd.DataFrame | None, new: pd.DataFrame, prefix: str) -> list[Problem]:
    """What a new vintage would silently lose against the current one.

    Every curated figure file of the current vintage must still give figures, and no source
    may lose more than config.SHRINK_LIMIT of its other figures (a blanked value counts as
    lost; the figures of a dropped file are named once, by the file).
    """
    if old is None or old.empty:
        return []
    before, after = _figures_by_file(old), _figures_by_file(new)
    files = _origin_files(old)
    kept = pd.MultiIndex.from_frame(new.loc[new["owner"] == "curated", list(_FIGURE)])
    out = []
    for f in sorted(set(before) - set(after)):
        # A file renamed or merged into another keeps its figures: only a real loss counts.
        mine = old.loc[files == f, list(_FIGURE)]
        lost = int((~pd.MultiIndex.from_frame(mine).isin(kept)).sum())
        if lost:
            rule = f"would drop this figure file and {lost} of its {before[f]} figures"
            out.append(Problem(f"{prefix}/{f}", None, "-", rule + _ANYWAY))
    in_dropped = files.isin(set(before) - set(after))
    had = old[old["value"].notna() & ~in_dropped].groupby("source_id").size()
    has = new[new["value"].notna()].groupby("source_id").size()
    for sid, n in had.items():
        lost = int(n) - int(has.get(sid, 0))
        if lost > int(n) * config.SHRINK_LIMIT:
            rule = (
                f"would drop {lost} of its {n} figures ({lost / int(n):.0%}; the limit is "
                f"{config.SHRINK_LIMIT:.0%})"
            )
            out.append(Problem(f"source {sid}", None, "source_id", rule + _ANYWAY))
    return out


_ANYWAY = "; nothing published (--allow-shrink publishes anyway)"
_FIGURE = FACTS.figure_key


def _origin_files(facts: pd.DataFrame) -> pd.Series:
    """The curated file each figure was read from (NaN for other owners and old vintages)."""
    files = facts["origin"].astype(str).str.extract(ORIGIN_RE)["file"]
    return files.where(facts["owner"] == "curated")


def _figures_by_file(facts: pd.DataFrame) -> dict[str, int]:
    return {str(k): int(v) for k, v in _origin_files(facts).dropna().value_counts().items()}


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
