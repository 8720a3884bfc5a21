"""The curated data in data/: valid, sourced, and consistent with what the releases state."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from etl import derive, pipeline
from etl.models import unit_of

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return pipeline.check(REPO / "data")


def test_curated_data_passes_validation(tables: dict[str, pd.DataFrame]) -> None:
    """The repository's data/ validates (this raises on any problem) and is not trivially small."""
    assert len(tables["facts"]) > 200
    assert len(tables["events"]) > 50


def test_every_figure_has_an_openable_source(tables: dict[str, pd.DataFrame]) -> None:
    """Every figure points at a source row with an http(s) URL, a title and an accessed date."""
    facts, sources = tables["facts"], tables["sources"].set_index("source_id")
    figures = facts[facts["value"].notna()]
    assert figures["source_id"].isin(sources.index).all()
    used = sources.loc[figures["source_id"].unique()]
    assert used["url"].str.match(r"^https?://").all()
    assert (used["title"].str.len() > 0).all() and (used["accessed"].str.len() == 10).all()
    assert set(used["kind"]) <= {"primary", "presentation", "secondary"}


def test_units_and_keys(tables: dict[str, pd.DataFrame]) -> None:
    """Each figure has its metric's declared unit, and (entity, metric, period_end) is unique."""
    facts = tables["facts"]
    declared = [unit_of(e, m) for e, m in zip(facts["entity"], facts["metric"], strict=True)]
    assert (facts["unit"] == declared).all()
    assert not facts.duplicated(["entity", "metric", "period_end"]).any()


def test_blanks_say_why(tables: dict[str, pd.DataFrame]) -> None:
    """A blank figure always carries a note."""
    blanks = tables["facts"][tables["facts"]["value"].isna()]
    assert (blanks["note"].str.len() > 0).all()


def test_signs(tables: dict[str, pd.DataFrame]) -> None:
    """Capex is positive (money spent), a reconciliation line at least zero; revenue positive."""
    f = tables["facts"]
    for metric in ("capex", "capex_ppe", "capex_stated", "revenue", "cloud_revenue"):
        assert (f.loc[f.metric == metric, "value"].dropna() > 0).all(), metric
    assert (f.loc[f.metric == "capex_intangibles", "value"].dropna() >= 0).all()


STATED = {
    "revenue_yoy_pct": "revenue",
    "adjusted_ebita_yoy_pct": "adjusted_ebita",
    "income_from_operations_yoy_pct": "income_from_operations",
    "cloud_revenue_yoy_pct": "cloud_revenue",
    "free_cash_flow_yoy_pct": "free_cash_flow",
    "operating_cash_flow_yoy_pct": "operating_cash_flow",
    "cloud_adjusted_ebita_yoy_pct": "cloud_adjusted_ebita",
    # The capex growth the company states is of the capex it states in words.
    "capex_yoy_pct": "capex_stated",
}
#: Stated changes that do not compare with our first-reported year-ago figure, with the reason.
_CLOUD_REORG = (
    "from FY2024 the Cloud Intelligence Group segment includes businesses (e.g. DingTalk) that the "
    "FY2023 'Cloud' segment did not; the release's YoY compares with the restated year-ago figure, "
    "while data/ keeps the figure as first reported"
)
_SEGMENTS_FY2025 = (
    "from FY2025 (June 2024 quarter) the company recast its segment figures; the release's YoY "
    "compares with the recast year-ago figure, while data/ keeps the figure as first reported"
)
KNOWN_BASIS_CHANGES: dict[tuple[str, str], str] = {
    **{
        ("cloud_revenue_yoy_pct", q): _CLOUD_REORG
        for q in ("2023-06-30", "2023-09-30", "2023-12-31", "2024-03-31")
    },
    **{
        ("cloud_adjusted_ebita_yoy_pct", q): _CLOUD_REORG
        for q in ("2023-06-30", "2023-09-30", "2023-12-31", "2024-03-31")
    },
    ("cloud_adjusted_ebita_yoy_pct", "2024-06-30"): _SEGMENTS_FY2025,
    ("capex_yoy_pct", "2025-03-31"): (
        "stated in a broker note (+68%) without its base; the company's own capex in words "
        "grew from 11,153 to 24,612"
    ),
}


def _comparisons(facts: pd.DataFrame) -> list[tuple[str, str, float, float]]:
    out = []
    for stated_id, metric in STATED.items():
        computed = derive.yoy(derive.series(facts, metric))
        stated = derive.series(facts, stated_id)
        for end, value in stated.items():
            if end in computed.index and pd.notna(computed.loc[end]):
                out.append((stated_id, str(end.date()), float(value), float(computed.loc[end])))
    return out


def test_stated_yoy_agrees_with_figures(tables: dict[str, pd.DataFrame]) -> None:
    """Where the release states a YoY change and both quarters are on file, they agree within rounding."""
    comparisons = _comparisons(tables["facts"])
    assert len(comparisons) >= 10
    bad = [
        f"{sid} {end}: stated {s:+.0f}% vs figures {c:+.1f}%"
        for sid, end, s, c in comparisons
        if abs(s - c) > 1.0 and (sid, end) not in KNOWN_BASIS_CHANGES
    ]
    assert bad == []


def test_free_cash_flow_reconciles(tables: dict[str, pd.DataFrame]) -> None:
    """FCF = OCF - capex lines + other reconciling items, where every line is on file."""
    f = tables["facts"]
    known = f[(f.basis == "reported") & f["value"].notna()]
    wide = known.pivot_table(index="period_end", columns="metric", values="value", aggfunc="sum")
    need = ["free_cash_flow", "operating_cash_flow", "capex_ppe", "capex_intangibles"]
    if not set(need) <= set(wide.columns):
        pytest.skip("no quarter has every reconciliation line on file")
    full = wide.dropna(subset=need)
    other = full.get("fcf_other_adjustments", pd.Series(0.0, index=full.index)).fillna(0.0)
    gap = full["operating_cash_flow"] - full["capex_ppe"] - full["capex_intangibles"] + other
    assert ((gap - full["free_cash_flow"]).abs() <= 2).all()


def test_readme_coverage_section_is_current(tables: dict[str, pd.DataFrame]) -> None:
    """data/README.md's generated metric and coverage tables match the data files."""
    from etl import coverage

    readme = (REPO / "data" / "README.md").read_text(encoding="utf-8")
    assert coverage.render(readme, coverage.table(tables)) == readme


def test_ai_revenue_streak_counts_up_by_one(tables: dict[str, pd.DataFrame]) -> None:
    """'Triple-digit growth for the Nth consecutive quarter' rises by one each consecutive quarter."""
    streak = derive.series(tables["facts"], "ai_revenue_triple_digit_streak")
    quarters = list(pd.DatetimeIndex(streak.index).to_period("Q"))
    counts = list(streak)
    for k in range(1, len(counts)):
        gap = (quarters[k] - quarters[k - 1]).n
        assert counts[k] - counts[k - 1] == gap, (
            f"{quarters[k - 1]}: {counts[k - 1]} -> {quarters[k]}: {counts[k]}"
        )
    assert len(streak) >= 5


def test_core_cells_rest_on_the_companys_documents(tables: dict[str, pd.DataFrame]) -> None:
    """At least 80% of the filled core cells FY2023Q1..FY2027Q1 are primary; capex and FCF in every
    quarter on file."""
    from etl import coverage

    cells = coverage.grid(tables)
    assert coverage.primary_share(cells) >= 0.8
    cash = cells[cells["metric"].isin(["capex", "free_cash_flow"]) & (cells["kind"] != "blank")]
    assert len(cash) >= 2 * 17
    assert (cash["kind"] == "primary").all(), cash[cash["kind"] != "primary"]


COMPANY_HOSTS = ("alibabagroup.com", "sec.gov", "hkexnews.hk", "alibabacloud.com", "github.com")


def test_copies_name_the_original_document(tables: dict[str, pd.DataFrame]) -> None:
    """A primary source read from a copy names the company's own address in `url`, the copy in
    `via` (a GitHub copy pinned to its commit), and the original's title and date."""
    from etl.validate import GITHUB_PINNED_RE

    src = tables["sources"]
    copies = src[(src["via"] != "") & (src["kind"] == "primary")]
    assert len(copies) >= 17
    for r in copies.itertuples(index=False):
        host = r.url.split("/")[2]
        assert host.endswith(COMPANY_HOSTS), (r.source_id, r.url)
        assert r.url != r.via and r.published != "", r.source_id
        if "github.com" in r.via:
            assert GITHUB_PINNED_RE.match(r.via), (r.source_id, r.via)
        assert "extraction" not in r.title, r.source_id


def test_a_copy_must_be_pinned(tmp_path: Path) -> None:
    """A `via` naming a repository file without its commit is refused with file, line and field."""
    import shutil

    from etl.errors import ValidationError

    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data, ignore=shutil.ignore_patterns("store", "cache"))
    text = (data / "sources.csv").read_text(encoding="utf-8")
    pinned = "blob/b368f2cd617a2ee2e4509aa3f6be1bdf9d775406/"
    assert pinned in text
    (data / "sources.csv").write_text(text.replace(pinned, "blob/main/", 1), encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        pipeline.check(data)
    lines = [str(p) for p in err.value.problems]
    assert any("sources.csv:" in p and "field 'via'" in p for p in lines), lines


def test_releases_say_open_or_api_and_few_are_major(tables: dict[str, pd.DataFrame]) -> None:
    """Qwen3.6's flagship tier is API-only, Qwen3.8 has open weights, one row per release, and
    the default view draws at most about fifteen major events."""
    ev = tables["events"]
    qwen = ev[ev["category"] == "qwen_release"]
    flagship36 = qwen[qwen["label"].str.contains(r"Qwen3\.6-(?:Plus|Max)", regex=True)]
    assert len(flagship36) >= 2 and (flagship36["weights"] == "api").all()
    assert (qwen[qwen["label"].str.startswith("Qwen3.8")]["weights"] == "open").any()
    model = qwen["label"].str.extract(r"^(\S+)")[0]
    assert not pd.concat([qwen["date"], model], axis=1).duplicated().any()
    major = ev[ev["importance"] == "major"]
    assert 8 <= len(major) <= 16
    assert set(ev["importance"]) <= {"major", "minor"}


def test_stated_amounts_are_in_their_quotes(tables: dict[str, pd.DataFrame]) -> None:
    """A stated RMB amount from the company's own document appears, as printed, in its quote
    (in millions, or in billions where the company rounds to billions)."""
    f = tables["facts"]
    kinds = tables["sources"].set_index("source_id")["kind"]
    raw = pd.concat(
        pd.read_csv(p, dtype=str, keep_default_na=False)
        for p in sorted((REPO / "data" / "statements").glob("*.csv"))
    )
    rows = raw[(raw["unit"] == "RMB_mn") & (raw["value"] != "")]
    rows = rows[rows["source_id"].map(kinds) == "primary"]
    assert len(rows) >= 2
    for r in rows.itertuples(index=False):
        v = float(r.value)
        printed = (f"RMB{int(v):,} million", f"RMB{v / 1000:g} billion")
        assert any(p in r.quote for p in printed), (r.metric, r.period_end, r.quote)
    assert set(rows["metric"]) <= set(f["metric"])


def test_freshness_says_what_is_missing(tables: dict[str, pd.DataFrame]) -> None:
    """Every series has its last date; a quarter on file only as blank rows is named as missing,
    and a series behind its newest known public data says where that data is."""
    from etl import coverage

    fresh = coverage.freshness(tables).set_index("series")
    filled = set(tables["facts"].loc[tables["facts"]["value"].notna(), "metric"])
    assert filled <= set(fresh.index)
    rev = fresh.loc["revenue"]
    assert rev["newest_public"] == "FY2027Q2" and "not on file" in rev["status"]
    for s, r in fresh.iterrows():
        if r["newest_public"][:4].isdigit() and r["last_on_file"][:4].isdigit():
            behind = r["last_on_file"][: len(r["newest_public"])] < r["newest_public"]
            assert r["status"].startswith("newer public data") == behind, s


def test_coverage_chart_shades_copies_apart(tables: dict[str, pd.DataFrame]) -> None:
    """The chart draws the company's document read at its address and read from a copy as two
    legend entries, each cell once."""
    from dashboard.app_pages.sources import charts as sources_chart
    from etl import coverage

    cells = coverage.grid(tables)
    fig = sources_chart.coverage_figure(cells)
    names = {t.name: len(t.x) for t in fig.data}
    assert names["company document"] == int((cells["kind"].eq("primary") & ~cells["copy"]).sum())
    copy = "company document, read from a verbatim copy"
    assert names[copy] == int((cells["kind"].eq("primary") & cells["copy"]).sum()) > 0
    assert sum(names.values()) == len(cells)
