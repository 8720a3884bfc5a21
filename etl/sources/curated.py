"""The curated source: hand-checked, sourced CSV files under data/ (the offline default).

Figures files live in financials/, statements/ and adoption/, events in events/, daily prices in
market/. Sources are `sources.csv` plus one `*.meta.json` per raw snapshot under snapshots/: a
snapshot's origin (repository, path, commit, licence, date read, checksum) is its source row.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from etl import validate as v
from etl.config import MAX_CURATED_BYTES
from etl.errors import FilesystemError, Problem, ValidationError
from etl.models import TABLES
from etl.sources.base import Context, Tables, empty_table, facts_frame

FACT_DIRS = ("financials", "statements", "adoption")
EVENT_DIRS = ("events",)
PRICE_DIRS = ("market",)
COMMITMENT_DIRS = ("commitments",)
DISCLOSURE_DIRS = ("disclosures",)
SOURCES_FILE = "sources.csv"
SNAPSHOTS_DIR = "snapshots"
#: Fields every snapshot's .meta.json carries (see data/README.md, "Raw snapshots").
META_FIELDS = (
    "source_id",
    "title",
    "producer",
    "url",
    "repository",
    "path",
    "commit",
    "commit_date",
    "license",
    "date_read",
    "sha256",
    "kind",
    "bundled",
)


def curated_files(data_dir: Path) -> list[Path]:
    """Every curated input file, in a stable order (sources first)."""
    files = [data_dir / SOURCES_FILE]
    for sub in (*FACT_DIRS, *EVENT_DIRS, *PRICE_DIRS, *COMMITMENT_DIRS, *DISCLOSURE_DIRS):
        files += sorted((data_dir / sub).glob("*.csv"))
    files += sorted((data_dir / SNAPSHOTS_DIR).glob("**/*.meta.json"))
    return files


def _read_regular(path: Path, root: Path) -> bytes:
    try:
        inside = path.resolve().is_relative_to(root)
    except RuntimeError as exc:  # a symlink loop (Python 3.11 raises, not OSError)
        raise FilesystemError(path, f"cannot be resolved ({exc})") from exc
    if not inside:
        raise FilesystemError(path, "is a symlink that leaves the data directory")
    try:
        # O_NONBLOCK: opening a FIFO for reading must not wait for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise FilesystemError.from_os(exc, path) from exc
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise FilesystemError(path, "is not a regular file")
    with os.fdopen(fd, "rb") as fh:
        try:
            return fh.read(MAX_CURATED_BYTES + 1)
        except OSError as exc:
            raise FilesystemError.from_os(exc, path) from exc


def _kind(rel: str) -> str:
    if rel == SOURCES_FILE:
        return "sources"
    if rel.endswith(".meta.json"):
        return "meta"
    top = rel.split("/")[0]
    if top in EVENT_DIRS:
        return "events"
    if top in COMMITMENT_DIRS:
        return "commitments"
    if top in DISCLOSURE_DIRS:
        return "disclosures"
    return "prices" if top in PRICE_DIRS else "facts"


_CHECKS = {
    "sources": v.check_sources,
    "facts": v.check_facts,
    "events": v.check_events,
    "prices": v.check_prices,
    "commitments": v.check_commitments,
    "disclosures": v.check_disclosures,
}


@dataclass(frozen=True)
class CuratedSource:
    """Source: the files in the data directory, each figure with its source_id."""

    name: str = "curated"
    online: bool = False

    def extract(self, ctx: Context) -> dict[str, bytes]:
        """Read every curated file's bytes (at most MAX_CURATED_BYTES + 1 each).

        Only regular files inside the data directory are read: a FIFO would block the build
        forever, a directory is no data, and a symlink out of data/ would publish a file
        nobody curated. Each is a FilesystemError naming the path.
        """
        root = ctx.data_dir.resolve()
        raw: dict[str, bytes] = {}
        for path in curated_files(ctx.data_dir):
            rel = path.relative_to(ctx.data_dir).as_posix()
            if not path.exists() and not path.is_symlink():
                raw[rel] = b""
                continue
            raw[rel] = _read_regular(path, root)
        return raw

    def transform(self, raw: dict[str, bytes], ctx: Context) -> Tables:
        """Parse and validate every file; raise ValidationError listing all problems."""
        prefix = ctx.data_dir.name
        problems: list[Problem] = []
        parts: dict[str, list[tuple[str, pd.DataFrame]]] = {
            k: [] for k in ("facts", "events", "prices", "commitments", "disclosures")
        }
        sources: list[pd.DataFrame] = []
        for rel, data in raw.items():
            name = f"{prefix}/{rel}"
            if len(data) > MAX_CURATED_BYTES:
                problems.append(
                    Problem(name, None, "-", f"file larger than {MAX_CURATED_BYTES} bytes")
                )
                continue
            kind = _kind(rel)
            if kind == "meta":
                row, found = _meta_source(name, data)
                problems += found
                if row is not None:
                    sources.append(row)
                continue
            frame, found = v.parse_csv(name, data, v.FILE_MODELS[kind])
            problems += found
            if frame.empty:
                continue
            problems += _CHECKS[kind](name, frame)
            if kind == "sources":
                sources.insert(0, frame)
            else:
                parts[kind].append((name, frame))
        all_sources = pd.concat(sources, ignore_index=True) if sources else pd.DataFrame()
        problems += _global_rules(parts, all_sources)
        if any(p.level == "error" for p in problems):
            raise ValidationError(problems)
        urls = dict(zip(all_sources["source_id"], all_sources["url"], strict=True))
        return {
            "facts": _tidy_facts(parts["facts"], urls, prefix),
            "events": _tidy_events(parts["events"], urls),
            "prices_daily": _tidy_prices(parts["prices"]),
            "commitments": _tidy_stated("commitments", "amount", parts["commitments"], urls),
            "disclosures": _tidy_stated("disclosures", "value", parts["disclosures"], urls),
            "sources": all_sources.drop(columns=[v.LINE]).reset_index(drop=True),
        }


def _meta_source(name: str, data: bytes) -> tuple[pd.DataFrame | None, list[Problem]]:
    """A snapshot's origin as a sources row, or the problems that keep it from being one."""
    try:
        meta = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, [Problem(name, None, "-", f"not valid JSON: {exc}")]
    except RecursionError:
        return None, [Problem(name, None, "-", "not valid JSON: nested too deeply")]
    if not isinstance(meta, dict):
        return None, [Problem(name, None, "-", "must be a JSON object")]
    nul = [k for k in META_FIELDS if "\x00" in str(meta.get(k, ""))]
    if nul:
        return None, [Problem(name, None, k, "must not contain a NUL character") for k in nul]
    missing = [f for f in META_FIELDS if f not in meta]
    if missing:
        return None, [Problem(name, None, f, "required field missing") for f in missing]
    note = (
        f"raw snapshot {meta['repository']} {meta['path']} @ {str(meta['commit'])[:12]} "
        f"({meta['commit_date']}); licence: {meta['license']}; sha256 {str(meta['sha256'])[:16]}; "
        f"{'rows bundled' if meta['bundled'] else 'cited only'}"
    )
    row = pd.DataFrame(
        [
            {
                "source_id": str(meta["source_id"]),
                "title": str(meta["title"]),
                "publisher": str(meta["producer"]),
                "url": str(meta["url"]),
                "published": day if v.is_date(day := str(meta["commit_date"])[:10]) else "",
                "accessed": str(meta["date_read"]),
                "kind": str(meta["kind"]),
                "note": note,
                "via": "",
                v.LINE: 1,
            }
        ]
    )
    return row, v.check_sources(name, row)


def _global_rules(
    parts: dict[str, list[tuple[str, pd.DataFrame]]], sources: pd.DataFrame
) -> list[Problem]:
    known = set(sources["source_id"]) if not sources.empty else set()
    out: list[Problem] = []
    if not sources.empty:
        dup = sources[sources["source_id"].duplicated(keep="first")]
        out += [
            Problem("sources", None, "source_id", "source id declared twice", str(r.source_id))
            for r in dup.itertuples(index=False)
        ]
    # A key repeated within one file is the file model's (etl.schemas); across files, here.
    fact_key = TABLES["facts"].figure_key
    across = _across_files(parts["facts"], fact_key, "metric")
    for name, frame in parts["facts"]:
        out += v.unknown_sources(name, frame, known)
        out += [p for p in across if p.file == name]
    for name, frame in (
        *parts["events"],
        *parts["prices"],
        *parts["commitments"],
        *parts["disclosures"],
    ):
        out += v.unknown_sources(name, frame, known)
    price_key = TABLES["prices_daily"].figure_key
    out += _across_files(parts["prices"], price_key, "date")
    return out


def _across_files(
    files: list[tuple[str, pd.DataFrame]], key: tuple[str, ...], field: str
) -> list[Problem]:
    """Rows whose key an earlier file already holds (within a file, the file model reports it),
    naming the key's first row. Vectorised: Python runs once per such row only."""
    if not files:
        return []
    keys = pd.concat(
        [f.loc[:, [*key, v.LINE]].assign(_file=i) for i, (_, f) in enumerate(files)],
        ignore_index=True,
    )
    for c in key:
        keys[c] = keys[c].astype(str)
    first = keys.groupby(list(key), sort=False)[["_file", v.LINE]].transform("first")
    hit = (first["_file"] != keys["_file"]).to_numpy()
    names = [n for n, _ in files]
    rule = f"duplicate key ({', '.join(key)}) also at"
    return [
        Problem(names[i], int(line), field, f"{rule} {names[j]}:{at}", "/".join(k))
        for i, line, j, at, *k in zip(
            keys.loc[hit, "_file"],
            keys.loc[hit, v.LINE],
            first.loc[hit, "_file"],
            first.loc[hit, v.LINE],
            *(keys.loc[hit, c] for c in key),
            strict=True,
        )
    ]


def _number(col: pd.Series) -> pd.Series:
    return pd.to_numeric(col.replace("", None), errors="coerce").astype(float)


def _tidy_facts(
    files: list[tuple[str, pd.DataFrame]], urls: dict[str, str], prefix: str
) -> pd.DataFrame:
    parts = []
    for name, frame in files:
        part = facts_frame(
            **{
                "entity": frame["entity"],
                "metric": frame["metric"],
                "period_end": frame["period_end"],
                "fiscal_period": frame["fiscal_period"],
                "value": _number(frame["value"]),
                "unit": frame["unit"],
                "source_id": frame["source_id"],
                "source_url": frame["source_id"].map(urls).fillna(""),
                "basis": frame["basis"].replace("", "reported"),
                "subject": frame["subject"],
                "note": frame["note"],
                "origin": f"{name.removeprefix(prefix + '/')}:" + frame[v.LINE].astype(str),
            }
        )
        parts.append(part)
    if not parts:
        return facts_frame([])
    facts = pd.concat(parts, ignore_index=True)
    facts = _derive_sum(facts, "capex", ("capex_ppe", "capex_intangibles"))
    return _derive_sum(facts, "capex_usd", ("capex_ppe_usd", "capex_intangibles_usd"))


def _derive_sum(facts: pd.DataFrame, target: str, lines: tuple[str, str]) -> pd.DataFrame:
    """Add target = the two reconciliation lines where the release gives the lines only.

    Capex is defined (CONTRACT.md) as purchases of property and equipment plus intangible
    assets as in the free-cash-flow reconciliation; a release states the two lines, not a sum.
    """
    key = ["entity", "period_end"]
    known = facts[facts["value"].notna()]
    first = known[known.metric == lines[0]].set_index(key)
    second = known[known.metric == lines[1]].set_index(key)
    stated = known[known.metric == target].set_index(key).index
    both = first.index.intersection(second.index).difference(stated)
    if both.empty:
        return facts
    derived = first.loc[both].reset_index()
    derived["value"] = first.loc[both, "value"].to_numpy() + second.loc[both, "value"].to_numpy()
    derived["metric"] = target
    derived["basis"] = "derived"
    derived["note"] = (
        f"derived: {lines[0]} + {lines[1]} (both lines of the company's free cash flow "
        "reconciliation)"
    )
    derived["origin"] = derived["origin"] + " + " + second.loc[both, "origin"].to_numpy()
    # A blank placeholder row gives way to the derived figure.
    placeholder = (facts.metric == target) & facts["value"].isna()
    replaced = placeholder & pd.MultiIndex.from_frame(facts[key]).isin(both)
    return pd.concat([facts[~replaced], derived[list(facts.columns)]], ignore_index=True)


def _tidy_events(files: list[tuple[str, pd.DataFrame]], urls: dict[str, str]) -> pd.DataFrame:
    parts = [
        pd.DataFrame(
            {
                "date": f["date"],
                "category": f["category"],
                "label": f["label"],
                "detail": f["detail"],
                "source_id": f["source_id"],
                "source_url": f["source_id"].map(urls).fillna(""),
                "weights": f["weights"],
                "importance": f["importance"],
            }
        )
        for _, f in files
    ]
    if not parts:
        return empty_table("events").drop(columns=["owner"])
    return pd.concat(parts, ignore_index=True)


def _tidy_stated(
    table: str, number: str, files: list[tuple[str, pd.DataFrame]], urls: dict[str, str]
) -> pd.DataFrame:
    """A commitments or disclosures table: the file's columns, its one number column parsed,
    and each row's source URL looked up (the same two steps for both)."""
    columns = [c for c in TABLES[table].columns if c not in ("owner", "source_url")]
    parts = [
        f.loc[:, columns].assign(
            **{number: _number(f[number])}, source_url=f["source_id"].map(urls).fillna("")
        )
        for _, f in files
    ]
    if not parts:
        return empty_table(table).drop(columns=["owner"])
    return pd.concat(parts, ignore_index=True)


def _tidy_prices(files: list[tuple[str, pd.DataFrame]]) -> pd.DataFrame:
    parts = [
        pd.DataFrame(
            {
                "ticker": f["ticker"],
                "date": f["date"],
                "close": _number(f["close"]),
                "adj_close": _number(f["adj_close"]),
                "currency": f["currency"],
                "source_id": f["source_id"],
            }
        )
        for _, f in files
    ]
    if not parts:
        return empty_table("prices_daily").drop(columns=["owner"])
    return pd.concat(parts, ignore_index=True)
