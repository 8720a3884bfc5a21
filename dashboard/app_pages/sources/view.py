"""The Sources page's view: the coverage grid, every figure (searched or by cell), freshness."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from dashboard.app_pages.sources import charts
from dashboard.common.params import ViewState
from dashboard.common.view import Chart, View
from etl import coverage

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
