"""The Sources page's views: the coverage grid, every figure (searched or by cell), freshness;
and, when asked for, the vintage's own records (filings checks, manifest, sources, definitions).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from dashboard.app_pages.sources import charts
from dashboard.common import safe
from dashboard.common.params import ViewState
from dashboard.common.view import Chart, View
from etl import coverage
from etl.models import METRICS

#: The lines a derived figure rests on (shown with it when its coverage cell is chosen).
DERIVED_FROM = {"capex": ("capex_ppe", "capex_intangibles")}


@dataclass(frozen=True)
class SourcesView(View):
    """The Sources page: the coverage grid (figure and table), freshness, the figures shown.

    `data` holds the figures the search or the chosen cell leaves; `figures` counts them all.
    """

    coverage: Chart | None = None
    #: One row per (metric, quarter) cell of the grid.
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: The last date of every series, and the newest public data known for it.
    freshness: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: The cells the picker offers ("metric@quarter").
    cells: tuple[str, ...] = ()
    #: How many figures the vintage holds.
    figures: int = 0


def build(tables: dict[str, pd.DataFrame], s: ViewState) -> SourcesView:
    """Every figure of the vintage, filtered by the search text or a chosen coverage cell."""
    grid = coverage.grid(tables)
    shown = tables["facts"].drop(columns=["origin"], errors="ignore")
    if s.cell:
        metric, quarter = s.cell.split("@")
        metrics = (metric, *DERIVED_FROM.get(metric, ()))
        shown = shown[shown["metric"].isin(metrics) & (shown["fiscal_period"] == quarter)]
    if s.q:
        text = pd.Series(
            [" ".join(map(str, r)).lower() for r in shown.itertuples(index=False)],
            index=shown.index,
        )
        # Every word of the query, in any order ("FY2026Q4 adjusted_ebita" finds that figure).
        keep = pd.Series(True, index=shown.index)
        for word in s.q.lower().split():
            keep &= text.str.contains(word, regex=False)
        shown = shown[keep]
    return SourcesView(
        "sources",
        data=shown.reset_index(drop=True),
        coverage=Chart("sources_coverage", charts.coverage_figure(grid), f"coverage_{s.vintage}"),
        table=grid,
        freshness=coverage.freshness(tables),
        cells=tuple(f"{m}@{q}" for m, q in zip(grid["metric"], grid["fiscal_period"], strict=True)),
        figures=len(tables["facts"]),
    )


@dataclass(frozen=True)
class Check:
    """One check of a vintage's figures against another source: a heading, its counts, its rows."""

    title: str
    caption: str
    #: The rows shown under the counts; None shows none.
    rows: pd.DataFrame | None = None


@dataclass(frozen=True)
class RecordsView:
    """The vintage's own records, shown on the Sources page only when asked for."""

    #: The filings checks, in the order shown (a check the manifest lacks is left out).
    checks: tuple[Check, ...]
    #: The manifest's cards: when the vintage was made (UTC) and its warnings.
    created: str
    warnings: tuple[str, ...]
    #: The manifest's input files.
    inputs: pd.DataFrame
    #: Per source: its status in the build that made the vintage.
    status: pd.DataFrame
    #: When the newest curated document was published, and when the sources were accessed.
    newest: str
    #: The vintage's sources, their addresses made safe to link.
    sources: pd.DataFrame
    #: Every metric's definition.
    definitions: pd.DataFrame


def _filings_check(check: Mapping[str, Any], title: str) -> Check | None:
    """A filing source's figures against the curated ones: counts, then the ones that differ."""
    if not check:
        return None
    differ = check.get("differ")
    return Check(
        title,
        f"{check.get('shared', 0)} figures in both: {check.get('agree', 0)} agree; "
        f"{len(differ or [])} differ (the charts draw the filing's figure).",
        pd.DataFrame(differ) if differ else None,
    )


def _annual_check(annual: Mapping[str, Any]) -> Check | None:
    if not annual.get("compared"):
        return None
    return Check(
        "Alibaba's 20-F annual capex (sec_xbrl) against its four curated quarters",
        f"{annual['compared']} fiscal years: {annual['agree']} agree within RMB 2 mn of rounding; "
        f"{len(annual['differ'])} differ.",
        pd.DataFrame(annual["rows"]),
    )


def records(sources: pd.DataFrame, manifest: Mapping[str, Any]) -> RecordsView:
    """The records view of a vintage from its sources table and its manifest."""
    checks = (
        _filings_check(
            manifest.get("crosscheck") or {},
            "The company's filings (edgar) against the curated files",
        ),
        _annual_check(manifest.get("crosscheck_annual") or {}),
        _filings_check(
            manifest.get("crosscheck_sec_xbrl") or {},
            "The peers' filings (sec_xbrl) against the curated peer figures",
        ),
    )
    newest = sources.assign(published=pd.to_datetime(sources["published"], errors="coerce"))
    return RecordsView(
        checks=tuple(c for c in checks if c is not None),
        created=str(manifest.get("created_at", ""))[:19].replace("T", " "),
        warnings=tuple(str(w) for w in manifest.get("warnings", [])),
        inputs=pd.DataFrame(manifest.get("inputs", [])),
        status=pd.DataFrame([{"source": k, **v} for k, v in manifest.get("sources", {}).items()]),
        newest=f"Newest curated document: {newest['published'].max():%Y-%m-%d}; "
        f"accessed {sources['accessed'].max()}.",
        sources=sources.assign(url=sources["url"].map(safe.web_url)),
        definitions=pd.DataFrame(
            [
                {
                    "metric": m.id,
                    "label": m.label,
                    "unit": m.unit,
                    "grain": m.kind,
                    "definition": m.definition,
                }
                for m in METRICS.values()
            ]
        ),
    )
