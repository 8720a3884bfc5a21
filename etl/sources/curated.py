"""The curated source: hand-checked, sourced CSV files under data/ (the offline default)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from etl import validate as v
from etl.config import MAX_CURATED_BYTES
from etl.errors import Problem, ValidationError
from etl.sources.base import Context, Tables

FACT_DIRS = ("financials", "statements", "adoption")
EVENT_DIRS = ("events",)
SOURCES_FILE = "sources.csv"


def curated_files(data_dir: Path) -> list[Path]:
    """Every curated input file, in a stable order (sources first)."""
    files = [data_dir / SOURCES_FILE]
    for sub in (*FACT_DIRS, *EVENT_DIRS):
        files += sorted((data_dir / sub).glob("*.csv"))
    return files


@dataclass(frozen=True)
class CuratedSource:
    """Source: the CSV files in the data directory, each figure with its source_id."""

    name: str = "curated"
    online: bool = False

    def extract(self, ctx: Context) -> dict[str, bytes]:
        """Read every curated file's bytes (at most MAX_CURATED_BYTES + 1 each)."""
        raw: dict[str, bytes] = {}
        for path in curated_files(ctx.data_dir):
            rel = path.relative_to(ctx.data_dir).as_posix()
            if not path.exists():
                raw[rel] = b""
                continue
            with path.open("rb") as fh:
                raw[rel] = fh.read(MAX_CURATED_BYTES + 1)
        return raw

    def transform(self, raw: dict[str, bytes], ctx: Context) -> Tables:
        """Parse and validate every file; raise ValidationError listing all problems."""
        prefix = ctx.data_dir.name
        problems: list[Problem] = []
        facts, events = [], []
        sources = pd.DataFrame()
        for rel, data in raw.items():
            name = f"{prefix}/{rel}"
            if len(data) > MAX_CURATED_BYTES:
                problems.append(
                    Problem(name, None, "-", f"file larger than {MAX_CURATED_BYTES} bytes")
                )
                continue
            kind = _kind(rel)
            frame, found = v.parse_csv(name, data, *_columns(kind))
            problems += found
            if frame.empty:
                continue
            if kind == "sources":
                problems += v.check_sources(name, frame)
                sources = frame
            elif kind == "facts":
                problems += v.check_facts(name, frame)
                facts.append((name, frame))
            else:
                problems += v.check_events(name, frame)
                events.append((name, frame))
        problems += _global_rules(facts, events, sources)
        if any(p.level == "error" for p in problems):
            raise ValidationError(problems)
        return {
            "facts": _tidy_facts(facts, sources, prefix),
            "events": _tidy_events(events, sources),
            "sources": sources.drop(columns=[v.LINE]),
        }


def _kind(rel: str) -> str:
    if rel == SOURCES_FILE:
        return "sources"
    return "events" if rel.split("/")[0] in EVENT_DIRS else "facts"


def _columns(kind: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if kind == "sources":
        return v.SOURCE_REQUIRED, v.SOURCE_OPTIONAL
    if kind == "facts":
        return v.FACT_REQUIRED, v.FACT_OPTIONAL
    return v.EVENT_REQUIRED, v.EVENT_OPTIONAL


def _global_rules(
    facts: list[tuple[str, pd.DataFrame]],
    events: list[tuple[str, pd.DataFrame]],
    sources: pd.DataFrame,
) -> list[Problem]:
    known = set(sources["source_id"]) if not sources.empty else set()
    out: list[Problem] = []
    seen: dict[tuple[str, str, str], str] = {}
    for name, frame in facts:
        out += v.unknown_sources(name, frame, known)
        out += v.duplicates(name, frame, ("entity", "metric", "period_end"))
        for r in frame.itertuples(index=False):
            key = (r.entity, r.metric, r.period_end)
            where = f"{name}:{getattr(r, v.LINE)}"
            if key in seen and not seen[key].startswith(f"{name}:"):
                rule = f"duplicate key (entity, metric, period_end) also at {seen[key]}"
                out.append(Problem(name, getattr(r, v.LINE), "metric", rule, "/".join(key)))
            seen.setdefault(key, where)
    for name, frame in events:
        out += v.unknown_sources(name, frame, known)
    return out


def _tidy_facts(
    files: list[tuple[str, pd.DataFrame]], sources: pd.DataFrame, prefix: str
) -> pd.DataFrame:
    urls = dict(zip(sources["source_id"], sources["url"], strict=True))
    parts = []
    for name, frame in files:
        part = pd.DataFrame(
            {
                "entity": frame["entity"],
                "metric": frame["metric"],
                "period_end": frame["period_end"],
                "fiscal_period": frame["fiscal_period"],
                "value": pd.to_numeric(frame["value"].replace("", None), errors="coerce"),
                "unit": frame["unit"],
                "source_id": frame["source_id"],
                "source_url": frame["source_id"].map(urls),
                "basis": "reported",
                "note": frame["note"],
                "origin": [f"{name.removeprefix(prefix + '/')}:{ln}" for ln in frame[v.LINE]],
            }
        )
        parts.append(part)
    facts = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return _derive_capex(facts)


def _derive_capex(facts: pd.DataFrame) -> pd.DataFrame:
    """Add capex = capex_ppe + capex_intangibles where the release gives the two lines only."""
    if facts.empty:
        return facts
    key = ["entity", "period_end"]
    known = facts[facts["value"].notna()]
    ppe = known[known.metric == "capex_ppe"].set_index(key)
    intang = known[known.metric == "capex_intangibles"].set_index(key)
    stated = known[known.metric == "capex"].set_index(key).index
    both = ppe.index.intersection(intang.index).difference(stated)
    derived = ppe.loc[both].reset_index()
    derived["value"] = ppe.loc[both, "value"].to_numpy() + intang.loc[both, "value"].to_numpy()
    derived["metric"] = "capex"
    derived["basis"] = "derived"
    derived["note"] = (
        "derived: capex_ppe + capex_intangibles (both lines of the company's free cash flow "
        "reconciliation)"
    )
    derived["origin"] = derived["origin"] + " + " + intang.loc[both, "origin"].to_numpy()
    # A blank 'capex' placeholder row gives way to the derived figure.
    placeholder = (facts.metric == "capex") & facts["value"].isna()
    replaced = placeholder & pd.MultiIndex.from_frame(facts[key]).isin(both)
    return pd.concat([facts[~replaced], derived[list(facts.columns)]], ignore_index=True)


def _tidy_events(files: list[tuple[str, pd.DataFrame]], sources: pd.DataFrame) -> pd.DataFrame:
    urls = dict(zip(sources["source_id"], sources["url"], strict=True))
    parts = [
        pd.DataFrame(
            {
                "date": f["date"],
                "category": f["category"],
                "label": f["label"],
                "detail": f["detail"],
                "source_id": f["source_id"],
                "source_url": f["source_id"].map(urls),
            }
        )
        for _, f in files
    ]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
