"""Offline snapshot bundles of a view: interactive HTML, the data as CSV, metadata, citation.

Usable from the dashboard (Download snapshot) and from the command line:

    python -m dashboard.snapshot "spending?vintage=v0123456789ab&capex=ttm" --out view.zip

The HTML embeds plotly.js, so it opens with no network; every string from the data is escaped.
"""

from __future__ import annotations

import argparse
import html
import io
import json
import sys
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import plotly.io as pio

from dashboard import pages
from dashboard.common import data, params
from dashboard.common.params import ViewState
from dashboard.common.view import View
from etl import config
from etl.derive import FX_POLICY_TEXT
from etl.export import to_csv
from etl.models import METRICS

TITLE = "AI investment impact: Alibaba"


def citation(page: str, vintage: str, created: str, link: str, today: str | None = None) -> str:
    """A citation line for a view."""
    accessed = today or datetime.now(UTC).strftime("%Y-%m-%d")
    return (
        f'{TITLE}, "{pages.BY_KEY[page].title if page in pages.BY_KEY else page}" view, data vintage {vintage} '
        f"(published {created[:10]}), accessed {accessed}. {link}"
    )


def metadata(
    view: View,
    s: ViewState,
    tables: dict[str, pd.DataFrame],
    manifest: dict[str, Any],
    link: str,
) -> dict[str, Any]:
    """Vintage, view state, sources in view, definitions and FX policy of a snapshot."""
    used: set[str] = set()
    if "source_id" in view.data:
        for ids in view.data["source_id"].dropna().astype(str):
            used.update(i for i in ids.split(" ; ") if i)
    in_view = [
        {
            "source_id": str(r.source_id),
            "title": r.title,
            "publisher": r.publisher,
            "url": r.url,
            "published": r.published,
            "kind": r.kind,
        }
        for r in tables["sources"].itertuples(index=False)
        if str(r.source_id) in used
    ]
    metrics = sorted(set(tables["facts"]["metric"]) & set(METRICS))
    return {
        "title": TITLE,
        "page": view.page,
        "vintage": s.vintage,
        "vintage_created_at": manifest.get("created_at"),
        "link": link,
        "view_state": params.to_query(s),
        "fx_policy": {
            "USD": FX_POLICY_TEXT["convenience"],
            "USD_avg": FX_POLICY_TEXT["period_average"],
        }.get(s.ccy, "RMB as reported (no conversion)"),
        "sources": in_view,
        "definitions": {m: METRICS[m].definition for m in metrics},
        "warnings": manifest.get("warnings", []),
    }


def _table_html(frame: pd.DataFrame, limit: int = 500) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join(
        "<tr>"
        + "".join(f"<td>{html.escape('' if pd.isna(v) else str(v))}</td>" for v in row)
        + "</tr>"
        for row in frame.head(limit).itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def to_html(view: View, meta: dict[str, Any], cite: str) -> str:
    """One self-contained HTML page: the view's interactive charts and its data."""
    parts = []
    for i, c in enumerate(view.charts):
        parts.append(
            pio.to_html(c.figure, include_plotlyjs=(i == 0), full_html=False, div_id=f"chart-{i}")
        )
    title = html.escape(
        f"{TITLE}: {pages.BY_KEY[view.page].title if view.page in pages.BY_KEY else view.page}"
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{title}</title><style>body{{font-family:sans-serif;margin:2em}}"
        "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px}</style>"
        f"</head><body><h1>{title}</h1>"
        f"<p>Data vintage <code>{html.escape(str(meta['vintage']))}</code>; FX: {html.escape(meta['fx_policy'])}.</p>"
        + "".join(f"<p class='note'>{html.escape(m)}</p>" for m in view.messages)
        + "".join(parts)
        + f"<h2>Data in view</h2>{_table_html(view.data)}"
        + f"<h2>Cite this view</h2><p>{html.escape(cite)}</p></body></html>"
    )


def bundle(
    view: View,
    s: ViewState,
    tables: dict[str, pd.DataFrame],
    manifest: dict[str, Any],
    link: str,
) -> bytes:
    """A zip: view.html, data.csv, metadata.json, CITATION.txt."""
    meta = metadata(view, s, tables, manifest, link)
    cite = citation(view.page, str(s.vintage), str(manifest.get("created_at", "")), link)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("view.html", to_html(view, meta, cite))
        z.writestr("data.csv", to_csv(view.data))
        z.writestr("metadata.json", json.dumps(meta, indent=2, default=str))
        z.writestr("CITATION.txt", cite + "\n")
    return buf.getvalue()


class RefusedLink(ValueError):
    """A link the snapshot cannot honour exactly (it refuses rather than substitutes)."""


@dataclass(frozen=True)
class Snapshot:
    """A built bundle, its page, and what the viewer would have been told on screen."""

    data: bytes
    page: str
    messages: tuple[str, ...] = ()


def _page(path: str) -> str:
    """The page key of a link's path; the root is the default page, anything unknown is refused."""
    key = path.strip("/").split("/")[-1]
    if key == "":
        return pages.DEFAULT.key
    if key not in pages.BY_KEY:
        known = ", ".join(pages.BY_KEY)
        raise RefusedLink(f"unknown page {key[:40]!r}: expected one of {known}")
    return key


def from_query(link: str, data_dir: Path) -> Snapshot:
    """Build the bundle for a dashboard link or '<page>?<query>' string.

    A malformed or unknown vintage, or an unknown page, raises RefusedLink or
    UnknownVintageError: a bundle of other data than the link names would cite that link falsely.
    """
    parts = urlsplit(link if "?" in link else "?" + link)
    page = _page(parts.path)
    raw = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    s = params.parse(raw)
    if "vintage" in raw and s.vintage is None:
        raise RefusedLink(f"the link's vintage {raw['vintage'][:40]!r} is not a valid vintage id")
    root, vintage = data.resolve_in(data_dir, s.vintage)
    s = params.replace(s, vintage=vintage)
    tables = data.read_all(root, vintage)
    view = pages.build(page, tables, s)
    built = bundle(view, s, tables, data.read_manifest(root, vintage), link)
    return Snapshot(built, page, (*s.notices, *view.messages))


def main(argv: list[str] | None = None) -> int:
    """Command line: write the snapshot bundle of a view."""
    p = argparse.ArgumentParser(prog="python -m dashboard.snapshot", description=__doc__)
    p.add_argument("view", help="a dashboard link, or '<page>?<query string>'")
    p.add_argument("--out", required=True, help="path of the .zip to write")
    p.add_argument("--data-dir", default=None)
    args = p.parse_args(argv)
    try:
        snap = from_query(args.view, config.data_dir(args.data_dir))
    except Exception as exc:  # a bad link or store: one clear line, exit 2
        print(f"snapshot: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    for message in snap.messages:
        print(f"snapshot: note: {message}", file=sys.stderr)  # noqa: T201
    try:
        Path(args.out).write_bytes(snap.data)
    except OSError as exc:  # the file system refused: the ETL's exit code for that (5)
        print(f"snapshot: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)  # noqa: T201
        return 5
    print(f"wrote {args.out} ({snap.page} view, {len(snap.data)} bytes)", file=sys.stderr)  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
